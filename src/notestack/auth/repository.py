from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam, delete, exists, or_, select, update

from notestack.auth.models import RevokedToken, User
from notestack.core.database import ReadSession, WriteSession
from notestack.core.statements import fetch_rows


async def get_by_id(session: ReadSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def get_by_email(session: ReadSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == email))
    return result.scalar_one_or_none()


async def find_conflicts(session: ReadSession, username_key: str, email: str) -> list[User]:
    result = await session.execute(
        select(User).where(or_(User.username_key == username_key, User.email == email))
    )
    return list(result.scalars())


async def add(session: WriteSession, user: User) -> User:
    session.add(user)
    await session.flush()
    return user


async def set_password_hash(session: WriteSession, user_id: uuid.UUID, password_hash: str) -> None:
    await session.execute(
        update(User).where(User.id == user_id).values(password_hash=password_hash)
    )


async def revoke_token(session: WriteSession, jti: str, expires_at: datetime) -> None:
    if await session.get(RevokedToken, jti) is None:
        session.add(RevokedToken(jti=jti, expires_at=expires_at))
        await session.flush()


# Asked on every uncached read without Redis: built once, run with the token's id.
_IS_REVOKED = select(exists().where(RevokedToken.jti == bindparam("jti")))


async def is_token_revoked(session: ReadSession, jti: str) -> bool:
    rows = await fetch_rows(session, _IS_REVOKED, {"jti": jti})
    return bool(rows[0][0])


async def revoked_among(session: ReadSession, jtis: list[str]) -> set[str]:
    result = await session.execute(select(RevokedToken.jti).where(RevokedToken.jti.in_(jtis)))
    return {str(jti) for jti in result.scalars()}


async def purge_expired_revocations(session: WriteSession, now: datetime) -> None:
    await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
