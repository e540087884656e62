"""full reports and drafts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 06:34:59.967160
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["users.id"],
            name=op.f("fk_report_drafts_officer_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["seizure_reports.id"],
            name=op.f("fk_report_drafts_report_id_seizure_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_drafts")),
        sa.UniqueConstraint("report_id", name=op.f("uq_report_drafts_report_id")),
    )
    op.create_index(
        op.f("ix_report_drafts_officer_id"), "report_drafts", ["officer_id"], unique=False
    )
    # Plain ADD COLUMN on both databases: no table is rebuilt under its foreign keys.
    op.add_column("report_photos", sa.Column("item_number", sa.Integer(), nullable=True))
    op.add_column(
        "seizure_reports", sa.Column("details", sa.JSON(), server_default="{}", nullable=False)
    )
    op.add_column(
        "seizure_reports",
        sa.Column("complete", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("seizure_reports") as batch_op:
        batch_op.drop_column("complete")
        batch_op.drop_column("details")
    with op.batch_alter_table("report_photos") as batch_op:
        batch_op.drop_column("item_number")
    op.drop_index(op.f("ix_report_drafts_officer_id"), table_name="report_drafts")
    op.drop_table("report_drafts")
