"""Chain of custody: a report's items handed over, confirmed by both sides, and its timeline."""

from aiogram import Router

from handlers.common.routing import feature_router
from handlers.custody import decisions, handover, screens
from handlers.custody.screens import custody_button, custody_news
from handlers.custody.screens import status_name as custody_status_name

__all__ = ["create_router", "custody_button", "custody_news", "custody_status_name"]


def create_router() -> Router:
    return feature_router(
        "custody", screens.create_router(), handover.create_router(), decisions.create_router()
    )
