"""JSON responses in NoteStack's envelope, encoded once with orjson."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import Response

JSON_MEDIA_TYPE = "application/json"


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_UTC_Z)


def envelope(message: str, **fields: Any) -> dict[str, Any]:
    return {"success": True, "message": message, **fields}


def json_response(
    body: Mapping[str, Any] | bytes,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    content = body if isinstance(body, bytes) else dumps(body)
    return Response(content, status_code=status_code, headers=headers, media_type=JSON_MEDIA_TYPE)


class MessageEnvelope(BaseModel):
    """A success that carries nothing but its message."""

    success: bool = True
    message: str
