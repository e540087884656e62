"""Chain of custody (issue 19): hand-overs of a report's items, confirmed by both sides, and
who holds each item now.

`custody_transfers` holds each hand-over (items, giver, receiver or outside body, purpose, seal
number and photo, seal intact, status, refusal reason, signed act, reminder times); an open
seal number is unique. `custody_holdings` holds one row per item handed over at least once: its
holder and the hand-over of it still open. Items never handed over are held by the report's
officer, so nothing is filled here.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_SEAL = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_table(
        "custody_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("giver_id", sa.Integer(), nullable=False),
        sa.Column("receiver_id", sa.Integer(), nullable=True),
        sa.Column("receiver_text", sa.String(length=200), nullable=True),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("seal_number", sa.String(length=64), nullable=False),
        sa.Column("seal_photo_file_id", sa.String(length=255), nullable=False),
        sa.Column("seal_photo_sha256", sa.String(length=64), nullable=False),
        sa.Column("seal_intact", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "confirmed",
                "refused",
                "cancelled",
                name="transferstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("refused_reason", sa.String(length=500), nullable=True),
        sa.Column("act_photo_file_id", sa.String(length=255), nullable=True),
        sa.Column("act_photo_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["seizure_reports.id"],
            name=op.f("fk_custody_transfers_report_id_seizure_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["giver_id"],
            ["users.id"],
            name=op.f("fk_custody_transfers_giver_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["receiver_id"],
            ["users.id"],
            name=op.f("fk_custody_transfers_receiver_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_transfers")),
    )
    op.create_index(op.f("ix_custody_transfers_report_id"), "custody_transfers", ["report_id"])
    op.create_index(
        "uq_custody_transfers_open_seal",
        "custody_transfers",
        ["seal_number"],
        unique=True,
        sqlite_where=OPEN_SEAL,
        postgresql_where=OPEN_SEAL,
    )
    op.create_table(
        "custody_holdings",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("item_number", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=True),
        sa.Column("holder_text", sa.String(length=200), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("open_transfer_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["seizure_reports.id"],
            name=op.f("fk_custody_holdings_report_id_seizure_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"],
            ["users.id"],
            name=op.f("fk_custody_holdings_holder_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["open_transfer_id"],
            ["custody_transfers.id"],
            name=op.f("fk_custody_holdings_open_transfer_id_custody_transfers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("report_id", "item_number", name=op.f("pk_custody_holdings")),
    )


def downgrade() -> None:
    op.drop_table("custody_holdings")
    op.drop_index("uq_custody_transfers_open_seal", table_name="custody_transfers")
    op.drop_index(op.f("ix_custody_transfers_report_id"), table_name="custody_transfers")
    op.drop_table("custody_transfers")
