"""/review end to end: sessions over simulated days, reminders, closed DMs, the Anki export."""

from __future__ import annotations

import asyncio
import io
import json
import re
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta

import discord
import pytest
from emulator.faults import DROP

from bot.clock import FixedClock
from bot.questions import Question
from bot.store import AttemptRequest

pytestmark = pytest.mark.e2e

MANAGE_GUILD = discord.Permissions(manage_guild=True).value

QUESTIONS = [
    Question(
        id=f"r{i}",
        prompt=f"Review question {i}?",
        key_points=[f"k{i}"],
        answer=f"Answer {i}.",
        tags=["srs", f"t{i}"],
    )
    for i in range(1, 5)
] + [
    Question(
        id="r-mc",
        prompt="Pick the right one",
        answer="It is B.",
        options=[{"text": "A"}, {"text": "B", "correct": True}],
        tags=["srs"],
    )
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def setup(recall, emulator, start="2026-02-02T08:00"):
    recall.clock = FixedClock(at(start))
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    return guild, alice


async def only_test_deck(
    bot, guild_id: int, questions=QUESTIONS, slug: str = "srs", name: str = "SRS deck"
) -> int:
    """A deck of ``questions``, the only one switched on in the server."""
    deck_id = await bot.store.create_deck(guild_id, slug, name)
    await bot.store.add_questions(deck_id, questions)
    for deck in await bot.store.decks_for_guild(guild_id):
        if deck.id != deck_id:
            await bot.store.set_deck_enabled(guild_id, deck.id, False)
    return deck_id


async def grade_good(bot, guild_id: int, user_id: int, question_id: int) -> None:
    """A review grade of Good, stored as a click would store it."""
    await bot.store.record_attempt(
        AttemptRequest(guild_id, user_id, "alice", None, question_id, "review", 3, False, False)
    )


async def deck_with_a_graded_card(bot, guild_id: int, user_id: int, slug: str, name: str) -> None:
    """A deck of one question, which the member has graded."""
    deck_id = await bot.store.create_deck(guild_id, slug, name)
    await bot.store.add_questions(deck_id, QUESTIONS[:1])
    [stored] = await bot.store.questions_in_deck(deck_id)
    await grade_good(bot, guild_id, user_id, stored.id)


async def reminder_dm(recall, emulator, bot, guild, alice):
    """The DM of a reminder set for 18:30 UTC, sent on 2 February at that time."""
    await alice.run("/review remind", channel=guild.general, time="18:30", timezone="UTC")
    recall.clock.set(at("2026-02-02T18:30"))
    assert await bot.get_cog("Review").send_reminders() == 1
    [dm] = emulator.dms(alice.user)
    return dm


def linked(guild) -> str:
    """A server's name as a reminder shows it: linked to the server."""
    return f"[{guild.name}](https://discord.com/channels/{guild.id})"


async def play(alice, result, grade="Good"):
    """Answer whatever the session shows: reveal and grade, or pick the right option."""
    msg = result.message
    labels = [b.label for b in msg.buttons]
    if "Reveal answer" in labels:
        shown = await alice.click(msg, "Reveal answer")
        return await alice.click(shown.message, grade)
    right = await alice.click(msg, "B. B")
    return await alice.click(right.message, "Next")


async def test_a_review_session_over_several_days(recall, emulator):
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await alice.run("/review settings", channel=guild.general, new_per_day=3)

        first = await alice.run("/review start", channel=guild.general)
        assert first.ephemeral and first.embed["title"] == "Review · new card"
        step = first
        for _ in range(3):
            step = await play(alice, step)
        # three new cards a day: the session ends with a summary
        done = step.message.embeds[0]
        assert done["title"] == "Review done"
        assert "Reviewed **3** cards." in done["description"]
        assert "Again rate: **0%**" in done["description"]
        cards = await bot.store.cards(guild.id, alice.id)
        assert len(cards) == 3
        # learning cards come back within minutes, not now
        status = await alice.run("/review status", channel=guild.general)
        assert "**Due now:** 0" in status.embed["description"]
        assert "**new cards left today:** 0" in status.embed["description"]

        # Next day (UTC midnight passed): due cards first, most overdue first, then new ones.
        recall.clock.set(at("2026-02-03T08:00"))
        step = await alice.run("/review start", channel=guild.general)
        # a due card, not a new one, and how many are due in all, to see the end of a backlog
        assert step.embed["title"] == "Review · 3 cards due"
        seen = []
        while step.message.embeds[0]["title"] != "Review done":
            seen.append(step.message.embeds[0]["title"])
            step = await play(alice, step, grade="Again" if len(seen) == 1 else "Good")
        # the card graded Again is due again in a minute, for the next review, not this one
        assert seen[:3] == ["Review · 3 cards due", "Review · 2 cards due", "Review · 1 card due"]
        assert seen[3:] == ["Review · new card", "Review · new card"]
        summary = step.message.embeds[0]["description"]
        assert "Reviewed **5** cards." in summary and "Again rate: **20%**" in summary

        attempts = await bot.store._fetchall("SELECT source, scored, points FROM attempts")
        assert {tuple(r) for r in attempts} == {("review", 0, 0)}  # reviews never score

        # Days later: intervals grew for Good, the Again card is back sooner.
        cards = {c.question_id: c.card for c in await bot.store.cards(guild.id, alice.id)}
        intervals = sorted((c.due - (c.last_review or c.due)) for c in cards.values())
        assert intervals[0] < timedelta(days=1) < intervals[-1]


async def test_cards_come_from_quiz_grades_too(recall, emulator):
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        msg = (await alice.run("/quiz", channel=guild.general, deck="srs", tag="t1")).message
        shown = await alice.click(msg, "Reveal answer")
        await alice.click(shown.message, "Easy")
        [card] = await bot.store.cards(guild.id, alice.id)
        assert card.introduced_by == "quiz" and card.card.reps == 1
        # rebuilt from history, the card is the same
        before = card.card
        assert await bot.store.rebuild_cards(guild.id, alice.id) == 1
        [again] = await bot.store.cards(guild.id, alice.id)
        assert again.card == before


async def test_double_click_on_a_grade_reviews_once_and_others_are_refused(recall, emulator):
    guild, alice = await setup(recall, emulator)
    bob = guild.add_member("bob")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        first = await alice.run("/review start", channel=guild.general)
        shown = await alice.click(first.message, "Reveal answer")
        good = shown.message.button("Good").custom_id
        forged = await bob.forge_click(shown.message, good)
        assert forged.content.startswith("This review belongs to another member.")
        first_click, second_click = await asyncio.gather(  # a double click racing itself
            alice.click(shown.message, "Good"), alice.click(shown.message, "Good")
        )
        assert first_click.acknowledged and second_click.acknowledged
        rows = await bot.store._fetchall("SELECT COUNT(*) FROM attempts")
        assert rows[0][0] == 1
        [card] = await bot.store.cards(guild.id, alice.id)
        assert card.card.reps == 1


async def test_reminder_fires_and_a_closed_dm_turns_it_off(recall, emulator):
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        first = await alice.run("/review start", channel=guild.general)
        await play(alice, first)
        set_up = await alice.run(
            "/review remind", channel=guild.general, time="18:30", timezone="Europe/Paris"
        )
        assert set_up.content.startswith("I'll DM you at **18:30 Europe/Paris**")
        cog = bot.get_cog("Review")

        recall.clock.set(at("2026-02-02T17:29"))  # 18:29 in Paris
        assert await cog.send_reminders() == 0
        recall.clock.set(at("2026-02-02T17:30"))
        assert await cog.send_reminders() == 1
        [dm] = emulator.dms(alice.user)
        assert dm.content.startswith(f"📚 1 card is due on {linked(guild)}: 1 in SRS deck.")
        assert await cog.send_reminders() == 0  # once a day

        emulator.close_dms(alice.user)
        recall.clock.set(at("2026-02-03T17:30"))
        assert await cog.send_reminders() == 0
        settings = await bot.store.review_settings(guild.id, alice.id)
        assert settings.remind_time is None and "DMs are closed" in settings.remind_off_reason
        told = await alice.run("/review start", channel=guild.general)
        assert (
            "Your review reminders were turned off: your DMs are closed"
            in told.embed["footer"]["text"]
        )
        assert (await bot.store.review_settings(guild.id, alice.id)).remind_off_reason is None


async def test_export_is_an_anki_package_with_the_cards(recall, emulator, tmp_path):
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        none = await alice.run("/review export", channel=guild.general)
        msg = await none.wait_for_followup()
        assert msg.content.startswith("You have no cards yet")
        step = await alice.run("/review start", channel=guild.general)
        for _ in range(2):
            step = await play(alice, step)
        result = await alice.run("/review export", channel=guild.general)
        reply = await result.wait_for_followup()
        [file] = reply.attachments
        assert file.filename == "recall-cards.apkg"
        with zipfile.ZipFile(io.BytesIO(file.data)) as apkg:
            (tmp_path / "collection.anki2").write_bytes(apkg.read("collection.anki2"))
        conn = sqlite3.connect(tmp_path / "collection.anki2")
        try:
            notes = conn.execute("SELECT flds, tags FROM notes ORDER BY id").fetchall()
        finally:
            conn.close()
        assert len(notes) == 2
        fields = [n[0].split("\x1f") for n in notes]
        assert {f[0] for f in fields} == {"Review question 1?", "Review question 2?"}
        assert all("recall::srs" in n[1] and "srs" in n[1].split() for n in notes)


async def test_new_card_limit_resets_at_the_members_midnight(recall, emulator):
    guild, alice = await setup(recall, emulator, "2026-02-02T14:00")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await alice.run(
            "/review settings", channel=guild.general, new_per_day=1, timezone="Asia/Tokyo"
        )
        step = await play(alice, await alice.run("/review start", channel=guild.general))
        assert step.message.embeds[0]["title"] == "Review done"
        recall.clock.set(at("2026-02-02T14:59"))  # 23:59 in Tokyo: still the same day
        assert (await bot.get_cog("Review").reviews.status(guild.id, alice.id)).new_left_today == 0
        recall.clock.set(at("2026-02-02T15:00"))  # midnight in Tokyo
        assert (await bot.get_cog("Review").reviews.status(guild.id, alice.id)).new_left_today == 1


async def test_status_counts_no_new_cards_left_when_no_question_is_left_to_start(
    recall, emulator
):
    """Every question started, /review status does not promise new cards that /review start
    then says are not there: the count left today is also capped by the questions left."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        step = await alice.run("/review start", channel=guild.general)
        for _ in range(4):
            step = await play(alice, step)
        status = await alice.run("/review status", channel=guild.general)
        assert "**new cards left today:** 1" in status.embed["description"], status.embed
        step = await play(alice, step)  # the fifth and last question
        assert "no new questions left" in step.message.embeds[0]["description"]
        status = await alice.run("/review status", channel=guild.general)
        assert "**new cards left today:** 0" in status.embed["description"], status.embed


async def test_erasing_a_member_removes_their_cards_sessions_and_reminders(recall, emulator):
    guild, alice = await setup(recall, emulator)
    bob = guild.add_member("bob")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        for member in (alice, bob):
            await play(member, await member.run("/review start", channel=guild.general))
            await member.run("/review remind", channel=guild.general, time="18:00")
        await bot.store.erase_member(guild.id, alice.id)
        for table in ("srs_cards", "srs_members", "review_sessions", "attempts"):
            rows = await bot.store._fetchall(f"SELECT user_id FROM {table}")
            assert {r[0] for r in rows} == {bob.id}, table
        assert await bot.store._fetchall("SELECT * FROM review_answers WHERE session_id = 1") == []


async def test_review_does_not_ask_cards_of_a_removed_deck(recall, emulator):
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await alice.run("/review settings", channel=guild.general, new_per_day=1)
        step = await play(alice, await alice.run("/review start", channel=guild.general))
        assert step.message.embeds[0]["title"] == "Review done"
        [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if d.slug == "srs"]
        assert await bot.store.remove_deck(guild.id, deck.id)  # /deck remove
        await alice.run("/review settings", channel=guild.general, new_per_day=0)
        recall.clock.set(at("2026-03-02T08:00"))  # the card is long due
        again = await alice.run("/review start", channel=guild.general)
        assert again.embed["title"] == "Nothing to review now", again.embed


async def test_review_does_not_ask_cards_of_a_disabled_deck(recall, emulator):
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await alice.run("/review settings", channel=guild.general, new_per_day=1)
        await play(alice, await alice.run("/review start", channel=guild.general))
        [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if d.slug == "srs"]
        await bot.store.set_deck_enabled(guild.id, deck.id, False)  # /deck disable
        await alice.run("/review settings", channel=guild.general, new_per_day=0)
        recall.clock.set(at("2026-03-02T08:00"))
        again = await alice.run("/review start", channel=guild.general)
        assert again.embed["title"] == "Nothing to review now", again.embed


async def test_status_due_now_agrees_with_review_start_after_a_question_is_removed(
    recall, emulator
):
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await alice.run("/review settings", channel=guild.general, new_per_day=1)
        await play(alice, await alice.run("/review start", channel=guild.general))
        [card] = await bot.store.cards(guild.id, alice.id)
        assert await bot.store.remove_question(card.question_id)  # /question remove
        await alice.run("/review settings", channel=guild.general, new_per_day=0)
        recall.clock.set(at("2026-03-02T08:00"))
        start = await alice.run("/review start", channel=guild.general)
        assert start.embed["title"] == "Nothing to review now"  # nothing to review...
        status = await alice.run("/review status", channel=guild.general)
        assert "**Due now:** 0" in status.embed["description"], status.embed["description"]


async def test_no_reminder_for_a_member_who_left_the_server(recall, emulator):
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    guild.name = "My_Cool*Server"
    other = emulator.add_guild("Another server")
    other.add_member(alice.user)  # alice still shares a server with the bot: DMs reach her
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await play(alice, await alice.run("/review start", channel=guild.general))
        await alice.run("/review remind", channel=guild.general, time="18:00")
        del guild.members[alice.id]  # alice leaves the study server
        recall.clock.set(at("2026-02-02T18:00"))
        cog = bot.get_cog("Review")
        assert await cog.send_reminders() == 0
        assert emulator.dms(alice.user) == []
        settings = await bot.store.review_settings(guild.id, alice.id)
        assert settings.remind_time is None and settings.remind_next is None
        # Told later in an embed footer, which shows text as typed: the name is not escaped.
        assert settings.remind_off_reason == "you left My_Cool*Server"


@pytest.mark.parametrize("elsewhere", [True, False], ids=["shares-another-server", "only-server"])
async def test_no_reminder_from_a_server_the_bot_was_removed_from_until_it_is_back(
    recall, emulator, elsewhere
):
    """The bot kicked from the server (or the server deleted): no DM sends the member to a
    server it is not in (nor fails, when it was the only one they shared, and turns their
    reminders off as if their DMs were closed); the reminder stays on, and goes again once
    the bot is added back."""
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    if elsewhere:
        emulator.add_guild("Another server").add_member(alice.user)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await play(alice, await alice.run("/review start", channel=guild.general))
        await alice.run("/review remind", channel=guild.general, time="18:00")
        before = await bot.store.review_settings(guild.id, alice.id)
        await emulator.remove_bot(guild)
        cog = bot.get_cog("Review")
        recall.clock.set(at("2026-02-02T18:00"))
        assert await cog.send_reminders() == 0
        assert emulator.dms(alice.user) == []
        settings = await bot.store.review_settings(guild.id, alice.id)
        assert settings.remind_time == "18:00" and settings.remind_off_reason is None
        assert settings.remind_next == at("2026-02-03T18:00") > before.remind_next
        recall.clock.set(at("2026-02-02T18:10"))
        assert await cog.send_reminders() == 0  # the day's reminder is done, not retried

        await emulator.add_bot(guild)
        recall.clock.set(at("2026-02-03T18:00"))
        assert await cog.send_reminders() == 1
        [dm] = emulator.dms(alice.user)
        assert dm.content.startswith(f"📚 1 card is due on {linked(guild)}: 1 in SRS deck.")


@pytest.mark.parametrize("when", ["at-start", "mid-session"])
async def test_a_reminder_waits_while_the_server_is_in_an_outage(recall, emulator, when):
    """The server unavailable on Discord at the reminder's time (the bot started during the
    outage, knowing not even its name, or not): no DM sends the member to a server nobody
    can use, nor one "due on : ..."; the reminder is tried again five minutes later, and
    goes, naming the server, once it is back."""
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")

    async def prepare(bot):
        await only_test_deck(bot, guild.id)
        await play(alice, await alice.run("/review start", channel=guild.general))
        await alice.run("/review remind", channel=guild.general, time="18:00")

    async def check(bot):
        await remind_through_the_outage(bot, recall, emulator, guild, alice)

    await recall.across_an_outage(
        guild, when, prepare, check, restart_at=at("2026-02-02T17:59")
    )


async def remind_through_the_outage(bot, recall, emulator, guild, alice) -> None:
    cog = bot.get_cog("Review")
    recall.clock.set(at("2026-02-02T18:00"))
    assert await cog.send_reminders() == 0
    assert emulator.dms(alice.user) == []
    settings = await bot.store.review_settings(guild.id, alice.id)
    assert settings.remind_next == at("2026-02-02T18:05")
    assert settings.remind_off_reason is None
    await emulator.end_outage(guild)
    recall.clock.set(at("2026-02-02T18:05"))
    assert await cog.send_reminders() == 1
    [dm] = emulator.dms(alice.user)
    assert dm.content.startswith(f"📚 1 card is due on {linked(guild)}: 1 in SRS deck.")


async def test_an_option_is_graded_by_its_text_after_the_options_were_reordered(recall, emulator):
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        deck_id = await only_test_deck(bot, guild.id, [QUESTIONS[-1]], "mc", "MC deck")
        shown = await alice.run("/review start", channel=guild.general)
        assert [b.label for b in shown.message.buttons] == ["A. A", "B. B"]
        [question_id] = [
            r[0]
            for r in await bot.store._fetchall(
                "SELECT id FROM questions WHERE deck_id = ?", (deck_id,)
            )
        ]
        reordered = QUESTIONS[-1].model_copy(
            update={"options": [QUESTIONS[-1].options[1], QUESTIONS[-1].options[0]]}
        )
        await bot.store.update_question(question_id, reordered)  # /question edit
        result = await alice.click(shown.message, "B. B")  # the right answer, as shown
        assert result.message.embeds[0]["description"].startswith("✅"), result.message.embeds
        [attempt] = await bot.store._fetchall("SELECT correct, option_index FROM attempts")
        assert tuple(attempt) == (1, 0)


async def test_a_deck_session_summary_speaks_of_that_deck_only(recall, emulator):
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        other = await bot.store.create_deck(guild.id, "other", "Other deck")
        await bot.store.add_questions(
            other, [Question(id="o1", prompt="Other question?", key_points=["o"], answer="O.")]
        )
        await alice.run("/review settings", channel=guild.general, new_per_day=1)
        await play(alice, await alice.run("/review start", channel=guild.general, deck="srs"))
        await alice.run("/review settings", channel=guild.general, new_per_day=0)
        recall.clock.set(at("2026-03-02T08:00"))  # the srs card is long due
        done = await alice.run("/review start", channel=guild.general, deck="other")
        text = done.embed["description"]
        assert done.embed["title"] == "Nothing to review now"
        assert "Next card due" not in text, text  # no card in that deck


async def test_the_summary_says_so_when_a_card_answered_in_the_session_is_due_again(
    recall, emulator
):
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await alice.run("/review settings", channel=guild.general, new_per_day=2)
        first = await alice.run("/review start", channel=guild.general)
        second = await play(alice, first, grade="Again")  # back in a minute
        recall.clock.set(at("2026-02-02T08:10"))  # the member took their time
        done = await play(alice, second)
        text = done.message.embeds[0]["description"]
        assert "Reviewed **2** cards." in text
        assert "(in 1 min)" not in text and "Nothing else is due now" not in text, text
        assert "due again now" in text, text


async def test_the_summary_counts_the_cards_answered_in_the_session_that_are_due_again(
    recall, emulator
):
    """Two cards answered Again come back in a minute: a session that ends after that says
    both are due again, not "a card", so the member knows what the next review holds."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await alice.run("/review settings", channel=guild.general, new_per_day=3)
        step = await alice.run("/review start", channel=guild.general)
        step = await play(alice, step, grade="Again")
        step = await play(alice, step, grade="Again")
        recall.clock.set(at("2026-02-02T08:10"))  # both are due again by now
        done = await play(alice, step)
        text = done.message.embeds[0]["description"]
        assert (
            "\n2 cards you answered are due again now: run `/review start` to go over them."
        ) in text, text
        again = await alice.run("/review start", channel=guild.general)
        assert again.embed["title"] == "Review · 2 cards due"


