"""`python -m bot deck validate | import | export`: the question bank from the command line.

``validate`` needs no database: it reads a file as ``/question import`` would and prints
every question with all its fields, the warnings and the errors. ``import`` and ``export`` work
on the database in RECALL_DATABASE, with the same rules as the Discord commands: an import is
all or nothing in one transaction, duplicates are skipped, built-in decks are read-only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.bank import (
    BUILTIN_READ_ONLY,
    ImportRefused,
    check_deck_name,
    check_upload_size,
    deck_key,
    find_deck,
    read_upload,
    size_text,
)
from bot.config import COPY_SERVER_ID, SERVER_ID_MAX, Settings, no_database_yet
from bot.decks import load_builtin_decks
from bot.errors import UserError
from bot.exporters import EXPORT_EXTENSIONS, EXPORT_FORMATS, ExportFormat, export_parts
from bot.importers import EXTENSIONS, IMPORT_MAX_BYTES, IMPORT_MAX_QUESTIONS, validate_file
from bot.questions import Question
from bot.store import DeckRow, Store
from bot.text import count


class DeckCliError(Exception):
    """Ends the command with the message on stderr and exit status 1."""


def server_id(text: str) -> int:
    """An argparse type: a Discord server id, as `--guild` takes it."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 0 < value <= SERVER_ID_MAX:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a server id: {COPY_SERVER_ID}"
        )
    return value


def server_id_or_zero(text: str) -> int:
    """A server id, or 0 for the built-in decks alone."""
    return 0 if text.strip() == "0" else server_id(text)


def add_parser(sub: Any, add_command: Any) -> None:
    deck = add_command(sub, "deck", "validate, import and export question files")
    deck_sub = deck.add_subparsers(dest="deck_command", required=True)

    validate = add_command(
        deck_sub,
        "validate",
        "check a file as an import would (no database needed); exit 1 on errors",
    )
    validate.add_argument(
        "file", type=Path, help="Recall YAML or JSON, CSV, or an article in Markdown or text"
    )
    validate.add_argument("--json", action="store_true", help="print the report as JSON")

    imp = add_command(
        deck_sub,
        "import",
        "import a file into a server's deck: all or nothing, duplicates skipped",
    )
    imp.add_argument("file", type=Path, help="the file, in any format `deck validate` reads")
    imp.add_argument("--guild", type=server_id, required=True, help="the server id")
    imp.add_argument(
        "--deck", required=True, help="the deck's slug or name; a new deck is created if none"
    )

    exp = add_command(deck_sub, "export", "write a deck to a file")
    exp.add_argument(
        "--guild",
        type=server_id_or_zero,
        default=0,
        help="the server id (default 0: built-in decks only)",
    )
    exp.add_argument("--deck", required=True, help="the deck's slug or name")
    exp.add_argument(
        "--format", choices=EXPORT_FORMATS, default="yaml", help="the file's format (default yaml)"
    )
    exp.add_argument(
        "--out", help="the file to write (default: <slug>.<ext> here; '-' for standard output)"
    )
    exp.add_argument("--force", action="store_true", help="overwrite --out if it exists")


def run(settings: Settings, args: argparse.Namespace) -> int:
    try:
        if args.deck_command in ("validate", "import") and args.file.is_dir():
            raise DeckCliError(f"{args.file} is a folder: give the deck file inside it")
        if args.deck_command == "validate":
            return cmd_validate(args.file, as_json=args.json)
        if args.deck_command == "import":
            data = read_file(args.file)
            return asyncio.run(cmd_import(settings, args.file.name, data, args.guild, args.deck))
        return cmd_export(settings, args.guild, args.deck, args.format, args.out, args.force)
    except (DeckCliError, UserError) as exc:
        print(f"recall: {_plain(str(exc))}", file=sys.stderr)
        return 1


def _plain(text: str) -> str:
    """Discord markdown (bold, code) read plainly in a terminal."""
    return text.replace("**", "").replace("`", "")


