from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

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
from notestack.core.deps import ReadPathDep, SettingsDep, WriteSessionDep, app_state
from notestack.core.idempotency import IdempotencyKeyHeader, IdempotentWrite
from notestack.core.openapi import error_responses
from notestack.core.reads import ReadPath
from notestack.core.responses import MessageEnvelope, dumps, envelope, json_response
from notestack.core.security import TokenClaims
from notestack.notes import service
from notestack.notes.cursor import Cursor, CursorCodec
from notestack.notes.models import Note
from notestack.notes.queries import (
    COUNTS_QUERY_PARAMETERS,
    LIST_QUERY_PARAMETERS,
    PAGE_QUERY_PARAMETERS,
    CountsQuery,
    ListQuery,
    PageQuery,
    counts_cache_key,
    list_cache_key,
    parse_list_query,
    parse_query,
    trash_cache_key,
)
from notestack.notes.schemas import (
    ConflictEnvelope,
    CountsEnvelope,
    HistoryEnvelope,
    NoteCreate,
    NoteEnvelope,
    NoteFields,
    NoteListEnvelope,
    NoteUpdate,
    PurgedEnvelope,
    RevertIn,
    TrashListEnvelope,
    note_json,
    revision_json,
)
from notestack.notes.search import highlights
from notestack.notes.service import NoteLimits, NoteRef

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
_IDEMPOTENCY = error_responses(409, 422)
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
    """The same parser as the read shortcut's (notes/queries.py)."""
    return parse_list_query(request.query_params)


async def _counts_query(request: Request) -> CountsQuery:
    return parse_query(CountsQuery, request.query_params)


async def _page_query(request: Request) -> PageQuery:
    return parse_query(PageQuery, request.query_params)


async def _idempotent(
    request: Request,
    session: WriteSessionDep,
    identity: CurrentIdentity,
    key: IdempotencyKeyHeader = None,
) -> IdempotentWrite:
    body = await request.body()
    return IdempotentWrite.for_request(
        session, identity.user_id, key, request.method, request.url.path, body
    )


ListQueryDep = Annotated[ListQuery, Depends(_list_query)]
CountsQueryDep = Annotated[CountsQuery, Depends(_counts_query)]
PageQueryDep = Annotated[PageQuery, Depends(_page_query)]
CursorCodecDep = Annotated[CursorCodec, Depends(app_state("cursor_codec", CursorCodec))]
LimitsDep = Annotated[NoteLimits, Depends(app_state("note_limits", NoteLimits))]
IdempotentDep = Annotated[IdempotentWrite, Depends(_idempotent)]


def _note_response(message: str, note: Note, status_code: int = 200) -> Response:
    headers = {"ETag": version_etag(note.version)}
    return json_response(envelope(message, note=note_json(note)), status_code, headers)


