"""What makes a password acceptable (OWASP ASVS V6): long enough, not common or guessable, and
not built from the account's own name or email. Guessability comes from zxcvbn, which knows
common passwords, keyboard patterns, repeats, dates and dictionary words."""

from __future__ import annotations

import unicodedata

from zxcvbn import zxcvbn

MIN_SCORE = 2  # zxcvbn: 0-1 fall to an online attack in hours; 2 needs ~10^8 guesses
ZXCVBN_MAX_CHARS = 72  # what zxcvbn looks at; anything longer is judged by its first 72
_MIN_PART = 3


def password_problem(password: str, *, username: str, email: str) -> str | None:
    """Why ``password`` is refused, in words for the person choosing it; None when it is fine."""
    folded = unicodedata.normalize("NFKC", password).casefold()
    local_part = email.partition("@")[0]
    for label, part in (("username", username), ("email address", local_part)):
        part = unicodedata.normalize("NFKC", part).casefold().strip()
        if len(part) >= _MIN_PART and part in folded:
            return f"must not contain your {label}"
    result = zxcvbn(password[:ZXCVBN_MAX_CHARS], user_inputs=[username, email, local_part])
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    reason = feedback.get("warning") or "This password is easy to guess."
    hint = (feedback.get("suggestions") or ["Use a few uncommon words together."])[0]
    return f"is too easy to guess: {reason.rstrip('.')}. {hint}"
