"""Trash, history, change events, idempotency keys, board positions, sort keys, search.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from fractional_indexing import generate_n_keys_between

from notestack.core.models import UTCDateTime
from notestack.notes.ordering import sort_keys

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "deleted_at IS NULL"
# A note's (and the trash's) lists, each an index range scan in either direction.
LIST_INDEXES = {
    "ix_notes_live_created": ["user_id", "created_at", "id"],
    "ix_notes_live_updated": ["user_id", "updated_at", "id"],
    "ix_notes_live_priority": ["user_id", "priority_rank", "created_at", "id"],
    "ix_notes_live_status": ["user_id", "status_rank", "created_at", "id"],
    "ix_notes_live_title": ["user_id", "title_key", "id"],
    "ix_notes_live_position": ["user_id", "status_rank", "position", "id"],
}

# PostgreSQL: full-text search over title (weight A) and description (B), accents removed.
# unaccent() is only STABLE (its dictionary could change); a generated column needs an
# IMMUTABLE function, hence the wrapper naming the dictionary explicitly.
PG_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """CREATE OR REPLACE FUNCTION notestack_unaccent(text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$""",
    """ALTER TABLE notes ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('simple', notestack_unaccent(title)), 'A') ||
         setweight(to_tsvector('simple', notestack_unaccent(description)), 'B')
       ) STORED""",
    "CREATE INDEX ix_notes_search ON notes USING gin (search_vector)",
]
# SQLite: an FTS5 index of the notes table (external content, keyed by its rowid), kept in
# step by triggers. Diacritics removed by the tokenizer. A migration that rebuilds the notes
# table (Alembic batch mode) changes rowids: it must end with `rebuild_search_index` (before
# 0005) or 0005's `refill_search_index` (after it: the triggers feed folded text since).
SQLITE_SEARCH = [
    """CREATE VIRTUAL TABLE notes_fts USING fts5(
         title, description, content='notes', content_rowid='rowid',
         tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
         INSERT INTO notes_fts(rowid, title, description)
         VALUES (new.rowid, new.title, new.description);
       END""",
    """CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
         INSERT INTO notes_fts(notes_fts, rowid, title, description)
         VALUES ('delete', old.rowid, old.title, old.description);
       END""",
    """CREATE TRIGGER notes_fts_update AFTER UPDATE OF title, description ON notes BEGIN
         INSERT INTO notes_fts(notes_fts, rowid, title, description)
         VALUES ('delete', old.rowid, old.title, old.description);
         INSERT INTO notes_fts(rowid, title, description)
         VALUES (new.rowid, new.title, new.description);
       END""",
]


def rebuild_search_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("INSERT INTO notes_fts(notes_fts) VALUES ('rebuild')")


def _backfill_sort_keys() -> None:
    """Existing notes get their sort keys, and board positions in their current order."""
    bind = op.get_bind()
    notes = sa.table(
        "notes",
        sa.column("id", sa.Uuid()),
        sa.column("user_id", sa.Uuid()),
        sa.column("title", sa.String()),
        sa.column("status", sa.String()),
        sa.column("priority", sa.String()),
        sa.column("created_at", UTCDateTime()),
        sa.column("title_key", sa.String()),
        sa.column("status_rank", sa.SmallInteger()),
        sa.column("priority_rank", sa.SmallInteger()),
        sa.column("position", sa.String()),
    )
    rows = bind.execute(
        sa.select(
            notes.c.id, notes.c.user_id, notes.c.title, notes.c.status, notes.c.priority
        ).order_by(notes.c.user_id, notes.c.status, notes.c.created_at.desc(), notes.c.id.desc())
    ).all()
    column: list[tuple[object, ...]] = []
    for index, row in enumerate(rows):
        column.append(tuple(row))
        last = index + 1 == len(rows)
        if last or (rows[index + 1].user_id, rows[index + 1].status) != (row.user_id, row.status):
            keys = generate_n_keys_between(None, None, len(column))
            for (note_id, _user, title, status, priority), key in zip(column, keys, strict=True):
                bind.execute(
                    notes.update()
                    .where(notes.c.id == note_id)
                    .values(
                        position=key,
                        **sort_keys(title=str(title), status=str(status), priority=str(priority)),
                    )
                )
            column = []


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    c_collation = "C" if dialect == "postgresql" else None
    op.add_column("notes", sa.Column("deleted_at", UTCDateTime(), nullable=True))
    op.add_column(
        "notes",
        sa.Column(
            "position", sa.String(64, collation=c_collation), nullable=False, server_default="a0"
        ),
    )
    op.add_column(
        "notes", sa.Column("status_rank", sa.SmallInteger(), nullable=False, server_default="0")
    )
    op.add_column(
        "notes", sa.Column("priority_rank", sa.SmallInteger(), nullable=False, server_default="0")
    )
    op.add_column(
        "notes",
        sa.Column(
            "title_key", sa.String(600, collation=c_collation), nullable=False, server_default=""
        ),
    )
    op.add_column("notes", sa.Column("origin_id", sa.String(64), nullable=True))
    _backfill_sort_keys()

    op.drop_index("ix_notes_user_created_id", table_name="notes")
    for name, columns in LIST_INDEXES.items():
        op.create_index(
            name, "notes", columns, postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE)
        )
    op.create_index(
        "ix_notes_trash",
        "notes",
        ["user_id", "deleted_at", "id"],
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
    )
    op.create_index("ix_notes_deleted_at", "notes", ["deleted_at"])
    op.create_index("uq_notes_user_id_origin_id", "notes", ["user_id", "origin_id"], unique=True)

    op.add_column(
        "note_usage", sa.Column("last_event", sa.BigInteger(), nullable=False, server_default="0")
    )
    op.add_column("users", sa.Column("origin_id", sa.String(64), nullable=True))
    op.create_index("uq_users_origin_id", "users", ["origin_id"], unique=True)
    op.create_table(
        "note_revisions",
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(8), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"], ["notes.id"], name="fk_note_revisions_note_id_notes", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("note_id", "version", name="pk_note_revisions"),
    )
    op.create_table(
        "note_events",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("note_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_note_events_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "seq", name="pk_note_events"),
    )
    op.create_index("ix_note_events_created_at", "note_events", ["created_at"])
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])

    for statement in PG_SEARCH if dialect == "postgresql" else SQLITE_SEARCH:
        op.execute(statement)
    rebuild_search_index()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.drop_index("ix_notes_search", table_name="notes")
        op.drop_column("notes", "search_vector")
        op.execute("DROP FUNCTION IF EXISTS notestack_unaccent(text)")
    else:
        for trigger in ("notes_fts_insert", "notes_fts_delete", "notes_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS notes_fts")
    op.drop_table("idempotency_keys")
    op.drop_table("note_events")
    op.drop_table("note_revisions")
    op.drop_column("note_usage", "last_event")
    op.drop_index("uq_users_origin_id", table_name="users")
    op.drop_column("users", "origin_id")
    for name in [*LIST_INDEXES, "ix_notes_trash", "ix_notes_deleted_at"]:
        op.drop_index(name, table_name="notes")
    op.drop_index("uq_notes_user_id_origin_id", table_name="notes")
    op.create_index(
        "ix_notes_user_created_id",
        "notes",
        ["user_id", sa.text("created_at DESC"), sa.text("id DESC")],
    )
    for column in ("origin_id", "title_key", "priority_rank", "status_rank", "position"):
        op.drop_column("notes", column)
    op.drop_column("notes", "deleted_at")
