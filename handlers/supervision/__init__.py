"""Supervision: the Inbox, acknowledging and returning reports, and the texts of what the
outbox tells supervisors and officers (new, escalated, decided, the daily digest)."""

from aiogram import Router

from handlers.common.routing import feature_router
from handlers.supervision import decisions, inbox
from handlers.supervision.decisions import not_decided
from handlers.supervision.notifications import render_notification

__all__ = ["create_router", "not_decided", "render_notification"]


def create_router() -> Router:
    return feature_router(
        "supervision",
        inbox.create_router(),
        decisions.create_router(),
    )
