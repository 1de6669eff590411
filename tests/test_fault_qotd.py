"""Question of the day when things fail: a closing edit Discord fails for a while is made
again; a crash between posting one question and closing the one before loses no answer; a
database busy with another program at start-up does not keep the scheduler off."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

import discord
import pytest
from conftest import TestRecallBot as RecallUnderTest

from bot.clock import FixedClock
from bot.decks import load_builtin_decks
from bot.questions import Question
from bot.store import Store
from bot.store import base as store_base

pytestmark = pytest.mark.e2e

MOD = discord.Permissions(manage_guild=True).value
QUESTIONS = [
    Question(id=f"q{i}", prompt=f"Question number {i}?", why=f"Why {i}",
             key_points=[f"point {i}"], answer=f"Model answer {i}.", tags=["daily"])
    for i in range(1, 4)
]

#: another program (a backup) holding SQLite's write lock until told to let go
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


def posts(emulator, chan):
    return [m for m in emulator.channel_messages(chan)
            if m.embeds and "Question of the day" in m.embeds[0]["title"]]


async def daily(recall, emulator, **setup):
    """A server with a daily 09:00 UTC question in #qotd (a 3-question deck); the bot has
    run /qotd setup with ``setup`` and stopped. Returns the channel."""
    recall.clock = FixedClock(at("2026-01-05T08:00"))
    guild = emulator.add_guild("Study group")
    chan = guild.add_channel("qotd")
    mod = guild.add_member("mod", permissions=MOD)
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "daily", "Daily deck")
        await bot.store.add_questions(deck_id, QUESTIONS)
        await mod.run("/qotd setup", channel=chan, options={
            "channel": chan, "time": "09:00", "timezone": "UTC", "deck": "daily",
            "thread": False, **setup})
    return chan


async def test_a_503_on_the_closing_edit_is_retried(recall, emulator):
    chan = await daily(recall, emulator, answer_after="12h")
    async with recall.running(sync=False) as bot:
        engine = bot.get_cog("Qotd").engine
        recall.clock.set(at("2026-01-05T09:00"))
        await engine.tick()
        [post] = posts(emulator, chan)

        # 21:00: #1 closes; Discord answers its edit once with 503 Service Unavailable
        emulator.faults.add("PATCH", rf"^/channels/{chan.id}/messages/{post.id}$", status=503)
        recall.clock.set(at("2026-01-05T21:00"))
        await engine.tick()
        assert emulator.faults.active == []  # the 503 fired
        # Discord is fine again; later passes run (the next day's question goes out)
        recall.clock.set(at("2026-01-05T21:05"))
        await engine.tick()
        recall.clock.set(at("2026-01-06T09:00"))
        await engine.tick()
        assert len(posts(emulator, chan)) == 2
        # ...and #1's answer went public all the same
        assert post.embeds[0]["title"] == "Question of the day #1 · answer"


async def test_a_crash_between_recording_a_post_and_closing_the_previous_one(recall, emulator):
    """answer_after=next: #1 goes public when #2 is posted. The bot dies right after #2 is
    recorded (slot_posted committed) and before #1's close is written."""
    chan = await daily(recall, emulator)
    async with recall.running(sync=False) as bot:
        eng = bot.get_cog("Qotd").engine
        recall.clock.set(at("2026-01-05T09:00"))
        await eng.tick()  # #1
        recall.clock.set(at("2026-01-06T09:00"))
        schedule = (await bot.store.active_schedules())[0]
        slot = await eng.next_post(schedule)
        claim = await bot.store.claim_slot(schedule, slot, late=False, rng=eng.rng)
        sent = await eng.publisher.send(claim)
        previous = await bot.store.slot_posted(claim, sent)
        assert previous is not None  # #1 is to close now... and the process dies here
    first = posts(emulator, chan)[0]
    for day in ("2026-01-06T09:05", "2026-01-07T09:00", "2026-01-08T09:00"):
        recall.clock.set(at(day))
        async with recall.running(sync=False) as bot:
            await bot.get_cog("Qotd").engine.tick()
    assert len(posts(emulator, chan)) == 4  # #2, #3 and #4 closed their predecessors...
    assert [p.embeds[0]["title"] for p in posts(emulator, chan)][1:3] == [
        "Question of the day #2 · answer", "Question of the day #3 · answer"]
    assert first.embeds[0]["title"] == "Question of the day #1 · answer"


class StartUpRetryOnly(RecallUnderTest):
    """The scheduler's close job, which runs a whole pass too, waits an hour after a failed
    pass (5 s in production): within a test, only the start-up pass tried again closes a
    question. That one is tried again after 0.1 s (1 s in production)."""

    async def setup_hook(self) -> None:
        await super().setup_hook()
        qotd = self.get_cog("Qotd")
        qotd.engine.run_retry = timedelta(hours=1)
        # the module this bot loaded the cog from (each bot loads its own)
        sys.modules[type(qotd).__module__].CATCH_UP_RETRY = 0.1


