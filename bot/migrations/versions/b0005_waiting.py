"""conversations.waiting: the chat keeps portal writes made during an outage

Revision ID: b0005
Revises: b0004
Create Date: 2026-11-30 20:00:00.000000

Set at every save from ``state.outbox`` (the state itself is sealed, so unreadable to a
query): the background retry of any worker finds these chats, across restarts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b0005"
down_revision: str | None = "b0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(
            sa.Column("waiting", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Partial on PostgreSQL and SQLite alike: only the few waiting chats are indexed.
    op.create_index(
        "ix_conversations_waiting",
        "conversations",
        ["waiting"],
        postgresql_where=sa.text("waiting"),
        sqlite_where=sa.text("waiting"),
    )


def downgrade() -> None:
    op.drop_index("ix_conversations_waiting", table_name="conversations")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("waiting")
