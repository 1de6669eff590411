"""Leaderboards, stats, privacy and settings end to end through the emulator."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime

import discord
import pytest
from emulator import CommandError

from bot.clock import FixedClock
from bot.questions import Question
from bot.store import AttemptRequest, StoreError
from cogs.checks import MOD_REFUSAL

pytestmark = pytest.mark.e2e

MANAGE = discord.Permissions(manage_guild=True).value


async def score(bot, guild_id: int, user_id: int, name: str, answers: int, source: str = "quiz"):
    """Give a member ``answers`` self-graded answers on different questions (2 points each)."""
    rows = await bot.store._fetchall("SELECT id FROM questions ORDER BY id LIMIT ?", (answers,))
    for row in rows:
        await bot.store.record_attempt(
            AttemptRequest(guild_id, user_id, name, None, row["id"], source, 3, False, False)
        )


def study_group(emulator):
    """A server with two members, alice and bob."""
    guild = emulator.add_guild("Study group")
    return guild, guild.add_member("alice"), guild.add_member("bob")


async def alice_ahead_of_bob(bot, guild, alice, bob) -> None:
    """alice with 3 answers (6 points) on the boards, bob below her with 1 (2 points)."""
    await score(bot, guild.id, alice.id, "alice", 3)
    await score(bot, guild.id, bob.id, "bob", 1)


def footer(message) -> str:
    return (message.embeds[0].get("footer") or {}).get("text", "")


def board_lines(message) -> list[str]:
    return message.embeds[0].get("description", "").splitlines()


async def test_leaderboard_pages_survive_a_restart_and_show_the_askers_rank(recall, emulator):
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        # 23 members who are not in the emulator's guild any more (left): 1..12 answers each
        for i in range(23):
            await score(bot, guild.id, 1000 + i, f"old{i:02d}", 1 + i % 12)
        await score(bot, guild.id, alice.id, "alice", 3)  # 6 points
        shown = await alice.run("/leaderboard show")
        assert not shown.ephemeral
        msg = shown.message
        embed = msg.embeds[0]
        assert embed["title"].startswith("🏆 All points · Week of ")
        lines = board_lines(msg)
        assert len(lines) == 10
        assert lines[0].startswith("🥇 **old11** · 24 points")
        assert lines[1].startswith("🥈 **old23**") is False  # no such member
        # alice has 6 points: behind every member with more and ahead of equal points reached later
        standing = await bot.store.standing(guild.id, "all", _week_key(msg), alice.id)
        assert standing is not None
        assert f"alice: #{standing.rank} with 6 points." in footer(msg)
        assert "Page 1 of 3 · 24 members" in footer(msg)
        assert "who reached them first ranks higher" in footer(msg)
        assert [b.label for b in msg.buttons] == ["Previous", "Next", "My rank"]
        assert msg.button("Previous").disabled and not msg.button("Next").disabled

        second = await alice.click(msg, "Next")
        assert second.response_type == 7
        assert "Page 2 of 3" in footer(msg)
        assert board_lines(msg)[0].startswith("`#11`")

    async with recall.running(sync=False):
        last = await alice.click(msg, "Next")  # a button from before the restart
        assert last.response_type == 7
        assert "Page 3 of 3" in footer(msg)
        lines = board_lines(msg)
        assert len(lines) == 4 and lines[-1].startswith("`#24`")
        assert msg.button("Next").disabled and not msg.button("Previous").disabled
        assert f"alice: #{standing.rank} with 6 points." in footer(msg)

        # another member's click opens their own copy, with their own foot
        theirs = await bob.click(msg, "Previous")
        assert theirs.ephemeral
        assert "You have no points here yet." in footer(theirs.message)
        assert "Page 2 of 3" in footer(theirs.message)
        assert "Page 3 of 3" in footer(msg)  # alice's board is untouched


def _week_key(message) -> str:
    for button in message.buttons:
        parts = (button.custom_id or "").split(":")
        return f"{parts[4]}:{parts[5]}"
    raise AssertionError("no buttons")


async def test_leaderboard_boards_periods_and_empty_board(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        empty = await alice.run("/leaderboard show", board="qotd", period="month")
        assert empty.message.embeds[0]["title"].startswith("🏆 Question of the day · ")
        assert "Nobody has scored here yet" in empty.message.embeds[0]["description"]
        assert "alice has no points here yet." in footer(empty.message)
        assert "Page 1 of 1 · 0 members" in footer(empty.message)
        assert all(b.disabled for b in empty.message.buttons)

        await score(bot, guild.id, alice.id, "alice", 2)
        alltime = await alice.run("/leaderboard show", period="all time", board="quiz")
        assert alltime.message.embeds[0]["title"] == "🏆 Quiz · All time"
        assert board_lines(alltime.message) == ["🥇 **alice** · 4 points"]


async def test_stats_with_picture_and_member_without_data(recall, emulator):
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        nothing = await alice.run("/stats", member=bob)
        assert (
            "bob has not answered any questions in this server yet"
            in (nothing.message.embeds[0]["description"])
        )
        assert nothing.message.attachments == []

        await alice.run("/quiz", channel=guild.general, deck="flask")
        msg = emulator.channel_messages(guild.general)[-1]
        revealed = (
            await alice.click(msg, "Reveal answer")
            if "Reveal answer" in [b.label for b in msg.buttons]
            else None
        )
        if revealed is not None:
            await alice.click(revealed.message, "Hard")
        else:
            await alice.click(msg, msg.buttons[0].label)
        await score(bot, guild.id, alice.id, "alice", 4)

        result = await alice.run("/stats")
        await result.wait_for_content()
        assert not result.ephemeral
        embed = result.message.embeds[0]
        assert embed["title"] == "Stats: alice"
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert "This week: **" in fields["Points"] and "(#1)" in fields["Points"]
        assert fields["QOTD streak"] == "No question of the day posted here yet."
        assert fields["Answered"].startswith("**5** answers")
        assert "Good 4" in fields["Self-grades"] or "Good 3" in fields["Self-grades"]
        assert "Multiple choice" in fields
        assert embed["image"]["url"] == "attachment://weeks.png"
        [picture] = result.message.attachments
        assert picture.filename == "weeks.png"
        assert picture.data.startswith(b"\x89PNG\r\n\x1a\n") and picture.size > 1000


async def test_privacy_hide_show_and_delete_with_confirmation(recall, emulator):
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        await alice_ahead_of_bob(bot, guild, alice, bob)

        hidden = await alice.run("/privacy hide")
        assert hidden.ephemeral and hidden.content.startswith("You are off")
        board = await bob.run("/leaderboard show")
        assert board_lines(board.message) == ["🥇 **bob** · 2 points"]
        refused = await bob.run("/stats", member=alice)
        assert refused.ephemeral and "keeps their stats private" in refused.content
        mine = await alice.run("/stats")
        await mine.wait_for_content()
        assert mine.ephemeral  # a hidden member's own stats stay private
        assert "Hidden from the boards" in mine.message.embeds[0]["fields"][0]["value"]
        board = await alice.run("/leaderboard show")
        assert "hidden from the boards (/privacy show)" in footer(board.message)
        assert "6 points" in footer(board.message)
        assert board.ephemeral  # a hidden member's points are not shown to the channel

        shown = await alice.run("/privacy show")
        assert shown.content == "You are back on this server's leaderboards."
        board = await bob.run("/leaderboard show")
        assert [line.split(" · ")[0] for line in board_lines(board.message)] == [
            "🥇 **alice**",
            "🥈 **bob**",
        ]

        asked = await alice.run("/privacy delete")
        assert asked.ephemeral
        assert [b.label for b in asked.message.buttons] == ["Erase my data", "Cancel"]
        erase_id = asked.message.button("Erase my data").custom_id
        forged = await bob.forge_click(asked.message, erase_id)
        assert forged.ephemeral and forged.content.startswith("Only the member whose data")
        assert (await bot.store.activity(guild.id, alice.id)).answered == 3

        done = await alice.click(asked.message, "Erase my data")
        assert done.deferred and not done.followups, done  # answered first, then edited
        assert done.message.embeds[0]["title"] == "Your data in this server is erased"
        assert (await bot.store.activity(guild.id, alice.id)).answered == 0
        left = await bot.store._fetchall(
            "SELECT COUNT(*) FROM score_totals WHERE user_id = ?", (alice.id,)
        )
        assert left[0][0] == 0
        assert await bot.store.member_name(guild.id, alice.id) is None
        board = await bob.run("/leaderboard show")
        assert board_lines(board.message) == ["🥇 **bob** · 2 points"]

        again = await alice.run("/privacy delete")  # nothing left: nothing to confirm
        assert again.content.startswith("Recall holds nothing of yours")
        cancel = await bob.run("/privacy delete")
        closed = await bob.click(cancel.message, "Cancel")
        assert closed.message.embeds[0]["title"] == "Cancelled"
        assert (await bot.store.activity(guild.id, bob.id)).answered > 0


async def test_settings_timezone_and_scoring(recall, emulator):
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    plain = guild.add_member("plain")
    async with recall.running() as bot:
        choices = await mod.autocomplete("/settings timezone", "zone", "lond")
        assert choices[0]["value"] == "Europe/London"
        done = await mod.run("/settings timezone", zone="europe/london")
        await done.wait_for_content()
        assert done.ephemeral and "**Europe/London**" in done.content
        assert (await bot.store.settings_for(guild.id)).timezone == "Europe/London"
        bad = await mod.run("/settings timezone", zone="Mars/Olympus")
        assert bad.ephemeral and bad.content.startswith("Unknown time zone 'Mars/Olympus'")
        assert (await bot.store.settings_for(guild.id)).timezone == "Europe/London"
        shown = await mod.run("/settings timezone")
        assert "**Europe/London**" in shown.content

        view = await mod.run("/settings scoring")
        assert view.message.embeds[0]["title"] == "Scoring in this server"
        assert "/quiz self-graded: **2**" in view.message.embeds[0]["description"]
        changed = await mod.run("/settings scoring", quiz_self=5, quiz_daily_cap=50)
        assert changed.message.embeds[0]["title"] == "Scoring updated"
        description = changed.message.embeds[0]["description"]
        assert "/quiz self-graded: **5** ✏️" in description
        assert "/quiz points a day, at most: **50** ✏️" in description
        rules = (await bot.store.settings_for(guild.id)).scoring
        assert (rules.quiz_self, rules.quiz_daily_cap, rules.quiz_right) == (5, 50, 3)

        with pytest.raises(CommandError, match="cannot see /settings"):
            await plain.run("/settings scoring", quiz_self=100)
        assert (await bot.store.settings_for(guild.id)).scoring.quiz_self == 5
        # Shown to everyone by an admin, /settings refuses a member who is not a moderator,
        # and offers them no zones as they type, as the other moderator commands do.
        guild.expose_command("settings")
        assert await plain.autocomplete("/settings timezone", "zone", "lond") == []


async def test_scoring_marks_only_values_that_change(recall, emulator):
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    async with recall.running() as bot:
        same = await mod.run("/settings scoring", quiz_self=2, qotd_wrong=2)  # both defaults
        embed = same.message.embeds[0]
        assert embed["title"] == "Scoring unchanged"
        assert embed["description"].startswith(
            "Nothing changed: these values were already set.\n\n"
        )
        assert "✏️" not in embed["description"]
        assert "apply to grades from now on" not in embed["description"]
        assert await bot.store.guild_settings(guild.id) == {}  # nothing written

        mixed = await mod.run("/settings scoring", quiz_self=5, quiz_right=3)  # 3 is the default
        embed = mixed.message.embeds[0]
        assert embed["title"] == "Scoring updated"
        assert "/quiz self-graded: **5** ✏️" in embed["description"]
        assert "/quiz multiple choice, right: **3** (`quiz_right`)" in embed["description"]
        assert embed["description"].count("✏️") == 1
        assert await bot.store.guild_settings(guild.id) == {"scoring.quiz_self": "5"}

        stamps = "SELECT key, updated_at FROM guild_settings"
        written = [tuple(r) for r in await bot.store._fetchall(stamps)]
        again = await mod.run("/settings scoring", quiz_self=5)
        assert again.message.embeds[0]["title"] == "Scoring unchanged"
        assert [tuple(r) for r in await bot.store._fetchall(stamps)] == written


async def test_a_daily_cap_of_0_says_quiz_earns_nothing(recall, emulator):
    """Many bots take a cap of 0 for no cap: here /quiz then earns no points at all, and
    the moderator setting it was told only "at most: **0**"."""
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    note = (
        "⚠️ With a daily cap of 0, `/quiz` answers earn no points (the question of the day "
        "still does). For as good as no cap, set `quiz_daily_cap` to 10000."
    )
    async with recall.running():
        plain = (await mod.run("/settings scoring")).embed["description"]
        assert "⚠️" not in plain
        zero = await mod.run("/settings scoring", quiz_daily_cap=0)
        assert note in zero.embed["description"], zero.embed["description"]
        assert note in (await mod.run("/settings scoring")).embed["description"]
        await mod.run("/settings scoring", quiz_daily_cap=10_000)
        assert "⚠️" not in (await mod.run("/settings scoring")).embed["description"]


async def test_leaderboard_reset_starts_a_season_and_keeps_history(recall, emulator):
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 2)
        refused = await alice.run("/leaderboard reset")
        assert refused.ephemeral and refused.content == MOD_REFUSAL

        asked = await mod.run("/leaderboard reset")
        assert asked.ephemeral
        assert asked.message.embeds[0]["title"] == "Start season 2?"
        confirm = asked.message.button("Start season 2").custom_id
        forged = await alice.forge_click(asked.message, confirm)
        assert forged.content.startswith("Only the moderator who asked")
        assert (await bot.store.current_season(guild.id)).number == 1

    async with recall.running(sync=False) as bot:
        done = await mod.click(asked.message, "Start season 2")
        assert done.message.embeds[0]["title"] == "Season 2 has begun"
        assert (await bot.store.current_season(guild.id)).number == 2

        season = await alice.run("/leaderboard show", period="all time")
        assert season.message.embeds[0]["title"] == "🏆 All points · Season 2"
        assert "Nobody has scored here yet" in season.message.embeds[0]["description"]
        week = await alice.run("/leaderboard show")
        assert board_lines(week.message) == ["🥇 **alice** · 4 points"]
        stats = await alice.run("/stats")
        await stats.wait_for_content()
        points = stats.message.embeds[0]["fields"][0]["value"]
        assert "All time: **4** (#1)" in points and "Season 2: **0**" in points


async def test_a_double_clicked_reset_starts_one_season(recall, emulator):
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    async with recall.running() as bot:
        asked = await mod.run("/leaderboard reset")
        first, second = await asyncio.gather(
            mod.click(asked.message, "Start season 2"), mod.click(asked.message, "Start season 2")
        )
        assert (await bot.store.current_season(guild.id)).number == 2
        replies = sorted([first, second], key=lambda r: r.told is not None)
        assert replies[0].message.embeds[0]["title"] == "Season 2 has begun"
        assert replies[1].told == "The leaderboard was already reset: season 2 is running."


async def test_a_member_hidden_after_posting_a_board_pages_it_privately(recall, emulator):
    guild = emulator.add_guild("Study group")
    members = [guild.add_member(f"m{i}") for i in range(12)]
    alice = members[0]
    async with recall.running() as bot:
        for i, m in enumerate(members):
            await score(bot, guild.id, m.id, m.name, 1 + i % 3)
        board = await alice.run("/leaderboard show")
        assert not board.ephemeral and "m0: #" in footer(board.message)
        await alice.run("/privacy hide")
        # the public message is drawn again: her rank leaves its foot, she leaves its lines
        await emulator.wait_until(lambda: "m0" not in footer(board.message))
        assert "Page 1 of 2 · 11 members" in footer(board.message)
        paged = await alice.click(board.message, "Next")
        assert paged.ephemeral and "hidden from the boards" in footer(paged.message)
        assert footer(board.message).startswith("Page 1 of 2")  # not edited by her click
        shown = await alice.run("/privacy show")
        assert shown.content == "You are back on this server's leaderboards."
        again = await alice.run("/privacy show")
        assert again.content == "You are not hidden: you are on the leaderboards whenever you have points."
        paged = await alice.click(board.message, "Next")
        assert paged.response_type == 7 and "Page 2 of 2" in footer(paged.message)


async def test_the_erase_confirmation_names_the_review_cards_and_suggestions_it_deletes(
    recall, emulator
):
    """Erasing also deletes a member's spaced-repetition cards, review settings and
    reminders, and their suggestions: the confirmation says so before they agree."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 1)
        asked = await alice.run("/privacy delete")
        text = asked.message.embeds[0]["description"]
        assert "review cards" in text and "reminders" in text and "suggestions" in text
        assert "question-import previews" in text


