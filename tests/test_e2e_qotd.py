"""Question of the day end to end, on a clock the test moves by hand."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

import discord
import pytest
from emulator import limits
from emulator.faults import DROP

from bot.clock import FixedClock
from bot.qotd import PublishError
from bot.questions import Question
from bot.store import AttemptRequest

pytestmark = pytest.mark.e2e

MOD = discord.Permissions(manage_guild=True).value

QUESTIONS = [
    Question(
        id=f"q{i}",
        prompt=f"Question number {i}?",
        why=f"Why {i}",
        key_points=[f"point {i}a", f"point {i}b", f"point {i}c"],
        answer=f"Model answer {i}.",
        tags=["daily"],
    )
    for i in range(1, 4)
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def world(recall, emulator, start: str = "2026-01-05T08:00"):
    """A guild with a moderator, two members, a #qotd channel and a 3-question deck."""
    recall.clock = FixedClock(at(start))
    guild = emulator.add_guild("Study group")
    chan = guild.add_channel("qotd")
    mod = guild.add_member("mod", permissions=MOD)
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    return guild, chan, mod, alice, bob


async def make_deck(bot, guild_id: int) -> None:
    deck_id = await bot.store.create_deck(guild_id, "daily", "Daily deck")
    await bot.store.add_questions(deck_id, QUESTIONS)


async def make_other_deck(bot, guild_id: int) -> None:
    """A second deck, "other", of one question tagged ``elsewhere``."""
    other = await bot.store.create_deck(guild_id, "other", "Other deck")
    await bot.store.add_questions(
        other,
        [
            Question(
                id="o1", prompt="Other question?", why="Why", key_points=["p"],
                answer="A.", tags=["elsewhere"],
            )
        ],
    )


def engine(bot):
    return bot.get_cog("Qotd").engine


async def make_multiple_choice(bot, post) -> None:
    """Edit the question shown by ``post`` (the only post) into multiple choice: "Wrong one",
    then "Right one", the right answer."""
    [row] = await bot.store._fetchall("SELECT question_id FROM posts")
    question = next(q for q in QUESTIONS if q.prompt in post.embeds[0]["description"])
    options = [{"text": "Wrong one"}, {"text": "Right one", "correct": True}]
    edited = Question.model_validate({**question.model_dump(), "options": options})
    await bot.store.update_question(row[0], edited)


def posts(emulator, chan):
    return [
        m
        for m in emulator.channel_messages(chan)
        if m.embeds and "Question of the day" in m.embeds[0]["title"]
    ]


async def setup_daily(mod, chan, **extra):
    return await mod.run(
        "/qotd setup",
        channel=chan,
        options={
            "channel": chan,
            "time": "09:00",
            "timezone": "Europe/London",
            "deck": "daily",
            **extra,
        },
    )


async def setup_every_setting(mod, chan, role):
    """A schedule in ``chan`` with every setting away from its default (``role`` pinged)."""
    return await setup_daily(
        mod,
        chan,
        days="mon-fri",
        tag="daily",
        ping=role,
        thread=False,
        answer_after="12h",
        pick="weakest",
    )


async def first_post(bot, recall, guild, mod, chan, **extra) -> None:
    """The deck, a daily schedule in ``chan`` (see :func:`setup_daily`) and its first
    question, posted at 09:00 on Monday 5 January."""
    await make_deck(bot, guild.id)
    await setup_daily(mod, chan, **extra)
    recall.clock.set(at("2026-01-05T09:00"))
    await engine(bot).tick()


async def sent_not_recorded(bot, recall, guild, mod, chan, **extra):
    """The deck, a daily schedule in ``chan`` (see :func:`setup_daily`) and its 09:00 slot
    on Monday 5 January claimed and sent, as by a bot that then died before recording the
    post: its claim."""
    await make_deck(bot, guild.id)
    await setup_daily(mod, chan, **extra)
    eng = engine(bot)
    [schedule] = await bot.store.active_schedules()
    slot = await eng.next_post(schedule)
    recall.clock.set(at("2026-01-05T09:00"))
    claim = await bot.store.claim_slot(schedule, slot, late=False, rng=eng.rng)
    await eng.publisher.send(claim)
    return claim


async def refused_slots(bot, recall, emulator, guild, mod, chan, days) -> None:
    """The deck, a daily schedule in ``chan`` with no thread, and its 09:00 slots on the
    ``days`` of January 2026 refused: the bot has lost Send Messages there."""
    await make_deck(bot, guild.id)
    await setup_daily(mod, chan, thread=False)
    chan.revoke_bot_permission(discord.Permissions(send_messages=True).value)
    await emulator.settle()
    for day in days:
        recall.clock.set(at(f"2026-01-{day:02d}T09:00"))
        await engine(bot).tick()


async def post_now_reply(mod, chan) -> str:
    """What ``/qotd post-now`` in ``chan`` answers (a followup, after its deferral)."""
    command = await mod.run("/qotd post-now", channel=chan)
    return (await command.wait_for_followup()).content


async def test_setup_post_reveal_grade_close_and_streaks(recall, emulator):
    guild, chan, mod, alice, bob = await world(recall, emulator)
    role = guild.add_role("Daily learners")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        done = await setup_daily(mod, chan, ping=role)
        assert done.ephemeral
        text = done.embed["description"]
        assert "**When:** 09:00 daily (Europe/London)" in text
        assert "**Next post:** Mon 05 Jan 2026 09:00 Europe/London (09:00 UTC)" in text

        await engine(bot).tick()  # 08:00: nothing due
        assert posts(emulator, chan) == []

        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        await engine(bot).tick()  # a second pass posts nothing more
        [first] = posts(emulator, chan)
        assert first.embeds[0]["title"] == "Question of the day #1"
        assert first.content == role.mention
        assert first.thread is not None and first.thread.name.startswith("QOTD #1: Question number")
        assert "discuss in the thread" in first.embeds[0]["footer"]["text"]

        revealed = await alice.click(first, "Reveal answer")
        assert [b.label for b in revealed.message.buttons] == ["Again", "Hard", "Good", "Easy"]
        graded = await alice.click(revealed.message, "Good")
        assert "**+5 points**" in graded.message.embeds[0]["description"]
        revealed = await bob.click(first, "Reveal answer")
        await bob.click(revealed.message, "Again")
        rows = await bot.store._fetchall("SELECT user_id, source, points FROM attempts ORDER BY id")
        assert [tuple(r) for r in rows] == [(alice.id, "qotd", 5), (bob.id, "qotd", 5)]

        # Next day: question #2 is posted and #1 closes with its answer public.
        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).tick()
        first_now, second = posts(emulator, chan)
        assert second.embeds[0]["title"] == "Question of the day #2"
        closed = first_now.embeds[0]
        assert closed["title"] == "Question of the day #1 · answer"
        assert "**Model answer**" in closed["description"]
        assert closed["description"].split("**Model answer**\n")[1].startswith("Model answer")
        labels = [b.label for b in first_now.buttons]
        assert "Closed · 2 answered · 50% got it" in labels  # bob graded Again
        assert (
            second.embeds[0]["description"] != first_now.embeds[0]["description"].split("\n\n")[0]
        )

        # alice keeps her streak on #2; bob does not answer.
        revealed = await alice.click(second, "Reveal answer")
        await alice.click(revealed.message, "Hard")
        # a grade on the closed #1 still counts for reviews but no longer scores
        late = await bob.click(first_now, "Reveal answer")
        assert "You already answered" in late.embed["description"]

        recall.clock.set(at("2026-01-07T09:00"))
        await engine(bot).tick()
        second_now = posts(emulator, chan)[1]
        assert (
            second_now.embeds[0]["footer"]["text"]
            == "1 answered · 100% got it · 1 member kept their streak"
        )


async def test_no_repeats_until_the_deck_is_exhausted(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)
        asked = []
        for day in range(5, 12):
            recall.clock.set(at(f"2026-01-{day:02d}T09:00"))
            await engine(bot).tick()
            asked.append(
                posts(emulator, chan)[-1].embeds[0]["description"]
                if posts(emulator, chan)
                else None
            )
        prompts = [d.split("\n")[0] if d else None for d in asked]
        opened = [p for p in prompts if p and p.startswith("Question number")]
        assert len(set(opened[:3])) == 3  # the whole deck before any repeat
        assert opened[3] != opened[2]  # a new cycle does not start with the last question
        status = await mod.run("/qotd status", channel=chan)
        assert "**Progress:** 1 of 3 asked (cycle 3)" in status.embed["fields"][0]["value"]


async def test_restart_mid_day_never_posts_twice(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator, "2026-01-05T09:00")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        recall.clock.set(at("2026-01-05T08:00"))
        await setup_daily(mod, chan)
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
    assert len(posts(emulator, chan)) == 1
    recall.clock.set(at("2026-01-05T13:00"))
    async with recall.running(sync=False):  # start-up catch-up runs here
        assert len(posts(emulator, chan)) == 1


