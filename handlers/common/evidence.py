"""Photos sent as evidence are downloaded from Telegram into the media store as they arrive, so
the report's digest can cover their content."""

from __future__ import annotations

import asyncio

from aiogram import Bot

from bot.media import MediaStore


async def keep_photo(bot: Bot, media: MediaStore, file_id: str) -> str:
    """Download the photo and keep it under its SHA-256, which is returned."""
    content = await bot.download(file_id)
    assert content is not None
    return await asyncio.to_thread(media.save, content.getvalue())
