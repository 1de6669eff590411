"""Question of the day: a database busy with another program at start-up does not keep the scheduler off."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

import discord
import pytest
from conftest import TestRecallBot as RecallUnderTest

from bot.clock import FixedClock
from bot.decks import load_builtin_decks
from bot.questions import Question
from bot.store import Store

pytestmark = pytest.mark.e2e

MOD = discord.Permissions(manage_guild=True).value
QUESTIONS = [
    Question(id=f"q{i}", prompt=f"Question number {i}?", why=f"Why {i}",
             key_points=[f"point {i}"], answer=f"Model answer {i}.", tags=["daily"])
    for i in range(1, 4)
]

#: another program (a backup) holding SQLite's write lock for a few seconds
LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
print("released", flush=True)
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.allow_error_logs
async def test_busy_database_at_start_up_does_not_leave_the_scheduler_off(recall, emulator):
    recall.clock = FixedClock(at("2026-01-05T08:00"))
    guild = emulator.add_guild("Study group")
    chan = guild.add_channel("qotd")
    mod = guild.add_member("mod", permissions=MOD)
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "daily", "Daily deck")
        await bot.store.add_questions(deck_id, QUESTIONS)
        await mod.run("/qotd setup", channel=chan, options={
            "channel": chan, "time": "09:00", "timezone": "UTC", "deck": "daily",
            "thread": False, "answer_after": "30m"})
        recall.clock.set(at("2026-01-05T09:00"))
        await bot.get_cog("Qotd").engine.tick()  # #1 posted, closes at 09:30

    # The bot restarts at 09:45 (scheduler on, as in production) while a backup holds the
    # write lock for a moment: the start-up pass's close of #1 meets "database is busy".
    recall.clock.set(at("2026-01-05T09:45"))
    store = await Store.open(recall.db, clock=recall.clock)
    await store.sync_builtin_decks(load_builtin_decks())
    locker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LOCK, str(recall.db),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert await asyncio.wait_for(locker.stdout.readline(), 30) == b"locked\n"
    bot = RecallUnderTest(recall.settings(), store, clock=recall.clock,
                        guild_ready_timeout=0.1, run_scheduler=True)
    try:
        async with emulator.run_client(bot):
            qotd = bot.get_cog("Qotd")
            await asyncio.wait_for(qotd.caught_up.wait(), 10)
            locker.stdin.write(b"\n")
            await locker.stdin.drain()
            assert await asyncio.wait_for(locker.stdout.readline(), 30) == b"released\n"
            await asyncio.sleep(0.5)
            # The lock is gone; the bot keeps running: its scheduler must be running too,
            # or no question of the day is ever posted (or closed) again until a restart.
            assert qotd.engine.scheduler is not None, "QOTD scheduler never started"
    finally:
        if locker.returncode is None:
            locker.kill()
        await locker.wait()
        await store.close()
