"""Command line: run the bot (polling or webhook), check the set-up, migrate, set up units and
users, verify the audit log, export reports, back up and restore."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.backup import BackupError, backup, restore
from bot.config import LANGUAGES, ConfigError, Settings, load_settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_database
from bot.db.models import Role, UnitKind
from bot.log_context import configure_logging
from bot.media import MediaStore, migrate_media, open_media_store
from bot.procedures.library import ProcedureErrors, load_library
from bot.services import audit, evidence
from bot.services import units as unit_service
from bot.services import users as user_service
from bot.services.errors import DomainError, InvalidInput, NotFound


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = root.add_subparsers(dest="command")
    commands.add_parser("polling", help="run the bot with long polling (the default)")
    commands.add_parser("webhook", help="run the bot as a webhook server")
    commands.add_parser("migrate", help="upgrade the database schema")
    commands.add_parser(
        "doctor",
        help="check the token, database, migrations, media store, Redis and clock, and say how "
        "to fix what is wrong",
    )

    backup_command = commands.add_parser(
        "backup", help="write the database and the evidence photos into one archive"
    )
    backup_command.add_argument(
        "--out",
        type=Path,
        help="archive to write (default: backups/seizure-assistant-DATE-TIME.tar.gz)",
    )
    restore_command = commands.add_parser(
        "restore",
        help="load an archive into the empty database of DATABASE_URL, its photos into MEDIA_DIR",
    )
    restore_command.add_argument("archive", type=Path)

    units = commands.add_parser("units", help="units").add_subparsers(dest="action", required=True)
    add_unit = units.add_parser("add", help="create a unit")
    add_unit.add_argument("code")
    add_unit.add_argument("--name", required=True)
    add_unit.add_argument("--parent", help="code of the parent unit")
    add_unit.add_argument("--kind", choices=[kind.value for kind in UnitKind], default="post")
    set_unit = units.add_parser("set", help="rename a unit or move it under another")
    set_unit.add_argument("code")
    set_unit.add_argument("--name")
    set_unit.add_argument("--parent", help="code of the new parent unit")
    units.add_parser("list", help="list units as a tree")

    users = commands.add_parser("users", help="users").add_subparsers(dest="action", required=True)
    add_user = users.add_parser("add", help="create or update an active user")
    add_user.add_argument("--telegram-id", type=int, required=True)
    add_user.add_argument("--role", choices=[role.value for role in Role], required=True)
    add_user.add_argument("--unit", help="unit code")
    add_user.add_argument("--name")
    add_user.add_argument("--language", choices=LANGUAGES)
    users.add_parser("list", help="list users")

    audit_log = commands.add_parser("audit", help="the tamper-evident audit log")
    audit_actions = audit_log.add_subparsers(dest="action", required=True)
    audit_actions.add_parser(
        "verify", help="seal new entries, check the whole chain and the evidence photos"
    )

    export = commands.add_parser("export", help="export reports for headquarters")
    export.add_argument("--from", dest="first", required=True, type=date.fromisoformat)
    export.add_argument("--to", dest="last", required=True, type=date.fromisoformat)
    export.add_argument("--unit", help="a unit's id or code: that unit and the units below it")
    export.add_argument(
        "--format",
        dest="file_format",
        choices=("xlsx", "csv", "pdf", "iafq"),
        required=True,
        help="iafq: the national-reporting sheet (UNODC IAFQ), one row per seized item",
    )
    export.add_argument("--out", required=True, type=Path, help="file to write (csv: two files)")
    export.add_argument(
        "--include-exercises",
        action="store_true",
        help="iafq: include exercise reports (left out otherwise; other formats mark them)",
    )
    export.add_argument("--language", choices=LANGUAGES, help="default: DEFAULT_LANGUAGE")

    media = commands.add_parser("media", help="the store of evidence photos (MEDIA_STORE)")
    media_actions = media.add_subparsers(dest="action", required=True)
    media_migrate = media_actions.add_parser(
        "migrate",
        help="copy the photos of MEDIA_DIR into the database or the S3 bucket, each checked "
        "against its SHA-256 (then set MEDIA_STORE to it)",
    )
    media_migrate.add_argument("--to", dest="target", choices=("database", "s3"), required=True)

    procedures = commands.add_parser("procedures", help="procedure content")
    procedure_actions = procedures.add_subparsers(dest="action", required=True)
    check = procedure_actions.add_parser("check", help="validate procedure files")
    check.add_argument("paths", nargs="*", type=Path, help="files to check (default: all)")
    return root


async def with_database(
    settings: Settings, work: Callable[[AsyncSession], Awaitable[None]]
) -> None:
    """Run one unit of work in a transaction, after bringing the schema up to date."""
    engine = create_engine(settings.database_url)
    try:
        await upgrade_database(engine)
        async with create_session_factory(engine).begin() as session:
            await work(session)
    finally:
        await engine.dispose()


async def add_unit(session: AsyncSession, args: argparse.Namespace) -> None:
    parent = await unit_service.get_unit_by_code(session, args.parent) if args.parent else None
    unit = await unit_service.create_unit(
        session, None, args.code, args.name, parent.id if parent else None, UnitKind(args.kind)
    )
    print(f"created unit {unit.code}")


async def set_unit(session: AsyncSession, args: argparse.Namespace) -> None:
    unit = await unit_service.get_unit_by_code(session, args.code)
    parent = await unit_service.get_unit_by_code(session, args.parent) if args.parent else None
    await unit_service.update_unit(
        session, None, unit.id, name=args.name, parent_id=parent.id if parent else None
    )
    print(f"updated unit {unit.code}")


async def list_units(session: AsyncSession, _args: argparse.Namespace) -> None:
    for node in await unit_service.unit_tree(session):
        unit = node.unit
        print(f"{'  ' * node.depth}{unit.code}\t{unit.name}\t{unit.kind.value}")


async def add_user(session: AsyncSession, args: argparse.Namespace) -> None:
    unit = await unit_service.get_unit_by_code(session, args.unit) if args.unit else None
    user = await user_service.upsert_user(
        session,
        args.telegram_id,
        Role(args.role),
        unit_id=unit.id if unit else None,
        full_name=args.name,
        language=args.language,
    )
    print(f"user {user.telegram_id} is an active {user.role.value}")


async def list_users(session: AsyncSession, _args: argparse.Namespace) -> None:
    codes = {node.unit.id: node.unit.code for node in await unit_service.unit_tree(session)}
    for user in await user_service.all_users(session):
        unit = codes.get(user.unit_id, "-") if user.unit_id else "-"
        print(
            f"{user.telegram_id}\t{user.full_name or '-'}\t{user.role.value}\t"
            f"{user.status.value}\t{unit}\t{user.language or '-'}"
        )


async def verify_audit(session: AsyncSession, args: argparse.Namespace) -> None:
    sealed = await audit.seal_pending(session)
    check = await audit.verify_chain(session)
    if check.broken_entry_id is not None:
        raise IntegrityBroken(
            f"audit chain broken at entry {check.broken_entry_id}: {check.problem} "
            f"({check.checked} entries before it are intact)"
        )
    print(f"audit chain intact: {check.checked} entries ({sealed} sealed now)")
    settings: Settings = args.settings
    media = open_media_store(settings)
    try:
        checked, problems = await evidence.photo_problems(session, media)
    finally:
        media.close()
    for problem in problems:
        print(
            f"photo {problem.photo_id} of {problem.held_by}: {problem.state.value} "
            f"(expected SHA-256 {problem.sha256})",
            file=sys.stderr,
        )
    if problems:
        raise IntegrityBroken(f"{len(problems)} of {checked} evidence photos altered or missing")
    print(f"evidence photos intact: {checked}")


async def export_reports(session: AsyncSession, args: argparse.Namespace) -> None:
    # Imported here: the export speaks the bot's languages, which takes aiogram's i18n.
    from bot.app import export_files
    from bot.i18n import create_i18n

    settings: Settings = args.settings
    unit = None
    if args.unit:
        unit = await (
            unit_service.get_unit(session, int(args.unit))
            if args.unit.isdigit()
            else unit_service.get_unit_by_code(session, args.unit)
        )
    language = args.language or settings.default_language
    i18n = create_i18n(settings.default_language)
    library = load_library(settings.procedures_dir, settings=settings)
    with i18n.context(), i18n.use_locale(language):
        files, total = await export_files(
            session,
            None,
            args.first,
            args.last,
            args.file_format,
            language,
            settings,
            library,
            open_media_store(settings),
            unit_id=unit.id if unit else None,
            include_exercises=args.include_exercises,
        )
    outputs = (
        [args.out]
        if len(files) == 1
        else [
            args.out.with_name(f"{args.out.stem}-{file.name.rsplit('-', 1)[1]}") for file in files
        ]
    )
    for file, path in zip(files, outputs, strict=True):
        path.write_bytes(file.content)
        print(f"wrote {path}")
    await audit.record(
        session,
        None,
        "report.exported",
        "export",
        None,
        first=args.first.isoformat(),
        last=args.last.isoformat(),
        format=args.file_format,
        reports=total,
        by="cli",
    )
    print(f"{total} report(s) exported")


class IntegrityBroken(DomainError):
    """The audit chain or an evidence photo does not verify."""


DATABASE_COMMANDS = {
    ("units", "add"): add_unit,
    ("units", "set"): set_unit,
    ("units", "list"): list_units,
    ("users", "add"): add_user,
    ("users", "list"): list_users,
    ("audit", "verify"): verify_audit,
    ("export", None): export_reports,
}


def check_procedures(paths: list[Path], settings: Settings) -> int:
    """Print every problem with its file and field path; non-zero exit when there is one.

    Without paths, the files the bot would load: those of PROCEDURES_DIR."""
    directory = paths[0].resolve().parent if paths else settings.procedures_dir
    try:
        library = load_library(
            directory, only=[path.resolve() for path in paths] or None, settings=settings
        )
    except ProcedureErrors as problems:
        for line in problems.errors:
            print(line, file=sys.stderr)
        return 1
    print(f"{len(library.procedures)} procedure(s) valid")
    return 0


def migrate_media_store(target: str, settings: Settings) -> int:
    """Copy MEDIA_DIR's photos into the `target` store; non-zero when a file did not match
    its name (it stays in MEDIA_DIR, and `audit verify` names the report it belongs to)."""
    asyncio.run(with_database(settings, lambda _session: asyncio.sleep(0)))
    store = open_media_store(settings, target)
    try:
        migrated = migrate_media(MediaStore(settings.media_dir), store)
    finally:
        store.close()
    print(
        f"{migrated.copied} photo(s) copied to the {target} store, "
        f"{migrated.already_there} already there; set MEDIA_STORE={target}"
    )
    for digest in migrated.altered:
        print(f"not copied: {digest} does not match its SHA-256 (altered)", file=sys.stderr)
    return 1 if migrated.altered else 0


def back_up_or_restore(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.command == "backup":
            out = (
                args.out
                or Path("backups") / f"seizure-assistant-{datetime.now():%Y%m%d-%H%M%S}.tar.gz"
            )
            archived = backup(settings.database_url, settings.media_dir, out)
            print(f"wrote {out}: the {archived.database} database and {archived.photos} photo(s)")
        else:
            archived = restore(args.archive, settings.database_url, settings.media_dir)
            print(
                f"restored the {archived.database} database backed up at {archived.created_at} "
                f"and {archived.photos} photo(s); `python -m bot audit verify` checks them"
            )
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def describe(error: DomainError) -> str:
    if isinstance(error, InvalidInput):
        return f"invalid {error.field}: {error.reason}"
    if isinstance(error, NotFound):
        return f"{error.what} not found"
    return str(error) or type(error).__name__


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command in (None, "polling", "webhook"):
            settings.require_bot(webhook=args.command == "webhook")
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    # Each line names its update and person; the token and the webhook secret never show.
    configure_logging(
        settings.log_level,
        secrets=(settings.bot_token, settings.webhook_secret),
        log_format=settings.log_format,
        replica=settings.replica_id,
    )
    if args.command in (None, "polling", "webhook"):
        # Imported here: aiogram's types take seconds to load, which the set-up commands skip.
        from aiogram.exceptions import TelegramUnauthorizedError

        from bot.app import run_polling, run_webhook

        try:
            asyncio.run(
                run_webhook(settings) if args.command == "webhook" else run_polling(settings)
            )
        except TelegramUnauthorizedError:
            print("Configuration error: BOT_TOKEN was rejected by the Bot API", file=sys.stderr)
            return 2
        except ProcedureErrors as problems:
            # The bot does not start with procedure content that would mislead an officer.
            for line in problems.errors:
                print(line, file=sys.stderr)
            return 2
    elif args.command == "procedures":
        return check_procedures(args.paths, settings)
    elif args.command == "media":
        return migrate_media_store(args.target, settings)
    elif args.command in ("backup", "restore"):
        return back_up_or_restore(args, settings)
    elif args.command == "doctor":
        from bot.doctor import run_doctor

        return run_doctor(settings)
    elif args.command == "migrate":
        asyncio.run(with_database(settings, lambda _session: asyncio.sleep(0)))
        print("database is up to date")
    else:
        command = DATABASE_COMMANDS[(args.command, getattr(args, "action", None))]
        args.settings = settings
        try:
            asyncio.run(with_database(settings, lambda session: command(session, args)))
        except DomainError as error:
            print(f"error: {describe(error)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
