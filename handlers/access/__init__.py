"""Access: first contact and language, access requests and their review, invite links, and
the admins' Users and Units screens."""

from aiogram import Router

from handlers.access import admin, invites, review, start
from handlers.access.news import access_news
from handlers.access.review import request_news
from handlers.common.routing import feature_router

__all__ = ["access_news", "create_router", "request_news"]


def create_router() -> Router:
    return feature_router(
        "access",
        start.create_router(),
        review.create_router(),
        admin.create_router(),
        invites.create_router(),
    )
