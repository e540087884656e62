"""Every text in the code exists, translated, in the ky, ru and en catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from bot import PROJECT_ROOT
from bot.config import LANGUAGES
from bot.i18n import LOCALES_DIR

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"</?[a-z-]+")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    template = tmp_path_factory.mktemp("pot") / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(PROJECT_ROOT / "babel.cfg"),
            "-k",
            "__",
            "--no-location",
            "-o",
            str(template),
            str(PROJECT_ROOT),
        ]
    )
    with template.open("rb") as file:
        return read_po(file)


def catalog(language: str) -> Catalog:
    path: Path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        return read_po(file, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_in_the_code_is_translated(extracted, language):
    translations = catalog(language)
    missing = [message.id for message in extracted if message.id and message.id not in translations]
    assert missing == [], f"not in {language} catalog; run pybabel update"
    untranslated = [
        message.id
        for message in translations
        if message.id
        and (
            message.fuzzy
            or not all(message.string if isinstance(message.string, tuple) else [message.string])
        )
    ]
    assert untranslated == [], f"untranslated or fuzzy in {language}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_markup(language):
    for message in catalog(language):
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        for target in targets:
            assert sorted(PLACEHOLDER.findall(target)) == sorted(
                PLACEHOLDER.findall(sources[-1])
            ), f"{language}: placeholders differ in {message.id!r}"
            assert sorted(TAG.findall(target)) == sorted(TAG.findall(sources[-1])), (
                f"{language}: markup differs in {message.id!r}"
            )


def test_kyrgyz_is_kyrgyz_not_russian():
    kyrgyz = catalog("ky")
    russian = catalog("ru")
    texts = [message.string for message in kyrgyz if message.id and isinstance(message.string, str)]
    assert any(letter in "".join(texts) for letter in "ңөүҢӨҮ")
    same_as_russian = [
        message.id
        for message in kyrgyz
        if message.id and len(message.id) > 20 and message.string == russian[message.id].string
    ]
    assert same_as_russian == []
