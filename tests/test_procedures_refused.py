"""An administrator's edit that breaks a safety rule does not reach officers: the bot starts
with the procedures it last accepted and tells the admins what to fix."""

from __future__ import annotations

import shutil

from bot.procedures.library import PROCEDURES_DIR
from tests.conftest import ADMIN_ID, RunningBot, make_settings


async def test_a_dangerous_edit_is_refused_and_the_last_good_procedures_stay_in_service(
    database_url, telegram, tmp_path
):
    library = tmp_path / "procedures"
    shutil.copytree(PROCEDURES_DIR, library)
    settings = make_settings(database_url, telegram.base_url, procedures_dir=library)
    bot = RunningBot(settings)
    await bot.start()
    await bot.stop()
    assert settings.last_good_procedures.exists()

    # The edit puts "count the rounds" before the question about grenades and detonators.
    ammunition = library / "ammunition.yaml"
    text = ammunition.read_text(encoding="utf-8")
    ammunition.write_text(
        text.replace("    hazard_check: true\n", "    handles_item: true\n", 1), encoding="utf-8"
    )
    await bot.start()
    try:
        served = bot.app.dispatcher["procedures"].get("ammunition")
        assert served.procedure.steps[0].hazard_check
        admin = telegram.user(ADMIN_ID, "Chief")
        news = await admin.receive_until(lambda message: "refused" in message.text, timeout=10)
        assert "ammunition.yaml: steps.0 (explosive-hazard): handles an item before" in news.text
        assert "python -m bot procedures check" in news.text
    finally:
        await bot.stop()
