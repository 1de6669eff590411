"""Discord misbehaving during real bot flows: rate limits, server errors, gateway trouble.

Already covered elsewhere and not repeated here: a 429 then a 500 on the question-of-the-day
post itself (tests/test_e2e_qotd.py), and the emulator's own drop/resume and invalid-session
mechanics with a toy bot (tests/test_emulator.py). Here the real Recall meets them in a
/quiz round, a grade, a question-of-the-day post with its thread, its command's followup,
and its closing edit racing a delayed count edit. Each test checks that every injected fault
fired, that nothing was lost or sent twice, and (through the error-log guard) that nothing
was logged as an error.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest

from bot.clock import FixedClock
from bot.questions import Question

pytestmark = pytest.mark.e2e

MANAGE = 1 << 5
CALLBACK = r"^/interactions/\d+/[^/]+/callback$"
QUESTIONS = [
    Question(id=f"f{i}", prompt=f"Fault question {i}?", why=f"Hint {i}",
             key_points=[f"point {i}"], answer=f"Answer {i}.", tags=["daily"])
    for i in range(1, 3)
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def footer(message) -> str:
    return (message.embeds[0].get("footer") or {}).get("text", "")


def posts(emulator, chan):
    return [m for m in emulator.channel_messages(chan)
            if m.embeds and m.embeds[0]["title"].startswith("Question of the day")]


async def world(recall, emulator):
    recall.clock = FixedClock(at("2026-01-05T08:00"))
    guild = emulator.add_guild("Study group")
    chan = guild.add_channel("qotd")
    mod = guild.add_member("mod", permissions=MANAGE)
    return guild, chan, mod, guild.add_member("alice"), guild.add_member("bob")


async def with_deck(bot, guild) -> None:
    deck_id = await bot.store.create_deck(guild.id, "daily", "Daily deck")
    await bot.store.add_questions(deck_id, QUESTIONS)


async def attempts(bot) -> list[tuple[int, int, int]]:
    rows = await bot.store._fetchall("SELECT post_id, user_id, rating FROM attempts ORDER BY id")
    return [tuple(r) for r in rows]


def fired(emulator, status: int, pattern: str) -> int:
    return sum(1 for _, path, code in emulator.faults.fired
               if code == status and re.search(pattern, path))


async def test_quiz_round_through_rate_limits_and_server_errors(recall, emulator):
    guild, _, _, alice, bob = await world(recall, emulator)
    general = guild.general
    async with recall.running() as bot:
        await with_deck(bot, guild)
        emulator.faults.add("POST", CALLBACK, status=429, retry_after=0.2)  # /quiz's answer
        asked = await alice.run("/quiz", deck="daily")
        [question] = emulator.channel_messages(general)
        assert asked.message is question and not question.ephemeral

        emulator.faults.add("POST", CALLBACK, status=500)  # bob's Reveal
        revealed = await bob.click(question, "Reveal answer")
        assert revealed.ephemeral and revealed.interaction.errors == []

        emulator.faults.add("POST", CALLBACK, status=429, retry_after=0.2)  # bob's grade
        emulator.faults.add("PATCH", rf"^/channels/{general.id}/messages/{question.id}$",
                            status=429, retry_after=0.2)  # the live count's edit
        graded = await bob.click(revealed.message, "Good")
        assert graded.response_type == 7
        assert "You graded yourself **Good**" in graded.embed["description"]
        await emulator.wait_until(lambda: "1 member answered" in footer(question))

        assert fired(emulator, 429, CALLBACK) == 2 and fired(emulator, 500, CALLBACK) == 1
        assert fired(emulator, 429, rf"/messages/{question.id}$") == 1
        assert emulator.channel_messages(general) == [question]  # one question, posted once
        assert emulator.ephemeral_messages(bob) == [revealed.message]  # one answer, no copy
        for result in (asked, revealed, graded):
            assert len(result.interaction.callbacks) == 1  # each answered once
        post_id = int(question.button("Reveal answer").custom_id.split(":")[2])
        assert await attempts(bot) == [(post_id, bob.id, 3)]


async def test_question_of_the_day_through_rate_limits_and_server_errors(recall, emulator):
    guild, chan, mod, alice, bob = await world(recall, emulator)
    app = emulator.application_id
    async with recall.running() as bot:
        await with_deck(bot, guild)
        await mod.run("/qotd setup", channel=chan, options={
            "channel": chan, "time": "09:00", "timezone": "UTC", "deck": "daily"})
        # The post is held up by a global rate limit, its thread by a route's, and the
        # command's followup by a rate limit and then a server error.
        emulator.faults.add("POST", rf"^/channels/{chan.id}/messages$", status=429,
                            retry_after=0.3, global_=True)
        emulator.faults.add("POST", rf"^/channels/{chan.id}/messages/\d+/threads$",
                            status=429, retry_after=0.2)
        emulator.faults.add("POST", rf"^/webhooks/{app}/[^/]+$", status=429, retry_after=0.2)
        emulator.faults.add("POST", rf"^/webhooks/{app}/[^/]+$", status=500)
        now = await mod.run("/qotd post-now", channel=chan)
        reply = await now.wait_for_followup(within=10)
        assert reply.content.startswith("Posted [question of the day #1]")
        assert len(now.followups) == 1 and now.message is reply
        [post] = posts(emulator, chan)
        assert post.thread is not None and post.thread.name.startswith("QOTD #1: ")
        assert len([t for t in emulator.threads if t.parent_id == chan.id]) == 1

        edit = rf"^/channels/{chan.id}/messages/{post.id}$"
        emulator.faults.add("POST", CALLBACK, status=429, retry_after=0.2)  # alice's grade
        emulator.faults.add("PATCH", edit, status=500)  # the live count's edit
        revealed = await alice.click(post, "Reveal answer")
        graded = await alice.click(revealed.message, "Easy")
        assert "You graded yourself **Easy**" in graded.embed["description"]
        await emulator.wait_until(lambda: fired(emulator, 500, edit) == 1)

        # At 09:00, while that edit waits to be retried, the scheduled question goes out once
        # and #1 is closed after the count: the count's retry does not reopen it.
        recall.clock.set(at("2026-01-05T09:00"))
        await bot.get_cog("Qotd").engine.tick()
        first, second = posts(emulator, chan)
        assert first is post and [e["embeds"][0]["title"] for e in states(post)] == [
            "Question of the day #1",  # as posted
            "Question of the day #1",  # the count, once its retry went through
            "Question of the day #1 · answer",  # closed last
        ]
        assert "Closed · 1 answered · 100% got it" in [b.label for b in first.buttons]
        assert second.embeds[0]["title"] == "Question of the day #2"

        # bob answers #2 just before it closes: his count edit is still waiting to be sent
        # (edits are batched) when the next day's post closes #2; it must not reopen it.
        bot.get_cog("Quiz").count_delay = 1.5
        revealed = await bob.click(second, "Reveal answer")
        await bob.click(revealed.message, "Hard")
        recall.clock.set(at("2026-01-06T09:00"))
        await bot.get_cog("Qotd").engine.tick()
        await emulator.wait_until(lambda: not counting(bot), within=10)
        assert [e["embeds"][0]["title"] for e in states(second)] == [
            "Question of the day #2",
            "Question of the day #2 · answer",
        ]
        assert len(posts(emulator, chan)) == 3

        assert emulator.faults.active == []  # every fault fired
        assert fired(emulator, 429, rf"/channels/{chan.id}/messages$") == 1
        slots = await bot.store._fetchall("SELECT state FROM qotd_slots ORDER BY id")
        assert [r[0] for r in slots] == ["posted", "posted", "posted"]
        assert [r[1:] for r in await attempts(bot)] == [(alice.id, 4), (bob.id, 2)]


def states(message) -> list[dict]:
    """A message's states, as first sent to as it is now."""
    return [*message.edits, message.snapshot()]


