# The bot's image: slim Python, a non-root user, catalogs compiled at build, a health check.
# Built and run by compose.yaml (three replicas in webhook mode); see README "Deploy".
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# pg_dump and pg_restore for `python -m bot backup` / `restore`: bookworm's are version 15, the
# version of compose.yaml's PostgreSQL (a newer pg_dump writes what an older server refuses).
RUN apt-get update \
    && apt-get install --yes --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --create-home --home-dir /home/bot bot

WORKDIR /app
# Dependencies first, so a change of code does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir bot handlers && touch bot/__init__.py handlers/__init__.py \
    && pip install . && pip uninstall --yes seizure-assistant \
    && rm -r bot handlers
COPY alembic.ini babel.cfg ./
COPY bot ./bot
COPY handlers ./handlers
COPY locales ./locales
COPY procedures ./procedures
# Editable: the bot finds locales/ and procedures/ beside its code. The catalogs are compiled
# here, so the running container never writes into /app.
RUN pip install --no-deps -e . \
    && python -c "from bot.i18n import compile_catalogs; compile_catalogs()"

# Everything the bot writes: a named volume mounted here keeps this owner.
RUN mkdir -p /data/media && chown -R bot:bot /data
ENV DATABASE_URL=sqlite:////data/seizure-assistant.db \
    MEDIA_DIR=/data/media \
    LAST_GOOD_PROCEDURES=/data/procedures-last-good.json \
    WEBHOOK_PORT=8080 \
    HEALTH_PORT=8081 \
    ENV_FILE=/dev/null

USER bot
EXPOSE 8080 8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['HEALTH_PORT'], timeout=4)"]
CMD ["python", "-m", "bot", "webhook"]
