"""procedure runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 04:31:49.077709
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "procedure_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.String(length=40), nullable=False),
        sa.Column("procedure_version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "in_progress",
                "completed",
                "stopped",
                "redirected",
                name="runstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("current_step", sa.String(length=40), nullable=True),
        sa.Column("path", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("continued_in_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["continued_in_id"],
            ["procedure_runs.id"],
            name=op.f("fk_procedure_runs_continued_in_id_procedure_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_procedure_runs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_runs")),
    )
    with op.batch_alter_table("procedure_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procedure_runs_procedure_id"), ["procedure_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_procedure_runs_user_id"), ["user_id"], unique=False)

    op.create_table(
        "procedure_step_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(length=40), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "done",
                "skipped",
                "answered",
                "photo",
                "back",
                name="stepoutcome",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("answer", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("photo_file_id", sa.String(length=255), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["procedure_runs.id"],
            name=op.f("fk_procedure_step_events_run_id_procedure_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_step_events")),
    )
    with op.batch_alter_table("procedure_step_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procedure_step_events_run_id"), ["run_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("procedure_step_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedure_step_events_run_id"))

    op.drop_table("procedure_step_events")
    with op.batch_alter_table("procedure_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedure_runs_user_id"))
        batch_op.drop_index(batch_op.f("ix_procedure_runs_procedure_id"))

    op.drop_table("procedure_runs")
