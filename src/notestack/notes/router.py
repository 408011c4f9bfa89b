from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from starlette.responses import Response

from notestack.auth.dependencies import CurrentClaims, CurrentIdentity, get_claims, get_identity
from notestack.core.conditional import body_etag, expected_versions, none_match, version_etag
from notestack.core.database import ReadSession
from notestack.core.deps import ReadPathDep, WriteSessionDep
from notestack.core.reads import ReadResult
from notestack.core.responses import dumps, envelope, json_response
from notestack.core.text import StoredText
from notestack.notes import service
from notestack.notes.cursor import Cursor
from notestack.notes.models import NotePriority, NoteStatus
from notestack.notes.repository import ListFilter
from notestack.notes.schemas import (
    NoteCreate,
    NoteEnvelope,
    NoteListEnvelope,
    NoteUpdate,
    note_json,
)

# Reads check the token's signature here and its revocation inside the read path (one Redis
# round trip with the cache look-up); writes check both up front.
read_router = APIRouter(prefix="/note", tags=["notes"], dependencies=[Depends(get_claims)])
write_router = APIRouter(prefix="/note", tags=["notes"], dependencies=[Depends(get_identity)])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such note among the caller's notes"}
}
_PRECONDITION: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match does not match the note's current version"}
}
IfMatch = Annotated[str | None, Header(alias="If-Match")]


def _note_response(message: str, note_dict: dict[str, object], status_code: int = 200) -> Response:
    headers = {"ETag": version_etag(int(str(note_dict["version"])))}
    return json_response(envelope(message, note=note_dict), status_code, headers)


def _cached_response(result: ReadResult, if_none_match: str | None) -> Response:
    headers = {"ETag": result.etag, "Cache-Control": "private, no-cache", "X-Cache": result.cache}
    if none_match(if_none_match, result.etag):
        return Response(status_code=304, headers=headers)
    return json_response(result.body, headers=headers)


@read_router.get("", response_model=NoteListEnvelope, summary="The caller's notes, newest first")
async def list_notes(
    identity: CurrentClaims,
    reads: ReadPathDep,
    limit: Annotated[int | None, Query(ge=1, le=100, description="Page size, 1-100")] = None,
    cursor: Annotated[str | None, Query(max_length=512, description="nextCursor")] = None,
    status: NoteStatus | None = None,
    priority: NotePriority | None = None,
    q: Annotated[
        StoredText | None, Query(max_length=200, description="Search in title and description")
    ] = None,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
) -> Response:
    filters = ListFilter(
        status=status.value if status else None,
        priority=priority.value if priority else None,
        search=(q or "").strip() or None,
    )
    after = Cursor.decode(cursor) if cursor else None

    async def produce(session: ReadSession) -> tuple[bytes, str]:
        page = await service.list_notes(session, identity.user_id, filters, after, limit)
        body = dumps(
            envelope(
                "Notes fetched",
                notes=[note_json(note) for note in page.notes],
                nextCursor=page.next_cursor,
            )
        )
        return body, body_etag(body)

    key = service.list_cache_key(filters, cursor, limit)
    result = await reads.read(identity.user_id, identity.jti, "list", key, produce)
    return _cached_response(result, if_none_match)


@write_router.post("/create", status_code=201, response_model=NoteEnvelope, summary="Create a note")
async def create_note(
    data: NoteCreate, identity: CurrentIdentity, session: WriteSessionDep, reads: ReadPathDep
) -> Response:
    reads.after_write(session, identity.user_id)
    note = await service.create_note(session, identity.user_id, data)
    return _note_response("Note created", note_json(note), status_code=201)


@read_router.get(
    "/{note_id}", response_model=NoteEnvelope, responses=_NOT_FOUND, summary="One note"
)
async def get_note(
    note_id: str,
    identity: CurrentClaims,
    reads: ReadPathDep,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
) -> Response:
    parsed_id = service.parse_note_id(note_id)

    async def produce(session: ReadSession) -> tuple[bytes, str]:
        note = await service.get_note(session, identity.user_id, parsed_id)
        return dumps(envelope("Note fetched", note=note_json(note))), version_etag(note.version)

    result = await reads.read(identity.user_id, identity.jti, "note", parsed_id.hex, produce)
    return _cached_response(result, if_none_match)


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
    reads: ReadPathDep,
    if_match: IfMatch = None,
) -> Response:
    reads.after_write(session, identity.user_id)
    note = await service.edit_note(
        session,
        identity.user_id,
        service.parse_note_id(note_id),
        data,
        expected_versions(if_match),
    )
    return _note_response("Note updated", note_json(note))


@write_router.delete(
    "/{note_id}/delete",
    responses={**_NOT_FOUND, **_PRECONDITION},
    summary="Delete a note",
)
async def delete_note(
    note_id: str,
    identity: CurrentIdentity,
    session: WriteSessionDep,
    reads: ReadPathDep,
    if_match: IfMatch = None,
) -> Response:
    reads.after_write(session, identity.user_id)
    await service.delete_note(
        session, identity.user_id, service.parse_note_id(note_id), expected_versions(if_match)
    )
    return json_response(envelope("Note deleted"))
