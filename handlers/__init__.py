"""aiogram routers, one per feature; `all_routers` gives them in the order they must match."""

from aiogram import Router


def all_routers() -> list[Router]:
    from handlers import access_review, admin, errors, fallback, invites, menu, start

    return [
        errors.router,
        start.router,
        access_review.router,
        admin.router,
        invites.router,
        menu.router,
        fallback.router,
    ]
