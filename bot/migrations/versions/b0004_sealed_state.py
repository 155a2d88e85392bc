"""sealed at rest: conversation state and help-request summaries as Fernet tokens

Revision ID: b0004
Revises: b0003
Create Date: 2026-11-30 17:00:00.000000

Existing rows are sealed with the settings' BOT_DATA_KEY; the downgrade opens them.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b0004"
down_revision: str | None = "b0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, key column, sealed column)
SEALED = (("conversations", "key", "state"), ("handoff_requests", "id", "summary"))


def _rewrite(table: str, key: str, column: str, convert: object) -> None:
    bind = op.get_bind()
    t = sa.table(table, sa.column(key), sa.column(column, sa.Text))
    for row in bind.execute(sa.select(t.c[key], t.c[column])).all():
        if row[1] is not None:
            new = convert(row[1])  # type: ignore[operator]
            bind.execute(t.update().where(t.c[key] == row[0]).values({column: new}))


def upgrade() -> None:
    from bot.store.sealed import sealer

    box = sealer()
    for table, key, column in SEALED:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE TEXT USING {column}::text")
        # SQLite keeps JSON as text already.
        _rewrite(table, key, column, lambda raw: box.seal_json(json.loads(raw)))


def downgrade() -> None:
    from bot.store.sealed import sealer

    box = sealer()
    for table, key, column in SEALED:
        _rewrite(table, key, column, lambda raw: json.dumps(box.open_json(raw), ensure_ascii=False))
        if op.get_bind().dialect.name == "postgresql":
            op.execute(
                f"ALTER TABLE {table} ALTER COLUMN {column} TYPE JSONB USING {column}::jsonb"
            )
