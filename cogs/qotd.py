"""/qotd: question of the day. The engine in ``bot.qotd`` decides; this cog talks to Discord."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.bank import deck_key
from bot.client import RecallBot
from bot.errors import UserError
from bot.qotd import (
    ANSWER_AFTER_MAX_DAYS,
    MAX_FAILURES,
    REST_RATE,
    Claim,
    CloseSummary,
    Pacer,
    PublishError,
    QotdEngine,
    ScheduleRow,
    Sent,
    describe_answer_after,
    slot_time_text,
)
from bot.qotd_settings import (
    CLEAR_LABELS,
    SETTINGS,
    ScheduleOptions,
    ScheduleSettings,
    changed,
    check_questions,
    edited_settings,
    read_clear,
    setup_settings,
)
from bot.quiz_service import QuizPost, QuizService
from bot.schedule import Slot, days_choices, format_time, parse_zone, zone_label
from bot.store import DeckRow
from bot.text import count, grouped, percent
from cogs import ui
from cogs.checks import (
    GRANT_HOW,
    cannot_see,
    ensure_moderator,
    missing_permissions,
    moderator_check,
    moderator_only,
)
from cogs.quiz import deck_choices, handled, public_embed, question_view, tag_choices

log = logging.getLogger("cogs.qotd")

#: seconds before the start-up pass is tried again after failing (doubling, up to 5 min)
CATCH_UP_RETRY = 1.0


def message_link(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def needed_permissions(thread: bool, ping: discord.Role | None) -> list[str]:
    """The bot's permissions a schedule needs in its channel (``discord.Permissions``
    attributes, named by ``PERMISSION_NAMES``)."""
    needed = ["view_channel", "send_messages", "embed_links", "read_message_history"]
    if thread:
        needed += ["create_public_threads", "send_messages_in_threads"]
    if ping is not None and not ping.mentionable:
        needed.append("mention_everyone")
    return needed


def ping_text(role: discord.Role) -> str:
    """How a schedule's ping role is mentioned: the server's @everyone role as ``@everyone``
    (its ``<@&id>`` shows as "@@everyone" and notifies nobody)."""
    return "@everyone" if role.is_default() else role.mention


#: zone names that are UTC itself, all year: a time in one needs no UTC time beside it
UTC_NAMES = frozenset(
    prefix + name
    for prefix in ("", "Etc/")
    for name in ("UTC", "UCT", "Universal", "Zulu", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich")
)


def when_text(when: datetime, zone_name: str) -> str:
    """A moment in the schedule's zone, and in UTC, with UTC's day when it is another:
    21:00 in São Paulo is "(Tue 00:00 UTC)", not "(00:00 UTC)" as if it were that morning."""
    local = when.astimezone(parse_zone(zone_name))
    if zone_name in UTC_NAMES:
        return f"{local:%a %d %b %Y %H:%M} {zone_name}"  # "09:00 UTC (09:00 UTC)" says it twice
    utc = when.astimezone(UTC)
    day = f"{utc:%a} " if utc.date() != local.date() else ""
    return f"{local:%a %d %b %Y %H:%M} {zone_name} ({day}{utc:%H:%M} UTC)"


def slot_text(slot: Slot, zone_name: str, now: datetime | None = None) -> str:
    """When a slot posts (see :func:`when_text`); one whose time the clocks skip that day
    (02:30 on a spring-forward night) posts at the end of the gap, and says why. Given
    ``now``, a slot whose time has come (the next post, not run yet) says so."""
    text = when_text(slot.at_utc, zone_name)
    if slot.shifted:
        text += (
            f", as {format_time(slot.local_time)} does not exist there that day "
            "(the clocks go forward)"
        )
    if now is not None and slot.at_utc <= now:
        text += ", due and not up yet: it goes up as soon as it can"
    return text


def got_it(summary: CloseSummary, *, start: bool = False) -> str:
    """How many answered a closed question and the share who got it, 100% only when all did
    (``start``: the text begins a sentence)."""
    if not summary.answered:
        # "0 answered · 0% got it" reads as if all who tried got it wrong.
        return "Nobody answered" if start else "nobody answered"
    return (
        f"{grouped(summary.answered)} answered · {percent(summary.right, summary.answered)}% got it"
    )


def closed_label(summary: CloseSummary) -> str:
    return f"Closed · {got_it(summary)}"


def close_footer(summary: CloseSummary) -> str:
    """The footer of a closed question of the day: who answered, the share who got it and
    how many kept their streak."""
    streak = (
        f"{count(summary.kept_streak, 'member')} kept their streak"
        if summary.kept_streak
        # Not "tomorrow's": by default a question closes when the next one is due,
        # and on a weekdays-only schedule the next one may be days away.
        else "Answer each day's question to build a streak"
    )
    return f"{got_it(summary, start=True)} · {streak}"


class DiscordPublisher:
    """Posts, finds and closes question-of-the-day messages. Its requests are paced to
    ``rate`` a second, under Discord's global limit, when many servers post at once."""

    def __init__(self, bot: RecallBot, quiz: QuizService, *, rate: float = REST_RATE):
        self.bot = bot
        self.quiz = quiz
        self.pacer = Pacer(rate)

    def _guild(self, guild_id: int) -> discord.Guild:
        """The schedule's server. Once the client is ready every server the bot is in is
        known, one in an outage too: unavailable, with no channels when the bot started
        during it."""
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            raise PublishError("the bot is no longer in this server", permanent=True)
        self._unless_outage(guild)
        return guild

    @staticmethod
    def _unless_outage(guild: discord.Guild | None) -> None:
        """Nothing is asked of Discord for a server in an outage: the slot or close waits."""
        if guild is not None and guild.unavailable:
            raise PublishError(ui.OUTAGE, permanent=False, outage=True)

    def _channel(self, schedule: ScheduleRow) -> discord.TextChannel:
        # Through the guild: Client.get_channel looks through every guild in turn.
        channel = self._guild(schedule.guild_id).get_channel(schedule.channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise PublishError(
                "the channel was deleted or the bot can no longer see it", permanent=True
            )
        return channel

    async def send(self, claim: Claim) -> Sent:
        schedule = claim.schedule
        channel = self._channel(schedule)
        perms = channel.permissions_for(channel.guild.me)
        role = channel.guild.get_role(schedule.ping_role_id) if schedule.ping_role_id else None
        missing = missing_permissions(
            perms, [p for p in needed_permissions(False, role) if p != "read_message_history"]
        )
        if missing:
            raise PublishError(
                f"missing permission in {channel.mention}: {', '.join(missing)}", permanent=True
            )
        qp = await self.quiz.load(claim.post_id)
        content = ping_text(role) if role is not None else None
        # Only the schedule's role is pinged; the server's @everyone role by the
        # ``everyone`` switch, as Discord pings it.
        everyone = role is not None and role.is_default()
        mentions = discord.AllowedMentions(
            everyone=everyone, users=False, roles=[role] if role and not everyone else False
        )
        try:
            await self.pacer.wait()
            message = await channel.send(
                content=content,
                embed=public_embed(qp, 0, None, thread=schedule.thread),
                view=question_view(qp),
                allowed_mentions=mentions,
            )
        except discord.NotFound:
            raise PublishError("the channel was deleted", permanent=True) from None
        except discord.Forbidden as exc:
            raise PublishError(
                f"Discord refused the post in {channel.mention}: {exc.text}", permanent=True
            ) from None
        except ui.DISCORD_TROUBLE as exc:
            raise PublishError(
                f"Discord did not confirm the post: {exc}", permanent=False
            ) from None
        # The role was deleted since setup: the question goes up unpinged, and says why.
        gone = (
            "its ping role was deleted, so questions go up without a ping; choose another "
            "with /qotd edit"
            if schedule.ping_role_id and role is None
            else None
        )
        if not schedule.thread:
            return Sent(message.id, None, gone)
        sent = await self._with_thread(message, claim, qp)
        warnings = [w for w in (gone, sent.warning) if w]
        return dataclasses.replace(sent, warning="; ".join(warnings) or None)

    async def _with_thread(
        self, message: discord.Message, claim: Claim, qp: QuizPost
    ) -> Sent:
        """The post, with its discussion thread opened; when Discord refuses the thread, the
        post stops inviting members to it and the problem is the schedule's warning."""
        try:
            await self.pacer.wait()
            thread = await message.create_thread(
                name=ui.thread_name(f"QOTD #{claim.number}", qp.question.question.prompt),
                auto_archive_duration=1440,
            )
            return Sent(message.id, thread.id)
        except ui.DISCORD_TROUBLE as exc:
            text = exc.text if isinstance(exc, discord.HTTPException) else ""
            warning = f"could not open a discussion thread: {text or exc or type(exc).__name__}"
            log.warning("schedule %s: %s", claim.schedule.id, warning)
            # The post invited members to a thread that is not there: take that back. A post
            # found again after a restart may have answers already: its count is kept.
            with contextlib.suppress(*ui.DISCORD_TROUBLE, UserError):
                qp, read = await self.quiz.load_for(claim.post_id, counts=True)
                answered, _ = read.counts or (0, 0)
                await self.pacer.wait()
                await message.edit(embed=public_embed(qp, answered, None, thread=False))
            return Sent(message.id, None, warning)

    async def find(self, claim: Claim, since: datetime) -> Sent | None:
        """The claimed post's message, if it was sent (the bot stopped before recording it),
        with its discussion thread: the one it has, or, when the bot stopped before opening
        it, one opened now."""
        channel = self._channel(claim.schedule)
        after = since - timedelta(minutes=1)
        found: discord.Message | None = None
        try:
            # The post went out just after ``since``: first the channel's first messages from
            # then on, then (a busy channel, a clock off) its latest ones.
            for oldest_first in (True, False):
                await self.pacer.wait()
                async for message in channel.history(
                    limit=100, after=after, oldest_first=oldest_first
                ):
                    if ui.shows_post(message, self.bot.user, claim.post_id):
                        found = message
                        break
                if found is not None:
                    break
        except discord.Forbidden:
            raise PublishError(
                "missing Read Message History to check an earlier post", permanent=False
            ) from None
        except ui.DISCORD_TROUBLE as exc:
            raise PublishError(f"could not read the channel: {exc}", permanent=False) from None
        if found is None:
            return None
        if found.thread is not None:
            return Sent(found.id, found.thread.id)
        if not claim.schedule.thread:
            return Sent(found.id, None)
        return await self._with_thread(found, claim, await self.quiz.load(claim.post_id))

    async def close(self, post_id: int, summary: CloseSummary) -> None:
        qp = await self.quiz.load(post_id)
        post, q = qp.post, qp.question.question
        if post.message_id is None:
            return
        # During an outage it closes again once the outage is over.
        self._unless_outage(self.bot.get_guild(post.guild_id))
        label = closed_label(summary)
        embed = ui.closed_embed(
            question_id=qp.question.id,
            title=f"Question of the day #{post.number} · answer",
            deck_name=qp.question.deck_name,
            prompt=q.prompt,
            key_points=q.key_points,
            answer=q.answer,
            tags=q.tags,
            options=[o.text for o in q.options],
            correct=q.correct_index,
            footer=close_footer(summary),
        )
        message = self.bot.get_partial_messageable(post.channel_id).get_partial_message(
            post.message_id
        )
        try:
            await self.pacer.wait()
            await message.edit(embed=embed, view=question_view(qp, closed_label=label))
        except discord.NotFound:
            return
        except discord.Forbidden as exc:
            # The bot may no longer edit there: trying again would not help until it can.
            raise PublishError(
                f"Discord refused the edit in <#{post.channel_id}>: {exc.text}", permanent=True
            ) from None
        except ui.DISCORD_TROUBLE as exc:
            raise PublishError(f"could not edit the post: {exc}", permanent=False) from None


@dataclasses.dataclass(frozen=True)
class Saved:
    """A schedule just set up or edited, its next post and the reply's lines saying so."""

    schedule: ScheduleRow
    created: bool
    next: Slot
    lines: list[str]
    #: its next post just before the change (None: a new or paused schedule)
    was_next: Slot | None = None


def deck_text(schedule: ScheduleRow, decks: dict[int, DeckRow]) -> str:
    """What a schedule asks from, as ``/qotd status`` names it: its deck (or every enabled
    deck) and its tag."""
    if schedule.deck_id is None:
        text = "every enabled deck"
    elif (deck := decks.get(schedule.deck_id)) is None:
        text = "a deck removed since"
    else:
        text = ui.name(deck.name) + ("" if deck.enabled else " (switched off)")
    return text + (f", tag `{schedule.tag}`" if schedule.tag else "")


#: schedules on one page of ``/qotd status`` (a server can have one per channel, with no cap)
STATUS_PAGE = 10


async def status_message(
    cog: Qotd, guild_id: int, page: int
) -> tuple[discord.Embed, discord.ui.View | None]:
    """One page of ``/qotd status``, read afresh, and its page buttons when there are several."""
    store = cog.quiz.store
    schedules = await store.schedules_for_guild(guild_id)
    if not schedules:
        raise UserError("No question of the day is set up here yet. Start one with `/qotd setup`.")
    pages = -(-len(schedules) // STATUS_PAGE)
    page = min(max(0, page), pages - 1)
    embed = ui.info_embed("Question of the day", count(len(schedules), "schedule"))
    fields: list[tuple[str, str]] = []
    decks = {d.id: d for d in await store.decks_for_guild(guild_id, include_disabled=True)}
    for schedule in schedules[page * STATUS_PAGE : (page + 1) * STATUS_PAGE]:
        progress = await store.progress(schedule)
        # The channel goes in the value: Discord shows a mention in a field's name as
        # its raw ``<#id>``.
        lines = [f"**Where:** <#{schedule.channel_id}>"]
        if schedule.paused:
            lines.append(
                f"⏸️ **Paused**{': ' + schedule.pause_reason if schedule.pause_reason else ''}"
            )
        else:
            nxt = await cog.engine.next_post(schedule)
            when = slot_text(nxt, schedule.spec.zone, cog.bot.clock.now())
            lines.append(f"**Next:** {when}")
        lines.append(f"**Deck:** {deck_text(schedule, decks)}")
        lines.append(
            f"**Progress:** {grouped(progress.asked)} of {grouped(progress.total)} asked "
            f"(cycle {grouped(progress.cycle)})"
        )
        posted = await store.slots(schedule.id, states=("posted",), limit=1)
        if posted and posted[0].message_id:
            link = message_link(schedule.guild_id, schedule.channel_id, posted[0].message_id)
            lines.append(
                f"**Last post:** [#{posted[0].number}]({link})"
                + (" (late)" if posted[0].late else "")
            )
        # A schedule paused by its failures already says the last one's reason.
        said = schedule.paused and (schedule.pause_reason or "").endswith(schedule.last_error or "")
        if schedule.last_error and not said:
            lines.append(f"⚠️ **Problem:** {schedule.last_error}")
        for slot in await store.slots(schedule.id, states=("claimed",), limit=3):
            if slot.error:
                # Sent but not confirmed by Discord, or its server in an outage: tried again.
                when = slot_time_text(slot.local_time, slot.due_at, schedule.spec.tz)
                lines.append(
                    f"⏳ **Trying again:** #{slot.number} of {slot.local_date} {when}: {slot.error}"
                )
        missed = await store.slots(schedule.id, states=("missed", "failed"), limit=3)
        for slot in missed:
            reason = f": {slot.error}" if slot.error else " (the bot was offline)"
            when = slot_time_text(slot.local_time, slot.due_at, schedule.spec.tz)
            lines.append(f"• {slot.state} {slot.local_date} {when}{reason}")
        for number, why in await store.hidden_answers(schedule.id):
            lines.append(
                f"🙈 **Answer hidden:** #{number}: {why}. It goes up once the next question "
                f"posts in <#{schedule.channel_id}>."
            )
        fields.append((f"#{schedule.id} · {schedule.spec.describe()}", "\n".join(lines)))
    if pages > 1:
        embed.set_footer(text=f"Page {page + 1} of {pages} · {STATUS_PAGE} schedules a page")
    ui.add_fields(embed, fields)  # schedules with many problems: clipped to fit
    if pages == 1:
        return embed, None
    view = discord.ui.View(timeout=None)
    StatusPageButton.add_pair(view, page, pages)
    return embed, view


class StatusPageButton(
    ui.PageButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"qotd:status:(?P<page>\d+)",
):
    """A page button of ``/qotd status``: the server comes from the click, the page from
    the custom_id, and every click re-reads the schedules."""

    prefix = "qotd:status"

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            await ensure_moderator(interaction)
            cog = interaction.client.get_cog("Qotd")
            if interaction.guild_id is None or not isinstance(cog, Qotd):
                raise UserError("This works in a server with questions of the day.")
            embed, view = await status_message(cog, interaction.guild_id, self.page)
            await interaction.response.edit_message(embed=embed, view=view)

        await handled(interaction, work)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class QotdGroup(app_commands.Group, name="qotd", description="Question of the day (moderators)."):
    def __init__(self, cog: Qotd):
        super().__init__()
        self.cog = cog

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return await moderator_check(interaction)

    # -- setup and edit ---------------------------------------------------------------------------

    @app_commands.command(name="setup", description="Moderators: schedule a daily question in a channel.")
    @app_commands.describe(
        channel="Where to post",
        time="Local time to post, HH:MM in 24-hour form (e.g. 09:00)",
        timezone="IANA time zone, e.g. Europe/London (default: the server's, from /settings timezone)",
        days="Which days: daily, mon-fri, weekends, or a list like mon,wed,fri (default daily)",
        deck="Ask from this deck (default: every enabled deck)",
        tag="Only questions with this tag",
        ping="A role to mention with each question",
        thread="Open a discussion thread for each question (default on)",
        answer_after="When the answer goes public: next (default), or a delay such as 12h "
        f"(at most {ANSWER_AFTER_MAX_DAYS} days)",
        pick="cycle: every question once per cycle (default); weakest: what the group has likely forgotten",
    )
    async def setup(
        self,
        interaction: discord.Interaction[Any],
        channel: discord.TextChannel,
        time: str,
        timezone: str | None = None,
        days: str | None = None,
        deck: str | None = None,
        tag: str | None = None,
        ping: discord.Role | None = None,
        thread: bool | None = None,
        answer_after: str | None = None,
        pick: Literal["cycle", "weakest"] | None = None,
    ) -> None:
        assert interaction.guild is not None
        # Left out, an option takes its default (None tells it from one given as the default).
        options = _options(time, timezone, days, deck, tag, ping, thread, answer_after, pick)
        quiz = self.cog.quiz
        settings, deck_row = await setup_settings(quiz, interaction.guild.id, options)
        found = await self._channel_schedule(interaction.guild.id, channel.id)
        waiting = _deferral(interaction)
        async with self.cog.engine.holding(found.id if found else None, waiting=waiting):
            # As it is now, with the schedule's runs held off until it is saved.
            before = await self._channel_schedule(interaction.guild.id, channel.id)
            saved = await self._save(interaction, channel, settings, deck_row, before)
            schedule, lines = saved.schedule, saved.lines
            if timezone is None:
                lines.append(
                    f"Time zone: {zone_label(schedule.spec.zone)}, the server's zone "
                    "(`/settings timezone`); the schedule keeps it if the server's changes, "
                    "and `/qotd edit timezone:` moves it."
                )
            if before is not None:
                reset = await _left_out_reset(
                    interaction.guild, quiz, before, schedule, options.given()
                )
                if reset:
                    lines.append(
                        "⚠️ Left out this time, so back to the default: "
                        + "; ".join(reset)
                        + ". Give them again with `/qotd setup` to keep them, or use "
                        "`/qotd edit` to change one setting."
                    )
        if saved.created and schedule.number:
            # Taken over from the channel's removed schedule, with the questions it asked.
            lines.append(
                f"Numbering goes on from the channel's earlier schedule: the next question is "
                f"#{schedule.number + 1}, and questions it asked this cycle are not asked again "
                "before the deck has been gone through."
            )
        if saved.created:
            lines.extend(await _others_go_on(quiz, schedule))
        title = "Question of the day is set up" if saved.created else "Question of the day updated"
        await _answer(interaction, embed=ui.info_embed(title, "\n".join(lines), colour=ui.OK))

    async def _channel_schedule(self, guild_id: int, channel_id: int) -> ScheduleRow | None:
        return next(
            (
                s
                for s in await self.cog.quiz.store.schedules_for_guild(guild_id)
                if s.channel_id == channel_id
            ),
            None,
        )

    @app_commands.command(
        name="edit",
        description="Moderators: change some settings of a schedule; the ones left out stay as they are.",
    )
    @app_commands.describe(
        schedule="Which schedule to change",
        time="New local time to post, HH:MM in 24-hour form (e.g. 09:00)",
        timezone="New IANA time zone, e.g. Europe/London",
        days="New days: daily, mon-fri, weekends, or a list like mon,wed,fri",
        deck="Ask from this deck instead (clear: deck asks from every enabled deck)",
        tag="Only questions with this tag (clear: tag takes any tag)",
        ping="A role to mention with each question instead (clear: ping mentions none)",
        thread="Open a discussion thread for each question, or not",
        answer_after="When the answer goes public: next, or a delay such as 12h "
        f"(at most {ANSWER_AFTER_MAX_DAYS} days)",
        pick="cycle: every question once per cycle; weakest: what the group has likely forgotten",
        clear="A setting to drop: the ping, the deck, the tag, or the answer's delay",
    )
    @app_commands.choices(
        clear=[app_commands.Choice(name=label, value=value) for value, label in CLEAR_LABELS.items()]
    )
    async def edit(
        self,
        interaction: discord.Interaction[Any],
        schedule: str,
        time: str | None = None,
        timezone: str | None = None,
        days: str | None = None,
        deck: str | None = None,
        tag: str | None = None,
        ping: discord.Role | None = None,
        thread: bool | None = None,
        answer_after: str | None = None,
        pick: Literal["cycle", "weakest"] | None = None,
        clear: app_commands.Choice[str] | None = None,
    ) -> None:
        assert interaction.guild is not None
        row = await self._pick(interaction, schedule)
        options = _options(time, timezone, days, deck, tag, ping, thread, answer_after, pick)
        cleared = read_clear(clear.value if clear else None)
        if not options.given() and cleared is None:
            await interaction.response.send_message(
                "Nothing to change: give `/qotd edit` the settings to change ("
                + ", ".join(SETTINGS)
                + ") or one to `clear`.",
                ephemeral=True,
            )
            return
        channel = _schedule_channel(interaction.guild, row)
        quiz = self.cog.quiz
        async with self.cog.engine.holding(row.id, waiting=_deferral(interaction)):
            # The schedule as it is now, with its runs and other changes held off until
            # this one is saved: what another moderator changed meanwhile is kept.
            fresh = await quiz.store.schedule(row.id)
            if fresh is None:
                raise UserError(f"Schedule #{row.id} was removed meanwhile; nothing was saved.")
            row = fresh
            settings, deck_row = await edited_settings(quiz, row, options, cleared)
            before = row.settings
            if not changed(before, settings):
                paused = " It stays paused; `/qotd resume` starts it again." if row.paused else ""
                nothing = f"Nothing to change: schedule #{row.id} already has those settings.{paused}"
                saved = None
            else:
                saved = await self._save(interaction, channel, settings, deck_row, row, edit=True)
                texts = await _change_texts(interaction.guild, quiz, before, settings)
        if saved is None:
            await _answer(interaction, content=nothing)
            return
        line = "Changed: " + "; ".join(texts.values()) + "."
        was_next = saved.was_next
        if was_next is not None and was_next.at_utc != saved.next.at_utc:
            line += f" The next post moves from {slot_text(was_next, row.spec.zone)}."
        saved.lines.append(line)
        await _answer(
            interaction,
            embed=ui.info_embed("Question of the day updated", "\n".join(saved.lines), colour=ui.OK),
        )

    async def _save(
        self,
        interaction: discord.Interaction[Any],
        channel: discord.TextChannel,
        settings: ScheduleSettings,
        deck: DeckRow | None,
        before: ScheduleRow | None,
        *,
        edit: bool = False,
    ) -> Saved:
        """Check and save a schedule set up or edited (``before``: the channel's schedule as
        it was, if it had one), and say what it is now: where, when, the next post... The
        caller holds the schedule (see ``QotdEngine.holding``)."""
        guild = interaction.guild
        assert guild is not None
        command = "`/qotd edit`" if edit else "`/qotd setup`"
        quiz = self.cog.quiz
        await check_questions(quiz, guild.id, deck, settings.tag)
        ping = guild.get_role(settings.ping_role_id) if settings.ping_role_id else None
        check_permissions(channel, settings.thread, ping, command)
        due: list[tuple[Slot, str]] = []
        if before is not None and before.spec != settings.spec:
            # A slot come at the old times but not run yet: handled as it was due, first.
            due = await self.cog.engine.run_due(before, waiting=_deferral(interaction))
            if due:
                before = await quiz.store.schedule(before.id)
                if before is None:
                    raise UserError("That schedule was removed meanwhile; nothing was saved.")
        was_next = (
            await self.cog.engine.next_post(before)
            if before is not None and not before.paused
            else None
        )
        schedule_id, created = await quiz.store.save_schedule(
            guild_id=guild.id,
            channel_id=channel.id,
            spec=settings.spec,
            deck_id=settings.deck_id,
            tag=settings.tag,
            ping_role_id=settings.ping_role_id,
            thread=settings.thread,
            answer_after_minutes=settings.answer_after_minutes,
            created_by=interaction.user.id,
            pick=settings.pick,
            schedule_id=before.id if edit and before is not None else None,
            keep_paused=edit,
            expect=before if edit else None,
        )
        schedule = await quiz.store.schedule(schedule_id)
        assert schedule is not None
        self.cog.engine.reschedule(schedule_id)
        nxt = await self.cog.engine.next_post(schedule)
        spec = schedule.spec
        lines = [
            f"**Where:** {channel.mention}",
            f"**When:** {spec.describe()}",
            "**Next post:** none while it is paused"
            if schedule.paused
            else f"**Next post:** {slot_text(nxt, spec.zone, self.cog.bot.clock.now())}",
            f"**Deck:** {ui.name(deck.name) if deck else 'every enabled deck'}"
            + (f", tag `{schedule.tag}`" if schedule.tag else ""),
            f"**Answers go public:** {describe_answer_after(schedule.answer_after_minutes)}",
            "**Questions:** "
            + (
                "the group's weakest first"
                if schedule.pick == "weakest"
                else "each once per cycle, shuffled"
            ),
            f"**Thread:** {'yes' if schedule.thread else 'no'}"
            + (f" · **Ping:** {ping_text(ping)}" if ping else ""),
        ]
        for slot, state in due:
            when = slot_text(slot, before.spec.zone if before else spec.zone)
            if state in ("posted", "claimed"):
                lines.append(
                    f"The question due on {when} went up first, as the schedule was before "
                    "this change."
                )
            elif state == "missed":
                lines.append(
                    f"The question due on {when} was recorded as missed: it was too late to post."
                )
            elif state == "failed":
                lines.append(
                    f"The question due on {when} could not be posted; `/qotd status` says why."
                )
        if schedule.checked_until > self.cog.bot.clock.now():
            # The store counted today's slot done: the channel had its question today.
            lines.append(
                f"Today's question is already up in {channel.mention}, so none more is posted "
                "today (`/qotd post-now` posts an extra one)."
            )
        if schedule.paused:
            lines.append("It stays paused; `/qotd resume` starts it again.")
        elif before is not None and before.paused:
            lines.append("It was paused; it runs again from now.")
        return Saved(schedule, created, nxt, lines, was_next)

    @setup.autocomplete("timezone")
    @edit.autocomplete("timezone")
    @moderator_only()  # choices a member who is not one would have refused
    async def timezone_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return ui.zone_options(current)

    @setup.autocomplete("days")
    @edit.autocomplete("days")
    @moderator_only()
    async def days_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=n, value=v) for n, v in days_choices(current)]

    @setup.autocomplete("deck")
    @edit.autocomplete("deck")
    @moderator_only()
    async def deck_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await deck_choices(
            self.cog.bot, interaction.guild_id or 0, current, enabled=True
        )

    @setup.autocomplete("tag")
    @moderator_only()
    async def tag_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await tag_choices(self.cog.bot, interaction, current)

    @edit.autocomplete("tag")
    @moderator_only()
    async def edit_tag_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """The tags of the deck chosen in the command, else of the schedule's own deck."""
        deck = getattr(interaction.namespace, "deck", None)
        if not deck:
            store = self.cog.quiz.store
            schedules = await store.schedules_for_guild(interaction.guild_id or 0)
            row = self._named(interaction, schedules, getattr(interaction.namespace, "schedule", None))
            if row is not None and row.deck_id is not None:
                decks = await store.decks_for_guild(row.guild_id, include_disabled=True)
                deck = next((deck_key(d, decks) for d in decks if d.id == row.deck_id), None)
        return await tag_choices(self.cog.bot, interaction, current, deck=deck)

    # -- status -----------------------------------------------------------------------------------

    @app_commands.command(
        name="status", description="Moderators: every schedule's next post, progress, last post and problems."
    )
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        embed, view = await status_message(self.cog, interaction.guild_id, 0)
        if view is None:
            await interaction.response.send_message(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    # -- one schedule at a time -------------------------------------------------------------------

    async def _pick(
        self, interaction: discord.Interaction[Any], schedule: str | None
    ) -> ScheduleRow:
        assert interaction.guild_id is not None
        store = self.cog.quiz.store
        schedules = await store.schedules_for_guild(interaction.guild_id)
        typed = (schedule or "").strip()
        if typed:
            row = self._named(interaction, schedules, typed)
            if row is not None:
                return row
            number = typed.lstrip("#")
            # A schedule of this server removed since (another server's is not named).
            if number.isascii() and number.isdigit() and len(number) <= 18:
                gone = await store.schedule(int(number), removed=True)
                if gone is not None and gone.removed and gone.guild_id == interaction.guild_id:
                    raise UserError(
                        f"Schedule #{gone.id} was removed. `/qotd setup` sets up a new one (in "
                        f"<#{gone.channel_id}> it goes on from the removed one's numbering)."
                    )
        if not schedules:
            raise UserError(
                "No question of the day is set up here yet. Start one with `/qotd setup`."
            )
        if typed:
            raise UserError(
                f"There is no schedule “{ui.name(ui.clip(typed, 40))}” here. "
                "`/qotd status` lists them."
            )
        if len(schedules) == 1:
            return schedules[0]
        # Run in a schedule's channel, or in a thread of it (a question's discussion
        # thread), the command means that schedule.
        here = interaction.channel
        channel_id = here.parent_id if isinstance(here, discord.Thread) else interaction.channel_id
        for row in schedules:
            if row.channel_id == channel_id:
                return row
        raise UserError(
            "This server has several schedules: choose one with the `schedule` option, "
            "or run the command in the schedule's channel."
        )

    @staticmethod
    def _named(
        interaction: discord.Interaction[Any], schedules: list[ScheduleRow], typed: str | None
    ) -> ScheduleRow | None:
        """The schedule a ``schedule`` option names: by its number (as the list offers it),
        or, typed, by its channel's name or mention."""
        typed = (typed or "").strip()
        if not typed:
            return None
        for row in schedules:
            if typed.lstrip("#") == str(row.id):
                return row
        for row in schedules:
            channel = interaction.guild.get_channel(row.channel_id) if interaction.guild else None
            name = getattr(channel, "name", None)
            if typed == f"<#{row.channel_id}>" or (
                name is not None and typed.lstrip("#").casefold() == name.casefold()
            ):
                return row
        return None

    @moderator_only()
    async def _schedule_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        rows = await self.cog.quiz.store.schedules_for_guild(interaction.guild_id or 0)
        out = []
        for row in rows:
            channel = self.cog.bot.get_channel(row.channel_id)
            name = (
                f"#{row.id} · #{getattr(channel, 'name', row.channel_id)} · {row.spec.describe()}"
            )
            if current.lower() in name.lower():
                out.append(app_commands.Choice(name=ui.clip(name, 100), value=str(row.id)))
        return out[:25]

    @app_commands.command(
        name="post-now",
        description="Moderators: post an extra question of a schedule now; its scheduled ones still go up.",
    )
    @app_commands.describe(
        schedule="Which schedule (only needed when there are several; default: this channel's)"
    )
    async def post_now(
        self, interaction: discord.Interaction[Any], schedule: str | None = None
    ) -> None:
        row = await self._pick(interaction, schedule)
        await interaction.response.defer(ephemeral=True, thinking=True)
        # Questions waiting for the next one to show their answer: this one is a next one.
        open_before = await self.cog.quiz.store.posts_waiting_for_next(row.id)
        claim = await self.cog.engine.post_now(row.id, str(interaction.id))
        post = await self.cog.quiz.store.post(claim.post_id) if claim else None
        if claim is not None and post is not None and post.message_id is None:
            waiting = [
                slot
                for slot in await self.cog.quiz.store.slots(row.id, states=("claimed",))
                if slot.post_id == claim.post_id
            ]
            if waiting:
                # Discord did not confirm the post: it may be in the channel already. The
                # retry looks for it there first, and sends it only if it is not.
                await interaction.followup.send(
                    f"Question of the day #{post.number} is not confirmed yet: "
                    f"{waiting[0].error or 'Discord did not answer'}. Recall checks "
                    f"<#{post.channel_id}> for it in a minute and posts it if it is not "
                    "there (never twice); `/qotd status` shows it meanwhile.",
                    ephemeral=True,
                )
                return
        if post is None or post.message_id is None:
            fresh = await self.cog.quiz.store.schedule(row.id)
            reason = fresh.last_error if fresh and fresh.last_error else "it could not be posted"
            paused = (
                f" That made {MAX_FAILURES} failed posts in a row, so schedule #{row.id} is "
                "now paused: no question goes up until `/qotd resume`, once that is fixed."
                if fresh is not None and fresh.paused and not row.paused
                else ""
            )
            await interaction.followup.send(
                f"Nothing was posted: {reason}.{paused}", ephemeral=True
            )
            return
        link = message_link(post.guild_id, post.channel_id, post.message_id)
        fresh = await self.cog.quiz.store.schedule(row.id)
        if fresh is None or fresh.paused:
            after = ""
        else:
            # An extra question: the schedule's own next one still comes, at its time.
            nxt = await self.cog.engine.next_post(fresh)
            when = slot_text(nxt, fresh.spec.zone, self.cog.bot.clock.now())
            after = f" The next scheduled one still goes up on {when}"
            after += ", showing this one's answer." if fresh.answer_after_minutes is None else "."
        shown = [
            before.number
            for post_id, _ in open_before
            if (before := await self.cog.quiz.store.post(post_id)) is not None
            # closed, or due to close at once (its closing edit retried in a minute)
            and (before.closed_at is not None or before.close_at is not None)
        ]
        if len(shown) == 1:
            after += (
                f" Question of the day #{shown[0]}, which was waiting for the next question, "
                "shows its answer now."
            )
        elif shown:
            numbers = ", ".join(f"#{n}" for n in shown[:-1]) + f" and #{shown[-1]}"
            after += (
                f" Questions of the day {numbers}, which were waiting for the next question, "
                "show their answers now."
            )
        await interaction.followup.send(
            f"Posted [question of the day #{post.number}]({link}).{after}", ephemeral=True
        )

    @app_commands.command(
        name="skip", description="Moderators: skip a schedule's next question (streaks are not broken)."
    )
    @app_commands.describe(
        schedule="Which schedule (only needed when there are several; default: this channel's)"
    )
    async def skip(
        self, interaction: discord.Interaction[Any], schedule: str | None = None
    ) -> None:
        row = await self._pick(interaction, schedule)
        if row.paused:
            raise UserError(
                f"Schedule #{row.id} is paused: nothing is posted until `/qotd resume`, so "
                "there is no question to skip."
            )
        slot = await self.cog.engine.next_post(row)
        await self.cog.quiz.store.record_slots(row.id, [slot], "skipped")
        self.cog.engine.reschedule(row.id)
        after = await self.cog.engine.next_post(row)
        # A skipped question shows no answer: the open one waiting for it waits for the next.
        waiting = await self.cog.quiz.store.posts_waiting_for_next(row.id)
        shown = " The open question's answer goes public then." if waiting else ""
        await interaction.response.send_message(
            f"Skipped the question of {slot_text(slot, row.spec.zone)}. "
            f"The next one is {slot_text(after, row.spec.zone)}.{shown}",
            ephemeral=True,
        )

    @app_commands.command(name="pause", description="Moderators: stop a schedule posting until it is resumed.")
    @app_commands.describe(
        schedule="Which schedule (only needed when there are several; default: this channel's)"
    )
    async def pause(
        self, interaction: discord.Interaction[Any], schedule: str | None = None
    ) -> None:
        row = await self._pick(interaction, schedule)
        if row.paused:
            # Why it was paused (by a moderator, or by the bot after failed posts) stays.
            why = f" ({row.pause_reason})" if row.pause_reason else ""
            await interaction.response.send_message(
                f"Schedule #{row.id} is already paused{why}; nothing changed. Resume it with "
                "`/qotd resume`.",
                ephemeral=True,
            )
            return
        await self.cog.quiz.store.set_paused(
            row.id, True, f"paused by {interaction.user.mention}"
        )
        self.cog.engine.reschedule(row.id)
        fresh = await self.cog.quiz.store.schedule(row.id)
        close_at = await self.cog.engine.paused_close_at(fresh) if fresh else None
        shown = (
            f" The open question's answer still goes public on {when_text(close_at, row.spec.zone)}, "
            "when the next question would have been due."
            if close_at is not None
            else ""
        )
        await interaction.response.send_message(
            f"Paused schedule #{row.id}. Days while paused do not break anyone's streak.{shown} "
            "Resume with `/qotd resume`.",
            ephemeral=True,
        )

    @app_commands.command(name="resume", description="Moderators: start a paused schedule posting again.")
    @app_commands.describe(
        schedule="Which schedule (only needed when there are several; default: this channel's)"
    )
    async def resume(
        self, interaction: discord.Interaction[Any], schedule: str | None = None
    ) -> None:
        row = await self._pick(interaction, schedule)
        if not row.paused:
            # Nothing to resume: its problem, if any, stays in /qotd status.
            nxt = await self.cog.engine.next_post(row)
            when = slot_text(nxt, row.spec.zone, self.cog.bot.clock.now())
            await interaction.response.send_message(
                f"Schedule #{row.id} is not paused; nothing changed. Next post: {when}.",
                ephemeral=True,
            )
            return
        assert interaction.guild is not None
        channel = _schedule_channel(interaction.guild, row)
        ping = interaction.guild.get_role(row.ping_role_id) if row.ping_role_id else None
        check_permissions(channel, row.thread, ping, "`/qotd resume`")
        nothing = await self.cog.quiz.store.nothing_to_ask(row, escape=ui.name)
        if nothing is not None:
            raise UserError(
                f"Schedule #{row.id} has no question to ask: {nothing}. It stays paused; "
                "resume it once that is fixed."
            )
        await self.cog.quiz.store.set_paused(row.id, False)
        self.cog.engine.reschedule(row.id)
        fresh = await self.cog.quiz.store.schedule(row.id)
        assert fresh is not None
        nxt = await self.cog.engine.next_post(fresh)
        when = slot_text(nxt, row.spec.zone, self.cog.bot.clock.now())
        await interaction.response.send_message(
            f"Resumed schedule #{row.id}. Next post: {when}.",
            ephemeral=True,
        )

    @app_commands.command(
        name="remove", description="Moderators: stop and remove a schedule (its history stays)."
    )
    @app_commands.describe(
        schedule="Which schedule (only needed when there are several; default: this channel's)"
    )
    async def remove(
        self, interaction: discord.Interaction[Any], schedule: str | None = None
    ) -> None:
        row = await self._pick(interaction, schedule)
        closing = await self.cog.quiz.store.remove_schedule(row.id)
        self.cog.engine.reschedule(row.id)
        shown = " The open question's answer goes public now." if closing else ""
        await interaction.response.send_message(
            f"Removed schedule #{row.id}. Past questions, grades and streaks are kept.{shown}",
            ephemeral=True,
        )

    post_now.autocomplete("schedule")(_schedule_choices)
    skip.autocomplete("schedule")(_schedule_choices)
    pause.autocomplete("schedule")(_schedule_choices)
    resume.autocomplete("schedule")(_schedule_choices)
    remove.autocomplete("schedule")(_schedule_choices)
    edit.autocomplete("schedule")(_schedule_choices)


def _options(
    time: str | None,
    timezone: str | None,
    days: str | None,
    deck: str | None,
    tag: str | None,
    ping: discord.Role | None,
    thread: bool | None,
    answer_after: str | None,
    pick: str | None,
) -> ScheduleOptions:
    """The options of ``/qotd setup`` or ``/qotd edit`` as given (None: left out)."""
    return ScheduleOptions(
        time, timezone, days, deck, tag, ping.id if ping else None, thread, answer_after, pick
    )


def _schedule_channel(guild: discord.Guild, row: ScheduleRow) -> discord.TextChannel:
    """The schedule's channel; a UserError saying what to do when it was deleted."""
    channel = guild.get_channel(row.channel_id)
    if not isinstance(channel, discord.TextChannel):
        raise UserError(
            f"Schedule #{row.id}'s channel was deleted, so it can post nowhere: "
            f"`/qotd remove schedule:{row.id}` removes it, and `/qotd setup` sets one up "
            "in another channel."
        )
    return channel


def check_permissions(
    channel: discord.TextChannel, thread: bool, ping: discord.Role | None, command: str
) -> None:
    """A UserError naming the permissions Recall lacks in a schedule's channel, and that
    ``command`` is to be run again once they are granted."""
    perms = channel.permissions_for(channel.guild.me)
    missing = missing_permissions(perms, needed_permissions(thread, ping))
    if missing and not perms.view_channel:
        # Discord counts every other permission as denied without it: that one first.
        raise UserError(
            f"{cannot_see(channel.id)}, so Discord counts every other permission it needs "
            f"there as missing too: grant View Channel ({GRANT_HOW}) and run {command} "
            "again, which then names any other permission still missing."
        )
    if missing:
        raise UserError(
            f"Recall is missing these permissions in {channel.mention}: **{', '.join(missing)}**. "
            f"Grant them to the bot's role (channel settings → Permissions) and run {command} again."
        )


def _deferral(interaction: discord.Interaction[Any]) -> Callable[[], Awaitable[None]]:
    """Defer the command's reply (once): it waits for a question of the day being posted."""

    async def defer() -> None:
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)

    return defer


