"""core/security.py: access tokens, verified once per process and still refused once expired."""

from __future__ import annotations

import time
import uuid

import pytest

from notestack.core.security import InvalidTokenError, TokenCodec

SECRET = "a-test-secret-that-is-long-enough-0123456789abcdef"


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    codec = TokenCodec(SECRET, lifetime_seconds=1)
    user = uuid.uuid4()
    token, issued = codec.issue(user)
    assert codec.decode(token) == issued  # verified, and remembered
    time.sleep(max(0.0, issued.expires_at.timestamp() - time.time()) + 0.05)
    with pytest.raises(InvalidTokenError):
        codec.decode(token)


def test_only_what_verified_is_remembered() -> None:
    codec = TokenCodec(SECRET, lifetime_seconds=600)
    token, _ = codec.issue(uuid.uuid4())
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    for _ in range(2):  # a second try is verified again, and refused again
        with pytest.raises(InvalidTokenError):
            codec.decode(forged)
    other = TokenCodec(SECRET + "-other", lifetime_seconds=600)
    with pytest.raises(InvalidTokenError):
        other.decode(token)  # each codec remembers its own verifications only
