"""Business rules: plain async functions over an AsyncSession, knowing nothing of Telegram."""
