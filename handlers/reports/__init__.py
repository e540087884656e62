"""Reports: the quick log, the full-report form with its photos, My reports and a report's
details."""

from aiogram import Router

from handlers.common.routing import feature_router
from handlers.reports import form, history, my_drafts, photos, quick_log, view
from handlers.reports.view import action_name

__all__ = ["action_name", "create_router"]


def create_router() -> Router:
    return feature_router(
        "reports",
        quick_log.create_router(),
        photos.create_router(),
        form.create_router(),
        my_drafts.create_router(),
        history.create_router(),
        view.create_router(),
    )
