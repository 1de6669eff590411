"""The one module that speaks SQL.

SQLite through aiosqlite: WAL, foreign keys on, a busy timeout. Writes go through one
connection under a lock, each in an explicit transaction; reads use a second connection so
they never see a transaction half done. Migrations are numbered `.sql` files in
`data/migrations/`, applied together in one transaction, with the version kept in
`PRAGMA user_version`.

The SQL is kept portable (no SQLite-only syntax beyond what PostgreSQL also accepts, such as
partial indexes and ON CONFLICT) so that a PostgreSQL backend can follow.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from bot.clock import Clock, SystemClock, from_db, to_db
from bot.guild_settings import GuildSettings
from bot.questions import Deck, Difficulty, Option, Question
from bot.quiz import Award, Candidate, Seen, award, period_keys

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "data" / "migrations"
_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
BUSY_TIMEOUT_MS = 5000


class StoreError(Exception):
    """A storage problem with a message fit to show: what is wrong and what to do."""


@dataclass(frozen=True)
class Migration:
    version: int
    path: Path

    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        m = _MIGRATION_RE.match(path.name)
        if not m:
            raise StoreError(f"{path}: migration files are named NNNN_name.sql")
        found.append(Migration(int(m.group(1)), path))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise StoreError(
            f"migrations in {directory} must be numbered 1..N without gaps: {versions}"
        )
    return found


def latest_version(directory: Path = MIGRATIONS_DIR) -> int:
    return len(migrations(directory))


def _explain(path: Path, exc: sqlite3.Error) -> StoreError:
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return StoreError(
            f"database {path} is read-only: give the bot's user write access to the file "
            "and its folder"
        )
    if "not a database" in text or "malformed" in text:
        return StoreError(
            f"database {path} is damaged or not an SQLite file: restore it from a backup "
            "(python -m bot db backup makes one) or move it away to start afresh"
        )
    if "unable to open" in text:
        return StoreError(
            f"cannot open database {path}: check that its folder exists and is writable"
        )
    if "disk" in text and "full" in text:
        return StoreError(f"the disk holding {path} is full: free some space")
    if "locked" in text or "busy" in text:
        return StoreError(f"database {path} is busy (locked by another program): try again shortly")
    return StoreError(f"database {path}: {text}")


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


@dataclass(frozen=True)
class PostRow:
    id: int
    kind: str
    guild_id: int
    channel_id: int
    message_id: int | None
    question_id: int
    author_id: int | None
    author_name: str | None
    private: bool
    filter_deck_id: int | None
    filter_tag: str | None
    filter_difficulty: str | None
    created_at: str
    closed_at: str | None


@dataclass(frozen=True)
class AttemptRequest:
    guild_id: int
    user_id: int
    display_name: str
    post_id: int | None
    question_id: int
    source: str
    rating: int
    multiple_choice: bool
    correct: bool
    option_index: int | None = None
    closed: bool = False


@dataclass(frozen=True)
class AttemptResult:
    new: bool  # False: this member had already answered this post; nothing was written
    rating: int
    option_index: int | None
    correct: bool
    scored: bool
    points: int
    reason: str


@dataclass(frozen=True)
class SyncSummary:
    decks: int
    added: int
    updated: int
    removed: int


class Store:
    """Recall's storage. Open with ``await Store.open(path)``; close with ``await store.close()``."""

    def __init__(
        self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection, clock: Clock
    ):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._lock = asyncio.Lock()
        self.clock = clock

    # -- opening, migrating, closing -------------------------------------------------------

    @classmethod
    async def open(
        cls, path: Path | str, *, clock: Clock | None = None, migrate: bool = True
    ) -> Store:
        path = Path(path)
        if str(path) != ":memory:" and not path.parent.exists():
            raise StoreError(f"cannot open database {path}: folder {path.parent} does not exist")
        writer = reader = None
        try:
            writer = await aiosqlite.connect(path, isolation_level=None)
            await _configure(writer)
            async with writer.execute("PRAGMA journal_mode=WAL") as cur:
                await cur.fetchone()
            reader = await aiosqlite.connect(path, isolation_level=None)
            await _configure(reader)
            store = cls(path, writer, reader, clock or SystemClock())
            if migrate:
                await store.migrate()
            return store
        except sqlite3.Error as exc:
            for conn in (writer, reader):
                if conn is not None:
                    await conn.close()
            raise _explain(path, exc) from None
        except BaseException:
            for conn in (writer, reader):
                if conn is not None:
                    await conn.close()
            raise

    async def close(self) -> None:
        await self._reader.close()
        await self._writer.close()

    async def version(self) -> int:
        async with self._reader.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def migrate(
        self, directory: Path = MIGRATIONS_DIR, *, target: int | None = None
    ) -> tuple[int, int]:
        """Apply pending migrations in one transaction; returns (from, to) versions."""
        pending_all = migrations(directory)
        async with self._lock:
            async with self._writer.execute("PRAGMA user_version") as cur:
                row = await cur.fetchone()
            current = int(row[0]) if row else 0
            goal = len(pending_all) if target is None else target
            if current > len(pending_all):
                raise StoreError(
                    f"database {self.path} is at version {current}, newer than this Recall "
                    f"({len(pending_all)}): upgrade Recall"
                )
            pending = [m for m in pending_all if current < m.version <= goal]
            if not pending:
                return current, current
            script = "BEGIN IMMEDIATE;\n"
            for m in pending:
                script += m.sql() + "\n"
            script += f"PRAGMA user_version = {pending[-1].version};\nCOMMIT;\n"
            try:
                await self._writer.executescript(script)
            except sqlite3.Error as exc:
                if self._writer.in_transaction:
                    await self._writer.execute("ROLLBACK")
                raise _explain(self.path, exc) from None
            return current, pending[-1].version

    async def integrity_check(self) -> list[str]:
        async with self._reader.execute("PRAGMA integrity_check") as cur:
            rows = await cur.fetchall()
        problems = [str(r[0]) for r in rows]
        return [] if problems == ["ok"] else problems

    async def backup(self, target: Path | str) -> None:
        """A consistent copy through SQLite's online backup API, safe while the bot runs."""
        target = Path(target)

        def _copy() -> None:
            src = sqlite3.connect(self.path)
            try:
                dst = sqlite3.connect(target)
                try:
                    src.backup(dst)
                finally:
                    dst.close()
            finally:
                src.close()

        await asyncio.to_thread(_copy)

    # -- transactions ----------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction; everything inside commits together or not at all."""
        async with self._lock:
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _explain(self.path, exc) from None
            try:
                yield self._writer
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            try:
                await self._writer.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._writer.in_transaction:
                    await self._writer.execute("ROLLBACK")
                raise _explain(self.path, exc) from None

    async def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            async with self._reader.execute(sql, params) as cur:
                return list(await cur.fetchall())
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from None

    async def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        rows = await self._fetchall(sql, params)
        return rows[0] if rows else None

    def now_text(self) -> str:
        return to_db(self.clock.now())

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
                    await db.execute(
                        "INSERT INTO guild_settings (guild_id, key, value, updated_at) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, key) "
                        "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                        (guild_id, key, value, now),
                    )

    async def settings_for(self, guild_id: int) -> GuildSettings:
        return GuildSettings.from_rows(await self.guild_settings(guild_id))

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
            "ORDER BY d.builtin DESC, d.name",
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
        return out if include_disabled else [d for d in out if d.enabled]

    async def set_deck_enabled(self, guild_id: int, deck_id: int, enabled: bool) -> None:
        now = self.now_text()
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO guild_decks (guild_id, deck_id, enabled, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (guild_id, deck_id) DO UPDATE SET enabled = excluded.enabled, "
                "updated_at = excluded.updated_at",
                (guild_id, deck_id, int(enabled), now),
            )

    async def question(self, question_id: int) -> StoredQuestion | None:
        row = await self._fetchone(_QUESTION_SELECT + " WHERE q.id = ?", (question_id,))
        if row is None:
            return None
        tags = await self._tags_for([question_id])
        return _stored_question(row, tags.get(question_id, []))

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
        sql = (
            "SELECT q.id FROM questions q JOIN decks d ON d.id = q.deck_id "
            "LEFT JOIN guild_decks gd ON gd.deck_id = d.id AND gd.guild_id = ? "
            "WHERE q.removed_at IS NULL AND d.removed_at IS NULL "
            "AND (d.guild_id = 0 OR d.guild_id = ?) AND COALESCE(gd.enabled, 1) = 1"
        )
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
        rows = await self._fetchall(sql + " ORDER BY q.id", params)
        ids = [r[0] for r in rows]
        tags = await self._tags_for(ids)
        return [Candidate(qid, tuple(tags.get(qid, []))) for qid in ids]

    async def tags_for_guild(
        self, guild_id: int, deck_id: int | None = None
    ) -> list[tuple[str, int]]:
        """Tags of the questions in this server's enabled decks, with how many questions each."""
        sql = (
            "SELECT t.tag, COUNT(*) FROM question_tags t JOIN questions q ON q.id = t.question_id "
            "JOIN decks d ON d.id = q.deck_id "
            "LEFT JOIN guild_decks gd ON gd.deck_id = d.id AND gd.guild_id = ? "
            "WHERE q.removed_at IS NULL AND d.removed_at IS NULL "
            "AND (d.guild_id = 0 OR d.guild_id = ?) AND COALESCE(gd.enabled, 1) = 1"
        )
        params: list[Any] = [guild_id, guild_id]
        if deck_id is not None:
            sql += " AND d.id = ?"
            params.append(deck_id)
        rows = await self._fetchall(sql + " GROUP BY t.tag ORDER BY t.tag", params)
        return [(r[0], int(r[1])) for r in rows]

    async def member_history(self, guild_id: int, user_id: int, limit: int = 200) -> list[Seen]:
        """What a member saw lately: questions they were shown and questions they answered."""
        rows = await self._fetchall(
            "SELECT question_id, MAX(at) AS at FROM ("
            " SELECT question_id, created_at AS at FROM posts WHERE guild_id = ? AND author_id = ?"
            " UNION ALL"
            " SELECT question_id, created_at AS at FROM attempts WHERE guild_id = ? AND user_id = ?"
            ") seen GROUP BY question_id ORDER BY at DESC LIMIT ?",
            (guild_id, user_id, guild_id, user_id, limit),
        )
        ids = [r[0] for r in rows]
        tags = await self._tags_for(ids)
        return [Seen(r[0], tuple(tags.get(r[0], [])), from_db(r[1])) for r in rows]

    # -- posts and attempts ----------------------------------------------------------------

    async def create_post(
        self,
        *,
        kind: str,
        guild_id: int,
        channel_id: int,
        question_id: int,
        author_id: int | None,
        private: bool,
        author_name: str | None = None,
        filter_deck_id: int | None = None,
        filter_tag: str | None = None,
        filter_difficulty: str | None = None,
    ) -> int:
        now = self.now_text()
        async with self.transaction() as db:
            cur = await db.execute(
                "INSERT INTO posts (kind, guild_id, channel_id, question_id, author_id, author_name, "
                "private, filter_deck_id, filter_tag, filter_difficulty, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    kind,
                    guild_id,
                    channel_id,
                    question_id,
                    author_id,
                    author_name,
                    int(private),
                    filter_deck_id,
                    filter_tag,
                    filter_difficulty,
                    now,
                ),
            )
            return int(cur.lastrowid or 0)

    async def set_post_message(self, post_id: int, message_id: int) -> None:
        async with self.transaction() as db:
            await db.execute("UPDATE posts SET message_id = ? WHERE id = ?", (message_id, post_id))

    async def post(self, post_id: int) -> PostRow | None:
        row = await self._fetchone(
            "SELECT id, kind, guild_id, channel_id, message_id, question_id, author_id, author_name, private, "
            "filter_deck_id, filter_tag, filter_difficulty, created_at, closed_at "
            "FROM posts WHERE id = ?",
            (post_id,),
        )
        if row is None:
            return None
        return PostRow(**{**dict(row), "private": bool(row["private"])})

    async def post_counts(self, post_id: int) -> tuple[int, int]:
        """(members who answered, of whom right) for one post."""
        row = await self._fetchone(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN correct = 1 THEN 1 ELSE 0 END), 0) "
            "FROM attempts WHERE post_id = ?",
            (post_id,),
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def attempt_for(self, post_id: int, user_id: int) -> AttemptResult | None:
        row = await self._fetchone(
            "SELECT rating, option_index, correct, scored, points FROM attempts "
            "WHERE post_id = ? AND user_id = ?",
            (post_id, user_id),
        )
        if row is None:
            return None
        return AttemptResult(
            new=False,
            rating=row["rating"],
            option_index=row["option_index"],
            correct=bool(row["correct"]),
            scored=bool(row["scored"]),
            points=row["points"],
            reason="",
        )

    async def record_attempt(self, req: AttemptRequest) -> AttemptResult:
        """Store one grade and its score in one transaction.

        A second grade of the same member on the same post (a double click, two clicks racing,
        a retried interaction) writes nothing and returns the first one; the unique indexes
        make that hold even if two writers got past the first check.
        """
        settings = await self.settings_for(req.guild_id)
        now = self.clock.now()
        day = now.astimezone(settings.zone).date()
        now_text = to_db(now)
        try:
            async with self.transaction() as db:
                if req.post_id is not None:
                    async with db.execute(
                        "SELECT 1 FROM attempts WHERE post_id = ? AND user_id = ?",
                        (req.post_id, req.user_id),
                    ) as cur:
                        if await cur.fetchone() is not None:
                            raise _AlreadyAnswered
                async with db.execute(
                    "SELECT 1 FROM attempts WHERE guild_id = ? AND user_id = ? AND question_id = ? "
                    "AND local_day = ? AND scored = 1",
                    (req.guild_id, req.user_id, req.question_id, day.isoformat()),
                ) as cur:
                    already = await cur.fetchone() is not None
                async with db.execute(
                    "SELECT COALESCE(SUM(points), 0) FROM attempts WHERE guild_id = ? AND user_id = ? "
                    "AND local_day = ? AND source = 'quiz'",
                    (req.guild_id, req.user_id, day.isoformat()),
                ) as cur:
                    row = await cur.fetchone()
                    today = int(row[0]) if row else 0
                result: Award = award(
                    settings.scoring,
                    req.source,
                    multiple_choice=req.multiple_choice,
                    correct=req.correct,
                    already_scored_today=already,
                    quiz_points_today=today,
                    closed=req.closed,
                )
                await db.execute(
                    "INSERT INTO attempts (guild_id, user_id, question_id, post_id, source, rating, "
                    "option_index, correct, scored, points, local_day, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        req.guild_id,
                        req.user_id,
                        req.question_id,
                        req.post_id,
                        req.source,
                        req.rating,
                        req.option_index,
                        int(req.correct),
                        int(result.scored),
                        result.points,
                        day.isoformat(),
                        now_text,
                    ),
                )
                await db.execute(
                    "INSERT INTO members (guild_id, user_id, display_name, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name, "
                    "updated_at = excluded.updated_at",
                    (req.guild_id, req.user_id, req.display_name, now_text),
                )
                if result.scored:
                    await _add_score(
                        db, req.guild_id, req.user_id, req.source, day, result.points, now_text
                    )
        except _AlreadyAnswered:
            existing = await self.attempt_for(req.post_id or 0, req.user_id)
            assert existing is not None
            return existing
        except sqlite3.IntegrityError:
            existing = await self.attempt_for(req.post_id or 0, req.user_id)
            if existing is None:
                raise
            return existing
        return AttemptResult(
            new=True,
            rating=req.rating,
            option_index=req.option_index,
            correct=req.correct,
            scored=result.scored,
            points=result.points,
            reason=result.reason,
        )

    async def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for table in ("decks", "questions", "guild_settings", "posts", "attempts", "members"):
            row = await self._fetchone(f"SELECT COUNT(*) FROM {table}")
            out[table] = int(row[0]) if row else 0
        return out

    async def _tags_for(self, question_ids: Sequence[int]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for start in range(0, len(question_ids), 500):
            chunk = list(question_ids[start : start + 500])
            if not chunk:
                continue
            marks = ",".join("?" * len(chunk))
            rows = await self._fetchall(
                f"SELECT question_id, tag FROM question_tags WHERE question_id IN ({marks}) "
                "ORDER BY question_id, tag",
                chunk,
            )
            for r in rows:
                out.setdefault(r[0], []).append(r[1])
        return out


class _AlreadyAnswered(Exception):
    pass


async def _add_score(
    db: aiosqlite.Connection,
    guild_id: int,
    user_id: int,
    source: str,
    day: Any,
    points: int,
    now: str,
) -> None:
    """Keep score_totals in step with one scoring attempt (inside the attempt's transaction)."""
    rows = [
        (guild_id, board, period, user_id, points, now)
        for board in (source, "all")
        for period in period_keys(day)
    ]
    await db.executemany(
        "INSERT INTO score_totals (guild_id, board, period, user_id, points, answered, reached_at) "
        "VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT (guild_id, board, period, user_id) DO UPDATE SET "
        "points = score_totals.points + excluded.points, answered = score_totals.answered + 1, "
        "reached_at = CASE WHEN excluded.points > 0 THEN excluded.reached_at ELSE score_totals.reached_at END",
        rows,
    )


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


async def _configure(conn: aiosqlite.Connection) -> None:
    conn.row_factory = sqlite3.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = NORMAL")
    # Touch the file so a damaged one is reported on open, not on first use.
    async with conn.execute("PRAGMA user_version") as cur:
        await cur.fetchone()


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
            await db.execute("DELETE FROM question_tags WHERE question_id = ?", (qid,))
        await db.executemany(
            "INSERT INTO question_tags (question_id, tag) VALUES (?, ?)", [(qid, t) for t in q.tags]
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
