"""Text accepted from clients: what every backend can store."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def storable(value: str) -> str:
    """Refuse what a database cannot store, on every backend alike: U+0000 (PostgreSQL text
    cannot hold it) and lone surrogates (JSON escapes such as "\\ud800", not UTF-8)."""
    if "\x00" in value:
        raise ValueError("must not contain the NUL character (U+0000)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (no unpaired surrogates)") from None
    return value


StoredText = Annotated[str, AfterValidator(storable)]
