"""seizure reports and notification outbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 05:25:36.562603
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "digest_days",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_digest_days")),
    )
    op.create_table(
        "report_counters",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_report_counters_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("unit_id", "year", name=op.f("pk_report_counters")),
    )
    op.create_table(
        "seizure_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=48), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "initial",
                "submitted",
                "returned",
                "acknowledged",
                "closed",
                name="reportstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "firearms",
                "ammunition",
                "explosives",
                "mixed",
                "other",
                name="foundcategory",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("anyone_in_danger", sa.Boolean(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("place_unit_id", sa.Integer(), nullable=True),
        sa.Column("place_text", sa.String(length=200), nullable=True),
        sa.Column(
            "item_estimate",
            sa.Enum(
                "1",
                "2-5",
                "6-20",
                "20+",
                "unknown",
                name="itemestimate",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("notification_pending", sa.Boolean(), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_by_id", sa.Integer(), nullable=True),
        sa.Column("return_comment", sa.String(length=1000), nullable=True),
        sa.Column("notified_levels", sa.Integer(), nullable=False),
        sa.Column("last_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
            name=op.f("fk_seizure_reports_acknowledged_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["users.id"],
            name=op.f("fk_seizure_reports_officer_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["place_unit_id"],
            ["units.id"],
            name=op.f("fk_seizure_reports_place_unit_id_units"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["returned_by_id"],
            ["users.id"],
            name=op.f("fk_seizure_reports_returned_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_seizure_reports_unit_id_units"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seizure_reports")),
        sa.UniqueConstraint("number", name=op.f("uq_seizure_reports_number")),
    )
    with op.batch_alter_table("seizure_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_seizure_reports_notification_pending"),
            ["notification_pending"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_seizure_reports_officer_id"), ["officer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_seizure_reports_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "undeliverable",
                name="deliverystatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_notifications_recipient_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["seizure_reports.id"],
            name=op.f("fk_notifications_report_id_seizure_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_available_at"), ["available_at"], unique=False
        )

    op.create_table(
        "report_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=False),
        sa.Column("file_unique_id", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["seizure_reports.id"],
            name=op.f("fk_report_photos_report_id_seizure_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_photos")),
    )
    with op.batch_alter_table("report_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_photos_report_id"), ["report_id"], unique=False)

    op.create_table(
        "report_procedure_runs",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["seizure_reports.id"],
            name=op.f("fk_report_procedure_runs_report_id_seizure_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["procedure_runs.id"],
            name=op.f("fk_report_procedure_runs_run_id_procedure_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "run_id", name=op.f("pk_report_procedure_runs")),
    )
    op.create_table(
        "report_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_report_revisions_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["seizure_reports.id"],
            name=op.f("fk_report_revisions_report_id_seizure_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_revisions")),
    )
    with op.batch_alter_table("report_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_revisions_report_id"), ["report_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("report_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_revisions_report_id"))

    op.drop_table("report_revisions")
    op.drop_table("report_procedure_runs")
    with op.batch_alter_table("report_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_photos_report_id"))

    op.drop_table("report_photos")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_available_at"))

    op.drop_table("notifications")
    with op.batch_alter_table("seizure_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seizure_reports_unit_id"))
        batch_op.drop_index(batch_op.f("ix_seizure_reports_officer_id"))
        batch_op.drop_index(batch_op.f("ix_seizure_reports_notification_pending"))

    op.drop_table("seizure_reports")
    op.drop_table("report_counters")
    op.drop_table("digest_days")
