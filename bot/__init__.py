"""Post-seizure assistant: a Telegram bot for officers who intercept weapons at the border."""

from pathlib import Path

from bot.lazy_aiogram import load_aiogram_lazily

PROJECT_ROOT = Path(__file__).resolve().parent.parent

load_aiogram_lazily()