async def test_downtime_across_a_slot_posts_late_within_grace_else_records_missed(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
    # down across Monday 09:00; back at 11:30, within the 6-hour grace
    recall.clock.set(at("2026-01-05T11:30"))
    async with recall.running(sync=False):
        [late] = posts(emulator, chan)
        assert late.embeds[0]["title"] == "Question of the day #1 (posted late)"
    # down from Monday to Thursday 16:00: Tue and Wed are missed, Thu 09:00 is 7 h late
    recall.clock.set(at("2026-01-08T16:00"))
    async with recall.running(sync=False) as bot:
        assert len(posts(emulator, chan)) == 1
        status = await mod.run("/qotd status", channel=chan)
        value = status.embed["fields"][0]["value"]
        assert "• missed 2026-01-08 09:00 (the bot was offline)" in value
        assert "• missed 2026-01-07 09:00 (the bot was offline)" in value
        slots = await bot.store._fetchall(
            "SELECT local_date, state FROM qotd_slots ORDER BY local_date"
        )
        assert [tuple(r) for r in slots] == [
            ("2026-01-05", "posted"),
            ("2026-01-06", "missed"),
            ("2026-01-07", "missed"),
            ("2026-01-08", "missed"),
        ]


async def test_a_crash_between_sending_and_recording_is_reconciled(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator, "2026-01-05T08:00")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        recall.clock.set(at("2026-01-05T08:59"))
        eng = engine(bot)
        schedule = (await bot.store.active_schedules())[0]
        plan_slot = await eng.next_post(schedule)
        assert plan_slot.at_utc == at("2026-01-05T09:00")
        recall.clock.set(at("2026-01-05T09:00"))
        # claim and send, then "crash" before the post is recorded
        claim = await bot.store.claim_slot(schedule, plan_slot, late=False, rng=eng.rng)
        await eng.publisher.send(claim)
    assert len(posts(emulator, chan)) == 1
    async with recall.running(sync=False) as bot:
        assert len(posts(emulator, chan)) == 1  # found, not sent again
        [slot] = await bot.store._fetchall("SELECT state FROM qotd_slots")
        assert slot["state"] == "posted"
        post = await bot.store.post(claim.post_id)
        assert post.message_id == posts(emulator, chan)[0].id


async def test_claimed_but_never_sent_is_sent_once_on_restart(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator, "2026-01-05T08:00")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        recall.clock.set(at("2026-01-05T08:59"))
        eng = engine(bot)
        schedule = (await bot.store.active_schedules())[0]
        slot = await eng.next_post(schedule)
        recall.clock.set(at("2026-01-05T09:00"))
        await bot.store.claim_slot(schedule, slot, late=False, rng=eng.rng)
    assert posts(emulator, chan) == []
    async with recall.running(sync=False):
        assert len(posts(emulator, chan)) == 1


async def test_429_and_500_on_posting_still_post_exactly_once(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        emulator.faults.add(
            "POST", rf"/channels/{chan.id}/messages$", status=429, retry_after=0.2, times=1
        )
        emulator.faults.add("POST", rf"/channels/{chan.id}/messages$", status=500, times=1)
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1
        [slot] = await bot.store._fetchall("SELECT state FROM qotd_slots")
        assert slot["state"] == "posted"


async def test_deleted_channel_fails_then_pauses_while_others_go_on(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    other = guild.add_channel("other")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        await setup_daily(mod, other, time="09:00")
        await emulator.delete_channel(chan)
        await emulator.settle()
        for day in (5, 6, 7):
            recall.clock.set(at(f"2026-01-{day:02d}T09:00"))
            await engine(bot).tick()
        assert len(posts(emulator, other)) == 3
        schedules = {s.channel_id: s for s in await bot.store.active_schedules()}
        broken = schedules[chan.id]
        assert broken.paused and broken.failures == 3
        assert "the channel was deleted" in (broken.pause_reason or "")
        status = await mod.run("/qotd status", channel=other)
        value = status.embed["fields"][0]["value"]
        assert value.startswith(
            f"**Where:** <#{chan.id}>\n⏸️ **Paused**: paused after 3 failed posts in a row: the channel was deleted"
        )


async def test_a_schedule_in_a_server_the_bot_was_removed_from_pauses_quietly(
    recall, emulator, caplog
):
    """The bot kicked from the server: each day's slot fails without a request to Discord
    but the one edit showing the last question's answer, and the schedule pauses after
    three, as for a deleted channel; added back, the moderator sees why and resumes it."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan)
        [first] = posts(emulator, chan)
        assert first.thread is not None
        await emulator.remove_bot(guild)
        seen = len(emulator.requests)
        for day in (6, 7, 8, 9):
            for minute in range(3):
                recall.clock.set(at(f"2026-01-{day:02d}T09:0{minute}"))
                await engine(bot).tick()
        [schedule] = await bot.store.active_schedules()
        assert schedule.paused and schedule.failures == 3
        assert schedule.pause_reason == (
            "paused after 3 failed posts in a row: the bot is no longer in this server"
        )
        later = emulator.requests[seen:]
        assert [(r.method, r.status) for r in later] == [("PATCH", 403)], later
        warnings = [r for r in caplog.records if r.name.startswith("bot.qotd")]
        assert len(warnings) == 5, [r.getMessage() for r in warnings]  # 1 close, 3 slots, pause

        await emulator.add_bot(guild)
        resumed = await mod.run("/qotd resume", channel=chan)
        assert "Next post: Sat 10 Jan 2026 09:00" in resumed.content, resumed.content
        recall.clock.set(at("2026-01-10T09:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 2


def refused(emulator) -> list:
    """Requests Discord answered 503, as it does for a server in an outage."""
    return [(r.method, r.path) for r in emulator.requests if r.status == 503]


@pytest.mark.parametrize("when", ["at-start", "mid-session"])
async def test_a_slot_during_a_server_outage_posts_once_the_server_is_back(
    recall, emulator, when
):
    """The server unavailable on Discord (an outage) at the slot's time, the bot starting
    during it or not: the slot waits, asking nothing of Discord and not counted towards
    pausing, however many minutes the outage lasts; once the server is back the question
    goes up and the day before's answer goes public."""
    guild, chan, mod, *_ = await world(recall, emulator)

    async def prepare(bot):
        await first_post(bot, recall, guild, mod, chan)

    async def check(bot):
        await through_the_outage(bot, recall, emulator, guild, chan)

    await recall.across_an_outage(
        guild, when, prepare, check, restart_at=at("2026-01-06T09:00")
    )


async def through_the_outage(bot, recall, emulator, guild, chan) -> None:
    for minute in range(12):  # more than a passing failure's five tries, a minute apart
        recall.clock.set(at(f"2026-01-06T09:{minute:02d}"))
        await engine(bot).tick()
    assert len(posts(emulator, chan)) == 1 and refused(emulator) == []
    [schedule] = await bot.store.active_schedules()
    assert not schedule.paused and schedule.failures == 0 and schedule.last_error is None
    [slot] = await bot.store._fetchall("SELECT state, error FROM qotd_slots WHERE local_date = "
                                       "'2026-01-06'")
    assert slot["state"] == "claimed"
    assert slot["error"] == "the server is unavailable on Discord (an outage)"

    await emulator.end_outage(guild)
    recall.clock.set(at("2026-01-06T09:12"))
    await engine(bot).tick()
    first, second = posts(emulator, chan)
    assert second.embeds[0]["title"] == "Question of the day #2 (posted late)"
    assert first.embeds[0]["title"] == "Question of the day #1 · answer"
    [slot] = await bot.store._fetchall("SELECT state FROM qotd_slots WHERE local_date = "
                                       "'2026-01-06'")
    assert slot["state"] == "posted"
    [schedule] = await bot.store.active_schedules()
    assert schedule.failures == 0


async def test_a_server_outage_longer_than_the_grace_fails_the_slot(recall, emulator):
    """An outage outlasting RECALL_QOTD_GRACE_HOURS (6): the slot is given up, saying why,
    as a slot missed while the bot was down would be; the next day's posts."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan)
        await emulator.start_outage(guild)
        for when in ("09:00", "12:00", "15:00"):
            recall.clock.set(at(f"2026-01-06T{when}"))
            await engine(bot).tick()
        assert await bot.store.claimed_slots() != []
        recall.clock.set(at("2026-01-06T15:01"))
        await engine(bot).tick()
        assert await bot.store.claimed_slots() == []
        [slot] = await bot.store.slots(1, states=("failed",))
        assert slot.error == "the server was unavailable on Discord (an outage) for over 6 hours"
        await emulator.end_outage(guild)
        recall.clock.set(at("2026-01-07T09:00"))
        await engine(bot).tick()
        assert "Question of the day #2" in posts(emulator, chan)[-1].embeds[0]["title"]
        assert refused(emulator) == []


async def test_a_post_sent_before_a_crash_is_found_after_a_server_outage(recall, emulator):
    """Sent, then the bot stopped before recording it, and restarted while the server is in
    an outage: the post is not given up as if its channel were gone; once the server is
    back it is found, not sent again."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        claim = await sent_not_recorded(bot, recall, guild, mod, chan)
    await emulator.start_outage(guild)
    recall.clock.set(at("2026-01-05T09:05"))
    async with recall.running(sync=False) as bot:
        for minute in range(6, 12):
            recall.clock.set(at(f"2026-01-05T09:{minute:02d}"))
            await engine(bot).tick()
        assert [c.post_id for c in await bot.store.claimed_slots()] == [claim.post_id]
        await emulator.end_outage(guild)
        await engine(bot).tick()
        [post] = posts(emulator, chan)
        assert (await bot.store.post(claim.post_id)).message_id == post.id
        [row] = await bot.store._fetchall("SELECT state FROM qotd_slots")
        assert row["state"] == "posted"


async def test_revoked_permission_is_reported(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        chan.revoke_bot_permission(discord.Permissions(send_messages=True).value)
        await emulator.settle()
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        [schedule] = await bot.store.active_schedules()
        # Discord drops Embed Links along with Send Messages
        assert schedule.last_error == (
            f"missing permission in <#{chan.id}>: Send Messages, Embed Links"
        )
        assert posts(emulator, chan) == []


async def test_setup_names_missing_permissions_and_bad_input(recall, emulator):
    guild, chan, mod, alice, _ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        chan.revoke_bot_permission(
            discord.Permissions(create_public_threads=True, embed_links=True).value
        )
        await emulator.settle()
        refused = await setup_daily(mod, chan)
        assert refused.ephemeral
        assert "missing these permissions in <#" in refused.content
        assert "**Embed Links, Create Public Threads**" in refused.content
        # Without View Channel Discord counts every other permission as missing too: the
        # reply says which one to grant first, rather than list six as if all were denied.
        chan.revoke_bot_permission(discord.Permissions(view_channel=True).value)
        await emulator.settle()
        refused = await setup_daily(mod, chan)
        assert refused.content.startswith(
            f"Recall can't see <#{chan.id}> (it lacks **View Channel** there), so Discord "
            "counts every other permission it needs there as missing too: grant View Channel "
        ), refused.content
        bad_time = await mod.run(
            "/qotd setup", channel=chan, options={"channel": chan, "time": "9am", "timezone": "UTC"}
        )
        assert bad_time.content.startswith("Time must be HH:MM in 24-hour form")
        bad_zone = await mod.run(
            "/qotd setup",
            channel=chan,
            options={"channel": chan, "time": "09:00", "timezone": "Mars/Base"},
        )
        assert bad_zone.content.startswith("Unknown time zone 'Mars/Base'. ")
        assert "Pick one from the list that appears as you type" in bad_zone.content
        bad_days = await mod.run(
            "/qotd setup",
            channel=chan,
            options={"channel": chan, "time": "09:00", "timezone": "UTC", "days": "mon-fry"},
        )
        assert bad_days.content.startswith("Unknown day 'fry' in range 'mon-fry'. Use day names")
        guild.expose_command("qotd")
        member = await alice.run("/qotd status", channel=chan)
        assert member.content.startswith("Only moderators can do this")
        assert await bot.store.active_schedules() == []
        zones = await mod.autocomplete("/qotd setup", "timezone", "londo", channel=chan)
        assert "Europe/London" in [c["value"] for c in zones]


async def test_qotd_offers_its_choices_to_moderators_only(recall, emulator):
    """Every /qotd command is for moderators, but Discord asks Recall for an option's choices
    as a member types, also one for whom a server lists /qotd: a plain member was offered the
    server's schedules (their channels and times), decks and tags for commands that then
    refused them. They are offered nothing, as by /deck and /question; a member with the
    quiz-moderator role is offered the choices."""
    guild, chan, mod, alice, _ = await world(recall, emulator)
    role = guild.add_role("Quiz mods")
    carol = guild.add_member("carol", roles=[role])
    async with recall.running() as bot:
        await bot.store.set_guild_settings(guild.id, {"mod_role_id": str(role.id)})
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        guild.expose_command("qotd")
        typed = [
            ("/qotd setup", "timezone", "londo"),
            ("/qotd setup", "days", "mon-fri"),
            ("/qotd setup", "deck", "dai"),
            ("/qotd setup", "tag", "dai"),
            ("/qotd edit", "schedule", ""),
            ("/qotd edit", "timezone", "londo"),
            ("/qotd edit", "days", "mon-fri"),
            ("/qotd edit", "deck", "dai"),
            ("/qotd edit", "tag", "dai"),
        ] + [
            (f"/qotd {command}", "schedule", "")
            for command in ("post-now", "skip", "pause", "resume", "remove")
        ]
        for command, option, text in typed:
            assert await alice.autocomplete(command, option, text, channel=chan) == [], (
                command, option,
            )
            assert await carol.autocomplete(command, option, text, channel=chan), (command, option)
            assert await mod.autocomplete(command, option, text, channel=chan), (command, option)


async def test_post_now_skip_pause_resume_remove(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator, "2026-01-05T10:00")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        now = await mod.run("/qotd post-now", channel=chan)
        reply = await now.wait_for_followup()
        assert reply.content.startswith(
            "Posted [question of the day #1](https://discord.com/channels/"
        )
        assert len(posts(emulator, chan)) == 1

        skipped = await mod.run("/qotd skip", channel=chan)
        assert skipped.content.startswith(
            "Skipped the question of Tue 06 Jan 2026 09:00 Europe/London"
        )
        assert "The next one is Wed 07 Jan 2026 09:00" in skipped.content
        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1

        paused = await mod.run("/qotd pause", channel=chan)
        assert paused.content.startswith("Paused schedule #1")
        # Who paused it is shown by mention: Recall keeps no moderator's name for it, so
        # /privacy delete leaves none behind.
        status = await mod.run("/qotd status", channel=chan)
        assert f"**Paused**: paused by <@{mod.id}>" in status.embed["fields"][0]["value"]
        [reason] = await bot.store._fetchall("SELECT pause_reason FROM qotd_schedules")
        assert reason[0] == f"paused by <@{mod.id}>"
        # Pausing again keeps why it was paused (say, by the bot after failed posts).
        await bot.store.set_paused(1, True, "the channel could not be posted in")
        again = await mod.run("/qotd pause", channel=chan)
        assert again.ephemeral and again.content == (
            "Schedule #1 is already paused (the channel could not be posted in); nothing "
            "changed. Resume it with `/qotd resume`."
        ), again.content
        [reason] = await bot.store._fetchall("SELECT pause_reason FROM qotd_schedules")
        assert reason[0] == "the channel could not be posted in"
        await bot.store.set_paused(1, True, f"paused by <@{mod.id}>")
        refused = await mod.run("/qotd skip", channel=chan)
        assert refused.ephemeral and refused.content == (
            "Schedule #1 is paused: nothing is posted until `/qotd resume`, so there is no "
            "question to skip."
        )
        recall.clock.set(at("2026-01-07T09:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1
        recall.clock.set(at("2026-01-07T12:00"))
        resumed = await mod.run("/qotd resume", channel=chan)
        assert (
            "Next post: Thu 08 Jan 2026 09:00" in resumed.content
        )  # paused days are not caught up
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1

        removed = await mod.run("/qotd remove", channel=chan)
        assert removed.content.startswith("Removed schedule #1")
        recall.clock.set(at("2026-01-08T09:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1
        assert (await mod.run("/qotd status", channel=chan)).content.startswith(
            "No question of the day is set up"
        )


async def test_dst_keeps_local_time(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator, "2026-03-28T08:30")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        recall.clock.set(at("2026-03-28T09:00"))  # GMT: 09:00 local is 09:00 UTC
        await engine(bot).tick()
        recall.clock.set(at("2026-03-29T07:59"))  # BST from 29 March: 09:00 local is 08:00 UTC
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1
        recall.clock.set(at("2026-03-29T08:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 2


async def test_the_scheduler_posts_on_time_with_the_real_clock(recall, emulator):
    from datetime import timedelta

    from bot.clock import SystemClock

    guild = emulator.add_guild("Study group")
    chan = guild.add_channel("qotd")
    mod = guild.add_member("mod", permissions=MOD)
    recall.clock = SystemClock()
    async with recall.running(scheduler=True) as bot:
        await make_deck(bot, guild.id)
        # Post at the next whole minute: the test waits for it (at most about a minute; slot
        # times are whole minutes, so there is no shorter wait on the real clock). One less
        # than 3 s away (Discord's time to answer /qotd setup) could pass before the schedule
        # is saved, and then it is tomorrow's: the minute after is taken instead.
        now = datetime.now(UTC)
        due = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
        if due - now < timedelta(seconds=3):
            due += timedelta(minutes=1)
        await setup_daily(mod, chan, time=f"{due:%H:%M}", timezone="UTC")
        await emulator.wait_until(lambda: len(posts(emulator, chan)) == 1, within=75)
        assert datetime.now(UTC) >= due


async def test_pick_weakest_asks_what_the_group_forgot(recall, emulator):
    guild, chan, mod, alice, bob = await world(recall, emulator, "2026-01-05T08:00")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        # the group knows q1 and q3 well and struggles with q2
        for member, grades in (
            (alice, ("Easy", "Again", "Easy")),
            (bob, ("Good", "Again", "Easy")),
        ):
            for tag_question, grade in zip(QUESTIONS, grades, strict=True):
                qid = (
                    await bot.store._fetchall(
                        "SELECT id FROM questions WHERE ext_id = ?", (tag_question.id,)
                    )
                )[0][0]
                await bot.store.record_attempt(
                    AttemptRequest(
                        guild_id=guild.id,
                        user_id=member.id,
                        display_name=member.name,
                        post_id=None,
                        question_id=qid,
                        source="review",
                        rating={"Again": 1, "Hard": 2, "Good": 3, "Easy": 4}[grade],
                        multiple_choice=False,
                        correct=grade != "Again",
                    )
                )
        done = await setup_daily(mod, chan, pick="weakest", thread=False)
        assert "**Questions:** the group's weakest first" in done.embed["description"]
        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).tick()
        [post] = posts(emulator, chan)
        assert post.embeds[0]["description"] == "Question number 2?"


async def post_and_grade(bot, recall, emulator, chan, day: int, members, grade: str) -> str:
    """The question of 09:00 on ``day`` January 2026, posted and graded ``grade`` by each of
    ``members``: its prompt."""
    recall.clock.set(at(f"2026-01-{day:02d}T09:00"))
    await engine(bot).tick()
    post = posts(emulator, chan)[-1]
    for member in members:
        revealed = await member.click(post, "Reveal answer")
        await member.click(revealed.message, grade)
    return post.embeds[0]["description"]


async def test_pick_weakest_goes_through_the_deck_while_the_group_remembers(recall, emulator):
    guild, chan, mod, alice, bob = await world(recall, emulator, "2026-01-05T08:00")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, pick="weakest", thread=False)
        asked = [
            await post_and_grade(bot, recall, emulator, chan, day, (alice, bob), "Good")
            for day in (5, 6, 7)
        ]
        # Each question answered well the day before is not the group's weak spot: the
        # schedule does not ask the one question it knows of again and again.
        assert len(set(asked)) == 3, asked


async def test_switching_answer_after_from_next_to_a_delay_still_reveals_the_open_post(
    recall, emulator
):
    """A post opened under answer_after=next must still go public after the schedule is
    changed to a delay: here it never closes."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)  # answer_after: next (default)
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()  # #1 posted, open until the next question
        recall.clock.set(at("2026-01-05T10:00"))
        await setup_daily(mod, chan, thread=False, answer_after="12h")
        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).tick()  # #2 posted (closes at 21:00)
        recall.clock.set(at("2026-01-07T08:00"))
        await engine(bot).tick()  # #2 closed by its delay
        first, second = posts(emulator, chan)
        assert second.embeds[0]["title"] == "Question of the day #2 · answer"
        assert first.embeds[0]["title"] == "Question of the day #1 · answer"


async def test_a_post_that_failed_to_send_does_not_break_streaks(recall, emulator):
    """A slot whose post Discord refused never reached anyone; it must not break the
    streak of a member who answered every question that was posted."""
    guild, chan, mod, alice, _ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)

        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        shown = await alice.click(posts(emulator, chan)[-1], "Reveal answer")
        await alice.click(shown.message, "Good")

        # Tuesday: the bot briefly lost Send Messages; nothing is posted.
        chan.revoke_bot_permission(discord.Permissions(send_messages=True).value)
        await emulator.settle()
        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1
        chan.set_permissions(guild.me, allow=0, deny=0)
        await emulator.settle()

        recall.clock.set(at("2026-01-07T09:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 2
        shown = await alice.click(posts(emulator, chan)[-1], "Reveal answer")
        await alice.click(shown.message, "Good")

        stats = await alice.run("/stats", channel=chan)
        await stats.wait_for_content()
        [field] = [f for f in stats.embed["fields"] if f["name"] == "QOTD streak"]
        assert field["value"] == "Current: **2**\nBest: **2**"


async def test_restart_after_a_crash_does_not_repost_in_a_busy_channel(recall, emulator):
    """The crash-between-send-and-record reconcile looks only at the first 100 messages
    after (last run - 1 day); in a channel with more chat than that it misses its own
    post and posts the question a second time."""
    guild, chan, mod, alice, _ = await world(recall, emulator, "2026-01-05T08:00")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)
        for i in range(120):  # a lively study channel
            emulator.post_user_message(alice, chan, f"chat {i}")
        recall.clock.set(at("2026-01-05T08:59"))
        eng = engine(bot)
        schedule = (await bot.store.active_schedules())[0]
        slot = await eng.next_post(schedule)
        recall.clock.set(at("2026-01-05T09:00"))
        claim = await bot.store.claim_slot(schedule, slot, late=False, rng=eng.rng)
        await eng.publisher.send(claim)  # sent; the bot dies before recording it
    assert len(posts(emulator, chan)) == 1
    async with recall.running(sync=False):
        assert len(posts(emulator, chan)) == 1  # found, not sent again


async def test_status_fits_discord_embed_total_when_several_schedules_have_problems(
    recall, emulator
):
    """/qotd status puts up to 25 schedules in one embed, each field clipped to 1024, but
    never checks the 6,000-character total: a server with a dozen schedules whose posts
    failed (lost permission) gets no answer at all from Discord."""
    guild, chan, mod, *_ = await world(recall, emulator)
    channels = [guild.add_channel(f"study-room-{i:02d}") for i in range(12)]
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        for c in channels:
            await setup_daily(mod, c, thread=False)
        for c in channels:  # a role change took Send Messages away everywhere
            c.revoke_bot_permission(discord.Permissions(send_messages=True).value)
        await emulator.settle()
        for day in (5, 6, 7):
            recall.clock.set(at(f"2026-01-{day:02d}T09:00"))
            await engine(bot).tick()
        status = await mod.run("/qotd status", channel=chan)
        assert status.content is None or "Something went wrong" not in status.content, status.content
        assert status.embed is not None and len(status.embed["fields"]) == 10
        assert status.embed["footer"]["text"] == "Page 1 of 2 · 10 schedules a page"
        second = await mod.click(status.message, "Next ▶")
        assert len(second.message.embeds[0]["fields"]) == 2


async def test_removing_a_schedule_still_reveals_its_open_question(recall, emulator):
    """With answer_after=next the open post waits for the next question; once the schedule
    is removed there is none, and nothing else ever closes the post."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
        recall.clock.set(at("2026-01-05T20:00"))
        removed = await mod.run("/qotd remove", channel=chan)
        assert removed.content.endswith("The open question's answer goes public now.")
        for day in (6, 7, 8):
            recall.clock.set(at(f"2026-01-{day:02d}T09:00"))
            await engine(bot).tick()
        [only] = posts(emulator, chan)
        assert only.embeds[0]["title"] == "Question of the day #1 · answer"


async def test_setup_on_an_auto_paused_schedule_posts_when_it_says(recall, emulator):
    """A schedule paused after 3 failed posts stays paused through /qotd setup, while
    setup's reply promises the next post."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await refused_slots(bot, recall, emulator, guild, mod, chan, (5, 6, 7))
        assert (await bot.store.active_schedules())[0].paused
        chan.set_permissions(guild.me, allow=0, deny=0)  # the moderator fixes the channel
        await emulator.settle()
        recall.clock.set(at("2026-01-07T12:00"))
        done = await setup_daily(mod, chan, thread=False)
        assert "**Next post:** Thu 08 Jan 2026 09:00" in done.embed["description"]
        assert "It was paused; it runs again from now." in done.embed["description"]
        recall.clock.set(at("2026-01-08T09:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1


async def test_a_thread_that_cannot_be_opened_is_not_promised_on_the_post(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)  # with a discussion thread
        chan.revoke_bot_permission(discord.Permissions(create_public_threads=True).value)
        await emulator.settle()
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        [post] = posts(emulator, chan)
        assert "discuss in the thread" not in post.embeds[0]["footer"]["text"]
        [schedule] = await bot.store.active_schedules()
        assert schedule.last_error is not None
        assert schedule.last_error.startswith("could not open a discussion thread")


async def test_a_network_error_opening_the_thread_still_records_the_post(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)  # with a discussion thread
        emulator.faults.add("POST", rf"/channels/{chan.id}/messages/\d+/threads$", status=DROP)
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        [post] = posts(emulator, chan)
        assert "discuss in the thread" not in post.embeds[0]["footer"]["text"]
        assert emulator.threads == []
        [schedule] = await bot.store.active_schedules()
        assert schedule.last_error is not None
        assert schedule.last_error.startswith("could not open a discussion thread")
        # The slot is recorded as posted, with the message: nothing is left to look for.
        [slot] = await bot.store._fetchall(
            "SELECT s.state, p.message_id FROM qotd_slots s JOIN posts p ON p.id = s.post_id"
        )
        assert (slot["state"], slot["message_id"]) == ("posted", post.id)


async def test_a_streak_counts_days_across_the_servers_schedules(recall, emulator):
    """Two questions of the day a day, in two channels: a member who answers one of them
    every day has shown up every day, and keeps the streak; a day with neither answered
    breaks it."""
    guild, chan, mod, alice, bob = await world(recall, emulator)
    other = guild.add_channel("qotd-2")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)
        await setup_daily(mod, other, thread=False, time="12:00")

        for day in ("2026-01-05", "2026-01-06", "2026-01-07"):
            recall.clock.set(at(f"{day}T09:00"))
            await engine(bot).tick()
            recall.clock.set(at(f"{day}T12:00"))
            await engine(bot).tick()
            # alice answers the 09:00 question on Monday and Wednesday, the 12:00 one on
            # Tuesday; bob answers both on Monday only.
            first = posts(emulator, chan)[-1]
            second = posts(emulator, other)[-1]
            mine = second if day == "2026-01-06" else first
            shown = await alice.click(mine, "Reveal answer")
            await alice.click(shown.message, "Good")
            if day == "2026-01-05":
                for post in (first, second):
                    shown = await bob.click(post, "Reveal answer")
                    await bob.click(shown.message, "Good")

        stats = await alice.run("/stats", channel=chan)
        await stats.wait_for_content()
        [field] = [f for f in stats.embed["fields"] if f["name"] == "QOTD streak"]
        assert field["value"] == "Current: **3**\nBest: **3**"
        stats = await bob.run("/stats", channel=chan)
        await stats.wait_for_content()
        [field] = [f for f in stats.embed["fields"] if f["name"] == "QOTD streak"]
        assert field["value"] == "Current: **0**\nBest: **1**"

        # Thursday's 09:00 question closes Wednesday's: alice answered on Tuesday (in the
        # other channel) and Wednesday, so she kept her streak.
        recall.clock.set(at("2026-01-08T09:00"))
        await engine(bot).tick()
        wednesday = posts(emulator, chan)[-2]
        assert wednesday.embeds[0]["footer"]["text"].endswith("1 member kept their streak")


async def test_status_names_a_failed_post_now_without_its_interaction_id(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        rows = await bot.store._fetchall(
            "SELECT q.id FROM questions q JOIN decks d ON d.id = q.deck_id WHERE d.slug = 'daily'"
        )
        for row in rows:
            await bot.store.remove_question(row[0])  # /question remove, every one
        tried = await mod.run("/qotd post-now", channel=chan)
        reply = await tried.wait_for_followup()
        assert reply.content == "Nothing was posted: its deck “Daily deck” has no questions left."
        status = await mod.run("/qotd status", channel=chan)
        [field] = status.embed["fields"]
        assert "now:" not in field["value"], field["value"]
        assert (
            "• failed 2026-01-05 08:00 (post-now): its deck “Daily deck” has no questions left"
            in field["value"]
        ), field["value"]


async def test_status_progress_leaves_out_asked_questions_that_were_removed(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        for day in (5, 6):
            recall.clock.set(at(f"2026-01-{day:02d}T09:00"))
            await engine(bot).tick()
        asked = await bot.store._fetchall("SELECT question_id FROM qotd_asked")
        assert len(asked) == 2
        for row in asked:
            await bot.store.remove_question(row[0])  # /question remove
        status = await mod.run("/qotd status", channel=chan)
        [field] = status.embed["fields"]
        assert "**Progress:** 0 of 1 asked (cycle 1)" in field["value"], field["value"]


async def test_status_progress_through_a_deck_of_thousands_is_grouped_by_thousands(
    recall, emulator
):
    """/qotd status of a schedule on a deck of 1200 questions read "0 of 1200 asked": the
    numbers are grouped by thousands, as the boards' are."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "daily", "Daily deck")
        await bot.store.add_questions(
            deck_id,
            [Question(id=f"q{i}", prompt=f"Question number {i}?", answer="A.") for i in range(1200)],
        )
        await setup_daily(mod, chan)
        status = await mod.run("/qotd status", channel=chan)
        [field] = status.embed["fields"]
        assert "**Progress:** 0 of 1,200 asked (cycle 1)" in field["value"], field["value"]


async def test_a_schedule_whose_deck_is_switched_off_says_so_and_resumes_once_it_is_on(
    recall, emulator
):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if d.slug == "daily"]
        await bot.store.set_deck_enabled(guild.id, deck.id, False)  # /deck disable
        for day in (5, 6, 7):
            recall.clock.set(at(f"2026-01-{day:02d}T09:00"))
            await engine(bot).tick()
        assert posts(emulator, chan) == []
        [schedule] = await bot.store.schedules_for_guild(guild.id)
        assert schedule.paused
        status = await mod.run("/qotd status", channel=chan)
        [field] = status.embed["fields"]
        assert "its deck “Daily deck” is switched off in this server" in field["value"], field
        refused = await mod.run("/qotd resume", channel=chan)
        assert refused.content == (
            "Schedule #1 has no question to ask: its deck “Daily deck” is switched off in this "
            "server; /deck enable turns it on. It stays paused; resume it once that is fixed."
        )
        [schedule] = await bot.store.schedules_for_guild(guild.id)
        assert schedule.paused  # resuming would only fail again

        await bot.store.set_deck_enabled(guild.id, deck.id, True)  # /deck enable
        resumed = await mod.run("/qotd resume", channel=chan)
        assert resumed.content.startswith("Resumed schedule #1"), resumed.content
        recall.clock.set(at("2026-01-08T09:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1


async def test_a_question_made_multiple_choice_while_open_gets_option_buttons(recall, emulator):
    """The open question of the day edited into multiple choice: Reveal and a self-grade are
    refused, saying to pick an option, and the post is redrawn with its options, which then
    grade as usual."""
    guild, chan, mod, alice, bob = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
        [post] = posts(emulator, chan)
        revealed = await bob.click(post, "Reveal answer")  # before the edit

        await make_multiple_choice(bot, post)

        refused = await alice.click(post, "Reveal answer")
        assert refused.ephemeral
        assert refused.content == (
            "This question was made multiple choice after it was posted, so it is not "
            "self-graded. Pick your answer from its options on the question. The buttons are "
            "being updated: pick again in a moment."
        )
        await emulator.wait_until(
            lambda: [b.label for b in post.buttons][:2] == ["A. Wrong one", "B. Right one"]
        )
        refused = await bob.click(revealed.message, "Good")
        assert refused.content.startswith("This question was made multiple choice after it")
        assert await bot.store._fetchall("SELECT * FROM attempts") == []

        graded = await alice.click(post, "B. Right one")
        assert "Right one" in str(graded.embed)
        [attempt] = await bot.store._fetchall("SELECT user_id, correct FROM attempts")
        assert tuple(attempt) == (alice.id, 1)


async def test_a_quiz_question_made_multiple_choice_before_any_click_gets_option_buttons(
    recall, emulator
):
    """A public /quiz post nobody has clicked yet (Recall has not learnt its message from a
    grade) whose question is edited into multiple choice: Reveal redraws it with its options,
    which then grade as usual."""
    guild, chan, _mod, alice, bob = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        posted = await alice.run("/quiz", channel=chan, deck="daily")
        post = posted.message
        await make_multiple_choice(bot, post)

        refused = await bob.click(post, "Reveal answer")
        assert refused.ephemeral
        assert "Pick your answer from its options on the question." in refused.content
        await emulator.wait_until(
            lambda: [b.label for b in post.buttons][:2] == ["A. Wrong one", "B. Right one"]
        )
        graded = await bob.click(post, "B. Right one")
        assert "Right one" in str(graded.embed)


async def test_an_answer_after_the_question_closed_keeps_no_streak(recall, emulator):
    """Once a question of the day has closed its answer is public: answering it then still
    counts for reviews, but does not make that day answered for the member's streak, nor
    count them among those who kept their streak."""
    guild, chan, mod, alice, bob = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
        shown = await alice.click(posts(emulator, chan)[-1], "Reveal answer")
        await alice.click(shown.message, "Good")

        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).tick()  # #1 closes, #2 is posted
        first, second = posts(emulator, chan)
        recall.clock.set(at("2026-01-06T09:10"))
        for member in (alice, bob):
            shown = await member.click(second, "Reveal answer")
            await member.click(shown.message, "Good")
        shown = await bob.click(first, "Reveal answer")  # #1's answer is public by now
        late = await bob.click(shown.message, "Good")
        assert "this question has closed" in late.message.embeds[0]["description"]
        rows = await bot.store._fetchall(
            "SELECT COUNT(*) FROM attempts WHERE user_id = ? AND post_id IS NOT NULL", (bob.id,)
        )
        assert rows[0][0] == 2  # stored, for reviews

        streaks = {}
        for member in (alice, bob):
            stats = await member.run("/stats", channel=chan)
            await stats.wait_for_content()
            [field] = [f for f in stats.embed["fields"] if f["name"] == "QOTD streak"]
            streaks[member.name] = field["value"]
        assert streaks == {
            "alice": "Current: **2**\nBest: **2**",
            "bob": "Current: **1**\nBest: **1**",
        }
        recall.clock.set(at("2026-01-07T09:00"))
        await engine(bot).tick()
        assert posts(emulator, chan)[1].embeds[0]["footer"]["text"].endswith(
            "2 answered · 100% got it · 1 member kept their streak"
        )


async def test_status_names_each_schedules_channel_where_discord_shows_a_mention(
    recall, emulator
):
    """Discord does not turn ``<#id>`` into a channel link in an embed field's name (only in
    descriptions and field values): the channel goes in the value."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        status = await mod.run("/qotd status", channel=chan)
        [field] = status.embed["fields"]
        assert "<#" not in field["name"], field["name"]
        assert field["name"].startswith("#1 · 09:00 daily (Europe/London)")
        assert field["value"].startswith(f"**Where:** <#{chan.id}>\n"), field["value"]


async def test_a_closed_question_nobody_kept_a_streak_on_does_not_point_to_tomorrow(
    recall, emulator
):
    """A question closes when the next one is posted (by default): its foot must not send
    members to "tomorrow's question" while that question is already up, nor tell those who
    answered it that they have yet to start a streak."""
    guild, chan, mod, alice, _ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan)
        [first] = posts(emulator, chan)
        revealed = await alice.click(first, "Reveal answer")
        await alice.click(revealed.message, "Good")
        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).tick()
        first_now, _second = posts(emulator, chan)
        footer = first_now.embeds[0]["footer"]["text"]
        assert footer == "1 answered · 100% got it · Answer each day's question to build a streak"


async def test_setup_and_status_say_one_day_and_one_schedule(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        done = await setup_daily(mod, chan, answer_after="1d")
        assert "**Answers go public:** 1 day after posting" in done.embed["description"]
        done = await setup_daily(mod, chan, answer_after="1h")
        assert "**Answers go public:** 1 hour after posting" in done.embed["description"]
        status = await mod.run("/qotd status", channel=chan)
        assert status.embed["description"] == "1 schedule"


async def test_moving_the_time_later_after_todays_post_waits_for_tomorrow(recall, emulator):
    """Posted at 09:00, moved to 10:00 at 09:30: no second question at 10:00 the same day."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
        assert len(posts(emulator, chan)) == 1

        recall.clock.set(at("2026-01-05T09:30"))
        done = await setup_daily(mod, chan, thread=False, time="10:00")
        assert "**Next post:** Tue 06 Jan 2026 10:00 Europe/London" in done.embed["description"]
        assert "Today's question is already up in" in done.embed["description"]
        status = await mod.run("/qotd status", channel=chan)
        assert "**Next:** Tue 06 Jan 2026 10:00" in status.embed["fields"][0]["value"]
        recall.clock.set(at("2026-01-05T10:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1
        await engine(bot).run_one(1)
        assert len(posts(emulator, chan)) == 1

        now = await mod.run("/qotd post-now", channel=chan)  # still the way to post an extra one
        await now.wait_for_followup()
        assert len(posts(emulator, chan)) == 2
        recall.clock.set(at("2026-01-06T10:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 3
    recall.clock.set(at("2026-01-06T10:30"))
    async with recall.running(sync=False) as bot:
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 3


async def test_moving_the_time_later_before_todays_post_posts_at_the_new_time(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)
        recall.clock.set(at("2026-01-05T08:30"))
        done = await setup_daily(mod, chan, thread=False, time="10:00")
        assert "**Next post:** Mon 05 Jan 2026 10:00 Europe/London" in done.embed["description"]
        recall.clock.set(at("2026-01-05T10:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1


async def test_status_shows_every_schedule_a_page_at_a_time(recall, emulator):
    """A server can have a schedule in each channel: past 25 (one embed's fields) none may
    be left out, and no page may break Discord's limits."""
    guild, chan, mod, *_ = await world(recall, emulator)
    channels = [guild.add_channel(f"room-{i:02d}") for i in range(27)]
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        for c in channels:
            await setup_daily(mod, c, thread=False)
        status = await mod.run("/qotd status", channel=chan)
        assert status.ephemeral
        seen: list[str] = []
        message = status.message
        for page in (1, 2, 3):
            embed = message.embeds[0]
            assert embed["description"] == "27 schedules"
            assert embed["footer"]["text"] == f"Page {page} of 3 · 10 schedules a page"
            seen += [f["value"].split("\n")[0] for f in embed["fields"]]
            previous, following = message.buttons
            assert previous.disabled == (page == 1) and following.disabled == (page == 3)
            if page < 3:
                clicked = await mod.click(message, "Next ▶")
                assert clicked.response_type == 7
                message = clicked.message
        assert seen == [f"**Where:** <#{c.id}>" for c in channels]
        back = await mod.click(message, "◀ Previous")
        assert back.message.embeds[0]["footer"]["text"] == "Page 2 of 3 · 10 schedules a page"


class ShiftedClock:
    """Real time, moved to another date: it runs on as the scheduler's wall clock does."""

    def __init__(self, start: datetime):
        self.shift = start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.shift

    def move_to(self, at: datetime) -> None:
        """Make it ``at`` now; time runs on from there."""
        self.shift = at - datetime.now(UTC)


async def test_grace_hours_zero_still_posts_on_time(recall, emulator):
    """RECALL_QOTD_GRACE_HOURS=0 means no late posts after downtime, not no posts at all:
    the bot, running, posts each question at its time."""
    from bot.config import Settings

    guild = emulator.add_guild("Study group")
    chan = guild.add_channel("qotd")
    mod = guild.add_member("mod", permissions=MOD)
    recall.settings = lambda: Settings(  # type: ignore[method-assign]
        DISCORD_TOKEN=emulator.bot_token, database=recall.db, qotd_grace_hours=0
    )
    recall.clock = clock = ShiftedClock(at("2026-01-05T08:00"))
    async with recall.running(scheduler=True) as bot:
        await make_deck(bot, guild.id)
        # Three seconds before the slot when it is set up, however long starting took.
        clock.move_to(at("2026-01-05T08:59:57"))
        await setup_daily(mod, chan, timezone="UTC", thread=False)
        await emulator.wait_until(lambda: len(posts(emulator, chan)) == 1, within=15)
        [post] = posts(emulator, chan)
        assert post.embeds[0]["title"] == "Question of the day #1"
        for _ in range(100):
            slots = [tuple(r) for r in await bot.store._fetchall(
                "SELECT local_date, local_time, state FROM qotd_slots")]
            if slots != [("2026-01-05", "09:00", "claimed")]:
                break
            await asyncio.sleep(0.05)
        assert slots == [("2026-01-05", "09:00", "posted")]


async def test_a_crash_after_sending_keeps_the_discussion_thread(recall, emulator):
    """The bot dies after posting a question with its discussion thread, before recording
    either: on restart the post is found, and its thread is known, so the live count
    edits keep pointing members to it."""
    guild, chan, mod, alice, _ = await world(recall, emulator, "2026-01-05T08:00")
    async with recall.running() as bot:
        claim = await sent_not_recorded(bot, recall, guild, mod, chan)  # with a thread
    [thread] = emulator.threads
    async with recall.running(sync=False) as bot:
        [post] = posts(emulator, chan)
        assert (await bot.store.post(claim.post_id)).thread_id == thread.id
        shown = await alice.click(post, "Reveal answer")
        await alice.click(shown.message, "Good")
        await emulator.wait_until(lambda: "1 member answered" in post.embeds[0]["footer"]["text"])
        assert "discuss in the thread" in post.embeds[0]["footer"]["text"]


async def test_a_crash_before_the_thread_is_opened_opens_it_on_restart(recall, emulator):
    """The bot dies between posting the question (which invites members to its thread) and
    opening the thread: on restart the thread is opened, once."""
    from cogs.quiz import public_embed, question_view

    guild, chan, mod, *_ = await world(recall, emulator, "2026-01-05T08:00")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)  # with a discussion thread
        recall.clock.set(at("2026-01-05T08:59"))
        eng = engine(bot)
        [schedule] = await bot.store.active_schedules()
        slot = await eng.next_post(schedule)
        recall.clock.set(at("2026-01-05T09:00"))
        claim = await bot.store.claim_slot(schedule, slot, late=False, rng=eng.rng)
        qp = await bot.get_cog("Qotd").quiz.load(claim.post_id)
        # what the publisher sends before it opens the thread
        await bot.get_channel(chan.id).send(
            embed=public_embed(qp, 0, None, thread=True), view=question_view(qp))
    assert emulator.threads == []
    async with recall.running(sync=False) as bot:
        [post] = posts(emulator, chan)
        [thread] = emulator.threads
        assert thread.name.startswith("QOTD #1: Question number")
        assert (await bot.store.post(claim.post_id)).thread_id == thread.id
        assert "discuss in the thread" in post.embeds[0]["footer"]["text"]
        await engine(bot).tick()
        assert len(emulator.threads) == 1 and len(posts(emulator, chan)) == 1


async def test_a_recovered_post_whose_thread_is_refused_keeps_its_answer_count(
    recall, emulator
):
    """The bot dies before opening a post's thread; a member answers meanwhile; on restart
    Discord refuses the thread: the post stops inviting to it and still counts the answer."""
    from cogs.quiz import public_embed, question_view

    guild, chan, mod, alice, *_ = await world(recall, emulator, "2026-01-05T08:00")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)  # with a discussion thread
        recall.clock.set(at("2026-01-05T08:59"))
        eng = engine(bot)
        [schedule] = await bot.store.active_schedules()
        slot = await eng.next_post(schedule)
        recall.clock.set(at("2026-01-05T09:00"))
        claim = await bot.store.claim_slot(schedule, slot, late=False, rng=eng.rng)
        qp = await bot.get_cog("Qotd").quiz.load(claim.post_id)
        await bot.get_channel(chan.id).send(
            embed=public_embed(qp, 0, None, thread=True), view=question_view(qp))
        await bot.store.record_attempt(
            AttemptRequest(guild.id, alice.id, "alice", claim.post_id, qp.question.id, "qotd",
                           3, False, False)
        )
    emulator.faults.add(
        "POST", rf"/channels/{chan.id}/messages/\d+/threads$", status=403, times=None
    )
    async with recall.running(sync=False):
        [post] = posts(emulator, chan)
        await emulator.wait_until(
            lambda: "discuss in the thread" not in post.embeds[0]["footer"]["text"], within=5
        )
        assert post.embeds[0]["footer"]["text"].startswith("1 member answered")
        assert emulator.threads == []


async def test_pause_and_resume_after_moving_the_time_later_posts_no_second_question(
    recall, emulator
):
    """Posted at 09:00, moved to 10:00 at 09:30 (next post tomorrow), then paused and
    resumed at 09:40: still no second question at 10:00 that day."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
        recall.clock.set(at("2026-01-05T09:30"))
        await setup_daily(mod, chan, thread=False, time="10:00")
        recall.clock.set(at("2026-01-05T09:40"))
        await mod.run("/qotd pause", channel=chan)
        resumed = await mod.run("/qotd resume", channel=chan)
        assert "Next post: Tue 06 Jan 2026 10:00" in resumed.content
        recall.clock.set(at("2026-01-05T10:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1
        recall.clock.set(at("2026-01-06T10:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 2


async def test_removed_and_set_up_again_the_same_day_posts_no_second_question(recall, emulator):
    """Posted at 09:00, removed at 09:30 and set up again at 09:40 for 10:00 in the same
    channel: the new schedule's first question is tomorrow's, and setup says so."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
        assert len(posts(emulator, chan)) == 1

        recall.clock.set(at("2026-01-05T09:30"))
        await mod.run("/qotd remove", channel=chan)
        recall.clock.set(at("2026-01-05T09:40"))
        done = await setup_daily(mod, chan, thread=False, time="10:00")
        assert done.embed["title"] == "Question of the day is set up"
        text = done.embed["description"]
        assert "**Next post:** Tue 06 Jan 2026 10:00 Europe/London" in text, text
        assert "Today's question is already up in" in text, text
        recall.clock.set(at("2026-01-05T10:00"))
        await engine(bot).tick()
        await engine(bot).run_one(2)
        assert len(posts(emulator, chan)) == 1
        recall.clock.set(at("2026-01-06T10:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 2


async def test_removed_and_set_up_again_before_todays_post_posts_today(recall, emulator):
    """Removed before its slot (nothing posted today): set up again, it posts today."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)
        await mod.run("/qotd remove", channel=chan)
        done = await setup_daily(mod, chan, thread=False, time="10:00")
        text = done.embed["description"]
        assert "**Next post:** Mon 05 Jan 2026 10:00 Europe/London" in text, text
        assert "already up" not in text
        recall.clock.set(at("2026-01-05T10:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1


async def test_a_paused_schedules_open_question_closes_when_the_next_would_have_come(
    recall, emulator
):
    """answer_after=next: the open question shows its answer at the next slot even while
    its schedule is paused (none is posted then), and the pause breaks no streak."""
    guild, chan, mod, alice, _ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
        shown = await alice.click(posts(emulator, chan)[-1], "Reveal answer")
        await alice.click(shown.message, "Good")

        recall.clock.set(at("2026-01-05T12:00"))
        paused = await mod.run("/qotd pause", channel=chan)
        assert (
            "The open question's answer still goes public on Tue 06 Jan 2026 09:00 Europe/London "
            "(09:00 UTC), when the next question would have been due." in paused.content
        ), paused.content
        recall.clock.set(at("2026-01-06T08:59"))
        await engine(bot).tick()
        [first] = posts(emulator, chan)
        assert first.embeds[0]["title"] == "Question of the day #1"  # still open
        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).run_one(1)  # the schedule's job, though it posts nothing
        [first] = posts(emulator, chan)
        assert first.embeds[0]["title"] == "Question of the day #1 · answer"
        assert "Closed · 1 answered · 100% got it" in [b.label for b in first.buttons]

        for day in (7, 8):
            recall.clock.set(at(f"2026-01-{day:02d}T09:00"))
            await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1
        recall.clock.set(at("2026-01-08T12:00"))
        await mod.run("/qotd resume", channel=chan)
        recall.clock.set(at("2026-01-09T09:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 2
        shown = await alice.click(posts(emulator, chan)[-1], "Reveal answer")
        await alice.click(shown.message, "Good")
        stats = await alice.run("/stats", channel=chan)
        await stats.wait_for_content()
        [field] = [f for f in stats.embed["fields"] if f["name"] == "QOTD streak"]
        assert field["value"] == "Current: **2**\nBest: **2**"


async def test_a_paused_schedules_open_question_closes_on_a_restart_after_its_time(
    recall, emulator
):
    """Paused with a question open, the bot down across the next slot: the start-up pass
    shows the answer."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
        await mod.run("/qotd pause", channel=chan)
    recall.clock.set(at("2026-01-07T15:00"))
    async with recall.running(sync=False):
        [first] = posts(emulator, chan)
        assert first.embeds[0]["title"] == "Question of the day #1 · answer"


async def test_resumed_before_the_next_slot_the_open_question_waits_for_the_next_one(
    recall, emulator
):
    """Paused and resumed before the next slot: nothing changes, the question closes as
    the next one is posted."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
        recall.clock.set(at("2026-01-05T12:00"))
        await mod.run("/qotd pause", channel=chan)
        await mod.run("/qotd resume", channel=chan)
        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).tick()
        first, second = posts(emulator, chan)
        assert first.embeds[0]["title"] == "Question of the day #1 · answer"
        assert second.embeds[0]["title"] == "Question of the day #2"


async def test_a_paused_schedules_question_with_a_delay_closes_after_it(recall, emulator):
    """answer_after=12h: pausing does not hold the answer back."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False, answer_after="12h")
        recall.clock.set(at("2026-01-05T12:00"))
        await mod.run("/qotd pause", channel=chan)
        recall.clock.set(at("2026-01-05T21:00"))
        await engine(bot).tick()
        [first] = posts(emulator, chan)
        assert first.embeds[0]["title"] == "Question of the day #1 · answer"


async def test_resume_on_a_schedule_that_is_not_paused_changes_nothing(recall, emulator):
    """/qotd resume on a running schedule does not claim to have resumed it, nor wipe the
    problem /qotd status shows (a thread Discord refused, say)."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)  # with a discussion thread
        chan.revoke_bot_permission(discord.Permissions(create_public_threads=True).value)
        await emulator.settle()
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        resumed = await mod.run("/qotd resume", channel=chan)
        assert resumed.ephemeral and resumed.content == (
            "Schedule #1 is not paused; nothing changed. Next post: Tue 06 Jan 2026 09:00 "
            "Europe/London (09:00 UTC)."
        ), resumed.content
        status = await mod.run("/qotd status", channel=chan)
        assert "⚠️ **Problem:** could not open a discussion thread" in (
            status.embed["fields"][0]["value"]
        )


async def test_removed_and_set_up_again_goes_on_with_the_channels_numbering_and_cycle(
    recall, emulator
):
    """Removed and set up again in the same channel, the new schedule takes up where the
    old one stopped: its first post is #3, and it asks the one question of the deck the
    channel has not had in this cycle. Another channel starts at #1."""
    guild, chan, mod, *_ = await world(recall, emulator)
    other = guild.add_channel("other")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)
        for day in (5, 6):
            recall.clock.set(at(f"2026-01-{day:02d}T09:00"))
            await engine(bot).tick()
        recall.clock.set(at("2026-01-06T12:00"))
        await mod.run("/qotd remove", channel=chan)
        again = await setup_daily(mod, chan, thread=False)
        assert "the next question is #3" in again.embed["description"], again.embed
        elsewhere = await setup_daily(mod, other, thread=False)
        assert "Numbering goes on" not in elsewhere.embed["description"]
        status = await mod.run("/qotd status", channel=chan)
        mine = next(f for f in status.embed["fields"] if f"<#{chan.id}>" in f["value"])
        assert "**Progress:** 2 of 3 asked (cycle 1)" in mine["value"], mine

        recall.clock.set(at("2026-01-07T09:00"))
        await engine(bot).tick()
        assert [p.embeds[0]["title"] for p in posts(emulator, chan)][-1] == (
            "Question of the day #3"
        )
        [fresh] = posts(emulator, other)
        assert fresh.embeds[0]["title"] == "Question of the day #1"
        asked = await bot.store._fetchall(
            "SELECT question_id FROM posts WHERE channel_id = ? ORDER BY id", (chan.id,)
        )
        assert len({r[0] for r in asked}) == 3  # the whole deck before any repeat


async def test_a_failed_slot_shows_the_previous_questions_answer_at_its_time(recall, emulator):
    """answer_after=next: the slot after #1 fails (its deck switched off), yet #1's answer
    goes public at that slot's time instead of waiting for a post that succeeds; a skipped
    slot still leaves it open."""
    guild, chan, mod, alice, _ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
        shown = await alice.click(posts(emulator, chan)[-1], "Reveal answer")
        await alice.click(shown.message, "Good")
        await mod.run("/qotd skip", channel=chan)  # Tuesday's
        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).run_one(1)
        [first] = posts(emulator, chan)
        assert first.embeds[0]["title"] == "Question of the day #1"  # skipped: still open

        [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if d.slug == "daily"]
        await bot.store.set_deck_enabled(guild.id, deck.id, False)  # /deck disable
        recall.clock.set(at("2026-01-07T09:00"))
        await engine(bot).run_one(1)  # Wednesday's slot fails: nothing to ask
        [first] = posts(emulator, chan)
        assert first.embeds[0]["title"] == "Question of the day #1 · answer"
        assert "Closed · 1 answered · 100% got it" in [b.label for b in first.buttons]

        await bot.store.set_deck_enabled(guild.id, deck.id, True)
        recall.clock.set(at("2026-01-08T09:00"))
        await engine(bot).tick()
        first, second = posts(emulator, chan)
        assert second.embeds[0]["title"] == "Question of the day #2"
        shown = await alice.click(second, "Reveal answer")
        await alice.click(shown.message, "Good")
        stats = await alice.run("/stats", channel=chan)
        await stats.wait_for_content()
        [field] = [f for f in stats.embed["fields"] if f["name"] == "QOTD streak"]
        assert field["value"] == "Current: **2**\nBest: **2**"  # a day with no post breaks none


async def test_a_slot_refused_for_a_missing_permission_shows_the_previous_answer(
    recall, emulator
):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
        chan.revoke_bot_permission(discord.Permissions(send_messages=True).value)
        await emulator.settle()
        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).tick()
        [schedule] = await bot.store.active_schedules()
        assert (schedule.last_error or "").startswith("missing permission"), schedule
        [first] = posts(emulator, chan)
        assert first.embeds[0]["title"] == "Question of the day #1 · answer"


async def test_a_slot_missed_while_the_bot_was_down_shows_the_previous_answer(recall, emulator):
    """Down across Tuesday's slot for longer than the grace: Tuesday is missed, and #1's
    answer goes public as the bot comes back, not on Wednesday."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
    recall.clock.set(at("2026-01-06T16:00"))  # 7 hours after Tuesday's slot
    async with recall.running(sync=False) as bot:
        [first] = posts(emulator, chan)
        assert first.embeds[0]["title"] == "Question of the day #1 · answer"
        slots = await bot.store._fetchall("SELECT local_date, state FROM qotd_slots ORDER BY id")
        assert [tuple(r) for r in slots] == [("2026-01-05", "posted"), ("2026-01-06", "missed")]


async def test_a_post_unconfirmed_when_its_schedule_is_removed_is_recorded_and_closed(
    recall, emulator
):
    """Discord posted #1 but its answer to the bot was lost, so the slot waits to be checked
    again; the schedule is removed meanwhile. The check still finds the message: it is
    recorded, and as no next question will come, its answer goes public."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)
        eng = engine(bot)
        real_send = eng.publisher.send

        async def posted_but_unconfirmed(claim):
            await real_send(claim)
            raise PublishError("Discord did not confirm the post: timed out", permanent=False)

        eng.publisher.send = posted_but_unconfirmed
        recall.clock.set(at("2026-01-05T09:00"))
        await eng.tick()
        eng.publisher.send = real_send
        [post] = posts(emulator, chan)
        assert post.embeds[0]["title"] == "Question of the day #1"

        recall.clock.set(at("2026-01-05T09:00:30"))
        await mod.run("/qotd remove", channel=chan)
        recall.clock.set(at("2026-01-05T09:01"))
        await eng.tick()  # the retry
        [post] = posts(emulator, chan)
        assert post.embeds[0]["title"] == "Question of the day #1 · answer"
        [row] = await bot.store._fetchall("SELECT s.state, p.message_id FROM qotd_slots s "
                                         "JOIN posts p ON p.id = s.post_id")
        assert tuple(row) == ("posted", post.id)


async def test_a_post_unsent_when_its_schedule_is_removed_is_not_sent_after(recall, emulator):
    """Discord did not confirm #1 and had not posted it; the schedule is removed before the
    retry: the retry posts nothing and ends the slot."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)
        eng = engine(bot)
        real_send = eng.publisher.send

        async def unconfirmed(claim):
            raise PublishError("Discord did not confirm the post: timed out", permanent=False)

        eng.publisher.send = unconfirmed
        recall.clock.set(at("2026-01-05T09:00"))
        await eng.tick()
        eng.publisher.send = real_send
        recall.clock.set(at("2026-01-05T09:00:30"))
        await mod.run("/qotd remove", channel=chan)
        recall.clock.set(at("2026-01-05T09:01"))
        await eng.tick()
        assert posts(emulator, chan) == []
        [slot] = await bot.store._fetchall("SELECT state FROM qotd_slots")
        assert slot["state"] == "failed"
        assert await bot.store.claimed_slots() == []


async def test_a_schedule_removed_while_its_post_is_being_sent_still_shows_the_answer(
    recall, emulator
):
    """/qotd remove lands while #1 is on its way to Discord: remove finds no message to
    close, and #1, recorded after, waits for a next question that will not come."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)
        eng = engine(bot)
        real_send = eng.publisher.send

        async def removed_meanwhile(claim):
            await mod.run("/qotd remove", channel=chan)
            return await real_send(claim)

        eng.publisher.send = removed_meanwhile
        recall.clock.set(at("2026-01-05T09:00"))
        await eng.run_one(1)
        eng.publisher.send = real_send
        await eng.tick()
        [post] = posts(emulator, chan)
        assert post.embeds[0]["title"] == "Question of the day #1 · answer"


async def test_a_post_now_discord_did_not_confirm_says_it_is_tried_again(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator, "2026-01-05T10:00")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)
        emulator.faults.add("POST", rf"/channels/{chan.id}/messages$", status=503, times=1)
        tried = await mod.run("/qotd post-now", channel=chan)
        reply = await tried.wait_for_followup()
        # Not "Nothing was posted": the post goes up at the retry.
        assert reply.content.startswith(
            "Question of the day #1 is not confirmed yet: Discord did not confirm the post: 503"
        ), reply.content
        assert f"Recall checks <#{chan.id}> for it in a minute" in reply.content
        status = await mod.run("/qotd status", channel=chan)
        [field] = status.embed["fields"]
        assert "⏳ **Trying again:** #1 of 2026-01-05 10:00 (post-now): Discord did not" in (
            field["value"]
        ), field["value"]
        await engine(bot).tick()  # the retry
        [post] = posts(emulator, chan)
        assert post.embeds[0]["title"] == "Question of the day #1"


async def test_status_links_the_last_post_by_its_own_number(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
        [first] = posts(emulator, chan)
        # Discord answers Tuesday's post (#2) with a 503: it is tried again later.
        emulator.faults.add("POST", rf"/channels/{chan.id}/messages$", status=503, times=1)
        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).tick()
        status = await mod.run("/qotd status", channel=chan)
        [field] = status.embed["fields"]
        link = f"https://discord.com/channels/{guild.id}/{chan.id}/{first.id}"
        assert f"**Last post:** [#1]({link})" in field["value"], field["value"]


async def test_setup_offers_the_tags_of_the_deck_chosen(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await make_other_deck(bot, guild.id)
        tags = await mod.autocomplete("/qotd setup", "tag", "", channel=chan, deck="daily")
        # Only tags the schedule can ask with: any other is refused by setup.
        assert [(c["name"], c["value"]) for c in tags] == [("daily (3)", "daily")], tags
        anywhere = await mod.autocomplete("/qotd setup", "tag", "else", channel=chan)
        assert [c["value"] for c in anywhere] == ["elsewhere"]


async def test_setup_takes_a_tag_typed_as_a_hashtag(recall, emulator):
    """"#Daily" is the tag daily, as /quiz and the tag's autocomplete take it."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        done = await mod.run(
            "/qotd setup",
            channel=chan,
            options={"channel": chan, "time": "09:00", "timezone": "UTC", "tag": "#Daily"},
        )
        assert not done.content.startswith("No question matches"), done.content
        [schedule] = await bot.store.active_schedules()
        assert schedule.tag == "daily"


async def test_a_ping_of_the_everyone_role_pings_everyone(recall, emulator, monkeypatch):
    guild, chan, mod, *_ = await world(recall, emulator)
    bodies: list[dict] = []
    check = emulator._check_message_body

    def recording(body: dict) -> None:
        bodies.append(body)
        check(body)

    monkeypatch.setattr(emulator, "_check_message_body", recording)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        done = await setup_daily(mod, chan, ping=guild.everyone)
        assert "**Ping:** @everyone" in done.embed["description"], done.embed
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        [post] = posts(emulator, chan)
        assert post.content == "@everyone"
        [body] = [b for b in bodies if b.get("content") == "@everyone"]
        # As /qotd setup said ("Ping: @everyone"): not a mention that notifies nobody.
        assert limits.pings(body) == ["@everyone"], body


async def test_skip_says_the_open_answer_waits_for_the_next_question(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
        recall.clock.set(at("2026-01-05T10:00"))
        skipped = await mod.run("/qotd skip", channel=chan)
        assert skipped.content == (
            "Skipped the question of Tue 06 Jan 2026 09:00 Europe/London (09:00 UTC). "
            "The next one is Wed 07 Jan 2026 09:00 Europe/London (09:00 UTC). "
            "The open question's answer goes public then."
        ), skipped.content
        # Still open at the skipped time; its answer goes public with Wednesday's question.
        for when, title in (
            ("2026-01-06T09:00", "Question of the day #1"),
            ("2026-01-07T09:00", "Question of the day #1 · answer"),
        ):
            recall.clock.set(at(when))
            await engine(bot).tick()
            assert posts(emulator, chan)[0].embeds[0]["title"] == title, when


async def test_post_now_says_the_scheduled_question_still_comes(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator, "2026-01-05T08:30")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)
        [command] = [c for c in emulator.commands.global_commands if c["name"] == "qotd"]
        [option] = [o for o in command["options"] if o["name"] == "post-now"]
        assert "extra question" in option["description"], option  # not "the next question"
        reply = await post_now_reply(mod, chan)
        assert reply.endswith(
            "). The next scheduled one still goes up on Mon 05 Jan 2026 09:00 Europe/London "
            "(09:00 UTC), showing this one's answer."
        ), reply
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        assert [p.embeds[0]["title"] for p in posts(emulator, chan)] == [
            "Question of the day #1 · answer",
            "Question of the day #2",
        ]


async def test_a_deleted_ping_role_is_reported_and_the_question_still_goes_up(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    role = guild.add_role("Daily learners")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, ping=role)
        guild.delete_role(role)
        await emulator.settle()
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        [post] = posts(emulator, chan)
        assert not post.content  # nobody to ping
        status = await mod.run("/qotd status", channel=chan)
        [field] = status.embed["fields"]
        assert (
            "⚠️ **Problem:** its ping role was deleted, so questions go up without a ping; "
            "choose another with /qotd edit" in field["value"]
        ), field["value"]


async def test_setup_offers_the_zone_that_is_utc_plus_two_first(recall, emulator):
    _, chan, mod, *_ = await world(recall, emulator)
    async with recall.running():
        zones = await mod.autocomplete("/qotd setup", "timezone", "GMT+2", channel=chan)
        assert [(c["name"], c["value"]) for c in zones] == [
            ("Etc/GMT-2 (UTC+2)", "Etc/GMT-2"),
            ("Etc/GMT+2 (UTC-2)", "Etc/GMT+2"),
        ], zones


@pytest.mark.parametrize(
    ("command", "option"),
    [("/settings timezone", "zone"), ("/review settings", "timezone"), ("/review remind", "timezone")],
)
async def test_every_zone_autocomplete_says_what_an_etc_gmt_zone_really_is(
    recall, emulator, command, option
):
    """Etc/GMT-2 is UTC+2: every command choosing a zone labels it so, not /qotd setup only."""
    _, _, mod, *_ = await world(recall, emulator)
    async with recall.running():
        zones = await mod.autocomplete(command, option, "GMT+2")
        assert [(c["name"], c["value"]) for c in zones[:2]] == [
            ("Etc/GMT-2 (UTC+2)", "Etc/GMT-2"),
            ("Etc/GMT+2 (UTC-2)", "Etc/GMT+2"),
        ], zones


async def test_a_schedule_typed_as_its_channel_is_found(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        for where in (chan, guild.add_channel("Evening-Quiz")):
            await setup_daily(mod, where)
        # Typed, not picked from the list (which gives the schedule's number).
        paused = await mod.run("/qotd pause", channel=chan, schedule="#evening-quiz")
        assert paused.content.startswith("Paused schedule #2"), paused.content
        paused = await mod.run("/qotd pause", channel=chan, schedule=f"<#{chan.id}>")
        assert paused.content.startswith("Paused schedule #1"), paused.content
        refused = await mod.run("/qotd resume", channel=chan, schedule="#nowhere")
        assert refused.content == (
            r"There is no schedule “\#nowhere” here. `/qotd status` lists them."
        ), refused.content
        # What was typed shows as typed: not in bold, nor with Python's quotes and escapes.
        refused = await mod.run("/qotd resume", channel=chan, schedule="**it's**")
        assert refused.content == (
            r"There is no schedule “\*\*it's\*\*” here. `/qotd status` lists them."
        ), refused.content
        assert [s.paused for s in await bot.store.active_schedules()] == [True, True]


async def test_setup_offers_the_days_typed_in_words(recall, emulator):
    _, chan, mod, *_ = await world(recall, emulator)
    async with recall.running():
        days = await mod.autocomplete("/qotd setup", "days", "sat-mon", channel=chan)
        assert days == [{"name": "mon,sat,sun: Monday, Saturday, Sunday", "value": "mon,sat,sun"}]


async def test_a_failed_first_post_of_a_new_cycle_does_not_repeat_the_last_question(
    recall, emulator
):
    """Three questions, all asked; the next slot would start a new cycle, but its post is
    refused. The question after must still not be the one asked just before."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)
        engine(bot).rng = random.Random(2)
        for day in (5, 6, 7):
            recall.clock.set(at(f"2026-01-{day:02d}T09:00"))
            await engine(bot).tick()
        last = posts(emulator, chan)[-1].embeds[0]["description"].split("\n")[0]

        chan.revoke_bot_permission(discord.Permissions(send_messages=True).value)
        await emulator.settle()
        recall.clock.set(at("2026-01-08T09:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 3
        status = await mod.run("/qotd status", channel=chan)
        [field] = status.embed["fields"]
        # The cycle the refused post would have started did not start.
        assert "**Progress:** 3 of 3 asked (cycle 1)" in field["value"], field["value"]
        chan.set_permissions(guild.me, allow=0, deny=0)
        await emulator.settle()

        recall.clock.set(at("2026-01-09T09:00"))
        await engine(bot).tick()
        fourth = posts(emulator, chan)[-1].embeds[0]
        assert fourth["title"] == "Question of the day #4"
        assert fourth["description"].split("\n")[0] != last


async def test_times_whose_utc_day_is_another_name_that_day(recall, emulator):
    """A schedule at 21:00 in São Paulo posts at midnight UTC the next day: the replies say
    that day, not "(00:00 UTC)" as if it were the morning of the local date."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        done = await setup_daily(mod, chan, time="21:00", timezone="America/Sao_Paulo")
        assert (
            "**Next post:** Mon 05 Jan 2026 21:00 America/Sao_Paulo (Tue 00:00 UTC)"
            in done.embed["description"]
        ), done.embed["description"]
        skipped = await mod.run("/qotd skip", channel=chan)
        assert skipped.content == (
            "Skipped the question of Mon 05 Jan 2026 21:00 America/Sao_Paulo (Tue 00:00 UTC). "
            "The next one is Tue 06 Jan 2026 21:00 America/Sao_Paulo (Wed 00:00 UTC)."
        ), skipped.content
        berlin = guild.add_channel("morgens")
        done = await setup_daily(mod, berlin, time="07:00", timezone="Europe/Berlin", days="weekdays")
        # Same day in UTC: no day named.
        assert (
            "**Next post:** Tue 06 Jan 2026 07:00 Europe/Berlin (06:00 UTC)"
            in done.embed["description"]
        ), done.embed["description"]


async def test_a_post_now_that_pauses_the_schedule_says_so(recall, emulator):
    """Two slots refused for a missing permission, then a moderator tries /qotd post-now:
    the third failure in a row pauses the schedule, and the reply must say so, or the
    moderator fixes the permission and waits for a question that will not come."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await refused_slots(bot, recall, emulator, guild, mod, chan, (5, 6))
        recall.clock.set(at("2026-01-06T10:00"))
        reply = await post_now_reply(mod, chan)
        assert reply == (
            f"Nothing was posted: missing permission in <#{chan.id}>: Send Messages, Embed "
            "Links. That made 3 failed posts in a row, so schedule #1 is now paused: no "
            "question goes up until `/qotd resume`, once that is fixed."
        ), reply
        [schedule] = await bot.store.active_schedules()
        assert schedule.paused
        # One failure short of it, the reply says nothing of pausing.
        await bot.store.set_paused(schedule.id, False)
        reply = await post_now_reply(mod, chan)
        assert reply == (
            f"Nothing was posted: missing permission in <#{chan.id}>: Send Messages, Embed Links."
        ), reply


async def test_a_new_schedule_says_the_servers_others_go_on(recall, emulator):
    """A moderator moving the question of the day to another channel sets it up there: the
    reply must say the first channel's schedule still runs, or the server gets two a day."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        first = await setup_daily(mod, chan, time="07:00", timezone="Europe/Berlin", days="weekdays")
        assert "goes on as well" not in first.embed["description"]
        moved = guild.add_channel("daily-question")
        done = await setup_daily(mod, moved, time="21:00", timezone="America/Sao_Paulo")
        assert done.embed["description"].endswith(
            f"Schedule #1 in <#{chan.id}> (07:00 mon-fri (Europe/Berlin)) goes on as well; if "
            "this one replaces it, `/qotd remove schedule:1` stops it."
        ), done.embed["description"]
        # Set up again in place: an update, not a new schedule, says nothing of the others.
        again = await setup_daily(mod, moved, time="20:00", timezone="America/Sao_Paulo")
        assert "goes on as well" not in again.embed["description"]
        third = await setup_daily(mod, guild.add_channel("third"))
        assert third.embed["description"].endswith(
            f"This server's other schedules go on as well (#1 in <#{chan.id}>, #2 in "
            f"<#{moved.id}>); `/qotd remove` stops one this replaces."
        ), third.embed["description"]


async def test_post_now_says_the_open_question_shows_its_answer_now(recall, emulator):
    """An extra question is a next question: the one waiting for it shows its answer at
    once, and members still answering it no longer score. The moderator is told so."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan, thread=False)
        recall.clock.set(at("2026-01-05T12:00"))
        reply = await post_now_reply(mod, chan)
        assert reply.endswith(
            "(09:00 UTC), showing this one's answer. Question of the day #1, which was "
            "waiting for the next question, shows its answer now."
        ), reply
        first, _ = posts(emulator, chan)
        assert first.embeds[0]["title"] == "Question of the day #1 · answer"
        # A question with an answer delay of its own keeps it: nothing is said of it.
        await setup_daily(mod, chan, thread=False, answer_after="12h")
        recall.clock.set(at("2026-01-05T12:30"))
        reply = await post_now_reply(mod, chan)
        assert reply.endswith(
            "#2, which was waiting for the next question, shows its answer now."
        ), reply
        recall.clock.set(at("2026-01-05T13:00"))
        reply = await post_now_reply(mod, chan)
        assert reply.endswith("(09:00 UTC)."), reply


async def test_a_schedule_of_every_deck_says_when_every_deck_is_switched_off(recall, emulator):
    """A schedule asking from every enabled deck, in a server that has switched all its
    decks off: the reason must say so and how to fix it, not that the decks switched on
    have no questions (there are none switched on, and adding questions would not help)."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, deck=None, thread=False)
        assert [s.deck_id for s in await bot.store.active_schedules()] == [None]
        for deck in await bot.store.decks_for_guild(guild.id):
            await bot.store.set_deck_enabled(guild.id, deck.id, False)  # /deck disable
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        assert posts(emulator, chan) == []
        status = await mod.run("/qotd status", channel=chan)
        [field] = status.embed["fields"]
        assert (
            "⚠️ **Problem:** every deck is switched off in this server; /deck enable turns one on"
            in field["value"]
        ), field["value"]


async def test_with_several_schedules_a_command_in_a_schedules_channel_means_that_one(
    recall, emulator
):
    """Two schedules, each in its channel: /qotd pause run in one of them, with no
    schedule chosen, pauses that one, rather than refusing as if it could not tell."""
    guild, berlin, mod, *_ = await world(recall, emulator)
    sao_paulo, lounge = guild.add_channel("sao-paulo"), guild.add_channel("lounge")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, berlin, time="07:00", timezone="Europe/Berlin", days="weekdays")
        await setup_daily(mod, sao_paulo, time="21:00", timezone="America/Sao_Paulo")
        paused = await mod.run("/qotd pause", channel=sao_paulo)
        assert paused.content.startswith("Paused schedule #2"), paused.content
        assert [s.paused for s in await bot.store.active_schedules()] == [False, True]
        refused = await mod.run("/qotd pause", channel=lounge)
        assert refused.content == (
            "This server has several schedules: choose one with the `schedule` option, or run "
            "the command in the schedule's channel."
        ), refused.content
        resumed = await mod.run("/qotd resume", channel=sao_paulo)
        assert resumed.content.startswith("Resumed schedule #2"), resumed.content


async def test_switching_off_or_removing_a_schedules_deck_warns_of_the_schedule(recall, emulator):
    """A schedule asking only from a deck fails from its next slot once the deck is off or
    gone (and pauses after three): the moderator switching it off, or about to remove it,
    is told which schedule, and what to do."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        other = guild.add_channel("evening")
        await setup_daily(mod, chan)
        await mod.run(
            "/qotd setup",
            channel=other,
            options={"channel": other, "time": "20:00", "timezone": "UTC"},  # every deck
        )
        off = await mod.run("/deck disable", deck="daily")
        text = off.message.embeds[0]["description"]
        assert f"<#{chan.id}>" in text and "asks only from this deck" in text, text
        assert f"<#{other.id}>" not in text
        assert "/deck enable" in text and "/qotd edit" in text
        await mod.run("/deck enable", deck="daily")
        asked = await mod.run("/deck remove", deck="daily")
        text = asked.message.embeds[0]["description"]
        assert f"<#{chan.id}>" in text and "asks only from this deck" in text, text
        # a deck no schedule asks from alone says nothing of schedules
        await bot.store.create_deck(guild.id, "spare", "Spare deck")
        quiet = await mod.run("/deck disable", deck="spare")
        assert "question of the day" not in quiet.message.embeds[0]["description"].lower()


async def test_reasons_show_a_deck_name_with_markdown_as_typed(recall, emulator):
    """A deck called ``*C* _basics_ a||b||``: why its schedule pauses, why a post failed and
    why it cannot resume show the name as typed, not in italics with a spoiler."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "daily", "*C* _basics_ a||b||")
        await bot.store.add_questions(deck_id, QUESTIONS)
        await setup_daily(mod, chan)
        await bot.store.set_deck_enabled(guild.id, deck_id, False)  # /deck disable
        shown = r"its deck “\*C\* \_basics\_ a\|\|b\|\|” is switched off in this server"
        tried = await mod.run("/qotd post-now", channel=chan)
        reply = await tried.wait_for_followup()
        assert reply.content.startswith(f"Nothing was posted: {shown}"), reply.content
        for day in (5, 6):
            recall.clock.set(at(f"2026-01-{day:02d}T09:00"))
            await engine(bot).tick()
        [schedule] = await bot.store.schedules_for_guild(guild.id)
        assert schedule.paused
        status = await mod.run("/qotd status", channel=chan)
        [field] = status.embed["fields"]
        lines = field["value"].splitlines()
        assert f"⏸️ **Paused**: paused after 3 failed posts in a row: {shown}; /deck enable turns it on" in lines, lines
        # said once, not again as the problem
        assert not [line for line in lines if line.startswith("⚠️ **Problem:**")], lines
        assert f"• failed 2026-01-06 09:00: {shown}; /deck enable turns it on" in lines, lines
        again = await mod.run("/qotd pause", channel=chan)
        assert shown in again.content, again.content
        refused = await mod.run("/qotd resume", channel=chan)
        assert refused.content.startswith(f"Schedule #1 has no question to ask: {shown}"), refused.content


async def test_pick_weakest_a_failed_repeat_keeps_the_question_asked_in_its_cycle(recall, emulator):
    """pick:weakest asks the group's weak question again; when that post fails, the question
    was still asked (and seen) earlier in the cycle: /qotd status does not count it back,
    and once the group has brushed it up the cycle goes on to the question not asked yet
    rather than asking it again."""
    guild, chan, mod, alice, bob = await world(recall, emulator, "2026-01-05T08:00")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, pick="weakest", thread=False)
        asked = [
            await post_and_grade(bot, recall, emulator, chan, day, (alice, bob), grade)
            for day, grade in ((5, "Again"), (6, "Easy"))
        ]
        weak, known = asked
        # Wednesday: the weak one again, but Discord refuses the post.
        chan.revoke_bot_permission(discord.Permissions(send_messages=True).value)
        await emulator.settle()
        recall.clock.set(at("2026-01-07T09:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 2
        [failed] = await bot.store._fetchall(
            "SELECT q.prompt FROM posts p JOIN questions q ON q.id = p.question_id "
            "WHERE p.message_id IS NULL"
        )
        assert failed[0] == weak
        chan.set_permissions(guild.me, allow=0, deny=0)
        await emulator.settle()
        status = await mod.run("/qotd status", channel=chan)
        [field] = status.embed["fields"]
        assert "**Progress:** 2 of 3 asked (cycle 1)" in field["value"], field["value"]
        # Thursday morning the group reviews the weak question: it is weak no more.
        recall.clock.set(at("2026-01-08T08:59"))
        [(qid,)] = await bot.store._fetchall("SELECT id FROM questions WHERE prompt = ?", (weak,))
        for member in (alice, bob):
            await bot.store.record_attempt(
                AttemptRequest(
                    guild_id=guild.id, user_id=member.id, display_name=member.name,
                    post_id=None, question_id=qid, source="review", rating=3,
                    multiple_choice=False, correct=True,
                )
            )
        recall.clock.set(at("2026-01-08T09:00"))
        await engine(bot).tick()
        third = posts(emulator, chan)[-1].embeds[0]["description"]
        assert third not in (weak, known), (third, asked)


async def test_the_thread_name_is_the_prompt_on_one_line_without_its_spoiler(recall, emulator):
    """A thread's name shows text as it is, on one line: a prompt with a code block and a
    spoilered hint names its thread by its words, the hint hidden, not by the raw
    ``||hint||`` and the code run together."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "daily", "Daily deck")
        prompt = "What does this print?\n```py\nprint(2 ** 3)\n```\nHint: ||a power of two||"
        await bot.store.add_questions(
            deck_id, [QUESTIONS[0].model_copy(update={"prompt": prompt})]
        )
        await setup_daily(mod, chan)
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        [post] = posts(emulator, chan)
        assert post.thread is not None
        assert post.thread.name == "QOTD #1: What does this print? Hint: …"


async def test_pick_weakest_set_up_again_does_not_repeat_the_last_question(recall, emulator):
    """A schedule removed and set up again in its channel does not start with the question
    the channel was asked just before, when that was the weak question asked again."""
    guild, chan, mod, alice, bob = await world(recall, emulator, "2026-01-05T08:00")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, pick="weakest", thread=False)
        weak, _ = [
            await post_and_grade(bot, recall, emulator, chan, day, (alice, bob), grade)
            for day, grade in ((5, "Again"), (6, "Easy"))
        ]
        recall.clock.set(at("2026-01-07T09:00"))
        await engine(bot).tick()
        assert posts(emulator, chan)[-1].embeds[0]["description"] == weak  # asked again
        recall.clock.set(at("2026-01-07T12:00"))
        await mod.run("/qotd remove", channel=chan)
        await setup_daily(mod, chan, pick="weakest", thread=False)
        recall.clock.set(at("2026-01-08T09:00"))
        await engine(bot).tick()
        assert posts(emulator, chan)[-1].embeds[0]["description"] != weak


async def test_a_command_run_in_a_schedules_discussion_thread_means_that_schedule(
    recall, emulator
):
    """With several schedules, a command run in a question's discussion thread means the
    schedule of the channel the thread is in, as it does run in that channel."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        await setup_daily(mod, guild.add_channel("evening"), time="18:00")
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        [post] = posts(emulator, chan)
        assert post.thread is not None
        skipped = await mod.run("/qotd skip", channel=post.thread)
        assert skipped.content.startswith(
            "Skipped the question of Tue 06 Jan 2026 09:00 Europe/London"
        ), skipped.content


async def first_question_posted(bot, recall, emulator, guild, mod, chan):
    """A daily schedule in ``chan`` and its first question, posted on 5 Jan at 09:00."""
    await make_deck(bot, guild.id)
    await setup_daily(mod, chan)
    recall.clock.set(at("2026-01-05T09:00"))
    await engine(bot).tick()
    [first] = posts(emulator, chan)
    return first


async def closed_before_its_edit(bot, recall) -> None:
    """What closing the question of the day does before its message is edited (at 20:00)."""
    [post] = await bot.store._fetchall("SELECT id FROM posts WHERE kind = 'qotd'")
    recall.clock.set(at("2026-01-05T20:00"))
    assert await bot.store.close_post(post[0]) is not None


async def test_a_crash_between_closing_and_showing_the_answer_shows_it_on_restart(
    recall, emulator
):
    """The bot dies after a question is marked closed and before its message is edited to
    show the answer: on restart the answer is shown, once, with the answers counted."""
    guild, chan, mod, alice, *_ = await world(recall, emulator, "2026-01-05T08:00")
    async with recall.running() as bot:
        first = await first_question_posted(bot, recall, emulator, guild, mod, chan)
        revealed = await alice.click(first, "Reveal answer")
        await alice.click(revealed.message, "Good")
        await closed_before_its_edit(bot, recall)  # and then the bot stops
    assert first.embeds[0]["title"] == "Question of the day #1"
    async with recall.running(sync=False) as bot:
        await engine(bot).tick()
        [shown] = posts(emulator, chan)
        assert shown.embeds[0]["title"] == "Question of the day #1 · answer"
        assert "Closed · 1 answered · 100% got it" in [b.label for b in shown.buttons]
        edits = len(emulator.requests)
        await engine(bot).tick()  # shown once: nothing is left pending
        assert not [
            r for r in emulator.requests[edits:] if r.method == "PATCH" and "/messages/" in r.path
        ]


async def test_an_answer_left_to_show_that_fails_oddly_does_not_hold_up_the_schedule(
    recall, emulator, monkeypatch, error_logs
):
    """A closed question whose answer is still to be shown (the bot stopped before its
    edit), and whose edit fails in a way nothing foresaw, stays pending: the pass still
    posts the day's question, and the answer is shown at a later pass."""
    guild, chan, mod, *_ = await world(recall, emulator, "2026-01-05T08:00")
    async with recall.running() as bot:
        first = await first_question_posted(bot, recall, emulator, guild, mod, chan)
        await closed_before_its_edit(bot, recall)
        publisher = engine(bot).publisher

        async def broken(post_id, summary):
            raise RuntimeError("unforeseen")

        monkeypatch.setattr(publisher, "close", broken)
        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 2  # the day's question went up all the same
        assert first.embeds[0]["title"] == "Question of the day #1"
        [logged] = error_logs
        assert logged.getMessage() == "could not show the answer of post 1; trying again next pass"
        error_logs.clear()
        monkeypatch.delattr(publisher, "close")  # the real one again
        await engine(bot).tick()
        assert first.embeds[0]["title"] == "Question of the day #1 · answer"


async def test_switching_off_the_last_deck_with_questions_warns_of_every_deck_schedules(
    recall, emulator
):
    """A schedule of every deck that is on fails just the same once the last deck with
    questions is off or gone: the moderator was told nothing of it."""
    guild, _chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        every = guild.add_channel("evening")
        await mod.run(
            "/qotd setup",
            channel=every,
            options={"channel": every, "time": "20:00", "timezone": "UTC"},  # every deck
        )
        for d in await bot.store.decks_for_guild(guild.id):
            if d.builtin:
                await bot.store.set_deck_enabled(guild.id, d.id, False)
        await bot.store.create_deck(guild.id, "spare", "Spare deck")  # on, but empty
        warning = (
            f"⚠️ The question of the day in <#{every.id}> asks from every deck that is on, "
            "and only this one has questions for it: without it, each slot fails, and after "
            "three the schedule pauses. Keep the deck on, switch another one on "
            "(`/deck enable`), or give the schedule a deck with `/qotd edit`."
        )
        asked = await mod.run("/deck remove", deck="daily")
        assert asked.embed["description"].endswith(warning), asked.embed["description"]
        off = await mod.run("/deck disable", deck="daily")
        assert off.embed["description"].endswith(warning), off.embed["description"]
        # off already: removing it changes nothing for the schedule, and says nothing of it
        asked = await mod.run("/deck remove", deck="daily")
        assert "question of the day" not in asked.embed["description"]
        # another deck with questions on: the schedule asks from it, nothing to say
        await mod.run("/deck enable", deck="daily")
        await mod.run("/deck enable", deck="flask")
        quiet = await mod.run("/deck disable", deck="daily")
        assert "question of the day" not in quiet.embed["description"]


async def test_a_time_the_clocks_skip_that_day_says_why_it_posts_later(recall, emulator):
    """02:30 in New York does not exist on 8 March 2026 (the clocks go from 02:00 to 03:00):
    that day's question goes up at 03:00. Setup, status and skip named 03:00 beside a
    schedule of 02:30 and never said why."""
    guild, chan, mod, *_ = await world(recall, emulator, "2026-03-07T12:00")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        done = await setup_daily(mod, chan, time="02:30", timezone="America/New_York")
        why = "as 02:30 does not exist there that day (the clocks go forward)"
        assert (
            "**Next post:** Sun 08 Mar 2026 03:00 America/New_York (07:00 UTC), " + why
            in done.embed["description"]
        ), done.embed["description"]
        status = await mod.run("/qotd status", channel=chan)
        assert (
            "**Next:** Sun 08 Mar 2026 03:00 America/New_York (07:00 UTC), " + why
            in status.embed["fields"][0]["value"]
        ), status.embed["fields"][0]["value"]
        skipped = await mod.run("/qotd skip", channel=chan)
        assert skipped.content == (
            "Skipped the question of Sun 08 Mar 2026 03:00 America/New_York (07:00 UTC), "
            f"{why}. The next one is Mon 09 Mar 2026 02:30 America/New_York (06:30 UTC)."
        ), skipped.content
        # A day the time exists says nothing more.
        status = await mod.run("/qotd status", channel=chan)
        assert "does not exist" not in status.embed["fields"][0]["value"]


async def test_setting_up_again_says_which_settings_left_out_went_back_to_the_default(
    recall, emulator
):
    """/qotd setup is also how a schedule is changed: run again to move it an hour, with
    only the channel, time and zone, it set the days back to daily and dropped the ping,
    the deck, the tag, the delay and the rest, and the reply did not say so."""
    guild, chan, mod, *_ = await world(recall, emulator)
    role = guild.add_role("Daily learners")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_every_setting(mod, chan, role)
        moved = await mod.run(
            "/qotd setup",
            channel=chan,
            options={"channel": chan, "time": "10:00", "timezone": "Europe/London"},
        )
        text = moved.embed["description"]
        assert (
            "⚠️ Left out this time, so back to the default: days **daily** (was mon-fri); "
            "deck **every enabled deck** (was Daily deck); tag **none** (was `daily`); "
            f"ping **none** (was {role.mention}); thread **yes** (was no); answers go public "
            "**when the next question is due** (was 12 hours after posting); questions "
            "**each once per cycle** (was the group's weakest first). Give them again with "
            "`/qotd setup` to keep them, or use `/qotd edit` to change one setting."
        ) in text, text
        # Given again, nothing is said; given with their default values, nothing either.
        again = await setup_daily(
            mod, chan, days="mon-fri", tag="daily", ping=role, thread=False, answer_after="12h",
            pick="weakest",
        )
        assert "Left out" not in again.embed["description"]
        defaults = await setup_daily(
            mod, chan, days="daily", thread=True, answer_after="next", pick="cycle",
            tag="daily", ping=role,
        )
        assert "Left out" not in defaults.embed["description"], defaults.embed["description"]
        # A schedule that is new says nothing of the kind.
        other = guild.add_channel("other")
        new = await setup_daily(mod, other)
        assert "Left out" not in new.embed["description"]


async def test_status_names_the_deck_and_tag_each_schedule_asks_from(recall, emulator):
    """/qotd status counted "0 of 3 asked" without saying of which deck: with several
    schedules a moderator could not tell what each asks, short of /qotd setup, which
    changes it. Each schedule names its deck (as typed, however long) and tag."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        long_name = "*Team* " + "Flask " * 12 + "deck"
        deck_id = await bot.store.create_deck(guild.id, "team", long_name)
        await bot.store.add_questions(deck_id, QUESTIONS)
        await setup_daily(mod, chan, deck="team", tag="daily")
        every = guild.add_channel("every")
        await mod.run(
            "/qotd setup",
            channel=every,
            options={"channel": every, "time": "20:00", "timezone": "UTC"},
        )
        status = await mod.run("/qotd status", channel=chan)
        first, second = (f["value"] for f in status.embed["fields"])
        assert "**Deck:** \\*Team\\* " + "Flask " * 12 + "deck, tag `daily`" in first, first
        assert "**Deck:** every enabled deck" in second, second
        await bot.store.set_deck_enabled(guild.id, deck_id, False)
        status = await mod.run("/qotd status", channel=chan)
        assert "deck (switched off), tag `daily`" in status.embed["fields"][0]["value"]


async def test_a_question_nobody_answered_closes_saying_so(recall, emulator):
    """Closed with no answer, a question showed "Closed · 0 answered · 0% got it", as if
    everyone who tried had got it wrong."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await first_post(bot, recall, guild, mod, chan)
        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).tick()
        first = posts(emulator, chan)[0]
        assert first.embeds[0]["title"] == "Question of the day #1 · answer"
        assert "Closed · nobody answered" in [b.label for b in first.buttons]
        assert first.embeds[0]["footer"]["text"] == (
            "Nobody answered · Answer each day's question to build a streak"
        )


async def test_setup_without_a_zone_takes_the_servers(recall, emulator):
    """A moderator who set the server's zone with /settings timezone need not type it again:
    /qotd setup without `timezone` posts at that zone's time, and says which zone it took
    (kept by the schedule: a later change of the server's zone does not move it). A server
    that never set one is on UTC."""
    guild, chan, mod, *_ = await world(recall, emulator)
    other = guild.add_channel("other")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        done = await mod.run(
            "/qotd setup", channel=other, options={"channel": other, "time": "09:00"}
        )
        assert "**When:** 09:00 daily (UTC)" in done.embed["description"], done.embed
        assert "the server's zone" in done.embed["description"], done.embed
        await (await mod.run("/settings timezone", zone="Europe/Paris")).settled()
        done = await mod.run("/qotd setup", channel=chan, options={"channel": chan, "time": "09:00"})
        text = done.embed["description"]
        assert "**When:** 09:00 daily (Europe/Paris)" in text, text
        assert (
            "Time zone: Europe/Paris, the server's zone (`/settings timezone`); the schedule "
            "keeps it if the server's changes, and `/qotd edit timezone:` moves it."
        ) in text, text
        [schedule] = [s for s in await bot.store.active_schedules() if s.channel_id == chan.id]
        assert schedule.spec.zone == "Europe/Paris"
        given = await mod.run(
            "/qotd setup", channel=chan,
            options={"channel": chan, "time": "09:00", "timezone": "Europe/Paris"},
        )
        assert "the server's zone" not in given.embed["description"]
        await mod.run(
            "/qotd setup", channel=chan,
            options={"channel": chan, "time": "09:00", "timezone": "Asia/Tokyo"},
        )
        again = await mod.run("/qotd setup", channel=chan, options={"channel": chan, "time": "09:00"})
        text = again.embed["description"]
        assert "back to the default: time zone **Europe/Paris** (was Asia/Tokyo)" in text, text


async def test_a_new_server_zone_names_the_schedules_that_keep_another(recall, emulator):
    """/help names /qotd setup before /settings timezone: a moderator who follows it gets a
    schedule on UTC, then sets the server's zone, and was told nothing of the schedule
    still posting at 09:00 UTC (10:00 in Berlin). The reply names each schedule kept in
    another zone, and how to move it."""
    guild, chan, mod, *_ = await world(recall, emulator)
    other, third = guild.add_channel("other"), guild.add_channel("third")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await mod.run("/qotd setup", channel=chan, options={"channel": chan, "time": "09:00"})
        await setup_daily(mod, other, timezone="Europe/Berlin")
        await setup_daily(mod, third, time="18:30", timezone="America/New_York")
        command = await mod.run("/settings timezone", zone="Europe/Berlin")
        text = (await command.wait_for_followup()).content
        assert text.startswith("Time zone set to **Europe/Berlin**."), text
        assert (
            "Questions of the day keep the zone they were set up with: schedule #1 in "
            f"<#{chan.id}> posts at 09:00 UTC and #3 in <#{third.id}> at 18:30 "
            "America/New_York. `/qotd edit schedule:1 timezone:Europe/Berlin` moves one to "
            "this zone."
        ) in text, text
        command = await mod.run("/settings timezone", zone="UTC")
        text = (await command.wait_for_followup()).content
        assert (
            "Questions of the day keep the zone they were set up with: schedule #2 in "
            f"<#{other.id}> posts at 09:00 Europe/Berlin and #3 in <#{third.id}> at 18:30 "
            "America/New_York. `/qotd edit schedule:2 timezone:UTC` moves one to this zone."
        ) in text, text
        await mod.run("/qotd remove", channel=third)
        await mod.run("/qotd remove", channel=other)
        command = await mod.run("/settings timezone", zone="Asia/Tokyo")
        text = (await command.wait_for_followup()).content
        assert text.endswith(
            f"schedule #1 in <#{chan.id}> posts at 09:00 UTC. "
            "`/qotd edit schedule:1 timezone:Asia/Tokyo` moves it to this zone."
        ), text


async def test_resume_refuses_a_schedule_whose_channel_still_refuses_it(recall, emulator):
    """A schedule paused after three posts refused for a missing permission, resumed
    without that fixed, said "Resumed" and went on failing for three more days. Resume
    checks what setup checks in the channel, names what is missing, and keeps it paused
    until it is granted."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await refused_slots(bot, recall, emulator, guild, mod, chan, (5, 6, 7))
        [schedule] = await bot.store.active_schedules()
        assert schedule.paused
        refused = await mod.run("/qotd resume", channel=chan)
        assert refused.ephemeral
        assert refused.content == (
            f"Recall is missing these permissions in <#{chan.id}>: **Send Messages, Embed "
            "Links**. Grant them to the bot's role (channel settings → Permissions) and run "
            "`/qotd resume` again."
        ), refused.content
        [schedule] = await bot.store.active_schedules()
        assert schedule.paused
        chan.set_permissions(guild.me)  # the overwrite taken off
        await emulator.settle()
        resumed = await mod.run("/qotd resume", channel=chan)
        assert resumed.content.startswith("Resumed schedule #1. Next post: Thu 08 Jan 2026")
        await emulator.delete_channel(chan)
        await emulator.settle()
        await mod.run("/qotd pause", options={"schedule": "1"})
        gone = await mod.run("/qotd resume", options={"schedule": "1"})
        assert gone.content.startswith(
            "Schedule #1's channel was deleted, so it can post nowhere: "
            "`/qotd remove schedule:1` removes it"
        ), gone.content
