"""Correct the names of seeded crossing points (field review, December 2026).

The names print on official records ("Место: Кайынды"). Russian: Kainda is «Каинды», Tokmok
«Токмак», Chaldybar «Чалдовар»; Kyrgyz: «Кайыңды», «Токмок», «Эркечтам», «Чалдыбар» (Kyrgyz
names were empty, so Kyrgyz screens showed the Russian ones). The other crossing points keep an
empty Kyrgyz name until the service confirms it (locales/QUESTIONS.md): no name is guessed.

Rows are updated in place, so reports keep their unit. A name an administrator has changed since
the seed is left as it is, on the way up and on the way down.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# code: (Russian as seeded, Russian corrected, Kyrgyz)
CORRECTIONS = {
    "KAINDA": ("Кайынды", "Каинды", "Кайыңды"),
    "TOKMOK": ("Токмок", "Токмак", "Токмок"),
    "IRKESHTAM": ("Иркештам", "Иркештам", "Эркечтам"),
    "CHALDYBAR": ("Чалдыбар", "Чалдовар", "Чалдыбар"),
}

units = sa.table(
    "units",
    sa.column("code", sa.String),
    sa.column("name_ru", sa.String),
    sa.column("name_ky", sa.String),
)


def _rename(code: str, column: str, old: str | None, new: str | None) -> None:
    current = units.c[column]
    unchanged = current.is_(None) if old is None else current == old
    op.execute(units.update().where(units.c.code == code, unchanged).values({column: new}))


def upgrade() -> None:
    for code, (seeded_ru, russian, kyrgyz) in CORRECTIONS.items():
        if russian != seeded_ru:
            _rename(code, "name_ru", seeded_ru, russian)
        _rename(code, "name_ky", None, kyrgyz)


def downgrade() -> None:
    for code, (seeded_ru, russian, kyrgyz) in CORRECTIONS.items():
        if russian != seeded_ru:
            _rename(code, "name_ru", russian, seeded_ru)
        _rename(code, "name_ky", kyrgyz, None)
