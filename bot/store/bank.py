"""Storage for the question bank: custom decks, editing and removing questions, import
sessions and member suggestions. Nothing is deleted: removed decks and questions get a
``removed_at`` so grades and boards keep pointing at them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.bank import (
    BUILTIN_DECK_FIXED,
    BUILTIN_READ_ONLY,
    IMPORT_EXPIRED,
    Placement,
    deck_slug_for,
    import_finished,
    place_questions,
    questions_from_json,
    questions_to_json,
)
from bot.clock import from_db, to_db
from bot.errors import NamedError, UserError
from bot.questions import Question, folded, loose_key
from bot.store.base import in_thread, keep_last_id, next_id, rows_in, tags_in
from bot.store.decks import (
    _QUESTION_SELECT,
    DeckRow,
    DeckStore,
    StoredQuestion,
    _stored_question,
    _upsert_questions,
    back_in_deck,
)
from bot.text import one_line


@dataclass(frozen=True)
class FormDraft:
    """What was given with the command that opened a form, kept while the form is open."""

    why: str  # the *why it is asked* typed with the command ("" if none)
    command: str  # the command with its options that opens the form as it was ("" if none)


@dataclass(frozen=True)
class ImportSession:
    id: int
    guild_id: int
    deck_id: int
    user_id: int
    filename: str
    format: str
    questions: list[Question]
    warnings: list[str]
    state: str
    expires_at: datetime


@dataclass(frozen=True)
class Suggestion:
    id: int
    guild_id: int
    user_id: int
    deck_id: int
    deck_name: str
    question: Question
    state: str
    reason: str | None
    reviewer_id: int | None
    question_id: int | None
    channel_id: int | None
    message_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class DeckPlace:
    guild_id: int
    builtin: bool
    removed: bool


@dataclass(frozen=True)
class DeckEdit:
    """A deck's name and description before and after ``/deck edit`` (its slug stays)."""

    slug: str
    name: str
    description: str
    old_name: str
    old_description: str

    @property
    def changed(self) -> bool:
        return (self.name, self.description) != (self.old_name, self.old_description)


@dataclass(frozen=True)
class QuestionPage:
    questions: list[StoredQuestion]
    total: int


async def _deck_keys(db: aiosqlite.Connection, deck_id: int) -> tuple[list[str], list[str]]:
    async with db.execute(
        "SELECT prompt, ext_id, removed_at FROM questions WHERE deck_id = ?", (deck_id,)
    ) as cur:
        rows = list(await cur.fetchall())
    return [r[0] for r in rows if r[2] is None], [r[1] for r in rows]


async def _live_deck(db: aiosqlite.Connection, deck_id: int) -> sqlite3.Row:
    async with db.execute(
        "SELECT id, builtin, removed_at, name FROM decks WHERE id = ?", (deck_id,)
    ) as cur:
        row = await cur.fetchone()
    if row is None or row["removed_at"] is not None:
        raise UserError("That deck has been removed, so nothing was saved.")
    if row["builtin"]:
        raise UserError(BUILTIN_READ_ONLY.format(name=row["name"]))
    return row


async def _new_deck(
    db: aiosqlite.Connection,
    guild_id: int,
    name: str,
    description: str,
    created_by: int | None,
    now: str,
) -> DeckRow:
    """Insert a deck of the server's own, in the caller's transaction (the rules are
    ``BankStore.create_custom_deck``'s)."""
    slug = deck_slug_for(name)
    live = await _other_decks(db, guild_id)
    clash = next((r for r in live if r["slug"] == slug), None)
    if clash is not None and clash["guild_id"] == 0:
        # The name typed is not the built-in deck's: say what they would share, the slug.
        builtin = clash["name"].replace("{", "{{").replace("}", "}}")
        raise NamedError(
            f"A deck called **{{name}}** would have the slug `{slug}`, which the "
            f"built-in deck **{builtin}** has. Choose another name.",
            name,
        )
    _refuse_confusing_name(live, name)
    taken = {r["slug"] for r in live}
    n = 2
    while slug in taken:
        suffix = f"-{n}"
        slug = deck_slug_for(name)[: 40 - len(suffix)].strip("-") + suffix
        n += 1
    cur2 = await db.execute(
        "INSERT INTO decks (guild_id, slug, name, description, builtin, created_by, "
        "created_at) VALUES (?, ?, ?, ?, 0, ?, ?)",
        (guild_id, slug, name, description, created_by, now),
    )
    deck_id = int(cur2.lastrowid or 0)
    return DeckRow(deck_id, guild_id, slug, name, description, False, 0, True)


