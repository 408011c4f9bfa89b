"""Text accepted from clients: what every backend can store."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field


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


# The JSON Schema of such text says what it may not contain (NUL; lone surrogates cannot be
# valid JSON strings anyway), so generated clients and fuzzers know.
NO_NUL_PATTERN = r"^[^\x00]*$"
StoredText = Annotated[
    str, AfterValidator(storable), Field(json_schema_extra={"pattern": NO_NUL_PATTERN})
]
