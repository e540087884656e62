"""The report as an official record (field review §D): case references, conveyance by type,
serials per marked part, tracing, the officers who made a weapon safe and verified it, the state
of ammunition and explosives, and the agencies notified.

Answers live in the report's JSON details, so new fields need no column. Drafts gain the list of
agencies notified (`notices`), which the form reads as it reads items and persons. Reports and
their revisions are not touched: they print every field they hold, as filed, even a field the
form no longer asks in their case (a train's registration plate, an explosive's "condition").
On the way down the drafts' agencies notified are dropped (the older form cannot show them).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

drafts = sa.table("report_drafts", sa.column("id", sa.Integer), sa.column("content", sa.JSON))


def _rewrite(change) -> None:
    connection = op.get_bind()
    for draft_id, content in connection.execute(sa.select(drafts.c.id, drafts.c.content)).all():
        changed = change(dict(content or {}))
        if changed is not None:
            connection.execute(
                drafts.update().where(drafts.c.id == draft_id).values(content=changed)
            )


def _with_notices(content: dict) -> dict | None:
    if "notices" in content:
        return None
    return {**content, "notices": []}


def _without_notices(content: dict) -> dict | None:
    if "notices" not in content:
        return None
    return {key: value for key, value in content.items() if key != "notices"}


def upgrade() -> None:
    _rewrite(_with_notices)


def downgrade() -> None:
    _rewrite(_without_notices)
