from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import Response

from notestack.auth import service
from notestack.auth.dependencies import (
    DOCUMENTED_SECURITY,
    ClientAddress,
    CurrentIdentity,
    GuardDep,
    HashingDep,
    RevocationsDep,
    TokenCodecDep,
    get_identity,
)
from notestack.auth.schemas import (
    LoginEnvelope,
    LoginIn,
    RegisterIn,
    UserEnvelope,
    user_json,
)
from notestack.core.api import API_PREFIX
from notestack.core.deps import PrimaryReadSessionDep, SettingsDep, WriteSessionDep
from notestack.core.openapi import error_responses
from notestack.core.responses import MessageEnvelope, envelope, json_response
from notestack.core.settings import Settings

public_router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["auth"])
protected_router = APIRouter(
    prefix=f"{API_PREFIX}/auth",
    tags=["auth"],
    dependencies=[Depends(get_identity), *DOCUMENTED_SECURITY],
)


@public_router.post(
    "/register",
    status_code=201,
    response_model=UserEnvelope,
    responses=error_responses(409),
    summary="Create an account",
)
async def register(
    data: RegisterIn,
    session: WriteSessionDep,
    hashing: HashingDep,
    guard: GuardDep,
    client: ClientAddress,
) -> Response:
    user = await service.register(session, data, hashing, guard, client)
    return json_response(envelope("Account created", user=user_json(user)), status_code=201)


@public_router.post(
    "/login",
    response_model=LoginEnvelope,
    responses=error_responses(401),
    summary="Sign in: returns a token and sets the AccessToken cookie",
)
async def login(
    data: LoginIn,
    session: PrimaryReadSessionDep,
    writer: WriteSessionDep,
    codec: TokenCodecDep,
    settings: SettingsDep,
    hashing: HashingDep,
    guard: GuardDep,
    client: ClientAddress,
) -> Response:
    # The write session takes no lock until used (only to store a migrated password anew).
    user = await service.authenticate(session, writer, data, hashing, guard, client)
    token, _claims = service.issue_token(codec, user)
    response = json_response(envelope("Signed in", token=token, user=user_json(user)))
    _set_cookie(response, settings, token, int(codec.lifetime.total_seconds()))
    return response


@protected_router.get(
    "/profile",
    response_model=UserEnvelope,
    summary="The signed-in account",
)
async def profile(identity: CurrentIdentity, session: PrimaryReadSessionDep) -> Response:
    user = await service.profile(session, identity)
    return json_response(envelope("Profile", user=user_json(user)))


@protected_router.post(
    "/logout",
    response_model=MessageEnvelope,
    summary="Sign out: the token is refused from now on, on every instance",
)
async def logout(
    identity: CurrentIdentity,
    session: WriteSessionDep,
    revocations: RevocationsDep,
    settings: SettingsDep,
) -> Response:
    await service.revoke(session, revocations, identity)
    response = json_response(envelope("Signed out"))
    response.delete_cookie(
        settings.cookie_name,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite=settings.cookie_samesite,
    )
    return response


def _set_cookie(response: Response, settings: Settings, token: str, max_age: int) -> None:
    response.set_cookie(
        settings.cookie_name,
        token,
        max_age=max_age,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite=settings.cookie_samesite,
    )
