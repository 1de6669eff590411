"""Recall's command line: `python -m bot [run|check|sync|db backup|deck validate|import|export]`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot import deck_cli
from bot.config import (
    ENV_NAMES,
    ConfigError,
    Settings,
    load_settings,
    no_database_yet,
    token_problem,
    unknown_settings,
)
from bot.decks import DeckError, load_builtin_decks
from bot.store import BackupTargetError, Store, StoreError

log = logging.getLogger("bot")


class CliError(Exception):
    """Ends the command with one line on stderr and exit status 1."""


def setup_logging(level: int) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("discord.http").setLevel(max(level, logging.INFO))
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))


# -- commands -------------------------------------------------------------------------------


async def cmd_check(settings: Settings) -> int:
    """Offline: settings, database, built-in decks. No token needed."""
    token = settings.discord_token.get_secret_value().strip()
    problem = token_problem(token) if token else None
    if problem:
        raise CliError(f"{problem}. Put DISCORD_TOKEN=<your bot token> in .env")
    decks = load_builtin_decks()
    store = await Store.open(settings.database, migrate=False)
    try:
        before = await store.version()
        await store.migrate()
        summary = await store.sync_builtin_decks(decks)
        problems = await store.integrity_check()
        if problems:
            raise CliError(
                f"database {settings.database} failed its integrity check: {problems[0]}"
            )
        version = await store.version()
        counts = await store.counts()
    finally:
        await store.close()
    print(f"settings: ok (token {'set' if token else 'not set'}, log level {settings.log_level})")
    print(f"database: {settings.database} at version {version} (was {before}), integrity ok")
    questions = sum(len(d.questions) for d in decks)
    print(f"decks: {len(decks)} built-in, {questions} questions, all valid")
    for deck in decks:
        mc = sum(1 for q in deck.questions if q.options)
        print(
            f"  {deck.slug}: {deck.name} — {len(deck.questions)} questions ({mc} multiple choice)"
        )
    print(
        f"stored: {counts['decks']} decks, {counts['questions']} questions "
        f"(+{summary.added} added, {summary.updated} updated, {summary.removed} removed now)"
    )
    return 0


async def cmd_run(settings: Settings) -> int:
    from bot.client import RecallBot

    token = settings.require_token()
    decks = load_builtin_decks()
    store = await Store.open(settings.database)
    try:
        await store.sync_builtin_decks(decks)
        bot = RecallBot(settings, store, check_installed=True)
        async with bot:
            _close_on_sigterm(bot)
            try:
                await bot.start(token)
            except _login_failure() as exc:
                raise CliError(
                    "Discord refused the token: copy it again from the Bot page of the "
                    "Developer Portal into DISCORD_TOKEN in .env"
                ) from exc
            except _http_error() as exc:
                raise CliError(discord_problem(exc, "the request")) from exc
    finally:
        await store.close()
    return 0


def _close_on_sigterm(bot: Any) -> None:
    """SIGTERM (``docker stop``, systemd) closes the bot as Ctrl+C does: the gateway, the
    scheduler and the database are closed, and ``run`` returns 0. Without a handler, a
    process that is PID 1 in a container would not stop at all until killed."""
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[None]] = []  # kept, so the task is not collected mid-way

    def close() -> None:
        log.info("SIGTERM: closing")
        closing.append(loop.create_task(bot.close()))

    with contextlib.suppress(NotImplementedError, RuntimeError):  # not on every platform
        loop.add_signal_handler(signal.SIGTERM, close)


async def cmd_sync(settings: Settings, guild_id: int | None, use_global: bool) -> int:
    from bot.client import RecallBot

    token = settings.require_token()
    target = None if use_global else (guild_id if guild_id is not None else settings.dev_guild_id)
    removed = 0
    store = await Store.open(settings.database)
    try:
        bot = RecallBot(settings, store)
        async with bot:
            try:
                await bot.login(token)
            except _login_failure() as exc:
                raise CliError("Discord refused the token: check DISCORD_TOKEN in .env") from exc
            except _http_error() as exc:
                raise CliError(discord_problem(exc, "the request")) from exc
            try:
                synced = await bot.sync_commands(target)
                if target is None and settings.dev_guild_id is not None:
                    removed = await bot.remove_guild_copy(settings.dev_guild_id)
            except _http_error() as exc:
                if target is None or not isinstance(exc, _forbidden()):
                    raise CliError(discord_problem(exc, "the commands")) from exc
                raise CliError(
                    f"Discord refused the commands: the bot is not in server {target}, or was "
                    "invited there without the applications.commands scope. Invite it with "
                    "the README's invite link, or check --guild or RECALL_DEV_GUILD_ID in .env"
                ) from exc
    finally:
        await store.close()
    where = (
        "globally (may take up to an hour to appear)" if target is None else f"to server {target}"
    )
    print(f"synced {len(synced)} commands {where}")
    if removed:
        print(
            f"removed the copy in server {settings.dev_guild_id} (RECALL_DEV_GUILD_ID), which "
            "Discord would list beside the global commands there"
        )
    return 0


def _client_error() -> type[Exception]:
    import aiohttp

    return aiohttp.ClientError


def _network_or_file_problem(exc: BaseException) -> str:
    if isinstance(exc, _client_error()) or isinstance(exc, ConnectionError | TimeoutError):
        return (
            f"cannot reach Discord ({exc}); check the network connection, DNS and any "
            "firewall or proxy, then try again"
        )
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.strerror or exc}: {exc.filename}"
    return str(exc)


def backup_problem(settings: Settings, target: Path) -> str | None:
    if target.exists():
        return f"{target} already exists; choose a new file name"
    if not target.parent.is_dir():
        return f"folder {target.parent} does not exist; create it or choose another path"
    if not settings.database.exists():
        return no_database_yet(settings.database)
    return None


async def cmd_backup(settings: Settings, target: Path) -> int:
    store = await Store.open(settings.database, migrate=False)
    try:
        await store.backup(target)
    finally:
        await store.close()
    print(f"backed up {settings.database} to {target}")
    return 0


def _login_failure() -> type[Exception]:
    from bot.client import LoginFailure

    return LoginFailure


def _forbidden() -> type[Exception]:
    from bot.client import Forbidden

    return Forbidden


def _http_error() -> type[Exception]:
    from bot.client import HTTPException

    return HTTPException


def discord_problem(exc: Exception, what: str) -> str:
    """One line for an answer from Discord that is neither a refused token nor a server
    the bot is not in: a limit reached (a 4xx), or Discord down (a 5xx)."""
    said = " ".join(str(exc).split())  # a refused form lists its errors on several lines
    if getattr(exc, "status", 0) >= 500:
        return (
            f"Discord is not answering as it should ({said}): it may be down "
            "(https://discordstatus.com); try again later"
        )
    return f"Discord refused {what} ({said})"


# -- parsing --------------------------------------------------------------------------------


def _settings_help() -> str:
    """The epilog of ``recall --help``: every setting, and the exit codes."""
    lines = ["settings, from the environment or .env in this folder (the environment wins):"]
    for field, env in ENV_NAMES.items():
        lines.append(f"  {env:<24} {Settings.model_fields[field].description}")
    lines += [
        "",
        "exit codes: 0 done, 1 a problem named on stderr, 2 a setting or argument that cannot",
        "be used, 130 interrupted (Ctrl+C), 141 output no longer read (| head)",
    ]
    return "\n".join(lines)


def add_command(sub: Any, name: str, about: str) -> argparse.ArgumentParser:
    """A subcommand whose own --help says what it does, as the list of commands does."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=about, description=about)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="recall",
        description="Recall, a Discord study bot. Without a command: run.",
        epilog=_settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command")
    add_command(sub, "run", "connect to Discord and serve (the default)")
    add_command(
        sub,
        "check",
        "offline, no token needed: validate settings, migrate the database, validate the "
        "built-in decks; exit 1 on a problem",
    )
    sync = add_command(sub, "sync", "install slash commands on Discord")
    where = sync.add_mutually_exclusive_group()
    where.add_argument(
        "--guild",
        type=deck_cli.server_id,
        help="a server id (instant); default RECALL_DEV_GUILD_ID",
    )
    where.add_argument(
        "--global",
        dest="use_global",
        action="store_true",
        help="every server (Discord may take a while to show them); removes the copy "
        "a sync put in RECALL_DEV_GUILD_ID",
    )
    db = add_command(sub, "db", "database tools")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    backup = add_command(
        db_sub, "backup", "a consistent copy of RECALL_DATABASE, safe while the bot runs"
    )
    backup.add_argument(
        "path", type=Path, help="the copy to write: a new file, in a folder that exists"
    )
    deck_cli.add_parser(sub, add_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"recall: {exc}", file=sys.stderr)
        return 2
    for unknown in unknown_settings():
        print(f"recall: warning: {unknown}", file=sys.stderr)
    setup_logging(settings.log_level_number)
    try:
        if command == "check":
            return asyncio.run(cmd_check(settings))
        if command == "run":
            return asyncio.run(cmd_run(settings))
        if command == "sync":
            return asyncio.run(cmd_sync(settings, args.guild, args.use_global))
        if command == "deck":
            return deck_cli.run(settings, args)
        if command == "db" and args.db_command == "backup":
            why_not = backup_problem(settings, args.path)
            if why_not:
                raise CliError(why_not)
            return asyncio.run(cmd_backup(settings, args.path))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Whoever read standard output stopped (``| head``): nothing is wrong, nothing to
        # say. Output still buffered would fail again at exit, so it goes nowhere.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a program ended by SIGPIPE
    except ConfigError as exc:
        print(f"recall: {exc}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"recall: {exc}", file=sys.stderr)
        return 1
    except BackupTargetError as exc:
        print(f"recall: {exc}", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"recall: {exc} (the database file is set by RECALL_DATABASE)", file=sys.stderr)
        return 1
    except (OSError, _client_error()) as exc:
        # Discord unreachable (DNS, firewall, no network), or a file that cannot be written.
        print(f"recall: {_network_or_file_problem(exc)}", file=sys.stderr)
        return 1
    except DeckError as exc:
        print("recall: a built-in deck is invalid:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"recall: unknown command {command}", file=sys.stderr)
    return 2
