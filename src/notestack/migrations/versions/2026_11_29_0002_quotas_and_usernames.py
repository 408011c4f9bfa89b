"""Quotas (per-note size, per-user usage) and usernames unique by a folded key.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _octets(column: str, dialect: str) -> str:
    return (
        f"octet_length({column})" if dialect == "postgresql" else f"length(CAST({column} AS BLOB))"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("notes") as batch:
        batch.add_column(sa.Column("size_bytes", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        f"UPDATE notes SET size_bytes = {_octets('title', dialect)} + "
        f"{_octets('description', dialect)}"
    )
    op.create_table(
        "note_usage",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("note_count", sa.Integer(), nullable=False),
        sa.Column("note_bytes", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_note_usage_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_note_usage"),
    )
    op.execute(
        "INSERT INTO note_usage (user_id, note_count, note_bytes) "
        "SELECT user_id, count(*), sum(size_bytes) FROM notes GROUP BY user_id"
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("username_key", sa.String(120), nullable=True))
    # Usernames so far were lower-case ASCII: their folded key is themselves.
    op.execute("UPDATE users SET username_key = username")
    with op.batch_alter_table("users") as batch:
        batch.alter_column("username_key", existing_type=sa.String(120), nullable=False)
        batch.drop_constraint("uq_users_username", type_="unique")
        batch.create_unique_constraint("uq_users_username_key", ["username_key"])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_username_key", type_="unique")
        batch.create_unique_constraint("uq_users_username", ["username"])
        batch.drop_column("username_key")
    op.drop_table("note_usage")
    with op.batch_alter_table("notes") as batch:
        batch.drop_column("size_bytes")
