"""Storage: per-server settings, decks, questions, and what a quiz may ask."""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.clock import from_db
from bot.guild_settings import GuildSettings
from bot.questions import Deck, Difficulty, Option, Question, folded
from bot.quiz import Candidate, Seen
from bot.store.base import StoreBase, rows_in, tags_in


def content_hash(deck: Deck) -> str:
    return hashlib.sha256(deck.model_dump_json().encode()).hexdigest()


@dataclass(frozen=True)
class DeckRow:
    id: int
    guild_id: int
    slug: str
    name: str
    description: str
    builtin: bool
    questions: int
    enabled: bool


@dataclass(frozen=True)
class StoredQuestion:
    """A question as stored: its row id, its deck, and the validated content."""

    id: int
    deck_id: int
    deck_slug: str
    deck_name: str
    question: Question
    removed: bool
    #: its deck was removed (the question itself may not be); set where it is looked up
    #: for a member (``BankService.question``)
    deck_removed: bool = False


@dataclass(frozen=True)
class SyncSummary:
    decks: int
    added: int
    updated: int
    removed: int


#: Writes one server setting (guild_id, key, value, updated_at), created or replaced.
SET_GUILD_SETTING = (
    "INSERT INTO guild_settings (guild_id, key, value, updated_at) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, key) "
    "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
)


