"""Officer safety check-ins: "Are you safe?" after a report with explosives or someone in danger,
the officer's answers and call for help, and what the supervisors are told."""

from aiogram import Router
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import SeizureReport, User
from bot.services import safety
from handlers.common.keyboard import Keyboard
from handlers.common.routing import feature_router
from handlers.safety import checkins
from handlers.safety.news import help_button, safety_news

__all__ = ["add_help_button", "create_router", "safety_news"]


async def add_help_button(
    builder: Keyboard, session: AsyncSession, reader: User, report: SeizureReport
) -> None:
    """ "Need help" on a report's screen, for its officer, once the report has check-ins."""
    if reader.id == report.officer_id and await safety.watch_of_report(session, report.id):
        help_button(builder, report.id)


def create_router() -> Router:
    return feature_router("safety", checkins.create_router())
