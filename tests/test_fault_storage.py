"""Storage faults under a running bot: read-only file, full disk, locked by a backup.

Each fault is made for real where this machine allows it: the immutable flag (root) for a
read-only file, a small tmpfs for a full disk (root with the right to mount), another process
holding SQLite's write lock for a locked database. While the fault lasts, a member's grade is
answered in time with a private message saying what happened; the bot logs one line; nothing
already stored is lost; and once the fault clears the same button works.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faultkit import integrity, query, recomputed_totals, stored_totals

from bot.client import STORAGE_REPLIES
from bot.clock import FixedClock
from bot.questions import Question

pytestmark = pytest.mark.e2e

QUESTION = Question(
    id="store-1",
    prompt="Which request method is idempotent: POST or PUT?",
    why="It checks you know what a retry may repeat.",
    key_points=["PUT replaces the resource", "POST creates a new one each time"],
    answer="PUT: sending it twice leaves the same state as sending it once.",
    tags=["http"],
)


def snapshot(db: Path) -> tuple[list[tuple[object, ...]], dict[object, object]]:
    """What is stored: every attempt and the score totals."""
    return query(db, "SELECT * FROM attempts ORDER BY id"), dict(stored_totals(db))


async def quiz_with_answers(recall, emulator):
    """A public /quiz that alice answered; bob has revealed it and holds his grade buttons."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    bot = recall.bot
    deck_id = await bot.store.create_deck(guild.id, "http", "HTTP deck")
    await bot.store.add_questions(deck_id, [QUESTION])
    asked = await alice.run("/quiz", deck="http")
    mine = await alice.click(asked.message, "Reveal answer")
    done = await alice.click(mine.message, "Good")
    assert "You graded yourself **Good**" in done.embed["description"]
    theirs = await bob.click(asked.message, "Reveal answer")
    assert [b.label for b in theirs.message.buttons][:4] == ["Again", "Hard", "Good", "Easy"]
    return bob, theirs.message, asked.message


async def refused_then_recovered(
    recall, error_logs, bob, answer, *, kind: str, cause: str,
    start: Callable[[], Awaitable[None]], clear: Callable[[], Awaitable[None]],
) -> None:
    """bob's grade meets the fault, then the fault clears and the same button works.

    The emulator rejects an answer later than Discord's 3 s (a violation fails the test), so
    the refusal has to come in time."""
    before = snapshot(recall.db)
    await start()
    refused = await bob.click(answer, "Easy")
    assert refused.ephemeral and refused.response_type == 4, refused
    assert refused.content == STORAGE_REPLIES[kind]
    assert not any(b.disabled for b in answer.buttons)  # his answer still waits for a grade
    assert len(error_logs) == 1, [r.getMessage() for r in error_logs]
    [line] = error_logs
    assert cause in line.getMessage() and line.exc_info is None  # one line, no traceback
    error_logs.clear()

    await clear()
    assert snapshot(recall.db) == before  # nothing stored was lost, nothing half-written
    graded = await bob.click(answer, "Easy")
    assert graded.response_type == 7
    assert "You graded yourself **Easy**" in graded.embed["description"]
    assert "**+" in graded.embed["description"]  # scored
    rows = query(recall.db, "SELECT user_id, rating FROM attempts ORDER BY id")
    assert rows[-1] == (bob.id, 4) and len(rows) == len(before[0]) + 1
    assert stored_totals(recall.db) == recomputed_totals(recall.db)
    assert integrity(recall.db) == ["ok"]


# ---------------------------------------------------------------------------
# Read-only file
# ---------------------------------------------------------------------------


def _chattr(flag: str, *paths: Path) -> None:
    subprocess.run(["chattr", flag, *map(str, paths)], check=True)


