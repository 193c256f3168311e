"""The back office's static files (oms.css, htmx), served from the package with no CDN.

A file's URL carries a hash of its content, so browsers may keep it for a year and still
never run yesterday's copy.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

STATIC = Path(__file__).parent / "static"
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
FOREVER = "public, max-age=31536000, immutable"

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=16)
def _file(name: str) -> tuple[bytes, str] | None:
    """The file's bytes and the first 10 hex digits of its SHA-256, if it may be served."""
    path = STATIC / name
    if "/" in name or path.suffix not in _TYPES or not path.is_file():
        return None
    body = path.read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:10]


def url(name: str) -> str:
    found = _file(name)
    if found is None:
        raise LookupError(f"no static file {name!r}")
    return f"/static/{name}?v={found[1]}"


@router.get("/static/{name}")
def static_file(name: str, v: str = "") -> Response:
    found = _file(name)
    if found is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    body, digest = found
    headers = {
        "Cache-Control": FOREVER if v == digest else "no-cache",
        "X-Content-Type-Options": "nosniff",
        "ETag": f'"{digest}"',
    }
    return Response(body, media_type=_TYPES[Path(name).suffix], headers=headers)