async def _other_decks(
    db: aiosqlite.Connection, guild_id: int, but: int | None = None
) -> list[sqlite3.Row]:
    """The live decks a server sees (its own and the built-in ones, switched off or not),
    but the deck ``but``: rows with ``name``, ``guild_id`` and ``slug``."""
    async with db.execute(
        "SELECT name, guild_id, slug FROM decks WHERE guild_id IN (0, ?) AND id != ? "
        "AND removed_at IS NULL",
        (guild_id, -1 if but is None else but),
    ) as cur:
        return list(await cur.fetchall())


def _refuse_confusing_name(live: Sequence[sqlite3.Row], name: str) -> None:
    """A NamedError when a deck named ``name`` could be mistaken for one of ``live`` (the
    other decks the server sees, see :func:`_other_decks`), naming it: one whose name is
    ``name`` (compared loosely), or whose slug reads as ``name`` (``Python`` and
    ``python``), as a deck option would then name two decks by what members take for one
    name. The rule of ``/deck create`` and ``/deck edit`` alike; the server's own decks are
    named first, as :func:`bot.bank.find_deck` picks them first."""
    key = loose_key(name)  # "???" has none: like find_deck, it matches no name
    if not key:
        return
    ordered = sorted(live, key=lambda r: r["guild_id"] == 0)
    same_name = next((r for r in ordered if loose_key(r["name"]) == key), None)
    if same_name is not None:
        raise NamedError(
            f"There is already a deck called **{{name}}** (`{same_name['slug']}`) "
            "here. Choose another name.",
            same_name["name"],
        )
    same_slug = next((r for r in ordered if loose_key(r["slug"]) == key), None)
    if same_slug is not None:
        kind = "built-in deck" if same_slug["guild_id"] == 0 else "deck"
        raise NamedError(
            f"A deck called **{{name}}** could be mistaken for the {kind} **{{other}}**, "
            f"whose slug is `{same_slug['slug']}`. Choose another name.",
            name,
            other=same_slug["name"],
        )


async def _insert(
    db: aiosqlite.Connection, deck_id: int, questions: Sequence[Question], now: str
) -> Placement:
    await _live_deck(db, deck_id)
    prompts, ids = await _deck_keys(db, deck_id)
    placement = place_questions(questions, prompts, ids)
    if placement.questions:
        await _upsert_questions(db, deck_id, placement.questions, now, remove_missing=False)
    return placement


def _spaced(text: str) -> str:
    """``text`` as a search compares it: folded (case and accents do not count), each run
    of spaces and line breaks one space."""
    return " ".join(folded(text).split())


