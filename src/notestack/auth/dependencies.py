"""Who is calling: every protected router depends on ``CurrentIdentity``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from notestack.auth import service
from notestack.auth.revocation import RevocationList
from notestack.auth.service import Identity
from notestack.core.errors import Unauthorized
from notestack.core.middleware import ACCESS_COOKIE
from notestack.core.security import TokenCodec

_bearer = HTTPBearer(auto_error=False, description="The token returned by /auth/login")
_cookie = APIKeyCookie(name=ACCESS_COOKIE, auto_error=False, description="Set by /auth/login")


def get_revocations(request: Request) -> RevocationList:
    revocations: RevocationList = request.app.state.revocations
    return revocations


def get_token_codec(request: Request) -> TokenCodec:
    codec: TokenCodec = request.app.state.token_codec
    return codec


async def get_identity(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Identity:
    token = bearer.credentials if bearer else cookie
    claims = service.verify_token(get_token_codec(request), token)
    if await get_revocations(request).is_revoked(claims.jti):
        raise Unauthorized("This session has ended; sign in again")
    identity = Identity(user_id=claims.user_id, jti=claims.jti, expires_at=claims.expires_at)
    request.state.identity = identity
    return identity


CurrentIdentity = Annotated[Identity, Depends(get_identity)]
TokenCodecDep = Annotated[TokenCodec, Depends(get_token_codec)]
RevocationsDep = Annotated[RevocationList, Depends(get_revocations)]
