"""The web client's serving: SPA fallback, security headers, precompressed assets, CDN."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from notestack.core.settings import Settings
from notestack.web.frontend import (
    _accepted_encodings,
    content_security_policy,
    mount_frontend,
    rewrite_asset_urls,
)

INDEX_HTML = """<!doctype html>
<html lang="en">
  <head>
    <script type="module" crossorigin src="/assets/index-abc123.js"></script>
    <link rel="stylesheet" crossorigin href="/assets/index-def456.css">
  </head>
  <body><div id="root"></div></body>
</html>
"""
JS = b"console.log('hello from the bundle');\n" * 20
SERVICE_WORKER = "self.addEventListener('fetch', () => undefined);\n"
CSS = b"body { color: black; }\n" * 20


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    assets = root / "assets"
    assets.mkdir(parents=True)
    (root / "index.html").write_text(INDEX_HTML, encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    (root / "sw.js").write_text(SERVICE_WORKER, encoding="utf-8")
    (root / "manifest.webmanifest").write_text('{"name": "NoteStack"}', encoding="utf-8")
    (assets / "index-abc123.js").write_bytes(JS)
    (assets / "index-abc123.js.gz").write_bytes(gzip.compress(JS))
    (assets / "index-abc123.js.br").write_bytes(b"pretend-brotli")
    (assets / "index-def456.css").write_bytes(CSS)
    (assets / "index-def456.css.gz").write_bytes(gzip.compress(CSS))
    (tmp_path / "secret.txt").write_text("top secret", encoding="utf-8")
    return root


def make_app(dist: Path, asset_base_url: str = "") -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/ping")
    async def ping() -> dict[str, bool]:
        return {"success": True}

    @app.post("/api/v1/echo")
    async def echo() -> dict[str, bool]:
        return {"success": True}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    settings = Settings(frontend_dist=dist, asset_base_url=asset_base_url, environment="test")
    mount_frontend(app, settings)
    return app


@pytest.fixture
async def client(dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=make_app(dist))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def no_encoding(**headers: str) -> dict[str, str]:
    return {"Accept-Encoding": "identity", **headers}


@pytest.mark.parametrize(
    "path", ["/", "/notes", "/sign-in?redirect=%2Fnotes", "/a/b/c", "/index.html"]
)
async def test_client_routes_get_index_html_with_security_headers(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == INDEX_HTML
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-frame-options"] == "DENY"
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "style-src 'self';" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "unsafe-inline" not in csp


async def test_api_paths_never_fall_back_to_html(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/ping")).json() == {"success": True}
    for method, path in [
        ("GET", "/api/v1/nope"),
        ("GET", "/api"),
        ("POST", "/api/v1/nope"),
        ("DELETE", "/api/v1/note/x/delete"),
        ("GET", "/metrics"),
        ("GET", "/docs/anything"),
    ]:
        response = await client.request(method, path)
        assert response.status_code == 404, (method, path)
        assert response.headers["content-type"].startswith("application/json"), (method, path)


async def test_other_methods_on_client_routes_are_not_html(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")


async def test_operational_routes_win(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_assets_are_immutable_with_the_original_content_type(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/assets/index-abc123.js", headers=no_encoding())
    assert response.status_code == 200
    assert response.content == JS
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["vary"] == "Accept-Encoding"
    assert "content-encoding" not in response.headers


async def test_brotli_is_preferred_then_gzip(client: httpx.AsyncClient) -> None:
    br = await client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip, br"})
    assert br.headers["content-encoding"] == "br"
    assert br.headers["content-type"] == "text/javascript; charset=utf-8"
    assert br.headers["vary"] == "Accept-Encoding"
    assert int(br.headers["content-length"]) == len(b"pretend-brotli")

    gz = await client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip"
    assert gz.content == JS  # httpx decodes gzip: the sibling holds the same bytes

    refused = await client.get(
        "/assets/index-abc123.js", headers={"Accept-Encoding": "br;q=0, gzip;q=0.5"}
    )
    assert refused.headers["content-encoding"] == "gzip"


async def test_gzip_only_when_no_brotli_sibling(client: httpx.AsyncClient) -> None:
    response = await client.get("/assets/index-def456.css", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert response.content == CSS


@pytest.mark.parametrize(
    "path",
    [
        "/assets/missing.js",
        "/assets/",
        "/assets/%2e%2e/index.html",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%2fetc%2fpasswd",
        "/assets/..\\..\\secret.txt",
    ],
)
async def test_missing_assets_and_traversal_are_json_404s(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path, headers=no_encoding())
    assert response.status_code == 404, path
    assert response.headers["content-type"].startswith("application/json")
    assert b"top secret" not in response.content


async def test_top_level_public_files_are_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/robots.txt")
    assert response.text == "User-agent: *\n"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


async def test_service_worker_is_revalidated_at_every_visit(client: httpx.AsyncClient) -> None:
    """A browser looks for a new build by fetching /sw.js again: it must never be immutable,
    and only a JavaScript type registers."""
    response = await client.get("/sw.js", headers=no_encoding())
    assert response.status_code == 200
    assert response.text == SERVICE_WORKER
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert manifest.headers["cache-control"] == "no-cache"


async def test_csp_lets_the_app_register_its_worker_and_manifest(
    client: httpx.AsyncClient,
) -> None:
    csp = (await client.get("/notes")).headers["content-security-policy"]
    assert "worker-src 'self';" in csp
    assert "manifest-src 'self';" in csp


async def test_missing_build_is_a_clear_503(tmp_path: Path) -> None:
    app = make_app(tmp_path / "not-built")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/")
        assert response.status_code == 503
        assert response.json()["message"] == "front end not built: run make install"
        assert (await http.get("/api/v1/ping")).status_code == 200


async def test_index_is_picked_up_once_built_after_startup(tmp_path: Path, dist: Path) -> None:
    later = tmp_path / "later"
    app = make_app(later)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        assert (await http.get("/")).status_code == 503
        dist.rename(later)
        assert (await http.get("/")).text == INDEX_HTML


async def test_cdn_base_url_rewrites_index_and_csp(dist: Path) -> None:
    app = make_app(dist, asset_base_url="https://cdn.example.com/")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/")
    html = response.text
    assert 'src="https://cdn.example.com/assets/index-abc123.js"' in html
    assert 'href="https://cdn.example.com/assets/index-def456.css"' in html
    assert '"/assets/' not in html
    csp = response.headers["content-security-policy"]
    assert "script-src 'self' https://cdn.example.com;" in csp
    assert "style-src 'self' https://cdn.example.com;" in csp
    assert "connect-src 'self';" in csp


async def test_index_is_read_once_and_kept_in_memory(dist: Path) -> None:
    app = make_app(dist, asset_base_url="https://c.example")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        first = (await http.get("/")).text
        (dist / "index.html").write_text("changed on disk", encoding="utf-8")
        assert (await http.get("/notes")).text == first
    assert first.count("https://c.example/assets/") == 2
    assert rewrite_asset_urls(INDEX_HTML, "") == INDEX_HTML


@pytest.mark.parametrize(
    "value",
    ["ftp://cdn.example.com", "cdn.example.com", "https://cdn.example.com/?x=1", "https://a b"],
)
def test_bad_cdn_base_url_fails_at_startup(dist: Path, value: str) -> None:
    with pytest.raises(ValueError, match="NOTESTACK_ASSET_BASE_URL"):
        make_app(dist, asset_base_url=value)


def test_csp_without_cdn_is_strict() -> None:
    assert content_security_policy() == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; "
        "base-uri 'self'; form-action 'self'; "
        "object-src 'none'"
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", set()),
        ("gzip, deflate, br, zstd", {"gzip", "deflate", "br", "zstd"}),
        ("br;q=0, gzip", {"gzip"}),
        ("*", {"br", "gzip", "*"}),
        ("*, br;q=0", {"gzip", "*"}),
        ("x-gzip", {"gzip"}),
        ("gzip;q=bad", set()),
    ],
)
def test_accept_encoding_parsing(header: str, expected: set[str]) -> None:
    assert _accepted_encodings(header) == expected
