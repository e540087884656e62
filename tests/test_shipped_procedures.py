"""The procedures we ship: every screen of every step fits a phone, in all three languages."""

from __future__ import annotations

import pytest
import yaml

from bot.config import LANGUAGES, Settings
from bot.db.models import ProcedureRun
from bot.procedures.library import PROCEDURES_DIR, deadline_phrase, load_library
from bot.services.procedure_runs import RunView
from handlers.procedures import screens
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


def paths_from(item, start: str | None = None) -> list[list[str]]:
    """Every way through a procedure from a step (the first by default) to where it ends or
    leaves for another procedure, as lists of step ids."""
    steps = {step.id: step for step in item.procedure.steps}
    start = start or item.procedure.steps[0].id
    following = item.following(steps[start])
    if not following:
        return [[start]]
    return [[start, *rest] for target in following for rest in paths_from(item, target)]


def position(item, step_id: str) -> int:
    return [step.id for step in item.procedure.steps].index(step_id)


AMMUNITION_HANDLING = ("record-lot", "count-separately", "photo-headstamps", "pack-apart")


def test_ammunition_asks_first_about_every_explosive_hazard_by_name():
    first = LIBRARY.get("ammunition").procedure.steps[0]
    assert first.id == "explosive-hazard" and first.answers
    assert "explosive-device" in {answer.procedure for answer in first.answers}
    english = first.text("en").casefold()
    for word in ("grenade", "detonator", "fuze", "mine", "20 mm", "damaged", "corroded", "leaking"):
        assert word in english, word
    for language, words in {
        "ru": ("граната", "детонатор", "взрыватель", "мина", "20 мм", "повреждённ", "коррози"),
        "ky": ("граната", "детонатор", "жардыргыч", "мина", "20 мм", "бузулган", "дат баскан"),
    }.items():
        for word in words:
            assert word in first.text(language).casefold(), (language, word)


def test_ammunition_checks_grenades_and_detonators_before_any_item_is_handled():
    item = LIBRARY.get("ammunition")
    checks = ("explosive-hazard", "detonator-check", "grenade-check")
    for check in checks:
        for handling in AMMUNITION_HANDLING:
            assert position(item, check) < position(item, handling), (check, handling)
    for path in paths_from(item):
        for handling in AMMUNITION_HANDLING:
            if handling in path:
                before = path[: path.index(handling)]
                assert all(check in before for check in checks), path


def test_detonators_are_left_to_trained_staff_as_grenades_are():
    item = LIBRARY.get("ammunition")
    detonators = item.step("detonators")
    assert detonators.is_critical
    assert "do not handle" in detonators.text("en") and "twist" not in detonators.text("en")
    russian = detonators.text("ru")
    assert "сами их не трогайте" in russian and "скрутите" not in russian
    assert "өзүңүз тийбеңиз" in detonators.text("ky") and "чырмап" not in detonators.text("ky")
    # The stand-off for detonators the review checked stays as it was.
    assert "не ближе 10 м" in detonators.text("ru") and "кеминде 10 м" in detonators.text("ky")
    assert "at least 10 m" in detonators.text("en")


FIREARM_HANDLING = ("gloves", "unload", "second-check", "secure-open", "keep-rounds")


def test_an_officer_not_trained_or_facing_an_unknown_weapon_never_reaches_the_unload_step():
    item = LIBRARY.get("firearm-safe")
    question = item.step("trained-check")
    assert question.kind == "question" and question.is_critical
    assert "trained" in question.text("en") and "intact" in question.text("en")
    yes, no = question.answers
    assert yes.goto == "photo-state"
    for path in paths_from(item):
        for handling in FIREARM_HANDLING:
            if handling in path:
                assert "trained-check" in path[: path.index(handling)], path
    no_paths = paths_from(item, no.goto)
    for path in no_paths:
        assert not set(path) & {"photo-state", *FIREARM_HANDLING}, path
    do_not_unload = item.step(no.goto)
    assert do_not_unload.is_critical
    assert "LOADED – DO NOT HANDLE" in do_not_unload.text("en")
    assert "ЗАРЯЖЕНО – НЕ ТРОГАТЬ" in do_not_unload.text("ru")
    assert "ОКТОЛГОН – ТИЙБЕҢИЗ" in do_not_unload.text("ky")
    # The branch ends in recording the weapon as it lies, and nowhere else.
    ends = [item.step(path[-1]) for path in no_paths]
    assert {answer.procedure for end in ends for answer in end.answers} == {"firearm-record"}
    assert all("without unloading or moving it" in end.text("en") for end in ends)