async def test_a_double_clicked_erase_reports_what_was_erased(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 3)
        asked = await alice.run("/privacy delete")
        first, second = await asyncio.gather(
            alice.click(asked.message, "Erase my data"), alice.click(asked.message, "Erase my data")
        )
        assert (await bot.store.activity(guild.id, alice.id)).answered == 0
        replies = sorted([first, second], key=lambda r: r.told is None)
        # The confirmation is edited once, with the figures of the erase that did the work;
        # the late click is told privately that nothing was left, not "0 grades are gone".
        assert [r.response_type for r in replies] == [6, 6]
        assert replies[0].told == (
            "Recall holds nothing of yours in this server: there is nothing to erase."
        )
        assert replies[1].told is None
        assert replies[1].message.embeds[0]["title"] == "Your data in this server is erased"
        assert replies[1].message.embeds[0]["description"].startswith("3 grades, every point")


async def test_erasing_takes_the_members_name_off_the_quiz_posts_they_started(recall, emulator):
    guild, alice, bob = study_group(emulator)
    async with recall.running():
        posted = await alice.run("/quiz", channel=guild.general, deck="flask")
        msg = posted.message
        assert footer(msg) == "Asked by alice · 0 members answered"
        if "Reveal answer" in [b.label for b in msg.buttons]:
            revealed = await bob.click(msg, "Reveal answer")
            await bob.click(revealed.message, "Good")
        else:
            await bob.click(msg, msg.buttons[0].label)
        await emulator.wait_until(lambda: footer(msg) == "Asked by alice · 1 member answered")

        asked = await alice.run("/privacy delete")
        done = await alice.click(asked.message, "Erase my data")
        assert "without your name" in done.message.embeds[0]["description"]
        # The post stays for bob, but the channel no longer shows who asked it.
        await emulator.wait_until(lambda: footer(msg) == "1 member answered", within=3)


async def test_erasing_takes_the_members_answer_out_of_the_counts_of_posts_they_answered(
    recall, emulator
):
    """A post someone else started counts the members who answered: once a member erased
    their data, their answer is gone, and the count says so without waiting for a click."""
    guild, alice, bob = study_group(emulator)
    async with recall.running():
        posted = await bob.run("/quiz", channel=guild.general, deck="flask")
        msg = posted.message
        if "Reveal answer" in [b.label for b in msg.buttons]:
            revealed = await alice.click(msg, "Reveal answer")
            await alice.click(revealed.message, "Good")
        else:
            await alice.click(msg, msg.buttons[0].label)
        await emulator.wait_until(lambda: footer(msg) == "Asked by bob · 1 member answered")

        asked = await alice.run("/privacy delete")
        await alice.click(asked.message, "Erase my data")
        await emulator.wait_until(
            lambda: footer(msg) == "Asked by bob · 0 members answered", within=3
        )


async def test_an_erased_members_suggestion_number_is_not_given_to_the_next_one(recall, emulator):
    from test_e2e_suggest import open_suggestions, suggest

    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    review = guild.add_channel("review")
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        await suggest(alice, 1)
        [stale] = emulator.channel_messages(review)
        asked = await alice.run("/privacy delete")
        await alice.click(asked.message, "Erase my data")
        # The review message of alice's erased suggestion has no buttons left to act on
        # whatever suggestion takes its number.
        await emulator.wait_until(lambda: stale.buttons == [], within=3)

        sent = await suggest(bob, 2)
        assert "Suggestion #2 " in sent.content  # #1 was alice's, and stays hers alone
        [waiting] = await bot.store.member_suggestions(guild.id, bob.id)
        assert waiting.state == "pending"


async def test_erasing_takes_the_member_and_their_text_off_their_suggestions_review_posts(
    recall, emulator
):
    """The review channel's posts of an erased member's suggestions no longer show who
    suggested them nor what, and have no buttons left that act on nothing."""
    from test_e2e_suggest import form, open_suggestions, suggest

    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    review = guild.add_channel("review")
    async with recall.running():
        await open_suggestions(mod, review)
        await suggest(alice, 1)
        await suggest(alice, 2)
        await suggest(bob, 3)
        first, second, bobs = emulator.channel_messages(review)
        await mod.click(second, "Approve")
        assert "✅ Approved" in str(second.embeds[0])

        asked = await alice.run("/privacy delete")
        await alice.click(asked.message, "Erase my data")

        def erased(message) -> bool:
            text = str(message.embeds[0])
            return (
                message.buttons == []
                and str(alice.id) not in text
                and "Suggested by" not in text
                and form(1)["prompt"] not in text
                and form(2)["prompt"] not in text
            )

        await emulator.wait_until(lambda: erased(first) and erased(second), within=3)
        assert first.embeds[0]["title"] == "Suggestion #1 for Team Flask"
        assert "erased" in first.embeds[0]["description"]
        assert "question #" in second.embeds[0]["description"]  # the question it became stays
        # Bob's suggestion is untouched.
        assert f"<@{bob.id}>" in str(bobs.embeds[0])
        assert [b.label for b in bobs.buttons] == ["Approve", "Edit and approve", "Reject"]


