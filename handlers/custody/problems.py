"""What a person is told when a hand-over's answer or action is refused."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.db.custody_models import TransferStatus
from bot.services.custody import ItemsNotHeld, TransferClosed
from bot.services.errors import DomainError, InvalidInput
from handlers.common.messages import input_problem


def custody_problem(problem: DomainError) -> str:
    if isinstance(problem, ItemsNotHeld):
        return _(
            "You no longer hold all of these items, or another hand-over of them is open. "
            "Nothing was recorded."
        )
    if isinstance(problem, TransferClosed):
        return (
            {
                TransferStatus.CONFIRMED: _("This hand-over was already confirmed."),
                TransferStatus.REFUSED: _("This hand-over was already refused."),
                TransferStatus.CANCELLED: _("This hand-over was cancelled."),
            }[problem.status]
            + " "
            + _("Nothing was changed.")
        )
    if not isinstance(problem, InvalidInput):
        return _("This action cannot be done now. Nothing was changed.")
    reasons = {
        ("receiver", "format"): _(
            "Type the receiver as @username or as their Telegram id (digits only)."
        ),
        ("receiver", "unknown"): _(
            "Nobody with this @username or Telegram id uses the bot. Check it and type it again."
        ),
        ("receiver", "giver"): _("You cannot hand items over to yourself."),
        ("receiver", "inactive"): _(
            "This person is blocked or has no access yet: they cannot receive items."
        ),
        ("receiver", "other_agency"): _(
            "This person belongs to another agency: hand items over to them as an outside body, "
            "with a signed act."
        ),
        ("outside_body", "too_short"): _("The name is too short. Please type it again."),
        ("outside_body", "too_long"): _("The name is too long: at most 200 characters."),
        ("purpose", "too_short"): _("The purpose is too short. Please type it again."),
        ("purpose", "too_long"): _("The purpose is too long: at most 300 characters."),
        ("seal_number", "too_short"): _("Type the seal or package number."),
        ("seal_number", "too_long"): _("The seal number is too long: at most 64 characters."),
        ("seal_number", "in_use"): _(
            "This seal number is already used in a hand-over not confirmed yet. Check the "
            "number on the seal."
        ),
        ("refusal_reason", "too_short"): _("The reason is too short. Please type it again."),
        ("refusal_reason", "too_long"): _("The reason is too long: at most 500 characters."),
        ("act_photo", "not_photo"): _(
            "That is not a photo. Please send a photo of the signed act."
        ),
        ("items", "unknown"): _("Choose at least one item of this report."),
        ("report", "draft"): _("Items of a draft cannot be handed over."),
    }
    text = reasons.get((problem.field, problem.reason))
    return text if text is not None else input_problem(problem)
