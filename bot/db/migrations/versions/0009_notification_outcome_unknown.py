"""A notification whose send timed out is "outcome unknown" (it may have arrived): the time the
send first timed out is kept, and every later send of it says it is a repeat.

The new status value `outcome_unknown` needs no change of the column: statuses are plain strings
(no native enum, no check constraint). On the way down such notifications become pending again.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "notifications",
        sa.Column("outcome_unknown_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    notifications = sa.table("notifications", sa.column("status", sa.String))
    op.execute(
        notifications.update()
        .where(notifications.c.status == "outcome_unknown")
        .values(status="pending")
    )
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("outcome_unknown_at")
