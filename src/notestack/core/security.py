"""Password hashing (argon2id) and access tokens (JWT, HS256 pinned)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

JWT_ALGORITHM = "HS256"
SESSION_ENDED = "This session has ended; sign in again"

# OWASP's first argon2id configuration: m=46 MiB, t=1, p=1.
_hasher = PasswordHasher(time_cost=1, memory_cost=47104, parallelism=1)
# A hash verified when the account does not exist, so both failures take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
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


class TokenCodec:
    def __init__(self, secret_key: str, lifetime_seconds: int) -> None:
        self._key = secret_key
        self.lifetime = timedelta(seconds=lifetime_seconds)

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
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[JWT_ALGORITHM],
                options={"require": ["exp", "iat", "sub", "jti"]},
            )
            return TokenClaims(
                user_id=uuid.UUID(str(payload["sub"])),
                jti=str(payload["jti"]),
                expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise InvalidTokenError(str(exc)) from exc
