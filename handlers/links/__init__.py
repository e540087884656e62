"""Links between seizures: the supervisors' message about a serial seen in two reports, and
their decision on it."""

from aiogram import Router

from handlers.common.routing import feature_router
from handlers.links import decisions
from handlers.links.news import link_news

__all__ = ["create_router", "link_news"]


def create_router() -> Router:
    return feature_router("links", decisions.create_router())
