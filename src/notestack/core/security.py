"""Password hashing (argon2id), access tokens (JWT, HS256 pinned) and where a request carries
its token (the one place that reads the Authorization header and the session cookie)."""

from __future__ import annotations

import functools
import os
import secrets
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import bcrypt
import jwt
from anyio import CapacityLimiter, to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.datastructures import Headers
from starlette.requests import cookie_parser

JWT_ALGORITHM = "HS256"
SESSION_ENDED = "This session has ended; sign in again"

# OWASP's first argon2id configuration: m=46 MiB, t=1, p=1.
_hasher = PasswordHasher(time_cost=1, memory_cost=47104, parallelism=1)
# A hash verified when the account does not exist, so both failures take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class PasswordHashing:
    """argon2id in worker threads, at most ``concurrency`` at once in this process.

    Each hash holds 46 MiB while it runs: without a bound, a flood of logins would run one per
    thread of the pool (40) and take a worker from 100 MiB to well over 700 MiB. Requests past
    the bound wait their turn instead.
    """

    def __init__(self, concurrency: int = 0) -> None:
        self._limiter = CapacityLimiter(concurrency or os.cpu_count() or 1)

    async def hash(self, password: str) -> str:
        return await to_thread.run_sync(
            _hasher.hash, normalize_password(password), limiter=self._limiter
        )

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Always does the work of one verification, whether or not there is a hash. A
        bcrypt hash (accounts migrated from the original NoteStack) is verified as bcrypt."""
        if password_hash is not None and password_hash.startswith(BCRYPT_PREFIXES):
            return await to_thread.run_sync(
                _verify_bcrypt, password_hash, password, limiter=self._limiter
            )
        return await to_thread.run_sync(
            _verify, password_hash, normalize_password(password), limiter=self._limiter
        )

    def needs_rehash(self, password_hash: str) -> bool:
        """True for anything but argon2id with today's parameters (bcrypt included)."""
        try:
            return _hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True


def normalize_password(password: str) -> str:
    """NFC, so the same password typed on two keyboards (é as one code point or as e + ́)
    is the same password."""
    return unicodedata.normalize("NFC", password)


BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
BCRYPT_MAX_BYTES = 72


def _verify_bcrypt(password_hash: str, password: str) -> bool:
    """As the original NoteStack (Node's bcrypt) checked it: the password as typed, of which
    bcrypt only ever read the first 72 bytes."""
    try:
        secret = password.encode("utf-8")[:BCRYPT_MAX_BYTES]
        return bool(bcrypt.checkpw(secret, password_hash.encode("ascii")))
    except (ValueError, UnicodeEncodeError):
        return False


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: uuid.UUID
    jti: str
    expires_at: datetime


class InvalidTokenError(Exception):
    """The token is missing, malformed, tampered with, expired or revoked."""


# Tokens whose signature and claims this process verified, remembered (least recently used
# out first) so that a client's every request does not pay the HMAC and two JSON parses again.
VERIFIED_TOKENS_KEPT = 4096


class TokenCodec:
    def __init__(self, secret_key: str, lifetime_seconds: int) -> None:
        self._key = secret_key
        self.lifetime = timedelta(seconds=lifetime_seconds)
        # Only what verified is kept (a raised error is not), keyed by the token's exact text.
        self._verified = functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)(self._verify)

    def issue(self, user_id: uuid.UUID) -> tuple[str, TokenClaims]:
        now = datetime.now(UTC).replace(microsecond=0)
        claims = TokenClaims(
            user_id=user_id, jti=secrets.token_hex(16), expires_at=now + self.lifetime
        )
        payload = {
            "sub": str(user_id),
            "jti": claims.jti,
            "iat": int(now.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
        }
        return jwt.encode(payload, self._key, algorithm=JWT_ALGORITHM), claims

    def decode(self, token: str) -> TokenClaims:
        """Claims of a token this server signed that is still valid; anything else (a forged,
        expired or malformed token, or claims no clock can hold) raises InvalidTokenError.
        (Revocation is not the codec's business: see auth/revocation.py.)"""
        claims = self._verified(token)
        # PyJWT's rule, applied again on every use of a remembered token.
        if claims.expires_at <= datetime.now(UTC):
            raise InvalidTokenError("Signature has expired")
        return claims

    def _verify(self, token: str) -> TokenClaims:
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[JWT_ALGORITHM],
                options={"require": ["exp", "iat", "sub", "jti"]},
            )
            jti = payload["jti"]
            if not isinstance(jti, str) or not 0 < len(jti) <= 64:
                raise ValueError("jti must be a short string")
            return TokenClaims(
                user_id=uuid.UUID(str(payload["sub"])),
                jti=jti,
                expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
            )
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError, OSError) as exc:
            raise InvalidTokenError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class Credentials:
    token: str
    source: Literal["bearer", "cookie"]


def request_credentials(headers: Headers, cookie_name: str) -> Credentials | None:
    """The token a request carries: an ``Authorization: Bearer`` header, else the session
    cookie. (Another Authorization scheme, such as Basic from a proxy in front, is not ours
    and is ignored.) The CSRF guard, the read shortcut and the auth dependencies all
    ask here, so they never disagree about which token a request uses."""
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    token = value.strip()
    if scheme.lower() == "bearer" and token:
        return Credentials(token, "bearer")
    cookie = headers.get("cookie")
    if not cookie:
        return None
    token = cookie_parser(cookie).get(cookie_name, "")
    return Credentials(token, "cookie") if token else None