async def test_a_failed_membership_check_still_sends_the_reminder(recall, emulator):
    """Discord failing the check that the member is still in the server (a 503) is not
    taken as their leaving, and does not cost them the day's reminder."""
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await play(alice, await alice.run("/review start", channel=guild.general))
        await alice.run("/review remind", channel=guild.general, time="18:00")
        emulator.faults.add("GET", rf"/guilds/{guild.id}/members/{alice.id}$", status=503)
        recall.clock.set(at("2026-02-02T18:00"))
        assert await bot.get_cog("Review").send_reminders() == 1
        assert len(emulator.dms(alice.user)) == 1
        settings = await bot.store.review_settings(guild.id, alice.id)
        assert settings.remind_time == "18:00" and settings.remind_off_reason is None


async def test_the_summary_does_not_offer_more_new_cards_when_none_are_left(recall, emulator):
    """Once every question of the enabled decks has a card, raising the daily new cards
    brings nothing: the summary says there is nothing new instead of suggesting it."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        step = await alice.run("/review start", channel=guild.general)  # 10 new a day, 5 here
        while step.message.embeds[0]["title"] != "Review done":
            step = await play(alice, step)
        text = step.message.embeds[0]["description"]
        assert "Reviewed **5** cards." in text
        assert "raise your daily new cards" not in text, text
        assert "no new questions" in text, text

        # With the daily allowance used up and questions left, raising it is the way on.
        await bot.store.add_questions(
            (await bot.store.decks_for_guild(guild.id))[0].id,
            [Question(id="r9", prompt="One more?", key_points=["k"], answer="A.")],
        )
        await alice.run("/review settings", channel=guild.general, new_per_day=5)
        done = await alice.run("/review start", channel=guild.general)
        assert "raise your daily new cards" in done.embed["description"], done.embed


async def test_a_reminder_missed_while_the_bot_was_down_is_not_sent_at_night(recall, emulator):
    """Reminders come at the member's chosen time: one missed by hours (the bot was down)
    is skipped rather than sent whenever the bot is back, and the next day's comes as set."""
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await play(alice, await alice.run("/review start", channel=guild.general))
        await alice.run(
            "/review remind", channel=guild.general, time="18:00", timezone="Europe/Paris"
        )
        cog = bot.get_cog("Review")
        recall.clock.set(at("2026-02-03T02:00"))  # back up at 03:00 in Paris
        assert await cog.send_reminders() == 0
        assert emulator.dms(alice.user) == []
        settings = await bot.store.review_settings(guild.id, alice.id)
        assert settings.remind_next == at("2026-02-03T17:00")
        recall.clock.set(at("2026-02-03T17:10"))  # a few minutes late still goes
        assert await cog.send_reminders() == 1