@pytest.fixture
def immutable(tmp_path: Path) -> Iterator[list[Path]]:
    """Files to mark immutable (read-only even for root); always cleared at the end."""
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("needs root and chattr: file modes do not stop an open connection writing")
    probe = tmp_path / "probe"
    probe.write_bytes(b"")
    if subprocess.run(["chattr", "+i", str(probe)], capture_output=True).returncode != 0:
        pytest.skip("the immutable flag cannot be set here (file system or capabilities)")
    subprocess.run(["chattr", "-i", str(probe)], check=True)
    marked: list[Path] = []
    try:
        yield marked
    finally:
        for path in marked:
            subprocess.run(["chattr", "-i", str(path)], check=False)


async def test_read_only_database_is_explained_and_recovers(
    recall, emulator, error_logs, immutable
):
    async with recall.running():
        bob, answer, _ = await quiz_with_answers(recall, emulator)
        files = [recall.db, recall.db.with_name(recall.db.name + "-wal")]
        assert all(f.exists() for f in files)

        async def start() -> None:
            immutable.extend(files)
            _chattr("+i", *files)
            with pytest.raises(PermissionError):
                files[1].open("ab").close()

        async def clear() -> None:
            _chattr("-i", *files)

        await refused_then_recovered(recall, error_logs, bob, answer, kind="read-only",
                                     cause="is read-only", start=start, clear=clear)


# ---------------------------------------------------------------------------
# Full disk
# ---------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 MiB tmpfs: a real file system that fills up."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a size-limited tmpfs")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(filler: Path) -> None:
    """Write ``filler`` until the disk has no byte left."""
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for size in (1 << 20, 1 << 12, 1):
            chunk = b"\0" * size
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, chunk)
        with pytest.raises(OSError) as full:
            os.write(fd, b"\0")
        assert full.value.errno == errno.ENOSPC
    finally:
        os.close(fd)


async def test_full_disk_is_explained_and_recovers(recall, emulator, error_logs, small_disk):
    recall.db = small_disk / "recall.sqlite3"
    async with recall.running():
        bob, answer, _ = await quiz_with_answers(recall, emulator)
        filler = small_disk / "filler"

        async def start() -> None:
            # Empty the write-ahead log so that the next commit has to grow a file.
            conn = sqlite3.connect(recall.db)
            try:
                assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
            finally:
                conn.close()
            assert recall.db.with_name(recall.db.name + "-wal").stat().st_size == 0
            fill(filler)

        async def clear() -> None:
            filler.unlink()

        await refused_then_recovered(recall, error_logs, bob, answer, kind="full",
                                     cause="is full", start=start, clear=clear)


# ---------------------------------------------------------------------------
# Locked by a backup
# ---------------------------------------------------------------------------

#: A backup script of the cautious kind: it takes SQLite's write lock so that nothing changes
#: while it copies the file, and keeps it until told to finish.
LOCKING_BACKUP = """
import shutil, sqlite3, sys
db, copy = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
shutil.copyfile(db, copy)
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
conn.close()
print("released", flush=True)
"""