def test_unloading_is_critical_and_forbids_the_control_trigger_pull_in_the_officers_words():
    item = LIBRARY.get("firearm-safe")
    unload = item.step("unload")
    assert unload.is_critical
    assert "Контрольный спуск не производите; затвор оставьте открытым." in unload.text("ru")
    assert (
        "Контролдук түшүрүү жасабаңыз (машааны баспаңыз); затворду ачык калтырыңыз."
        in unload.text("ky")
    )
    english = unload.text("en")
    assert english.index("safety on") < english.index("Remove the magazine")
    assert "control trigger pull" in english and "leave the action open" in english
    for language, words in {
        "en": ("Revolver", "cylinder", "tube"),
        "ru": ("Револьвер", "барабан", "трубчат"),
        "ky": ("Револьвер", "Барабан", "Түтүк"),
    }.items():
        for word in words:
            assert word in unload.text(language), (language, word)
    assert "вхолостую" not in item.step("no-dry-fire").text("ru")


def test_the_explosive_procedure_first_sends_the_officer_away_with_the_phone():
    steps = LIBRARY.get("explosive-device").procedure.steps
    first, second = steps[0], steps[1]
    assert first.is_critical
    assert "Move away at least 100 m" in first.text("en") and "line of sight" in first.text("en")
    assert "отойдите не менее чем на 100 м" in first.text("ru")
    assert "Кеминде 100 м" in first.text("ky") and "алыстаңыз" in first.text("ky")
    # The distance table comes second, its numbers as the review checked them.
    for language in LANGUAGES:
        table = second.text(language)
        for distance in ("366", "564", "580", "732", "1 160" if language != "en" else "1,160"):
            assert distance in table, (language, distance)
        largest = "2 840" if language != "en" else "2,840"
        for distance in (largest, "21 / 46 / 98 / 122 / 195 / 479"):
            assert distance in table, (language, distance)
        for distance in ("91 м" if language != "en" else "91 m", "152", "305"):
            assert distance in table, (language, distance)


def test_kyrgyz_says_trigger_with_mashaa_and_keeps_kurok_for_the_hammer():
    item = LIBRARY.get("firearm-safe")
    texts = [item.procedure.summary("ky")] + [step.text("ky") for step in item.procedure.steps]
    for text in texts:
        for wrong in ("курокко тийгизбеңиз", "курокту баспаңыз"):
            assert wrong not in text, text
    assert "манжаңызды машаага тийгизбеңиз" in item.step("assume-loaded").text("ky")
    assert "(машааны баспаңыз)" in item.step("no-dry-fire").text("ky")
    assert "курогу тартылганбы" in item.step("photo-state").text("ky")


def test_russian_states_the_finger_rule_as_the_service_teaches_it():
    first = LIBRARY.get("firearm-safe").step("assume-loaded")
    assert "палец держите вне спусковой скобы" in first.text("ru")
    assert "спускового крючка" not in first.text("ru")


def test_the_calibre_threshold_is_20_mm_or_more_in_every_language():
    first = LIBRARY.get("ammunition").step("explosive-hazard")
    assert "20 mm or more" in first.text("en")
    assert "20 мм и более" in first.text("ru")
    assert "20 мм же андан чоң" in first.text("ky")
    for language in LANGUAGES:
        for wrong in ("over 20", "более 20", "20 мм ден", "20 ммден"):
            assert wrong not in first.text(language), (language, wrong)


def test_the_full_report_deadline_is_the_services_setting_not_the_shift():
    raw = yaml.safe_load((PROCEDURES_DIR / "notification.yaml").read_text(encoding="utf-8"))
    full_report = next(step for step in raw["steps"] if step["id"] == "full-report")
    for text in (raw["summary"], full_report["text"]):
        for language in LANGUAGES:
            assert "{full_report_deadline}" in text[language], (language, text[language])
            for wrong in ("shift", "смены", "нөөмөт"):
                assert wrong not in text[language], (language, wrong)
    assert "OSCE" not in full_report.get("sources", [])
    loaded = LIBRARY.get("notification").step("full-report")
    hours = Settings.model_fields["full_report_deadline_hours"].default
    for language in LANGUAGES:
        assert deadline_phrase(hours, language) in loaded.text(language)
        assert "{" not in loaded.text(language)


