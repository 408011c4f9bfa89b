"""The web client's API types are generated from the API's OpenAPI document: never stale.

`frontend/openapi.json` is a committed snapshot of `notestack openapi`; the TypeScript in
`frontend/src/types/api-schema.ts` and `frontend/src/config/api-constraints.ts` is generated
from it (openapi-typescript). `npm run generate:api` in frontend/ refreshes all three.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from notestack.cli import main as notestack

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
FIX = "run `npm run generate:api` in frontend/ and commit the result"


def test_openapi_snapshot_is_what_the_api_serves(tmp_path: Path) -> None:
    current = tmp_path / "openapi.json"
    assert notestack(["openapi", "--output", str(current)]) == 0
    snapshot = (FRONTEND / "openapi.json").read_text(encoding="utf-8")
    assert snapshot == current.read_text(encoding="utf-8"), f"frontend/openapi.json is stale: {FIX}"


def test_generated_types_are_those_of_the_snapshot() -> None:
    node = shutil.which("node")
    generator = FRONTEND / "node_modules" / "openapi-typescript"
    if node is None or not generator.exists():  # pragma: no cover - depends on the machine
        message = "node or frontend/node_modules is missing: run `make frontend-install`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        [node, "scripts/generate-api.mjs", "--check"],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{result.stderr.strip()}\n{FIX}"