async def _answer(
    interaction: discord.Interaction[Any],
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
) -> None:
    """The command's private reply, at once or after deferring."""
    kwargs: dict[str, Any] = {"ephemeral": True}
    if content is not None:
        kwargs["content"] = content
    if embed is not None:
        kwargs["embed"] = embed
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


def _questions_text(pick: str) -> str:
    return "the group's weakest first" if pick == "weakest" else "each once per cycle"


async def _deck_text(guild_id: int, quiz: QuizService, deck_id: int | None) -> str:
    if deck_id is None:
        return "every enabled deck"
    deck = await quiz.store.deck_for_guild(guild_id, deck_id)
    return ui.name(deck.name) if deck is not None else f"deck {deck_id}, since removed"


def _ping_text(guild: discord.Guild, role_id: int | None) -> str:
    if role_id is None:
        return "none"
    role = guild.get_role(role_id)
    return ping_text(role) if role is not None else "a role deleted since"


async def _change_texts(
    guild: discord.Guild, quiz: QuizService, before: ScheduleSettings, after: ScheduleSettings
) -> dict[str, str]:
    """Each setting that differs, by option name, in words with what it was:
    "days **daily** (was mon-fri)"."""
    out = {}
    for name in changed(before, after):
        if name == "time":
            now, was = after.spec.time_text, before.spec.time_text
        elif name == "timezone":
            now, was = zone_label(after.spec.zone), zone_label(before.spec.zone)
        elif name == "days":
            now, was = after.spec.days_text, before.spec.days_text
        elif name == "deck":
            now = await _deck_text(guild.id, quiz, after.deck_id)
            was = await _deck_text(guild.id, quiz, before.deck_id)
        elif name == "tag":
            now, was = (f"`{t}`" if t else "none" for t in (after.tag, before.tag))
        elif name == "ping":
            now, was = _ping_text(guild, after.ping_role_id), _ping_text(guild, before.ping_role_id)
        elif name == "thread":
            now, was = ("yes" if t else "no" for t in (after.thread, before.thread))
        elif name == "answer_after":
            now = describe_answer_after(after.answer_after_minutes)
            was = describe_answer_after(before.answer_after_minutes)
        else:
            now, was = _questions_text(after.pick), _questions_text(before.pick)
        label = {"timezone": "time zone", "answer_after": "answers go public", "pick": "questions"}
        out[name] = f"{label.get(name, name)} **{now}** (was {was})"
    return out