def test_a_firearm_is_packed_only_once_made_safe_and_tagged_if_ammunition_goes_with_it():
    pack = LIBRARY.get("evidence-custody").step("pack-separately")
    assert "only once it has been made safe" in pack.text("en")
    assert "action tied open" in pack.text("en") and "CONTAINS AMMUNITION" in pack.text("en")
    assert "безопасное состояние" in pack.text("ru") and "СОДЕРЖИТ БОЕПРИПАС" in pack.text("ru")
    assert "коопсуз абалга" in pack.text("ky") and "ИЧИНДЕ ОК БАР" in pack.text("ky")


def test_seal_numbers_are_written_down():
    item = LIBRARY.get("evidence-custody")
    seal, custody = item.step("seal"), item.step("custody-record")
    assert "Write down the number of every seal." in seal.text("en")
    assert "Запишите номер каждой пломбы." in seal.text("ru")
    assert "Ар бир пломбанын номерин жазып алыңыз." in seal.text("ky")
    assert "seal numbers" in custody.text("en") and "номерами пломб" in custody.text("ru")
    assert "пломбалардын номерлери" in custody.text("ky")


def test_the_cordon_is_held_until_the_sappers_take_over_not_until_they_arrive():
    item = LIBRARY.get("explosive-device")
    assert "ишти колго алганга чейин" in item.procedure.summary("ky")
    assert "до передачи места сапёрам" in item.procedure.summary("ru")
    assert "алар келгенче" not in item.procedure.summary("ky")
    assert "до их прибытия" not in item.procedure.summary("ru")
    assert "передачи им места" in item.step("hold-cordon").text("ru")


def all_texts(item, language: str) -> str:
    """Title, summary, keywords, step texts and answer labels of a procedure, in one language."""
    procedure = item.procedure
    texts = [procedure.title, procedure.summary, procedure.keywords]
    for step in procedure.steps:
        texts += [step.text, *(answer.label for answer in step.answers)]
    return "\n".join(text(language) for text in texts if text is not None)


KYRGYZ_TERMS = {
    "first-response": ("кыска билдирүү", "Ооба / так билбейм"),
    "notification": ("кыска билдирүү", "файлга чыгаруу"),
    "ammunition": ("соот тешүүчү", "Ооба / так билбейм"),
    "explosive-device": ("миномёт минасы", "127 мм-ге чейин"),
    "firearm-record": ("жок кылынган (кырылган)", "колго жасалган", "үн басаткыч"),
    "firearm-safe": ("колго жасалган",),
    "evidence-custody": ("күбө-калыстардын катышуусу менен",),
    "tracing": (
        "Куралды издөө боюнча эл аралык документке (ITI) ылайык",
        "БУУнун Баңгизаттар жана кылмыштуулук боюнча башкармалыгынын (UNODC)",
    ),
}
KYRGYZ_WRONG = (
    "тез каттоо", "бронь тешүүчү", "взрывателдүү", "минамёт", "127 мм чейин", "кырылып салынган",
    "колдон жасалган", "үн басаргыч", "күбөлөрдүн", "Ооба же шектенем", "ITI боюнча", "UNODCнин",
)


@pytest.mark.parametrize("procedure_id", sorted(KYRGYZ_TERMS))
def test_kyrgyz_procedures_use_the_terms_of_the_review_and_the_interface(procedure_id):
    kyrgyz = all_texts(LIBRARY.get(procedure_id), "ky")
    for term in KYRGYZ_TERMS[procedure_id]:
        assert term in kyrgyz, term
    for item in LIBRARY.ordered():
        for wrong in KYRGYZ_WRONG:
            assert wrong not in all_texts(item, "ky"), (item.id, wrong)


def test_the_kyrgyz_criminal_procedure_code_has_its_official_title():
    national = LIBRARY.sources["NATIONAL"].title("ky")
    assert "Кылмыш-жаза процессуалдык кодекси" in national and "процесстик" not in national


