"""Words the glossary lists as "not to be used" appear in no procedure and no catalog."""

from __future__ import annotations

import pytest
import yaml

from bot.i18n import LOCALES_DIR
from bot.procedures.checks import banned_term_problems
from bot.procedures.glossary import (
    GLOSSARY_PATH,
    BannedTerm,
    GlossaryError,
    catalog_problems,
    read_banned_terms,
)
from bot.procedures.library import PROCEDURES_DIR, SOURCES_FILE, ProcedureErrors, load_library
from bot.procedures.schema import Procedure
from tests.procedure_fixtures import BOMB, GLOSSARY, broken, write_glossary, write_library

SHIPPED = sorted(path for path in PROCEDURES_DIR.glob("*.yaml") if path.name != SOURCES_FILE)
CATALOGS = sorted(LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_no_shipped_procedure_uses_a_banned_term(path):
    procedure = Procedure.model_validate(yaml.safe_load(path.read_bytes()))
    assert banned_term_problems(path.name, procedure, read_banned_terms(GLOSSARY_PATH)) == []


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parent.parent.name)
def test_no_catalog_uses_a_banned_term(path):
    assert catalog_problems(path, read_banned_terms(GLOSSARY_PATH)) == []


def test_the_glossary_section_lists_each_banned_variant_with_its_language(tmp_path):
    terms = read_banned_terms(write_glossary(tmp_path))
    assert terms == [
        BannedTerm("trigger", ("ky",), "машаа", "курокко тийгизбеңиз"),
        BannedTerm("trigger", ("ky",), "машаа", "курокту баспаңыз"),
        BannedTerm(
            "dry-fire", ("ru",), "контрольный спуск не производите", "спуск курка вхолостую"
        ),
    ]


def test_a_glossary_without_the_section_bans_nothing(tmp_path):
    without = GLOSSARY.split("## Not to be used")[0]
    assert read_banned_terms(write_glossary(tmp_path, without)) == []
    assert read_banned_terms(tmp_path / "absent.md") == []


def test_a_malformed_row_is_refused_with_its_line(tmp_path):
    bad = GLOSSARY.replace("«спуск курка вхолостую»", "спуск курка вхолостую").replace(
        "| trigger | ky |", "| trigger | kk |"
    )
    with pytest.raises(GlossaryError) as problems:
        read_banned_terms(write_glossary(tmp_path, bad))
    assert problems.value.errors == [
        "GLOSSARY.md: line 11: unknown language 'kk' (ky, ru, en or all)",
        "GLOSSARY.md: line 12: no variant in «guillemets» in the last cell",
    ]


def test_a_procedure_using_a_banned_term_is_refused(tmp_path):
    write_library(tmp_path / "procedures", broken("banned term"), BOMB)
    with pytest.raises(ProcedureErrors) as problems:
        load_library(tmp_path / "procedures", glossary=write_glossary(tmp_path))
    assert problems.value.errors == [
        "check-scene.yaml: steps.0 (hands-off).text.ky: «курокко тийгизбеңиз» is not to be used "
        "(trigger: use «машаа»)"
    ]


def test_a_banned_term_is_checked_only_in_its_own_language(tmp_path):
    procedure = broken("banned term")
    procedure["steps"][0]["text"]["ky"] = "Колуңузду алыңыз."
    procedure["steps"][0]["text"]["ru"] = "Курокко тийгизбеңиз: not Kyrgyz here."
    write_library(tmp_path / "procedures", procedure, BOMB)
    library = load_library(tmp_path / "procedures", glossary=write_glossary(tmp_path))
    assert "check-scene" in library.procedures


def test_a_catalog_using_a_banned_term_is_refused(tmp_path):
    catalog = tmp_path / "ky" / "LC_MESSAGES" / "messages.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Finger off the trigger"\nmsgstr "Манжаңызды КУРОККО ТИЙГИЗБЕҢИЗ"\n\n'
        'msgid "One step"\nmsgid_plural "{count} steps"\n'
        'msgstr[0] "{count} кадам"\nmsgstr[1] "{count} кадам, курокту баспаңыз"\n'
    )
    terms = read_banned_terms(write_glossary(tmp_path))
    assert catalog_problems(catalog, terms) == [
        "ky/LC_MESSAGES/messages.po: line 5 ('Finger off the trigger'): «курокко тийгизбеңиз» "
        "is not to be used (trigger: use «машаа»)",
        "ky/LC_MESSAGES/messages.po: line 8 ('One step'): «курокту баспаңыз» "
        "is not to be used (trigger: use «машаа»)",
    ]
