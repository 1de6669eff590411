"""Question of the day: a closing edit Discord fails for a while is made again, and a crash between posting one question and closing the one before loses no answer."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
import pytest

from bot.clock import FixedClock
from bot.questions import Question

pytestmark = pytest.mark.e2e

MOD = discord.Permissions(manage_guild=True).value
QUESTIONS = [
    Question(id=f"q{i}", prompt=f"Question number {i}?", why=f"Why {i}",
             key_points=[f"point {i}"], answer=f"Model answer {i}.", tags=["daily"])
    for i in range(1, 4)
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def posts(emulator, chan):
    return [m for m in emulator.channel_messages(chan)
            if m.embeds and "Question of the day" in m.embeds[0]["title"]]


async def test_a_503_on_the_closing_edit_is_retried(recall, emulator):
    recall.clock = FixedClock(at("2026-01-05T08:00"))
    guild = emulator.add_guild("Study group")
    chan = guild.add_channel("qotd")
    mod = guild.add_member("mod", permissions=MOD)
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "daily", "Daily deck")
        await bot.store.add_questions(deck_id, QUESTIONS)
        await mod.run("/qotd setup", channel=chan, options={
            "channel": chan, "time": "09:00", "timezone": "UTC", "deck": "daily",
            "thread": False, "answer_after": "12h"})
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
    recall.clock = FixedClock(at("2026-01-05T08:00"))
    guild = emulator.add_guild("Study group")
    chan = guild.add_channel("qotd")
    mod = guild.add_member("mod", permissions=MOD)
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "daily", "Daily deck")
        await bot.store.add_questions(deck_id, QUESTIONS)
        await mod.run("/qotd setup", channel=chan, options={
            "channel": chan, "time": "09:00", "timezone": "UTC", "deck": "daily",
            "thread": False})
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