RUSSIAN_WORDING = {
    "firearm-safe": ("взведён ли курок (ударник)", "Контрольный спуск не производите"),
    "firearm-record": ("клейма испытания (отстрела) стволов", "не указывайте изготовителя наугад"),
    "explosive-device": (
        "небольшой предмет (умещается в руке)",
        "миномётная мина",
        "Если применимы оба правила",
        "до прибытия сапёров и передачи им места",
    ),
    "evidence-custody": ("лентой с индикацией вскрытия (сейф-лентой)",),
    "notification": (
        "Приложите фотографии и отметки о выполненных порядках действий",
        "орган дознания или следствия",
        "краткое донесение",
    ),
    "tracing": ("в соответствии с Международным документом по отслеживанию (ITI)",),
    "ammunition": ("с обыкновенной пулей", "охотничий (дробовой)"),
    "first-response": ("подозрительный (бесхозный) предмет или свёрток", "Краткое донесение"),
}
RUSSIAN_WRONG = (
    "взведено ли", "вхолостую", "пробирные", "не угадывайте", "ручной предмет", "мина миномёта",
    "подходят два правила", "не примут место", "видны следы вскрытия", "выполненные порядки",
    "орган расследования", "по ITI", "неизвестный свёрток", "быстрая запись", "тип (обычный",
)


@pytest.mark.parametrize("procedure_id", sorted(RUSSIAN_WORDING))
def test_russian_procedures_read_as_a_service_instruction(procedure_id):
    russian = all_texts(LIBRARY.get(procedure_id), "ru")
    for wording in RUSSIAN_WORDING[procedure_id]:
        assert wording in russian, wording
    for item in LIBRARY.ordered():
        for wrong in RUSSIAN_WRONG:
            assert wrong.casefold() not in all_texts(item, "ru").casefold(), (item.id, wrong)


def test_shipped_procedures_flag_their_hazard_checks_handling_steps_and_stops():
    ammunition, firearm = LIBRARY.get("ammunition"), LIBRARY.get("firearm-safe")
    for check in ("explosive-hazard", "detonator-check", "grenade-check"):
        assert ammunition.step(check).hazard_check, check
    for handling in AMMUNITION_HANDLING:
        assert ammunition.step(handling).handles_item, handling
    for step_id in ("detonators", "grenade-pin"):
        assert not ammunition.step(step_id).handles_item, step_id
    assert firearm.step("trained-check").hazard_check
    for handling in FIREARM_HANDLING:
        assert firearm.step(handling).handles_item, handling
    no = firearm.step("trained-check").answers[1]
    assert no.stops_handling and not firearm.step(no.goto).handles_item
    assert LIBRARY.get("first-response").step("explosive-check").hazard_check
    # Every answer that sends the officer to the explosive procedure stops handling there.
    for item in LIBRARY.ordered():
        for step in item.procedure.steps:
            for answer in step.answers:
                if answer.procedure == "explosive-device":
                    assert answer.stops_handling, (item.id, step.id)
    # Nobody handles anything in the explosive procedure: the sappers do.
    assert not any(step.handles_item for step in LIBRARY.get("explosive-device").procedure.steps)


def test_an_edited_procedure_shows_a_new_version_in_its_overview_without_a_new_number(tmp_path):
    for path in PROCEDURES_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    edited = tmp_path / "firearm-safe.yaml"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("Treat every firearm", "Treat any firearm"),
        encoding="utf-8",
    )
    before, after = LIBRARY.get("firearm-safe"), load_library(tmp_path).get("firearm-safe")
    assert before.procedure.version == after.procedure.version
    i18n = i18n_for_tests()
    with i18n.context(), i18n.use_locale("en"):
        shown_before, _ = screens.overview(before, LIBRARY, "en")
        shown_after, _ = screens.overview(after, LIBRARY, "en")
    version = f"Version: {before.procedure.version} · "
    assert f"{version}{before.content_hash[:8]}" in shown_before
    assert f"{version}{after.content_hash[:8]}" in shown_after
    assert before.content_hash[:8] != after.content_hash[:8]
    assert "Sources:" in shown_before and "ISACS" in shown_before
