"""The nginx template, rendered and checked by a real nginx: `nginx -t`, then a running nginx
in front of two tiny stdlib upstreams for the behaviour the config promises (retries only
for idempotent requests, request ids, client address, static assets, limits)."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from stack import compose, nginx
from stack.proc import Managed, StackError, free_port, wait_http_ok
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
        "zone notestack_app",
        "max_fails=1 fail_timeout=5s max_conns=48;",
        "proxy_next_upstream error timeout http_502;",
        "worker_connections 8192;",
        "worker_rlimit_nofile 17408;",
        "backlog=4096",
        "keepalive 64;",
        "limit_req zone=notestack_api burst=400 nodelay;",
        "limit_conn notestack_api_conn 128;",
        "rate=200r/s",
        "error_page 502 504 = @unavailable;",
        "buffer=64k flush=1s",
        "proxy_next_upstream_tries 3;",
        "proxy_connect_timeout 1s;",
        'proxy_set_header Connection "";',
        "proxy_http_version 1.1;",
        "proxy_cache notestack_assets;",
        "client_max_body_size 1m;",
        "limit_req zone=notestack_auth burst=10 nodelay;",
        "rate=30r/m",
        "location ~ ^/api/v1/auth/(login|register)/?$",
    ):
        assert needle in text, needle
    assert "non_idempotent" not in text.replace("(non_idempotent stays off)", "")
    assert "max_conns=48;" in text  # 48 per worker of the instance
    bounded = nginx.render(
        nginx.NginxConfig(
            listen="127.0.0.1:1",
            upstreams=("127.0.0.1:8101",),
            prefix=tmp_path / "other",
            app_workers=2,
        )
    )
    assert "max_fails=1 fail_timeout=5s max_conns=96;" in bounded
    unbounded = nginx.render(
        nginx.NginxConfig(
            listen="127.0.0.1:1",
            upstreams=("127.0.0.1:8101",),
            prefix=tmp_path / "third",
            limits=nginx.EdgeLimits(max_conns_per_worker=0),
        )
    )
    assert " max_conns=" not in unbounded
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
    delay: float = 0.0  # seconds before answering
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
                if owner.delay:
                    time.sleep(owner.delay)
                if self.path.startswith("/assets/"):  # as web/frontend.py answers them
                    encoding = self.headers.get("Accept-Encoding", "")
                    body = f"console.log({encoding!r}, {owner.name!r});".encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/javascript")
                    self.send_header("Cache-Control", "public, max-age=31536000, immutable")
                    self.send_header("Vary", "Accept-Encoding")
                else:
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
    conf: Path


@contextmanager
def running_edge(ups: list[Upstream], dead: int | None = None, **settings: Any) -> Iterator[Edge]:
    """nginx from the template in front of `ups` (and a dead port first, when given)."""
    # Not under pytest's tmp_path: that is private (0700) and nginx workers run as nobody.
    tmp = Path(tempfile.mkdtemp(prefix="notestack-edge-"))
    tmp.chmod(0o755)
    ports = [u.start() for u in ups]
    port = free_port()
    cfg = nginx.NginxConfig(
        listen=f"127.0.0.1:{port}",
        upstreams=tuple(f"127.0.0.1:{p}" for p in ([dead] if dead else []) + ports),
        prefix=tmp / "nginx",
        worker_processes="1",
        **settings,
    )
    conf = nginx.write(cfg)
    nginx.check(cfg, conf)
    proc = Managed("nginx", nginx.argv(cfg, conf), log_path=tmp / "nginx.out").start()
    try:
        wait_http_ok(f"http://127.0.0.1:{port}{NGINX_HEALTH_PATH}", 15, alive=proc.alive)
        yield Edge(f"http://127.0.0.1:{port}", ups, dead or 0, conf)
    finally:
        proc.stop(5)
        for up in ups:
            up.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def edge() -> Iterator[Edge]:
    with running_edge(
        [Upstream("up1"), Upstream("up2")],
        dead=free_port(),  # nothing listens here: an instance that is down
        max_fails=0,  # keep every server in rotation so each test sees the same picture
        auth_rate="5r/s",
        auth_burst=5,
    ) as running:
        yield running


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


def test_an_instances_503_reaches_the_client(edge: Edge, client: httpx.Client) -> None:
    """A 503 is the instance's answer (busy, or the database changing leaders), with its
    Retry-After: passed on, not retried elsewhere (every instance would say the same)."""
    edge.ups[0].status = 503
    answers = [client.get("/api/v1/note") for _ in range(8)]
    assert {r.status_code for r in answers} == {200, 503}
    for response in answers:
        if response.status_code == 503:
            assert response.json() == {"upstream": "up1"}


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


def test_static_assets_come_from_the_app_once_per_variant(edge: Edge, client: httpx.Client) -> None:
    """nginx keeps the app's answer for an asset (its headers unchanged) and serves it from
    then on; each Accept-Encoding is a variant of its own (the app's Vary)."""

    def fetches() -> int:
        return sum(1 for up in edge.ups for r in up.seen if r["path"] == path)

    path = f"/assets/app-{time.monotonic_ns()}.js"
    for encoding in ("gzip", "gzip", "br, gzip", "gzip"):
        response = client.get(path, headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["content-type"] == "application/javascript"
        assert response.headers["x-request-id"]
        assert repr(encoding).encode() in response.content  # the variant asked for
    assert fetches() == 2, "one fetch per Accept-Encoding, then nginx's copy"


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


# -- overload: what nginx answers by itself ------------------------------------------------
def test_instances_answering_503_stay_in_rotation() -> None:
    """Production's max_fails: every instance answering 503 (the database changing leaders)
    must not make nginx take them all out for fail_timeout and answer 502s of its own."""
    ups = [Upstream("up1", status=503), Upstream("up2", status=503)]
    with running_edge(ups) as edge, httpx.Client(base_url=edge.url, timeout=10) as client:
        during = [client.get("/api/v1/note") for _ in range(10)]
        assert {r.status_code for r in during} == {503}
        assert all("upstream" in r.json() for r in during)  # the instances' own answers
        for up in ups:
            up.status = 200
        after = [client.get("/api/v1/note").status_code for _ in range(6)]
        assert after == [200] * 6  # at once, not after fail_timeout


def test_no_instance_able_to_answer_is_a_json_503() -> None:
    with (
        running_edge([Upstream("up1")], dead=free_port()) as edge,
        httpx.Client(base_url=edge.url, timeout=10) as client,
    ):
        edge.ups[0].stop()  # now every instance is down
        response = client.get("/api/v1/note")
        assert response.status_code == 503
        assert response.json() == {
            "success": False,
            "message": "The service is busy or restarting; try again in a moment",
            "errors": [],
        }
        assert response.headers["retry-after"] == "2"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-request-id"]


def _concurrently(calls: list[Any]) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_saturated_instances_get_no_more_than_max_conns() -> None:
    ups = [Upstream("up1", delay=1.0)]
    limits = nginx.EdgeLimits(max_conns_per_worker=2, api_conn_per_ip=100)
    with running_edge(ups, limits=limits) as edge:
        started = time.monotonic()
        answers = _concurrently(
            [lambda: httpx.get(edge.url + "/api/v1/note", timeout=10) for _ in range(6)]
        )
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [200, 200, 503, 503, 503, 503]
        shed = [r for r in answers if r.status_code == 503]
        assert all(r.json()["success"] is False and r.headers["retry-after"] for r in shed)
        assert all(r.elapsed.total_seconds() < 0.5 for r in shed)  # at once, not queued
        assert time.monotonic() - started < 3


def test_per_address_limits_answer_429_and_spare_other_addresses() -> None:
    ups = [Upstream("up1", delay=1.0)]
    limits = nginx.EdgeLimits(api_conn_per_ip=2, api_rate_per_ip="5r/s", api_burst_per_ip=10)
    with running_edge(ups, limits=limits) as edge:

        def get(source: str) -> httpx.Response:
            transport = httpx.HTTPTransport(local_address=source)
            with httpx.Client(transport=transport, timeout=10) as client:
                return client.get(edge.url + "/api/v1/note")

        answers = _concurrently(
            [lambda: get("127.0.0.1") for _ in range(5)] + [lambda: get("127.0.0.2")]
        )
        mine, other = answers[:5], answers[5]
        assert sorted(r.status_code for r in mine) == [200, 200, 429, 429, 429]
        refused = next(r for r in mine if r.status_code == 429)
        assert refused.json() == {
            "success": False,
            "message": "Too many requests; try again shortly",
            "errors": [],
        }
        assert refused.headers["retry-after"] == "1"
        assert other.status_code == 200  # another address is not held back
        # The request rate: past the burst, refused at once.
        ups[0].delay = 0.0
        with httpx.Client(base_url=edge.url, timeout=10) as client:
            rapid = [client.get("/api/v1/note").status_code for _ in range(40)]
        assert 429 in rapid and rapid[0] == 200
        # Event streams do not count as requests in progress (they stay open for long).
        assert "limit_conn" not in _location_block(edge, "location = /api/v1/events")


def test_one_credential_on_many_addresses_is_bounded_and_spares_others() -> None:
    """Requests in progress per credential, whatever address they come from: the bearer
    token and the session cookie (either name) are keyed by the end of their signature."""
    ups = [Upstream("up1", delay=1.0)]
    limits = nginx.EdgeLimits(api_conn_per_ip=100, api_conn_per_credential=2)
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0." + "s" * 300  # longer than nginx's key bound
    other = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIyIn0.b3RoZXJzaWduYXR1cmU"
    with running_edge(ups, limits=limits) as edge:

        def get(source: str, headers: dict[str, str]) -> httpx.Response:
            transport = httpx.HTTPTransport(local_address=source)
            with httpx.Client(transport=transport, timeout=10) as client:
                return client.get(edge.url + "/api/v1/note", headers=headers)

        bearer = {"Authorization": f"Bearer {token}"}
        answers = _concurrently(
            [lambda i=i: get(f"127.0.0.{i + 1}", bearer) for i in range(4)]
            + [lambda: get("127.0.0.9", {"Authorization": f"Bearer {other}"})]
            + [lambda: get("127.0.0.10", {})]
        )
        assert sorted(r.status_code for r in answers[:4]) == [200, 200, 429, 429]
        assert [r.status_code for r in answers[4:]] == [200, 200]
        for cookie in (f"AccessToken={other}", f"theme=dark; __Host-AccessToken={other}; x=1"):
            headers = {"Cookie": cookie}
            cookies = _concurrently([lambda h=headers: get("127.0.0.1", h) for _ in range(3)])
            assert sorted(r.status_code for r in cookies) == [200, 200, 429]


def _location_block(edge: Edge, header: str) -> str:
    text = edge.conf.read_text(encoding="utf-8")
    start = text.index(header)
    return text[start : text.index("}", start)]


def test_edge_limits_from_the_environment() -> None:
    limits = nginx.EdgeLimits.from_env(
        {
            "NOTESTACK_STACK_EDGE_WORKER_CONNECTIONS": "20000",
            "NOTESTACK_STACK_EDGE_API_RATE_PER_IP": "50r/s",
            "NOTESTACK_STACK_EDGE_MAX_CONNS_PER_WORKER": "64",
        }
    )
    assert (limits.worker_connections, limits.rlimit_nofile) == (20000, 41024)
    assert (limits.api_rate_per_ip, limits.max_conns_per_worker) == ("50r/s", 64)
    assert limits.api_conn_per_ip == nginx.EdgeLimits().api_conn_per_ip
    for bad in (
        {"NOTESTACK_STACK_EDGE_BACKLOG": "lots"},
        {"NOTESTACK_STACK_EDGE_API_RATE_PER_IP": "fast"},
        {"NOTESTACK_STACK_EDGE_API_CONN_PER_CREDENTIAL": "0"},
    ):
        with pytest.raises(StackError):
            nginx.EdgeLimits.from_env(bad)