class BankStore(DeckStore):
    # -- decks ---------------------------------------------------------------------------

    async def deck_for_guild(self, guild_id: int, deck_id: int) -> DeckRow | None:
        for deck in await self.decks_for_guild(guild_id, include_disabled=True):
            if deck.id == deck_id:
                return deck
        return None

    async def create_custom_deck(
        self, guild_id: int, name: str, description: str, created_by: int | None
    ) -> DeckRow:
        """A new deck of this server's own; refused when a built-in deck has its slug, or
        when another deck could be mistaken for it (see :func:`_refuse_confusing_name`: one
        the server sees has the same name, or a slug that reads as it, compared loosely). A
        deck of the server whose different name gives the same slug (every Cyrillic or CJK
        name gives ``deck``) leaves the new one the first free ``slug-2``, ``slug-3``, ..."""
        async with self.transaction() as db:
            return await _new_deck(db, guild_id, name, description, created_by, self.now_text())

    async def import_into_new_deck(
        self, guild_id: int, name: str, description: str, questions: Sequence[Question]
    ) -> tuple[DeckRow, Placement]:
        """A new deck of this server's own (see ``create_custom_deck``) with ``questions``
        in it (see ``insert_questions``), in one transaction: an import that fails leaves no
        empty deck behind."""
        now = self.now_text()
        async with self.transaction() as db:
            deck = await _new_deck(db, guild_id, name, description, None, now)
            return deck, await _insert(db, deck.id, questions, now)

    async def edit_custom_deck(
        self,
        guild_id: int,
        deck_id: int,
        *,
        name: str | None = None,
        description: str | None = None,
    ) -> DeckEdit:
        """Give a deck of this server's own a new name or description (None: kept), checked
        as ``create_custom_deck`` checks a new one: no other deck the server sees may have
        the name or a slug that reads as it (compared loosely, see
        :func:`_refuse_confusing_name`). The slug stays: commands, schedules, autocomplete
        and exported files name the deck by it. Nothing is written when nothing changes."""
        async with self.transaction() as db:
            async with db.execute(
                "SELECT guild_id, slug, name, description, builtin, removed_at FROM decks "
                "WHERE id = ?",
                (deck_id,),
            ) as cur:
                row = await cur.fetchone()
            if row is None or row["guild_id"] not in (0, guild_id):
                raise UserError("There is no such deck here; nothing was changed.")
            if row["builtin"]:
                raise NamedError(BUILTIN_DECK_FIXED, row["name"])
            if row["removed_at"] is not None:
                raise UserError("That deck has been removed, so nothing was changed.")
            edit = DeckEdit(
                slug=row["slug"],
                name=row["name"] if name is None else name,
                description=row["description"] if description is None else description,
                old_name=row["name"],
                old_description=row["description"],
            )
            if not edit.changed:
                return edit
            if edit.name != edit.old_name:
                _refuse_confusing_name(await _other_decks(db, guild_id, deck_id), edit.name)
            await db.execute(
                "UPDATE decks SET name = ?, description = ? WHERE id = ?",
                (edit.name, edit.description, deck_id),
            )
            return edit

    async def remove_deck(self, guild_id: int, deck_id: int) -> bool:
        """Mark a custom deck removed (its questions and their history stay). The slug is
        freed so that a new deck may take the name."""
        now = self.now_text()
        async with self.transaction() as db:
            cur = await db.execute(
                "UPDATE decks SET removed_at = ?, slug = slug || '~' || id "
                "WHERE id = ? AND guild_id = ? AND builtin = 0 AND removed_at IS NULL",
                (now, deck_id, guild_id),
            )
            return cur.rowcount == 1

    async def deck_keys(self, deck_id: int) -> tuple[list[str], list[str]]:
        """The prompts of a deck's live questions, and every id the deck has ever used."""
        rows = await self._fetchall(
            "SELECT prompt, ext_id, removed_at FROM questions WHERE deck_id = ?", (deck_id,)
        )
        return [r[0] for r in rows if r[2] is None], [r[1] for r in rows]

    async def deck_stats(self, deck_id: int) -> dict[str, int]:
        rows = await self._fetchall(
            "SELECT difficulty, COUNT(*), SUM(CASE WHEN options != '[]' THEN 1 ELSE 0 END) "
            "FROM questions WHERE deck_id = ? AND removed_at IS NULL GROUP BY difficulty",
            (deck_id,),
        )
        out = {"easy": 0, "medium": 0, "hard": 0, "multiple_choice": 0}
        for r in rows:
            out[r[0]] = int(r[1])
            out["multiple_choice"] += int(r[2] or 0)
        return out

    # -- questions -----------------------------------------------------------------------

    async def insert_questions(self, deck_id: int, questions: Sequence[Question]) -> Placement:
        """Add questions to a custom deck in one transaction: duplicates of live prompts are
        skipped and taken ids renamed (see :func:`bot.bank.place_questions`)."""
        now = self.now_text()
        async with self.transaction() as db:
            return await _insert(db, deck_id, questions, now)

    async def add_question(self, deck_id: int, question: Question) -> int:
        """Add one question; a UserError when the deck already asks the same thing."""
        now = self.now_text()
        async with self.transaction() as db:
            placement = await _insert(db, deck_id, [question], now)
            if not placement.questions:
                raise UserError(
                    "This deck already has that question (same wording, ignoring case, spacing "
                    "and sentence punctuation). Nothing was added."
                )
            ext_id = placement.questions[0].id
            async with db.execute(
                "SELECT id FROM questions WHERE deck_id = ? AND ext_id = ?", (deck_id, ext_id)
            ) as cur:
                row = await cur.fetchone()
        assert row is not None
        return int(row[0])

    async def update_question(self, question_id: int, question: Question) -> None:
        """Replace a live custom question's content (its id and history stay)."""
        await self.edit_question(question_id, lambda _current: question)

    async def edit_question(
        self, question_id: int, change: Callable[[Question], Question]
    ) -> Question:
        """Replace a live custom question's content with ``change(current)`` (its id and
        history stay). ``current`` is read in the same transaction as the write, so a change
        saved by someone else just before is what ``change`` starts from. A UserError from
        ``change`` writes nothing, nor does a change that leaves the question as it is.
        Returns the question as saved."""
        now = self.now_text()
        async with self.transaction() as db:
            async with db.execute(_QUESTION_SELECT + " WHERE q.id = ?", (question_id,)) as cur:
                row = await cur.fetchone()
            if row is None or row["removed_at"] is not None:
                raise UserError("That question has been removed; it can't be edited.")
            await _live_deck(db, row["deck_id"])
            # in the transaction, in the order every read gives them
            tags = (await in_thread(db, tags_in, [question_id])).get(question_id, [])
            current = _stored_question(row, tags).question
            question = change(current)
            if question == current:
                return current  # nothing to write
            # Checked only for a prompt that asks something else now: two questions told
            # apart when they were added, and alike to duplicate detection since it changed,
            # keep their other fields editable.
            key = loose_key(question.prompt)
            if key != loose_key(current.prompt):
                async with db.execute(
                    "SELECT prompt FROM questions WHERE deck_id = ? AND id != ? "
                    "AND removed_at IS NULL",
                    (row["deck_id"], question_id),
                ) as cur:
                    others = {loose_key(r[0]) for r in await cur.fetchall()}
                if key in others:
                    raise UserError(
                        "Another question in this deck already asks that; nothing was changed."
                    )
            question = question.model_copy(update={"id": row["ext_id"]})
            await _upsert_questions(db, row["deck_id"], [question], now, remove_missing=False)
        return question

    async def remove_question(self, question_id: int) -> bool:
        now = self.now_text()
        async with self.transaction() as db:
            cur = await db.execute(
                "UPDATE questions SET removed_at = ?, updated_at = ? "
                "WHERE id = ? AND removed_at IS NULL",
                (now, now, question_id),
            )
            return cur.rowcount == 1

    async def restore_question(self, question_id: int) -> bool:
        """Bring a removed question of a live custom deck back: the same row, so members'
        grades, cards and stats of it count again. Refused (a NamedError quoting its prompt)
        when another live question of the deck asks the same (compared loosely, as when
        adding one); False, with nothing written, when it is not removed."""
        now = self.now_text()
        async with self.transaction() as db:
            async with db.execute(
                "SELECT deck_id, prompt, removed_at FROM questions WHERE id = ?", (question_id,)
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                raise UserError(f"There is no question #{question_id}.")
            if row["removed_at"] is None:
                return False
            deck_id = int(row["deck_id"])
            await _live_deck(db, deck_id)
            key = loose_key(row["prompt"])
            async with db.execute(
                "SELECT id, prompt FROM questions WHERE deck_id = ? AND removed_at IS NULL "
                "ORDER BY id",
                (deck_id,),
            ) as cur:
                same = next((r for r in await cur.fetchall() if loose_key(r[1]) == key), None)
            if same is not None:
                raise NamedError(
                    f"Question #{same[0]} of this deck already asks that (“{{name}}”), so "
                    f"#{question_id} was not restored. Remove #{same[0]}, or edit it to ask "
                    "something else, then restore this one.",
                    one_line(same[1], 80),
                )
            await db.execute(
                "UPDATE questions SET removed_at = NULL, updated_at = ? WHERE id = ?",
                (now, question_id),
            )
            await back_in_deck(db, deck_id, question_id)
            return True

    async def search_questions(
        self,
        guild_id: int,
        *,
        deck_id: int | None = None,
        tag: str | None = None,
        search: str | None = None,
        custom_only: bool = False,
        removed: bool = False,
        offset: int = 0,
        limit: int = 10,
    ) -> QuestionPage:
        """Live questions of decks this server sees (disabled ones too), newest decks last;
        with ``removed``, the removed questions of the server's own live decks instead, the
        one removed last first (what ``/question restore`` can bring back)."""
        where = (
            f" WHERE q.removed_at IS {'NOT NULL' if removed else 'NULL'} "
            "AND d.removed_at IS NULL AND (d.guild_id = 0 OR d.guild_id = ?)"
        )
        params: list[Any] = [guild_id]
        if custom_only or removed:
            where += " AND d.builtin = 0"
        if deck_id is not None:
            where += " AND d.id = ?"
            params.append(deck_id)
        if tag:
            where += (
                " AND EXISTS (SELECT 1 FROM question_tags t WHERE t.question_id = q.id "
                "AND t.tag = ?)"
            )
            params.append(tag)
        base = " FROM questions q JOIN decks d ON d.id = q.deck_id" + where
        order = (
            " ORDER BY q.removed_at DESC, q.id DESC"
            if removed
            else " ORDER BY d.builtin DESC, d.id, q.id"
        )
        if search:
            # Matched here, not with SQL's LIKE, which folds the case of ASCII letters only:
            # "Élan" must find "élan", and a search ignores accents too. Spacing does not
            # count either: a prompt is shown on one line, and its words are typed so.
            needle, number = _spaced(search), search.strip().lstrip("#")

            def matching(conn: sqlite3.Connection) -> tuple[int, list[Any]]:
                matched = [
                    int(r[0])
                    for r in conn.execute("SELECT q.id, q.prompt, q.ext_id" + base + order, params)
                    if needle in _spaced(r[1]) or needle in folded(r[2]) or str(r[0]) == number
                ]
                shown = matched[offset : offset + limit]
                found = {
                    r["id"]: r
                    for r in rows_in(conn, _QUESTION_SELECT + " WHERE q.id IN ({ids})", shown)
                }
                return len(matched), [found[i] for i in shown]  # one snapshot: all there

            total, rows = await self.read(matching)
        else:
            total_row = await self._fetchone("SELECT COUNT(*)" + base, params)
            total = int(total_row[0]) if total_row else 0
            rows = await self._fetchall(
                _QUESTION_SELECT + where + order + " LIMIT ? OFFSET ?", [*params, limit, offset]
            )
        tags = await self._tags_for([r["id"] for r in rows])
        return QuestionPage([_stored_question(r, tags.get(r["id"], [])) for r in rows], total)

    async def deck_of_question(self, question_id: int) -> DeckPlace | None:
        """Where a question's deck belongs: its server (0: built-in) and whether removed."""
        row = await self._fetchone(
            "SELECT d.guild_id, d.builtin, d.removed_at FROM questions q "
            "JOIN decks d ON d.id = q.deck_id WHERE q.id = ?",
            (question_id,),
        )
        if row is None:
            return None
        return DeckPlace(int(row[0]), bool(row[1]), row[2] is not None)

    # -- import sessions -----------------------------------------------------------------

    async def create_import_session(
        self,
        *,
        guild_id: int,
        deck_id: int,
        user_id: int,
        filename: str,
        fmt: str,
        questions: Sequence[Question],
        warnings: Sequence[str],
        expires_at: datetime,
    ) -> int:
        now = self.now_text()
        async with self.transaction() as db:
            # Questions of sessions nobody finished are of no use once expired.
            await db.execute(
                "UPDATE import_sessions SET state = 'expired', questions = '[]', finished_at = ? "
                "WHERE state = 'pending' AND expires_at < ?",
                (now, now),
            )
            cur = await db.execute(
                "INSERT INTO import_sessions (id, guild_id, deck_id, user_id, filename, format, "
                "questions, warnings, created_at, expires_at) "
                f"VALUES ({next_id('import_sessions')}, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    deck_id,
                    user_id,
                    filename,
                    fmt,
                    questions_to_json(questions),
                    json.dumps(list(warnings), ensure_ascii=False),
                    now,
                    to_db(expires_at),
                ),
            )
            return int(cur.lastrowid or 0)

    async def import_session(self, session_id: int) -> ImportSession | None:
        row = await self._fetchone("SELECT * FROM import_sessions WHERE id = ?", (session_id,))
        if row is None:
            return None
        return ImportSession(
            id=row["id"],
            guild_id=row["guild_id"],
            deck_id=row["deck_id"],
            user_id=row["user_id"],
            filename=row["filename"],
            format=row["format"],
            questions=questions_from_json(row["questions"]),
            warnings=json.loads(row["warnings"]),
            state=row["state"],
            expires_at=from_db(row["expires_at"]),
        )

    async def finish_import_session(
        self, session_id: int, user_id: int, *, accept: bool
    ) -> Placement:
        """Import (or cancel) a pending session, all or nothing in one transaction."""
        now_dt = self.clock.now()
        now = to_db(now_dt)
        async with self.transaction() as db:
            async with db.execute(
                "SELECT user_id, deck_id, state, expires_at, questions FROM import_sessions "
                "WHERE id = ?",
                (session_id,),
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                raise UserError("This import is no longer pending; upload the file again.")
            if row["user_id"] != user_id:
                raise UserError(
                    "Only the moderator who uploaded this file can import or cancel it."
                )
            if row["state"] != "pending":
                raise UserError(import_finished(row["state"]))
            if accept and from_db(row["expires_at"]) < now_dt:
                raise UserError(IMPORT_EXPIRED)
            placement = Placement()
            if accept:
                placement = await _insert(
                    db, row["deck_id"], questions_from_json(row["questions"]), now
                )
            await db.execute(
                "UPDATE import_sessions SET state = ?, finished_at = ? WHERE id = ?",
                ("imported" if accept else "cancelled", now, session_id),
            )
            return placement

    # -- form drafts ---------------------------------------------------------------------

    async def save_form_draft(
        self,
        token: str,
        guild_id: int,
        user_id: int,
        why: str,
        *,
        keep: timedelta,
        command: str = "",
    ) -> None:
        """Keep what was given with the command that opened form ``token`` until the form is
        handled: the ``why`` typed with it and the ``command`` (with its options) that opens
        the form as it was. Drafts older than ``keep`` (forms never sent) go."""
        now_dt = self.clock.now()
        async with self.transaction() as db:
            await db.execute(
                "DELETE FROM form_drafts WHERE created_at < ?", (to_db(now_dt - keep),)
            )
            await db.execute(
                "INSERT INTO form_drafts (token, guild_id, user_id, why, command, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (token, guild_id, user_id, why, command, to_db(now_dt)),
            )

    async def take_form_draft(self, token: str, user_id: int) -> FormDraft | None:
        """What was kept for form ``token`` if ``user_id`` opened it, deleted as it is read."""
        # Most forms keep nothing: looked up first, so that they cost no write.
        row = await self._fetchone(
            "SELECT why, command FROM form_drafts WHERE token = ? AND user_id = ?",
            (token, user_id),
        )
        if row is None:
            return None
        await self.drop_form_draft(token)
        return FormDraft(why=str(row[0]), command=str(row[1]))

    async def drop_form_draft(self, token: str) -> None:
        """Form ``token`` was handled: what was kept for it goes."""
        async with self.transaction() as db:
            await db.execute("DELETE FROM form_drafts WHERE token = ?", (token,))

    # -- suggestions ---------------------------------------------------------------------

    async def create_suggestion(
        self, guild_id: int, user_id: int, deck_id: int, question: Question, cap: int
    ) -> int:
        now_at = self.clock.now()
        now = to_db(now_at)
        # A suggestion is saved, then its review post is sent and recorded. One still without
        # a post a few minutes on never got one (the bot stopped in between): it holds up
        # neither the member's limit nor the same question sent again.
        in_flight = to_db(now_at - SUGGESTION_POSTING)
        async with self.transaction() as db:
            deck = await _live_deck(db, deck_id)
            prompts, _ = await _deck_keys(db, deck_id)
            key = loose_key(question.prompt)
            if any(loose_key(prompt) == key for prompt in prompts):
                raise NamedError(
                    "**{name}** already has that question (the same wording, ignoring case, "
                    "spacing and sentence punctuation), so it was not sent for review.",
                    deck["name"],
                )
            # The same form sent twice (or two forms filled in alike) makes one suggestion:
            # checked in this transaction, so two sends racing cannot both pass, and before
            # the limit, so that the second send of a form is told what became of the first.
            async with db.execute(
                "SELECT id, question, deck_id FROM suggestions WHERE guild_id = ? AND user_id = ? "
                f"AND {_WAITING} ORDER BY id",
                (guild_id, user_id, in_flight),
            ) as cur:
                waiting = list(await cur.fetchall())
            for r in waiting:
                if r["deck_id"] != deck_id:
                    continue
                if loose_key(Question.model_validate_json(r["question"]).prompt) == key:
                    raise UserError(
                        "You already suggested this question: it is waiting for review as "
                        f"suggestion #{r['id']}. `/suggest status` shows how it's going."
                    )
            if len(waiting) >= cap:
                raise UserError(pending_cap_text(cap))
            # A number is never given twice, even after the newest suggestions were erased
            # with their member's data: their review messages still carry it on their buttons.
            cur2 = await db.execute(
                "INSERT INTO suggestions (id, guild_id, user_id, deck_id, question, created_at) "
                f"VALUES ({next_id('suggestions')}, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    user_id,
                    deck_id,
                    question.model_dump_json(),
                    now,
                ),
            )
            return int(cur2.lastrowid or 0)

    async def pending_suggestions(self, guild_id: int, user_id: int) -> int:
        """How many of a member's suggestions hold a place under the cap: those waiting for
        review, as :meth:`create_suggestion` counts them."""
        in_flight = to_db(self.clock.now() - SUGGESTION_POSTING)
        row = await self._fetchone(
            f"SELECT COUNT(*) FROM suggestions WHERE guild_id = ? AND user_id = ? AND {_WAITING}",
            (guild_id, user_id, in_flight),
        )
        return int(row[0]) if row else 0

    async def deck_suggestions_waiting(self, deck_id: int) -> int:
        """How many suggestions for a deck wait for review, as :meth:`pending_suggestions`
        counts them."""
        in_flight = to_db(self.clock.now() - SUGGESTION_POSTING)
        row = await self._fetchone(
            f"SELECT COUNT(*) FROM suggestions WHERE deck_id = ? AND {_WAITING}",
            (deck_id, in_flight),
        )
        return int(row[0]) if row else 0

    async def suggestion(self, suggestion_id: int) -> Suggestion | None:
        rows = await self._suggestions("s.id = ?", (suggestion_id,), 1)
        return rows[0] if rows else None

    async def member_suggestions(
        self, guild_id: int, user_id: int, limit: int = 15
    ) -> list[Suggestion]:
        """A member's suggestions still waiting (however old), then the latest decided."""
        return await self._suggestions(
            "s.guild_id = ? AND s.user_id = ?",
            (guild_id, user_id),
            limit,
            order="s.state = 'pending' DESC, s.id DESC",
        )

    async def _suggestions(
        self, where: str, params: Sequence[Any], limit: int, order: str = "s.id DESC"
    ) -> list[Suggestion]:
        rows = await self._fetchall(
            "SELECT s.*, d.name AS deck_name FROM suggestions s JOIN decks d ON d.id = s.deck_id "
            f"WHERE {where} ORDER BY {order} LIMIT ?",
            [*params, limit],
        )
        return [
            Suggestion(
                id=r["id"],
                guild_id=r["guild_id"],
                user_id=r["user_id"],
                deck_id=r["deck_id"],
                deck_name=r["deck_name"],
                question=Question.model_validate_json(r["question"]),
                state=r["state"],
                reason=r["reason"],
                reviewer_id=r["reviewer_id"],
                question_id=r["question_id"],
                channel_id=r["channel_id"],
                message_id=r["message_id"],
                created_at=from_db(r["created_at"]),
            )
            for r in rows
        ]

    async def unrecorded_suggestions(self, since: datetime, limit: int = 100) -> list[Suggestion]:
        """Suggestions made since ``since`` still waiting with no review post recorded: it
        never went out, or the bot stopped before recording which message it is."""
        return await self._suggestions(
            "s.state = 'pending' AND s.message_id IS NULL AND s.created_at >= ?",
            (to_db(since),),
            limit,
            order="s.id",
        )

    async def set_suggestion_message(
        self, suggestion_id: int, channel_id: int, message_id: int
    ) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE suggestions SET channel_id = ?, message_id = ? WHERE id = ?",
                (channel_id, message_id, suggestion_id),
            )

    async def withdraw_suggestion(self, suggestion_id: int) -> None:
        """Forget a suggestion that never reached the review channel (no moderator has it).
        Its number is not given again: a post that failed may still have been made."""
        async with self.transaction() as db:
            await db.execute(KEEP_LAST_SUGGESTION)
            await db.execute(
                "DELETE FROM suggestions WHERE id = ? AND state = 'pending' AND message_id IS NULL",
                (suggestion_id,),
            )

    async def approve_suggestion(
        self, suggestion_id: int, reviewer_id: int, question: Question | None = None
    ) -> int:
        """Add the suggested (or edited) question to its deck; returns the question's row id."""
        now = self.now_text()
        async with self.transaction() as db:
            row = await _pending_suggestion(db, suggestion_id)
            async with db.execute(
                "SELECT removed_at FROM decks WHERE id = ?", (row["deck_id"],)
            ) as cur:
                deck = await cur.fetchone()
            if deck is None or deck["removed_at"] is not None:
                raise UserError(SUGGESTION_DECK_REMOVED)
            chosen = question or Question.model_validate_json(row["question"])
            placement = await _insert(db, row["deck_id"], [chosen], now)
            if not placement.questions:
                raise UserError(
                    "The deck already has this question, so it can't be approved; "
                    "reject it instead (say it's a duplicate)."
                )
            async with db.execute(
                "SELECT id FROM questions WHERE deck_id = ? AND ext_id = ?",
                (row["deck_id"], placement.questions[0].id),
            ) as cur:
                qrow = await cur.fetchone()
            assert qrow is not None
            await db.execute(
                "UPDATE suggestions SET state = 'approved', reviewer_id = ?, question_id = ?, "
                "question = ?, decided_at = ? WHERE id = ?",
                (
                    reviewer_id,
                    qrow[0],
                    placement.questions[0].model_dump_json(),
                    now,
                    suggestion_id,
                ),
            )
            return int(qrow[0])

    async def reject_suggestion(self, suggestion_id: int, reviewer_id: int, reason: str) -> None:
        now = self.now_text()
        async with self.transaction() as db:
            await _pending_suggestion(db, suggestion_id)
            await db.execute(
                "UPDATE suggestions SET state = 'rejected', reviewer_id = ?, reason = ?, "
                "decided_at = ? WHERE id = ?",
                (reviewer_id, reason, now, suggestion_id),
            )