# -- reads ----------------------------------------------------------------------------------
@read_router.get(
    "",
    response_model=NoteListEnvelope,
    summary="The caller's notes: filtered, searched, sorted, paged",
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
    after = list_cursor(codec, query)
    return await answer_list(reads, codec, limits, identity, query, after, if_none_match)


def list_cursor(codec: CursorCodec, query: ListQuery) -> Cursor | None:
    """Where the requested page starts: its signed cursor, checked (400 when not one this
    server issued for the query's ordering); None for the first page."""
    return codec.decode(query.cursor, query.ordering().name) if query.cursor else None


async def answer_list(
    reads: ReadPath,
    codec: CursorCodec,
    limits: NoteLimits,
    identity: TokenClaims,
    query: ListQuery,
    after: Cursor | None,
    if_none_match: str | None,
) -> Response:
    """``list_notes``'s answer, once its input is parsed (also the read shortcut's)."""
    filters, ordering = query.filters(), query.ordering()
    words = filters.words()

    def render(note: NoteFields) -> dict[str, Any]:
        found = note_json(note)
        if words:
            found["highlights"] = highlights(note.title, note.description, words)
        return found

    async def produce(session: ReadSession) -> tuple[bytes, str]:
        page = await service.list_notes(
            session, identity.user_id, filters, ordering, after, query.limit
        )
        body = service.page_body(page, codec.encode, limits.max_list_bytes, render=render)
        return body, body_etag(body)

    key = list_cache_key(query)
    return await reads.respond(identity.user_id, identity.jti, "list", key, produce, if_none_match)


@read_router.get(
    "/counts",
    response_model=CountsEnvelope,
    summary="How many notes by status and by priority, for the list's filters",
    openapi_extra={"parameters": COUNTS_QUERY_PARAMETERS},
)
async def note_counts(
    identity: CurrentClaims,
    reads: ReadPathDep,
    query: CountsQueryDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    async def produce(session: ReadSession) -> tuple[bytes, str]:
        counts = await service.counts(session, identity.user_id, query.filters())
        body = dumps(envelope("Counts", counts=counts))
        return body, body_etag(body)

    key = counts_cache_key(query)
    return await reads.respond(
        identity.user_id, identity.jti, "counts", key, produce, if_none_match
    )


@read_router.get(
    "/trash",
    response_model=TrashListEnvelope,
    summary="Notes in the trash, most recently deleted first",
    openapi_extra={"parameters": PAGE_QUERY_PARAMETERS},
)
async def list_trash(
    identity: CurrentClaims,
    reads: ReadPathDep,
    query: PageQueryDep,
    codec: CursorCodecDep,
    limits: LimitsDep,
    settings: SettingsDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    after = codec.decode(query.cursor, service.TRASH_ORDERING) if query.cursor else None
    retention = timedelta(days=settings.trash_retention_days)

    def render(note: NoteFields) -> dict[str, Any]:
        assert note.deleted_at is not None
        return {
            **note_json(note),
            "deletedAt": note.deleted_at,
            "purgeAt": note.deleted_at + retention,
        }

    async def produce(session: ReadSession) -> tuple[bytes, str]:
        page = await service.trash_page(session, identity.user_id, after, query.limit)
        body = service.page_body(
            page, codec.encode, limits.max_list_bytes, message="Trash fetched", render=render
        )
        return body, body_etag(body)

    key = trash_cache_key(query)
    return await reads.respond(identity.user_id, identity.jti, "trash", key, produce, if_none_match)


@read_router.get(
    "/{note_id}",
    response_model=NoteEnvelope,
    responses=_NOT_FOUND,
    summary="One note (by its id, or the 24-hex id it had in the original NoteStack)",
)
async def get_note(
    note_id: str,
    identity: CurrentClaims,
    reads: ReadPathDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    return await answer_note(reads, identity, service.parse_note_ref(note_id), if_none_match)


async def answer_note(
    reads: ReadPath, identity: TokenClaims, ref: NoteRef, if_none_match: str | None
) -> Response:
    """``get_note``'s answer, once its id is parsed (also the read shortcut's)."""

    async def produce(session: ReadSession) -> tuple[bytes, str]:
        note = await service.get_note(session, identity.user_id, ref)
        return dumps(envelope("Note fetched", note=note_json(note))), version_etag(note.version)

    key = ref.cache_suffix
    return await reads.respond(identity.user_id, identity.jti, "note", key, produce, if_none_match)


@read_router.get(
    "/{note_id}/history",
    response_model=HistoryEnvelope,
    responses=_NOT_FOUND,
    summary="The note's earlier versions, newest first",
)
async def note_history(
    note_id: str,
    identity: CurrentClaims,
    reads: ReadPathDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    parsed = service.parse_note_id(note_id)

    async def produce(session: ReadSession) -> tuple[bytes, str]:
        note, revisions = await service.history(session, identity.user_id, parsed)
        body = dumps(
            envelope(
                "History fetched",
                note=note_json(note),
                revisions=[revision_json(r) for r in revisions],
            )
        )
        return body, body_etag(body)

    key = parsed.hex
    return await reads.respond(
        identity.user_id, identity.jti, "history", key, produce, if_none_match
    )


# -- writes ---------------------------------------------------------------------------------
@write_router.post(
    "/create",
    status_code=201,
    response_model=NoteEnvelope,
    responses=_IDEMPOTENCY,
    summary="Create a note (at the top of its status column)",
)
async def create_note(
    data: NoteCreate,
    identity: CurrentIdentity,
    session: WriteSessionDep,
    limits: LimitsDep,
    idempotent: IdempotentDep,
) -> Response:
    async def work() -> Response:
        note = await service.create_note(session, identity.user_id, data, limits)
        return _note_response("Note created", note, status_code=201)

    return await idempotent.respond(work)


@write_router.patch(
    "/{note_id}/edit",
    response_model=NoteEnvelope,
    responses={**_NOT_FOUND, **_PRECONDITION, **_IDEMPOTENCY},
    summary="Change any of title, description, status, priority, board position",
    description=(
        "With `If-Match` naming the version the change was made from: if the note has moved "
        "on since, the change is merged when the fields it sets were not changed since then "
        "(or were changed to the same values); a field changed since to another value is a "
        "412, which carries the note as it is now and the conflicting fields."
    ),
)
async def edit_note(
    note_id: str,
    data: NoteUpdate,
    identity: CurrentIdentity,
    session: WriteSessionDep,
    limits: LimitsDep,
    idempotent: IdempotentDep,
    if_match: IfMatch = None,
) -> Response:
    async def work() -> Response:
        note = await service.edit_note(
            session,
            identity.user_id,
            service.parse_note_id(note_id),
            data,
            expected_versions(if_match),
            limits,
        )
        return _note_response("Note updated", note)

    return await idempotent.respond(work)


@write_router.delete(
    "/trash",
    response_model=PurgedEnvelope,
    responses=_IDEMPOTENCY,
    summary="Empty the trash: its notes are deleted for good",
)
async def empty_trash(
    identity: CurrentIdentity, session: WriteSessionDep, idempotent: IdempotentDep
) -> Response:
    async def work() -> Response:
        purged = await service.empty_trash(session, identity.user_id)
        return json_response(envelope("Trash emptied", purged=purged))

    return await idempotent.respond(work)


@write_router.delete(
    "/{note_id}/delete",
    response_model=MessageEnvelope,
    responses={**_NOT_FOUND, **_PRECONDITION, **_IDEMPOTENCY},
    summary="Move a note to the trash",
)
async def delete_note(
    note_id: str,
    identity: CurrentIdentity,
    session: WriteSessionDep,
    limits: LimitsDep,
    idempotent: IdempotentDep,
    if_match: IfMatch = None,
) -> Response:
    async def work() -> Response:
        await service.trash_note(
            session,
            identity.user_id,
            service.parse_note_id(note_id),
            expected_versions(if_match),
            limits,
        )
        return json_response(envelope("Note deleted"))

    return await idempotent.respond(work)


@write_router.post(
    "/{note_id}/restore",
    response_model=NoteEnvelope,
    responses={**_NOT_FOUND, **_IDEMPOTENCY},
    summary="Bring a note back from the trash",
)
async def restore_note(
    note_id: str,
    identity: CurrentIdentity,
    session: WriteSessionDep,
    limits: LimitsDep,
    idempotent: IdempotentDep,
) -> Response:
    async def work() -> Response:
        note_ref = service.parse_note_id(note_id)
        note = await service.restore_note(session, identity.user_id, note_ref, limits)
        return _note_response("Note restored", note)

    return await idempotent.respond(work)


@write_router.delete(
    "/{note_id}/purge",
    response_model=MessageEnvelope,
    responses={**_NOT_FOUND, **_IDEMPOTENCY},
    summary="Delete a note in the trash for good",
)
async def purge_note(
    note_id: str,
    identity: CurrentIdentity,
    session: WriteSessionDep,
    idempotent: IdempotentDep,
) -> Response:
    async def work() -> Response:
        await service.purge_note(session, identity.user_id, service.parse_note_id(note_id))
        return json_response(envelope("Note deleted for good"))

    return await idempotent.respond(work)


@write_router.post(
    "/{note_id}/revert",
    response_model=NoteEnvelope,
    responses={**_NOT_FOUND, **_PRECONDITION, **_IDEMPOTENCY},
    summary="Make an earlier version the current content again (as a new version)",
)
async def revert_note(
    note_id: str,
    data: RevertIn,
    identity: CurrentIdentity,
    session: WriteSessionDep,
    limits: LimitsDep,
    idempotent: IdempotentDep,
    if_match: IfMatch = None,
) -> Response:
    async def work() -> Response:
        note = await service.revert_note(
            session,
            identity.user_id,
            service.parse_note_id(note_id),
            data.version,
            expected_versions(if_match),
            limits,
        )
        return _note_response("Note reverted", note)

    return await idempotent.respond(work)