async def test_todays_reminder_goes_when_the_bot_is_back_within_the_hour_after_days_down(
    recall, emulator
):
    """The bot down since before yesterday's reminder and back 20 minutes after today's:
    yesterday's is skipped, but today's, missed by less than the hour, still goes (once)."""
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await play(alice, await alice.run("/review start", channel=guild.general))
        await alice.run(
            "/review remind", channel=guild.general, time="18:00", timezone="Europe/Paris"
        )
        cog = bot.get_cog("Review")
        recall.clock.set(at("2026-02-03T17:20"))  # 18:20 in Paris, the day after
        assert await cog.send_reminders() == 1
        [dm] = emulator.dms(alice.user)
        assert dm.content.startswith(f"📚 1 card is due on {linked(guild)}")
        assert (await bot.store.review_settings(guild.id, alice.id)).remind_next == at(
            "2026-02-04T17:00"
        )
        assert await cog.send_reminders() == 0

        # Down again over a day, back over an hour after the day's time: nothing is sent.
        recall.clock.set(at("2026-02-05T18:30"))  # 19:30 in Paris
        assert await cog.send_reminders() == 0
        assert len(emulator.dms(alice.user)) == 1
        assert (await bot.store.review_settings(guild.id, alice.id)).remind_next == at(
            "2026-02-06T17:00"
        )


async def test_a_member_who_never_set_a_zone_follows_the_servers(recall, emulator):
    """Without a zone of their own a member's days and reminders follow the server's time
    zone (set with /settings timezone), not UTC: 18:00 means 18:00 there."""
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await bot.store.set_guild_settings(guild.id, {"timezone": "Asia/Tokyo"})
        await play(alice, await alice.run("/review start", channel=guild.general))
        set_up = await alice.run("/review remind", channel=guild.general, time="18:00")
        # said as /review settings says it: the zone is the server's, and follows it
        assert set_up.content.startswith(
            "I'll DM you at **18:00 Asia/Tokyo** (the server's zone) on days when cards are due"
        ), set_up.content
        settings = await bot.store.review_settings(guild.id, alice.id)
        assert settings.remind_next == at("2026-02-02T09:00")


async def test_refusals_name_the_review_command_that_runs(recall, emulator):
    """/review alone is a group Discord cannot run: refusals point to /review start."""
    guild, alice = await setup(recall, emulator)
    bob = guild.add_member("bob")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        none = await alice.run("/review export", channel=guild.general)
        assert "`/review start`" in (await none.wait_for_followup()).content
        first = await alice.run("/review start", channel=guild.general)
        reveal = first.message.button("Reveal answer").custom_id
        forged = await bob.forge_click(first.message, reveal)
        assert "Start your own with `/review start`." in forged.content, forged.content
        await bot.store.erase_member(guild.id, alice.id)  # /privacy delete
        gone = await alice.click(first.message, "Reveal answer")
        assert "Start another with `/review start`." in gone.content, gone.content


async def test_a_reminder_that_discord_fails_is_tried_again_within_the_hour(recall, emulator):
    """Discord failing the DM (a 503) does not cost the member the day's reminder: it is
    tried again a few minutes later, until an hour after its time; then it waits for the
    next day."""
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await play(alice, await alice.run("/review start", channel=guild.general))
        await alice.run("/review remind", channel=guild.general, time="18:00")
        cog = bot.get_cog("Review")
        emulator.faults.add("POST", r"/users/@me/channels$", status=503)
        recall.clock.set(at("2026-02-02T18:00"))
        assert await cog.send_reminders() == 0
        assert emulator.dms(alice.user) == []
        settings = await bot.store.review_settings(guild.id, alice.id)
        assert settings.remind_next == at("2026-02-02T18:05")
        assert settings.remind_time == "18:00" and settings.remind_off_reason is None
        recall.clock.set(at("2026-02-02T18:05"))
        assert await cog.send_reminders() == 1
        assert len(emulator.dms(alice.user)) == 1
        assert (await bot.store.review_settings(guild.id, alice.id)).remind_next == at(
            "2026-02-03T18:00"
        )

        # A failure lasting past the hour: tried every five minutes, then left for the day.
        # (The DM channel is known by now, so it is the message that fails.)
        emulator.faults.add("POST", r"/channels/\d+/messages$", status=503, times=None)
        recall.clock.set(at("2026-02-03T18:00"))
        tries = 0
        while (next_at := (await bot.store.review_settings(guild.id, alice.id)).remind_next) < at(
            "2026-02-04T00:00"
        ):
            recall.clock.set(next_at)
            assert await cog.send_reminders() == 0
            tries += 1
            assert tries < 20
        assert next_at == at("2026-02-04T18:00")
        assert tries == 13  # 18:00, 18:05, ... 19:00
        assert len(emulator.dms(alice.user)) == 1

        # The last try, due on the hour, still goes when the loop comes round a little later.
        emulator.faults.clear()
        emulator.faults.add("POST", r"/channels/\d+/messages$", status=503)
        recall.clock.set(at("2026-02-04T18:55"))
        assert await cog.send_reminders() == 0
        assert (await bot.store.review_settings(guild.id, alice.id)).remind_next == at(
            "2026-02-04T19:00"
        )
        recall.clock.set(at("2026-02-04T19:00:30"))
        assert await cog.send_reminders() == 1
        assert len(emulator.dms(alice.user)) == 2