async def test_a_suggestion_post_the_stop_left_showing_an_erased_member_is_cleared_by_a_click(
    recall, emulator
):
    """The erase is saved, but the bot stopped before the review post was drawn again (its
    edit held up by Discord), and Discord fails the next start's clearing edit too: a
    moderator's click on the post, whose suggestion is gone, takes the member and their
    text off it, and its buttons."""
    from test_e2e_suggest import form, open_suggestions, suggest

    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    alice = guild.add_member("alice")
    review = guild.add_channel("review")
    async with recall.running():
        await open_suggestions(mod, review)
        await suggest(alice, 1)
        [post] = emulator.channel_messages(review)
        emulator.faults.add("PATCH", rf"^/channels/{review.id}/messages/{post.id}$",
                            status=429, retry_after=30.0)
        asked = await alice.run("/privacy delete")
        await alice.click(asked.message, "Erase my data")
        await emulator.wait_until(lambda: emulator.faults.active == [])
    assert form(1)["prompt"] in str(post.embeds[0])  # the stop cut the redraw short
    emulator.faults.add("PATCH", rf"^/channels/{review.id}/messages/{post.id}$",
                        status=503, times=None)
    async with recall.running(sync=False):
        await emulator.wait_until(lambda: len(emulator.faults.fired) >= 2)  # the start's try
        await mod.click(post, "Approve")
        text = str(post.embeds[0])
        assert post.buttons == [], post.buttons
        assert str(alice.id) not in text and form(1)["prompt"] not in text, text
        assert post.embeds[0]["title"] == "Suggestion #1 for Team Flask"
        assert "erased" in post.embeds[0]["description"]


async def test_erasing_takes_the_name_off_a_quiz_post_nobody_answered_yet(recall, emulator):
    """A /quiz post no one has clicked yet: Recall has not learnt its message from a click,
    and the message must still lose "Asked by" its author when they erase their data."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running():
        posted = await alice.run("/quiz", channel=guild.general, deck="flask")
        msg = posted.message
        assert footer(msg) == "Asked by alice · 0 members answered"

        asked = await alice.run("/privacy delete")
        done = await alice.click(asked.message, "Erase my data")
        assert "without your name" in done.message.embeds[0]["description"]
        await emulator.wait_until(lambda: footer(msg) == "0 members answered", within=3)


async def test_stats_of_a_single_answer_say_answer_not_answers(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 1)
        result = await alice.run("/stats")
        await result.wait_for_content()
        fields = {f["name"]: f["value"] for f in result.message.embeds[0]["fields"]}
        assert fields["Answered"] == "**1** answer\n**1** different question"


async def test_a_member_with_no_points_is_not_ranked_on_the_boards(recall, emulator):
    """A wrong answer worth 0 points (a server's choice) scores nothing: the member is not
    put on the board, let alone first, and their stats give them no rank."""
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await mod.run("/settings scoring", quiz_wrong=0)
        [row] = await bot.store._fetchall("SELECT id FROM questions ORDER BY id LIMIT 1")
        await bot.store.record_attempt(
            AttemptRequest(guild.id, bob.id, "bob", None, row["id"], "quiz", 1, True, False, 1)
        )
        board = await alice.run("/leaderboard show")
        assert "Nobody has scored here yet" in board.message.embeds[0]["description"]
        assert "Page 1 of 1 · 0 members" in footer(board.message)
        mine = await bob.run("/leaderboard show", board="quiz")
        assert "bob has no points here yet." in footer(mine.message)
        stats = await bob.run("/stats")
        await stats.wait_for_content()
        points = stats.message.embeds[0]["fields"][0]["value"]
        assert points == "This week: **0**\nThis month: **0**\nAll time: **0**"

        await score(bot, guild.id, alice.id, "alice", 1)
        board = await bob.run("/leaderboard show")
        assert board_lines(board.message) == ["🥇 **alice** · 2 points"]
        assert "Page 1 of 1 · 1 member ·" in footer(board.message)


async def test_a_hidden_member_who_erases_their_data_stays_hidden(recall, emulator):
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 2)
        await alice.run("/privacy hide")
        asked = await alice.run("/privacy delete")
        done = await alice.click(asked.message, "Erase my data")
        assert "stay hidden from the boards" in done.message.embeds[0]["description"]
        assert await bot.store.member_name(guild.id, alice.id) is None
        assert (await bot.store.erase_member(guild.id, alice.id)).rows == 0  # nothing left

        # Answering again does not put them back on the boards, nor their stats in view.
        await score(bot, guild.id, alice.id, "alice", 1)
        await score(bot, guild.id, bob.id, "bob", 1)
        board = await bob.run("/leaderboard show")
        assert board_lines(board.message) == ["🥇 **bob** · 2 points"]
        refused = await bob.run("/stats", member=alice)
        assert refused.ephemeral and "keeps their stats private" in refused.content
        shown = await alice.run("/privacy show")
        assert shown.content == "You are back on this server's leaderboards."
        board = await bob.run("/leaderboard show")
        assert [line.split(" · ")[0] for line in board_lines(board.message)] == [
            "🥇 **alice**",
            "🥈 **bob**",
        ]


async def test_privacy_delete_with_nothing_stored_says_so_without_asking(recall, emulator):
    """Nothing to erase: the member is told at once, with no confirmation to click."""
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        nothing = await alice.run("/privacy delete")
        assert nothing.ephemeral and not nothing.message.components
        assert nothing.content == (
            "Recall holds nothing of yours in this server: there is nothing to erase."
        )
        # Hidden, then erased: only the choice to stay hidden is left, which is not data.
        await alice.run("/privacy hide")
        asked = await alice.run("/privacy delete")
        assert asked.message.components, "a hidden member's name is data: confirm first"
        await alice.click(asked.message, "Erase my data")
        again = await alice.run("/privacy delete")
        assert again.content.startswith("Recall holds nothing of yours")
        assert not again.message.components
        # Data in another server does not count here; a grade here does.
        await score(bot, guild.id + 1, bob.id, "bob", 1)
        assert (await bob.run("/privacy delete")).content.startswith("Recall holds nothing")
        await score(bot, guild.id, bob.id, "bob", 1)
        asked = await bob.run("/privacy delete")
        assert asked.message.components and asked.message.embeds[0]["title"].startswith("Erase")


async def test_a_zone_typed_as_recall_names_it_is_taken(recall, emulator):
    """Recall names some zones with what they really are: "Etc/GMT+2 (UTC-2)", "EST (UTC-5
    all year, no daylight saving)", in its replies and in the choices offered. Typed back as
    shown (copied from /settings timezone into /qotd setup, say), that name was refused
    as an unknown zone and, as it was typed, the choices offered emptied. It is taken as
    that zone and offered while typed; a label with another offset is still refused."""
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    async with recall.running() as bot:
        for label, zone in (
            ("Etc/GMT+2 (UTC-2)", "Etc/GMT+2"),
            ("EST (UTC-5 all year, no daylight saving)", "EST"),
        ):
            offered = await mod.autocomplete("/settings timezone", "zone", label.lower())
            assert [c["value"] for c in offered] == [zone], offered
            done = await mod.run("/settings timezone", zone=label)
            await done.wait_for_content()
            assert done.content.startswith(f"Time zone set to **{label}**."), done.content
            assert (await bot.store.settings_for(guild.id)).timezone == zone
        wrong = await mod.run("/settings timezone", zone="Etc/GMT+2 (UTC+2)")
        assert wrong.content.startswith("Unknown time zone 'Etc/GMT+2 (UTC+2)'"), wrong.content
        assert (await bot.store.settings_for(guild.id)).timezone == "EST"


async def test_quiz_points_over_the_daily_cap_are_pointed_out(recall, emulator):
    """A /quiz answer can earn no more than the daily cap: with quiz_right set to 50 and the
    cap at 30, a right answer earns 30 and then nothing more that day, yet the moderator
    was shown "quiz_right: **50**" as if it would be earned. The reply says which values
    are over the cap and what such an answer earns."""
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    async with recall.running():
        done = await mod.run("/settings scoring", quiz_right=50)
        text = done.embed["description"]
        assert (
            "⚠️ `quiz_right` (50) is more than the daily cap of 30: such a `/quiz` answer "
            "earns 30, and no more `/quiz` points that day. Raise `quiz_daily_cap` or lower it."
        ) in text, text
        assert "⚠️" in (await mod.run("/settings scoring")).embed["description"]
        both = await mod.run("/settings scoring", quiz_self=40, quiz_daily_cap=35)
        assert (
            "⚠️ `quiz_self` (40) and `quiz_right` (50) are more than the daily cap of 35: "
            "such a `/quiz` answer earns 35"
        ) in both.embed["description"], both.embed["description"]
        # at the cap is not over it; the question of the day is not capped
        await mod.run("/settings scoring", quiz_self=35, quiz_right=35, qotd_right=100)
        assert "⚠️" not in (await mod.run("/settings scoring")).embed["description"]


async def test_scoring_refuses_a_wrong_answer_worth_more_than_a_right_one(recall, emulator):
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    async with recall.running() as bot:
        refused = await mod.run("/settings scoring", quiz_wrong=5)  # a right one earns 3
        assert refused.ephemeral
        assert refused.content == (
            "A wrong multiple-choice /quiz answer can't earn more than a right one: "
            "quiz_wrong would be 5 and quiz_right 3. Lower quiz_wrong or raise quiz_right."
        )
        refused = await mod.run("/settings scoring", qotd_right=1)  # a wrong one earns 2
        assert "qotd_wrong would be 2 and qotd_right 1" in refused.content
        assert (await bot.store.settings_for(guild.id)).scoring.qotd_right == 6

        both = await mod.run("/settings scoring", quiz_right=8, quiz_wrong=5)
        assert both.message.embeds[0]["title"] == "Scoring updated"
        none = await mod.run("/settings scoring", quiz_right=0, quiz_wrong=0)
        assert none.message.embeds[0]["title"] == "Scoring updated"
        rules = (await bot.store.settings_for(guild.id)).scoring
        assert (rules.quiz_right, rules.quiz_wrong, rules.qotd_right) == (0, 0, 6)


async def test_a_setting_given_its_current_value_says_nothing_changed(recall, emulator):
    """Giving /settings timezone, mod-role or review-channel the value already set writes
    nothing and says so, instead of announcing a change."""
    recall.clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    role = guild.add_role("Quiz mods")
    review = guild.add_channel("review")
    async with recall.running() as bot:
        await mod.run("/settings timezone", zone="Europe/London")
        await mod.run("/settings mod-role", role=role)
        await mod.run("/settings review-channel", options={"channel": review})
        before = await bot.store._fetchall(
            "SELECT key, value, updated_at FROM guild_settings WHERE guild_id = ? ORDER BY key",
            (guild.id,),
        )
        recall.clock.advance(minutes=5)

        same_zone = await mod.run("/settings timezone", zone="europe/london")
        assert same_zone.ephemeral
        assert same_zone.content == (
            "The time zone is already **Europe/London**; nothing changed."
        )
        same_role = await mod.run("/settings mod-role", role=role)
        assert same_role.content == (
            f"{role.mention} is already the quiz-moderator role; nothing changed."
        )
        same_channel = await mod.run("/settings review-channel", options={"channel": review})
        assert same_channel.content == (
            f"Suggestions are already reviewed in {review.mention}; nothing changed."
        )
        after = await bot.store._fetchall(
            "SELECT key, value, updated_at FROM guild_settings WHERE guild_id = ? ORDER BY key",
            (guild.id,),
        )
        assert [tuple(r) for r in after] == [tuple(r) for r in before]

        await mod.run("/settings mod-role", clear=True)
        await mod.run("/settings review-channel", clear=True)
        no_role = await mod.run("/settings mod-role", clear=True)
        assert no_role.content == "No quiz-moderator role is set; nothing changed."
        no_channel = await mod.run("/settings review-channel", clear=True)
        assert no_channel.content == "No review channel is set; nothing changed."


async def test_an_etc_gmt_time_zone_is_shown_with_the_offset_it_really_has(recall, emulator):
    """Etc/GMT+2 is two hours behind UTC: autocomplete offers it as "Etc/GMT+2 (UTC-2)", but
    /settings timezone said only "Time zone set to **Etc/GMT+2**", so a moderator who took it
    for UTC+2 had days and weeks four hours off with nothing to tell them."""
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    async with recall.running():
        done = await mod.run("/settings timezone", zone="Etc/GMT+2")
        await done.settled()
        assert done.ephemeral
        assert (done.told or "").startswith("Time zone set to **Etc/GMT+2 (UTC-2)**."), done
        shown = await mod.run("/settings timezone")
        assert shown.content.startswith("This server's time zone is **Etc/GMT+2 (UTC-2)**.")
        again = await mod.run("/settings timezone", zone="etc/gmt+2")
        assert again.content == "The time zone is already **Etc/GMT+2 (UTC-2)**; nothing changed."


async def test_an_empty_board_says_what_puts_a_member_on_it(recall, emulator):
    """/quiz points never reach the question-of-the-day board, so its empty board must not
    send members to /quiz."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running():
        qotd = await alice.run("/leaderboard show", board="qotd")
        text = qotd.message.embeds[0]["description"]
        assert text == "Nobody has scored here yet. Answer the question of the day to be the first!"
        quiz = await alice.run("/leaderboard show", board="quiz")
        text = quiz.message.embeds[0]["description"]
        assert text == "Nobody has scored here yet. Answer a `/quiz` to be the first!"
        every = await alice.run("/leaderboard show")
        text = every.message.embeds[0]["description"]
        assert text == (
            "Nobody has scored here yet. Answer a `/quiz` or the question of the day to be "
            "the first!"
        )


