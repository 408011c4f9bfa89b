"""The OpenAPI document says what the server does: every status an operation can answer, with
the body it carries, also where a route parses its own input or a middleware answers first.

Routes declare what is theirs alone (a 404 for a missing note, a 409 for a taken email); the
answers that come from the shared machinery are added here from facts about each operation,
the same facts that machinery acts on: a protected operation can answer 401, an unsafe method
403 (cross-origin cookie writes) and 413 (body size), a body 400 (not JSON), a header or query
the route validates itself 400/422, If-None-Match 304, and every API request 429 (throttles,
per-user budgets), 431 (header size) and 503 (migrations pending, overload, database gone).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from notestack.core.responses import JSON_MEDIA_TYPE


class FieldError(BaseModel):
    field: str = Field(description="The input at fault: a body field, query parameter or header")
    message: str


class ErrorEnvelope(BaseModel):
    """Every error of the API has this body."""

    success: bool = Field(description="Always false")
    message: str = Field(description="What went wrong, for a person to read")
    errors: list[FieldError]


ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Malformed request: not JSON, or a header or cursor this server did not issue",
    401: "Not signed in, or the token is invalid, expired or revoked",
    403: "A cookie-authenticated change sent from another origin",
    404: "No such note among the caller's notes",
    409: "Conflicts with existing data",
    412: "If-Match does not match the current version",
    413: "Request body too large",
    422: "Invalid input, with an error per field",
    429: "Too many requests: wait Retry-After seconds",
    431: "Request headers too large",
    503: "Unavailable for now (database schema behind, overloaded or failing over): wait "
    "Retry-After seconds",
}
_UNSAFE = {"post", "put", "patch", "delete"}
_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}},
}


def error_responses(*codes: int, model: type[BaseModel] = ErrorEnvelope) -> dict[int | str, Any]:
    """``responses=`` for a route: these statuses, each with the error body."""
    return {code: {"model": model, "description": ERROR_DESCRIPTIONS[code]} for code in codes}


def _error_response(code: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERROR_DESCRIPTIONS[code],
        "content": {JSON_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}},
    }
    if code in (429, 503):
        response["headers"] = _RETRY_AFTER
    return response


def _implied_codes(method: str, operation: dict[str, Any]) -> set[int]:
    parameters = {(p["in"], p["name"].lower()) for p in operation.get("parameters", [])}
    codes = {429, 431, 503}
    if operation.get("security"):
        codes.add(401)
    if method in _UNSAFE:
        codes |= {403, 413}
    if "requestBody" in operation:
        codes |= {400, 422}
    if any(location == "query" for location, _name in parameters):
        codes.add(422)
    if ("header", "if-match") in parameters or ("query", "cursor") in parameters:
        codes.add(400)
    return codes


def complete_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Add the shared machinery's answers to every API operation of ``document`` (in place)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["ErrorEnvelope"] = ErrorEnvelope.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    schemas["ErrorEnvelope"].pop("$defs", None)
    schemas["FieldError"] = FieldError.model_json_schema()
    for path, operations in document.get("paths", {}).items():
        if not path.startswith("/api/"):
            for operation in operations.values():
                operation.setdefault("responses", {})["431"] = _error_response(431)
            continue
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                # Headers and query parameters are absent or text, never null.
                drop_null_from_optional({"properties": {"p": parameter["schema"]}})
            responses = operation.setdefault("responses", {})
            implied = _implied_codes(method, operation)
            if "HTTPValidationError" in str(responses.get("422")) and 422 not in implied:
                del responses["422"]  # the framework's guess: nothing here can fail that way
            for code in sorted(implied):
                declared = responses.get(str(code))
                if declared is None or "HTTPValidationError" in str(declared):
                    responses[str(code)] = _error_response(code)
            if any(p["name"].lower() == "if-none-match" for p in operation.get("parameters", [])):
                responses["304"] = {"description": "Not modified: the If-None-Match tag is current"}
    return document


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
    drop_null_from_optional(schema)  # a query parameter is absent, never null
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


def drop_null_from_optional(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` for models whose optional fields may be left out but never be
    ``null``: their schema says so (no ``anyOf [..., null]``)."""
    for prop in schema.get("properties", {}).values():
        choices = prop.get("anyOf")
        if isinstance(choices, list):
            kept = [c for c in choices if c != {"type": "null"}]
            if len(kept) == 1:
                prop.pop("anyOf")
                prop.update(kept[0])
        if prop.get("default", 0) is None:
            prop.pop("default")
