"""Expected failures as exceptions carrying their HTTP status, rendered in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from notestack.core.responses import json_response


class AppError(Exception):
    status_code = 400
    message = "Bad request"

    def __init__(
        self,
        message: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.message
        self.errors = errors or []
        self.headers = headers
        self.extra = extra or {}
        super().__init__(self.message)


class BadRequest(AppError):
    status_code = 400


class Unauthorized(AppError):
    status_code = 401
    message = "Authentication required"


class Forbidden(AppError):
    status_code = 403
    message = "Forbidden"


class NotFound(AppError):
    status_code = 404
    message = "Not found"


class Conflict(AppError):
    status_code = 409


class PreconditionFailed(AppError):
    status_code = 412
    message = "The resource has changed since you last read it"


class PayloadTooLarge(AppError):
    status_code = 413
    message = "Request body too large"


class Unprocessable(AppError):
    status_code = 422
    message = "Invalid input"


class _RetryLater(AppError):
    """An answer that says when to ask again: ``retry_after`` seconds (Retry-After)."""

    def __init__(self, message: str | None = None, *, retry_after: int = 1) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after))})


class TooManyRequests(_RetryLater):
    status_code = 429
    message = "Too many requests; try again later"


class ServiceUnavailable(_RetryLater):
    status_code = 503
    message = "The service is unavailable; try again shortly"


def error_response(
    status_code: int,
    message: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body = {"success": False, "message": message, "errors": errors or [], **extra}
    return json_response(body, status_code=status_code, headers=headers)


def _field_name(loc: tuple[int | str, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _validation_errors(exc: RequestValidationError) -> tuple[int, str, list[dict[str, Any]]]:
    errors: list[dict[str, Any]] = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            return (
                400,
                "Request body is not valid JSON",
                [{"field": "body", "message": "invalid JSON"}],
            )
        message = str(error.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ")
        errors.append({"field": _field_name(tuple(error.get("loc", ()))), "message": message})
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:3])
    return 422, f"Invalid input: {summary}" if summary else "Invalid input", errors


def app_error_response(exc: AppError) -> Response:
    """How every ``AppError`` is answered, by the routers' handler or by an ASGI middleware."""
    return error_response(exc.status_code, exc.message, exc.errors, exc.headers, **exc.extra)


async def _app_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return app_error_response(exc)


async def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    status, message, errors = _validation_errors(exc)
    return error_response(status, message, errors)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    messages = {404: "Not found", 405: "Method not allowed"}
    message = (
        exc.detail if isinstance(exc.detail, str) and exc.status_code not in messages else None
    )
    return error_response(
        exc.status_code,
        message or messages.get(exc.status_code, "Request failed"),
        headers=dict(exc.headers) if exc.headers else None,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
