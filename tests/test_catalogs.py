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
from bot.db.models import Role
from bot.i18n import LOCALES_DIR
from bot.procedures.schema import Category
from handlers.common import texts
from tests.scenario import i18n_for_tests

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


@pytest.mark.parametrize(
    ("language", "counts"),
    [
        ("ru", {1: "1 шаг", 2: "2 шага", 5: "5 шагов", 21: "21 шаг"}),
        ("en", {1: "1 step", 2: "2 steps"}),
    ],
)
def test_counted_nouns_take_the_plural_form_of_the_language(language, counts):
    i18n = i18n_for_tests()
    for count, expected in counts.items():
        text = i18n.gettext("{count} step", "{count} steps", count, locale=language)
        assert text.format(count=count) == expected


def test_every_kyrgyz_plural_form_is_filled():
    # An empty second form would silently show English for every number but one.
    for message in catalog("ky"):
        if message.id and isinstance(message.string, tuple):
            assert all(message.string), message.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_button_labels_fit_a_phone(language):
    i18n = i18n_for_tests()
    labels = [
        texts.MENU_PROCEDURES,
        texts.MENU_NEW_REPORT,
        texts.MENU_MY_REPORTS,
        texts.MENU_INBOX,
        texts.MENU_INVITE,
        texts.MENU_USERS,
        texts.MENU_LANGUAGE,
        texts.MENU_HELP,
    ]
    with i18n.context(), i18n.use_locale(language):
        shown = [str(label) for label in labels]
        shown += [texts.role_name(role) for role in Role]
        shown += [texts.category_name(category) for category in Category]
    assert [label for label in shown if len(label) > 28] == []
