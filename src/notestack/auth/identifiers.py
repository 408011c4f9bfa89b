"""Emails and usernames as people type them, and as the service compares them.

Two spellings a person would call the same must never be two accounts: ``case@x.com`` typed
in full-width letters (U+FF43 ...) and ``case@x.com``; ``Carol Jones`` and ``carol  JONES``.
"""

from __future__ import annotations

import re
import unicodedata

USERNAME_MIN = 3
USERNAME_MAX = 30
# Control, format (zero-width and direction marks), unassigned, private-use and surrogate
# code points, and line/paragraph separators: invisible or unprintable in a name.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp"})
_SPACES = re.compile(r"\s+")


def normalize_email(value: str) -> str:
    """Compatibility-fold (full-width letters become ASCII), trim, lower-case."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def clean_username(value: str) -> str:
    """The username as shown: NFC, trimmed, every run of spaces one ASCII space.

    Raises ValueError for a character nobody could see or type on purpose."""
    refused = sorted({c for c in value if unicodedata.category(c) in _REFUSED_CATEGORIES})
    if refused:
        names = ", ".join(f"U+{ord(c):04X}" for c in refused[:3])
        raise ValueError(f"must contain only visible characters (found {names})")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def username_key(username: str) -> str:
    """What two usernames must differ in to be different: not case, width or spacing."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())
    return _SPACES.sub(" ", folded).strip()
