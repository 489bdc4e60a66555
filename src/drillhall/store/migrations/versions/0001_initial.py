"""The initial history schema: runs, results, findings, metrics, journal entries, violations.

Written by hand to match :mod:`drillhall.store.schema` as of drillhall 0.1; plain SQLAlchemy
types only, so that this file never changes when the application code does.

Revision ID: 0001_initial
Revises:
Create Date: 2026-05-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_AWARE = sa.DateTime(timezone=True)


def _result_key() -> list[sa.Column[int] | sa.Column[str]]:
    return [
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("result", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("ordinal", sa.Integer(), nullable=False, autoincrement=False),
    ]


def _result_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["run_id", "result"],
        ["results.run_id", "results.ordinal"],
        name=f"fk_{table}_run_id_result_results",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("service", sa.String(), nullable=False),
        sa.Column("started", _AWARE, nullable=False),
        sa.Column("finished", _AWARE, nullable=False),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("drillhall_version", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_service_started", "runs", ["service", "started"])
    op.create_index("ix_runs_started", "runs", ["started"])

    op.create_table(
        "results",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("drill", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("diagnostics", sa.Text(), nullable=True),
        sa.Column("started", _AWARE, nullable=False),
        sa.Column("finished", _AWARE, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "ordinal", name="pk_results"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_results_run_id_runs", ondelete="CASCADE"
        ),
    )

    op.create_table(
        "findings",
        *_result_key(),
        sa.Column("rule_id", sa.String(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(), nullable=False),
        sa.Column("confidence", sa.String(), nullable=False),
        sa.Column("loc_path", sa.Text(), nullable=True),
        sa.Column("loc_line", sa.Integer(), nullable=True),
        sa.Column("loc_column", sa.Integer(), nullable=True),
        sa.Column("loc_row", sa.Integer(), nullable=True),
        sa.Column("loc_field", sa.Text(), nullable=True),
        sa.Column("loc_uri", sa.Text(), nullable=True),
        sa.Column("loc_symbol", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("remediation", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "result", "ordinal", name="pk_findings"),
        _result_fk("findings"),
    )
    op.create_index("ix_findings_rule_id", "findings", ["rule_id"])
    op.create_index("ix_findings_fingerprint", "findings", ["fingerprint"])

    op.create_table(
        "metrics",
        *_result_key(),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "result", "ordinal", name="pk_metrics"),
        _result_fk("metrics"),
    )
    op.create_index("ix_metrics_name", "metrics", ["name"])

    op.create_table(
        "journal_entries",
        *_result_key(),
        sa.Column("at", _AWARE, nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "result", "ordinal", name="pk_journal_entries"),
        _result_fk("journal_entries"),
    )

    op.create_table(
        "violations",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("drill", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", "ordinal", name="pk_violations"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_violations_run_id_runs", ondelete="CASCADE"
        ),
    )


def downgrade() -> None:
    for table in ("violations", "journal_entries", "metrics", "findings", "results", "runs"):
        op.drop_table(table)
