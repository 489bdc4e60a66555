"""The Chaos Day incident log.

Revision ID: 0002_chaosday_log
Revises: 0001_initial
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002_chaosday_log"
down_revision: str | None = "0001_initial"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "chaosday_log",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("day", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("experiment", sa.String(), nullable=True),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("status", sa.String(), nullable=True),
        sa.Column("run_id", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_chaosday_log"),
    )
    op.create_index("ix_chaosday_log_day_at", "chaosday_log", ["day", "at"])


def downgrade() -> None:
    op.drop_index("ix_chaosday_log_day_at", table_name="chaosday_log")
    op.drop_table("chaosday_log")