async def test_member_names_with_markdown_show_as_typed_in_stats_and_boards(recall, emulator):
    guild = emulator.add_guild("Study group")
    starry, bob = guild.add_member("*x*"), guild.add_member("bob")
    async with recall.running() as bot:
        await score(bot, guild.id, starry.id, starry.name, 2)
        await score(bot, guild.id, bob.id, "bob", 1)
        board = await bob.run("/leaderboard show")
        assert board_lines(board.message)[0].startswith("🥇 **\\*x\\*** · 4 points")
        stats = await bob.run("/stats", member=starry)
        await stats.wait_for_content()
        assert stats.message.embeds[0]["title"] == "Stats: \\*x\\*"
        await starry.run("/privacy hide")
        refused = await bob.run("/stats", member=starry)
        assert refused.ephemeral
        assert refused.content.startswith("\\*x\\* keeps their stats private"), refused.content


async def test_member_names_that_look_like_mentions_show_as_text_on_boards(recall, emulator):
    """A display name such as ``<@id>`` or ``@everyone`` is shown as typed, not as a mention
    of another member (which Discord would draw as that member's name)."""
    guild = emulator.add_guild("Study group")
    mimic, crowd, bob = (
        guild.add_member("<@123456789012345678>"),
        guild.add_member("@everyone"),
        guild.add_member("bob"),
    )
    async with recall.running() as bot:
        await score(bot, guild.id, mimic.id, mimic.name, 3)
        await score(bot, guild.id, crowd.id, crowd.name, 2)
        board = await bob.run("/leaderboard show")
        first, second = board_lines(board.message)[:2]
        assert first.startswith("🥇 **\\<@\u200b123456789012345678>** · "), first
        assert second.startswith("🥈 **@\u200beveryone** · "), second
        stats = await bob.run("/stats", member=mimic)
        await stats.wait_for_content()
        assert stats.message.embeds[0]["title"] == "Stats: \\<@\u200b123456789012345678>"


async def test_stats_answers_within_three_seconds_when_its_picture_is_slow(
    recall, emulator, monkeypatch
):
    """/stats reads the member's standings and draws a chart before it can show them: it
    answers Discord at once and fills the answer in, however long the drawing takes."""
    import time

    import bot.stats as drawing

    draw = drawing.render_weeks_png

    def slow_draw(*args, **kwargs):
        time.sleep(emulator.ack_deadline + 0.3)  # a busy machine
        return draw(*args, **kwargs)

    # Before the bot starts: loading the cog imports the drawing from bot.stats.
    monkeypatch.setattr(drawing, "render_weeks_png", slow_draw)
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 2)
        result = await alice.run("/stats")
        await result.wait_for_content()
        assert result.deferred and not result.error_codes, result
        message = await result.wait_for_content(within=10)
        assert not message.ephemeral
        assert message.embeds[0]["title"] == "Stats: alice"
        assert [a.filename for a in message.attachments] == ["weeks.png"]


@pytest.mark.allow_error_logs
async def test_stats_that_fail_after_answering_tell_the_member_privately(recall, emulator):
    """/stats answers Discord at once in public; if reading the figures then fails (a busy
    database), the public "thinking" message goes and the member alone is told why."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 2)

        async def busy(*args, **kwargs):
            raise StoreError("database is locked", "busy")

        bot.store.qotd_record = busy
        result = await alice.run("/stats")
        told = await result.wait_for_followup()
        assert told.ephemeral and "busy" in told.content, told.content
        assert result.message is None or result.message.deleted
        assert [m for m in emulator.channel_messages(guild.general) if not m.ephemeral] == []


async def test_a_board_in_the_channel_names_the_asker_instead_of_saying_you(recall, emulator):
    """Everyone in the channel reads a board posted there: its foot and marker name the
    member who asked, where "You: #2" or "You have no points here yet" would be read by
    each reader as about themselves. Copies only one member sees still say "you"."""
    guild = emulator.add_guild("Study group")
    alice, bob, carol = (guild.add_member(n) for n in ("alice", "bob", "carol"))
    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 3)
        await score(bot, guild.id, bob.id, "bob", 2)
        for i in range(10):  # a second page
            await score(bot, guild.id, 1000 + i, f"old{i}", 1)
        board = await bob.run("/leaderboard show")
        assert not board.ephemeral
        assert board_lines(board.message)[:2] == [
            "🥇 **alice** · 6 points",
            "🥈 **bob** · 4 points",
        ]
        assert footer(board.message).startswith("bob: #2 with 4 points.\n")
        assert "You" not in footer(board.message)

        paged = await bob.click(board.message, "Next")  # the asker's own page click
        assert paged.response_type == 7
        assert footer(board.message).startswith("bob: #2 with 4 points.\n")

        theirs = await alice.click(board.message, "Previous")  # a copy for alice alone
        assert theirs.ephemeral
        assert board_lines(theirs.message)[0] == "🥇 **alice** · 6 points ← you"
        assert footer(theirs.message).startswith("You: #1 with 6 points.\n")

        nothing = await carol.run("/leaderboard show")
        assert not nothing.ephemeral
        assert footer(nothing.message).startswith("carol has no points here yet.\n")

        await alice.run("/privacy hide")
        private = await alice.run("/leaderboard show")
        assert private.ephemeral
        assert footer(private.message).startswith(
            "You: 6 points, hidden from the boards (/privacy show).\n"
        )


async def test_a_hidden_member_with_no_points_on_a_board_is_not_told_of_in_the_channel(
    recall, emulator
):
    """A member hidden from the boards keeps their points out of the channel, none too: a
    board they ask for, or page, where they have no points is shown to them alone."""
    guild = emulator.add_guild("Study group")
    alice, carol = guild.add_member("alice"), guild.add_member("carol")
    async with recall.running() as bot:
        for i in range(11):  # two pages
            await score(bot, guild.id, 1000 + i, f"old{i}", 1)
        board = await carol.run("/leaderboard show")
        assert not board.ephemeral and footer(board.message).startswith("carol has no points")
        await carol.run("/privacy hide")
        shown = await carol.run("/leaderboard show", board="qotd")
        assert shown.ephemeral
        assert footer(shown.message).startswith(
            "You have no points here yet. You are hidden from the boards (/privacy show).\n"
        )
        paged = await carol.click(board.message, "Next")
        assert paged.ephemeral and "hidden from the boards" in footer(paged.message)
        # the message in the channel no longer tells of her at its foot
        await emulator.wait_until(lambda: footer(board.message).startswith("Page 1 of 2"))
        await alice.run("/privacy hide")  # hidden with no data at all
        assert (await alice.run("/leaderboard show")).ephemeral


async def test_a_board_paged_after_its_week_is_over_says_it_ended(recall, emulator):
    """The buttons keep the week they were drawn for: paged on Monday, last week's board says
    it has ended (as an ended season's does), and the foot does not say "yet" of it."""
    recall.clock = FixedClock(datetime(2026, 11, 29, 20, 0, tzinfo=UTC))  # a Sunday
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        for i in range(11):
            await score(bot, guild.id, 1000 + i, f"old{i}", 1)
        board = await alice.run("/leaderboard show")
        assert board.message.embeds[0]["title"] == "🏆 All points · Week of 23 Nov 2026"
        assert footer(board.message).startswith("alice has no points here yet.\n")

        recall.clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))  # Monday
        await alice.click(board.message, "Next")
        assert board.message.embeds[0]["title"] == "🏆 All points · Week of 23 Nov 2026 (ended)"
        assert footer(board.message).startswith("alice had no points here.\n")
        theirs = await bob.click(board.message, "Previous")
        assert theirs.message.embeds[0]["title"].endswith("(ended)")
        assert footer(theirs.message).startswith("You had no points here.\n")

        now = await alice.run("/leaderboard show")
        assert now.message.embeds[0]["title"] == "🏆 All points · Week of 30 Nov 2026"


