"""The bot is down across a question-of-the-day slot and a leaderboard page click.

tests/test_e2e_qotd.py already covers a late post well inside the grace period and slots days
old being recorded as missed; tests/test_e2e_leaderboard.py a page button clicked after a
restart. What this adds: both at once, with the return exactly on either side of the grace
period's end, the member's click made while the bot is away, and a second restart.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import FixedClock
from bot.questions import Question
from bot.store import AttemptRequest

pytestmark = pytest.mark.e2e

MANAGE = 1 << 5
QUESTIONS = [
    Question(id=f"d{i}", prompt=f"Downtime question {i}?", key_points=[f"point {i}"],
             answer=f"Answer {i}.", tags=["daily"])
    for i in range(1, 4)
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def posts(emulator, chan):
    return [m for m in emulator.channel_messages(chan)
            if m.embeds and m.embeds[0]["title"].startswith("Question of the day")]


def footer(message) -> str:
    return (message.embeds[0].get("footer") or {}).get("text", "")


@pytest.mark.parametrize(
    ("back_at", "posted_late"),
    [("2026-01-05T15:00:00", True),  # six hours after the slot: the last moment of grace
     ("2026-01-05T15:00:01", False)],  # one second past it: the slot is missed
)
async def test_down_across_a_slot_and_a_page_click(recall, emulator, back_at, posted_late):
    recall.clock = FixedClock(at("2026-01-05T08:00"))
    guild = emulator.add_guild("Study group")
    chan = guild.add_channel("qotd")
    mod = guild.add_member("mod", permissions=MANAGE)
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "daily", "Daily deck")
        await bot.store.add_questions(deck_id, QUESTIONS)
        qids = [r[0] for r in await bot.store._fetchall(
            "SELECT id FROM questions WHERE deck_id = ? ORDER BY id", (deck_id,))]
        for i in range(15):  # fifteen members on the board: two pages
            for qid in qids[: 1 + i % 3]:
                await bot.store.record_attempt(AttemptRequest(
                    guild.id, 5000 + i, f"member{i:02d}", None, qid, "quiz", 3, False, True))
        done = await mod.run("/qotd setup", channel=chan, options={
            "channel": chan, "time": "09:00", "timezone": "Europe/London", "deck": "daily"})
        assert "Mon 05 Jan 2026 09:00" in done.embed["description"]
        board = await alice.run("/leaderboard show", period="all time")
        assert "Page 1 of 2 · 15 members" in footer(board.message)
    assert posts(emulator, chan) == []

    # Down: alice's click reaches no bot (Discord tells her the interaction failed).
    with pytest.raises(AssertionError, match="did not acknowledge"):
        await alice.click(board.message, "Next", within=0.5)
    [lost] = [r for r in emulator.interactions.records if r.data.get("custom_id", "")
              .startswith("lb:n:")]

    recall.clock.set(at(back_at))
    async with recall.running(sync=False) as bot:  # the start-up catch-up runs here
        again = await alice.click(board.message, "Next")  # the same old button
        assert again.response_type == 7
        assert "Page 2 of 2 · 15 members" in footer(board.message)
        assert len(board.message.embeds[0]["description"].splitlines()) == 5
        slots = [tuple(r) for r in await bot.store._fetchall(
            "SELECT local_date, local_time, state, late FROM qotd_slots")]
    assert lost.response_type is None and lost.errors == []  # never answered late

    if posted_late:
        [late] = posts(emulator, chan)
        assert late.embeds[0]["title"] == "Question of the day #1 (posted late)"
        assert slots == [("2026-01-05", "09:00", "posted", 1)]
    else:
        assert posts(emulator, chan) == []
        assert slots == [("2026-01-05", "09:00", "missed", 0)]

    # Another restart posts nothing more; the next day's slot is on time.
    recall.clock.set(at("2026-01-05T15:30"))
    async with recall.running(sync=False):
        assert len(posts(emulator, chan)) == (1 if posted_late else 0)
        status = await mod.run("/qotd status", channel=chan)
        value = status.embed["fields"][0]["value"]
        if posted_late:
            assert "**Last post:** [#1]" in value and "(late)" in value
        else:
            assert "• missed 2026-01-05 09:00 (the bot was offline)" in value
    recall.clock.set(at("2026-01-06T09:00"))
    async with recall.running(sync=False):
        newest = posts(emulator, chan)[-1]
        assert newest.embeds[0]["title"] == f"Question of the day #{2 if posted_late else 1}"
        assert len(posts(emulator, chan)) == (2 if posted_late else 1)
