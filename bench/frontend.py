"""Gzip sizes of the first-load JS and CSS: the assets `frontend/dist/index.html` references."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

_REF = re.compile(r"""<(?:script|link)\b[^>]*?(?:src|href)=["']([^"']+\.(?:js|mjs|css))["']""")


def first_load_assets(dist: Path) -> list[Path]:
    html = (dist / "index.html").read_text(encoding="utf-8")
    found: list[Path] = []
    for ref in _REF.findall(html):
        if "://" in ref or ref.startswith("//"):
            continue
        path = dist / ref.lstrip("/")
        if path.exists() and path not in found:
            found.append(path)
    return found


def measure(dist: Path) -> dict[str, Any]:
    """Raw and gzip -9 sizes (KB = 1024 bytes) of each first-load JS/CSS file and the totals."""
    if not (dist / "index.html").exists():
        return {"error": f"{dist}/index.html missing (make install builds the front end)"}
    files = {}
    totals = {"js": 0, "css": 0}
    raw_total = 0
    for path in first_load_assets(dist):
        data = path.read_bytes()
        gz = len(gzip.compress(data, compresslevel=9, mtime=0))
        kind = "css" if path.suffix == ".css" else "js"
        totals[kind] += gz
        raw_total += len(data)
        files[str(path.relative_to(dist))] = {
            "raw_kb": round(len(data) / 1024, 1),
            "gzip_kb": round(gz / 1024, 1),
        }
    return {
        "files": files,
        "js_gzip_kb": round(totals["js"] / 1024, 1),
        "css_gzip_kb": round(totals["css"] / 1024, 1),
        "total_gzip_kb": round((totals["js"] + totals["css"]) / 1024, 1),
        "total_raw_kb": round(raw_total / 1024, 1),
        "method": "gzip level 9 of each JS/CSS file index.html references (scripts, "
        "stylesheets, modulepreload)",
    }