@pytest.mark.parametrize(
    ("command", "options"),
    [("/review settings", {"new_per_day": 5}), ("/review remind", {"time": "18:00"})],
    ids=["new-cards-a-day", "the-same-time"],
)
async def test_a_change_that_does_not_move_reminders_keeps_the_days_retry(
    recall, emulator, command, options
):
    """A reminder waiting to be tried again (Discord failed it) keeps its retry when the
    member changes a setting that does not move reminders, or gives /review remind the time
    they have again: it goes five minutes later."""
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await play(alice, await alice.run("/review start", channel=guild.general))
        await alice.run("/review remind", channel=guild.general, time="18:00")
        cog = bot.get_cog("Review")
        emulator.faults.add("POST", r"/users/@me/channels$", status=503)
        recall.clock.set(at("2026-02-02T18:00"))
        assert await cog.send_reminders() == 0
        recall.clock.set(at("2026-02-02T18:02"))
        await alice.run(command, channel=guild.general, **options)
        settings = await bot.store.review_settings(guild.id, alice.id)
        assert settings.remind_next == at("2026-02-02T18:05")
        assert settings.new_per_day == options.get("new_per_day", 10)
        recall.clock.set(at("2026-02-02T18:05"))
        assert await cog.send_reminders() == 1
        assert len(emulator.dms(alice.user)) == 1


async def test_the_same_reminder_time_given_as_it_comes_due_keeps_the_days_reminder(
    recall, emulator
):
    """/review remind given the time a member has, just after it came and before the loop
    sent that day's reminder, leaves it to go; only a new time or zone moves it."""
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await play(alice, await alice.run("/review start", channel=guild.general))
        await alice.run("/review remind", channel=guild.general, time="18:00")
        recall.clock.set(at("2026-02-02T18:00:10"))
        again = await alice.run("/review remind", channel=guild.general, time="18:00")
        assert again.content.startswith("I'll DM you at **18:00 UTC**"), again.content
        assert "(next check in a moment)" in again.content, again.content
        assert await bot.get_cog("Review").send_reminders() == 1
        assert len(emulator.dms(alice.user)) == 1
        await alice.run("/review remind", channel=guild.general, time="07:00")
        assert (await bot.store.review_settings(guild.id, alice.id)).remind_next == at(
            "2026-02-03T07:00"
        )


async def test_one_members_broken_reminder_does_not_hold_up_the_others(
    recall, emulator, error_logs
):
    """A reminder that fails in an unexpected way (its stored zone no longer loads) is logged;
    the other members' reminders of the round still go out, and the loop goes on."""
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    bob = guild.add_member("bob")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        for member in (alice, bob):
            await play(member, await member.run("/review start", channel=guild.general))
            await member.run("/review remind", channel=guild.general, time="18:00")
        async with bot.store.transaction() as db:
            await db.execute(
                "UPDATE srs_members SET timezone = 'Mars/Olympus' WHERE user_id = ?", (alice.id,)
            )
        recall.clock.set(at("2026-02-02T18:00"))
        cog = bot.get_cog("Review")
        assert await cog.send_reminders() == 1
        assert len(emulator.dms(bob.user)) == 1 and emulator.dms(alice.user) == []
        assert [r.getMessage() for r in error_logs] == [
            f"reminder for {alice.id} in {guild.id} failed"
        ]
        error_logs.clear()


REPLACED = "This review was replaced by a newer one"


async def review_rows(bot):
    """(session, question, rating) of every stored review answer, and the number of grades."""
    answers = await bot.store._fetchall(
        "SELECT session_id, question_id, rating FROM review_answers ORDER BY session_id"
    )
    [count] = await bot.store._fetchall("SELECT COUNT(*) FROM attempts")
    return [tuple(r) for r in answers], count[0]


