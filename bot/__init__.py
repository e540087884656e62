"""Post-seizure assistant: a Telegram bot for officers who intercept weapons at the border."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
