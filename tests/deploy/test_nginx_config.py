"""The nginx template, rendered and checked by a real nginx: `nginx -t`, then a running nginx
in front of two tiny stdlib upstreams for the behaviour the config promises (retries only
for idempotent requests, request ids, client address, static assets, limits)."""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from stack import compose, nginx
from stack.proc import Managed, free_port, wait_http_ok
from stack.system import ensure
from stack.topology import NGINX_HEALTH_PATH


@pytest.fixture(scope="module", autouse=True)
def nginx_installed() -> None:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        ensure(quiet=True)  # apt-get install when missing (root), else a clear failure


def _check(cfg: nginx.NginxConfig, text: str | None = None) -> str:
    conf = nginx.write(cfg)
    if text is not None:
        conf.write_text(text, encoding="utf-8")
    return nginx.check(cfg, conf)


def test_stack_config_passes_nginx_t(tmp_path: Path) -> None:
    cfg = nginx.NginxConfig(
        listen=f"127.0.0.1:{free_port()}",
        upstreams=("127.0.0.1:8101", "127.0.0.1:8102", "127.0.0.1:8103"),
        prefix=tmp_path / "nginx",
    )
    assert "test is successful" in _check(cfg)
    text = nginx.render(cfg)
    for needle in (
        "keepalive 32;",
        "zone notestack_app",
        "max_fails=1 fail_timeout=5s",
        "proxy_next_upstream error timeout http_502 http_503;",
        "proxy_next_upstream_tries 3;",
        "proxy_connect_timeout 1s;",
        'proxy_set_header Connection "";',
        "proxy_http_version 1.1;",
        "gzip_static on;",
        "immutable",
        "client_max_body_size 1m;",
        "limit_req zone=notestack_auth burst=10 nodelay;",
        "rate=30r/m",
        "location ~ ^/api/v1/auth/(login|register)/?$",
    ):
        assert needle in text, needle
    assert "non_idempotent" not in text.replace("(non_idempotent stays off)", "")
    assert "set_real_ip_from" not in text  # no trusted proxies unless configured


def test_trusted_proxies_config_passes_nginx_t(tmp_path: Path) -> None:
    cfg = nginx.NginxConfig(
        listen=f"127.0.0.1:{free_port()}",
        upstreams=("127.0.0.1:8101",),
        prefix=tmp_path / "nginx",
        trusted_proxies=("10.1.0.0/16", "192.0.2.7"),
    )
    _check(cfg)
    text = nginx.render(cfg)
    assert "set_real_ip_from 10.1.0.0/16;" in text and "set_real_ip_from 192.0.2.7;" in text
    with pytest.raises(ValueError):
        nginx.render(
            nginx.NginxConfig(
                listen="1", upstreams=("a:1",), prefix=tmp_path, trusted_proxies=("nonsense",)
            )
        )


def test_compose_config_passes_nginx_t(tmp_path: Path) -> None:
    """The container's config, with service names pointed at loopback so nginx can resolve."""
    text = compose.render_nginx()
    for i in range(3):
        text = text.replace(f"server app{i + 1}:", "server 127.0.0.1:")
    text = text.replace("listen 8080;", f"listen 127.0.0.1:{free_port()};")
    text = text.replace("pid /tmp/nginx.pid;", f"pid {tmp_path}/nginx.pid;")
    text = text.replace("_temp_path /tmp/", f"_temp_path {tmp_path}/")
    cfg = nginx.NginxConfig(listen="x", upstreams=("x",), prefix=tmp_path)
    _check(cfg, text)


# -- a running nginx ----------------------------------------------------------------------
@dataclass
class Upstream:
    """A stdlib HTTP server that records what reaches it and answers as told."""

    name: str
    status: int = 200
    seen: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def start(self) -> int:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                owner.seen.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers)}
                )
                body = json.dumps({"upstream": owner.name}).encode()
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Instance", owner.name)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = _answer

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return int(self.server.server_address[1])

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@dataclass
class Edge:
    url: str
    ups: list[Upstream]
    dead_port: int


