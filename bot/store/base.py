"""Storage core: connections, migrations, transactions and the shared read helpers.

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
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.clock import Clock, SystemClock, to_db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "migrations"
_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
BUSY_TIMEOUT_MS = 5000

_S = TypeVar("_S", bound="StoreBase")


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


class StoreBase:
    """Connections and transactions; the per-area mixins add the queries."""

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
        cls: type[_S], path: Path | str, *, clock: Clock | None = None, migrate: bool = True
    ) -> _S:
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
            # One round trip to the connection's thread (execute, fetch and close are three).
            return list(await self._reader.execute_fetchall(sql, params))
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from None

    async def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        rows = await self._fetchall(sql, params)
        return rows[0] if rows else None

    def now_text(self) -> str:
        return to_db(self.clock.now())

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


async def _configure(conn: aiosqlite.Connection) -> None:
    conn.row_factory = sqlite3.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = NORMAL")
    # 64 MiB of page cache (the default is 2 MiB): keeps the board indexes of busy servers
    # in memory, so ranks and pages stay fast while grades are written.
    await conn.execute("PRAGMA cache_size = -65536")
    # Touch the file so a damaged one is reported on open, not on first use.
    async with conn.execute("PRAGMA user_version") as cur:
        await cur.fetchone()
