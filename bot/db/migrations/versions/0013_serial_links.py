"""Serials of filed items, normalised for comparison and indexed, and possible links between
seizures whose items carry the same serial (issue 19: serial hygiene and links).

`item_serials` holds one row per serial of a filed report's item (the primary serial and each
part's); it is rebuilt from the report's details whenever a revision is filed, so it is filled
here from the reports already filed. `serial_links` holds the links a supervisor confirms or
calls unrelated; a notification names the link it asks about.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_serials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("item_number", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("normalised", sa.String(length=64), nullable=False),
        sa.Column("make", sa.String(length=100), nullable=True),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["seizure_reports.id"],
            name=op.f("fk_item_serials_report_id_seizure_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_serials")),
    )
    op.create_index(op.f("ix_item_serials_report_id"), "item_serials", ["report_id"])
    op.create_index(op.f("ix_item_serials_normalised"), "item_serials", ["normalised"])
    op.create_table(
        "serial_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("item_number", sa.Integer(), nullable=False),
        sa.Column("earlier_report_id", sa.Integer(), nullable=False),
        sa.Column("earlier_item_number", sa.Integer(), nullable=False),
        sa.Column("normalised", sa.String(length=64), nullable=False),
        sa.Column("exact", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "possible",
                "confirmed",
                "unrelated",
                name="linkstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["seizure_reports.id"],
            name=op.f("fk_serial_links_report_id_seizure_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["earlier_report_id"],
            ["seizure_reports.id"],
            name=op.f("fk_serial_links_earlier_report_id_seizure_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_serial_links_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_serial_links")),
        sa.UniqueConstraint(
            "report_id",
            "earlier_report_id",
            "normalised",
            name=op.f("uq_serial_links_report_id_earlier_report_id_normalised"),
        ),
    )
    op.create_index(op.f("ix_serial_links_report_id"), "serial_links", ["report_id"])
    op.create_index(
        op.f("ix_serial_links_earlier_report_id"), "serial_links", ["earlier_report_id"]
    )
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("serial_link_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_notifications_serial_link_id_serial_links"),
            "serial_links",
            ["serial_link_id"],
            ["id"],
            ondelete="CASCADE",
        )
    _index_filed_serials()


def _index_filed_serials() -> None:
    # The same rows `bot.services.serials.record` writes when a report is filed.
    from bot.services.serials import serial_rows

    reports = sa.table(
        "seizure_reports", sa.column("id", sa.Integer), sa.column("details", sa.JSON)
    )
    item_serials = sa.table(
        "item_serials",
        *(sa.column(name) for name in ("report_id", "item_number", "field", "serial")),
        *(sa.column(name) for name in ("normalised", "make", "model")),
    )
    connection = op.get_bind()
    for report_id, details in connection.execute(sa.select(reports.c.id, reports.c.details)):
        rows = [{"report_id": report_id, **row} for row in serial_rows(details or {})]
        if rows:
            connection.execute(item_serials.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint(
            batch.f("fk_notifications_serial_link_id_serial_links"), type_="foreignkey"
        )
        batch.drop_column("serial_link_id")
    op.drop_table("serial_links")
    op.drop_table("item_serials")
