"""Values the server hands out and takes back unchanged (list cursors): signed, so a forged or
altered one is refused cleanly before anything parses what it holds."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

SIGNATURE_BYTES = 16


class BadSignature(ValueError):
    """Not a value this server signed for this purpose."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not text.isascii():
        raise BadSignature("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadSignature("not base64url") from exc


class Signer:
    """HMAC-SHA256 under a key derived from the server's secret and a purpose, so a value
    signed for one purpose is never accepted for another."""

    def __init__(self, secret_key: str, purpose: str) -> None:
        self._key = hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).digest()

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]

    def sign(self, payload: bytes) -> str:
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def unsign(self, token: str) -> bytes:
        payload_text, dot, signature_text = token.partition(".")
        if not dot:
            raise BadSignature("unsigned")
        payload, signature = _unb64(payload_text), _unb64(signature_text)
        if not hmac.compare_digest(self._mac(payload), signature):
            raise BadSignature("signature mismatch")
        return payload
