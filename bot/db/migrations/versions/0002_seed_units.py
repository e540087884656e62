"""Seed the unit hierarchy with the border crossing points of shared/domain/places.md.

The detachment level (one per oblast) is an assumption made for a first start; the
service's own structure replaces it through the admin screens or the CLI.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HEADQUARTERS = ("BS", "Border Service", "Пограничная служба ГКНБ", "УКМКнын Чек ара кызматы")

# code, English, Russian, Kyrgyz
DETACHMENTS = [
    ("CHUY", "Chüy border detachment", "Чуйский пограничный отряд", "Чүй чек ара отряды"),
    ("OSH", "Osh border detachment", "Ошский пограничный отряд", "Ош чек ара отряды"),
    (
        "JALAL-ABAD",
        "Jalal-Abad border detachment",
        "Джалал-Абадский пограничный отряд",
        "Жалал-Абад чек ара отряды",
    ),
    ("BATKEN", "Batken border detachment", "Баткенский пограничный отряд", "Баткен чек ара отряды"),
    ("NARYN", "Naryn border detachment", "Нарынский пограничный отряд", "Нарын чек ара отряды"),
]

# code, English, Russian (Kyrgyz is written as in Russian), neighbour, detachment, kind
CROSSING_POINTS = [
    ("AK-ZHOL", "Ak-Zhol", "Ак-Жол", "KZ", "CHUY", "road"),
    ("AK-TILEK", "Ak-Tilek", "Ак-Тилек", "KZ", "CHUY", "road"),
    ("TOKMOK", "Tokmok", "Токмок", "KZ", "CHUY", "road"),
    ("KEN-BULUN", "Ken-Bulun", "Кен-Булун", "KZ", "CHUY", "road"),
    ("CHALDYBAR", "Chaldybar", "Чалдыбар", "KZ", "CHUY", "road"),
    ("KAINDA", "Kainda", "Кайынды", "KZ", "CHUY", "rail"),
    ("DOSTUK", "Dostuk", "Достук", "UZ", "OSH", "road"),
    ("KARA-SUU", "Kara-Suu", "Кара-Суу", "UZ", "OSH", "road"),
    ("KARA-BAGYSH", "Kara-Bagysh", "Кара-Багыш", "UZ", "OSH", "road"),
    ("KEN-SAI", "Ken-Sai", "Кен-Сай", "UZ", None, "road"),
    ("BEK-ABAD", "Bek-Abad", "Бек-Абад", "UZ", "JALAL-ABAD", "road"),
    ("MADANIYAT", "Madaniyat", "Маданият", "UZ", "JALAL-ABAD", "road"),
    ("BAYMAK", "Baymak", "Баймак", "UZ", None, "road"),
    ("KYZYL-KIYA", "Kyzyl-Kiya", "Кызыл-Кия", "UZ", "BATKEN", "road"),
    ("AIRYBAS", "Airybas", "Айрыбаш", "UZ", "BATKEN", "road"),
    ("KULUNDU", "Kulundu", "Кулунду", "TJ", "BATKEN", "road"),
    ("KAIRAGACH", "Kairagach", "Кайрагач", "TJ", "BATKEN", "road"),
    ("KYZYL-BEL", "Kyzyl-Bel", "Кызыл-Бел", "TJ", "BATKEN", "road"),
    ("KARAMYK", "Karamyk", "Карамык", "TJ", "OSH", "road"),
    ("BOR-DOBO", "Bor-Dobo", "Бор-Добо", "TJ", "OSH", "road"),
    ("TORUGART", "Torugart", "Торугарт", "CN", "NARYN", "road"),
    ("IRKESHTAM", "Irkeshtam", "Иркештам", "CN", "OSH", "road"),
    ("MANAS-AIRPORT", "Manas airport", "Аэропорт Манас", None, "CHUY", "air"),
    ("OSH-AIRPORT", "Osh airport", "Аэропорт Ош", None, "OSH", "air"),
]

units = sa.table(
    "units",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("name_ru", sa.String),
    sa.column("name_ky", sa.String),
    sa.column("kind", sa.String),
    sa.column("crossing_type", sa.String),
    sa.column("neighbour", sa.String),
    sa.column("parent_id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _insert(code: str, name: str, name_ru: str, name_ky: str | None, kind: str, **extra) -> int:
    connection = op.get_bind()
    result = connection.execute(
        units.insert()
        .values(
            code=code,
            name=name,
            name_ru=name_ru,
            name_ky=name_ky,
            kind=kind,
            created_at=datetime.now(UTC),
            **extra,
        )
        .returning(units.c.id)
    )
    return result.scalar_one()


def upgrade() -> None:
    code, name, name_ru, name_ky = HEADQUARTERS
    headquarters = _insert(code, name, name_ru, name_ky, "headquarters")
    detachments = {
        code: _insert(code, name, name_ru, name_ky, "detachment", parent_id=headquarters)
        for code, name, name_ru, name_ky in DETACHMENTS
    }
    for code, name, name_ru, neighbour, detachment, crossing_type in CROSSING_POINTS:
        _insert(
            code,
            name,
            name_ru,
            None,
            "crossing_point",
            crossing_type=crossing_type,
            neighbour=neighbour,
            parent_id=detachments.get(detachment, headquarters),
        )


def downgrade() -> None:
    codes = [row[0] for row in CROSSING_POINTS] + [row[0] for row in DETACHMENTS]
    op.execute(units.delete().where(units.c.code.in_(codes)))
    op.execute(units.delete().where(units.c.code == HEADQUARTERS[0]))
