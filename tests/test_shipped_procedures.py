"""The procedures we ship: every screen of every step fits a phone, in all three languages."""

from __future__ import annotations

import pytest

from bot.config import LANGUAGES
from bot.db.models import ProcedureRun
from bot.procedures.library import PROCEDURES_DIR, load_library
from bot.services.procedure_runs import RunView
from handlers import procedure_screens as screens
from tests.scenario import i18n_for_tests

LIBRARY = load_library(PROCEDURES_DIR)
TEXT_LIMIT, CALLBACK_LIMIT, BUTTON_LIMIT = 4096, 64, 64


def check_markup(markup) -> None:
    for row in markup.inline_keyboard:
        for button in row:
            assert len(button.text) <= BUTTON_LIMIT, button.text
            assert len(button.callback_data.encode()) <= CALLBACK_LIMIT, button.callback_data


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("item", LIBRARY.ordered(), ids=lambda item: item.id)
def test_every_screen_of_a_procedure_fits_telegram(item, language):
    i18n = i18n_for_tests()
    with i18n.context(), i18n.use_locale(language):
        text, markup = screens.overview(item, LIBRARY, language)
        assert len(text) <= TEXT_LIMIT
        check_markup(markup)
        for page in screens.reading_pages(item, LIBRARY, language):
            assert len(page) <= TEXT_LIMIT
        path: list[str] = []
        for step in item.procedure.steps:
            run = ProcedureRun(id=10**9, current_step=step.id, path=path[:])
            text, markup = screens.step_screen(RunView(run, item), language, photos=3)
            assert len(text) <= TEXT_LIMIT
            check_markup(markup)
            path.append(step.id)


def test_suspected_explosive_is_found_by_words_in_every_language():
    for query in ("граната", "жарылгыч", "bomb", "ВЗРЫВЧАТ"):
        assert LIBRARY.search(query)[0].id == "explosive-device", query


def test_first_response_sends_a_possible_explosive_to_the_explosive_procedure():
    first = LIBRARY.get("first-response")
    targets = {answer.procedure for step in first.procedure.steps for answer in step.answers}
    assert "explosive-device" in targets
