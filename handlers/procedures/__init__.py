"""Procedures: the catalogue, search, overview, the step-by-step run and the supervisors'
review of runs."""

from aiogram import Router

from handlers.common.routing import feature_router
from handlers.procedures import review, run

__all__ = ["create_router"]


def create_router() -> Router:
    return feature_router(
        "procedures",
        run.create_router(),
        review.create_router(),
    )
