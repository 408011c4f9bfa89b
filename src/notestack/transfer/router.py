"""``GET /api/v1/export`` and ``POST /api/v1/import``."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from notestack.auth import service as auth_service
from notestack.auth.dependencies import DOCUMENTED_SECURITY, CurrentIdentity, get_identity
from notestack.core.api import API_PREFIX
from notestack.core.deps import PrimaryReadSessionDep, WriteSessionDep
from notestack.core.openapi import error_responses
from notestack.core.responses import envelope, json_response
from notestack.notes.service import NoteLimits
from notestack.transfer import service
from notestack.transfer.schemas import ImportEnvelope, ImportRefusedEnvelope

IMPORT_PATH = f"{API_PREFIX}/import"
router = APIRouter(
    prefix=API_PREFIX, tags=["transfer"], dependencies=[Depends(get_identity), *DOCUMENTED_SECURITY]
)


class ExportFormat(StrEnum):
    JSON = "json"
    MARKDOWN = "markdown"


@router.get(
    "/export",
    summary="All of the caller's notes as a file: JSON, or a zip of Markdown files",
    responses={
        200: {
            "description": "The file (Content-Disposition: attachment)",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def export_notes(
    identity: CurrentIdentity,
    session: PrimaryReadSessionDep,
    format: Annotated[ExportFormat, Query(description="json (default) or markdown")] = (
        ExportFormat.JSON
    ),
    trash: Annotated[bool, Query(description="Include notes in the trash")] = False,
    history: Annotated[bool, Query(description="Include earlier versions (JSON only)")] = False,
) -> Response:
    user = await auth_service.profile(session, identity)
    markdown = format is ExportFormat.MARKDOWN
    body = await service.export(
        session,
        identity.user_id,
        {"username": user.username, "email": user.email},
        markdown=markdown,
        trash=trash,
        history=history and not markdown,
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    name = f"notestack-{stamp}.{'zip' if markdown else 'json'}"
    return Response(
        body,
        media_type="application/zip" if markdown else "application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/import",
    summary="Import notes from a file: a NoteStack JSON export, a Markdown zip, or the "
    "original NoteStack's notes as mongoexport writes them",
    description=(
        "The file is the request body (Content-Type application/json or application/zip). "
        "All or nothing: one bad record refuses the file (422, every problem listed by line "
        "or file). Importing the same file twice adds nothing. Notes keep their times; "
        "an original NoteStack note keeps its 24-hex id as a way to open it."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
    response_model=ImportEnvelope,
    responses={**error_responses(400, 413), **error_responses(422, model=ImportRefusedEnvelope)},
)
async def import_notes(
    request: Request, identity: CurrentIdentity, session: WriteSessionDep
) -> Response:
    limits: NoteLimits = request.app.state.note_limits
    body = await request.body()
    report = await service.import_file(
        session, identity.user_id, body, request.headers.get("content-type", ""), limits
    )
    return json_response(
        envelope(
            f"Imported {report.created} note{'s' if report.created != 1 else ''}"
            + (f", {report.skipped} already here" if report.skipped else ""),
            report=report.json(),
        )
    )
