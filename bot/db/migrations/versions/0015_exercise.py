"""Exercise mode and drills (issue 19): a person or a unit in exercise, reports, drafts and
procedure runs marked as exercise (and the drill they were part of), report numbers counted in
their own series per unit and year, and `drills` with their `drill_participants`. Every row
already there is real work: not an exercise, in the series "".

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MARKED_TABLES = ("procedure_runs", "seizure_reports", "report_drafts")


def upgrade() -> None:
    op.create_table(
        "drills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["users.id"],
            name=op.f("fk_drills_supervisor_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drills")),
    )
    op.create_index(op.f("ix_drills_supervisor_id"), "drills", ["supervisor_id"])
    op.create_table(
        "drill_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["drill_id"],
            ["drills.id"],
            name=op.f("fk_drill_participants_drill_id_drills"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["users.id"],
            name=op.f("fk_drill_participants_officer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_participants")),
        sa.UniqueConstraint("drill_id", "officer_id", name=op.f("uq_drill_participants_drill_id")),
    )
    op.create_index(op.f("ix_drill_participants_drill_id"), "drill_participants", ["drill_id"])
    op.create_index(op.f("ix_drill_participants_officer_id"), "drill_participants", ["officer_id"])
    for table in ("units", "users", *MARKED_TABLES):
        op.add_column(
            table,
            sa.Column("exercise", sa.Boolean(), nullable=False, server_default=sa.false()),
        )
    # SQLite adds a column, not a foreign key, without copying the table, and copying
    # seizure_reports would cascade-delete whatever refers to it: the link is kept by the
    # models there, by the database on PostgreSQL.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in MARKED_TABLES:
        op.add_column(table, sa.Column("drill_id", sa.Integer(), nullable=True))
        op.create_index(op.f(f"ix_{table}_drill_id"), table, ["drill_id"])
        if not sqlite:
            op.create_foreign_key(
                op.f(f"fk_{table}_drill_id_drills"),
                table,
                "drills",
                ["drill_id"],
                ["id"],
                ondelete="SET NULL",
            )
    # Nothing refers to the counters, so SQLite may copy the table to change its key.
    with op.batch_alter_table("report_counters") as batch:
        batch.add_column(
            sa.Column("series", sa.String(length=4), nullable=False, server_default="")
        )
        batch.drop_constraint("pk_report_counters", type_="primary")
        batch.create_primary_key("pk_report_counters", ["unit_id", "year", "series"])


def downgrade() -> None:
    op.execute("DELETE FROM report_counters WHERE series <> ''")
    with op.batch_alter_table("report_counters") as batch:
        batch.drop_constraint("pk_report_counters", type_="primary")
        batch.create_primary_key("pk_report_counters", ["unit_id", "year"])
        batch.drop_column("series")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in MARKED_TABLES:
        if not sqlite:
            op.drop_constraint(op.f(f"fk_{table}_drill_id_drills"), table, type_="foreignkey")
        op.drop_index(op.f(f"ix_{table}_drill_id"), table)
        op.drop_column(table, "drill_id")
    for table in ("units", "users", *MARKED_TABLES):
        op.drop_column(table, "exercise")
    op.drop_table("drill_participants")
    op.drop_table("drills")
