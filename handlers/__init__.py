"""aiogram routers, one package per feature beside `common`; `bot/app.py` assembles them."""
