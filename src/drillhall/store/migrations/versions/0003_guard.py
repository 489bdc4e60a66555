"""The LLM guard proxy's client keys and audit log.

Revision ID: 0003_guard
Revises: 0002_chaosday_log
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003_guard"
down_revision: str | None = "0002_chaosday_log"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "guard_keys",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("key_id", sa.String(), nullable=False),
        sa.Column("salt", sa.String(), nullable=False),
        sa.Column("digest", sa.String(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_guard_keys"),
    )
    op.create_index("ix_guard_keys_key_id", "guard_keys", ["key_id"], unique=True)
    op.create_table(
        "guard_audit",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service", sa.String(), nullable=False),
        sa.Column("request_id", sa.String(), nullable=False),
        sa.Column("client", sa.String(), nullable=False),
        sa.Column("route", sa.String(), nullable=False),
        sa.Column("model", sa.String(), nullable=True),
        sa.Column("stream", sa.Boolean(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("blocked_by", sa.String(), nullable=True),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column("verdicts", sa.JSON(), nullable=False),
        sa.Column("prompt_sha256", sa.String(), nullable=True),
        sa.Column("answer_sha256", sa.String(), nullable=True),
        sa.Column("prompt_chars", sa.Integer(), nullable=False),
        sa.Column("answer_chars", sa.Integer(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("completion_tokens", sa.Integer(), nullable=True),
        sa.Column("cost", sa.Float(), nullable=True),
        sa.Column("guard_ms", sa.Float(), nullable=False),
        sa.Column("upstream_ms", sa.Float(), nullable=True),
        sa.Column("total_ms", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_guard_audit"),
    )
    op.create_index("ix_guard_audit_service_at", "guard_audit", ["service", "at"])
    op.create_index("ix_guard_audit_client_at", "guard_audit", ["client", "at"])


def downgrade() -> None:
    op.drop_index("ix_guard_audit_client_at", table_name="guard_audit")
    op.drop_index("ix_guard_audit_service_at", table_name="guard_audit")
    op.drop_table("guard_audit")
    op.drop_index("ix_guard_keys_key_id", table_name="guard_keys")
    op.drop_table("guard_keys")
