"""Render nginx.conf.template for chosen ports: a thin front for `python -m stack render-nginx`.

    python deploy/nginx/render.py --listen 127.0.0.1:8080 --upstream 127.0.0.1:8101 \\
        --upstream 127.0.0.1:8102 --prefix /tmp/edge --output /tmp/edge/nginx.conf
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stack.__main__ import main

if __name__ == "__main__":
    raise SystemExit(main(["render-nginx", *sys.argv[1:]]))
