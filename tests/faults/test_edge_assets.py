"""The web client through the real edge (`make stack`): index.html and its hashed assets come
from an instance, by the app's one rule (brotli when asked, immutable), and nginx keeps each
asset's answer after the first request (X-Cache-Status)."""

from __future__ import annotations

import re

import httpx
from stack.cluster import RunningStack

ASSET = re.compile(r"""(?:src|href)=["'](/assets/[^"']+\.js)["']""")


def test_the_web_client_loads_through_the_edge(stack: RunningStack) -> None:
    with httpx.Client(base_url=stack.base_url, timeout=10) as http:
        page = http.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        found = ASSET.search(page.text)
        assert found, page.text[:500]
        path = found.group(1)
        answers = [http.get(path, headers={"Accept-Encoding": "br, gzip"}) for _ in range(2)]
        plain = http.get(path, headers={"Accept-Encoding": "identity"})
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["content-encoding"] == "br"
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert answer.headers["x-request-id"]
    assert [a.headers["x-cache-status"] for a in answers] == ["MISS", "HIT"]
    assert answers[0].content == answers[1].content
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.headers["x-cache-status"] == "MISS"  # a variant of its own (Vary)
