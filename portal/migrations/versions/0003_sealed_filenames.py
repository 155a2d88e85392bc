"""documents.filename sealed at rest (people name files after what is in them)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_docs = sa.table('documents', sa.column('id', sa.Integer), sa.column('filename', sa.Text))


def _rewrite(convert: object) -> None:
    bind = op.get_bind()
    for row in bind.execute(sa.select(_docs.c.id, _docs.c.filename)).all():
        bind.execute(
            _docs.update().where(_docs.c.id == row.id).values(filename=convert(row.filename))  # type: ignore[operator]
        )


def upgrade() -> None:
    from portal.db.sealed import sealer

    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE documents ALTER COLUMN filename TYPE TEXT')
    box = sealer()
    _rewrite(lambda name: box.seal(name.encode()))


def downgrade() -> None:
    from portal.db.sealed import sealer

    box = sealer()
    _rewrite(lambda token: box.open(token).decode()[:255])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE documents ALTER COLUMN filename TYPE VARCHAR(255)')
