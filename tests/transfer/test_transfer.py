"""Export and import (issue 10): NoteStack's JSON, a Markdown zip, and the original NoteStack's
mongoexport files; all or nothing, idempotent, within quotas, original ids kept."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import httpx

from tests.support.api import Account, create_note, signup

EXPORT = "/api/v1/export"
IMPORT = "/api/v1/import"
NOTES = "/api/v1/note"


def original_notes(user_oid: str = "65a1b2c3d4e5f60718293a4b") -> list[dict[str, Any]]:
    """What `mongoexport --collection notes --jsonArray` writes for the original app."""
    return [
        {
            "_id": {"$oid": f"65a1b2c3d4e5f60718293a{i:02x}"},
            "userId": {"$oid": user_oid},
            "title": f"Original note {i}",
            "description": "from the Node app",
            "status": ("Pending", "InProgress", "Done")[i % 3],
            "priority": ("Low", "Medium", "High")[i % 3],
            "createdAt": {"$date": f"2024-03-0{i + 1}T10:00:00.000Z"},
            "updatedAt": {"$date": {"$numberLong": str(1709900000000 + i)}},
            "__v": 0,
        }
        for i in range(3)
    ]


async def _import(
    client: httpx.AsyncClient, account: Account, body: bytes, kind: str = "application/json"
) -> httpx.Response:
    return await client.post(IMPORT, content=body, headers={**account.auth, "Content-Type": kind})


async def _titles(client: httpx.AsyncClient, account: Account) -> list[str]:
    notes = (await client.get(NOTES, headers=account.auth)).json()["notes"]
    return sorted(n["title"] for n in notes)


async def test_an_original_mongoexport_imports_once_keeping_ids_and_times(
    client: httpx.AsyncClient, account: Account
) -> None:
    body = json.dumps(original_notes()).encode()
    first = await _import(client, account, body)
    assert first.status_code == 200, first.text
    assert first.json()["report"] == {"created": 3, "skipped": 0, "errors": []}
    again = await _import(client, account, body)
    assert again.json()["report"] == {"created": 0, "skipped": 3, "errors": []}
    assert await _titles(client, account) == [f"Original note {i}" for i in range(3)]
    old = await client.get(f"{NOTES}/65a1b2c3d4e5f60718293a01", headers=account.auth)
    assert old.status_code == 200
    note = old.json()["note"]
    assert note["title"] == "Original note 1" and note["createdAt"].startswith("2024-03-02T10")
    assert note["status"] == "InProgress"
    other = await signup(client)
    assert (
        await client.get(f"{NOTES}/65a1b2c3d4e5f60718293a01", headers=other.auth)
    ).status_code == 404


async def test_one_bad_record_refuses_the_whole_file_naming_its_line(
    client: httpx.AsyncClient, account: Account
) -> None:
    records = original_notes()
    records[1]["title"] = ""
    records[2]["status"] = "Archived"
    body = ("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]").encode()
    response = await _import(client, account, body)
    assert response.status_code == 422
    report = response.json()["report"]
    assert report["created"] == 0
    assert [(e["line"], e["message"][:12]) for e in report["errors"]] == [
        (3, "title is emp"),
        (4, "status 'Arch"),
    ]
    assert await _titles(client, account) == []


async def test_broken_files_are_400_and_empty_ones_too(
    client: httpx.AsyncClient, account: Account
) -> None:
    for body, kind in (
        (b"{not json", "application/json"),
        (b"[1, 2", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"[]", "application/json"),
        (b"PK\x03\x04broken", "application/zip"),
    ):
        response = await _import(client, account, body, kind)
        assert response.status_code == 400, body
        assert response.json()["success"] is False


async def test_json_export_round_trip_with_trash_and_history(
    client: httpx.AsyncClient, account: Account
) -> None:
    kept = await create_note(client, account, title="kept", description="line 1\nline 2")
    await client.patch(
        f"{NOTES}/{kept['_id']}/edit", json={"title": "kept v2"}, headers=account.auth
    )
    binned = await create_note(client, account, title="binned")
    await client.delete(f"{NOTES}/{binned['_id']}/delete", headers=account.auth)
    exported = await client.get(
        EXPORT, params={"trash": "true", "history": "true"}, headers=account.auth
    )
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    document = exported.json()
    assert document["format"] == "notestack-export" and len(document["notes"]) == 2
    other = await signup(client)
    imported = await _import(client, other, exported.content)
    assert imported.json()["report"]["created"] == 2
    assert await _titles(client, other) == ["kept v2"]
    trash = (await client.get(f"{NOTES}/trash", headers=other.auth)).json()["notes"]
    assert [n["title"] for n in trash] == ["binned"]
    copy = next(n for n in (await client.get(NOTES, headers=other.auth)).json()["notes"])
    history = (await client.get(f"{NOTES}/{copy['_id']}/history", headers=other.auth)).json()
    assert [r["title"] for r in history["revisions"]] == ["kept"]
    # The same file back into the account it came from adds nothing.
    back = await _import(client, account, exported.content)
    assert back.json()["report"] == {"created": 0, "skipped": 2, "errors": []}


async def test_markdown_zip_round_trip(client: httpx.AsyncClient, account: Account) -> None:
    await create_note(client, account, title="Plan: Q3", description="- [ ] one\n- [x] two")
    exported = await client.get(EXPORT, params={"format": "markdown"}, headers=account.auth)
    assert exported.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    (name,) = archive.namelist()
    text = archive.read(name).decode()
    assert name.startswith("notes/plan-q3-") and text.startswith("---\n")
    assert "title: 'Plan: Q3'" in text and text.endswith("- [ ] one\n- [x] two")
    other = await signup(client)
    imported = await _import(client, other, exported.content, "application/zip")
    assert imported.json()["report"]["created"] == 1
    note = (await client.get(NOTES, headers=other.auth)).json()["notes"][0]
    assert (note["title"], note["description"]) == ("Plan: Q3", "- [ ] one\n- [x] two")


async def test_imports_count_against_the_quota(
    client: httpx.AsyncClient, account: Account, app: Any
) -> None:
    limits = app.state.note_limits
    app.state.note_limits = type(limits)(2, limits.max_bytes, limits.max_list_bytes)
    try:
        response = await _import(client, account, json.dumps(original_notes()).encode())
    finally:
        app.state.note_limits = limits
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "quota"
    assert await _titles(client, account) == []
