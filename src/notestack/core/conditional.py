"""HTTP conditional requests: entity tags, If-Match and If-None-Match."""

from __future__ import annotations

import hashlib

from notestack.core.errors import BadRequest


def body_etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def version_etag(version: int) -> str:
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def none_match(if_none_match: str | None, etag: str) -> bool:
    """True when the client's copy is current (answer 304)."""
    if not if_none_match:
        return False
    tags = _tags(if_none_match)
    return "*" in tags or etag in tags


# What If-Match may hold: "*" or a list of (weak or strong) version tags; empty counts as
# absent.
IF_MATCH_PATTERN = r'^[ \t]*(\*|(W/)?"?[0-9]+"?([ \t]*,[ \t]*(W/)?"?[0-9]+"?)*)?[ \t]*$'
MAX_VERSION = 2**31 - 1
_VERSION_DIGITS = len(str(MAX_VERSION))


def expected_versions(if_match: str | None) -> list[int] | None:
    """The versions an If-Match header accepts; ``None`` when any version will do.

    A tag beyond any version a note can reach matches nothing (412), rather than reaching the
    database as an out-of-range integer."""
    if if_match is None or not if_match.strip():
        return None
    versions: list[int] = []
    for tag in _tags(if_match):
        if tag == "*":
            return None
        raw = tag.strip('"')
        if not (raw.isascii() and raw.isdigit()):
            raise BadRequest(
                'If-Match must hold the note\'s ETag, such as "3"',
                errors=[{"field": "If-Match", "message": f"not a note version: {tag[:40]}"}],
            )
        # Longer than any version can be (5,000 digits included): matches nothing, a 412.
        if len(raw.lstrip("0")) <= _VERSION_DIGITS and int(raw) <= MAX_VERSION:
            versions.append(int(raw))
    return versions
