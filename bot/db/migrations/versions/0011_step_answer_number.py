"""A question step's event keeps which answer was chosen, not only where it led: in
`first-response`, "Firearm" and "Both" both lead to `firearm-safe`, and the report's PDF must
print the decision itself.

Events recorded before keep no number; their answer is named from where it led.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("procedure_step_events", sa.Column("answer_number", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("procedure_step_events") as batch:
        batch.drop_column("answer_number")