@pytest.mark.allow_error_logs
async def test_busy_database_at_start_up_does_not_leave_the_scheduler_off(
    recall, emulator, monkeypatch
):
    chan = await daily(recall, emulator, answer_after="30m")
    async with recall.running(sync=False) as bot:
        recall.clock.set(at("2026-01-05T09:00"))
        await bot.get_cog("Qotd").engine.tick()  # #1 posted, closes at 09:30

    # The bot restarts at 09:45 (scheduler on, as in production) while a backup holds the
    # write lock for a moment: the start-up pass's close of #1 meets "database is busy".
    recall.clock.set(at("2026-01-05T09:45"))
    # The lock is held until the start-up pass has failed: the store need not wait its 2 s
    # for it at each write of the pass.
    monkeypatch.setattr(store_base, "BUSY_TIMEOUT_MS", 300)
    store = await Store.open(recall.db, clock=recall.clock)
    await store.sync_builtin_decks(load_builtin_decks())
    locker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LOCK, str(recall.db),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert await asyncio.wait_for(locker.stdout.readline(), 30) == b"locked\n"
    bot = StartUpRetryOnly(recall.settings(), store, clock=recall.clock,
                           guild_ready_timeout=0.1, run_scheduler=True)
    try:
        async with emulator.run_client(bot):
            qotd = bot.get_cog("Qotd")
            await asyncio.wait_for(qotd.caught_up.wait(), 10)
            # The first pass has failed; the bot keeps running: its scheduler must be
            # running too, or no question of the day is ever posted (or closed) again until
            # a restart.
            assert qotd.engine.scheduler is not None, "QOTD scheduler never started"
            locker.stdin.write(b"\n")
            await locker.stdin.drain()
            assert await asyncio.wait_for(locker.stdout.readline(), 30) == b"released\n"
            # ...and the start-up pass is tried again: #1 closes once the lock is gone.
            [first] = posts(emulator, chan)
            await emulator.wait_until(
                lambda: first.embeds[0]["title"] == "Question of the day #1 · answer", within=10
            )
    finally:
        if locker.returncode is None:
            locker.kill()
        await locker.wait()
        await store.close()


async def test_an_answer_refused_for_a_lost_permission_goes_up_after_the_next_post(
    recall, emulator
):
    """The bot loses View Channel as #1 closes: Discord refuses the closing edit (403), and
    trying again at every pass would only be refused again. /qotd status says the answer is
    still hidden and why; once the channel is fixed, the next question that posts there
    makes #1's answer public as well."""
    chan = await daily(recall, emulator, answer_after="12h")
    guild = chan.guild
    mod = next(m for m in guild.members.values() if m.name == "mod")
    async with recall.running(sync=False) as bot:
        engine = bot.get_cog("Qotd").engine
        recall.clock.set(at("2026-01-05T09:00"))
        await engine.tick()
        [first] = posts(emulator, chan)

        chan.revoke_bot_permission(discord.Permissions(view_channel=True).value)
        await emulator.settle()
        recall.clock.set(at("2026-01-05T21:00"))
        await engine.tick()  # #1 closes; its edit is refused
        edits = f"/channels/{chan.id}/messages/{first.id}"
        refused = [r for r in emulator.requests if r.method == "PATCH" and r.path == edits]
        assert [r.status for r in refused] == [403]
        assert first.embeds[0]["title"] == "Question of the day #1"

        # Passes before the channel is fixed do not ask Discord again.
        recall.clock.set(at("2026-01-05T23:00"))
        await engine.tick()
        assert len([r for r in emulator.requests if r.path == edits]) == 1

        other = guild.add_channel("general")
        status = await mod.run("/qotd status", channel=other)
        [field] = status.embed["fields"]
        assert "🙈 **Answer hidden:** #1" in field["value"], field["value"]
        # A schedule in UTC gives its times once, not "09:00 UTC (09:00 UTC)".
        assert "**Next:** Tue 06 Jan 2026 09:00 UTC\n" in field["value"]
        assert f"Discord refused the edit in <#{chan.id}>: Missing Access." in field["value"]
        assert f"It goes up once the next question posts in <#{chan.id}>." in field["value"]

        chan.set_permissions(guild.me, allow=0, deny=0)  # the moderator fixes the channel
        await emulator.settle()
        recall.clock.set(at("2026-01-06T09:00"))
        await engine.tick()
        assert len(posts(emulator, chan)) == 2
        assert first.embeds[0]["title"] == "Question of the day #1 · answer"
        status = await mod.run("/qotd status", channel=other)
        assert "Answer hidden" not in status.embed["fields"][0]["value"]
