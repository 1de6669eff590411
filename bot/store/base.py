"""Storage core: connections, migrations, transactions and the shared read helpers.

SQLite through aiosqlite: WAL, foreign keys on, a busy timeout. Writes go through one
connection under a lock, each in an explicit transaction; reads use a second connection so
they never see a transaction half done.

Each call to an aiosqlite connection is a round trip to its thread, which costs far more than
an indexed lookup. Hot paths therefore hand a whole unit of work to the connection's thread as
one plain function over the ``sqlite3.Connection``: ``read(fn)`` runs it in one snapshot on
the reader, ``write(fn)`` runs it in a write transaction on the writer. Writes submitted
together are group-committed: one thread trip and one COMMIT for the whole group, each write
under its own SAVEPOINT so a write that fails rolls back alone and its caller alone sees the
error. Writes of one kind that arrive together (grades, under load) can be applied as one
batch, set by set, with ``write_batched`` (see ``Batch``). Migrations are numbered `.sql` files in
`data/migrations/`, applied together in one transaction, with the version kept in
`PRAGMA user_version`.

The SQL is kept portable (no SQLite-only syntax beyond what PostgreSQL also accepts, such as
partial indexes and ON CONFLICT) so that a PostgreSQL backend can follow.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.clock import Clock, SystemClock, to_db
from bot.paths import DATA_DIR

MIGRATIONS_DIR = DATA_DIR / "migrations"
_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
#: how long a connection waits for another program's lock; short enough that a member's
#: click is still answered (with "busy") within Discord's 3 s when the wait runs out
BUSY_TIMEOUT_MS = 2000
#: the oldest SQLite the queries run on (``WITH ... AS MATERIALIZED`` came in 3.35)
MIN_SQLITE = (3, 35, 0)

#: most writes applied in one group transaction
MAX_GROUP = 256
#: When a checkpoint runs off the writer's path (see ``_checkpoint``): after
#: ``CHECKPOINT_WRITES`` writes, or after ``CHECKPOINT_EVERY`` commits once
#: ``CHECKPOINT_SECONDS`` have passed since the last one began, whichever comes first. Under
#: load that is about once a second or 2,000 grades. Each checkpoint syncs the WAL and the
#: database file to disk: with one every 128 grades, the writer's COMMITs under load spent
#: as long waiting as working (on disk; not on tmpfs), and 2,000 grades a second could not
#: be kept up; with a few thousand grades (tens of MB of WAL) between checkpoints they could
#: at times (bench/leaderboard.py). When writes come one at a time, 16 commits start one,
#: at most once a second.
CHECKPOINT_EVERY = 16
CHECKPOINT_SECONDS = 1.0
CHECKPOINT_WRITES = 2_000
#: WAL pages after which the writer checkpoints itself, should the background one lag (a
#: grade adds about a dozen pages; 100,000 pages is 400 MB of WAL at 4 KiB a page)
WRITER_AUTOCHECKPOINT = 100_000
#: Bytes of the database file each connection reads through a memory map instead of read
#: calls: under a steady stream of grades the writer's page cache misses on most random
#: index pages of a large file, and each miss was a ``pread`` that copied the page (a fifth
#: of the writer's time at 1,000,000 attempts; the map cut its CPU a grade by about 6%,
#: bench/leaderboard.py). Address space only: pages are shared with the OS file cache. A
#: file larger than this is read the usual way past the mapped part.
MMAP_SIZE = 1 << 30

_S = TypeVar("_S", bound="StoreBase")
_T = TypeVar("_T")

log = logging.getLogger("bot.store")

#: A unit of work run in a connection's own thread, given the plain ``sqlite3.Connection``.
Work = Callable[[sqlite3.Connection], _T]

#: What one write came to: (True, its value) or (False, the exception its caller gets).
Outcome = tuple[bool, Any]
#: Applies several writes of one kind at once (see ``StoreBase.write_batched``).
Batch = Callable[[sqlite3.Connection, list[Any]], list[Outcome]]


@dataclass(frozen=True)
class _Batched:
    """One write queued for a ``Batch``: ``apply(conn, [item, ...])``."""

    apply: Batch
    item: Any


class StoreError(Exception):
    """A storage problem with a message fit to show: what is wrong and what to do.

    ``kind`` names the problem for whoever answers a member: ``read-only``, ``full``,
    ``busy``, ``damaged`` or ``other``.
    """

    def __init__(self, message: str, kind: str = "other") -> None:
        super().__init__(message)
        self.kind = kind


class BackupTargetError(StoreError):
    """The backup's own file could not be written; the database itself is fine."""


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
    name = getattr(exc, "sqlite_errorname", "") or ""
    # A file made read-only under an open connection fails its next write with an I/O error.
    if (
        "readonly" in text
        or "read-only" in text
        or (name.startswith("SQLITE_IOERR") and not _writable(path))
    ):
        return StoreError(
            f"database {path} is read-only: give the bot's user write access to the file "
            "and its folder",
            "read-only",
        )
    if "not a database" in text or "malformed" in text:
        return StoreError(
            f"database {path} is damaged or not an SQLite file: restore it from a backup "
            "(python -m bot db backup makes one) or move it away to start afresh",
            "damaged",
        )
    if "unable to open" in text:
        return StoreError(
            f"cannot open database {path}: check that its folder exists and is writable"
        )
    if "disk" in text and "full" in text:
        return StoreError(f"the disk holding {path} is full: free some space", "full")
    if "locked" in text or "busy" in text:
        return StoreError(
            f"database {path} is busy (locked by another program): try again shortly", "busy"
        )
    return StoreError(f"database {path}: {text}")