async def test_a_card_graded_in_a_newer_review_is_not_graded_again_in_the_older_one(
    recall, emulator
):
    """Two /review start: both show the same card. Graded in the newer review, the card is
    not graded a second time seconds later from the older message, whose buttons say why."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        old = await alice.run("/review start", channel=guild.general)
        asked = old.embed["description"]
        old_answer = await alice.click(old.message, "Reveal answer")
        new = await alice.run("/review start", channel=guild.general)
        assert new.embed["description"] == asked  # the same card
        new_answer = await alice.click(new.message, "Reveal answer")
        await alice.click(new_answer.message, "Good")
        [card] = await bot.store.cards(guild.id, alice.id)
        graded_at = card.card.last_review
        assert card.card.reps == 1 and graded_at == at("2026-02-02T08:00")

        recall.clock.set(at("2026-02-02T08:00:20"))
        late = await alice.click(old_answer.message, "Easy")
        assert late.response_type == 4 and late.ephemeral, late  # a reply of its own
        assert late.content.startswith(REPLACED) and "`/review start`" in late.content, late
        [card] = await bot.store.cards(guild.id, alice.id)
        assert card.card.reps == 1 and card.card.last_review == graded_at
        sessions = [r[0] for r in await bot.store._fetchall("SELECT id FROM review_sessions")]
        assert await review_rows(bot) == ([(max(sessions), card.question_id, 3)], 1)


async def test_a_replaced_review_stays_replaced_after_a_restart(recall, emulator, error_logs):
    """Which review is current is kept in the database: after a restart the older message
    is still refused, and the newer one grades each card once, double clicks and retried
    clicks included."""
    guild, alice = await setup(recall, emulator)
    bob = guild.add_member("bob")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        old = await alice.run("/review start", channel=guild.general)
        new = await alice.run("/review start", channel=guild.general)
        # another member's review is theirs alone: it replaces none of alice's
        bobs = await bob.run("/review start", channel=guild.general)

    async with recall.running(sync=False) as bot:
        late = await alice.click(old.message, "Reveal answer")
        assert late.response_type == 4 and late.ephemeral, late
        assert late.content.startswith(REPLACED), late
        forged = await bob.forge_click(old.message, old.message.button("Reveal answer").custom_id)
        assert forged.content.startswith("This review belongs to another member."), forged

        shown = await alice.click(new.message, "Reveal answer")
        first, second = await asyncio.gather(  # a double click racing itself
            alice.click(shown.message, "Good"), alice.click(shown.message, "Good")
        )
        assert first.response_type == second.response_type == 7  # the message moves on
        [card] = await bot.store.cards(guild.id, alice.id)
        assert card.card.reps == 1
        answers, grades = await review_rows(bot)
        assert len(answers) == 1 and grades == 1

        # A grade whose answer never reached Discord: the member sees the same card and
        # clicks again. The grade was stored the first time and is not taken twice.
        shown = await alice.click(shown.message, "Reveal answer")
        emulator.faults.add("POST", r"^/interactions/\d+/[^/]+/callback$", status=DROP)
        lost = await alice.click(shown.message, "Hard")
        assert lost.response_type == 4 and "went wrong" in lost.content, lost
        assert [r.getMessage() for r in error_logs] == [f"button {lost.interaction.name} failed"]
        error_logs.clear()
        again = await alice.click(shown.message, "Hard")
        assert again.response_type == 7, again
        answers, grades = await review_rows(bot)
        assert len(answers) == 2 and grades == 2
        assert [c.card.reps for c in await bot.store.cards(guild.id, alice.id)] == [1, 1]

        bob_shown = await bob.click(bobs.message, "Reveal answer")
        await bob.click(bob_shown.message, "Again")
        assert (await review_rows(bot))[1] == 3


async def test_a_bad_time_zone_or_time_is_explained_in_a_sentence(recall, emulator):
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        bad = await alice.run("/review settings", channel=guild.general, timezone="Europe/Berln")
        assert bad.ephemeral
        assert bad.content == (
            "Unknown time zone 'Europe/Berln'. Did you mean Europe/Berlin or Europe/Dublin? "
            "Pick one from the list that appears as you type, or give an IANA name such as Europe/Berlin or "
            "America/New_York."
        )
        bad = await alice.run(
            "/review remind", channel=guild.general, time="18:00", timezone="Mars/Base"
        )
        assert bad.content.startswith("Unknown time zone 'Mars/Base'. Pick one from the list")
        bad = await alice.run("/review remind", channel=guild.general, time="6pm")
        assert bad.content == (
            "Time must be HH:MM in 24-hour form, like 09:00 or 18:30 (got '6pm'). "
            "To stop reminders, give `off` instead."
        )
        # a member who tries another word to stop them is told the one that does
        stop = await alice.run("/review remind", channel=guild.general, time="stop")
        assert stop.content.endswith("(got 'stop'). To stop reminders, give `off` instead.")
        settings = await bot.store.review_settings(guild.id, alice.id)
        assert (settings.timezone, settings.remind_time) == ("UTC", None)


async def test_a_reminder_tells_apart_decks_with_the_same_name(recall, emulator):
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        twin = await bot.store.create_deck(guild.id, "srs-2", "SRS deck")
        await bot.store.add_questions(twin, QUESTIONS[:1])
        [first] = [d.id for d in await bot.store.decks_for_guild(guild.id) if d.slug == "srs"]
        for deck_id, how_many in ((first, 2), (twin, 1)):
            for stored in (await bot.store.questions_in_deck(deck_id))[:how_many]:
                await grade_good(bot, guild.id, alice.id, stored.id)
        dm = await reminder_dm(recall, emulator, bot, guild, alice)
        assert dm.content.startswith(
            f"📚 3 cards are due on {linked(guild)}: 2 in SRS deck (`srs`), 1 in SRS deck (`srs-2`)."
        )


class TickingClock(FixedClock):
    """A clock that moves on a millisecond each time it is read, as real time does between
    a grade and the reply that tells it."""

    def now(self) -> datetime:
        self.advance(milliseconds=1)
        return super().now()


async def test_the_next_screen_tells_when_a_card_comes_back_without_losing_a_unit(
    recall, emulator
):
    """A card due in 10 minutes or 8 days is said to come back in 10 minutes or 8 days, not
    a unit less because the reply is written a moment after the grade, and days agree in
    number."""
    guild, alice = await setup(recall, emulator)
    recall.clock = TickingClock(at("2026-02-02T08:00"))
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        first = await alice.run("/review start", channel=guild.general)
        step = await play(alice, first, grade="Good")
        assert footer_text(step).endswith("comes back in 10 min"), footer_text(step)
        step = await play(alice, step, grade="Easy")
        assert footer_text(step).endswith("comes back in 8 days"), footer_text(step)


def footer_text(result) -> str:
    return (result.message.embeds[0].get("footer") or {}).get("text", "")


async def test_a_reminder_shows_deck_and_server_names_as_typed_not_as_markdown(
    recall, emulator
):
    recall.clock = FixedClock(at("2026-02-02T08:00"))
    guild = emulator.add_guild("**Study** _group_")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await deck_with_a_graded_card(bot, guild.id, alice.id, "marks", "*__x__* `deck`")
        dm = await reminder_dm(recall, emulator, bot, guild, alice)
        assert dm.content.startswith(
            r"📚 1 card is due on [\*\*Study\*\* \_group\_]"
            f"(https://discord.com/channels/{guild.id}): 1 in "
            r"\*\_\_x\_\_\* \`deck\`."
        ), dm.content


async def test_changing_a_review_setting_keeps_following_the_servers_zone(recall, emulator):
    """A member who never chose a zone keeps following the server's after changing another
    review setting: the server's new zone moves their reminder to the same local time there.
    A zone of their own stays theirs; `server` makes them follow the server again."""
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    mod = guild.add_member("mod", permissions=MANAGE_GUILD)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await alice.run("/review settings", channel=guild.general, new_per_day=5)
        await alice.run("/review remind", channel=guild.general, time="18:00")
        shown = await alice.run("/review settings", channel=guild.general)
        assert "time zone: **UTC** (the server's)" in shown.content, shown.content

        moved = await mod.run("/settings timezone", channel=guild.general, zone="Asia/Tokyo")
        await moved.wait_for_content()
        assert "1 member with no time zone of their own now gets review reminders" in (
            moved.content
        ), moved.content
        settings = await bot.store.review_settings(guild.id, alice.id)
        assert settings.timezone == "Asia/Tokyo" and settings.follows_server
        assert settings.new_per_day == 5 and settings.remind_time == "18:00"
        assert settings.remind_next == at("2026-02-02T09:00")  # 18:00 in Tokyo
        shown = await alice.run("/review settings", channel=guild.general)
        assert "time zone: **Asia/Tokyo** (the server's)" in shown.content, shown.content

        # The reminder loop reads the server's zone for her: the DM goes at 18:00 Tokyo.
        await play(alice, await alice.run("/review start", channel=guild.general))
        recall.clock.set(at("2026-02-02T09:00"))
        assert await bot.get_cog("Review").send_reminders() == 1
        assert (await bot.store.review_settings(guild.id, alice.id)).remind_next == at(
            "2026-02-03T09:00"
        )

        own = await alice.run("/review settings", channel=guild.general, timezone="Europe/Paris")
        assert "time zone: **Europe/Paris** ·" in own.content, own.content
        moved = await mod.run("/settings timezone", channel=guild.general, zone="America/New_York")
        await moved.wait_for_content()
        settings = await bot.store.review_settings(guild.id, alice.id)
        assert settings.timezone == "Europe/Paris" and not settings.follows_server
        assert settings.remind_next == at("2026-02-02T17:00")  # 18:00 in Paris

        choices = await alice.autocomplete("/review settings", "timezone", "ser")
        assert choices[0]["value"] == "server", choices
        back = await alice.run("/review settings", channel=guild.general, timezone="server")
        assert "time zone: **America/New_York** (the server's)" in back.content, back.content
        settings = await bot.store.review_settings(guild.id, alice.id)
        assert settings.follows_server and settings.remind_next == at("2026-02-02T23:00")


async def question_id_of(bot, prompt: str) -> int:
    [row] = await bot.store._fetchall("SELECT id FROM questions WHERE prompt = ?", (prompt,))
    return int(row[0])


async def nothing_graded(bot) -> None:
    for table in ("attempts", "srs_cards", "review_answers"):
        assert await bot.store._fetchall(f"SELECT * FROM {table}") == [], table


async def test_a_card_made_multiple_choice_after_it_was_shown_is_not_self_graded(
    recall, emulator
):
    """As /quiz refuses it: the old Reveal answer and grade buttons are refused privately,
    nothing is stored, and the card is shown again with its options, graded as picked."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        first = await alice.run("/review start", channel=guild.general)
        prompt = first.embed["description"]
        question_id = await question_id_of(bot, prompt)
        [original] = [q for q in QUESTIONS if q.prompt == prompt]
        made_mc = Question.model_validate(
            {**original.model_dump(), "options": [{"text": "yes", "correct": True}, {"text": "no"}]}
        )
        shown = await alice.click(first.message, "Reveal answer")
        await bot.store.update_question(question_id, made_mc)  # /question edit
        refused = await alice.click(shown.message, "Good")
        told = await refused.wait_for_followup()
        assert told.ephemeral and told.content.startswith(
            "This question was made multiple choice after it was shown, so it is not self-graded."
        ), told.content
        await nothing_graded(bot)
        again = refused.message
        assert again.embeds[0]["description"].startswith(prompt)
        assert [b.label for b in again.buttons] == ["A. yes", "B. no"]

        # The Reveal answer button of a message still showing the card is refused the same way.
        await bot.store.update_question(question_id, original)
        second = await alice.run("/review start", channel=guild.general)
        assert second.embed["description"] == prompt
        await bot.store.update_question(question_id, made_mc)
        refused = await alice.click(second.message, "Reveal answer")
        told = await refused.wait_for_followup()
        assert told.content.startswith("This question was made multiple choice"), told.content
        assert [b.label for b in refused.message.buttons] == ["A. yes", "B. no"]
        await nothing_graded(bot)

        picked = await alice.click(refused.message, "A. yes")
        assert picked.message.embeds[0]["description"].startswith("✅"), picked.message.embeds
        rows = await bot.store._fetchall("SELECT option_index, correct, rating FROM attempts")
        assert [tuple(r) for r in rows] == [(0, 1, 3)]


async def test_a_card_no_longer_multiple_choice_is_shown_again_with_reveal(recall, emulator):
    """The reverse: an option of a question whose options were removed after it was shown
    is refused privately, and the card comes back with Reveal answer to grade oneself."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id, [QUESTIONS[-1]], "mc", "MC deck")
        shown = await alice.run("/review start", channel=guild.general)
        question_id = await question_id_of(bot, QUESTIONS[-1].prompt)
        await bot.store.update_question(
            question_id, QUESTIONS[-1].model_copy(update={"options": []})
        )
        refused = await alice.click(shown.message, "B. B")
        told = await refused.wait_for_followup()
        assert told.ephemeral and told.content.startswith(
            "This question is no longer multiple choice, so the option clicked is not graded."
        ), told.content
        await nothing_graded(bot)
        assert [b.label for b in refused.message.buttons] == ["Reveal answer"]
        revealed = await alice.click(refused.message, "Reveal answer")
        await alice.click(revealed.message, "Hard")
        rows = await bot.store._fetchall("SELECT option_index, rating FROM attempts")
        assert [tuple(r) for r in rows] == [(None, 2)]


async def test_an_export_too_big_for_one_upload_comes_in_several_packages(
    recall, emulator, monkeypatch, tmp_path
):
    """Cards that make a package bigger than Discord takes in one upload come as several
    packages, each under the limit, holding every card once and all the same Anki deck."""
    import random
    import string

    from emulator import interactions, limits

    monkeypatch.setattr(interactions, "ATTACHMENT_SIZE_LIMIT", 200 * 1024)
    monkeypatch.setattr(limits, "UPLOAD_MAX_BYTES", 200 * 1024)
    rng = random.Random(7)

    def text(n: int) -> str:
        return " ".join(
            "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9)))
            for _ in range(n)
        )

    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "big", "Big deck")
        await bot.store.add_questions(
            deck_id,
            [Question(id=f"b{i}", prompt=f"Big {i}?", answer=text(500)) for i in range(120)],
        )
        for stored in await bot.store.questions_in_deck(deck_id):
            await grade_good(bot, guild.id, alice.id, stored.id)
        result = await alice.run("/review export", channel=guild.general)
        first = await result.wait_for_followup()
        said = re.search(r"in (\d+) files", first.content)
        assert said is not None and int(said[1]) >= 2, first.content
        files = list(first.attachments)
        messages = 1
        while len(files) < int(said[1]):
            messages += 1
            files += (await result.wait_for_followup(messages)).attachments
        assert len(files) == int(said[1])
        prompts: list[str] = []
        deck_names: set[str] = set()
        for n, file in enumerate(files, 1):
            assert file.filename == f"recall-cards-{n}-of-{len(files)}.apkg"
            assert len(file.data) <= 200 * 1024
            path = tmp_path / f"c{n}.anki2"
            with zipfile.ZipFile(io.BytesIO(file.data)) as apkg:
                path.write_bytes(apkg.read("collection.anki2"))
            conn = sqlite3.connect(path)
            try:
                prompts += [r[0].split("\x1f")[0] for r in conn.execute("SELECT flds FROM notes")]
                [(decks,)] = conn.execute("SELECT decks FROM col").fetchall()
            finally:
                conn.close()
            deck_names |= {d["name"] for d in json.loads(decks).values() if d["id"] != 1}
        assert sorted(prompts) == sorted(f"Big {i}?" for i in range(120))
        assert deck_names == {"Recall — Study group"}


async def test_a_morning_reminder_tells_of_cards_that_come_due_later_that_day(recall, emulator):
    """A member who reviews in the evening and asks for a reminder in the morning is told on
    the day their cards come due (as /review status counts "due today"), with when they do,
    not a day late once the cards are overdue."""
    guild, alice = await setup(recall, emulator, "2026-02-02T20:00")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await play(alice, await alice.run("/review start", channel=guild.general))
        recall.clock.set(at("2026-02-02T20:10"))
        await play(alice, await alice.run("/review start", channel=guild.general))
        [card] = await bot.store.cards(guild.id, alice.id)
        due = card.card.due
        assert due.hour == 20 and due.date() > at("2026-02-03T00:00").date()
        await alice.run("/review remind", channel=guild.general, time="08:00", timezone="UTC")
        cog = bot.get_cog("Review")
        day = at("2026-02-03T08:00")
        while day.date() < due.date():
            recall.clock.set(day)
            assert await cog.send_reminders() == 0  # nothing due that day
            day += timedelta(days=1)
        recall.clock.set(day)
        assert await cog.send_reminders() == 1
        [dm] = emulator.dms(alice.user)
        assert dm.content == (
            f"📚 1 card comes due on {linked(guild)} by midnight in UTC: 1 in SRS deck. "
            f"It is due at <t:{int(due.timestamp())}:t>: run `/review start` there from then.\n"
            "-# To stop these reminders, run `/review remind time:off` there."
        )
        status = await alice.run("/review status", channel=guild.general)
        assert "**Due now:** 0\n**Due today:** 1" in status.embed["description"]


async def test_a_multiple_choice_card_tells_when_it_comes_back_as_a_self_graded_one_does(
    recall, emulator
):
    """The answer to a multiple-choice card says what it counted as and when the card comes
    back, as the next screen after a self-grade does."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id, [QUESTIONS[-1]], "mc", "MC deck")
        shown = await alice.run("/review start", channel=guild.general)
        wrong = await alice.click(shown.message, "A. A")
        assert footer_text(wrong) == "Counts as Again — “Pick the right one” comes back in 1 min"
        done = await alice.click(wrong.message, "Next")
        assert done.message.embeds[0]["title"] == "Review done"


async def test_a_review_with_no_deck_switched_on_says_so_rather_than_come_back_later(
    recall, emulator
):
    """With every deck switched off there is nothing to come back for: the summary says what
    would give the member cards, as it does when the deck of a review is switched off while
    it runs."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        deck_id = await only_test_deck(bot, guild.id)
        shown = await alice.run("/review start", channel=guild.general, deck="srs")
        await bot.store.set_deck_enabled(guild.id, deck_id, False)  # /deck disable meanwhile
        done = (await play(alice, shown)).message.embeds[0]
        assert done["title"] == "Review done"
        assert "Come back later" not in done["description"]
        assert done["description"].endswith(
            "The deck of this review was switched off or removed since it started, so its "
            "cards are not asked; `/review start` reviews the decks switched on."
        )
        again = await alice.run("/review start", channel=guild.general)
        assert again.embed["description"] == (
            "No deck is switched on in this server, so there is "
            "nothing to review: a moderator can turn one on with `/deck enable`."
        )


async def test_reminders_turned_off_are_told_at_the_next_review_command_of_any_kind(
    recall, emulator
):
    """Reminders turned off (closed DMs) are told, once, at the member's next /review
    command, be it status or settings, not only at /review start."""
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await play(alice, await alice.run("/review start", channel=guild.general))
        cog = bot.get_cog("Review")
        emulator.close_dms(alice.user)
        told = "Your review reminders were turned off: your DMs are closed"
        for command, day in (("/review status", "02"), ("/review settings", "03")):
            await alice.run("/review remind", channel=guild.general, time="18:00", timezone="UTC")
            recall.clock.set(at(f"2026-02-{day}T18:00"))
            assert await cog.send_reminders() == 0
            first = await alice.run(command, channel=guild.general)
            second = await alice.run(command, channel=guild.general)
            text = [
                (r.embed.get("footer") or {}).get("text", "") if r.embeds else r.content
                for r in (first, second)
            ]
            assert told in text[0] and told not in text[1], (command, text)
        start = await alice.run("/review start", channel=guild.general)
        assert told not in (start.embed.get("footer") or {}).get("text", "")


async def test_a_reminder_for_many_decks_keeps_what_to_do_within_discords_limit(
    recall, emulator
):
    """Cards due in more decks than 2000 characters can name: the list of decks is cut, not
    the end of the message that says what to do."""
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    async with recall.running() as bot:
        for i in range(30):
            await deck_with_a_graded_card(bot, guild.id, alice.id, f"deck-{i}", f"{i:02} " + "n" * 70)
        dm = await reminder_dm(recall, emulator, bot, guild, alice)
        assert len(dm.content) <= 2000
        assert dm.content.startswith(f"📚 30 cards are due on {linked(guild)}: 1 in 00 nnn")
        assert dm.content.endswith(
            " in 21 " + "n" * 70 + ", and 8 more decks. Run `/review start` there to go over them."
            "\n-# To stop these reminders, run `/review remind time:off` there."
        ), dm.content


async def test_a_card_a_moderator_took_out_of_review_does_not_promise_to_come_back(
    recall, emulator
):
    """A card graded after its question was removed, or its deck removed or switched off,
    is never asked again (until the deck is switched back on): the note on the grade says
    so, instead of when it "comes back"."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        deck_id = await only_test_deck(bot, guild.id)
        shown = await alice.run("/review start", channel=guild.general, deck="srs")
        assert await bot.store.remove_question(await question_id_of(bot, shown.embed["description"]))
        revealed = await alice.click(shown.message, "Reveal answer")
        graded = await alice.click(revealed.message, "Good")
        assert footer_text(graded) == (
            "Last: Good — “Review question 1?” was removed from its deck, so it does not "
            "come back"
        )

        await bot.store.set_deck_enabled(guild.id, deck_id, False)  # /deck disable
        revealed = await alice.click(graded.message, "Reveal answer")
        graded = await alice.click(revealed.message, "Good")
        assert footer_text(graded) == (
            "Last: Good — “Review question 2?” is in a deck switched off in this server, so "
            "it comes back only once a moderator switches the deck on"
        )

        mc = await bot.store.create_deck(guild.id, "mc", "MC deck")
        await bot.store.add_questions(mc, [QUESTIONS[-1]])
        shown = await alice.run("/review start", channel=guild.general, deck="mc")
        assert await bot.store.remove_deck(guild.id, mc)  # /deck remove
        picked = await alice.click(shown.message, "B. B")
        assert footer_text(picked) == (
            "Counts as Good — “Pick the right one” is in a deck that was removed, so it does "
            "not come back"
        )


