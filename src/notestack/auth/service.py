"""Account rules: registration, credentials, token revocation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from anyio import to_thread
from sqlalchemy.exc import IntegrityError

from notestack.auth import repository
from notestack.auth.guard import SignInGuard
from notestack.auth.identifiers import username_key
from notestack.auth.models import User
from notestack.auth.passwords import password_problem
from notestack.auth.revocation import RevocationList
from notestack.auth.schemas import LoginIn, RegisterIn
from notestack.core.database import ReadSession, WriteSession
from notestack.core.errors import Conflict, Unauthorized, Unprocessable
from notestack.core.security import (
    InvalidTokenError,
    PasswordHashing,
    TokenClaims,
    TokenCodec,
)

INVALID_CREDENTIALS = "Invalid email or password"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is calling: the verified, unrevoked claims of their token."""

    user_id: uuid.UUID
    jti: str
    expires_at: datetime


async def register(
    session: WriteSession,
    data: RegisterIn,
    hashing: PasswordHashing,
    guard: SignInGuard,
    client: str,
) -> User:
    await guard.before_signup(client)
    problem = await to_thread.run_sync(
        lambda: password_problem(data.password, username=data.username, email=data.email)
    )
    if problem:
        raise Unprocessable(
            f"Invalid input: password: {problem}",
            errors=[{"field": "password", "message": problem}],
        )
    # Hash before looking for a clash, so that a taken email answers no faster than a new one.
    password_hash = await hashing.hash(data.password)
    key = username_key(data.username)
    conflicts = await repository.find_conflicts(session, key, data.email)
    _raise_for_conflicts(conflicts, key, data.email)
    user = User(
        username=data.username,
        username_key=key,
        email=data.email,
        name=data.name or data.username,
        password_hash=password_hash,
    )
    try:
        async with session.begin_nested():
            user = await repository.add(session, user)
    except IntegrityError as exc:
        conflicts = await repository.find_conflicts(session, key, data.email)
        _raise_for_conflicts(conflicts, key, data.email)
        raise Conflict("Username or email is already registered") from exc
    session.record_change(user.id)
    return user


def _raise_for_conflicts(conflicts: list[User], key: str, email: str) -> None:
    errors = []
    if any(user.email == email for user in conflicts):
        errors.append({"field": "email", "message": "is already registered"})
    if any(user.username_key == key for user in conflicts):
        errors.append({"field": "username", "message": "is already taken"})
    if errors:
        message = " and ".join(f"{e['field']} {e['message']}" for e in errors)
        raise Conflict(message[0].upper() + message[1:], errors=errors)


async def authenticate(
    session: ReadSession,
    writer: WriteSession,
    data: LoginIn,
    hashing: PasswordHashing,
    guard: SignInGuard,
    client: str,
) -> User:
    """The account these credentials open. A password kept under an older scheme (bcrypt,
    from the original NoteStack) is stored again as argon2id the first time it is used."""
    await guard.before_login(client, data.email)
    user = await repository.get_by_email(session, data.email)
    # The verification may wait for a turn at the hasher and then runs for tens of
    # milliseconds: give the pooled connection back first (the account stays loaded, detached),
    # or a flood of sign-ins holds every connection and other requests time out waiting.
    await session.close()
    valid = await hashing.verify(user.password_hash if user else None, data.password)
    if user is None or not valid:
        await guard.login_failed(data.email)
        raise Unauthorized(INVALID_CREDENTIALS)
    await guard.login_succeeded(data.email)
    if hashing.needs_rehash(user.password_hash):
        await repository.set_password_hash(writer, user.id, await hashing.hash(data.password))
        writer.record_change(user.id)
    return user


def issue_token(codec: TokenCodec, user: User) -> tuple[str, TokenClaims]:
    return codec.issue(user.id)


def verify_token(codec: TokenCodec, token: str | None) -> TokenClaims:
    if not token:
        raise Unauthorized("Authentication required")
    try:
        return codec.decode(token)
    except InvalidTokenError as exc:
        raise Unauthorized("Invalid or expired token") from exc


async def revoke(session: WriteSession, revocations: RevocationList, identity: Identity) -> None:
    revocations.revoke(session, identity.jti, identity.expires_at)
    await repository.revoke_token(session, identity.jti, identity.expires_at)
    await repository.purge_expired_revocations(session, datetime.now(UTC))


async def profile(session: ReadSession, identity: Identity) -> User:
    user = await repository.get_by_id(session, identity.user_id)
    if user is None:
        raise Unauthorized("This account no longer exists")
    return user