def _writable(path: Path) -> bool:
    """Whether the database file and its write-ahead log (if any) accept writes."""
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists() and not os.access(file, os.W_OK):
            return False
    return True


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
        self._pending: list[tuple[Work[Any] | _Batched, asyncio.Future[Any]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._commits = 0
        self._writes = 0
        self._checkpointed_at = float("-inf")
        self._checkpointer: aiosqlite.Connection | None = None
        self._checkpointing: asyncio.Task[None] | None = None

    # -- opening, migrating, closing -------------------------------------------------------

    @classmethod
    async def open(
        cls: type[_S], path: Path | str, *, clock: Clock | None = None, migrate: bool = True
    ) -> _S:
        path = Path(path)
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise StoreError(
                f"Recall needs SQLite {'.'.join(map(str, MIN_SQLITE))} or newer; this Python "
                f"has SQLite {sqlite3.sqlite_version} (a Python built on a newer system, or "
                "the Docker image, has one)"
            )
        if str(path) != ":memory:" and not path.parent.exists():
            raise StoreError(f"cannot open database {path}: folder {path.parent} does not exist")
        writer = reader = None
        try:
            writer = await _connect(path)
            await _configure(writer)
            async with writer.execute("PRAGMA journal_mode=WAL") as cur:
                await cur.fetchone()
            # Checkpoints copy the WAL back into the database and fsync it, which costs
            # hundreds of milliseconds on a large file. Run inside a COMMIT they stall every
            # write queued behind it, so they run on a connection of their own (see
            # _checkpoint); the writer checkpoints itself only if that one falls far behind.
            await writer.execute(f"PRAGMA wal_autocheckpoint = {WRITER_AUTOCHECKPOINT}")
            reader = await _connect(path)
            await _configure(reader)
            store = cls(path, writer, reader, clock or SystemClock())
            if migrate:
                await store.migrate()
            # Statement journals in memory: each write of a group runs under a savepoint, which
            # copies every page it first changes; in a temporary file that is two system calls
            # a page. Set after migrating, whose index builds may sort more than fits in memory.
            await writer.execute("PRAGMA temp_store = MEMORY")
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
        if self._flusher is not None:
            await asyncio.shield(self._flusher)
        if self._checkpointing is not None:
            await asyncio.shield(self._checkpointing)
        if self._checkpointer is not None:
            await self._checkpointer.close()
            self._checkpointer = None
        # A transaction still open (work the bot's stop did not cancel, such as a form
        # handled just then) ends first: closed under it, it would fail with no StoreError.
        async with self._lock:
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
        """A consistent copy through SQLite's online backup API, safe while the bot runs.

        ``target`` must not exist yet. A copy that fails leaves no file behind; a target
        that cannot be written raises :class:`BackupTargetError`."""
        target = Path(target)

        def _copy() -> None:
            try:
                src = sqlite3.connect(self.path)
            except sqlite3.Error as exc:
                raise _explain(self.path, exc) from None
            try:
                try:
                    dst = sqlite3.connect(target)
                except sqlite3.Error as exc:
                    raise BackupTargetError(
                        f"cannot write the backup to {target} ({exc}): choose a folder "
                        "the bot's user can write to"
                    ) from None
                try:
                    src.backup(dst)
                except sqlite3.Error as exc:
                    dst.close()
                    target.unlink(missing_ok=True)
                    raise BackupTargetError(
                        f"the backup to {target} failed ({exc}) and what it wrote was "
                        "removed: check the space left there, then try again"
                    ) from None
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
            except BaseException as exc:
                # SQLite ends the transaction itself on some errors (a full disk): then
                # there is nothing to roll back, and ROLLBACK would raise over the cause.
                if self._writer.in_transaction:
                    await self._writer.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.IntegrityError):
                    # A full disk or a lost lock, explained as ``write`` does (callers
                    # handle IntegrityError themselves).
                    raise _explain(self.path, exc) from None
                raise
            try:
                await self._writer.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._writer.in_transaction:
                    await self._writer.execute("ROLLBACK")
                raise _explain(self.path, exc) from None

    async def read(self, fn: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``fn(conn)`` on the reader in one thread trip, in one consistent snapshot.

        ``fn`` is plain synchronous code over ``sqlite3``; it must only read.
        """
        try:
            return await in_thread(self._reader, _snapshot, fn)
        except sqlite3.Error as exc:
            raise _explain(self.path, exc) from None

    async def write(self, fn: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``fn(conn)`` in a write transaction on the writer, as one thread trip.

        Writes submitted while another group is being applied wait for it and then go
        together: one BEGIN IMMEDIATE ... COMMIT for the group, each ``fn`` under its own
        SAVEPOINT. An exception from ``fn`` undoes that ``fn``'s changes only and is raised
        here, to its caller; the result is returned once the group has committed.
        ``fn`` must not BEGIN, COMMIT or ROLLBACK itself.
        """
        return await self._queue(fn)

    async def write_batched(self, apply: Batch, item: Any) -> Any:
        """Queue ``item`` for ``apply(conn, items)``, which writes several items of one kind
        at once, in sets, instead of one by one: ``apply`` reads what all of them need in a
        few statements, decides each in order (an item sees the ones before it, as one by
        one), and writes with one statement a table. It returns one ``Outcome`` an item,
        in order; an item it refuses (False, exception) must have written nothing.

        Items queued together, with no other write between them, go to one call under one
        SAVEPOINT, in the group's transaction. If that call raises, its changes are undone
        and each item is applied alone, ``apply(conn, [item])`` under its own SAVEPOINT, so
        only the item at fault fails, and its caller alone sees the error.
        """
        return await self._queue(_Batched(apply, item))

    async def _queue(self, work: Work[_T] | _Batched) -> Any:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Any] = loop.create_future()
        self._pending.append((work, done))
        if self._flusher is None:
            self._flusher = loop.create_task(self._flush(), name="store-group-commit")
        return await done

    async def _flush(self) -> None:
        """Apply pending writes, group by group, until none are left."""
        try:
            while self._pending:
                group = [(fn, f) for fn, f in self._pending[:MAX_GROUP] if not f.done()]
                del self._pending[:MAX_GROUP]
                if not group:
                    continue
                try:
                    async with self._lock:
                        outcomes = await in_thread(
                            self._writer, _apply_group, [fn for fn, _ in group]
                        )
                except BaseException as exc:
                    failure: BaseException = exc
                    if isinstance(exc, _GroupFailed):
                        failure = _explain(self.path, exc.error)
                    for _, f in group:
                        if f.done():
                            continue
                        if isinstance(failure, asyncio.CancelledError):
                            f.cancel()
                        else:
                            f.set_exception(failure)
                    if not isinstance(exc, Exception):
                        raise
                    continue
                self._committed(len(group))
                for (_, f), (ok, value) in zip(group, outcomes, strict=True):
                    if f.done():
                        continue
                    if ok:
                        f.set_result(value)
                    elif isinstance(value, sqlite3.Error) and not isinstance(
                        value, sqlite3.IntegrityError
                    ):
                        # A full disk or a lost lock met by one write alone (callers handle
                        # IntegrityError themselves).
                        f.set_exception(_explain(self.path, value))
                    else:
                        f.set_exception(value)
        finally:
            self._flusher = None
            for _, f in self._pending:
                if not f.done():
                    f.set_exception(StoreError(f"database {self.path}: the store was closed"))
            self._pending.clear()

    def _committed(self, writes: int) -> None:
        self._commits += 1
        self._writes += writes
        loop = asyncio.get_running_loop()
        due = self._writes >= CHECKPOINT_WRITES or (
            self._commits >= CHECKPOINT_EVERY
            and loop.time() - self._checkpointed_at >= CHECKPOINT_SECONDS
        )
        if due and self._checkpointing is None and str(self.path) != ":memory:":
            self._commits = self._writes = 0
            self._checkpointed_at = loop.time()
            self._checkpointing = loop.create_task(self._checkpoint(), name="store-checkpoint")

    async def _checkpoint(self) -> None:
        """Copy committed WAL pages into the database on a third connection, in its own
        thread: a PASSIVE checkpoint never blocks the writer or the reader."""
        try:
            if self._checkpointer is None:
                conn = await aiosqlite.connect(self.path, isolation_level=None)
                await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                await conn.execute("PRAGMA synchronous = NORMAL")
                self._checkpointer = conn
            await self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:
            # The writer's own automatic checkpoint still runs; nothing is lost.
            log.warning("background checkpoint of %s failed: %s", self.path, exc)
        finally:
            self._checkpointing = None

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
        return await self.read(lambda conn: tags_in(conn, question_ids))


def insert_rows(
    conn: sqlite3.Connection, head: str, rows: Sequence[Sequence[Any]], tail: str = ""
) -> None:
    """``head VALUES (...), (...) tail`` for ``rows``, many rows a statement.

    A statement a row, as ``executemany`` runs, hands the GIL back and forth once a row, and
    each time the event loop thread holds it the writer waits for it. The rows go in
    statements of ``chunks``, in order.
    """
    if not rows:
        return
    for start, end in chunks(len(rows)):
        conn.execute(
            f"{head} VALUES {value_rows(end - start, len(rows[0]))} {tail}",
            [v for row in rows[start:end] for v in row],
        )


def value_rows(n: int, width: int) -> str:
    """``(?, ?), (?, ?)``: placeholders for ``n`` rows of ``width`` values."""
    return ", ".join(["(" + ", ".join("?" * width) + ")"] * n)


def typed_value_rows(n: int, types: Sequence[str | None]) -> str:
    """Placeholders for ``n`` rows of ``len(types)`` values, for a ``VALUES`` list read as a
    table (``WITH g (...) AS (VALUES ...)``): the first row casts each placeholder to its
    SQL type (``None``: left as it is, for text), ``(CAST(? AS BIGINT), ?), (?, ?)``.

    In an INSERT the target columns give the placeholders their types, but a VALUES list
    read as a table has none, and PostgreSQL takes an untyped parameter there for text: the
    list's ids would then be compared with BIGINT columns as text (an error) and sorted as
    text. One typed row types each column of the whole list. SQLite's CAST of an integer to
    BIGINT (INTEGER affinity) gives the same integer."""
    width = len(types)
    first = "(" + ", ".join("?" if t is None else f"CAST(? AS {t})" for t in types) + ")"
    return ", ".join([first, *(["(" + ", ".join("?" * width) + ")"] * (n - 1))])


def chunks(n: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` slices of ``n`` rows for statements with a row of parameters each:
    64, 32, ... 1 rows, so that a handful of distinct statements are prepared and stay in
    the connection's statement cache whatever the number of rows, each under SQLite's oldest
    limit of 999 parameters (for rows of up to 15 values)."""
    start = 0
    while start < n:
        size = _CHUNK
        while size > n - start:
            size //= 2
        yield start, start + size
        start += size


#: most rows in one statement (tables here have at most 15 columns)
_CHUNK = 64


def keep_last_id(table: str) -> str:
    """SQL (no parameters) recording the highest id of ``table`` given so far in app_meta,
    to run before rows of it are erased: ids its messages' buttons carry (suggestions,
    reviews, import previews) are then never given again (see :func:`next_id`).

    The ids kept as text are read back as BIGINT: PostgreSQL's INTEGER is 32 bits (an id
    above 2**31 would fail the CAST there), SQLite's is 64, and both take BIGINT as 64."""
    return (
        f"INSERT INTO app_meta (key, value) SELECT '{table}.last_id', CAST(top AS TEXT) FROM "
        f"(SELECT MAX(id) AS top FROM {table}) AS ids WHERE top IS NOT NULL "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value "
        "WHERE CAST(excluded.value AS BIGINT) > CAST(app_meta.value AS BIGINT)"
    )


def next_id(table: str) -> str:
    """SQL expression: an id for a new row of ``table`` above every id it ever gave, erased
    rows' included (as :func:`keep_last_id` recorded them)."""
    # CASE rather than SQLite's two-argument MAX, which other databases spell GREATEST.
    return (
        f"(SELECT CASE WHEN used > kept THEN used ELSE kept END + 1 FROM (SELECT "
        f"COALESCE((SELECT MAX(id) FROM {table}), 0) AS used, COALESCE((SELECT CAST(value "
        f"AS BIGINT) FROM app_meta WHERE key = '{table}.last_id'), 0) AS kept) AS ids)"
    )


def tags_in(conn: sqlite3.Connection, question_ids: Sequence[int]) -> dict[int, list[str]]:
    """Tags of some questions, in the order they were given, read on ``conn`` (in its
    thread)."""
    out: dict[int, list[str]] = {}
    for qid, tag in rows_in(
        conn,
        "SELECT question_id, tag FROM question_tags WHERE question_id IN ({ids}) "
        "ORDER BY question_id, position, tag",
        question_ids,
    ):
        out.setdefault(qid, []).append(tag)
    return out


def rows_in(conn: sqlite3.Connection, sql: str, ids: Sequence[int]) -> Iterator[Any]:
    """The rows of ``sql`` for some ids, put where ``{ids}`` is, 500 ids a statement."""
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        yield from conn.execute(sql.format(ids=",".join("?" * len(chunk))), chunk)


async def in_thread(
    conn: aiosqlite.Connection, fn: Callable[..., _T], *args: Any
) -> _T:
    """Call ``fn(sqlite3_connection, *args)`` in ``conn``'s own thread: one round trip.

    aiosqlite runs every call on a connection in that connection's thread through its
    ``_execute`` queue, but offers no public way to queue an arbitrary function; this is the
    one place that uses those internals (``_execute`` and ``_conn``, unchanged from
    aiosqlite 0.17 to 0.22; pyproject pins the range tested). The function runs in the same
    thread as every other call on ``conn``, in order, so the connection is never shared
    between threads.
    """

    def call() -> _T:
        return fn(conn._conn, *args)

    return await conn._execute(call)


class _GroupFailed(Exception):
    """BEGIN or COMMIT of a group failed: every write of the group is undone."""

    def __init__(self, error: sqlite3.Error):
        super().__init__(str(error))
        self.error = error


def _snapshot(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], _T]) -> _T:
    if conn.in_transaction:  # pragma: no cover - the reader never keeps one open
        return fn(conn)
    conn.execute("BEGIN")
    try:
        return fn(conn)
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def _apply_group(
    conn: sqlite3.Connection, work: list[Work[Any] | _Batched]
) -> list[Outcome]:
    """One transaction for a group of writes (writer thread): each plain write under its own
    savepoint, each run of batched writes of one kind as one batch."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise _GroupFailed(exc) from None
    outcomes: list[Outcome] = []
    try:
        i = 0
        while i < len(work):
            first = work[i]
            if isinstance(first, _Batched):
                end = i + 1
                while (
                    end < len(work)
                    and isinstance(nxt := work[end], _Batched)
                    and nxt.apply is first.apply
                ):
                    end += 1
                items = [w.item for w in work[i:end] if isinstance(w, _Batched)]
                outcomes.extend(_apply_batch(conn, first.apply, items))
                i = end
            else:
                outcomes.append(_apply_one(conn, first))
                i += 1
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error) and not isinstance(exc, _GroupFailed):
            raise _GroupFailed(exc) from None
        raise
    return outcomes


def _apply_one(conn: sqlite3.Connection, fn: Work[Any]) -> Outcome:
    conn.execute("SAVEPOINT grouped")
    try:
        value = fn(conn)
    except Exception as exc:
        _undo(conn, exc)
        return (False, exc)
    conn.execute("RELEASE grouped")
    return (True, value)


def _undo(conn: sqlite3.Connection, exc: Exception) -> None:
    """Roll back to the savepoint ``grouped`` after ``exc``."""
    if not conn.in_transaction:
        # SQLite itself rolled the whole transaction back (a full disk, an I/O error): the
        # writes before this one are gone too.
        raise _GroupFailed(
            exc if isinstance(exc, sqlite3.Error) else sqlite3.OperationalError(str(exc))
        ) from None
    conn.execute("ROLLBACK TO grouped")
    conn.execute("RELEASE grouped")


def _apply_batch(conn: sqlite3.Connection, apply: Batch, items: list[Any]) -> list[Outcome]:
    if len(items) > 1:
        conn.execute("SAVEPOINT grouped")
        try:
            outcomes = apply(conn, items)
        except Exception as exc:
            # One item's fault undoes the batch; each item then goes alone, below.
            _undo(conn, exc)
        else:
            conn.execute("RELEASE grouped")
            if len(outcomes) != len(items):  # pragma: no cover - a broken Batch
                raise RuntimeError(f"{apply!r} gave {len(outcomes)} outcomes for {len(items)}")
            return outcomes
    return [_apply_one(conn, functools.partial(_alone, apply, item)) for item in items]


def _alone(apply: Batch, item: Any, conn: sqlite3.Connection) -> Any:
    ((ok, value),) = apply(conn, [item])
    if not ok:
        raise value
    return value


async def _connect(path: Path) -> aiosqlite.Connection:
    """An aiosqlite connection to ``path``. When opening fails, aiosqlite stops its thread
    without waiting for it; waiting here keeps that thread's last callback from meeting an
    event loop already closed (a stray traceback after the error was reported)."""
    conn = aiosqlite.connect(path, isolation_level=None)
    try:
        return await conn
    except BaseException:
        await asyncio.to_thread(conn._thread.join, 2.0)
        raise


async def _configure(conn: aiosqlite.Connection) -> None:
    conn.row_factory = sqlite3.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = NORMAL")
    # 64 MiB of page cache (the default is 2 MiB): keeps the board indexes of busy servers
    # in memory, so ranks and pages stay fast while grades are written.
    await conn.execute("PRAGMA cache_size = -65536")
    await conn.execute(f"PRAGMA mmap_size = {MMAP_SIZE}")
    # Touch the file so a damaged one is reported on open, not on first use.
    async with conn.execute("PRAGMA user_version") as cur:
        await cur.fetchone()
