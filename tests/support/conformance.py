"""Every response the API suites receive is checked against the OpenAPI document (issue 14):
its status must be documented for the operation, and its body must match that status's schema.
Handlers that answer with pre-serialized bytes cannot drift from the declared models unseen."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import httpx
import schemathesis
from fastapi import FastAPI
from schemathesis.core.transport import Response as CheckedResponse

from notestack.app import openapi_document


@lru_cache(maxsize=1)
def _schema() -> Any:
    return schemathesis.openapi.from_dict(openapi_document())


async def check_response(response: httpx.Response) -> None:
    path = response.request.url.path
    if not path.startswith("/api/") or path.endswith("/") or response.request.method == "HEAD":
        return
    schema = _schema()
    operation = schema.find_operation_by_path(response.request.method, path)
    if operation is None:  # a method the path does not have: a 405, not an operation
        return
    await response.aread()
    schema.validate_response(operation, CheckedResponse.from_any(response))


def conforming_client(app: FastAPI, base_url: str = "http://testserver") -> httpx.AsyncClient:
    """An in-process client whose every API response is held to the OpenAPI document."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=base_url,
        event_hooks={"response": [check_response]},
    )