async def test_database_locked_by_a_backup_is_explained_in_time_and_recovers(
    recall, emulator, error_logs, tmp_path
):
    async with recall.running():
        bob, answer, _ = await quiz_with_answers(recall, emulator)
        backup = await asyncio.create_subprocess_exec(
            sys.executable, "-c", LOCKING_BACKUP, str(recall.db), str(tmp_path / "copy.sqlite3"),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        stdin, stdout = backup.stdin, backup.stdout
        assert stdin is not None and stdout is not None

        async def start() -> None:
            assert await asyncio.wait_for(stdout.readline(), 30) == b"locked\n"

        async def clear() -> None:
            stdin.write(b"\n")
            await stdin.drain()
            assert await asyncio.wait_for(stdout.readline(), 30) == b"released\n"

        try:
            await refused_then_recovered(recall, error_logs, bob, answer, kind="busy",
                                         cause="is busy", start=start, clear=clear)
        finally:
            if backup.returncode is None:
                backup.kill()
            await backup.wait()
        assert integrity(tmp_path / "copy.sqlite3") == ["ok"]


#: SQLite's online backup, as `python -m bot db backup` makes it (``Connection.backup``), with
#: its copy step held open the way copying a large database holds it: the source snapshot is
#: taken first and the copy finishes when told to.
LONG_ONLINE_BACKUP = """
import sqlite3, sys
src = sqlite3.connect(sys.argv[1], isolation_level=None)
src.execute("BEGIN")
print(src.execute("SELECT COUNT(*) FROM attempts").fetchone()[0], flush=True)
sys.stdin.readline()
dst = sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.close()
src.execute("COMMIT")
print("done", flush=True)
"""


async def test_online_backup_during_grades_blocks_nothing_and_copies_one_moment(
    recall, emulator, tmp_path
):
    copy = tmp_path / "copy.sqlite3"
    async with recall.running():
        bob, answer, asked = await quiz_with_answers(recall, emulator)
        others = [bob.guild.add_member(f"m{i}") for i in range(20)]
        backup = await asyncio.create_subprocess_exec(
            sys.executable, "-c", LONG_ONLINE_BACKUP, str(recall.db), str(copy),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        stdin, stdout = backup.stdin, backup.stdout
        assert stdin is not None and stdout is not None
        try:
            at_start = int(await asyncio.wait_for(stdout.readline(), 30))
            assert at_start == 1  # alice's grade

            async def plays(member, message) -> None:
                if message is None:
                    message = (await member.click(asked, "Reveal answer")).message
                graded = await member.click(message, "Hard")
                assert graded.response_type == 7, graded
                assert "You graded yourself **Hard**" in graded.embed["description"]

            await asyncio.gather(plays(bob, answer), *(plays(m, None) for m in others))
            stdin.write(b"\n")
            await stdin.drain()
            assert await asyncio.wait_for(stdout.readline(), 30) == b"done\n"
        finally:
            if backup.returncode is None:
                backup.kill()
            await backup.wait()
        live = query(recall.db, "SELECT COUNT(*) FROM attempts")[0][0]
        assert live == at_start + 21
    assert integrity(copy) == ["ok"]
    assert query(copy, "SELECT COUNT(*) FROM attempts")[0][0] == at_start
    assert stored_totals(copy) == recomputed_totals(copy)


async def test_a_reminder_sent_while_the_database_refuses_writes_is_not_sent_again(
    recall, emulator, error_logs, immutable
):
    """The reminder DM goes out but the database refuses to record it (read-only): the loop
    keeps running, the member gets that DM once, not once a round while the fault lasts, and
    once the fault clears the reminder is recorded and moves to the next day."""
    recall.clock = FixedClock(datetime(2026, 2, 2, 8, tzinfo=UTC))
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "http", "HTTP deck")
        await bot.store.add_questions(deck_id, [QUESTION])
        asked = await alice.run("/quiz", deck="http")
        shown = await alice.click(asked.message, "Reveal answer")
        await alice.click(shown.message, "Again")  # due again in minutes
        await alice.run("/review remind", time="18:00", timezone="UTC")
        recall.clock.set(datetime(2026, 2, 2, 18, tzinfo=UTC))

        files = [recall.db, recall.db.with_name(recall.db.name + "-wal")]
        immutable.extend(files)
        _chattr("+i", *files)
        cog = bot.get_cog("Review")
        cog.reminder_loop.change_interval(seconds=0.05)
        cog.reminder_loop.start()
        try:
            for _ in range(200):
                await asyncio.sleep(0.05)
                if len(error_logs) >= 3:
                    break
            assert len(error_logs) >= 3, "the loop stopped after the first failure"
            assert cog.reminder_loop.is_running()
            assert len(emulator.dms(alice.user)) == 1
            assert all("could not be recorded" in r.getMessage() for r in error_logs)
            error_logs.clear()

            _chattr("-i", *files)
            for _ in range(200):
                settings = await bot.store.review_settings(guild.id, alice.id)
                if settings.remind_next == datetime(2026, 2, 3, 18, tzinfo=UTC):
                    break
                await asyncio.sleep(0.05)
            assert settings.remind_next == datetime(2026, 2, 3, 18, tzinfo=UTC)
            assert len(emulator.dms(alice.user)) == 1
        finally:
            cog.reminder_loop.cancel()
        error_logs.clear()