async def test_stats_say_what_a_tags_share_is_a_share_of(recall, emulator):
    """"`routing` 100% of 3" left the reader to guess: the share is of the member's answers
    with that tag that went well (right, or graded Good or Easy)."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 3)  # graded Good
        result = await alice.run("/stats")
        await result.wait_for_content()
        fields = {f["name"]: f["value"] for f in result.message.embeds[0]["fields"]}
        lines = fields["Strongest tags"].splitlines()
        assert lines and all(
            re.fullmatch(r"`[^`]+` \d+% of \d+ answers? went well", line) for line in lines
        ), lines


# -- boards and /stats already in a channel, after a member hides or erases -----------------


def names_on(message) -> list[str]:
    return [line.split("**")[1] for line in board_lines(message) if "**" in line]


async def until(check, within: float = 5.0) -> None:
    """Wait until the database check ``check()`` is true (background work writes it)."""
    for _ in range(round(within / 0.02)):
        if await check():
            return
        await asyncio.sleep(0.02)
    assert await check()


def nothing_waits(bot):
    async def check() -> bool:
        return not await bot.store.shown_to_redraw()

    return check


async def test_boards_and_stats_asked_for_where_recall_cannot_see_come_privately(
    recall, emulator
):
    """A reply to a command goes up where Recall lacks View Channel, but no later edit can
    reach it: a board or stats posted there kept naming a member who hid or erased their
    data. The asker gets them privately instead, told why and how to fix it."""
    guild = emulator.add_guild("Study group")
    alice, bob, carol = (guild.add_member(n) for n in ("alice", "bob", "carol"))
    chan = guild.general
    async with recall.running() as bot:
        await alice_ahead_of_bob(bot, guild, alice, bob)
        for i in range(11):  # a second page
            await score(bot, guild.id, 2000 + i, f"old{i:02d}", 1)
        chan.revoke_bot_permission(discord.Permissions(view_channel=True).value)
        await emulator.settle()
        why = (
            f"Shown to you only: Recall can't see <#{chan.id}> (it lacks **View Channel** "
            "there), so {what} posted there could not be drawn again without a member who "
            "hides or erases their data later. A moderator can give Recall View Channel "
            "(channel settings → Permissions → Recall) to post {kinds} there."
        )
        board = await bob.run("/leaderboard show")
        assert board.ephemeral, "a board Recall could never draw again went up in the channel"
        assert board.content == why.format(what="a board", kinds="boards"), board.content
        assert names_on(board.message)[:2] == ["alice", "bob"]
        assert "You: #2 with 2 points." in footer(board.message)  # the asker's own copy
        nxt = await bob.click(board.message, "Next")
        assert "Page 2 of 2" in footer(nxt.message)
        stats = await carol.run("/stats", member=alice)
        shown = await stats.wait_for_content()
        assert stats.ephemeral and shown.attachments
        assert shown.content == why.format(what="stats", kinds="stats"), shown.content
        assert emulator.channel_messages(chan) == []
        assert await bot.store._fetchall("SELECT message_id FROM shown_messages") == []

        # A board posted while Recall could see: paged after it lost View Channel, the page
        # comes privately too, and the posted board stays as it was.
        chan.set_permissions(guild.me)
        await emulator.settle()
        posted = (await bob.run("/leaderboard show")).message
        chan.revoke_bot_permission(discord.Permissions(view_channel=True).value)
        await emulator.settle()
        paged = await bob.click(posted, "Next")
        assert paged.ephemeral and paged.content == why.format(what="a page", kinds="boards")
        assert "Page 2 of 2" in footer(paged.message)
        assert "Page 1 of 2" in footer(posted)


async def test_boards_and_stats_in_the_channel_drop_a_member_who_hides(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice, bob, carol = (guild.add_member(n) for n in ("alice", "bob", "carol"))
    async with recall.running() as bot:
        await alice_ahead_of_bob(bot, guild, alice, bob)
        bobs = (await bob.run("/leaderboard show")).message  # names alice and bob
        alices = (await alice.run("/leaderboard show", period="month")).message
        assert names_on(bobs) == names_on(alices) == ["alice", "bob"]
        assert "alice: #1 with 6 points." in footer(alices)
        stats = await carol.run("/stats", member=alice)
        await stats.wait_for_content()
        assert not stats.ephemeral and stats.message.attachments

        await alice.run("/privacy hide")
        await emulator.wait_until(lambda: names_on(bobs) == ["bob"] and names_on(alices) == ["bob"])
        assert "bob: #1 with 2 points." in footer(bobs)
        # alice asked for this one: its foot no longer shows her points either
        assert "alice" not in footer(alices) and footer(alices).startswith("Page 1 of 1")
        await emulator.wait_until(lambda: not stats.message.attachments)
        assert stats.message.embeds[0]["description"] == (
            "These stats were taken down by the member they belong to."
        )
        assert "image" not in stats.message.embeds[0]
        # nothing is left waiting
        await until(nothing_waits(bot))
        # a member showing again is back on boards asked for from then on
        await alice.run("/privacy show")
        assert names_on((await bob.run("/leaderboard show")).message) == ["alice", "bob"]


@pytest.mark.parametrize("how", ["hides", "erases"])
async def test_stats_a_member_hides_from_while_they_are_drawn_are_taken_down(
    recall, emulator, monkeypatch, how
):
    """/stats about alice, still drawing its picture when she hid: the hide found no message
    naming her to draw again, and once the stats went up and were noted as naming a hidden
    member, they waited to be drawn again with nothing to start it (until another member hid
    or erased their data, or the bot restarted): her points stayed in the channel. Erased
    meanwhile, they were noted as any stats are, and stayed for good."""
    import threading

    import bot.stats as drawing

    draw = drawing.render_weeks_png
    gate = threading.Event()

    def held_draw(*args, **kwargs):
        gate.wait(10)
        return draw(*args, **kwargs)

    # Before the bot starts: loading the cog imports the drawing from bot.stats.
    monkeypatch.setattr(drawing, "render_weeks_png", held_draw)
    guild = emulator.add_guild("Study group")
    alice, carol = guild.add_member("alice"), guild.add_member("carol")
    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 2)
        stats = await carol.run("/stats", member=alice)  # answered, still drawing
        if how == "hides":
            await alice.run("/privacy hide")
        else:
            await erase(alice)
        cog = bot.get_cog("Leaderboard")
        await until(nothing_waits(bot))
        await until(lambda: asyncio.sleep(0, cog._redraw_task is None or cog._redraw_task.done()))
        gate.set()
        shown = await stats.wait_for_content()
        assert not shown.ephemeral
        await emulator.wait_until(lambda: not stats.message.attachments)
        assert stats.message.embeds[0]["description"] == (
            "These stats were taken down by the member they belong to."
        )
        await until(nothing_waits(bot))
        if how == "erases":  # nothing of hers is left, the note of these stats included
            assert not await bot.store.holds_member_data(guild.id, alice.id)


async def test_a_board_naming_a_member_who_erases_while_it_is_sent_is_drawn_again(
    recall, emulator, monkeypatch
):
    """A board read just before alice erased her data, and noted once Discord had taken it:
    the erase found no message naming her to draw again, and the board was noted as any
    board is, so her name and points stayed in the channel for good."""
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        await alice_ahead_of_bob(bot, guild, alice, bob)
        read, read_done, go_on = bot.store.board_view, asyncio.Event(), asyncio.Event()

        async def held_view(*args, **kwargs):
            view = await read(*args, **kwargs)
            if not read_done.is_set():  # the first board only: the one being sent
                read_done.set()
                await go_on.wait()
            return view

        monkeypatch.setattr(bot.store, "board_view", held_view)
        asked = asyncio.create_task(bob.run("/leaderboard show"))
        await read_done.wait()
        await erase(alice)
        await until(nothing_waits(bot))
        go_on.set()
        board = (await asked).message
        await emulator.wait_until(lambda: names_on(board) == ["bob"])
        await until(nothing_waits(bot))
        assert "bob: #1 with 2 points." in footer(board)


async def test_stats_that_went_up_are_not_followed_by_a_storage_error_after_them(
    recall, emulator, monkeypatch, caplog
):
    """Once /stats went up in the channel, the database failing as Recall checks whether the
    member erased their data meanwhile is logged, as a failure to note the stats is: the
    member was told that storage failed and to try again, under stats that had gone up."""
    guild = emulator.add_guild("Study group")
    alice, carol = guild.add_member("alice"), guild.add_member("carol")
    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 2)
        answered, calls = bot.store.has_answered, []

        async def failing_after_the_stats(guild_id: int, user_id: int) -> bool:
            calls.append(user_id)
            if len(calls) > 1:
                raise StoreError("The database is busy.", "busy")
            return await answered(guild_id, user_id)

        monkeypatch.setattr(bot.store, "has_answered", failing_after_the_stats)
        with caplog.at_level(logging.WARNING):
            stats = await carol.run("/stats", member=alice)
            await stats.settled()
            await emulator.wait_until(lambda: len(calls) == 2)
            await emulator.settle()
        assert stats.message.attachments and not stats.ephemeral
        assert stats.followups == [], [m.content for m in stats.followups]
        assert any("busy" in r.getMessage() for r in caplog.records if r.name == "cogs.stats")


async def test_erasing_takes_the_member_off_boards_in_the_channel_and_their_id_off_them(
    recall, emulator
):
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        await alice_ahead_of_bob(bot, guild, alice, bob)
        for i in range(10):  # members who left, below bob: a second page
            await bot.store.record_attempt(
                AttemptRequest(guild.id, 5000 + i, f"old{i}", None, 1, "quiz", 3, False, False)
            )
        hers = (await alice.run("/leaderboard show")).message
        bobs = (await bob.run("/leaderboard show", board="quiz")).message
        assert names_on(hers)[:2] == ["alice", "bob"] and "Page 1 of 2" in footer(hers)
        own_stats = await alice.run("/stats")
        await own_stats.wait_for_content()
        assert not own_stats.ephemeral
        asked = await alice.run("/privacy delete")
        await alice.click(asked.message, "Erase my data")
        await emulator.wait_until(lambda: "alice" not in names_on(hers) + names_on(bobs))
        assert names_on(hers)[0] == names_on(bobs)[0] == "bob"
        assert "alice" not in footer(hers)
        await emulator.wait_until(lambda: not own_stats.message.attachments)
        # her id is gone from the buttons of the board she asked for, and from the database
        assert all(str(alice.id) not in (b.custom_id or "") for b in hers.buttons)
        rows = await bot.store._fetchall(
            "SELECT COUNT(*) FROM shown_names WHERE user_id = ?", (alice.id,)
        )
        assert rows[0][0] == 0
        rows = await bot.store._fetchall(
            "SELECT COUNT(*) FROM shown_messages WHERE asker_id = ?", (alice.id,)
        )
        assert rows[0][0] == 0
        # whoever pages her old board now sees it privately, with their own rank
        paged = await bob.click(hers, "Next")
        assert paged.ephemeral and "You: #1 with 2 points." in footer(paged.message)
        assert "Page 2 of 2" in footer(paged.message)
        assert not await bot.store.holds_member_data(guild.id, alice.id)


@pytest.mark.parametrize(("status", "tries"), [(503, 1), (429, 5)])
async def test_a_board_left_to_redraw_by_discord_trouble_is_redrawn_after_a_restart(
    recall, emulator, status, tries
):
    """A 5xx, or a 429 discord.py gives up on after its retries: the board still waits."""
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        await alice_ahead_of_bob(bot, guild, alice, bob)
        board = (await bob.run("/leaderboard show")).message
        path = rf"^/channels/\d+/messages/{board.id}$"
        emulator.faults.add("PATCH", path, status=status, retry_after=0.01, times=None)
        await alice.run("/privacy hide")
        await emulator.wait_until(  # every try of the first edit (discord.py's five, on a 429)
            lambda: sum(p.endswith(f"/{board.id}") for _, p, _ in emulator.faults.fired) >= tries
        )
        await asyncio.sleep(0.2)  # what that edit's failure leads to
        assert names_on(board) == ["alice", "bob"]
        assert [m.message_id for m in await bot.store.shown_to_redraw()] == [board.id]
    emulator.faults.active.clear()
    async with recall.running(sync=False) as bot:
        await emulator.wait_until(lambda: names_on(board) == ["bob"])
        await until(nothing_waits(bot))


async def test_a_board_deleted_from_the_channel_is_forgotten_when_a_member_hides(
    recall, emulator
):
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 3)
        board = (await bob.run("/leaderboard show")).message

        async def noted() -> bool:
            rows = await bot.store._fetchall("SELECT COUNT(*) FROM shown_messages")
            return rows[0][0] == 1

        await until(noted)  # noted once the board is sent
        emulator._delete_message(board)
        await alice.run("/privacy hide")

        async def forgotten() -> bool:
            rows = await bot.store._fetchall("SELECT COUNT(*) FROM shown_messages")
            return rows[0][0] == 0

        await until(forgotten)


async def board_in_archived_thread(bot, emulator, guild, alice, bob, *, locked: bool = False):
    """bob's board, naming alice and bob, posted in a thread that is then archived (and
    locked); returns the thread and the board."""
    thread = emulator._make_thread(guild.general, {"name": "study"}, 11)
    await alice_ahead_of_bob(bot, guild, alice, bob)
    board = (await bob.run("/leaderboard show", channel=thread)).message
    assert names_on(board) == ["alice", "bob"]

    async def noted() -> bool:
        rows = await bot.store._fetchall("SELECT COUNT(*) FROM shown_messages")
        return rows[0][0] == 1

    await until(noted)
    thread.set_thread_state(archived=True, locked=locked)
    return thread, board


def thread_edits(emulator, thread) -> list[int]:
    """The statuses of Recall's requests to change the thread (archive or unarchive it)."""
    return [
        r.status
        for r in emulator.requests
        if r.method == "PATCH" and r.path == f"/channels/{thread.id}"
    ]


