"""/qotd edit end to end: one setting of a schedule changed, the others kept."""

from __future__ import annotations

import asyncio
import dataclasses

import discord
import pytest
from emulator import CommandError
from test_e2e_qotd import (
    MOD,
    at,
    engine,
    make_deck,
    make_other_deck,
    posts,
    setup_daily,
    setup_every_setting,
    world,
)

from bot.schedule import ScheduleSpec

pytestmark = pytest.mark.e2e


async def edit(member, chan, **options):
    """``/qotd edit`` of schedule #1 (unless ``schedule`` is given) in ``chan``."""
    return await member.run(
        "/qotd edit", channel=chan, options={"schedule": "1", **options}
    )


async def only(bot):
    [schedule] = await bot.store.active_schedules()
    return schedule


async def test_edit_moves_the_time_and_keeps_every_other_setting(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    role = guild.add_role("Daily learners")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_every_setting(mod, chan, role)
        before = await only(bot)
        done = await edit(mod, chan, time="10:00")
        assert done.ephemeral
        assert done.embed["title"] == "Question of the day updated"
        text = done.embed["description"]
        assert "**When:** 10:00 mon-fri (Europe/London)" in text, text
        assert "**Next post:** Mon 05 Jan 2026 10:00 Europe/London (10:00 UTC)" in text
        assert "**Deck:** Daily deck, tag `daily`" in text
        assert "**Answers go public:** 12 hours after posting" in text
        assert "**Questions:** the group's weakest first" in text
        assert f"**Thread:** no · **Ping:** {role.mention}" in text
        assert (
            "Changed: time **10:00** (was 09:00). The next post moves from Mon 05 Jan 2026 "
            "09:00 Europe/London (09:00 UTC)."
        ) in text, text
        assert "Left out" not in text
        after = await only(bot)
        spec = ScheduleSpec(local_time="10:00", days="mon-fri", zone="Europe/London")
        assert after == dataclasses.replace(before, spec=spec, checked_until=after.checked_until)

        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        assert posts(emulator, chan) == []
        recall.clock.set(at("2026-01-05T10:00"))
        await engine(bot).tick()
        [post] = posts(emulator, chan)
        assert post.content == role.mention and post.thread is None


async def test_edit_changes_the_ping_and_clears_it(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    role, other = guild.add_role("Daily learners"), guild.add_role("Night owls")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_every_setting(mod, chan, role)
        before = await only(bot)
        done = await edit(mod, chan, ping=other)
        text = done.embed["description"]
        assert f"Changed: ping **{other.mention}** (was {role.mention})." in text, text
        assert f"**Ping:** {other.mention}" in text
        assert "The next post moves" not in text
        after = await only(bot)
        assert after == dataclasses.replace(
            before, ping_role_id=other.id, checked_until=after.checked_until
        )

        both = await edit(mod, chan, ping=role, clear="ping")
        assert both.ephemeral and both.content == (
            "Choose a new ping role or `clear:ping`, not both."
        ), both.content
        assert (await only(bot)).ping_role_id == other.id

        cleared = await edit(mod, chan, clear="ping")
        text = cleared.embed["description"]
        assert f"Changed: ping **none** (was {other.mention})." in text, text
        assert "**Ping:**" not in text
        assert (await only(bot)).ping_role_id is None
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        [post] = posts(emulator, chan)
        assert not post.content


async def test_edit_clears_the_tag_the_deck_and_the_answer_delay(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    role = guild.add_role("Daily learners")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_every_setting(mod, chan, role)
        deck_id = (await only(bot)).deck_id
        assert deck_id is not None

        no_tag = await edit(mod, chan, clear="tag")
        text = no_tag.embed["description"]
        assert "Changed: tag **none** (was `daily`)." in text, text
        assert "**Deck:** Daily deck\n" in text
        schedule = await only(bot)
        assert (schedule.deck_id, schedule.tag) == (deck_id, None)

        every = await edit(mod, chan, clear="deck")
        text = every.embed["description"]
        assert "Changed: deck **every enabled deck** (was Daily deck)." in text, text
        assert "**Deck:** every enabled deck" in text
        assert (await only(bot)).deck_id is None

        # A tag no question of the schedule's decks has is refused, as by setup.
        refused = await edit(mod, chan, deck="daily", tag="nowhere")
        assert refused.ephemeral
        assert refused.content.startswith("No question matches that deck and tag. "), refused
        assert (await only(bot)).deck_id is None

        back = await edit(mod, chan, deck="daily", tag="#Daily")
        text = back.embed["description"]
        assert (
            "Changed: deck **Daily deck** (was every enabled deck); tag **`daily`** (was none)."
        ) in text, text
        schedule = await only(bot)
        assert (schedule.deck_id, schedule.tag) == (deck_id, "daily")

        public = await edit(mod, chan, clear="answer_after")
        text = public.embed["description"]
        assert (
            "Changed: answers go public **when the next question is due** "
            "(was 12 hours after posting)."
        ) in text, text
        assert (await only(bot)).answer_after_minutes is None
        # Every other setting is as it was set up.
        schedule = await only(bot)
        assert (schedule.spec.describe(), schedule.ping_role_id, schedule.thread, schedule.pick) == (
            "09:00 mon-fri (Europe/London)", role.id, False, "weakest"
        )


async def test_edit_refuses_what_setup_refuses_and_changes_nothing(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)
        before = await only(bot)
        bad_time = await edit(mod, chan, time="9am")
        assert bad_time.ephemeral
        assert bad_time.content.startswith("Time must be HH:MM in 24-hour form"), bad_time
        bad_zone = await edit(mod, chan, timezone="Mars/Base")
        assert bad_zone.content.startswith("Unknown time zone 'Mars/Base'. "), bad_zone
        assert "Pick one from the list that appears as you type" in bad_zone.content
        bad_days = await edit(mod, chan, days="mon-fry")
        assert bad_days.content.startswith(
            "Unknown day 'fry' in range 'mon-fry'. Use day names"
        ), bad_days
        bad_delay = await edit(mod, chan, answer_after="soon")
        assert bad_delay.content.startswith("answer_after must be `next`"), bad_delay
        # A thread needs permissions the bot lacks there: named, as by setup.
        chan.revoke_bot_permission(discord.Permissions(create_public_threads=True).value)
        await emulator.settle()
        no_thread = await edit(mod, chan, thread=True)
        assert no_thread.content == (
            f"Recall is missing these permissions in <#{chan.id}>: **Create Public Threads**. "
            "Grant them to the bot's role (channel settings → Permissions) and run `/qotd edit` "
            "again."
        ), no_thread.content
        assert await only(bot) == before


async def test_edit_with_nothing_to_change_says_so(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        await mod.run("/qotd pause", channel=chan)
        before = await only(bot)
        bare = await edit(mod, chan)
        assert bare.ephemeral and bare.content == (
            "Nothing to change: give `/qotd edit` the settings to change (time, timezone, "
            "days, deck, tag, ping, thread, answer_after, pick) or one to `clear`."
        ), bare.content
        same = await edit(mod, chan, time="09:00", timezone="Europe/London", thread=True)
        assert same.ephemeral and same.content == (
            "Nothing to change: schedule #1 already has those settings. It stays paused; "
            "`/qotd resume` starts it again."
        ), same.content
        cleared = await edit(mod, chan, clear="ping")  # it has no ping
        assert cleared.content.startswith("Nothing to change: schedule #1 already has"), cleared
        assert await only(bot) == before  # still paused, nothing saved
        # A change keeps it paused (setup runs it again): a pause for the holidays is not
        # undone by a new ping role.
        moved = await edit(mod, chan, time="10:00")
        text = moved.embed["description"]
        assert "**Next post:** none while it is paused" in text, text
        assert "It stays paused; `/qotd resume` starts it again." in text, text
        after = await only(bot)
        assert after.paused and after.pause_reason == before.pause_reason
        assert after.spec.local_time.isoformat(timespec="minutes") == "10:00"
        recall.clock.set(at("2026-01-05T10:00"))
        await engine(bot).tick()
        assert posts(emulator, chan) == []


async def test_edit_is_for_moderators_only(recall, emulator):
    guild, chan, mod, alice, _ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        before = await only(bot)
        with pytest.raises(CommandError, match="cannot see /qotd"):
            await edit(alice, chan, time="10:00")
        guild.expose_command("qotd")
        refused = await edit(alice, chan, time="10:00")
        assert refused.ephemeral and refused.content.startswith("Only moderators can do this")
        assert await only(bot) == before


async def test_edit_cannot_name_another_servers_or_a_removed_schedule(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    elsewhere = emulator.add_guild("Other group")
    there = elsewhere.add_channel("daily")
    their_mod = elsewhere.add_member("theirmod", permissions=MOD)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await make_deck(bot, elsewhere.id)
        await setup_daily(their_mod, there)  # schedule #1, in the other server
        await setup_daily(mod, chan)  # schedule #2, here
        theirs = await bot.store.schedule(1)
        refused = await edit(mod, chan, schedule="1", time="10:00")
        assert refused.ephemeral and refused.content == (
            "There is no schedule “1” here. `/qotd status` lists them."
        ), refused.content
        assert await bot.store.schedule(1) == theirs
        offered = await mod.autocomplete("/qotd edit", "schedule", "", channel=chan)
        assert [c["value"] for c in offered] == ["2"], offered

        await mod.run("/qotd remove", channel=chan)
        gone = await edit(mod, chan, schedule="2", time="10:00")
        assert gone.ephemeral and gone.content == (
            f"Schedule #2 was removed. `/qotd setup` sets up a new one (in <#{chan.id}> it "
            "goes on from the removed one's numbering)."
        ), gone.content
        assert (await bot.store.schedule(2, removed=True)).spec.time_text == "09:00"


async def test_edit_after_a_restart(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    role = guild.add_role("Daily learners")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_every_setting(mod, chan, role)
    async with recall.running(sync=False) as bot:
        done = await edit(mod, chan, time="08:30", timezone="Europe/Paris")
        text = done.embed["description"]
        assert "**When:** 08:30 mon-fri (Europe/Paris)" in text, text
        assert "**Next post:** Mon 05 Jan 2026 08:30 Europe/Paris (07:30 UTC)" not in text
        assert "**Next post:** Tue 06 Jan 2026 08:30 Europe/Paris (07:30 UTC)" in text
        assert (
            "Changed: time **08:30** (was 09:00); time zone **Europe/Paris** (was Europe/London)."
        ) in text, text
        recall.clock.set(at("2026-01-06T07:30"))
        await engine(bot).tick()
        [post] = posts(emulator, chan)
        assert post.content == role.mention


async def test_edit_offers_the_schedules_and_the_tags_of_its_deck(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await make_other_deck(bot, guild.id)
        await setup_daily(mod, chan)
        offered = await mod.autocomplete("/qotd edit", "schedule", "", channel=chan)
        assert offered == [
            {"name": "#1 · #qotd · 09:00 daily (Europe/London)", "value": "1"}
        ], offered
        zones = await mod.autocomplete("/qotd edit", "timezone", "londo", channel=chan)
        assert "Europe/London" in [c["value"] for c in zones]
        days = await mod.autocomplete("/qotd edit", "days", "sat-mon", channel=chan)
        assert days == [{"name": "mon,sat,sun: Monday, Saturday, Sunday", "value": "mon,sat,sun"}]
        decks = await mod.autocomplete("/qotd edit", "deck", "dai", channel=chan)
        assert [c["value"] for c in decks] == ["daily"], decks
        # No deck chosen in the command: the tags of the schedule's own deck.
        tags = await mod.autocomplete("/qotd edit", "tag", "", channel=chan, schedule="1")
        assert [c["value"] for c in tags] == ["daily"], tags



async def test_edit_of_a_schedule_whose_channel_was_deleted_says_what_to_do(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        before = await only(bot)
        await emulator.delete_channel(chan)
        await emulator.settle()
        refused = await edit(mod, guild.general, time="10:00")
        assert refused.ephemeral and refused.content == (
            "Schedule #1's channel was deleted, so it can post nowhere: `/qotd remove "
            "schedule:1` removes it, and `/qotd setup` sets one up in another channel."
        ), refused.content
        assert await only(bot) == before


def held_candidates(monkeypatch, store, before=None):
    """Hold the first look at a deck's questions (an edit checking its deck, or a run
    choosing its slot's question) until the returned event is set; ``before``, if given,
    runs first. Returns that event, and one set once the first look is held."""
    real = store.candidates
    gate, started = asyncio.Event(), asyncio.Event()

    async def held(*args, **kwargs):
        if not started.is_set():
            started.set()
            if before is not None:
                await before()
            await gate.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(store, "candidates", held)
    return gate, started


async def answer(result):
    """The reply of a command, answered at once or after deferring."""
    if result.deferred:
        await result.wait_for_content()
    return result


async def test_two_moderators_editing_at_once_both_changes_are_kept(
    recall, emulator, monkeypatch
):
    guild, chan, mod, *_ = await world(recall, emulator)
    mod2 = guild.add_member("mod2", permissions=MOD)
    role = guild.add_role("Learners")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        gate, started = held_candidates(monkeypatch, bot.store)
        first = asyncio.create_task(edit(mod, chan, time="10:00"))
        await started.wait()  # the first edit is checking its deck's questions
        second = await edit(mod2, chan, ping=role)  # answered, or waiting its turn
        gate.set()
        a, b = await answer(await first), await answer(second)
        text = a.embed["description"]
        assert "Changed: time **10:00** (was 09:00)." in text, text
        text = b.embed["description"]
        assert f"Changed: ping **{role.mention}** (was none)." in text, text
        assert "**When:** 10:00 daily (Europe/London)" in text, text
        schedule = await only(bot)
        assert (schedule.spec.time_text, schedule.ping_role_id) == ("10:00", role.id)


async def test_an_edit_refuses_a_schedule_changed_meanwhile_elsewhere(
    recall, emulator, monkeypatch
):
    """Another program on the same database (not the bot's own commands, which take turns)
    changes the schedule while an edit checks it: the edit saves nothing, and says so."""
    guild, chan, mod, *_ = await world(recall, emulator)
    role = guild.add_role("Learners")
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)

        async def elsewhere():
            async with bot.store.transaction() as db:
                await db.execute("UPDATE qotd_schedules SET ping_role_id = ?", (role.id,))

        gate, _ = held_candidates(monkeypatch, bot.store, before=elsewhere)
        gate.set()
        refused = await answer(await edit(mod, chan, time="10:00"))
        assert refused.ephemeral and refused.content == (
            "Schedule #1 was changed meanwhile; nothing was saved. Run `/qotd edit` again "
            "to change it as it is now."
        ), refused.content
        schedule = await only(bot)
        assert (schedule.spec.time_text, schedule.ping_role_id) == ("09:00", role.id)


@pytest.mark.parametrize("command", ["edit", "setup"])
async def test_a_change_racing_the_slot_posts_once_that_day(
    recall, emulator, monkeypatch, command
):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        gate, started = held_candidates(monkeypatch, bot.store)
        recall.clock.set(at("2026-01-05T09:00"))
        run = asyncio.create_task(engine(bot).run_one(1))
        await started.wait()  # the run is choosing the 09:00 question
        if command == "edit":
            changing = await edit(mod, chan, time="18:00")
        else:
            changing = await setup_daily(mod, chan, time="18:00")
        gate.set()
        await run
        done = await answer(changing)
        text = done.embed["description"]
        assert "**Next post:** Tue 06 Jan 2026 18:00 Europe/London (18:00 UTC)" in text, text
        assert "Today's question is already up" in text, text
        assert len(posts(emulator, chan)) == 1
        recall.clock.set(at("2026-01-05T18:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1, "two questions of the day on 5 January"


async def daily_edited_at(bot, recall, guild, mod, chan, when: str, **options):
    """The deck and a daily 09:00 schedule in ``chan``, with no run since; at ``when`` on
    Monday 5 January (UTC), ``/qotd edit`` of ``options``: its reply."""
    await make_deck(bot, guild.id)
    await setup_daily(mod, chan)
    recall.clock.set(at(f"2026-01-05T{when}"))
    return await answer(await edit(mod, chan, **options))


async def test_an_edit_of_the_ping_after_the_slot_before_its_run_keeps_the_question(
    recall, emulator
):
    """The schedule's job has not run yet at 09:00:30 (a moment late, or held after a failed
    run): the slot is still due, and posts with the edited ping."""
    guild, chan, mod, *_ = await world(recall, emulator)
    role = guild.add_role("Learners")
    async with recall.running() as bot:
        done = await daily_edited_at(bot, recall, guild, mod, chan, "09:00:30", ping=role)
        assert "Changed: ping" in done.embed["description"]
        # The question due at 09:00 is the next one to go up, not Tuesday's.
        assert (
            "**Next post:** Mon 05 Jan 2026 09:00 Europe/London (09:00 UTC), due and not up "
            "yet: it goes up as soon as it can"
        ) in done.embed["description"], done.embed["description"]
        await engine(bot).tick()
        [post] = posts(emulator, chan)
        assert post.content == role.mention
        [slot] = await bot.store.slots(1, states=("posted",))
        assert (slot.local_date, slot.local_time, slot.late) == ("2026-01-05", "09:00", False)


async def test_an_edit_of_the_time_after_the_slot_before_its_run_posts_that_slot_first(
    recall, emulator
):
    """Moved to 18:00 at 09:00:30 with the 09:00 slot not yet run: that question goes up
    first, with the settings it was due with, and Monday gets no second one at 18:00."""
    guild, chan, mod, *_ = await world(recall, emulator)
    role = guild.add_role("Learners")
    async with recall.running() as bot:
        done = await daily_edited_at(
            bot, recall, guild, mod, chan, "09:00:30", time="18:00", ping=role
        )
        text = done.embed["description"]
        [post] = posts(emulator, chan)
        assert not post.content  # posted before the change: no ping yet
        assert (
            "The question due on Mon 05 Jan 2026 09:00 Europe/London (09:00 UTC) went up "
            "first, as the schedule was before this change."
        ) in text, text
        assert "**Next post:** Tue 06 Jan 2026 18:00 Europe/London (18:00 UTC)" in text, text
        recall.clock.set(at("2026-01-05T18:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1
        recall.clock.set(at("2026-01-06T18:00"))
        await engine(bot).tick()
        assert posts(emulator, chan)[-1].content == role.mention


async def test_an_edit_of_the_deck_keeping_a_tag_it_lacks_names_the_tag(recall, emulator):
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await make_other_deck(bot, guild.id)
        await setup_daily(mod, chan, tag="daily")
        before = await only(bot)
        refused = await edit(mod, chan, deck="other")
        assert refused.ephemeral and refused.content.startswith(
            "Schedule #1 keeps its tag `daily`, and no question of **Other deck** has it. "
            "Give the tag to ask with `tag`, or `clear:tag` to ask any of its questions. "
            "Decks: "
        ), refused.content
        assert refused.content.endswith(" Tags in **Other deck**: `elsewhere`."), refused
        assert await only(bot) == before
        # A tag typed with the deck is refused as setup refuses it.
        typed = await edit(mod, chan, deck="other", tag="daily")
        assert typed.content.startswith("No question matches that deck and tag. "), typed
        moved = await edit(mod, chan, deck="other", clear="tag")
        assert "Changed: deck **Other deck** (was Daily deck); tag **none** (was `daily`)." in (
            moved.embed["description"]
        ), moved.embed


async def test_an_edit_of_the_days_after_a_slot_past_the_grace_records_it_missed(
    recall, emulator
):
    """The 09:00 slot never ran (the bot was down) and is over the grace for late posts
    at 16:00: moving the schedule to weekdays records it missed, as downtime would."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        done = await daily_edited_at(bot, recall, guild, mod, chan, "16:00", days="mon-fri")
        text = done.embed["description"]
        assert (
            "The question due on Mon 05 Jan 2026 09:00 Europe/London (09:00 UTC) was recorded "
            "as missed: it was too late to post."
        ) in text, text
        assert posts(emulator, chan) == []
        [slot] = await bot.store.slots(1, states=("missed",))
        assert (slot.local_date, slot.local_time) == ("2026-01-05", "09:00")


async def test_status_names_a_slot_due_but_not_run_yet_as_the_next_post(recall, emulator):
    """At 09:00:30 the 09:00 job has not run (a moment late, retried, or waiting out an
    outage): /qotd status says that question is the next to go up, not Tuesday's; past
    the grace, when it would be recorded missed, Tuesday's is next."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        recall.clock.set(at("2026-01-05T09:00:30"))
        status = await mod.run("/qotd status", channel=chan)
        value = status.embed["fields"][0]["value"]
        assert (
            "**Next:** Mon 05 Jan 2026 09:00 Europe/London (09:00 UTC), due and not up yet: "
            "it goes up as soon as it can"
        ) in value, value
        recall.clock.set(at("2026-01-05T23:00"))  # past the 6-hour grace
        status = await mod.run("/qotd status", channel=chan)
        value = status.embed["fields"][0]["value"]
        assert "**Next:** Tue 06 Jan 2026 09:00 Europe/London (09:00 UTC)\n" in value, value


async def test_skip_of_a_slot_due_but_not_run_yet_skips_that_one(recall, emulator):
    """At 09:00:30 with the 09:00 run not made yet, the next question is Monday's: /qotd
    skip skips it (not Tuesday's), and the run that comes next posts nothing."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan)
        recall.clock.set(at("2026-01-05T09:00:30"))
        skipped = await mod.run("/qotd skip", channel=chan)
        assert skipped.content.startswith(
            "Skipped the question of Mon 05 Jan 2026 09:00 Europe/London (09:00 UTC). "
            "The next one is Tue 06 Jan 2026 09:00"
        ), skipped.content
        await engine(bot).tick()
        assert posts(emulator, chan) == []
        recall.clock.set(at("2026-01-06T09:00"))
        await engine(bot).tick()
        assert len(posts(emulator, chan)) == 1


async def test_a_day_skipped_stays_skipped_when_the_time_or_zone_moves(recall, emulator):
    """Tuesday skipped (a holiday), then the schedule moved an hour later: Tuesday's
    question went up at the new time all the same, the skip kept only for 09:00, which no
    longer comes. A skipped day stays skipped at the schedule's new time or zone."""
    guild, chan, mod, *_ = await world(recall, emulator)
    async with recall.running() as bot:
        await make_deck(bot, guild.id)
        await setup_daily(mod, chan, thread=False)
        recall.clock.set(at("2026-01-05T09:00"))
        await engine(bot).tick()
        recall.clock.set(at("2026-01-05T18:00"))
        skipped = await mod.run("/qotd skip", channel=chan)
        assert skipped.content.startswith("Skipped the question of Tue 06 Jan 2026 09:00")
        done = await edit(mod, chan, time="10:00")
        text = done.embed["description"]
        assert "**Next post:** Wed 07 Jan 2026 10:00 Europe/London (10:00 UTC)" in text, text
        assert "The next post moves from Wed 07 Jan 2026 09:00" in text, text
        done = await edit(mod, chan, timezone="Europe/Paris")
        text = done.embed["description"]
        assert "**Next post:** Wed 07 Jan 2026 10:00 Europe/Paris (09:00 UTC)" in text, text

        # Tuesday at 10:00 in Paris (09:00 UTC) and later: nothing; Wednesday's goes up.
        for when, count in (("06T09:00", 1), ("06T10:00", 1), ("07T09:00", 2)):
            recall.clock.set(at(f"2026-01-{when}"))
            await engine(bot).tick()
            assert len(posts(emulator, chan)) == count, when
