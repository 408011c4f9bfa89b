"""`notestack import-original` (issue 10): a whole original deployment from mongoexport files.
Users keep their bcrypt passwords (rehashed to argon2id at their first sign-in), notes go to
their owners, a rerun adds nothing, bad records are reported by line and the rest go on."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import bcrypt
import httpx
import pytest
from sqlalchemy import select

from notestack.app import create_app, shutdown
from notestack.auth.models import User
from tests.conftest import Backend
from tests.support.conformance import conforming_client
from tests.support.server import NOTESTACK
from tests.transfer.test_transfer import original_notes

ALICE_OID = "65a1b2c3d4e5f60718293a4b"
BOB_OID = "65a1b2c3d4e5f60718293a4c"


def _users() -> list[dict[str, object]]:
    def user(oid: str, name: str, password: str) -> dict[str, object]:
        return {
            "_id": {"$oid": oid},
            "username": name,
            "email": f"{name.split()[0].lower()}@original.example",
            "password": bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode(),
            "createdAt": {"$date": "2023-12-01T09:00:00.000Z"},
        }

    return [
        user(ALICE_OID, "Alice Smith", "alice-old-pass"),
        user(BOB_OID, "bob", "bob-old-pass-12345"),
        {"_id": {"$oid": "65a1b2c3d4e5f60718293a4d"}, "username": "x\u0007y", "email": "z@z.z"},
    ]


def _run(env: dict[str, str], users: Path, notes: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NOTESTACK), "import-original", "--users", str(users), "--notes", str(notes)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _env(backend: Backend) -> dict[str, str]:
    settings = backend.settings
    return {
        "NOTESTACK_DATABASE_URL": settings.database_url,
        "NOTESTACK_SECRET_KEY": settings.resolved_secret_key(),
        "NOTESTACK_DATA_DIR": str(settings.data_dir),
        "NOTESTACK_ENVIRONMENT": "test",
        "NOTESTACK_LOG_LEVEL": "WARNING",
    }


@pytest.mark.slow
async def test_a_whole_original_deployment_moves_over(backend: Backend, tmp_path: Path) -> None:
    users, notes = tmp_path / "users.json", tmp_path / "notes.json"
    users.write_text(json.dumps(_users()))
    bobs = {**original_notes(BOB_OID)[0], "_id": {"$oid": "65a1b2c3d4e5f60718293aff"}}
    orphan = {"_id": {"$oid": "65a1b2c3d4e5f60718293afe"}, "userId": {"$oid": "0" * 24}}
    untitled = {**original_notes(ALICE_OID)[0], "_id": {"$oid": "65a1b2c3d4e5f60718293afd"}}
    records = [
        *original_notes(ALICE_OID),
        bobs,
        {**orphan, "title": "?"},
        {**untitled, "title": ""},
    ]
    notes.write_text("\n".join(json.dumps(r) for r in records))  # one document a line
    first = _run(_env(backend), users, notes)
    assert first.returncode == 1, first.stderr  # some records were refused
    assert "users 2 created" in first.stdout and "notes 4 created" in first.stdout
    problems = [line for line in first.stderr.splitlines() if ": " in line and "json:" in line]
    assert any("users.json:" in p and "visible characters" in p for p in problems), problems
    assert any("notes.json:5:" in p and "no imported user" in p for p in problems), problems
    assert any("notes.json:6:" in p and "title is empty" in p for p in problems), problems

    rerun = _run(_env(backend), users, notes)
    assert "users 0 created, 2 already here" in rerun.stdout
    assert "notes 0 created, 4 already here" in rerun.stdout

    app = create_app(backend.settings)
    try:
        async with conforming_client(app) as client:
            login = await client.post(
                "/api/v1/auth/login",
                json={"email": "alice@original.example", "password": "alice-old-pass"},
            )
            assert login.status_code == 200, login.text
            assert login.json()["user"]["username"] == "Alice Smith"
            token = {"Authorization": f"Bearer {login.json()['token']}"}
            mine = (await client.get("/api/v1/note", headers=token)).json()["notes"]
            assert sorted(n["title"] for n in mine) == [f"Original note {i}" for i in range(3)]
            old_link = await client.get("/api/v1/note/65a1b2c3d4e5f60718293a02", headers=token)
            assert old_link.json()["note"]["title"] == "Original note 2"
            wrong = await client.post(
                "/api/v1/auth/login",
                json={"email": "bob@original.example", "password": "not-his-pass"},
            )
            assert wrong.status_code == 401
        async with app.state.db.read_session() as session:
            alice = await session.scalar(select(User).where(User.origin_id == ALICE_OID))
            bob = await session.scalar(select(User).where(User.origin_id == BOB_OID))
        assert alice is not None and alice.password_hash.startswith("$argon2id$")
        assert bob is not None and bob.password_hash.startswith("$2b$")  # not signed in yet
        async with conforming_client(app) as client:
            again = await client.post(
                "/api/v1/auth/login",
                json={"email": "alice@original.example", "password": "alice-old-pass"},
            )
            assert again.status_code == 200  # now against the argon2id hash
    finally:
        await shutdown(app)


async def test_bcrypt_reads_only_the_first_72_bytes_as_the_original_did(
    backend: Backend,
) -> None:
    """Node's bcrypt ignored what followed 72 bytes; a long password still opens the account."""
    long_password = "p" * 72 + "-and-more"
    app = create_app(backend.settings)
    try:
        async with app.state.db.write_session() as session:
            user = User(
                username="long-pass-user",
                username_key="long-pass-user",
                email="long@original.example",
                name="Long",
                password_hash=bcrypt.hashpw(
                    long_password.encode()[:72], bcrypt.gensalt(rounds=4)
                ).decode(),
            )
            session.add(user)
            session.changes_no_user_data()
            await session.commit()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.post(
                "/api/v1/auth/login",
                json={"email": "long@original.example", "password": long_password},
            )
            assert response.status_code == 200
    finally:
        await shutdown(app)
