"""aiogram routers, one per feature, made fresh for each dispatcher (a router joins only one)."""

from aiogram import Router

from handlers.routing import own_buttons_only, without_thread_hops


def create_routers() -> list[Router]:
    """In the order they must match: specific features first, the catch-all fallback last."""
    from handlers import (
        access_review,
        admin,
        errors,
        fallback,
        invites,
        menu,
        procedures,
        report_export,
        report_form,
        report_view,
        reports,
        run_review,
        start,
    )

    features = (
        errors,
        start,
        access_review,
        admin,
        invites,
        run_review,
        menu,
        reports,
        report_form,
        report_view,
        report_export,
        procedures,
        fallback,
    )
    return [own_buttons_only(without_thread_hops(module.create_router())) for module in features]
