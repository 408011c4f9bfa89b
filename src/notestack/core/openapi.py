"""OpenAPI helpers: the document says what the server does, also where a route parses its own
input instead of letting the framework do it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def _inline_refs(schema: Any, defs: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inline_refs(value, defs) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_inline_refs(item, defs) for item in schema]
    return schema


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """OpenAPI parameter objects for a model that a route validates from its query string
    itself (see notes/queries.py), generated from the model so the two cannot drift."""
    schema = model.model_json_schema()
    defs: dict[str, Any] = schema.get("$defs", {})
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        inline = _inline_refs(prop, defs)
        description = inline.pop("description", None)
        inline.pop("title", None)
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": inline,
        }
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters
