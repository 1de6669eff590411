"""/quiz: the live count is edited again when Discord fails the edit for a while."""

from __future__ import annotations

import asyncio
import logging

import discord
import pytest
from emulator.faults import DROP

from bot.questions import Question

pytestmark = pytest.mark.e2e

#: the path of an interaction's original response, of the application ``app``
ORIGINAL = r"^/webhooks/{app}/[^/]+/messages/@original$"

QUESTION = Question(id="c1", prompt="Count question?", why="Hint",
                    key_points=["point"], answer="Answer.", tags=["daily"])


async def daily_deck(bot, guild_id: int) -> None:
    """The server's deck "daily", holding QUESTION."""
    deck_id = await bot.store.create_deck(guild_id, "daily", "Daily deck")
    await bot.store.add_questions(deck_id, [QUESTION])


async def grades(member, question, rating: str = "Good") -> None:
    """``member`` clicks Reveal answer on the post ``question``, then ``rating``."""
    revealed = await member.click(question, "Reveal answer")
    await member.click(revealed.message, rating)


def footer(message) -> str:
    return (message.embeds[0].get("footer") or {}).get("text", "")


async def test_a_503_on_the_count_edit_does_not_leave_the_count_wrong(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await daily_deck(bot, guild.id)
        asked = await alice.run("/quiz", deck="daily")
        question = asked.message
        revealed = await bob.click(question, "Reveal answer")
        emulator.faults.add("PATCH", rf"^/channels/{guild.general.id}/messages/{question.id}$",
                            status=503)
        graded = await bob.click(revealed.message, "Good")
        assert "You graded yourself **Good**" in graded.embed["description"]
        await emulator.wait_until(lambda: emulator.faults.active == [])  # the 503 fired
        # Discord is fine again; no one else answers: the count is edited again all the same,
        # within 2 s.
        await emulator.wait_until(lambda: "1 member answered" in footer(question), within=2)


async def test_a_count_waiting_for_its_edit_is_written_when_the_bot_stops(recall, emulator):
    """A grade just before a restart: its count edit, gathered for ``count_delay``, is made
    as the bot stops, not lost until someone else answers."""
    guild = emulator.add_guild("Study group")
    alice, bob, carol = (guild.add_member(n) for n in ("alice", "bob", "carol"))
    async with recall.running() as bot:
        await daily_deck(bot, guild.id)
        question = (await alice.run("/quiz", deck="daily")).message
        await grades(bob, question)
        await emulator.wait_until(lambda: "1 member answered" in footer(question))
        bot.get_cog("Quiz").count_delay = 30.0
        await grades(carol, question)
        assert "1 member answered" in footer(question)  # still gathering
    assert "2 members answered" in footer(question), footer(question)
    async with recall.running(sync=False):
        await grades(alice, question, "Easy")
        await emulator.wait_until(lambda: "3 members answered" in footer(question))


async def test_quiz_in_a_channel_recall_cannot_see_says_so_instead_of_a_count_stuck_at_0(
    recall, emulator
):
    """A reply to a command needs no permission, so the post went up where Recall lacks
    View Channel; but no edit can reach it there, and its count said "0 members answered"
    whoever answered. The member is told what is missing and what to do instead."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    chan = guild.general
    async with recall.running() as bot:
        await daily_deck(bot, guild.id)
        chan.revoke_bot_permission(discord.Permissions(view_channel=True).value)
        await emulator.settle()
        refused = await alice.run("/quiz", deck="daily")
        assert refused.ephemeral
        assert refused.content == (
            f"Recall can't see <#{chan.id}> (it lacks **View Channel** there), so it could not "
            "keep a public question's count of answers up to date. A moderator can give Recall "
            "View Channel (channel settings → Permissions → Recall); meanwhile "
            "`/quiz private:True` asks you a question only you see."
        ), refused.content
        assert emulator.channel_messages(chan) == []
        assert await bot.store._fetchall("SELECT id FROM posts") == []
        alone = await alice.run("/quiz", deck="daily", private=True)
        assert alone.ephemeral and alone.embed["title"] == "Quiz"
        chan.set_permissions(guild.me)
        await emulator.settle()
        question = (await alice.run("/quiz", deck="daily")).message
        await grades(bob, question)
        await emulator.wait_until(lambda: "1 member answered" in footer(question))


async def test_a_count_edit_refused_for_a_lost_permission_is_not_tried_again(recall, emulator):
    """Recall lost View Channel after posting: Discord refuses the count edit (403), and
    will until a moderator changes the channel, so it is not retried; the next answer
    tries once more."""
    guild = emulator.add_guild("Study group")
    alice, bob, carol = (guild.add_member(n) for n in ("alice", "bob", "carol"))
    chan = guild.general
    async with recall.running() as bot:
        bot.get_cog("Quiz").count_delay = 0.05
        await daily_deck(bot, guild.id)
        question = (await alice.run("/quiz", deck="daily")).message
        chan.revoke_bot_permission(discord.Permissions(view_channel=True).value)
        await emulator.settle()
        path = f"/channels/{chan.id}/messages/{question.id}"

        def refused_edits() -> int:
            return sum(
                1 for r in emulator.requests if r.method == "PATCH" and r.path.endswith(path)
            )

        await grades(bob, question)
        await emulator.wait_until(lambda: refused_edits() >= 1)
        await asyncio.sleep(0.5)  # ten count delays
        assert refused_edits() == 1
        await grades(carol, question)
        await emulator.wait_until(lambda: refused_edits() >= 2)
        await asyncio.sleep(0.5)
        assert refused_edits() == 2
        chan.set_permissions(guild.me)
        await emulator.settle()
        await grades(alice, question, "Easy")
        await emulator.wait_until(lambda: "3 members answered" in footer(question))


async def test_a_quiz_in_a_thread_archived_since_is_not_edited_again_and_again(
    recall, emulator, caplog
):
    """Discord refuses edits in an archived thread (400, Thread is archived) until it is
    unarchived: a click there still answers the member, and the count's edit, refused, is
    not tried again after the delay as Discord's own trouble is. Once the thread is back,
    the next answer brings the count up to date."""

    guild = emulator.add_guild("Study group")
    alice, bob, carol = (guild.add_member(n) for n in ("alice", "bob", "carol"))
    thread = emulator._make_thread(guild.general, {"name": "study"}, 11)
    async with recall.running() as bot:
        await daily_deck(bot, guild.id)
        question = (await alice.run("/quiz", channel=thread, deck="daily")).message
        thread.archived = True
        revealed = await bob.click(question, "Reveal answer")
        with caplog.at_level(logging.INFO):
            graded = await bob.click(revealed.message, "Good")
            assert "You graded yourself **Good**" in graded.embed["description"]
            edits = f"/channels/{thread.id}/messages/{question.id}"
            await emulator.wait_until(
                lambda: [r.status for r in emulator.requests if r.path == edits] == [400]
            )
            await asyncio.sleep(0.5)  # ten times the count's delay: no second try
        assert [r.status for r in emulator.requests if r.path == edits] == [400]
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert "0 members answered" in footer(question)

        thread.archived = False
        await grades(carol, question)
        await emulator.wait_until(lambda: "2 members answered" in footer(question))


async def test_an_erased_members_name_comes_off_a_quiz_post_after_a_restart(recall, emulator):
    """Discord fails every edit of the post from the erase until the bot stops: the post
    still says "Asked by" the member who erased their data and counts their answer. Which
    posts wait for that redraw is in the database, so the next start makes it."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await daily_deck(bot, guild.id)
        question = (await alice.run("/quiz", deck="daily")).message
        await grades(alice, question)
        await grades(bob, question)
        await emulator.wait_until(
            lambda: footer(question) == "Asked by alice · 2 members answered"
        )
        emulator.faults.add("PATCH", rf"^/channels/{guild.general.id}/messages/{question.id}$",
                            status=503, times=None)
        asked = await alice.run("/privacy delete")
        await alice.click(asked.message, "Erase my data")
        await emulator.wait_until(lambda: len(emulator.faults.fired) >= 4)  # every try
    emulator.faults.clear()
    assert footer(question) == "Asked by alice · 2 members answered"  # never edited
    async with recall.running(sync=False) as bot:
        await emulator.wait_until(lambda: footer(question) == "1 member answered", within=3)
        await _nothing_waits(bot)


async def _nothing_waits(bot) -> None:
    """No post waits to be drawn again, within 3 s."""
    for _ in range(60):
        waiting = await bot.store.posts_to_redraw()
        if not waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"still waiting to be drawn again: {waiting}")


async def test_a_post_nobody_clicked_is_looked_for_again_after_discord_failed_the_search(
    recall, emulator
):
    """Recall learns a post's message from the first click on it; for a post nobody clicked
    it looks through the channel's messages. Discord failing that search until the bot
    stops leaves the post waiting, and the next start finds and redraws it."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await daily_deck(bot, guild.id)
        question = (await alice.run("/quiz", deck="daily")).message
        emulator.faults.add("GET", rf"^/channels/{guild.general.id}/messages$",
                            status=503, times=None)
        asked = await alice.run("/privacy delete")
        await alice.click(asked.message, "Erase my data")
        await emulator.wait_until(lambda: len(emulator.faults.fired) >= 4)  # every try
        assert [p for p, _ in await bot.store.posts_to_redraw()] != []
    emulator.faults.clear()
    assert footer(question) == "Asked by alice · 0 members answered"
    async with recall.running(sync=False) as bot:
        await emulator.wait_until(lambda: footer(question) == "0 members answered", within=3)
        await _nothing_waits(bot)


async def test_an_erase_whose_confirmation_discord_fails_still_takes_the_name_off(
    recall, emulator, caplog, error_logs
):
    """The erase is saved before its confirmation replaces the question: Discord failing
    that edit (the connection cut) left the member's name and answer on their public posts
    (and boards) until the bot restarted, since the redraws were started after it. They
    are started as soon as the erase is saved. The member was then told "Something went
    wrong ... Please try again", as if the erase had failed (and trying again found nothing
    to erase): the confirmation comes in a message of its own instead."""

    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await daily_deck(bot, guild.id)
        question = (await alice.run("/quiz", deck="daily")).message
        for member in (alice, bob):
            await grades(member, question)
        await emulator.wait_until(
            lambda: footer(question) == "Asked by alice · 2 members answered"
        )
        emulator.faults.add("PATCH", ORIGINAL.format(app=emulator.application_id), status=DROP)
        asked = await alice.run("/privacy delete")
        with caplog.at_level(logging.WARNING, logger="cogs.privacy"):
            clicked = await alice.click(asked.message, "Erase my data")
            await emulator.wait_until(lambda: emulator.faults.active == [])  # the edit failed
            await emulator.wait_until(lambda: clicked.followups)
        assert not await bot.store.holds_member_data(guild.id, alice.id)
        [told] = clicked.followups
        assert told.ephemeral and told.content == ""
        assert told.embeds[0]["title"] == "Your data in this server is erased"
        assert "1 grade, every point you had here" in told.embeds[0]["description"]
        assert asked.message.embeds[0]["title"] == "Erase your data in this server?"
        await emulator.wait_until(lambda: footer(question) == "1 member answered", within=3)
        await _nothing_waits(bot)
    # Discord's failure, logged as such, not as the click's (no ERROR: see error_logs)
    [logged] = [r.getMessage() for r in caplog.records if r.name == "cogs.privacy"]
    assert logged.startswith(
        f"member {alice.id}'s data in server {guild.id} is erased; its confirmation was sent "
        "as a new message, Discord having failed to edit it in (ServerDisconnectedError"
    ), logged


async def test_an_erase_whose_confirmation_reaches_nobody_is_logged_as_done(
    recall, emulator, caplog, error_logs
):
    """Discord failing both the confirmation's edit and the message sent in its place: the
    erase is saved all the same, and nothing else is sent to the member (no "Something went
    wrong ... Please try again"); the log says the erase is done and that no confirmation
    reached them, where the click was logged as failed."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    app = emulator.application_id
    async with recall.running() as bot:
        await daily_deck(bot, guild.id)
        question = (await alice.run("/quiz", deck="daily")).message
        await grades(alice, question)
        emulator.faults.add("PATCH", ORIGINAL.format(app=app), status=DROP)
        emulator.faults.add("POST", rf"^/webhooks/{app}/[^/]+$", status=DROP)
        asked = await alice.run("/privacy delete")
        emulator.settle_deferred_updates = False  # nothing follows the click's deferral
        with caplog.at_level(logging.WARNING, logger="cogs.privacy"):
            clicked = await alice.click(asked.message, "Erase my data")
            await emulator.wait_until(lambda: emulator.faults.active == [])
            await emulator.wait_until(
                lambda: [r for r in caplog.records if r.name == "cogs.privacy"]
            )
        with pytest.raises(TimeoutError):  # nothing more is sent to her
            await emulator.wait_until(lambda: clicked.followups, within=0.5)
        assert not await bot.store.holds_member_data(guild.id, alice.id)
        assert asked.message.embeds[0]["title"] == "Erase your data in this server?"
    [logged] = [r.getMessage() for r in caplog.records if r.name == "cogs.privacy"]
    assert logged.startswith(
        f"member {alice.id}'s data in server {guild.id} is erased, but no confirmation "
        "reached them: Discord failed to edit it in (ServerDisconnectedError"
    ), logged
    assert logged.endswith("then to send it (ServerDisconnectedError: Server disconnected)")


async def _erase_with_redraw_refused(bot, emulator, guild, alice, status: int) -> dict:
    """Alice answers her /quiz post, then erases her data while Discord answers every edit
    of the post with ``status``; the post's message."""
    await daily_deck(bot, guild.id)
    question = (await alice.run("/quiz", deck="daily")).message
    await grades(alice, question)
    await emulator.wait_until(lambda: footer(question) == "Asked by alice · 1 member answered")
    emulator.faults.add("PATCH", rf"^/channels/{guild.general.id}/messages/{question.id}$",
                        status=status, retry_after=0.01, times=None)
    asked = await alice.run("/privacy delete")
    await alice.click(asked.message, "Erase my data")
    return question


async def test_an_erase_redraw_discord_refuses_as_a_bad_request_is_not_kept_for_each_start(
    recall, emulator
):
    """A 400 on the redraw's edit (a request Discord will never take) is as final as a 403:
    the post stops waiting, rather than being tried again at every start."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await _erase_with_redraw_refused(bot, emulator, guild, alice, 400)
        await emulator.wait_until(lambda: len(emulator.faults.fired) >= 1)
        await _nothing_waits(bot)


async def test_an_erase_redraw_discord_rate_limits_past_its_retries_still_waits(
    recall, emulator
):
    """A 429 discord.py gives up on after its retries is Discord's own trouble, not a request
    it will never take: the post keeps waiting for the redraw, for the next start."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        question = await _erase_with_redraw_refused(bot, emulator, guild, alice, 429)
        await emulator.wait_until(lambda: len(emulator.faults.fired) >= 10, within=10)
        assert [post_id for post_id, _ in await bot.store.posts_to_redraw()] != []
    emulator.faults.clear()
    assert footer(question) == "Asked by alice · 1 member answered"


async def test_a_count_edit_in_flight_as_the_bot_stops_is_made_again(recall, emulator):
    """The count's edit was on its way (held up by Discord's rate limit) when the bot stopped:
    cut short with it, the edit is made again as the bot stops, not left undone until
    someone else answers."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await daily_deck(bot, guild.id)
        question = (await alice.run("/quiz", deck="daily")).message
        emulator.faults.add("PATCH", rf"^/channels/{guild.general.id}/messages/{question.id}$",
                            status=429, retry_after=30.0)
        await grades(bob, question)
        await emulator.wait_until(lambda: emulator.faults.active == [])  # the edit waits 30 s
        assert "0 members answered" in footer(question)
    assert "1 member answered" in footer(question), footer(question)


async def test_a_count_a_crash_cut_short_is_written_at_the_next_start(recall, emulator, tmp_path):
    """A grade, then the process killed (SIGKILL) within the second its count edit waits:
    nothing ran at the stop, and the message still says 0 answered. The next start draws
    again the posts answered in the last minutes before the bot stopped."""
    from faultkit import RecallProcess

    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:  # the commands, and a deck
        await daily_deck(bot, guild.id)
    log = tmp_path / "bot.log"
    first = RecallProcess(emulator, recall.db, log)
    await first.start()
    try:
        question = (await alice.run("/quiz", deck="daily")).message
        await grades(bob, question)
        assert await first.kill() == -9
    finally:
        await first.stop()
    assert footer(question) == "Asked by alice · 0 members answered"
    second = RecallProcess(emulator, recall.db, log)
    await second.start()
    try:
        await emulator.wait_until(
            lambda: footer(question) == "Asked by alice · 1 member answered", within=5
        )
    finally:
        await second.stop()



async def test_a_fresh_session_mid_run_does_not_draw_again_the_posts_just_answered(
    recall, emulator
):
    """READY comes again after an invalid session, the bot still running: no count edit was
    cut short (only a start after a crash has any), so the posts answered in the last minutes
    are not edited again, a burst of edits at each reconnect."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        readies: list[int] = []

        async def counted() -> None:
            readies.append(1)

        bot.add_listener(counted, "on_ready")
        await daily_deck(bot, guild.id)
        question = (await alice.run("/quiz", deck="daily")).message
        await grades(alice, question)
        await emulator.wait_until(lambda: footer(question) == "Asked by alice · 1 member answered")
        path = f"/channels/{guild.general.id}/messages/{question.id}"

        def edits() -> int:
            return sum(r.method == "PATCH" and r.path.endswith(path) for r in emulator.requests)

        before = edits()
        emulator.invalid_session_next = True
        await emulator.drop_gateway()
        await emulator.wait_until(lambda: readies == [1])
        await asyncio.sleep(0.5)  # ten count delays
        assert edits() == before


async def test_after_a_clean_stop_the_start_draws_no_post_again(recall, emulator):
    """A clean stop writes the counts it gathered as it unloads, and notes that it did: the
    next start has nothing cut short to draw again, and sends no edit of the post."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await daily_deck(bot, guild.id)
        question = (await alice.run("/quiz", deck="daily")).message
        await grades(bob, question)
        await emulator.wait_until(lambda: "1 member answered" in footer(question))
        quiz = bot.get_cog("Quiz")
        await emulator.wait_until(lambda: not quiz._updating)  # its edit done, not cut short
    path = f"/channels/{guild.general.id}/messages/{question.id}"
    since = len(emulator.requests)
    async with recall.running(sync=False):
        await asyncio.sleep(1.5)  # past the first count delay (1 s until the test sets it)
        assert [r.method for r in emulator.requests[since:] if r.path == path] == []