def cmd_validate(path: Path, *, as_json: bool) -> int:
    report = validate_file(path)
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0 if report["ok"] else 1
    print(
        f"{report['file']}: {report['format']}, {count(len(report['questions']), 'question')}, "
        f"{count(len(report['warnings']), 'warning')}, {count(len(report['errors']), 'error')}"
    )
    deck = report["deck"]
    if deck.get("name") or deck.get("slug"):
        print(f"deck: {deck.get('name') or ''} ({deck.get('slug') or 'no slug'})")
    for i, q in enumerate(report["questions"], 1):
        print()
        print(f"{i}. [{q['id']}] {q['prompt']}")
        print(f"   difficulty: {q['difficulty']}")
        print(f"   tags: {', '.join(q['tags']) or '-'}")
        if q["why"]:
            print(f"   why: {q['why']}")
        for point in q["key_points"]:
            print(f"   key point: {point}")
        for option in q["options"]:
            print(f"   option: {'*' if option['correct'] else ' '} {option['text']}")
        print(f"   answer: {q['answer']}")
    for label, items in (("warning", report["warnings"]), ("error", report["errors"])):
        for item in items:
            print(f"{label}: {item['text']}", file=sys.stderr if label == "error" else sys.stdout)
    return 0 if report["ok"] else 1


async def _deck(store: Store, guild_id: int, text: str) -> DeckRow | None:
    return find_deck(await store.decks_for_guild(guild_id, include_disabled=True), text)


def read_file(path: Path) -> bytes:
    try:
        # Refused before it is read, in the words /question import uses.
        check_upload_size(path.stat().st_size, filename=str(path))
        return path.read_bytes()
    except OSError as exc:
        raise DeckCliError(f"cannot read {path}: {exc.strerror}") from None


async def cmd_import(
    settings: Settings, filename: str, data: bytes, guild_id: int, deck_text: str
) -> int:
    if guild_id <= 0:
        raise DeckCliError("--guild must be a server id; built-in decks are read-only")
    store = await Store.open(settings.database)
    try:
        await store.sync_builtin_decks(load_builtin_decks())
        deck = await _deck(store, guild_id, deck_text)
        if deck is not None and deck.builtin:
            raise DeckCliError(_plain(BUILTIN_READ_ONLY.format(name=deck.name)))
        prompts, ids = await store.deck_keys(deck.id) if deck else ([], [])
        try:
            parsed = await read_upload(data, filename, active_prompts=prompts, taken_ids=ids)
        except ImportRefused as exc:
            if not exc.errors:
                raise DeckCliError(_plain(str(exc))) from None
            for error in exc.errors:
                print(error, file=sys.stderr)
            n = len(exc.errors)
            raise DeckCliError(
                f"nothing was imported: {filename} has {n} problem{'s' if n != 1 else ''}"
            ) from None
        created = deck is None
        if deck is None:
            # A new deck takes the description the file carries (an export has its deck's).
            name, description = check_deck_name(deck_text, parsed.deck_description or "")
            deck, placement = await store.import_into_new_deck(
                guild_id, name, description, parsed.questions
            )
        else:
            placement = await store.insert_questions(deck.id, parsed.questions)
    finally:
        await store.close()
    for warning in [*parsed.warnings, *placement.notes()]:
        print(f"warning: {warning}")
    made = " (new deck)" if created else ""
    print(
        f"imported {count(len(placement.questions), 'question')} from {filename} into "
        f"{deck.name} ({deck.slug}){made} in server {guild_id}"
    )
    return 0


def _no_such_deck(text: str, guild_id: int, decks: list[DeckRow]) -> str:
    """Why ``deck export`` found no deck ``text`` among a server's ``decks`` (the built-in
    ones alone for ``guild_id`` 0), naming the decks there are as ``--deck`` takes them."""
    builtin = ", ".join(deck_key(d, decks) for d in decks if d.builtin)
    if not guild_id:
        return (
            f"there is no built-in deck {text!r}; for a server's own deck, give --guild with "
            f"the server's id. Built-in decks: {builtin}"
        )
    own = ", ".join(deck_key(d, decks) for d in decks if not d.builtin)
    if not own:
        return (
            f"there is no deck {text!r} in server {guild_id}, which has no decks of its own "
            f"(check the server id). Built-in decks: {builtin}"
        )
    return f"there is no deck {text!r} in server {guild_id}. Its decks: {own}, then the built-in {builtin}"


