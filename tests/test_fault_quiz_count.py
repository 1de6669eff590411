"""/quiz: the live count is edited again when Discord fails the edit for a while."""

from __future__ import annotations

import asyncio

import pytest

from bot.questions import Question

pytestmark = pytest.mark.e2e

QUESTION = Question(id="c1", prompt="Count question?", why="Hint",
                    key_points=["point"], answer="Answer.", tags=["daily"])


def footer(message) -> str:
    return (message.embeds[0].get("footer") or {}).get("text", "")


async def test_a_503_on_the_count_edit_does_not_leave_the_count_wrong(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "daily", "Daily deck")
        await bot.store.add_questions(deck_id, [QUESTION])
        asked = await alice.run("/quiz", deck="daily")
        question = asked.message
        revealed = await bob.click(question, "Reveal answer")
        emulator.faults.add("PATCH", rf"^/channels/{guild.general.id}/messages/{question.id}$",
                            status=503)
        graded = await bob.click(revealed.message, "Good")
        assert "You graded yourself **Good**" in graded.embed["description"]
        await emulator.wait_until(lambda: emulator.faults.active == [])  # the 503 fired
        await asyncio.sleep(2)  # Discord is fine again; no one else answers
        assert "1 member answered" in footer(question), footer(question)


async def test_a_count_waiting_for_its_edit_is_written_when_the_bot_stops(recall, emulator):
    """A grade just before a restart: its count edit, gathered for ``count_delay``, is made
    as the bot stops, not lost until someone else answers."""
    guild = emulator.add_guild("Study group")
    alice, bob, carol = (guild.add_member(n) for n in ("alice", "bob", "carol"))
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "daily", "Daily deck")
        await bot.store.add_questions(deck_id, [QUESTION])
        question = (await alice.run("/quiz", deck="daily")).message
        revealed = await bob.click(question, "Reveal answer")
        await bob.click(revealed.message, "Good")
        await emulator.wait_until(lambda: "1 member answered" in footer(question))
        bot.get_cog("Quiz").count_delay = 30.0
        revealed = await carol.click(question, "Reveal answer")
        await carol.click(revealed.message, "Good")
        assert "1 member answered" in footer(question)  # still gathering
    assert "2 members answered" in footer(question), footer(question)
    async with recall.running(sync=False):
        revealed = await alice.click(question, "Reveal answer")
        await alice.click(revealed.message, "Easy")
        await emulator.wait_until(lambda: "3 members answered" in footer(question))
