"""Countries: printed as official records name them, and found by the abbreviations and long
forms officers type (field review, December 2026)."""

from __future__ import annotations

import pytest

from bot.services.report_fields import (
    COUNTRY_ALIASES,
    AmbiguousCountry,
    Section,
    check_countries,
    check_country,
    country_codes,
    country_name,
    field_of,
)

DEPARTURE = field_of(Section.INCIDENT, "route_departure")
TRANSIT = field_of(Section.INCIDENT, "route_transit")


def test_kyrgyzstan_is_named_as_in_official_records_in_every_language():
    # CLDR names it «Киргизия» in Russian; documents of the Kyrgyz Republic write «Кыргызстан».
    assert country_name("KG", "ru") == "Кыргызстан"
    assert country_name("KG", "ky") == "Кыргызстан"
    assert country_name("KG", "en") == "Kyrgyzstan"


def test_other_countries_keep_their_cldr_names_and_an_unknown_code_prints_as_it_is():
    assert country_name("KZ", "ru") == "Казахстан"
    assert country_name("TJ", "ky") == "Тажикстан"
    assert country_name("UZ", "en") == "Uzbekistan"
    assert country_name("XX", "ru") == "XX"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("КР", "KG"),
        ("кр", "KG"),
        ("Кыргыз Республикасы", "KG"),
        ("Кыргызская Республика", "KG"),
        ("Kyrgyz Republic", "KG"),
        ("Кыргызстан", "KG"),
        ("Киргизия", "KG"),  # CLDR's Russian name is still understood
        ("РФ", "RU"),
        ("Российская Федерация", "RU"),
        ("Russian Federation", "RU"),
        ("RF", "RU"),
        ("РК", "KZ"),
        ("Республика Казахстан", "KZ"),
        ("RK", "KZ"),
        ("РУз", "UZ"),
        ("руз", "UZ"),
        ("Республика Узбекистан", "UZ"),
        ("RUz", "UZ"),
        ("РТ", "TJ"),
        ("Республика Таджикистан", "TJ"),
        ("RT", "TJ"),
        ("КНР", "CN"),
        ("Китайская Народная Республика", "CN"),
        ("PRC", "CN"),
        ("  кыргызская   республика ", "KG"),
    ],
)
def test_abbreviations_and_official_long_forms_are_understood(typed, code):
    assert check_country(DEPARTURE, typed) == code


def test_latin_iso_codes_win_over_look_alike_abbreviations():
    # Latin KR is South Korea (ISO), never Kyrgyzstan; KP, PK and PT look like Cyrillic КР, РК
    # and РТ but, typed in Latin letters, are North Korea, Pakistan and Portugal.
    assert check_country(DEPARTURE, "KR") == "KR"
    assert check_country(DEPARTURE, "kr") == "KR"
    assert check_country(DEPARTURE, "KP") == "KP"
    assert check_country(DEPARTURE, "PK") == "PK"
    assert check_country(DEPARTURE, "PT") == "PT"
    # North Korea's Russian abbreviation is not China's.
    assert check_country(DEPARTURE, "КНДР") == "KP"


def test_a_text_mixing_both_scripts_is_read_as_cyrillic():
    assert check_country(DEPARTURE, "Pк") == "KZ"  # Latin P, Cyrillic к
    assert check_country(DEPARTURE, "КP") == "KG"  # Cyrillic К, Latin P


def test_abbreviations_work_in_a_list_of_transit_countries():
    assert check_countries(TRANSIT, "РК, РУз; РФ") == ["KZ", "UZ", "RU"]


def test_a_word_shared_by_several_long_forms_asks_which_country():
    with pytest.raises(AmbiguousCountry) as several:
        check_country(DEPARTURE, "Республика")
    assert {"KG", "KZ", "TJ", "UZ"} <= set(several.value.candidates)


def test_aliases_add_no_country_and_name_only_real_ones():
    assert set(COUNTRY_ALIASES) <= country_codes()
    assert len(country_codes()) > 240