async def _load_deck(
    settings: Settings, guild_id: int, deck_text: str
) -> tuple[DeckRow, list[Question]]:
    store = await Store.open(settings.database)
    try:
        await store.sync_builtin_decks(load_builtin_decks())
        decks = await store.decks_for_guild(guild_id, include_disabled=True)
        deck = find_deck(decks, deck_text)
        if deck is None:
            raise DeckCliError(_no_such_deck(deck_text, guild_id, decks))
        stored = await store.questions_in_deck(deck.id)
    finally:
        await store.close()
    return deck, [sq.question for sq in stored]


def _check_out_format(path: Path, fmt: ExportFormat) -> None:
    """Refuse an --out whose extension makes an import read the file as another format
    than ``fmt`` (YAML written to deck.csv would be read as a CSV sheet). A text file is
    read as CSV when it holds a table, else as an article, so CSV and Markdown go in one."""
    read_as = EXTENSIONS.get(path.suffix.lower())
    if read_as is None or read_as == fmt or (read_as == "text" and fmt in ("csv", "markdown")):
        return
    named = {"text": "text", "markdown": "Markdown"}.get(read_as, read_as.upper())
    raise DeckCliError(
        f"--out {path} names a {named} file, which an import reads as such, but --format is "
        f"{fmt}: give --format {'csv or markdown' if read_as == 'text' else read_as}, or an --out "
        f"ending in {EXPORT_EXTENSIONS[fmt]}"
    )


def cmd_export(
    settings: Settings,
    guild_id: int,
    deck_text: str,
    fmt: ExportFormat,
    out: str | None,
    force: bool,
) -> int:
    if out not in (None, "-"):
        _check_out_format(Path(out), fmt)
    if not settings.database.exists():
        raise DeckCliError(no_database_yet(settings.database))
    deck, questions = asyncio.run(_load_deck(settings, guild_id, deck_text))
    if not questions:
        # A file with none is one no import takes: refused, as /question export refuses it.
        raise DeckCliError(f"{deck.name} ({deck.slug}) has no questions to export yet")
    parts = export_parts(
        questions, fmt, deck_name=deck.name, deck_slug=deck.slug, description=deck.description
    )
    limits = (
        f"one import takes at most {IMPORT_MAX_QUESTIONS} questions and "
        f"{size_text(IMPORT_MAX_BYTES)}"
    )
    if out == "-":
        if len(parts) > 1:
            raise DeckCliError(
                f"{deck.name} ({len(questions)} questions) is too big for one import file "
                f"({limits}); give --out a file name to write it as {len(parts)} files"
            )
        sys.stdout.buffer.write(parts[0].data)
        sys.stdout.flush()
        return 0
    target = Path(out) if out else Path(deck.slug + EXPORT_EXTENSIONS[fmt])
    if target.is_dir():
        raise DeckCliError(f"{target} is a folder; give --out a file name")
    if not target.parent.is_dir():
        raise DeckCliError(f"folder {target.parent} does not exist; create it or choose another --out")
    # A deck past the import limits goes to <name>-1-of-N<ext>, ... beside the name asked for.
    n = len(parts)
    targets = (
        [target]
        if n == 1
        else [target.with_name(f"{target.stem}-{i}-of-{n}{target.suffix}") for i in range(1, n + 1)]
    )
    for path in targets:
        if path.exists() and not force:
            raise DeckCliError(f"{path} already exists; choose another --out or add --force")
    for path, part in zip(targets, parts, strict=True):
        try:
            path.write_bytes(part.data)
        except OSError as exc:
            raise DeckCliError(f"cannot write {path}: {exc.strerror or exc}") from None
    written = ", ".join(str(p) for p in targets)
    print(f"exported {count(len(questions), 'question')} of {deck.name} ({deck.slug}) to {written}")
    if n > 1:
        print(f"{limits}: import the files one after the other")
    return 0
