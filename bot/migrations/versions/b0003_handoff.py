"""handoff: cases (forum topics), case log, volunteer assist requests

Revision ID: b0003
Revises: b0002
Create Date: 2026-11-28 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b0003"
down_revision: str | None = "b0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "handoff_cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("topic_id", sa.BigInteger(), nullable=True),
        sa.Column("staff_id", sa.BigInteger(), nullable=True),
        sa.Column("staff_name", sa.String(length=100), nullable=True),
        sa.Column("citizen_name", sa.String(length=100), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("procedure", sa.String(length=100), nullable=True),
        sa.Column("app_id", sa.String(length=64), nullable=True),
        sa.Column("step", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoff_cases_key", "handoff_cases", ["key"])
    op.create_index("ix_handoff_cases_status", "handoff_cases", ["status"])
    op.create_index("ix_handoff_cases_topic_id", "handoff_cases", ["topic_id"])
    op.create_table(
        "handoff_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoff_log_case_id", "handoff_log", ["case_id"])
    op.create_table(
        "assist_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("volunteer_id", sa.BigInteger(), nullable=False),
        sa.Column("volunteer_name", sa.String(length=100), nullable=False),
        sa.Column("citizen_key", sa.String(length=100), nullable=True),
        sa.Column("procedure", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("app_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("assist_requests")
    op.drop_index("ix_handoff_log_case_id", table_name="handoff_log")
    op.drop_table("handoff_log")
    op.drop_index("ix_handoff_cases_topic_id", table_name="handoff_cases")
    op.drop_index("ix_handoff_cases_status", table_name="handoff_cases")
    op.drop_index("ix_handoff_cases_key", table_name="handoff_cases")
    op.drop_table("handoff_cases")