#: how long a new suggestion may wait for its review post before it is taken as never posted
SUGGESTION_POSTING = timedelta(minutes=5)
def never_posted(s: Suggestion, now: datetime) -> bool:
    """A pending suggestion whose review post never went out (the bot stopped between
    saving and posting it): no moderator has it, so it does not count as waiting."""
    return s.state == "pending" and s.message_id is None and s.created_at < now - SUGGESTION_POSTING


#: a suggestion waiting for review: pending, and posted for review or still being posted
#: (one parameter: when a suggestion created before it is taken as never posted)
_WAITING = "state = 'pending' AND (message_id IS NOT NULL OR created_at >= ?)"

#: Records the highest suggestion number given so far, before suggestions are deleted.
KEEP_LAST_SUGGESTION = keep_last_id("suggestions")


SUGGESTION_DECK_REMOVED = (
    "The deck this suggestion is for has been removed, so it can't be approved. "
    "**Reject** it to let the member know."
)


def pending_cap_text(cap: int) -> str:
    return (
        f"You already have {cap} suggestions waiting for review, the most a member may have. "
        "Check them with `/suggest status` and try again once moderators have decided."
    )


async def _pending_suggestion(db: aiosqlite.Connection, suggestion_id: int) -> sqlite3.Row:
    async with db.execute("SELECT * FROM suggestions WHERE id = ?", (suggestion_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise UserError("That suggestion no longer exists.")
    if row["state"] != "pending":
        raise UserError(f"This suggestion was already {row['state']}.")
    return row
