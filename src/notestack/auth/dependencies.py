"""Who is calling: every protected router depends on ``get_identity`` (or, for routes that
only read through the read path, ``get_claims``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, HTTPBearer

from notestack.auth import service
from notestack.auth.guard import SignInGuard
from notestack.auth.revocation import RevocationList
from notestack.auth.service import Identity
from notestack.core.deps import app_state
from notestack.core.errors import Unauthorized
from notestack.core.security import (
    SESSION_ENDED,
    PasswordHashing,
    TokenClaims,
    TokenCodec,
    request_credentials,
)
from notestack.core.settings import ACCESS_COOKIE

# Declared for the OpenAPI document only (how to authenticate); the token itself is read by
# core.security.request_credentials, like everywhere else.
_bearer = HTTPBearer(auto_error=False, description="The token returned by /auth/login")
_cookie = APIKeyCookie(
    name=ACCESS_COOKIE,
    auto_error=False,
    description="Set by /auth/login (named __Host-AccessToken when the cookie is Secure)",
)
DOCUMENTED_SECURITY = [Security(_bearer), Security(_cookie)]


get_revocations = app_state("revocations", RevocationList)
get_token_codec = app_state("token_codec", TokenCodec)
get_hashing = app_state("hashing", PasswordHashing)
get_guard = app_state("sign_in_guard", SignInGuard)


async def get_client_address(request: Request) -> str:
    """The caller's address (the proxy's X-Forwarded-For only from trusted proxies)."""
    return request.client.host if request.client else "unknown"


async def get_claims(request: Request) -> TokenClaims:
    """A token with a valid signature and lifetime, NOT yet checked for revocation, whose
    account is within its request budget (core/budget.py; 429 otherwise).

    Only for routes whose every data access goes through ``ReadPath.read``, which checks
    revocation in the same Redis round trip as its cache look-up."""
    credentials = request_credentials(request.headers, request.app.state.settings.cookie_name)
    claims = service.verify_token(
        request.app.state.token_codec, credentials.token if credentials else None
    )
    await request.app.state.budget.charge(request.scope, claims.user_id)
    return claims


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
HashingDep = Annotated[PasswordHashing, Depends(get_hashing)]
GuardDep = Annotated[SignInGuard, Depends(get_guard)]
ClientAddress = Annotated[str, Depends(get_client_address)]
