"""One person's whole first day, in each language: every screen in that language only."""

from __future__ import annotations

import re

import pytest

from bot.procedures.library import PROCEDURES_DIR, load_library
from tests.conftest import ADMIN_ID
from tests.scenario import first_contact, keyboard_labels, tr

CYRILLIC = re.compile(r"[А-Яа-яЁёҢңӨөҮү]")
# Unit codes such as KAINDA are identifiers, not words: only words with small letters count.
LATIN_WORD = re.compile(r"\b(?=[A-Za-z]*[a-z])[A-Za-z]{4,}\b")
EXPLOSIVES = load_library(PROCEDURES_DIR).get("explosive-device").procedure


def reads_as(language: str, text: str) -> bool:
    """Kyrgyz and Russian screens are Cyrillic, with no English word in them."""
    if language == "en":
        return not CYRILLIC.search(text)
    return bool(CYRILLIC.search(text)) and not LATIN_WORD.search(text)


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
async def test_newcomer_is_approved_and_opens_a_procedure_in_their_language(
    running_bot, telegram, language
):
    admin = telegram.user(ADMIN_ID, "Chief")
    await first_contact(admin, "en")
    newcomer = telegram.user(5001, "Aida", language_code="ru")
    screens = [await first_contact(newcomer, language)]

    await newcomer.press(tr(language, "Request access"), screens[-1])
    screens.append(await newcomer.receive())
    await newcomer.send("Асанова Аида")
    screens.append(await newcomer.receive())
    await newcomer.press("▶️")
    await newcomer.receive()
    await newcomer.press("· · " + {"ky": "Кайыңды", "ru": "Каинды", "en": "Kainda"}[language])
    screens.append(await newcomer.receive())

    notification = await admin.receive_until(lambda message: message.has_button("✅ Approve"))
    await admin.press("✅ Approve", notification)
    welcome = await newcomer.receive()
    screens.append(welcome)
    assert tr(language, "📋 Procedures") in keyboard_labels(welcome)

    await newcomer.send(tr(language, "📋 Procedures"))
    categories = await newcomer.receive()
    screens.append(categories)
    await newcomer.press("💣 " + tr(language, "Explosives"), categories)
    listed = await newcomer.receive()
    await newcomer.press(EXPLOSIVES.title(language), listed)
    screens.append(await newcomer.receive())
    await newcomer.press(tr(language, "▶️ Start"))
    first_step = await newcomer.receive()
    screens.append(first_step)
    assert EXPLOSIVES.steps[0].text(language).split("\n")[0] in first_step.text

    for screen in screens:
        shown = " ".join([screen.text, *screen.button_texts(), *keyboard_labels(screen)])
        assert reads_as(language, shown), shown