async def test_a_board_in_a_thread_archived_since_drops_a_member_who_hides(recall, emulator):
    """Discord refuses any edit in an archived thread: the board kept the name of a member
    who hid for good. The thread is unarchived for the edit, then archived again."""
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        thread, board = await board_in_archived_thread(bot, emulator, guild, alice, bob)
        await alice.run("/privacy hide")
        await emulator.wait_until(lambda: names_on(board) == ["bob"])
        await until(nothing_waits(bot))
        assert thread.archived and not thread.locked
        assert thread_edits(emulator, thread) == [200, 200]  # unarchived, archived again
        assert "bob: #1 with 2 points." in footer(board)


async def test_without_manage_threads_a_board_is_drawn_again_and_its_thread_left_open(
    recall, emulator, caplog
):
    """Recall lacks Manage Threads (the invite does not ask for it), which archiving the
    thread again takes: a member's name coming off the board matters more than the thread
    staying archived. The thread is unarchived (Send Messages is enough for that), the
    board drawn again, and the thread left for Discord to archive once it is inactive."""
    guild, alice, bob = study_group(emulator)
    guild.general.revoke_bot_permission(discord.Permissions(manage_threads=True).value)
    async with recall.running() as bot:
        thread, board = await board_in_archived_thread(bot, emulator, guild, alice, bob)
        with caplog.at_level(logging.INFO):
            await alice.run("/privacy hide")
            await emulator.wait_until(lambda: names_on(board) == ["bob"])
            await until(nothing_waits(bot))
        assert thread_edits(emulator, thread) == [200]  # unarchived, not archived again
        assert not thread.archived
        said = [r.getMessage() for r in caplog.records if str(thread.id) in r.getMessage()]
        assert any("left open" in m and "Manage Threads" in m for m in said), said


@pytest.mark.parametrize("case", ["locked", "refused"])
async def test_a_board_in_an_archived_thread_recall_may_not_reopen_is_left_as_it_is(
    recall, emulator, caplog, case
):
    """A thread a moderator locked stays closed, and one Discord refuses to unarchive is not
    touched: the board is left naming the member, it is said in the log, and it is not
    tried again."""
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        thread, board = await board_in_archived_thread(
            bot, emulator, guild, alice, bob, locked=case == "locked"
        )
        if case == "refused":
            emulator.faults.add("PATCH", rf"^/channels/{thread.id}$", status=403)
        edits = f"/channels/{thread.id}/messages/{board.id}"
        with caplog.at_level(logging.INFO):
            await alice.run("/privacy hide")
            await until(nothing_waits(bot))
            await asyncio.sleep(0.3)  # nothing more is tried
        assert [r.status for r in emulator.requests if r.path == edits] == [400]
        assert thread_edits(emulator, thread) == ([403] if case == "refused" else [])
        assert thread.archived and thread.locked == (case == "locked")
        assert names_on(board) == ["alice", "bob"]
        why = {
            "locked": "it is locked",
            "refused": "Discord refused to unarchive it",
        }[case]
        said = [
            r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and str(board.id) in r.getMessage()
        ]
        assert len(said) == 1 and "archived thread" in said[0] and why in said[0], said


QUIZ_QUESTION = Question(id="t1", prompt="Thread question?", why="Hint",
                         key_points=["point"], answer="Answer.", tags=["daily"])


async def quiz_in_archived_thread(bot, emulator, guild, asker, answerers):
    """A public /quiz ``asker`` posted in a thread, answered by ``answerers``, the thread
    then archived; returns the thread and the post's message."""
    bot.get_cog("Quiz").count_delay = 0.05
    deck_id = await bot.store.create_deck(guild.id, "daily", "Daily deck")
    await bot.store.add_questions(deck_id, [QUIZ_QUESTION])
    thread = emulator._make_thread(guild.general, {"name": "study"}, 11)
    question = (await asker.run("/quiz", channel=thread, deck="daily")).message
    for member in answerers:
        revealed = await member.click(question, "Reveal answer")
        await member.click(revealed.message, "Good")
    answered = f"{len(answerers)} member{'' if len(answerers) == 1 else 's'} answered"
    await emulator.wait_until(lambda: footer(question) == f"Asked by {asker.name} · {answered}")
    thread.set_thread_state(archived=True)
    await emulator.settle()  # the bot has seen the thread archived
    return thread, question


async def erase(member) -> None:
    asked = await member.run("/privacy delete")
    await member.click(asked.message, "Erase my data")


@pytest.mark.parametrize("case", ["asked", "answered", "asked, nobody answered"])
async def test_erasing_redraws_quiz_posts_in_a_thread_archived_since(recall, emulator, case):
    """Discord refuses any edit in an archived thread: a /quiz post there kept "Asked by"
    a member who erased their data, or counted their answer, for good (the count's edit
    waits for the next answer, which an archived thread does not get). The thread is
    unarchived for that edit and archived again; a later answer's count still waits."""
    guild = emulator.add_guild("Study group")
    alice, bob, carol = (guild.add_member(n) for n in ("alice", "bob", "carol"))
    asker, answerers, after = {
        "asked": (alice, [alice, bob], "1 member answered"),
        "answered": (bob, [alice], "Asked by bob · 0 members answered"),
        "asked, nobody answered": (alice, [], "0 members answered"),
    }[case]
    async with recall.running() as bot:
        thread, question = await quiz_in_archived_thread(bot, emulator, guild, asker, answerers)
        await erase(alice)
        await emulator.wait_until(lambda: footer(question) == after, within=3)
        await emulator.wait_until(lambda: thread_edits(emulator, thread) == [200, 200])
        assert thread.archived and not thread.locked

        # An answer given in the archived thread since: its count waits, as before.
        edits = f"/channels/{thread.id}/messages/{question.id}"
        refused = [r.status for r in emulator.requests if r.path == edits].count(400)
        revealed = await carol.click(question, "Reveal answer")
        await carol.click(revealed.message, "Good")
        await emulator.wait_until(
            lambda: [r.status for r in emulator.requests if r.path == edits].count(400)
            == refused + 1
        )
        await asyncio.sleep(0.5)  # ten count delays: not tried again
        assert [r.status for r in emulator.requests if r.path == edits].count(400) == refused + 1
        assert thread_edits(emulator, thread) == [200, 200]
        assert thread.archived
        assert footer(question) == after


async def test_without_manage_threads_an_erased_members_quiz_post_is_drawn_again_all_the_same(
    recall, emulator
):
    """Without Manage Threads the thread cannot be archived again after the edit: it is
    unarchived, the post loses the erased member's name and answer, and the thread is
    left open for Discord to archive once it is inactive."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    guild.general.revoke_bot_permission(discord.Permissions(manage_threads=True).value)
    async with recall.running() as bot:
        thread, question = await quiz_in_archived_thread(bot, emulator, guild, alice, [alice, bob])
        await erase(alice)
        await emulator.wait_until(lambda: footer(question) == "1 member answered", within=3)
        assert thread_edits(emulator, thread) == [200]
        assert not thread.archived

        async def drawn() -> bool:
            return await bot.store.posts_to_redraw() == []

        await until(drawn)


async def test_an_erased_members_quiz_post_in_a_locked_thread_is_left_as_it_is(
    recall, emulator, caplog
):
    """In a thread a moderator locked, the post keeps its text, the log says so once, and
    it is not tried again."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        thread, question = await quiz_in_archived_thread(bot, emulator, guild, alice, [alice, bob])
        thread.set_thread_state(archived=True, locked=True)
        await emulator.settle()
        path, since = f"/channels/{thread.id}/messages/{question.id}", len(emulator.requests)

        def edits() -> list[int]:
            return [r.status for r in emulator.requests[since:] if r.path == path]

        with caplog.at_level(logging.INFO):
            await erase(alice)
            await emulator.wait_until(lambda: edits() == [400])
            await asyncio.sleep(0.5)  # ten count delays: nothing more is tried
        assert edits() == [400]
        assert thread_edits(emulator, thread) == []
        assert thread.archived and thread.locked
        assert footer(question) == "Asked by alice · 2 members answered"
        why = "it is locked"
        said = [
            r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and str(question.id) in r.getMessage()
        ]
        assert len(said) == 1 and "archived thread" in said[0] and why in said[0], said


async def test_a_board_drawn_again_on_its_last_page_stays_on_the_page_it_shows(recall, emulator):
    """A board on its second page, shrunk to one page by a member hiding, was drawn again
    on its first page but remembered as on its second: once the board grew again, the next
    member to hide turned it to page 2 with no one clicking."""
    guild = emulator.add_guild("Study group")
    members = [guild.add_member(f"m{i}") for i in range(11)]
    top, bob = members[0], members[-1]
    async with recall.running() as bot:
        for i, m in enumerate(members):
            await score(bot, guild.id, m.id, m.name, 12 - i)  # m10 last, at #11
        board = (await bob.run("/leaderboard show")).message
        await bob.click(board, "Next")
        assert "Page 2 of 2" in footer(board) and names_on(board) == ["m10"]
        await bob.run("/privacy hide")
        await emulator.wait_until(lambda: "Page 1 of 1" in footer(board))
        await until(nothing_waits(bot))
        await bob.run("/privacy show")
        newcomer = guild.add_member("new")
        await score(bot, guild.id, newcomer.id, "new", 1)  # 12 on the board
        await top.run("/privacy hide")
        await emulator.wait_until(lambda: "m0" not in names_on(board))
        assert "Page 1 of 2 · 11 members" in footer(board), footer(board)
        assert names_on(board)[0] == "m1"


async def test_a_member_whose_id_is_on_a_posted_boards_buttons_can_erase_it(recall, emulator):
    """Bob asked for a board with no points of his own; drawn again after another member
    hid, its foot no longer named him, but its buttons still carried his id, and
    /privacy delete told him Recall held nothing of his in the server."""
    guild = emulator.add_guild("Study group")
    alice, bob, carol = (guild.add_member(n) for n in ("alice", "bob", "carol"))
    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 3)
        await score(bot, guild.id, carol.id, "carol", 2)
        board = (await bob.run("/leaderboard show")).message
        assert footer(board).startswith("bob has no points here yet.")
        await alice.run("/privacy hide")
        await emulator.wait_until(lambda: names_on(board) == ["carol"])
        assert footer(board).startswith("Page 1 of 1")
        assert any(str(bob.id) in (b.custom_id or "") for b in board.buttons)
        asked = await bob.run("/privacy delete")
        assert not asked.content.startswith("Recall holds nothing"), asked.content
        assert asked.message.embeds[0]["title"] == "Erase your data in this server?"
        await bob.click(asked.message, "Erase my data")
        await emulator.wait_until(
            lambda: all(str(bob.id) not in (b.custom_id or "") for b in board.buttons)
        )
        assert names_on(board) == ["carol"]
        assert not await bot.store.holds_member_data(guild.id, bob.id)


async def test_stats_never_round_a_share_up_to_all_or_down_to_none(recall, emulator):
    """199 right answers of 200 read "100% right", as if none had gone wrong, and their tags
    "100% of 200 answers went well"; one right of 201 read "0%"."""
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        row = await bot.store._fetchone(
            "SELECT question_id FROM question_tags ORDER BY question_id LIMIT 1"
        )
        question = row[0]
        tags = await bot.store._fetchall(
            "SELECT tag FROM question_tags WHERE question_id = ? ORDER BY tag", (question,)
        )
        for i in range(200):  # the first one wrong
            await bot.store.record_attempt(
                AttemptRequest(guild.id, alice.id, "alice", None, question, "quiz", 3, True, i > 0, 0)
            )
        for i in range(201):  # the first one right
            await bot.store.record_attempt(
                AttemptRequest(guild.id, bob.id, "bob", None, question, "quiz", 3, True, i == 0, 0)
            )

        def fields(result) -> dict[str, str]:
            return {f["name"]: f["value"] for f in result.message.embeds[0]["fields"]}

        result = await alice.run("/stats")
        await result.wait_for_content()
        assert fields(result)["Multiple choice"] == "**99%** right (199 of 200)"
        assert fields(result)["Strongest tags"].splitlines() == [
            f"`{t[0]}` 99% of 200 answers went well" for t in tags[:3]
        ]

        result = await bob.run("/stats")
        await result.wait_for_content()
        assert fields(result)["Multiple choice"] == "**1%** right (1 of 201)"
        assert fields(result)["Weakest tags"].splitlines() == [
            f"`{t[0]}` 1% of 201 answers went well" for t in tags[:3]
        ]


async def test_coming_back_after_an_erase_while_hidden_leaves_nothing_to_erase(recall, emulator):
    """Hidden, erased, then back on the boards: nothing of the member is kept. /privacy delete
    offered an erase all the same, which reported "0 grades, every point you had here ... are
    gone"."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 2)
        await alice.run("/privacy hide")
        asked = await alice.run("/privacy delete")
        await alice.click(asked.message, "Erase my data")
        shown = await alice.run("/privacy show")
        assert shown.content == "You are back on this server's leaderboards."
        assert not await bot.store.member_hidden(guild.id, alice.id)
        assert not await bot.store.holds_member_data(guild.id, alice.id)
        again = await alice.run("/privacy delete")
        assert again.content.startswith("Recall holds nothing of yours")
        assert not again.message.components
        # Hiding again keeps the choice, with the name they have now.
        await alice.run("/privacy hide")
        assert await bot.store.member_hidden(guild.id, alice.id)
        assert await bot.store.member_name(guild.id, alice.id) == "alice"


async def test_my_rank_opens_the_page_of_the_member_who_clicks(recall, emulator):
    """On a busy board the foot said "alice: #17" with no way to her line but Next, page by
    page. My rank opens the page of whoever clicks it: the asker's board turns to it, another
    member gets a copy at their own page; one with no place on the board is told why."""
    guild = emulator.add_guild("Study group")
    alice, bob, carol, dave = (guild.add_member(n) for n in ("alice", "bob", "carol", "dave"))
    async with recall.running() as bot:
        for i in range(24):  # 2..48 points, all more than alice's and dave's
            await score(bot, guild.id, 1000 + i, f"old{i:02d}", 1 + i % 24)
        await score(bot, guild.id, carol.id, "carol", 5)
        await carol.run("/privacy hide")
        await score(bot, guild.id, alice.id, "alice", 7)  # 14 points
        await score(bot, guild.id, dave.id, "dave", 1)  # 2 points: the last line
        board = await alice.run("/leaderboard show")
        msg = board.message
        assert [b.label for b in msg.buttons] == ["Previous", "Next", "My rank"]
        rank = (await bot.store.standing(guild.id, "all", _week_key(msg), alice.id)).rank
        assert rank > 10 and f"alice: #{rank} with 14 points." in footer(msg)
        assert "Page 1 of 3" in footer(msg)

    async with recall.running(sync=False):
        mine = await alice.click(msg, "My rank")
        assert mine.response_type == 7
        assert f"Page {(rank - 1) // 10 + 1} of 3" in footer(msg)
        assert any(line.startswith(f"`#{rank}` **alice** · 14 points") for line in board_lines(msg))

        theirs = await dave.click(msg, "My rank")
        assert theirs.ephemeral
        assert "Page 3 of 3" in footer(theirs.message)
        assert board_lines(theirs.message)[-1].endswith("**dave** · 2 points ← you")
        assert f"Page {(rank - 1) // 10 + 1} of 3" in footer(msg)  # alice's is untouched

        nothing = await bob.click(msg, "My rank")
        assert nothing.ephemeral and nothing.content == "You have no points on this board yet."
        hidden = await carol.click(msg, "My rank")
        assert hidden.ephemeral and hidden.content.startswith("You are hidden from the boards")


async def test_stats_of_a_bot_say_bots_do_not_answer(recall, emulator):
    """/stats member:@Recall said "Recall has not answered any questions in this server yet",
    as if a bot could: no bot ever has stats."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running():
        result = await alice.run("/stats", member=guild.me)
        assert result.ephemeral
        text = result.content or result.message.embeds[0].get("description", "")
        assert text == "Recall is a bot: bots don't answer questions, so they have no stats."


async def test_stats_say_so_when_there_is_no_streak_or_self_grade_to_show(recall, emulator):
    """In a server that never posted a question of the day, the streak read "Current: 0,
    Best: 0", as if the member had missed every one; a member who only answered multiple
    choice saw "Again 0 · Hard 0 · Good 0 · Easy 0". Each now says what is missing, as the
    multiple-choice line already did."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        row = await bot.store._fetchone("SELECT id FROM questions ORDER BY id LIMIT 1")
        await bot.store.record_attempt(
            AttemptRequest(guild.id, alice.id, "alice", None, row[0], "quiz", 3, True, True, 0)
        )
        result = await alice.run("/stats")
        await result.wait_for_content()
        fields = {f["name"]: f["value"] for f in result.message.embeds[0]["fields"]}
        assert fields["QOTD streak"] == "No question of the day posted here yet."
        assert fields["Self-grades"] == "No self-graded answers yet."
        assert fields["Multiple choice"] == "**100%** right (1 of 1)"


async def test_stats_of_a_member_with_nothing_to_show_are_told_to_the_asker_alone(
    recall, emulator
):
    """/stats of a member who never answered was posted in the channel for all to read
    ("bob has not answered any questions in this server yet. `/quiz` asks one now."), the
    hint to run /quiz aimed at the wrong member. It is for the asker alone now, and the hint
    is given to a member asking about themselves."""
    _guild, alice, bob = study_group(emulator)
    async with recall.running():
        theirs = await alice.run("/stats", member=bob)
        assert theirs.ephemeral
        assert theirs.message.embeds[0]["description"] == (
            "bob has not answered any questions in this server yet."
        )
        mine = await bob.run("/stats")
        assert mine.ephemeral
        assert mine.message.embeds[0]["description"] == (
            "You have not answered any questions in this server yet. `/quiz` asks one now."
        )


async def test_the_board_and_period_choices_read_as_the_boards_are_titled(recall, emulator):
    """Discord's picker offered the boards as "all", "qotd" and "quiz", jargon a member had
    to guess at; they read as the boards are titled now, and the periods as "This week",
    "This month" and "All time". The values given to the command are unchanged."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running():
        [show] = [
            o for o in emulator.commands.find(guild.id, "leaderboard")["options"]
            if o["name"] == "show"
        ]
        options = {o["name"]: o for o in show["options"]}
        assert [(c["name"], c["value"]) for c in options["board"]["choices"]] == [
            ("All points", "all"),
            ("Question of the day", "qotd"),
            ("Quiz", "quiz"),
        ]
        assert [(c["name"], c["value"]) for c in options["period"]["choices"]] == [
            ("This week", "week"),
            ("This month", "month"),
            ("All time", "all time"),
        ]
        shown = await alice.run("/leaderboard show", period="month", board="qotd")
        assert shown.message.embeds[0]["title"].startswith("🏆 Question of the day · ")


