"""``GET /api/v1/events``: the signed-in user's changes as Server-Sent Events.

Each event: ``id`` (the user's event number, increasing), ``event`` (note.created,
note.updated, note.deleted, note.restored, note.purged) and ``data`` (JSON: ``{"note": ...}``,
the whole note, or only ``_id`` and ``version`` once it is deleted). On connecting, ``ready``
carries the current number; a reconnect with ``Last-Event-ID`` first receives every event
after it, or ``reset`` when those are older than the server keeps (refetch, then carry on).
A comment line every NOTESTACK_EVENTS_HEARTBEAT_SECONDS keeps proxies from closing the
stream; ``end`` says why the server closes it (draining, signed out, too far behind).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
import orjson
from fastapi import APIRouter, Depends, Header, Request
from starlette.responses import Response, StreamingResponse

from notestack.auth.dependencies import DOCUMENTED_SECURITY, CurrentIdentity, get_identity
from notestack.core import lifecycle
from notestack.core.api import API_PREFIX
from notestack.core.errors import TooManyRequests
from notestack.core.openapi import error_responses
from notestack.core.settings import Settings
from notestack.live.hub import REPLAY_LIMIT, Delivered, Listener, LiveHub
from notestack.notes import repository

router = APIRouter(
    prefix=API_PREFIX, tags=["events"], dependencies=[Depends(get_identity), *DOCUMENTED_SECURITY]
)
EVENTS_PATH = f"{API_PREFIX}/events"
RETRY_MS = 2000
_NOT_YET = 2**62  # a listener's number before it is known: nothing is delivered to it yet

LastEventId = Annotated[
    str | None,
    Header(
        alias="Last-Event-ID",
        description="The id of the last event received (browsers send it on reconnecting)",
        json_schema_extra={"pattern": r"^[0-9]{0,18}$"},
    ),
]


def _frame(event: str, data: bytes, event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\n".encode() + b"data: " + data + b"\n\n"


def _parse_last_id(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


@router.get(
    "/events",
    summary="Live changes of the caller's notes (Server-Sent Events)",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "An event stream (text/event-stream) that stays open",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **error_responses(429),
    },
)
async def events(
    request: Request, identity: CurrentIdentity, last_event_id: LastEventId = None
) -> Response:
    hub: LiveHub = request.app.state.live_hub
    settings: Settings = request.app.state.settings
    if hub.count >= settings.events_max_streams_per_process:
        raise TooManyRequests("Too many open event streams on this server", retry_after=5)
    listener = Listener(identity.user_id, identity.jti, _NOT_YET)
    lapse = settings.events_heartbeat_seconds * 3
    if not await hub.take_slot(listener, settings.events_max_streams_per_user, lapse):
        raise TooManyRequests(
            f"At most {settings.events_max_streams_per_user} open event streams per account",
            retry_after=30,
        )
    hub.add(listener)
    resume = _parse_last_id(last_event_id)
    try:
        async with request.app.state.db.read_session() as session:
            current = await repository.last_event_seq(session, identity.user_id)
            oldest = await repository.oldest_event_seq(session, identity.user_id)
    except BaseException:
        hub.remove(listener)
        await hub.free_slot(listener)
        raise
    opening = [f"retry: {RETRY_MS}\n\n".encode()]
    if (
        resume is not None
        and resume <= current
        and current - resume <= REPLAY_LIMIT
        and (resume == current or (oldest is not None and oldest <= resume + 1))
    ):
        listener.last_seq = resume
    else:
        listener.last_seq = current
        if resume is not None:
            reason = {"reason": "missed events are no longer kept: reload", "lastEventId": current}
            opening.append(_frame("reset", orjson.dumps(reason), current))
        opening.append(_frame("ready", orjson.dumps({"lastEventId": current}), current))
    await hub.catch_up(listener)
    return StreamingResponse(
        _stream(hub, listener, opening, settings.events_heartbeat_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _stream(
    hub: LiveHub, listener: Listener, opening: list[bytes], heartbeat: float
) -> AsyncIterator[bytes]:
    try:
        for frame in opening:
            yield frame
        quiet_since = refreshed_at = time.monotonic()
        while True:
            if time.monotonic() - refreshed_at >= heartbeat:
                refreshed_at = time.monotonic()
                await hub.keep_slot(listener, heartbeat * 3)
            if lifecycle.is_draining():
                listener.end("server draining")
            try:
                item: Delivered | None = await asyncio.wait_for(listener.queue.get(), 1.0)
            except TimeoutError:
                if time.monotonic() - quiet_since >= heartbeat:
                    quiet_since = time.monotonic()
                    yield b": ping\n\n"
                continue
            if item is None:
                yield _frame("end", orjson.dumps({"reason": listener.ended or "closed"}))
                return
            quiet_since = time.monotonic()
            yield _frame(item.type, item.data, item.seq)
    finally:
        hub.remove(listener)
        with anyio.CancelScope(shield=True):  # the client went away: still give the slot back
            await hub.free_slot(listener)
