"""Text accepted from clients: what every backend can store."""

from __future__ import annotations

import unicodedata
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


# Letters that Unicode does not decompose into a base letter and a mark, folded as PostgreSQL's
# unaccent folds them (its rules), so that "oresund" finds "Øresund", "lodz" finds "Łódź", and
# both databases agree: Danish and Norwegian æ ø, Icelandic ð þ, Polish ł, Croatian đ, Maltese
# ħ, Turkish dotless i (U+0131), French œ, Sami ŋ ŧ.
_UNDECOMPOSED = str.maketrans(
    {
        "æ": "ae",
        "ð": "d",
        "ø": "o",
        "þ": "th",
        "đ": "d",
        "ħ": "h",
        "\u0131": "i",  # dotless i
        "ĸ": "q",
        "ł": "l",
        "ŋ": "n",
        "œ": "oe",
        "ŧ": "t",
    }
)
UNDECOMPOSED_LETTERS = "".join(chr(c) for c in _UNDECOMPOSED)


def fold(text: str) -> str:
    """Text as search and sorting compare it: compatibility forms, no accents, no case.

    The one rule of every comparison that ignores them: search words, highlights, title sort
    keys, and SQLite's full-text index (fed through the SQL function ``notestack_fold``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped.casefold().translate(_UNDECOMPOSED))
