"""A crash in the middle of a busy question of the day: SIGKILL, restart, nothing lost or doubled.

Recall runs in a child process (tests/faultkit.py) against the emulator. A thousand members
click **Reveal answer** on the question of the day and grade themselves; once a few hundred
grades are in, the process is killed with SIGKILL while the rest are still clicking. The
emulator records which interactions the bot acknowledged before it died: each of those grades
must be in the database exactly once after the restart, and every button on the messages
from before the crash must still answer.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest
from faultkit import RecallProcess, integrity, query, recomputed_totals, stored_totals

from bot.clock import FixedClock
from bot.questions import Question

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MEMBERS = 1000
KILL_AFTER = 350  # acknowledged grades before the SIGKILL
IN_FLIGHT = 32  # members clicking at the same moment
GRADES = ("Again", "Hard", "Good", "Easy")
MANAGE = 1 << 5

QUESTION = Question(
    id="crash-1",
    prompt="What does the application context hold?",
    why="It shows whether you know where `current_app` and `g` live.",
    key_points=["current_app", "g"],
    answer="`current_app` and `g`, for the length of a request or command.",
    tags=["daily"],
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def grade_of(i: int) -> str:
    return GRADES[i % 4]


def reveal_only(i: int) -> bool:
    """Every tenth member reveals before the crash and grades only after it."""
    return i % 10 == 0


async def test_sigkill_during_a_thousand_grades_loses_and_doubles_nothing(
    recall, emulator, tmp_path
):
    guild = emulator.add_guild("Study group")
    chan = guild.add_channel("qotd")
    mod = guild.add_member("mod", permissions=MANAGE)
    recall.clock = FixedClock(at("2026-01-05T08:00"))
    async with recall.running() as bot:  # the schedule is set up as a moderator would
        deck_id = await bot.store.create_deck(guild.id, "daily", "Daily deck")
        await bot.store.add_questions(deck_id, [QUESTION])
        done = await mod.run("/qotd setup", channel=chan, options={
            "channel": chan, "time": "09:00", "timezone": "UTC", "deck": "daily",
            "thread": False})
        assert done.ephemeral and "set up" in done.embed["title"]
    members = [guild.add_member(f"m{i:04d}") for i in range(MEMBERS)]
    by_id = {m.id: i for i, m in enumerate(members)}
    log = tmp_path / "bot.log"

    # -- first run: the 09:00 question is posted at start-up, then the burst ----------------
    first = RecallProcess(emulator, recall.db, log, clock=at("2026-01-05T09:00"))
    await first.start()
    try:
        [post] = emulator.channel_messages(chan)
        post_id = int(post.button("Reveal answer").custom_id.split(":")[2])
        answers: dict[int, object] = {}  # member index -> their private answer message
        graded = 0
        enough = asyncio.Event()
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def plays(i: int) -> None:
            nonlocal graded
            member = members[i]
            async with gate:
                revealed = await member.click(post, "Reveal answer", within=30)
                assert revealed.ephemeral, revealed
                answers[i] = revealed.message
                if reveal_only(i):
                    return
                result = await member.click(revealed.message, grade_of(i), within=30)
                assert result.response_type == 7, result
                graded += 1
                if graded >= KILL_AFTER:
                    enough.set()

        tasks = [asyncio.create_task(plays(i)) for i in range(MEMBERS)]
        try:
            await asyncio.wait_for(enough.wait(), 120)
            assert await first.kill() == -9
        finally:
            for task in tasks:
                task.cancel()
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        failures = [o for o in outcomes
                    if isinstance(o, BaseException) and not isinstance(o, asyncio.CancelledError)]
        assert failures == []
    finally:
        await first.stop()

    # What the emulator saw acknowledged before the crash.
    grade_id = re.compile(rf"^rq:g:{post_id}:(\d+):([1-4])(?::\d+)?$")
    sent: dict[int, list[int]] = {}
    acked: dict[int, int] = {}
    for record in emulator.interactions.records:
        m = grade_id.match(str(record.data.get("custom_id", "")))
        if m is None:
            continue
        user, rating = int(m[1]), int(m[2])
        sent.setdefault(user, []).append(rating)
        if record.response_type is not None:
            acked[user] = rating
    unanswered = {u for u in sent if u not in acked}
    assert len(acked) >= KILL_AFTER
    assert len(acked) + len(unanswered) < MEMBERS - MEMBERS // 10  # killed mid-burst

    def attempts() -> dict[int, list[int]]:
        rows = query(recall.db, "SELECT user_id, rating FROM attempts WHERE post_id = ?",
                     (post_id,))
        out: dict[int, list[int]] = {}
        for user, rating in rows:
            out.setdefault(user, []).append(rating)
        return out

    # -- restart on the same file -----------------------------------------------------------
    second = RecallProcess(emulator, recall.db, log, clock=at("2026-01-05T09:30"))
    await second.start()
    try:
        assert integrity(recall.db) == ["ok"]
        stored = attempts()
        assert {u: r for u, r in stored.items() if u in acked} == {
            u: [rating] for u, rating in acked.items()
        }  # every acknowledged grade, once, as given
        assert set(stored) <= set(sent)  # nothing nobody sent
        assert all(len(r) == 1 for r in stored.values())
        assert stored_totals(recall.db) == recomputed_totals(recall.db)
        assert len(emulator.channel_messages(chan)) == 1  # the question is not posted again

        # Every button on the messages from before the crash answers.
        hint = await members[1].click(post, "Hint")
        assert hint.ephemeral and "current_app" in hint.embed["description"]

        # Everyone holding an unanswered grade button clicks it; of the others, one in four
        # clicks the old question again (already graded, or not even revealed yet).
        finishing = [i for i, m in enumerate(members)
                     if (i in answers and m.id not in acked) or i % 4 == 1]

        async def finishes(i: int) -> None:
            member = members[i]
            async with gate:
                if member.id in acked:
                    again = await member.click(post, "Reveal answer")
                    assert again.ephemeral
                    text = again.embed["description"]
                    assert "You already answered" in text, text
                    assert f"**{grade_of(i)}**" in text, text
                    return
                answer = answers.get(i)
                if answer is None:  # their Reveal never got an answer before the crash
                    revealed = await member.click(post, "Reveal answer")
                    assert revealed.ephemeral
                    answer = revealed.message
                result = await member.click(answer, grade_of(i))
                assert result.response_type == 7, result
                text = result.embed["description"]
                assert f"You graded yourself **{grade_of(i)}**" in text, text
                if member.id in stored:  # graded before the crash, unacknowledged
                    assert "You already answered" in text, text

        await asyncio.gather(*(finishes(i) for i in finishing))
        final = attempts()
        assert all(len(r) == 1 for r in final.values())
        assert {by_id[u] for u in final} == {by_id[u] for u in acked} | set(finishing)
        assert all(final[u] == [r] for u, r in acked.items())
        assert stored_totals(recall.db) == recomputed_totals(recall.db)

        board = await members[0].run("/leaderboard show", board="qotd", period="all time")
        expected = sorted(
            ((pts, reached, user) for (_, b, p, user), (pts, _, reached)
             in recomputed_totals(recall.db).items() if b == "qotd" and p == "season:1"),
            key=lambda t: (-t[0], t[1], t[2]),
        )[:10]
        lines = board.message.embeds[0]["description"].splitlines()
        assert [ln.split("**")[1] for ln in lines] == [members[by_id[u]].name
                                                     for _, _, u in expected]
    finally:
        await second.stop()
    assert integrity(recall.db) == ["ok"]
    assert second.logged("ERROR") == []
