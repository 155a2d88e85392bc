"""personal data sealed at rest: answers and phone as Fernet tokens, lookup hashes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 17:00:00

Converts every existing row with the keys of the settings (DATA_KEY, LOOKUP_KEY):
answers and phone are sealed, and the citizen IDs and phones found in the answers are
indexed by keyed hash in ``lookups``. The downgrade opens them again.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_apps = sa.table(
    'applications',
    sa.column('id', sa.String),
    sa.column('procedure', sa.String),
    sa.column('answers', sa.Text),
    sa.column('phone', sa.Text),
)


def upgrade() -> None:
    from portal.db.sealed import sealer
    from portal.services.lookups import digests_for

    op.create_table('lookups',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('application_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_lookups_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lookups'))
    )
    op.create_index(op.f('ix_lookups_application_id'), 'lookups', ['application_id'], unique=False)
    op.create_index(op.f('ix_lookups_digest'), 'lookups', ['digest'], unique=False)

    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute('ALTER TABLE applications ALTER COLUMN answers TYPE TEXT USING answers::text')
        op.execute('ALTER TABLE applications ALTER COLUMN phone TYPE TEXT')
    # SQLite stores JSON as text already and ignores declared lengths: no DDL needed.

    box = sealer()
    rows = bind.execute(sa.select(_apps.c.id, _apps.c.procedure, _apps.c.answers, _apps.c.phone)).all()
    lookups = sa.table('lookups', sa.column('application_id'), sa.column('kind'), sa.column('digest'))
    for row in rows:
        answers = json.loads(row.answers) if row.answers else {}
        bind.execute(
            _apps.update()
            .where(_apps.c.id == row.id)
            .values(
                answers=box.seal_json(answers),
                phone=box.seal(row.phone.encode()) if row.phone else None,
            )
        )
        for kind, digest in digests_for(answers, row.phone):
            bind.execute(lookups.insert().values(application_id=row.id, kind=kind, digest=digest))


def downgrade() -> None:
    from portal.db.sealed import sealer

    bind = op.get_bind()
    box = sealer()
    rows = bind.execute(sa.select(_apps.c.id, _apps.c.answers, _apps.c.phone)).all()
    for row in rows:
        bind.execute(
            _apps.update()
            .where(_apps.c.id == row.id)
            .values(
                answers=json.dumps(box.open_json(row.answers), ensure_ascii=False),
                phone=box.open(row.phone).decode() if row.phone else None,
            )
        )
    if bind.dialect.name == 'postgresql':
        op.execute('ALTER TABLE applications ALTER COLUMN answers TYPE JSON USING answers::json')
        op.execute('ALTER TABLE applications ALTER COLUMN phone TYPE VARCHAR(16)')
    op.drop_index(op.f('ix_lookups_digest'), table_name='lookups')
    op.drop_index(op.f('ix_lookups_application_id'), table_name='lookups')
    op.drop_table('lookups')
