"""NoteStack app instances: the `notestack` console script of the repo's .venv."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from stack.proc import StackError
from stack.topology import REPO_ROOT


def executable() -> str:
    """The repo's `notestack` script (NOTESTACK_BIN overrides)."""
    path = Path(os.environ.get("NOTESTACK_BIN", REPO_ROOT / ".venv" / "bin" / "notestack"))
    if not path.exists():
        raise StackError(f"{path} is missing: run `make install` first")
    return str(path)


def process_env(app_env: dict[str, str]) -> dict[str, str]:
    """Our environment without any NOTESTACK_* of the caller's, plus the instance's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("NOTESTACK_") and key != "PROMETHEUS_MULTIPROC_DIR"
    }
    env.update(app_env)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def migrate(app_env: dict[str, str], timeout: float = 120.0) -> str:
    """`notestack migrate` against the primary named in `app_env`."""
    result = subprocess.run(
        [executable(), "migrate"],
        env=process_env(app_env),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise StackError(f"notestack migrate failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr
