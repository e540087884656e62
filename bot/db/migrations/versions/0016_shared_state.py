"""State every replica shares: `media_blobs` (evidence photos and files kept in the database
when MEDIA_STORE=database, named by their SHA-256) and, on PostgreSQL, `send_windows` (the times
of the messages sent in the last second, per chat and for the whole bot, when no Redis keeps
them). `send_windows` is UNLOGGED: a crash that empties it forgets at most one second.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_media_blobs")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE UNLOGGED TABLE send_windows ("
            " key text CONSTRAINT pk_send_windows PRIMARY KEY,"
            " sends timestamptz[] NOT NULL,"
            " wait_seconds double precision NOT NULL)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("send_windows")
    op.drop_table("media_blobs")