async def test_a_database_failure_while_boards_are_drawn_again_is_retried(
    recall, emulator, monkeypatch
):
    """The store failing (busy, say) while a board is drawn again is tried again after a
    while, not the end of the drawing: the board loses the hidden member all the same."""
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        await alice_ahead_of_bob(bot, guild, alice, bob)
        board = (await bob.run("/leaderboard show")).message
        cog = bot.get_cog("Leaderboard")
        cog.retry_delay = 0.2
        real = bot.store.shown_to_redraw
        failures = []

        async def failing_once(*args, **kwargs):
            if not failures:
                failures.append(1)
                raise StoreError("database is locked")
            return await real(*args, **kwargs)

        monkeypatch.setattr(bot.store, "shown_to_redraw", failing_once)
        await alice.run("/privacy hide")
        await emulator.wait_until(lambda: names_on(board) == ["bob"])
        assert failures == [1]


async def test_large_points_ranks_and_member_counts_read_with_thousands_separators(
    recall, emulator
):
    """A busy server's board read "12400 points", "#1006" and "1006 members", and /stats
    "**12400**": long runs of digits to count. They are grouped by thousands now."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await bot.store.set_guild_settings(guild.id, {"scoring.qotd_self": "100"})
        await score(bot, guild.id, alice.id, "alice", 124, source="qotd")  # 12,400 points
        first = (await bot.store._fetchone("SELECT id FROM questions ORDER BY id LIMIT 1"))[0]

        def good(user_id: int, name: str):
            """A Good self-grade of the first question."""
            return bot.store.record_attempt(
                AttemptRequest(guild.id, user_id, name, None, first, "quiz", 3, False, False)
            )

        await asyncio.gather(*(good(5000 + i, f"m{i}") for i in range(1004)))  # 2 points each
        await score(bot, guild.id, bob.id, "bob", 1)  # 2 points, reached last: the last line
        # answered again: kept for her stats, no more points
        await asyncio.gather(*(good(alice.id, "alice") for _ in range(1000)))

        board = await bob.run("/leaderboard show")
        assert board_lines(board.message)[0] == "🥇 **alice** · 12,400 points"
        assert footer(board.message).startswith("bob: #1,006 with 2 points.\n")
        assert "Page 1 of 101 · 1,006 members" in footer(board.message)
        mine = await bob.click(board.message, "My rank")
        assert board_lines(board.message)[-1].startswith("`#1,006` **bob** · 2 points")
        assert mine.response_type == 7

        stats = await alice.run("/stats")
        await stats.wait_for_content()
        embed = stats.message.embeds[0]
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert "All time: **12,400** (#1)" in fields["Points"]
        assert fields["Answered"].startswith("**1,124** answers\n")
        assert "Good 1,124" in fields["Self-grades"]
        assert re.search(r"`[^`]+` 100% of 1,0\d\d answers went well", fields["Strongest tags"])
        assert embed["footer"]["text"] == "12,400 points in the last 12 weeks"


async def test_the_stats_picture_names_an_etc_gmt_zone_with_the_offset_it_really_has(
    recall, emulator, monkeypatch
):
    """The picture of points a week was titled "(Etc/GMT+2)" for a server two hours behind
    UTC, where /settings timezone says "Etc/GMT+2 (UTC-2)": a reader took the weeks for
    UTC+2's. It names the zone as /settings timezone does."""
    import bot.stats as drawing

    draw = drawing.render_weeks_png
    titles: list[str] = []

    def spy(weeks, title):
        titles.append(title)
        return draw(weeks, title)

    # Before the bot starts: loading the cog imports the drawing from bot.stats.
    monkeypatch.setattr(drawing, "render_weeks_png", spy)
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await bot.store.set_guild_settings(guild.id, {"timezone": "Etc/GMT+2"})
        await score(bot, guild.id, alice.id, "alice", 2)
        result = await alice.run("/stats")
        await result.wait_for_content()
        assert titles == ["Points a week, last 12 weeks (Etc/GMT+2 (UTC-2))"]


async def test_a_board_empty_but_for_the_hidden_asker_does_not_ask_them_to_be_first(
    recall, emulator
):
    """A member who hid, alone on a board, was shown "Nobody has scored here yet. Answer a
    `/quiz` or the question of the day to be the first!": answering would not put them on
    it, and they may have scored. The board says they are left off it, and how to come
    back."""
    guild, alice, _bob = study_group(emulator)
    async with recall.running() as bot:
        await alice.run("/privacy hide")  # hidden first, then scoring: still off the boards
        await score(bot, guild.id, alice.id, "alice", 3)
        shown = await alice.run("/leaderboard show")
        assert shown.ephemeral
        hidden = (
            "Nobody on the boards has scored here yet. You are hidden from them, whatever "
            "you score: `/privacy show` puts you back."
        )
        assert shown.message.embeds[0]["description"] == hidden
        # with no points of their own there either
        empty = await alice.run("/leaderboard show", board="qotd")
        assert empty.message.embeds[0]["description"] == hidden
        await alice.run("/privacy show")
        back = await alice.run("/leaderboard show", board="qotd")
        assert back.message.embeds[0]["description"] == (
            "Nobody has scored here yet. Answer the question of the day to be the first!"
        )


async def test_an_ended_board_left_empty_does_not_invite_members_to_score_on_it(
    recall, emulator
):
    """Last week's board in the channel, drawn again without its only member once they hid,
    read "Week of 23 Nov 2026 (ended)" over "Nobody has scored here yet. Answer a `/quiz`
    ... to be the first!": no answer can put anyone on a week that is over."""
    recall.clock = FixedClock(datetime(2026, 11, 29, 20, 0, tzinfo=UTC))  # a Sunday
    guild, alice, bob = study_group(emulator)
    async with recall.running() as bot:
        await score(bot, guild.id, bob.id, "bob", 1)
        board = (await alice.run("/leaderboard show")).message
        assert names_on(board) == ["bob"]

        recall.clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))  # Monday
        await bob.run("/privacy hide")
        await emulator.wait_until(lambda: names_on(board) == [])
        assert board.embeds[0]["title"] == "🏆 All points · Week of 23 Nov 2026 (ended)"
        assert board.embeds[0]["description"] == "Nobody is on this board."
        await until(nothing_waits(bot))


async def test_erasing_many_grades_counts_them_by_thousands(recall, emulator):
    """An erase of a long-standing member's data reported "1200 grades, every point ...":
    the number is grouped by thousands, as on the boards and in /stats."""
    guild, alice, _bob = study_group(emulator)
    async with recall.running() as bot:
        question = (await bot.store._fetchone("SELECT id FROM questions LIMIT 1"))[0]
        request = AttemptRequest(
            guild.id, alice.id, "alice", None, question, "quiz", 4, False, False
        )
        await asyncio.gather(*(bot.store.record_attempt(request) for _ in range(1200)))
        asked = await alice.run("/privacy delete")
        erased = await alice.click(asked.message, "Erase my data")
        assert erased.message.embeds[0]["description"].startswith("1,200 grades, every point")


async def test_a_qotd_streak_of_thousands_of_days_is_grouped_by_thousands(
    recall, emulator, monkeypatch
):
    """A streak of 1200 questions of the day (over three years of them) read "Best:
    **1200**" in /stats: it is grouped by thousands, as the points above it are."""
    from datetime import date, timedelta

    from bot.store.leaderboard import QotdRecord

    guild, alice, _bob = study_group(emulator)
    days = [(date(2023, 1, 1) + timedelta(days=i)).isoformat() for i in range(1200)]

    async def record(guild_id: int, user_id: int) -> QotdRecord:
        return QotdRecord(days, frozenset(days), frozenset())

    async with recall.running() as bot:
        await score(bot, guild.id, alice.id, "alice", 1)
        monkeypatch.setattr(bot.store, "qotd_record", record)
        result = await alice.run("/stats")
        await result.wait_for_content()
        fields = {f["name"]: f["value"] for f in result.message.embeds[0]["fields"]}
        assert fields["QOTD streak"] == "Current: **1,200**\nBest: **1,200**"


async def test_a_refusal_names_the_servers_quiz_moderator_role(recall, emulator):
    """A member refused a moderator command is told which role would let them run it, so
    they know whom to ask; with no role set, or the one set deleted since, it says so."""
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    alice = guild.add_member("alice")
    role = guild.add_role("Quiz mods")
    async with recall.running():
        refused = await alice.run("/leaderboard reset")
        assert refused.content == MOD_REFUSAL  # no role set: how to set one
        await mod.run("/settings mod-role", role=role)
        refused = await alice.run("/leaderboard reset")
        assert refused.ephemeral and refused.content == (
            "Only moderators can do this: you need the **Manage Server** permission or the "
            f"{role.mention} role, this server's quiz-moderator role."
        ), refused.content
        guild.delete_role(role)
        await emulator.settle()
        refused = await alice.run("/leaderboard reset")
        assert refused.content == (
            "Only moderators can do this: you need the **Manage Server** permission (the "
            "quiz-moderator role set here was deleted; a member with Manage Server sets "
            "another with `/settings mod-role`)."
        ), refused.content


async def test_a_decided_review_post_discord_failed_to_clear_is_cleared_at_the_next_start(
    recall, emulator
):
    """The review post of an erased member's suggestion, already decided (no buttons left for
    a moderator's click), whose clearing edit Discord failed until the bot stopped: which
    posts wait to be cleared is in the database, and the next start clears them."""
    from test_e2e_suggest import form, open_suggestions, suggest

    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    alice = guild.add_member("alice")
    review = guild.add_channel("review")
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        await suggest(alice, 1)
        [post] = emulator.channel_messages(review)
        await mod.click(post, "Approve")
        emulator.faults.add("PATCH", rf"^/channels/{review.id}/messages/{post.id}$",
                            status=503, times=None)
        asked = await alice.run("/privacy delete")
        await alice.click(asked.message, "Erase my data")
        await emulator.wait_until(lambda: len(emulator.faults.fired) >= 1)
    emulator.faults.clear()
    assert form(1)["prompt"] in str(post.embeds[0])  # still showing it
    async with recall.running(sync=False) as bot:
        await emulator.wait_until(
            lambda: form(1)["prompt"] not in str(post.embeds[0])
            and str(alice.id) not in str(post.embeds[0]),
            within=3,
        )

        async def none_left() -> bool:
            rows = await bot.store._fetchall("SELECT COUNT(*) FROM review_posts_to_clear")
            return rows[0][0] == 0

        await until(none_left)
