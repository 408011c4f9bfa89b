"""Serves the built web client: index.html for client routes, hashed assets cached for a year.

Called last by the app factory, after every API router, so API routes always win. The
catch-all only matches GET/HEAD requests outside the API and the operational endpoints:
unknown ``/api/...`` paths fall through to the app's JSON 404 handler, never to HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

from notestack.core.settings import Settings

ASSETS_PREFIX: Final = "/assets"
# Paths that never fall back to index.html (each also covers everything below it).
RESERVED_PATHS: Final = (
    "/api",
    ASSETS_PREFIX,
    "/docs",
    "/redoc",
    "/openapi.json",
    "/healthz",
    "/readyz",
    "/metrics",
)
IMMUTABLE: Final = "public, max-age=31536000, immutable"
NOT_BUILT_MESSAGE: Final = "front end not built: run make install"
# Preferred first: brotli is smaller than gzip for the same file.
ENCODINGS: Final = (("br", ".br"), ("gzip", ".gz"))
MEDIA_TYPES: Final = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".txt": "text/plain; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
}
_ASSET_URL = re.compile(r"""(\s(?:src|href)=["'])/assets/""")


def _is_reserved(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in RESERVED_PATHS)


def _media_type(path: Path) -> str:
    return MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")


def _accepted_encodings(header: str) -> set[str]:
    """Content codings the client accepts (q > 0), from an Accept-Encoding header."""
    accepted: set[str] = set()
    refused: set[str] = set()
    for item in header.split(","):
        name, *params = (part.strip() for part in item.split(";"))
        name = {"x-gzip": "gzip"}.get(name.lower(), name.lower())
        if not name:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        (accepted if quality > 0 else refused).add(name)
    if "*" in accepted:
        accepted |= {name for name, _ in ENCODINGS}
    return accepted - refused


def _resolve_inside(root: Path, relative: str) -> Path | None:
    """The file at ``root/relative`` if it exists and really lies under root (no traversal)."""
    if not relative or "\x00" in relative or "\\" in relative:
        return None
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def _normalise_base_url(value: str) -> tuple[str, str]:
    """(URL prefix for assets, CSP source) from NOTESTACK_ASSET_BASE_URL; ("", "") if unset."""
    base = value.strip().rstrip("/")
    if not base:
        return "", ""
    parts = urlsplit(base)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.query
        or parts.fragment
        or re.search(r"""[\s"'<>;,]""", base)
    ):
        raise ValueError(
            f"NOTESTACK_ASSET_BASE_URL must be an http(s) URL such as https://cdn.example.com, "
            f"got {value!r}"
        )
    return base, f"{parts.scheme}://{parts.netloc}"


def content_security_policy(asset_origin: str = "") -> str:
    extra = f" {asset_origin}" if asset_origin else ""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self'{extra}",
            f"style-src 'self'{extra}",
            "img-src 'self' data:",
            "connect-src 'self'",
            # The service worker (/sw.js: the app shell offline) and the web app manifest.
            "worker-src 'self'",
            "manifest-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
        )
    )


def rewrite_asset_urls(html: str, base_url: str) -> str:
    """Point index.html's /assets/ URLs at another origin (a CDN)."""
    if not base_url:
        return html
    return _ASSET_URL.sub(lambda match: f"{match.group(1)}{base_url}/assets/", html)


class _IndexPage:
    """index.html, read once (when it first exists) and kept in memory, CDN-rewritten."""

    def __init__(self, path: Path, base_url: str) -> None:
        self._path = path
        self._base_url = base_url
        self._body: bytes | None = None

    def body(self) -> bytes | None:
        if self._body is None:
            try:
                html = self._path.read_text(encoding="utf-8")
            except OSError:
                return None
            self._body = rewrite_asset_urls(html, self._base_url).encode("utf-8")
        return self._body


class _FilteredGetRoute(Route):
    """A GET/HEAD route that does not match at all (not even partially) outside ``accept``.

    Not matching keeps the router's own 404 for other methods and reserved paths, where a
    plain catch-all route would turn ``POST /api/unknown`` into a 405 or swallow ``/api``.
    """

    def __init__(
        self,
        path: str,
        endpoint: Callable[[Request], Any],
        accept: Callable[[str], bool],
        name: str,
    ) -> None:
        super().__init__(
            path, endpoint, methods=["GET", "HEAD"], name=name, include_in_schema=False
        )
        self._accept = accept

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return Match.NONE, {}
        match, child = super().matches(scope)
        if match is not Match.FULL or not self._accept("/" + child["path_params"]["path"]):
            return Match.NONE, {}
        return match, child


def mount_frontend(app: FastAPI, settings: Settings) -> None:
    """Serve ``settings.frontend_dist``: call after every API router has been included."""
    dist = settings.frontend_dist.resolve()
    assets_dir = (dist / ASSETS_PREFIX.lstrip("/")).resolve()
    base_url, asset_origin = _normalise_base_url(settings.asset_base_url)
    index = _IndexPage(dist / "index.html", base_url)
    html_headers = {
        "Cache-Control": "no-cache",
        "Content-Security-Policy": content_security_policy(asset_origin),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
    }

    async def serve_asset(request: Request) -> Response:
        path = _resolve_inside(assets_dir, request.path_params["path"])
        if path is None:
            raise HTTPException(status_code=404, detail="Asset not found")
        headers = {
            "Cache-Control": IMMUTABLE,
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
        }
        accepted = _accepted_encodings(request.headers.get("accept-encoding", ""))
        for coding, suffix in ENCODINGS:
            sibling = path.with_name(path.name + suffix)
            if coding in accepted and sibling.is_file():
                headers["Content-Encoding"] = coding
                return FileResponse(sibling, media_type=_media_type(path), headers=headers)
        return FileResponse(path, media_type=_media_type(path), headers=headers)

    async def serve_app(request: Request) -> Response:
        body = index.body()
        if body is None:
            return JSONResponse(
                {"success": False, "message": NOT_BUILT_MESSAGE, "errors": []},
                status_code=503,
                headers={"Cache-Control": "no-store"},
            )
        # Top-level files Vite copies from public/ (robots.txt, the web app manifest, icons) and
        # the service worker (sw.js) are served as they are, revalidated on every use: a
        # browser checks sw.js for a new build at each visit, so it must never be immutable.
        name = request.path_params["path"]
        if name and "/" not in name and name != "index.html":
            path = _resolve_inside(dist, name)
            if path is not None:
                return FileResponse(
                    path,
                    media_type=_media_type(path),
                    headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
                )
        return Response(body, media_type="text/html; charset=utf-8", headers=html_headers)

    app.router.routes.append(
        _FilteredGetRoute(
            ASSETS_PREFIX + "/{path:path}",
            serve_asset,
            accept=lambda _path: True,
            name="frontend_asset",
        )
    )
    app.router.routes.append(
        _FilteredGetRoute(
            "/{path:path}",
            serve_app,
            accept=lambda path: not _is_reserved(path),
            name="frontend_app",
        )
    )