async def _left_out_reset(
    guild: discord.Guild,
    quiz: QuizService,
    before: ScheduleRow,
    after: ScheduleRow,
    given: set[str],
) -> list[str]:
    """What a schedule set up again lost to options left out, which take their defaults
    rather than keep what was set: "days **daily** (was mon-fri)", one a setting."""
    texts = await _change_texts(
        guild, quiz, before.settings, after.settings
    )
    return [
        text
        for name, text in texts.items()
        if name not in given
        # a ping role deleted since pinged nobody: nothing was lost
        and not (
            name == "ping"
            and before.ping_role_id is not None
            and guild.get_role(before.ping_role_id) is None
        )
    ]


async def _others_go_on(quiz: QuizService, schedule: ScheduleRow) -> list[str]:
    """A new schedule's word on the server's others, which go on as they were: a moderator
    who meant to move the question of the day to another channel would otherwise get two."""
    others = [
        s for s in await quiz.store.schedules_for_guild(schedule.guild_id) if s.id != schedule.id
    ]
    if not others:
        return []
    if len(others) == 1:
        [other] = others
        return [
            f"Schedule #{other.id} in <#{other.channel_id}> ({other.spec.describe()}) goes on "
            f"as well; if this one replaces it, `/qotd remove schedule:{other.id}` stops it."
        ]
    named = ", ".join(f"#{s.id} in <#{s.channel_id}>" for s in others[:3])
    more = f" and {len(others) - 3} more" if len(others) > 3 else ""
    return [
        f"This server's other schedules go on as well ({named}{more}); `/qotd remove` stops "
        "one this replaces."
    ]


