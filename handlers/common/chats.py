"""The bot talks with one person at a time, in their private chat: in a group or a channel, what
it shows (names, roles, units, reports, the menu) would be read by everyone there."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import Message

from handlers.common.fallback import unavailable_button


async def not_here(message: Message) -> None:
    """A message in a group, a supergroup or a channel: no answer there, nothing started."""


def create_router() -> Router:
    """Tried before every screen, so no screen ever answers outside a private chat."""
    router = Router(name="chats")
    router.message.register(not_here, F.chat.type != ChatType.PRIVATE)
    # A button of a message in a group (none is sent there; forged ones are) is refused.
    router.callback_query.register(unavailable_button, F.message.chat.type != ChatType.PRIVATE)
    return router
