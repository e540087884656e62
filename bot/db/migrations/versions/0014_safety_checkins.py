"""Officer safety check-ins (issue 19): `safety_watches` holds one row per report filed with
explosives or someone in danger: when the next "Are you safe?" is due (counted from
`interval_from`), the checks sent and answered, how many went unanswered in a row and how many
supervisor levels were alerted, the last known location, when help was asked, and when and why
the officer ended the check-ins.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "safety_watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interval_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checks_sent", sa.Integer(), nullable=False),
        sa.Column("answered_check", sa.Integer(), nullable=False),
        sa.Column("last_check_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_answer_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unanswered", sa.Integer(), nullable=False),
        sa.Column("alerted_levels", sa.Integer(), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("located_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("help_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "closed_reason",
            sa.Enum(
                "sappers_took_over",
                "scene_closed",
                name="watchend",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["seizure_reports.id"],
            name=op.f("fk_safety_watches_report_id_seizure_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["users.id"],
            name=op.f("fk_safety_watches_officer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_watches")),
        sa.UniqueConstraint("report_id", name=op.f("uq_safety_watches_report_id")),
    )
    op.create_index(op.f("ix_safety_watches_officer_id"), "safety_watches", ["officer_id"])
    op.create_index(op.f("ix_safety_watches_interval_from"), "safety_watches", ["interval_from"])
    op.create_index(op.f("ix_safety_watches_closed_at"), "safety_watches", ["closed_at"])


def downgrade() -> None:
    op.drop_table("safety_watches")
