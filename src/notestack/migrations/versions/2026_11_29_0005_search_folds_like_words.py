"""Search and title sorting fold every letter as search words are folded.

``fold`` (core/text.py) now also folds the letters that Unicode does not decompose (ø, ł, æ,
đ, þ, …) the way PostgreSQL's unaccent does, so "oresund" finds "Øresund" on both databases.
- SQLite: its full-text index held the tokenizer's folding, which keeps ø and ł: the triggers
  now feed it the notes' text through ``notestack_fold`` (the same Python function, registered
  on every connection), and the index is filled again that way.
- Both: the title sort keys of notes whose titles hold such a letter are computed again.
PostgreSQL's search vector already folded these letters (unaccent): unchanged.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import string
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from notestack.core.text import UNDECOMPOSED_LETTERS
from notestack.notes.ordering import title_key

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRIGGERS = ("notes_fts_insert", "notes_fts_delete", "notes_fts_update")


def _triggers(text: str) -> list[str]:
    """The triggers of 0003, with each text column passed through ``text`` (a format)."""
    new = (text.format("new.title"), text.format("new.description"))
    old = (text.format("old.title"), text.format("old.description"))
    return [
        f"""CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
             INSERT INTO notes_fts(rowid, title, description)
             VALUES (new.rowid, {new[0]}, {new[1]});
           END""",
        f"""CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
             INSERT INTO notes_fts(notes_fts, rowid, title, description)
             VALUES ('delete', old.rowid, {old[0]}, {old[1]});
           END""",
        f"""CREATE TRIGGER notes_fts_update AFTER UPDATE OF title, description ON notes BEGIN
             INSERT INTO notes_fts(notes_fts, rowid, title, description)
             VALUES ('delete', old.rowid, {old[0]}, {old[1]});
             INSERT INTO notes_fts(rowid, title, description)
             VALUES (new.rowid, {new[0]}, {new[1]});
           END""",
    ]


def refill_search_index(text: str = "notestack_fold({})") -> None:
    """Fill SQLite's full-text index again from the notes table, folded as the triggers fold.
    A later migration that rebuilds the notes table (Alembic batch mode changes rowids) must
    end with this; FTS5's own 'rebuild' would index the unfolded text."""
    op.execute("INSERT INTO notes_fts(notes_fts) VALUES ('delete-all')")
    op.execute(
        "INSERT INTO notes_fts(rowid, title, description) "
        f"SELECT rowid, {text.format('title')}, {text.format('description')} FROM notes"
    )


def _replace_sqlite_index(text: str) -> None:
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for statement in _triggers(text):
        op.execute(statement)
    refill_search_index(text)


def _recompute_title_keys() -> None:
    notes = sa.table(
        "notes",
        sa.column("id", sa.Uuid()),
        sa.column("title", sa.String()),
        sa.column("title_key", sa.String()),
    )
    # Capitals too, but not an ASCII one (the dotless i's capital is I: it would select every
    # title with an I, and on SQLite, whose LIKE ignores ASCII case, every title with an i).
    capitals = {letter.upper() for letter in UNDECOMPOSED_LETTERS} - set(string.ascii_letters)
    letters = sorted(set(UNDECOMPOSED_LETTERS) | capitals)
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(notes.c.id, notes.c.title).where(
            sa.or_(*(notes.c.title.contains(letter, autoescape=True) for letter in letters))
        )
    ).all()
    for note_id, title in rows:
        bind.execute(
            notes.update().where(notes.c.id == note_id).values(title_key=title_key(str(title)))
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _replace_sqlite_index("notestack_fold({})")
    _recompute_title_keys()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _replace_sqlite_index("{}")
