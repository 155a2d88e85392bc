"""the console's sign-in: staff password (Argon2 hash), failed sign-ins and lock-out,
server-side console sessions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('staff') as batch:
        batch.add_column(sa.Column('password_hash', sa.String(length=255), nullable=True))
        batch.add_column(
            sa.Column('failed_signins', sa.Integer(), nullable=False, server_default='0')
        )
        batch.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'console_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('staff_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('csrf', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_console_sessions_staff_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_console_sessions')),
    )
    op.create_index(op.f('ix_console_sessions_staff_id'), 'console_sessions', ['staff_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_console_sessions_staff_id'), table_name='console_sessions')
    op.drop_table('console_sessions')
    with op.batch_alter_table('staff') as batch:
        batch.drop_column('locked_until')
        batch.drop_column('failed_signins')
        batch.drop_column('password_hash')