async def test_a_deck_review_ends_telling_of_cards_due_in_the_other_decks(recall, emulator):
    """A review of one deck that ends with cards due in other decks says so, rather than
    that nothing else is due and there are no new questions left to start."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id, QUESTIONS[:1])
        other = await bot.store.create_deck(guild.id, "other", "Other deck")
        await bot.store.add_questions(
            other, [Question(id=f"o{i}", prompt=f"Other {i}?", answer="O.") for i in (1, 2, 3)]
        )
        await alice.run("/review settings", channel=guild.general, new_per_day=3)
        step = await alice.run("/review start", channel=guild.general)
        for _ in range(3):
            step = await play(alice, step)
        recall.clock.set(at("2026-03-02T08:00"))  # every card is long due
        shown = await alice.run("/review start", channel=guild.general, deck="srs")
        assert shown.embed["title"] == "Review · 1 card due"  # of this deck only
        text = (await play(alice, shown)).message.embeds[0]["description"]
        assert "Reviewed **1** card." in text
        assert (
            "Nothing else is due now in this deck, and it has no new questions left for you "
            "to start.\n2 cards are due now in your other decks: `/review start` goes over them."
        ) in text, text
        assert "Come back later" not in text, text


async def test_a_new_zone_tells_of_reminders_other_servers_still_send_in_the_old_one(
    recall, emulator
):
    """Review settings are kept per server: a member who travels and sets their zone in one
    server is told which of their other servers still remind them in another zone, so that
    a reminder does not come at three in the morning unexplained."""
    guild, alice = await setup(recall, emulator)
    other = emulator.add_guild("Other group")
    alice_there = other.add_member(alice.user)
    third = emulator.add_guild("Third group")
    alice_third = third.add_member(alice.user)
    async with recall.running():
        await alice_there.run(
            "/review remind", channel=other.general, time="07:00", timezone="Europe/Paris"
        )
        await alice_third.run("/review remind", channel=third.general, time="21:00")  # UTC
        moved = await alice.run("/review settings", channel=guild.general, timezone="Asia/Tokyo")
        assert moved.content.endswith(
            "\nYour review settings are per server, and your reminders on "
            f"**{linked(other)}** "
            f"(07:00 Europe/Paris) and **{linked(third)}** (21:00 UTC) still follow those zones: "
            "set your zone there too with `/review settings timezone`."
        ), moved.content

        # Reminders set with their zone tell the same; a server already in that zone is not named.
        await alice_third.run("/review settings", channel=third.general, timezone="Asia/Tokyo")
        remind = await alice.run(
            "/review remind", channel=guild.general, time="08:00", timezone="Asia/Tokyo"
        )
        assert remind.content.endswith(
            "\nYour review settings are per server, and your reminders on "
            f"**{linked(other)}** "
            "(07:00 Europe/Paris) still follow that zone: set your zone there too with "
            "`/review settings timezone`."
        ), remind.content
        same = await alice_there.run(
            "/review settings", channel=other.general, timezone="Asia/Tokyo"
        )
        assert "per server" not in same.content, same.content
        plain = await alice.run("/review settings", channel=guild.general, new_per_day=5)
        assert "per server" not in plain.content, plain.content


async def test_an_unknown_deck_lists_the_decks_to_review_without_tags(recall, emulator):
    """/review start has no tag option: a deck it does not know is answered with the decks
    it can review, not with every tag of the server as /quiz's answer has."""
    guild, alice = await setup(recall, emulator)
    async with recall.running():
        refused = await alice.run("/review start", channel=guild.general, deck="cooking")
        assert refused.content.startswith("There is no deck called “cooking”. Decks: **")
        assert "Tags" not in refused.content and "`python`" in refused.content, refused.content
        assert refused.content.endswith(")."), refused.content


async def test_a_review_with_nothing_to_do_says_nothing_is_due_not_nothing_else(
    recall, emulator
):
    """A /review start with nothing to ask has reviewed nothing: it says nothing is due, not
    that nothing *else* is."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await alice.run("/review settings", channel=guild.general, new_per_day=1)
        await play(alice, await alice.run("/review start", channel=guild.general))
        recall.clock.set(at("2026-02-02T09:00"))  # the card is due again; no new card today
        step = await alice.run("/review start", channel=guild.general)
        done = await play(alice, step)
        assert "Nothing else is due now. New cards come" in done.message.embeds[0]["description"]
        again = await alice.run("/review start", channel=guild.general)
        text = again.embed["description"]
        assert text.startswith("Next card due: "), text
        assert "\nNothing is due now. New cards come again at midnight in UTC" in text, text


async def test_reminders_from_two_servers_of_the_same_name_link_each_to_its_server(
    recall, emulator
):
    """A member reminded by two servers both called "Study group" can tell the DMs apart:
    each names its server linked to it, so a click opens the server the cards are in; so
    does the note on the other servers' zones."""
    guild, alice = await setup(recall, emulator)
    twin = emulator.add_guild("Study group")
    alice_twin = twin.add_member(alice.user)
    async with recall.running() as bot:
        for where, member in ((guild, alice), (twin, alice_twin)):
            await deck_with_a_graded_card(bot, where.id, alice.id, "srs", "SRS deck")
            await member.run("/review remind", channel=where.general, time="18:30", timezone="UTC")
        recall.clock.set(at("2026-02-02T18:30"))
        assert await bot.get_cog("Review").send_reminders() == 2
        texts = sorted(dm.content for dm in emulator.dms(alice.user))
        assert texts == sorted(
            f"📚 1 card is due on {linked(g)}: "
            "1 in SRS deck. Run `/review start` there to go over it.\n"
            "-# To stop these reminders, run `/review remind time:off` there."
            for g in (guild, twin)
        ), texts
        moved = await alice.run("/review settings", channel=guild.general, timezone="Asia/Tokyo")
        assert (
            f"your reminders on **{linked(twin)}** "
            "(18:30 UTC) still follow that zone"
        ) in moved.content, moved.content


async def test_status_and_reminders_say_in_which_zone_today_is_counted(recall, emulator):
    """"Due today" counts to the member's midnight: /review status, and a reminder of cards
    that come due later that day, say in which zone, and whether it is the server's, so a
    member who follows either can tell when today ends."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await bot.store.set_guild_settings(guild.id, {"timezone": "Asia/Tokyo"})
        await play(alice, await alice.run("/review start", channel=guild.general))
        status = await alice.run("/review status", channel=guild.general)
        text = status.embed["description"]
        assert "**Due today:** 1 (by midnight in Asia/Tokyo, the server's zone)\n" in text, text
        # a week from now, not the calendar week that /stats counts points in
        assert "\n**Due in the next 7 days:** 1\n" in text, text
        await alice.run("/review remind", channel=guild.general, time="17:05")  # 08:05 UTC
        recall.clock.set(at("2026-02-02T08:05"))  # the card comes due at 08:10
        assert await bot.get_cog("Review").send_reminders() == 1
        [dm] = emulator.dms(alice.user)
        assert dm.content.startswith(
            f"📚 1 card comes due on {linked(guild)} by midnight in Asia/Tokyo, the server's "
            "zone: 1 in SRS deck. It is due at"
        ), dm.content
        await alice.run("/review settings", channel=guild.general, timezone="Europe/Paris")
        status = await alice.run("/review status", channel=guild.general)
        text = status.embed["description"]
        assert "**Due today:** 1 (by midnight in Europe/Paris)\n" in text, text
        # a zone named against its offset is told with the offset it has
        await alice.run("/review settings", channel=guild.general, timezone="Etc/GMT-2")
        status = await alice.run("/review status", channel=guild.general)
        text = status.embed["description"]
        assert "**Due today:** 1 (by midnight in Etc/GMT-2 (UTC+2))\n" in text, text


async def test_a_review_with_no_new_cards_a_day_says_so_rather_than_come_back_later(
    recall, emulator
):
    """A member who set 0 new cards a day and has nothing due is told that is why nothing
    new comes, not to come back later, which would bring nothing new either."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await alice.run("/review settings", channel=guild.general, new_per_day=0)
        done = await alice.run("/review start", channel=guild.general)
        text = done.embed["description"]
        assert text == (
            "Nothing is due now, and you take 0 new cards a day: raise "
            "that with `/review settings new_per_day` to start new questions."
        ), text


async def test_a_zone_without_summer_time_says_so_when_it_is_set(recall, emulator):
    """EST is UTC-5 all year, not New York's clock: a member who sets it for reminders is
    told, before their reminders come an hour off in summer."""
    guild, alice = await setup(recall, emulator)
    async with recall.running():
        remind = await alice.run(
            "/review remind", channel=guild.general, time="07:00", timezone="EST"
        )
        assert remind.content.startswith(
            "I'll DM you at **07:00 EST (UTC-5 all year, no daylight saving)** on days"
        ), remind.content
        settings = await alice.run("/review settings", channel=guild.general)
        assert "time zone: **EST (UTC-5 all year, no daylight saving)**" in settings.content
        zones = await alice.autocomplete("/review remind", "timezone", "EST")
        assert (zones[0]["name"], zones[0]["value"]) == (
            "EST (UTC-5 all year, no daylight saving)",
            "EST",
        ), zones


async def test_turning_reminders_off_names_the_servers_that_still_send_them(recall, emulator):
    """Review settings are per server: reminders turned off in one server leave those of the
    member's other servers on, and the answer says which, so that their next DM is no
    surprise."""
    guild, alice = await setup(recall, emulator)
    other = emulator.add_guild("Other group")
    alice_there = other.add_member(alice.user)
    async with recall.running():
        await alice_there.run(
            "/review remind", channel=other.general, time="07:00", timezone="Europe/Paris"
        )
        await alice.run("/review remind", channel=guild.general, time="08:00")
        off = await alice.run("/review remind", channel=guild.general, time="off")
        assert off.content == (
            "Review reminders from this server are off.\nYour reminders on "
            f"**{linked(other)}** (07:00 Europe/Paris) still come: review settings are per "
            "server, so turn them off there with `/review remind time:off`."
        ), off.content
        alone = await alice_there.run("/review remind", channel=other.general, time="off")
        assert alone.content == "Review reminders from this server are off.", alone.content
        # a zone given with `off` is set too, and said
        zoned = await alice.run(
            "/review remind", channel=guild.general, time="off", timezone="Asia/Tokyo"
        )
        assert zoned.content.startswith(
            "Review reminders from this server are off. Your review time zone here is "
            "**Asia/Tokyo**."
        ), zoned.content
        status = await alice.run("/review status", channel=guild.general)
        assert "Asia/Tokyo" in str(status.embeds), status.embeds