class Qotd(commands.Cog):
    """Question of the day."""

    def __init__(self, bot: RecallBot):
        self.bot = bot
        self.quiz = QuizService(bot.store, escape=ui.name)
        self.engine = QotdEngine(
            bot.store,
            DiscordPublisher(bot, self.quiz),
            bot.clock,
            grace=timedelta(hours=bot.settings.qotd_grace_hours),
            escape=ui.name,
        )
        self.group = QotdGroup(self)
        self._started = False
        #: set once the start-up catch-up has run
        self.caught_up = asyncio.Event()

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.group)
        self.bot.add_dynamic_items(StatusPageButton)

    async def cog_unload(self) -> None:
        await self.engine.stop_scheduler()
        self.bot.tree.remove_command(self.group.name)
        self.bot.remove_dynamic_items(StatusPageButton)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Catch up on start (reconcile, late posts, missed slots), then follow the schedule."""
        if self._started:
            return
        self._started = True
        self.bot.spawn(self._start(), name="qotd-start")

    async def _start(self) -> None:
        """The first pass, then the scheduler. A first pass that fails (the database busy
        with another program, say) does not keep the scheduler off: it starts anyway, and
        the pass is tried again, a little later each time, until it goes through."""
        delay = CATCH_UP_RETRY
        started = False
        while True:
            try:
                await self.engine.tick()
                done = True
            except Exception:
                log.exception("catching up on questions of the day failed; retrying in %g s", delay)
                done = False
            if not started:
                started = True
                self.caught_up.set()
                if self.bot.run_scheduler:
                    self.engine.start_scheduler()
            if done:
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 300.0)


async def setup(bot: RecallBot) -> None:
    await bot.add_cog(Qotd(bot))