def counting(bot) -> bool:
    """Whether a live-count edit is waiting or being sent."""
    return any(t.get_name().startswith("quiz-count") for t in bot._tasks)


async def test_gateway_dropped_mid_round_resumes_and_replays_the_grade(recall, emulator):
    guild, chan, mod, alice, bob = await world(recall, emulator)
    async with recall.running() as bot:
        await with_deck(bot, guild)
        await mod.run("/qotd setup", channel=chan, options={
            "channel": chan, "time": "09:00", "timezone": "UTC", "deck": "daily",
            "thread": False})
        asked = await alice.run("/quiz", deck="daily")
        revealed = await bob.click(asked.message, "Reveal answer")

        recall.clock.set(at("2026-01-05T09:00"))
        await emulator.drop_gateway(wait=False)
        # While the bot is away: bob grades (Discord holds the event for the session) and
        # the 09:00 question is due (posting needs REST only).
        graded, _ = await asyncio.gather(
            bob.click(revealed.message, "Hard", within=10),
            bot.get_cog("Qotd").engine.tick(),
        )
        assert graded.response_type == 7
        assert "You graded yourself **Hard**" in graded.embed["description"]
        assert emulator.resumes == 1 and emulator.identifies == 1

        [post] = posts(emulator, chan)
        after = await alice.click(post, "Reveal answer")  # a click after the resume
        assert after.ephemeral
        await bot.get_cog("Qotd").engine.tick()
        assert posts(emulator, chan) == [post]
        post_id = int(asked.message.button("Reveal answer").custom_id.split(":")[2])
        assert await attempts(bot) == [(post_id, bob.id, 2)]


async def test_invalid_session_forces_a_fresh_identify_mid_round(recall, emulator):
    guild, chan, mod, alice, bob = await world(recall, emulator)
    async with recall.running() as bot:
        readies: list[int] = []

        async def counted() -> None:
            readies.append(1)

        bot.add_listener(counted, "on_ready")
        await with_deck(bot, guild)
        await mod.run("/qotd setup", channel=chan, options={
            "channel": chan, "time": "09:00", "timezone": "UTC", "deck": "daily",
            "thread": False})
        recall.clock.set(at("2026-01-05T09:00"))
        await bot.get_cog("Qotd").engine.tick()
        [post] = posts(emulator, chan)
        revealed = await bob.click(post, "Reveal answer")

        emulator.invalid_session_next = True
        await emulator.drop_gateway()
        await emulator.wait_until(lambda: readies == [1])  # READY again after IDENTIFY
        assert emulator.identifies == 2 and emulator.resumes == 0

        graded = await bob.click(revealed.message, "Good")  # a button from the old session
        assert "You graded yourself **Good**" in graded.embed["description"]
        mine = await alice.click(post, "Reveal answer")
        await alice.click(mine.message, "Again")
        await bot.get_cog("Qotd").engine.tick()
        assert posts(emulator, chan) == [post]  # the fresh session posted nothing again
        post_id = int(post.button("Reveal answer").custom_id.split(":")[2])
        assert await attempts(bot) == [(post_id, bob.id, 3), (post_id, alice.id, 1)]