@pytest.fixture(scope="module")
def edge() -> Iterator[Edge]:
    # Not under pytest's tmp_path: that is private (0700) and nginx workers run as nobody.
    tmp = Path(tempfile.mkdtemp(prefix="notestack-edge-"))
    tmp.chmod(0o755)
    dist = tmp / "dist"
    (dist / "assets").mkdir(parents=True)
    js = b"console.log('notestack');\n" * 200
    (dist / "assets" / "app-abc123.js").write_bytes(js)
    (dist / "assets" / "app-abc123.js.gz").write_bytes(gzip.compress(js))
    for path in [tmp, dist, dist / "assets", *(dist / "assets").iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    ups = [Upstream("up1"), Upstream("up2")]
    ports = [u.start() for u in ups]
    dead = free_port()  # nothing listens here: an instance that is down
    port = free_port()
    cfg = nginx.NginxConfig(
        listen=f"127.0.0.1:{port}",
        upstreams=tuple(f"127.0.0.1:{p}" for p in [dead, *ports]),
        prefix=tmp / "nginx",
        static_root=dist,
        worker_processes="1",
        max_fails=0,  # keep every server in rotation so each test sees the same picture
        auth_rate="5r/s",
        auth_burst=5,
    )
    conf = nginx.write(cfg)
    nginx.check(cfg, conf)
    proc = Managed("nginx", nginx.argv(cfg, conf), log_path=tmp / "nginx.out").start()
    try:
        wait_http_ok(f"http://127.0.0.1:{port}{NGINX_HEALTH_PATH}", 15, alive=proc.alive)
        yield Edge(f"http://127.0.0.1:{port}", ups, dead)
    finally:
        proc.stop(5)
        for up in ups:
            up.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def client(edge: Edge) -> Iterator[httpx.Client]:
    for up in edge.ups:
        up.status = 200
        up.seen.clear()
    with httpx.Client(base_url=edge.url, timeout=10) as c:
        yield c


def test_get_survives_a_dead_instance(edge: Edge, client: httpx.Client) -> None:
    statuses = [client.get(f"/api/v1/note/{i}").status_code for i in range(12)]
    assert statuses == [200] * 12


def test_post_is_retried_only_when_it_never_reached_an_instance(
    edge: Edge, client: httpx.Client
) -> None:
    # Refused connections: the POST was never sent, so the next server gets it.
    statuses = [client.post("/api/v1/note/create", json={}).status_code for _ in range(6)]
    assert statuses == [200] * 6
    # An instance that received the POST and failed: nginx must not send it again.
    for up in edge.ups:
        up.status = 503
    response = client.post("/api/v1/note/create", json={})
    assert response.status_code == 503
    posts = [s for up in edge.ups for s in up.seen if s["method"] == "POST"]
    assert len(posts) == 6 + 1


def test_get_is_retried_on_503(edge: Edge, client: httpx.Client) -> None:
    edge.ups[0].status = 503
    for _ in range(6):
        response = client.get("/api/v1/note")
        assert response.status_code == 200
        assert response.headers["x-instance"] == "up2"


def test_request_id(edge: Edge, client: httpx.Client) -> None:
    made = client.get("/readyz")
    rid = made.headers["x-request-id"]
    assert len(rid) == 32
    assert any(s["headers"].get("X-Request-ID") == rid for up in edge.ups for s in up.seen)
    kept = client.get("/readyz", headers={"X-Request-ID": "abc-123.x"})
    assert kept.headers["x-request-id"] == "abc-123.x"
    assert kept.headers.get_list("x-request-id") == ["abc-123.x"]
    replaced = client.get("/readyz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"


def test_client_address_is_not_spoofable(edge: Edge, client: httpx.Client) -> None:
    client.get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"})
    headers = next(s["headers"] for up in edge.ups for s in up.seen if s["path"] == "/whoami")
    assert headers["X-Forwarded-For"] == "127.0.0.1"
    assert headers["X-Real-IP"] == "127.0.0.1"
    assert headers.get("Connection", "") != "close"  # keep-alive to the upstream


def test_static_assets(client: httpx.Client) -> None:
    response = client.get("/assets/app-abc123.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "immutable" in response.headers["cache-control"]
    assert response.headers["content-type"] == "application/javascript"
    assert b"notestack" in response.content
    assert client.get("/assets/missing.js").status_code == 404


def test_body_limit(client: httpx.Client) -> None:
    response = client.post("/api/v1/note/create", content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413


def test_auth_rate_limit(client: httpx.Client) -> None:
    statuses = [client.post("/api/v1/auth/login", json={}).status_code for _ in range(20)]
    assert 429 in statuses and statuses[0] != 429
    refused = client.post("/api/v1/auth/register", json={})
    assert refused.status_code == 429
    assert refused.json()["success"] is False and int(refused.headers["retry-after"]) >= 1
    # Reading the profile is not signing in: never braked by this zone.
    assert all(client.get("/api/v1/auth/profile").status_code != 429 for _ in range(20))
