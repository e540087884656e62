"""Exercise mode and drills: the person's and the unit's switch, a supervisor's drill sent to
officers, the officer's start and end of it, and the debrief."""

from aiogram import Router

from handlers.common.routing import feature_router
from handlers.exercise import drills, mode, participation
from handlers.exercise.news import drill_news

__all__ = ["create_router", "drill_news"]


def create_router() -> Router:
    return feature_router(
        "exercise", mode.create_router(), participation.create_router(), drills.create_router()
    )