async def test_a_review_of_an_empty_deck_does_not_say_to_come_back_later(recall, emulator):
    """A deck with no questions has nothing to bring later: its review says there is
    nothing to start, not to come back."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await bot.store.create_deck(guild.id, "empty", "Empty deck")
        done = await alice.run("/review start", channel=guild.general, deck="empty")
        text = done.embed["description"]
        assert text == (
            "Nothing is due now in this deck, and it has no new "
            "questions left for you to start."
        ), text


async def test_a_review_that_used_up_todays_new_cards_says_when_the_next_ones_come(
    recall, emulator
):
    """Once the day's new cards are taken and nothing is due, the next new cards come at
    the member's midnight, often long before their next card is due: the summary says
    when, in their zone, rather than only when that card is due."""
    guild, alice = await setup(recall, emulator, start="2026-02-02T20:00")  # 05:00 in Tokyo
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await alice.run(
            "/review settings", channel=guild.general, new_per_day=1, timezone="Asia/Tokyo"
        )
        done = await play(alice, await alice.run("/review start", channel=guild.general), "Easy")
        text = done.message.embeds[0]["description"]
        midnight = int(at("2026-02-03T15:00").timestamp())  # Tokyo's next midnight
        assert "(in 8 days)" in text, text  # the card graded Easy
        assert text.endswith(
            f"\nNothing else is due now. New cards come again at midnight in Asia/Tokyo "
            f"(<t:{midnight}:R>), or raise your daily new cards with `/review settings` to "
            "start more today."
        ), text
        # the server's zone, followed, is named as such
        await alice.run("/review settings", channel=guild.general, timezone="server")
        again = await alice.run("/review start", channel=guild.general)
        text = again.embed["description"]
        midnight = int(at("2026-02-03T00:00").timestamp())
        assert text.endswith(
            f"\nNothing is due now. New cards come again at midnight in UTC, the server's "
            f"zone (<t:{midnight}:R>), or raise your daily new cards with `/review settings` "
            "to start more today."
        ), text


async def test_a_wrong_multiple_choice_card_says_which_option_was_chosen(recall, emulator):
    """The card's options give way to its answer, so a wrong pick is named there, as
    /quiz names it: the member sees what they chose beside the right option."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id, [QUESTIONS[-1]], "mc", "MC deck")
        shown = await alice.run("/review start", channel=guild.general)
        wrong = await alice.click(shown.message, "A. A")
        text = wrong.message.embeds[0]["description"]
        assert text.startswith("❌ You chose A; the answer is **B. B**\n\n"), text


async def test_a_double_clicked_wrong_option_names_it_in_both_answers(recall, emulator):
    """The second click of a double click on a wrong option grades nothing; its answer
    names the option the first stored, as the first does, not "?"."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id, [QUESTIONS[-1]], "mc", "MC deck")
        shown = await alice.run("/review start", channel=guild.general)
        clicks = await asyncio.gather(
            alice.click(shown.message, "A. A"), alice.click(shown.message, "A. A")
        )
        for click in clicks:
            text = click.message.embeds[0]["description"]
            assert text.startswith("❌ You chose A; the answer is **B. B**\n\n"), text
        rows = await bot.store._fetchall("SELECT option_index, option_text FROM attempts")
        assert [tuple(r) for r in rows] == [(0, "A")]


async def test_the_summary_gives_the_next_cards_date_and_time_and_how_soon(recall, emulator):
    """The next card's due time is given as a date and time, which Discord shows in the
    reader's own zone, then how soon it is: not how soon twice, as a relative timestamp
    beside the same words would read ("in 8 days (in 8 days)")."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id, QUESTIONS[:1])
        done = await play(alice, await alice.run("/review start", channel=guild.general), "Easy")
        [card] = await bot.store.cards(guild.id, alice.id)
        text = done.message.embeds[0]["description"]
        assert f"\nNext card due: <t:{int(card.card.due.timestamp())}:f> (in 8 days).\n" in text, (
            text
        )


async def test_the_summary_counts_the_cards_by_grade(recall, emulator):
    """The summary counts the session's cards by grade (a multiple-choice answer as what it
    counted as), so the member sees how it went, not the Again rate alone."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        step = await alice.run("/review start", channel=guild.general)
        for grade in ("Again", "Good", "Good", "Easy"):
            step = await play(alice, step, grade)
        wrong = await alice.click(step.message, "A. A")  # counts as Again
        done = await alice.click(wrong.message, "Next")
        text = done.message.embeds[0]["description"]
        assert text.startswith(
            "Reviewed **5** cards.\nAgain **2** · Hard **0** · Good **2** · Easy **1**\n"
            "Again rate: **40%**.\n"
        ), text


async def test_thousands_of_cards_due_are_counted_by_thousands(recall, emulator):
    """A member with 1200 cards due read "**Due now:** 1200" in /review status and "📚 1200
    cards are due" in their reminder: the counts are grouped by thousands, as the boards'."""
    guild, alice = await setup(recall, emulator)
    async with recall.running() as bot:
        deck_id = await only_test_deck(
            bot,
            guild.id,
            [Question(id=f"m{i}", prompt=f"Many {i}?", answer="A.") for i in range(1200)],
        )
        stored = await bot.store.questions_in_deck(deck_id)
        await asyncio.gather(*(grade_good(bot, guild.id, alice.id, q.id) for q in stored))
        await alice.run("/review remind", channel=guild.general, time="08:00", timezone="UTC")
        recall.clock.set(at("2026-06-01T08:00"))  # months later: every card is due
        status = await alice.run("/review status", channel=guild.general)
        text = status.embed["description"]
        assert "**Due now:** 1,200\n**Due today:** 1,200 (by midnight in UTC)\n" in text, text
        assert "**Due in the next 7 days:** 1,200\n**Cards:** 1,200 · " in text, text
        assert await bot.get_cog("Review").send_reminders() == 1
        [dm] = emulator.dms(alice.user)
        assert dm.content.startswith(
            f"📚 1,200 cards are due on {linked(guild)}: 1,200 in SRS deck. "
        ), dm.content


async def test_the_note_on_a_grade_quotes_a_prompt_with_code_on_one_line(recall, emulator):
    """A footer shows its text as it is: a prompt with a code block was quoted with its
    fences and every line of its code, pushing "comes back ..." far down. The note quotes
    it on one line, the code block left out and a spoiler shown as "…", as thread names do."""
    guild, alice = await setup(recall, emulator)
    prompt = "What does this print?\n```py\nprint(len('abc'))\nprint(2 ** 10)\n```\nNo ||peeking||."
    question = Question(id="code", prompt=prompt, why="Why", answer="3 and 1024.")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id, [question])
        result = await alice.run("/review start", channel=guild.add_channel("study"))
        graded = await play(alice, result)
        note = graded.message.embeds[0]["footer"]["text"]
        assert note == "Last: Good — “What does this print? No ….” comes back in 10 min", note


async def test_reminders_in_other_servers_name_their_zone_with_its_real_offset(
    recall, emulator
):
    """Etc/GMT-2 is UTC+2 (its sign counts the other way round): a member told of their
    reminders in other servers reads the offset they really have, as /review settings and
    remind tell their own zone."""
    guild, alice = await setup(recall, emulator)
    other = emulator.add_guild("Other group")
    alice_there = other.add_member(alice.user)
    async with recall.running():
        await alice.run("/review remind", channel=guild.general, time="08:00")
        await alice_there.run(
            "/review remind", channel=other.general, time="07:00", timezone="Etc/GMT-2"
        )
        moved = await alice.run("/review settings", channel=guild.general, timezone="Asia/Tokyo")
        assert f"**{linked(other)}** (07:00 Etc/GMT-2 (UTC+2)) still follow" in moved.content, (
            moved.content
        )
        off = await alice.run("/review remind", channel=guild.general, time="off")
        assert f"**{linked(other)}** (07:00 Etc/GMT-2 (UTC+2)) still come" in off.content, (
            off.content
        )


async def test_a_reminder_on_its_way_as_the_bot_stops_is_recorded_not_sent_again(
    recall, emulator
):
    """The bot is stopped while a reminder's DM is on its way (Discord has it, its answer
    has not come back): the reminder is let finish and recorded, so the next start, within
    the hour, does not send it a second time."""
    guild, alice = await setup(recall, emulator, "2026-02-02T08:00")
    async with recall.running() as bot:
        await only_test_deck(bot, guild.id)
        await play(alice, await alice.run("/review start", channel=guild.general))
        await alice.run("/review remind", channel=guild.general, time="18:30", timezone="UTC")
        recall.clock.set(at("2026-02-02T18:30"))
        create_dm = bot.create_dm

        class SlowAnswer:
            """A DM channel whose sends Discord answers a second late."""

            def __init__(self, channel):
                self.channel = channel

            async def send(self, *args, **kwargs):
                sent = await self.channel.send(*args, **kwargs)
                await asyncio.sleep(1.0)
                return sent

        async def slow_dm(user):
            return SlowAnswer(await create_dm(user))

        bot.create_dm = slow_dm
        cog = bot.get_cog("Review")
        cog.reminder_loop.start()
        await emulator.wait_until(lambda: emulator.dms(alice.user))
    async with recall.running(sync=False) as bot:
        assert await bot.get_cog("Review").send_reminders() == 0
        assert len(emulator.dms(alice.user)) == 1
