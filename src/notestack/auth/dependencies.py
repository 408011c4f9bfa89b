"""Who is calling: every protected router depends on ``get_identity`` (or, for routes that
only read through the read path, ``get_claims``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from notestack.auth import service
from notestack.auth.revocation import RevocationList
from notestack.auth.service import Identity
from notestack.core.errors import Unauthorized
from notestack.core.middleware import ACCESS_COOKIE
from notestack.core.security import SESSION_ENDED, TokenClaims, TokenCodec

_bearer = HTTPBearer(auto_error=False, description="The token returned by /auth/login")
_cookie = APIKeyCookie(name=ACCESS_COOKIE, auto_error=False, description="Set by /auth/login")


async def get_revocations(request: Request) -> RevocationList:
    revocations: RevocationList = request.app.state.revocations
    return revocations


async def get_token_codec(request: Request) -> TokenCodec:
    codec: TokenCodec = request.app.state.token_codec
    return codec


async def get_claims(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> TokenClaims:
    """A token with a valid signature and lifetime, NOT yet checked for revocation.

    Only for routes whose every data access goes through ``ReadPath.read``, which checks
    revocation in the same Redis round trip as its cache look-up."""
    token = bearer.credentials if bearer else cookie
    return service.verify_token(request.app.state.token_codec, token)


async def get_identity(
    request: Request, claims: Annotated[TokenClaims, Depends(get_claims)]
) -> Identity:
    if await request.app.state.revocations.is_revoked(claims.jti):
        raise Unauthorized(SESSION_ENDED)
    return Identity(user_id=claims.user_id, jti=claims.jti, expires_at=claims.expires_at)


CurrentClaims = Annotated[TokenClaims, Depends(get_claims)]
CurrentIdentity = Annotated[Identity, Depends(get_identity)]
TokenCodecDep = Annotated[TokenCodec, Depends(get_token_codec)]
RevocationsDep = Annotated[RevocationList, Depends(get_revocations)]