class DeckStore(StoreBase):
    # -- guild settings --------------------------------------------------------------------

    async def guild_settings(self, guild_id: int) -> dict[str, str]:
        rows = await self._fetchall(
            "SELECT key, value FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return {r["key"]: r["value"] for r in rows}

    async def set_guild_settings(self, guild_id: int, values: dict[str, str | None]) -> None:
        now = self.now_text()
        async with self.transaction() as db:
            for key, value in values.items():
                if value is None:
                    await db.execute(
                        "DELETE FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key)
                    )
                else:
                    await db.execute(SET_GUILD_SETTING, (guild_id, key, value, now))

    async def settings_for(self, guild_id: int) -> GuildSettings:
        return await self.read(lambda conn: settings_in(conn, guild_id))

    # -- decks and questions ---------------------------------------------------------------

    async def sync_builtin_decks(self, decks: Iterable[Deck]) -> SyncSummary:
        """Make the stored built-in decks match the files, keeping history.

        A question keeps its row (and so its grades) while its stable id stays in the file;
        one that left the file is marked removed, never deleted.
        """
        added = updated = removed = count = 0
        now = self.now_text()
        async with self.transaction() as db:
            for deck in decks:
                count += 1
                digest = content_hash(deck)
                async with db.execute(
                    "SELECT id, content_hash FROM decks WHERE guild_id = 0 AND slug = ?",
                    (deck.slug,),
                ) as cur:
                    row = await cur.fetchone()
                if row is not None and row[1] == digest:
                    continue
                if row is None:
                    cur2 = await db.execute(
                        "INSERT INTO decks (guild_id, slug, name, description, builtin, "
                        "content_hash, created_at) VALUES (0, ?, ?, ?, 1, ?, ?)",
                        (deck.slug, deck.name, deck.description, digest, now),
                    )
                    deck_id = int(cur2.lastrowid or 0)
                else:
                    deck_id = int(row[0])
                    await db.execute(
                        "UPDATE decks SET name = ?, description = ?, content_hash = ?, "
                        "removed_at = NULL WHERE id = ?",
                        (deck.name, deck.description, digest, deck_id),
                    )
                a, u, r = await _upsert_questions(
                    db, deck_id, deck.questions, now, remove_missing=True
                )
                added, updated, removed = added + a, updated + u, removed + r
        return SyncSummary(count, added, updated, removed)

    async def create_deck(
        self,
        guild_id: int,
        slug: str,
        name: str,
        description: str = "",
        created_by: int | None = None,
    ) -> int:
        now = self.now_text()
        async with self.transaction() as db:
            cur = await db.execute(
                "INSERT INTO decks (guild_id, slug, name, description, builtin, created_by, created_at) "
                "VALUES (?, ?, ?, ?, 0, ?, ?)",
                (guild_id, slug, name, description, created_by, now),
            )
            return int(cur.lastrowid or 0)

    async def add_questions(self, deck_id: int, questions: Sequence[Question]) -> int:
        """Add (or replace by stable id) questions in a deck, all in one transaction."""
        now = self.now_text()
        async with self.transaction() as db:
            added, updated, _ = await _upsert_questions(
                db, deck_id, questions, now, remove_missing=False
            )
        return added + updated

    async def decks_for_guild(
        self, guild_id: int, *, include_disabled: bool = False
    ) -> list[DeckRow]:
        """Built-in decks and this server's own, with whether each is enabled here."""
        rows = await self._fetchall(
            "SELECT d.id, d.guild_id, d.slug, d.name, d.description, d.builtin, "
            "COALESCE(gd.enabled, 1) AS enabled, "
            "(SELECT COUNT(*) FROM questions q WHERE q.deck_id = d.id AND q.removed_at IS NULL) AS n "
            "FROM decks d LEFT JOIN guild_decks gd ON gd.deck_id = d.id AND gd.guild_id = ? "
            "WHERE (d.guild_id = 0 OR d.guild_id = ?) AND d.removed_at IS NULL "
            "ORDER BY d.id",
            (guild_id, guild_id),
        )
        out = [
            DeckRow(
                id=r["id"],
                guild_id=r["guild_id"],
                slug=r["slug"],
                name=r["name"],
                description=r["description"],
                builtin=bool(r["builtin"]),
                questions=r["n"],
                enabled=bool(r["enabled"]),
            )
            for r in rows
        ]
        # Built-in decks first, then by name as people read it: case and accents do not
        # count ("algebra" before "Biology", "Éclair" before "zeta"), whatever the database's
        # own collation does.
        out.sort(key=lambda d: (not d.builtin, _name_order(d.name), d.id))
        return out if include_disabled else [d for d in out if d.enabled]

    async def set_deck_enabled(self, guild_id: int, deck_id: int, enabled: bool) -> bool:
        """Switch a deck on or off in a server; False if it already was (nothing written)."""
        now = self.now_text()
        async with self.transaction() as db:
            cursor = await db.execute(
                "SELECT enabled FROM guild_decks WHERE guild_id = ? AND deck_id = ?",
                (guild_id, deck_id),
            )
            row = await cursor.fetchone()
            if bool(row[0] if row is not None else 1) == enabled:
                return False
            await db.execute(
                "INSERT INTO guild_decks (guild_id, deck_id, enabled, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (guild_id, deck_id) DO UPDATE SET enabled = excluded.enabled, "
                "updated_at = excluded.updated_at",
                (guild_id, deck_id, int(enabled), now),
            )
        return True

    async def question(self, question_id: int) -> StoredQuestion | None:
        return await self.read(lambda conn: question_in(conn, question_id))

    async def questions(self, question_ids: Sequence[int]) -> list[StoredQuestion]:
        """Questions with their decks and tags, in the order of ``question_ids``, in one
        read; an id of no question is left out."""

        def load(conn: sqlite3.Connection) -> list[StoredQuestion]:
            wanted = list(dict.fromkeys(question_ids))
            rows = {
                int(r["id"]): r
                for r in rows_in(conn, _QUESTION_SELECT + " WHERE q.id IN ({ids})", wanted)
            }
            tags = tags_in(conn, list(rows))
            return [
                _stored_question(rows[qid], tags.get(qid, [])) for qid in wanted if qid in rows
            ]

        return await self.read(load)

    async def questions_in_deck(
        self, deck_id: int, *, include_removed: bool = False
    ) -> list[StoredQuestion]:
        sql = _QUESTION_SELECT + " WHERE q.deck_id = ?"
        if not include_removed:
            sql += " AND q.removed_at IS NULL"
        rows = await self._fetchall(sql + " ORDER BY q.id", (deck_id,))
        tags = await self._tags_for([r["id"] for r in rows])
        return [_stored_question(r, tags.get(r["id"], [])) for r in rows]

    async def candidates(
        self,
        guild_id: int,
        *,
        deck_id: int | None = None,
        tag: str | None = None,
        difficulty: str | None = None,
    ) -> list[Candidate]:
        """Questions a quiz here may ask: from decks enabled in this server, matching filters."""
        return await self.read(
            lambda conn: _candidates_in(conn, guild_id, deck_id, tag, difficulty)
        )

    async def tags_for_guild(
        self,
        guild_id: int,
        deck_id: int | None = None,
        *,
        include_disabled: bool = False,
        difficulty: str | None = None,
    ) -> list[tuple[str, int]]:
        """Tags of the questions in this server's enabled decks (or all its decks, with
        ``include_disabled``), with how many questions each; with ``difficulty``, of the
        questions of that difficulty only."""
        sql = (
            "SELECT t.tag, COUNT(*) FROM question_tags t JOIN questions q ON q.id = t.question_id "
            + (_LIVE_QUESTIONS if include_disabled else _ENABLED_QUESTIONS)
        )
        params: list[Any] = [guild_id, guild_id]
        if deck_id is not None:
            sql += " AND d.id = ?"
            params.append(deck_id)
        if difficulty is not None:
            sql += " AND q.difficulty = ?"
            params.append(difficulty)
        rows = await self._fetchall(sql + " GROUP BY t.tag ORDER BY t.tag", params)
        return [(r[0], int(r[1])) for r in rows]


#: live questions of the decks a server sees (built-in and its own), after ``questions q``
#: (two parameters: the server, twice)
_LIVE_QUESTIONS = (
    "JOIN decks d ON d.id = q.deck_id "
    "LEFT JOIN guild_decks gd ON gd.deck_id = d.id AND gd.guild_id = ? "
    "WHERE q.removed_at IS NULL AND d.removed_at IS NULL "
    "AND (d.guild_id = 0 OR d.guild_id = ?)"
)
#: ... of the decks switched on there
_ENABLED_QUESTIONS = _LIVE_QUESTIONS + " AND COALESCE(gd.enabled, 1) = 1"


def _candidates_in(
    conn: sqlite3.Connection,
    guild_id: int,
    deck_id: int | None,
    tag: str | None,
    difficulty: str | None,
) -> list[Candidate]:
    sql = "SELECT q.id FROM questions q " + _ENABLED_QUESTIONS
    params: list[Any] = [guild_id, guild_id]
    if deck_id is not None:
        sql += " AND d.id = ?"
        params.append(deck_id)
    if difficulty is not None:
        sql += " AND q.difficulty = ?"
        params.append(difficulty)
    if tag is not None:
        sql += " AND EXISTS (SELECT 1 FROM question_tags t WHERE t.question_id = q.id AND t.tag = ?)"
        params.append(tag)
    ids = [r[0] for r in conn.execute(sql + " ORDER BY q.id", params)]
    tags = tags_in(conn, ids)
    return [Candidate(qid, tuple(tags.get(qid, []))) for qid in ids]


@functools.lru_cache(maxsize=1024)
def _name_order(name: str) -> str:
    """A deck name as it sorts: the same names come back on every /quiz, so each is folded
    once."""
    return folded(name)


#: how many of a member's latest Next question presses their history reads the question
#: pressed under from: enough for what Next avoids, and the read stays short for a member
#: with thousands of posts (it walks their latest posts, newest first, and stops)
NEXT_FROM_SEEN = 50


def _history_in(conn: sqlite3.Connection, guild_id: int, user_id: int, limit: int) -> list[Seen]:
    """The questions a member saw in a server, latest first: those asked for them, those
    they graded, and those they pressed their latest Next questions under (seen when they
    pressed it)."""
    rows = conn.execute(
        "SELECT question_id, MAX(at) AS at FROM ("
        " SELECT question_id, created_at AS at FROM posts WHERE guild_id = ? AND author_id = ?"
        " UNION ALL"
        " SELECT f.question_id, p.at FROM (SELECT next_of, created_at AS at FROM posts"
        "  WHERE guild_id = ? AND author_id = ? AND next_of IS NOT NULL"
        "  ORDER BY created_at DESC LIMIT ?) p JOIN posts f ON f.id = p.next_of"
        " UNION ALL"
        " SELECT question_id, created_at AS at FROM attempts WHERE guild_id = ? AND user_id = ?"
        ") seen GROUP BY question_id ORDER BY at DESC LIMIT ?",
        (guild_id, user_id, guild_id, user_id, NEXT_FROM_SEEN, guild_id, user_id, limit),
    ).fetchall()
    tags = tags_in(conn, [r[0] for r in rows])
    return [Seen(r[0], tuple(tags.get(r[0], [])), from_db(r[1])) for r in rows]


def question_in(conn: sqlite3.Connection, question_id: int) -> StoredQuestion | None:
    """One question with its deck and tags, read on ``conn`` (in its thread)."""
    row = conn.execute(_QUESTION_SELECT + " WHERE q.id = ?", (question_id,)).fetchone()
    if row is None:
        return None
    return _stored_question(row, tags_in(conn, [question_id]).get(question_id, []))


def settings_in(conn: sqlite3.Connection, guild_id: int) -> GuildSettings:
    """A server's settings, read on ``conn`` (in its thread)."""
    return settings_of(conn, [guild_id])[guild_id]


def settings_of(conn: sqlite3.Connection, guild_ids: Sequence[int]) -> dict[int, GuildSettings]:
    """Some servers' settings by server, read on ``conn`` (in its thread)."""
    rows: dict[int, list[tuple[str, str]]] = {g: [] for g in guild_ids}
    for guild_id, key, value in rows_in(
        conn,
        "SELECT guild_id, key, value FROM guild_settings WHERE guild_id IN ({ids}) "
        "ORDER BY guild_id, key",
        guild_ids,
    ):
        rows[guild_id].append((key, value))
    return {g: _parsed_settings(tuple(r)) for g, r in rows.items()}


@functools.lru_cache(maxsize=4096)
def _parsed_settings(rows: tuple[tuple[str, str], ...]) -> GuildSettings:
    # Keyed by the stored rows themselves, so a changed setting is a new key: never stale.
    # GuildSettings is frozen, so one instance can be shared.
    return GuildSettings.from_rows(dict(rows))


_QUESTION_SELECT = (
    "SELECT q.id, q.deck_id, q.ext_id, q.prompt, q.why, q.key_points, q.answer, q.options, "
    "q.difficulty, q.removed_at, d.slug AS deck_slug, d.name AS deck_name "
    "FROM questions q JOIN decks d ON d.id = q.deck_id"
)


def _stored_question(row: sqlite3.Row, tags: list[str]) -> StoredQuestion:
    question = Question.model_construct(
        id=row["ext_id"],
        prompt=row["prompt"],
        why=row["why"],
        key_points=json.loads(row["key_points"]),
        answer=row["answer"],
        options=[Option.model_construct(**o) for o in json.loads(row["options"])],
        tags=tags,
        difficulty=Difficulty(row["difficulty"]),
    )
    return StoredQuestion(
        id=row["id"],
        deck_id=row["deck_id"],
        deck_slug=row["deck_slug"],
        deck_name=row["deck_name"],
        question=question,
        removed=row["removed_at"] is not None,
    )


async def back_in_deck(db: aiosqlite.Connection, deck_id: int, question_id: int) -> None:
    """A removed question of the deck is live again (in the caller's transaction): members'
    searches for new cards in the deck must not start past it."""
    await db.execute(
        "UPDATE srs_new_from SET question_id = ? WHERE deck_id = ? AND question_id > ?",
        (question_id, deck_id, question_id),
    )


async def _upsert_questions(
    db: aiosqlite.Connection,
    deck_id: int,
    questions: Sequence[Question],
    now: str,
    *,
    remove_missing: bool,
) -> tuple[int, int, int]:
    async with db.execute(
        "SELECT id, ext_id, prompt, why, key_points, answer, options, difficulty, removed_at "
        "FROM questions WHERE deck_id = ?",
        (deck_id,),
    ) as cur:
        existing = {r["ext_id"]: r for r in await cur.fetchall()}
    added = updated = removed = 0
    for q in questions:
        fields = (
            q.prompt,
            q.why,
            json.dumps(q.key_points, ensure_ascii=False),
            q.answer,
            json.dumps([o.model_dump() for o in q.options], ensure_ascii=False),
            q.difficulty.value,
        )
        row = existing.get(q.id)
        if row is None:
            cur2 = await db.execute(
                "INSERT INTO questions (deck_id, ext_id, prompt, why, key_points, answer, options, "
                "difficulty, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (deck_id, q.id, *fields, now, now),
            )
            qid = int(cur2.lastrowid or 0)
            added += 1
        else:
            qid = int(row["id"])
            old = (
                row["prompt"],
                row["why"],
                row["key_points"],
                row["answer"],
                row["options"],
                row["difficulty"],
            )
            if old != fields or row["removed_at"] is not None:
                await db.execute(
                    "UPDATE questions SET prompt = ?, why = ?, key_points = ?, answer = ?, options = ?, "
                    "difficulty = ?, updated_at = ?, removed_at = NULL WHERE id = ?",
                    (*fields, now, qid),
                )
                updated += 1
            if row["removed_at"] is not None:
                await back_in_deck(db, deck_id, qid)
            await db.execute("DELETE FROM question_tags WHERE question_id = ?", (qid,))
        await db.executemany(
            "INSERT INTO question_tags (question_id, tag, position) VALUES (?, ?, ?)",
            [(qid, t, i) for i, t in enumerate(q.tags)],
        )
    if remove_missing:
        keep = {q.id for q in questions}
        for ext_id, row in existing.items():
            if ext_id not in keep and row["removed_at"] is None:
                await db.execute(
                    "UPDATE questions SET removed_at = ? WHERE id = ?", (now, row["id"])
                )
                removed += 1
    return added, updated, removed
