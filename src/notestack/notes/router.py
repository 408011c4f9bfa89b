from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from starlette.responses import Response

from notestack.auth.dependencies import (
    DOCUMENTED_SECURITY,
    CurrentClaims,
    CurrentIdentity,
    get_claims,
    get_identity,
)
from notestack.core.api import API_PREFIX
from notestack.core.conditional import (
    IF_MATCH_PATTERN,
    body_etag,
    expected_versions,
    version_etag,
)
from notestack.core.database import ReadSession
from notestack.core.deps import ReadPathDep, WriteSessionDep
from notestack.core.openapi import error_responses
from notestack.core.reads import read_response
from notestack.core.responses import MessageEnvelope, dumps, envelope, json_response
from notestack.notes import service
from notestack.notes.cursor import CursorCodec
from notestack.notes.queries import (
    LIST_QUERY_PARAMETERS,
    ListQuery,
    list_cache_key,
    parse_list_query,
)
from notestack.notes.schemas import (
    ConflictEnvelope,
    NoteCreate,
    NoteEnvelope,
    NoteListEnvelope,
    NoteUpdate,
    note_json,
)
from notestack.notes.service import NoteLimits

# Reads check the token's signature here and its revocation inside the read path (one Redis
# round trip with the cache look-up); writes check both up front.
read_router = APIRouter(
    prefix=f"{API_PREFIX}/note",
    tags=["notes"],
    dependencies=[Depends(get_claims), *DOCUMENTED_SECURITY],
)
write_router = APIRouter(
    prefix=f"{API_PREFIX}/note",
    tags=["notes"],
    dependencies=[Depends(get_identity), *DOCUMENTED_SECURITY],
)

_NOT_FOUND = error_responses(404)
_PRECONDITION = error_responses(412, model=ConflictEnvelope)
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The version the change is based on, as its ETag ("3"); * for any',
        json_schema_extra={"pattern": IF_MATCH_PATTERN},
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(alias="If-None-Match", description="The ETag of the copy held: 304 if current"),
]


async def _list_query(request: Request) -> ListQuery:
    """The same parser as the cached-read shortcut's (notes/queries.py)."""
    return parse_list_query(request.query_params)


async def _cursor_codec(request: Request) -> CursorCodec:
    codec: CursorCodec = request.app.state.cursor_codec
    return codec


async def _limits(request: Request) -> NoteLimits:
    limits: NoteLimits = request.app.state.note_limits
    return limits


ListQueryDep = Annotated[ListQuery, Depends(_list_query)]
CursorCodecDep = Annotated[CursorCodec, Depends(_cursor_codec)]
LimitsDep = Annotated[NoteLimits, Depends(_limits)]


def _note_response(message: str, note_dict: dict[str, object], status_code: int = 200) -> Response:
    headers = {"ETag": version_etag(int(str(note_dict["version"])))}
    return json_response(envelope(message, note=note_dict), status_code, headers)


@read_router.get(
    "",
    response_model=NoteListEnvelope,
    summary="The caller's notes, newest first",
    openapi_extra={"parameters": LIST_QUERY_PARAMETERS},
)
async def list_notes(
    identity: CurrentClaims,
    reads: ReadPathDep,
    query: ListQueryDep,
    codec: CursorCodecDep,
    limits: LimitsDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    filters = query.filters()
    after = codec.decode(query.cursor) if query.cursor else None

    async def produce(session: ReadSession) -> tuple[bytes, str]:
        page = await service.list_notes(session, identity.user_id, filters, after, query.limit)
        body = service.page_body(page, codec.encode, limits.max_list_bytes)
        return body, body_etag(body)

    result = await reads.read(
        identity.user_id, identity.jti, "list", list_cache_key(query), produce
    )
    return read_response(result, if_none_match)


@write_router.post("/create", status_code=201, response_model=NoteEnvelope, summary="Create a note")
async def create_note(
    data: NoteCreate, identity: CurrentIdentity, session: WriteSessionDep, limits: LimitsDep
) -> Response:
    note = await service.create_note(session, identity.user_id, data, limits)
    return _note_response("Note created", note_json(note), status_code=201)


@read_router.get(
    "/{note_id}", response_model=NoteEnvelope, responses=_NOT_FOUND, summary="One note"
)
async def get_note(
    note_id: str,
    identity: CurrentClaims,
    reads: ReadPathDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    parsed_id = service.parse_note_id(note_id)

    async def produce(session: ReadSession) -> tuple[bytes, str]:
        note = await service.get_note(session, identity.user_id, parsed_id)
        return dumps(envelope("Note fetched", note=note_json(note))), version_etag(note.version)

    result = await reads.read(identity.user_id, identity.jti, "note", parsed_id.hex, produce)
    return read_response(result, if_none_match)


@write_router.patch(
    "/{note_id}/edit",
    response_model=NoteEnvelope,
    responses={**_NOT_FOUND, **_PRECONDITION},
    summary="Change any of title, description, status, priority",
)
async def edit_note(
    note_id: str,
    data: NoteUpdate,
    identity: CurrentIdentity,
    session: WriteSessionDep,
    limits: LimitsDep,
    if_match: IfMatch = None,
) -> Response:
    note = await service.edit_note(
        session,
        identity.user_id,
        service.parse_note_id(note_id),
        data,
        expected_versions(if_match),
        limits,
    )
    return _note_response("Note updated", note_json(note))


@write_router.delete(
    "/{note_id}/delete",
    response_model=MessageEnvelope,
    responses={**_NOT_FOUND, **_PRECONDITION},
    summary="Delete a note",
)
async def delete_note(
    note_id: str,
    identity: CurrentIdentity,
    session: WriteSessionDep,
    if_match: IfMatch = None,
) -> Response:
    await service.delete_note(
        session, identity.user_id, service.parse_note_id(note_id), expected_versions(if_match)
    )
    return json_response(envelope("Note deleted"))
