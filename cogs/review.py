"""/review: a private spaced-repetition session, status, settings, reminders and Anki export."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from datetime import datetime
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.bank import deck_key
from bot.client import RecallBot
from bot.errors import OptionGone, UserError
from bot.quiz import Rating, option_fingerprint
from bot.review_service import (
    Item,
    ReviewService,
    Summary,
    day_zone,
    due_by_deck,
    other_reminders_text,
    other_zones_text,
    reminder_text,
)
from bot.schedule import format_time, parse_time, parse_zone, zone_label
from bot.srs import (
    DEFAULT_NEW_PER_DAY,
    NEW_PER_DAY_MAX,
    reminder_retry_at,
    reminder_to_send,
)
from bot.store import AttemptResult, Reminder, StoredQuestion, StoreError
from bot.text import count, grouped, percent, plural
from cogs import ui
from cogs.quiz import RATING_STYLE, deck_choices, handled


class ServerOutage(Exception):
    """The member's server is unavailable on Discord (an outage): nobody can use it, and
    the bot may not even know its name."""


#: failures that pass: Discord's server errors, the network, a busy database, an outage
PASSING_TROUBLE: tuple[type[Exception], ...] = (
    ServerOutage,
    discord.DiscordServerError,
    aiohttp.ClientError,
    TimeoutError,
    StoreError,
)

log = logging.getLogger("cogs.review")


def service(interaction: discord.Interaction[Any]) -> ReviewService:
    cog = interaction.client.get_cog("Review")
    assert isinstance(cog, Review)
    return cog.reviews


#: the /review time zone that means "follow the server's"
SERVER_ZONE = "server"


def member_zone(text: str) -> str | None:
    """A member's time zone option: an IANA zone, or None for `server` (follow the server's)."""
    if text.strip().lower() == SERVER_ZONE:
        return None
    try:
        return parse_zone(text).key
    except ValueError as exc:
        raise UserError(str(exc)) from None


def relative(when: Any, now: Any) -> str:
    """How soon ``when`` is, to the nearest minute, hour or day: it is told a moment after
    the card was scheduled, so a card due in 10 minutes must not read "in 9 min"."""
    seconds = max(0.0, (when - now).total_seconds())
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"in {max(1, minutes)} min"
    hours = round(seconds / 3600)
    if hours < 24:
        return f"in {hours} h"
    days = round(seconds / 86400)
    return f"in {count(days, 'day')}"


# -- rendering ---------------------------------------------------------------------------------


def item_title(item: Item) -> str:
    """A card's title: a new one says so; a due one, how many are due in all (this one
    included), so that a member going through a backlog sees its end come."""
    if item.is_new:
        return "Review · new card"
    return f"Review · {count(item.due_left, 'card')} due" if item.due_left else "Review"


def item_message(item: Item, note: str = "") -> tuple[discord.Embed, discord.ui.View]:
    q = item.question.question
    embed = ui.question_embed(
        question_id=item.question.id,
        deck_name=item.question.deck_name,
        prompt=q.prompt,
        tags=q.tags,
        difficulty=q.difficulty.value,
        options=[o.text for o in q.options],
        title=item_title(item),
        footer=note,
    )
    view = discord.ui.View(timeout=None)
    if q.options:
        for i, option in enumerate(q.options):
            view.add_item(ReviewOption(item.session_id, item.question.id, i, option.text))
    else:
        view.add_item(ReviewShow(item.session_id, item.question.id))
    return embed, view


def summary_message(summary: Summary, now: Any, note: str = "") -> discord.Embed:
    # A review with nothing to ask says why, not that it reviewed no card.
    lines = (
        [f"Reviewed **{grouped(summary.reviewed)}** {plural(summary.reviewed, 'card')}."]
        if summary.reviewed
        else []
    )
    if summary.reviewed:
        if summary.ratings:
            lines.append(
                " · ".join(
                    f"{rating.label} **{grouped(n)}**"
                    for rating, n in zip(Rating, summary.ratings, strict=True)
                )
            )
        lines.append(f"Again rate: **{percent(summary.again, summary.reviewed)}%**.")
    if summary.decks_off:
        lines.append(
            "The deck of this review was switched off or removed since it started, so its "
            "cards are not asked; `/review start` reviews the decks switched on."
            if summary.one_deck
            else "No deck is switched on in this server, so there is nothing to review: a "
            "moderator can turn one on with `/deck enable`."
        )
    elif summary.next_due is not None and summary.next_due <= now:
        # Cards answered in this session (a session asks each card once) are due again.
        again = summary.due_again
        if again > 1:
            text = (
                f"{count(again, 'card')} you answered are due again now: run `/review start` "
                "to go over them."
            )
        elif again == 1:
            text = "A card you answered is due again now: run `/review start` to go over it."
        else:
            # None of them: a card the session did not ask came due while it went on.
            text = "More cards came due while you reviewed: run `/review start` to go over them."
        lines.append(text)
    else:
        if summary.next_due is not None:
            lines.append(
                f"Next card due: <t:{int(summary.next_due.timestamp())}:f> "
                f"({relative(summary.next_due, now)})."
            )
        # A review of one deck speaks of that deck, and of cards due in the others.
        here = " in this deck" if summary.one_deck else ""
        # "else": besides the cards just reviewed, when there were any.
        nothing = "Nothing else is due now" if summary.reviewed else "Nothing is due now"
        elsewhere = summary.due_elsewhere
        if summary.new_left and summary.no_new_per_day:
            # Coming back later brings no new card: the member's own setting holds them back.
            lines.append(
                f"{nothing}{here}, and you take 0 new cards a day: raise that with "
                "`/review settings new_per_day` to start new questions."
            )
        elif summary.new_left:
            # Today's new cards are taken: the next come at the member's midnight.
            when = (
                f" (<t:{int(summary.new_from.timestamp())}:R>)" if summary.new_from else ""
            )
            lines.append(
                f"{nothing}{here}."
                if elsewhere
                else f"{nothing}{here}. New cards come again at midnight in {summary.zone}"
                f"{when}, or raise your daily new cards with `/review settings` to start "
                "more today."
            )
        else:
            none_new = (
                "it has no new questions left for you to start"
                if summary.one_deck
                else "there are no new questions left for you to start"
            )
            # Without a card (an empty deck), nothing comes later either.
            later = summary.next_due is not None and not elsewhere
            lines.append(f"{nothing}{here}, and {none_new}." + (" Come back later." if later else ""))
        if elsewhere:
            lines.append(
                f"{count(elsewhere, 'card')} {'is' if elsewhere == 1 else 'are'} due now in "
                f"your other decks: `/review start` goes over {'it' if elsewhere == 1 else 'them'}."
            )
    title = "Review done" if summary.reviewed else "Nothing to review now"
    embed = ui.info_embed(title, "\n".join(lines), colour=ui.OK)
    if note:
        embed.set_footer(text=ui.clip(note, ui.FOOTER))
    return embed


#: how much of a question's prompt the note on a grade quotes
NOTE_PROMPT = 150


def graded_note(
    result: AttemptResult,
    question: StoredQuestion,
    card_due: Any,
    now: Any,
    *,
    lead: str = "Last:",
    not_asked: str | None = None,
) -> str:
    """What a grade counted as and when the card comes back, or, with ``not_asked``, why it
    does not (see :meth:`ReviewService.graded`)."""
    label = Rating(result.rating).label
    if not_asked is None:
        when = relative(card_due, now) if card_due is not None else "later"
        not_asked = f"comes back {when}"
    # Cut so that what follows it is always seen.
    prompt = ui.clip(ui.plain_line(question.question.prompt), NOTE_PROMPT)
    return ui.clip(f"{lead} {label} — “{prompt}” {not_asked}", ui.FOOTER)


async def graded_footer(
    interaction: discord.Interaction[Any],
    session_id: int,
    result: AttemptResult,
    question: StoredQuestion,
    *,
    lead: str = "Last:",
) -> str:
    """The note on a grade in a session: what it counted as and when the card comes back,
    or why it does not (read even if a newer review replaced the session since: the grade
    was taken)."""
    reviews = service(interaction)
    found = await reviews.store.review_session(session_id)
    if found is None:
        due, not_asked = None, None
    else:
        due, not_asked = await reviews.graded(found.guild_id, interaction.user.id, question)
    return graded_note(
        result,
        question,
        due,
        reviews.store.clock.now(),
        lead=lead,
        not_asked=not_asked,
    )


async def next_screen(interaction: discord.Interaction[Any], session_id: int, note: str) -> None:
    reviews = service(interaction)
    item = await reviews.next_item(session_id, interaction.user.id)
    if item is None:
        summary = await reviews.summary(session_id, interaction.user.id)
        await interaction.response.edit_message(
            embed=summary_message(summary, reviews.store.clock.now(), note), view=None
        )
        return
    embed, view = item_message(item, note)
    await interaction.response.edit_message(embed=embed, view=view)


async def show_again(
    interaction: discord.Interaction[Any], session_id: int, question_id: int
) -> None:
    """After a click on a card's buttons that an edit of its question made out of date
    (:class:`OptionGone`, which the caller raises next, so that the member is told privately
    why the click was not graded): the card is shown again as it is now, with its options
    or Reveal answer."""
    reviews = service(interaction)
    item = await reviews.current(session_id, interaction.user.id, question_id)
    if item is None:
        await next_screen(interaction, session_id, "")
    else:
        embed, view = item_message(item)
        await interaction.response.edit_message(embed=embed, view=view)


async def elsewhere_note(
    interaction: discord.Interaction[Any], reviews: ReviewService, zone: str | None = None
) -> str:
    """The member's reminders in other servers (that the bot is in), which a change here
    leaves as they were: after they set their zone here, those that still follow another
    zone; with no ``zone``, after they turned reminders off here, all of them. Empty when
    there are none."""
    assert interaction.guild_id is not None
    found = await reviews.reminders_elsewhere(interaction.guild_id, interaction.user.id, zone)
    named = [
        (ui.server_link(guild.id, guild.name), r)
        for r in found
        if (guild := interaction.client.get_guild(r.guild_id)) is not None
    ]
    told = other_reminders_text if zone is None else other_zones_text
    return told(named, ui.CONTENT // 2)


async def reminders_off_note(reviews: ReviewService, guild_id: int, user_id: int) -> str:
    """Why the member's reminders were turned off (closed DMs, leaving the server), told at
    their next /review command and then forgotten; empty when there is nothing to tell."""
    settings = await reviews.store.review_settings(guild_id, user_id)
    if not settings.remind_off_reason:
        return ""
    await reviews.store.set_review_settings(guild_id, user_id, clear_reason=True)
    return (
        f"Your review reminders were turned off: {settings.remind_off_reason}. "
        "Turn them on again with /review remind."
    )


# -- buttons ---------------------------------------------------------------------------------


class ReviewShow(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"rv:show:(?P<s>\d+):(?P<q>\d+)"
):
    def __init__(self, session_id: int, question_id: int):
        super().__init__(
            discord.ui.Button(
                label="Reveal answer",
                style=discord.ButtonStyle.primary,
                custom_id=f"rv:show:{session_id}:{question_id}",
            )
        )
        self.session_id, self.question_id = session_id, question_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ReviewShow:
        return cls(int(match["s"]), int(match["q"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            reviews = service(interaction)
            try:
                question = await reviews.reveal(
                    self.session_id, interaction.user.id, self.question_id
                )
            except OptionGone as exc:
                await show_again(interaction, self.session_id, self.question_id)
                raise exc from None
            q = question.question
            embed = ui.answer_embed(
                question_id=question.id,
                prompt=q.prompt,
                key_points=q.key_points,
                answer=q.answer,
                verdict="How well did you remember it?",
            )
            view = discord.ui.View(timeout=None)
            for rating in Rating:
                view.add_item(ReviewGrade(self.session_id, self.question_id, rating))
            await interaction.response.edit_message(embed=embed, view=view)

        await handled(interaction, work)


class ReviewGrade(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rv:g:(?P<s>\d+):(?P<q>\d+):(?P<r>[1-4])",
):
    def __init__(self, session_id: int, question_id: int, rating: Rating):
        super().__init__(
            discord.ui.Button(
                label=rating.label,
                style=RATING_STYLE[rating],
                custom_id=f"rv:g:{session_id}:{question_id}:{int(rating)}",
            )
        )
        self.session_id, self.question_id, self.rating = session_id, question_id, rating

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ReviewGrade:
        return cls(int(match["s"]), int(match["q"]), Rating(int(match["r"])))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            reviews = service(interaction)
            try:
                result, question = await reviews.grade(
                    self.session_id,
                    interaction.user.id,
                    interaction.user.display_name,
                    self.question_id,
                    self.rating,
                )
            except OptionGone as exc:
                await show_again(interaction, self.session_id, self.question_id)
                raise exc from None
            note = await graded_footer(interaction, self.session_id, result, question)
            await next_screen(interaction, self.session_id, note)

        await handled(interaction, work)


class ReviewOption(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rv:mc:(?P<s>\d+):(?P<q>\d+):(?P<o>\d)(?::(?P<mark>[0-9a-f]{8}))?",
):
    """One option of a multiple-choice card; like the /quiz buttons, the custom_id carries
    a mark of the option's text (older buttons have none)."""

    def __init__(
        self,
        session_id: int,
        question_id: int,
        option: int,
        text: str = "",
        *,
        mark: str | None = None,
    ):
        letter = ui.OPTION_LETTERS[option] if option < len(ui.OPTION_LETTERS) else str(option + 1)
        if mark is None and text:
            mark = option_fingerprint(text)
        super().__init__(
            discord.ui.Button(
                label=ui.clip(f"{letter}. {text}" if text else letter, ui.BUTTON_LABEL),
                style=discord.ButtonStyle.secondary,
                custom_id=f"rv:mc:{session_id}:{question_id}:{option}"
                + (f":{mark}" if mark else ""),
            )
        )
        self.session_id, self.question_id, self.option = session_id, question_id, option
        self.mark = mark

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ReviewOption:
        return cls(int(match["s"]), int(match["q"]), int(match["o"]), mark=match["mark"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            reviews = service(interaction)
            try:
                result, question = await reviews.grade(
                    self.session_id,
                    interaction.user.id,
                    interaction.user.display_name,
                    self.question_id,
                    Rating.good,
                    option=self.option,
                    fingerprint=self.mark,
                )
            except OptionGone as exc:
                await show_again(interaction, self.session_id, self.question_id)
                raise exc from None
            q = question.question
            right = q.correct_index or 0
            right_text = f"**{ui.OPTION_LETTERS[right]}. {q.options[right].text}**"
            # The options give way to the answer: a wrong pick is named, as /quiz names it.
            chosen = result.option_index
            picked = (
                ui.chosen_option([o.text for o in q.options], chosen, result.option_text)
                if chosen is not None
                else "an option"
            )
            verdict = (
                f"✅ Right: {right_text}"
                if result.correct
                else f"❌ You chose {picked}; the answer is {right_text}"
            )
            embed = ui.answer_embed(
                question_id=question.id,
                prompt=q.prompt,
                key_points=q.key_points,
                answer=q.answer,
                verdict=verdict,
                footer=await graded_footer(
                    interaction, self.session_id, result, question, lead="Counts as"
                ),
            )
            view = discord.ui.View(timeout=None)
            view.add_item(ReviewNext(self.session_id))
            await interaction.response.edit_message(embed=embed, view=view)

        await handled(interaction, work)


class ReviewNext(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"rv:next:(?P<s>\d+)"):
    def __init__(self, session_id: int):
        super().__init__(
            discord.ui.Button(
                label="Next", style=discord.ButtonStyle.primary, custom_id=f"rv:next:{session_id}"
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ReviewNext:
        return cls(int(match["s"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            await service(interaction).session(self.session_id, interaction.user.id)
            await next_screen(interaction, self.session_id, "")

        await handled(interaction, work)


# -- the cog ---------------------------------------------------------------------------------


@app_commands.guild_only()
class ReviewGroup(
    app_commands.Group,
    name="review",
    description="Spaced repetition: review what you are about to forget.",
):
    def __init__(self, cog: Review):
        super().__init__()
        self.cog = cog

    @app_commands.command(
        name="start", description="Review your due cards, then new ones, privately."
    )
    @app_commands.describe(deck="Only this deck (default: every enabled deck)")
    async def start(self, interaction: discord.Interaction[Any], deck: str | None = None) -> None:
        assert interaction.guild_id is not None
        reviews = self.cog.reviews
        deck_id = None
        if deck:
            row = await self.cog.quiz_decks(interaction.guild_id, deck)
            deck_id = row
        note = await reminders_off_note(reviews, interaction.guild_id, interaction.user.id)
        session_id = await reviews.start(interaction.guild_id, interaction.user.id, deck_id)
        item = await reviews.next_item(session_id, interaction.user.id)
        if item is None:
            summary = await reviews.summary(session_id, interaction.user.id)
            await interaction.response.send_message(
                embed=summary_message(summary, reviews.store.clock.now(), note), ephemeral=True
            )
            return
        embed, view = item_message(item, note)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @start.autocomplete("deck")
    async def deck_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await deck_choices(
            self.cog.bot, interaction.guild_id or 0, current, enabled=True
        )

    @app_commands.command(
        name="status",
        description="Cards due now, today and in the next 7 days, and your estimated retention.",
    )
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        st = await self.cog.reviews.status(interaction.guild_id, interaction.user.id)
        retention = f"{round(100 * st.retention)}%" if st.retention is not None else "not known yet"
        # "Today" ends at midnight in the member's zone, which may be the server's.
        zone = day_zone(st.timezone, st.follows_server)
        text = (
            f"**Due now:** {grouped(st.due_now)}\n"
            f"**Due today:** {grouped(st.due_today)} (by midnight in {zone})\n"
            f"**Due in the next 7 days:** {grouped(st.due_week)}\n"
            f"**Cards:** {grouped(st.cards)} · **new cards left today:** {st.new_left_today}\n"
            f"**Estimated retention:** {retention}"
        )
        embed = ui.info_embed("Your reviews", text)
        note = await reminders_off_note(self.cog.reviews, interaction.guild_id, interaction.user.id)
        if note:
            embed.set_footer(text=ui.clip(note, ui.FOOTER))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="settings", description="Your daily new-card limit and time zone.")
    @app_commands.describe(
        new_per_day=f"New cards a day in /review, 0 to {NEW_PER_DAY_MAX} "
        f"(default {DEFAULT_NEW_PER_DAY})",
        timezone="Your IANA time zone for days and reminders, or `server` to follow the server's",
    )
    async def settings(
        self,
        interaction: discord.Interaction[Any],
        new_per_day: app_commands.Range[int, 0, NEW_PER_DAY_MAX] | None = None,
        timezone: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        store = self.cog.reviews.store
        if timezone is not None:
            zone = member_zone(timezone)
            await store.set_review_settings(
                interaction.guild_id, interaction.user.id, timezone=zone, follow_server=zone is None
            )
        if new_per_day is not None:
            await self.cog.reviews.set_new_per_day(
                interaction.guild_id, interaction.user.id, new_per_day
            )
        s = await store.review_settings(interaction.guild_id, interaction.user.id)
        remind = f"daily at {s.remind_time}" if s.remind_time else "off"
        shown = zone_label(s.timezone)
        zone = f"**{shown}** (the server's)" if s.follows_server else f"**{shown}**"
        note = await reminders_off_note(self.cog.reviews, interaction.guild_id, interaction.user.id)
        elsewhere = (
            await elsewhere_note(interaction, self.cog.reviews, s.timezone)
            if timezone is not None
            else ""
        )
        await interaction.response.send_message(
            f"New cards a day: **{s.new_per_day}** · time zone: {zone} · reminders: **{remind}**."
            + (f"\n{ui.name(note)}" if note else "")  # the reason may hold a server's name
            + (f"\n{elsewhere}" if elsewhere else ""),
            ephemeral=True,
        )

    @app_commands.command(name="remind", description="A daily DM when cards are due, or `off`.")
    @app_commands.describe(
        time="Local time HH:MM (24-hour), or off",
        timezone="Your IANA time zone, or `server` to follow the server's (default: your setting)",
    )
    async def remind(
        self, interaction: discord.Interaction[Any], time: str, timezone: str | None = None
    ) -> None:
        assert interaction.guild_id is not None
        store = self.cog.reviews.store
        off = time.strip().lower() == "off"
        try:
            at = None if off else format_time(parse_time(time))
        except ValueError as exc:
            # "stop", "none" or "disable" is someone turning reminders off: say the word that does
            raise UserError(f"{exc} To stop reminders, give `off` instead.") from None
        # A zone given with `off` is set all the same (as /review settings would).
        zone = member_zone(timezone) if timezone else None
        s = await store.set_review_settings(
            interaction.guild_id,
            interaction.user.id,
            remind_time=at,
            remind_off=off,
            timezone=zone,
            follow_server=timezone is not None and zone is None,
        )
        if off:
            zone_set = (
                f" Your review time zone here is **{zone_label(s.timezone)}**"
                + (" (the server's zone)." if s.follows_server else ".")
                if timezone is not None
                else ""
            )
            elsewhere = await elsewhere_note(interaction, self.cog.reviews)
            await interaction.response.send_message(
                "Review reminders from this server are off." + zone_set
                + (f"\n{elsewhere}" if elsewhere else ""),
                ephemeral=True,
            )
            return
        assert s.remind_next is not None
        # A next reminder already due (this time given again as it came, before the loop
        # sent it) goes at the loop's next round.
        check = (
            f"<t:{int(s.remind_next.timestamp())}:R>"
            if s.remind_next > store.clock.now()
            else "in a moment"
        )
        # as /review settings tells it: a zone the member follows moves with the server's
        whose = " (the server's zone)" if s.follows_server else ""
        elsewhere = (
            await elsewhere_note(interaction, self.cog.reviews, s.timezone)
            if timezone is not None
            else ""
        )
        await interaction.response.send_message(
            f"I'll DM you at **{at} {zone_label(s.timezone)}**{whose} on days when cards are "
            f"due (next check {check}). Keep your DMs open to Recall."
            + (f"\n{elsewhere}" if elsewhere else ""),
            ephemeral=True,
        )

    @settings.autocomplete("timezone")
    @remind.autocomplete("timezone")
    async def zone_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        server = (
            [app_commands.Choice(name="server (follow the server's time zone)", value=SERVER_ZONE)]
            if SERVER_ZONE.startswith(current.strip().lower())
            else []
        )
        return server + ui.zone_options(current, 25 - len(server))

    @app_commands.command(name="export", description="Download your cards as an Anki deck (.apkg).")
    async def export(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        # Discord's upload limit here, with room for the request around the file.
        limit = interaction.filesize_limit - 64 * 1024
        parts = await self.cog.reviews.export_apkg_parts(
            interaction.guild_id,
            interaction.user.id,
            interaction.guild.name if interaction.guild else "server",
            max_bytes=limit,
        )
        if len(parts) == 1:
            text = "Your Recall cards, with their tags. Import the file in Anki (File → Import)."
        else:
            text = (
                f"Your Recall cards, with their tags, in {len(parts)} files: too many for one "
                "file Discord takes. Import each in Anki (File → Import); they fill one deck."
            )
        await ui.send_files(interaction, text, parts, max_bytes=limit)


#: seconds a round of reminders under way as the bot stops may take to finish the one on
#: its way
UNLOAD_REMINDER_WITHIN = 3.0


class Review(commands.Cog):
    """Spaced repetition."""

    def __init__(self, bot: RecallBot):
        self.bot = bot
        self.reviews = ReviewService(bot.store)
        self.group = ReviewGroup(self)
        # Reminders delivered but not yet recorded (the database refused the write): they are
        # recorded at the next round, not sent again.
        self._delivered: set[tuple[int, int, datetime]] = set()
        #: the bot is stopping: a round of reminders ends after the one on its way
        self._stopping = False
        #: clear while the loop sends a round of reminders
        self._between_rounds = asyncio.Event()
        self._between_rounds.set()

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.group)
        self.bot.add_dynamic_items(ReviewShow, ReviewGrade, ReviewOption, ReviewNext)
        if self.bot.run_scheduler:
            self.reminder_loop.start()

    async def cog_unload(self) -> None:
        # A DM cut short on its way may reach the member all the same, unrecorded, and go
        # again at the next start: the round finishes the reminder under way and stops.
        self._stopping = True
        if not self._between_rounds.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._between_rounds.wait(), UNLOAD_REMINDER_WITHIN)
        self.reminder_loop.cancel()
        self.bot.remove_dynamic_items(ReviewShow, ReviewGrade, ReviewOption, ReviewNext)
        self.bot.tree.remove_command(self.group.name)

    async def quiz_decks(self, guild_id: int, text: str) -> int | None:
        from bot.quiz_service import QuizService

        row = await QuizService(self.bot.store, escape=ui.name).resolve_deck(
            guild_id, text, tags=False
        )
        return row.id if row else None

    @tasks.loop(seconds=30)
    async def reminder_loop(self) -> None:
        await self.bot.wait_until_ready()
        self._between_rounds.clear()
        try:
            await self.send_reminders()
        except Exception:
            # An exception leaving the loop would end it, and reminders with it, until a
            # restart: the round is logged and the next one tries again.
            log.exception("review reminders failed this round")
        finally:
            self._between_rounds.set()

    async def send_reminders(self) -> int:
        """DM every member whose reminder time has come and who has cards due; returns DMs sent.

        A reminder the database cannot record (read-only, full, locked) is logged and left
        due; one already delivered is then recorded at a later round, not sent again."""
        store = self.reviews.store
        now = store.clock.now()
        sent = 0
        for reminder in await store.reminders_due(now):
            if self._stopping:
                break
            try:
                sent += await self._send_reminder(reminder, now)
            except StoreError as exc:
                log.error(
                    "reminder for %s in %s could not be recorded: %s",
                    reminder.user_id,
                    reminder.guild_id,
                    exc,
                )
            except Exception:
                # One member's reminder failing (a stored zone that no longer loads, ...) does
                # not hold up the others'.
                log.exception("reminder for %s in %s failed", reminder.user_id, reminder.guild_id)
        return sent

    async def _send_reminder(self, reminder: Reminder, now: datetime) -> int:
        store = self.reviews.store
        key = (reminder.guild_id, reminder.user_id, reminder.due_at)
        delivered = 0
        if key not in self._delivered:
            # None: missed, its own time (a retry's too) passed over an hour ago, the bot
            # being down, and no later day's time came within the hour either.
            slot = reminder_to_send(
                reminder.remind_time, reminder.timezone, reminder.due_at, now
            )
            if slot is None:
                log.info(
                    "reminder for %s in %s missed while down; skipped",
                    reminder.user_id,
                    reminder.guild_id,
                )
                await store.reminder_done(reminder, now)
                return 0
            try:
                delivered = await self._remind(reminder, now)
            except PASSING_TROUBLE as exc:
                # Discord or the database failing for a moment: the day's reminder is tried
                # again a few minutes later, within the hour after its time.
                retry = reminder_retry_at(slot, now)
                log.warning(
                    "reminder for %s in %s failed (%s: %s); %s",
                    reminder.user_id,
                    reminder.guild_id,
                    type(exc).__name__,
                    exc,
                    f"trying again at {retry:%H:%M} UTC" if retry else "none more today",
                )
                if retry is not None:
                    await store.reminder_retry(reminder, retry)
                    return 0
            except Exception:
                log.exception("reminder for %s in %s failed", reminder.user_id, reminder.guild_id)
            if delivered:
                self._delivered.add(key)
        await store.reminder_done(reminder, now)
        self._delivered.discard(key)
        return delivered

    async def _remind(self, reminder: Reminder, now: Any) -> int:
        store = self.reviews.store
        guild = self.bot.get_guild(reminder.guild_id)
        if guild is None:
            # Once the client is ready (the loop waits for it), every server the bot is in
            # is known, an unavailable one too: it was removed from this one, or the server
            # deleted. No DM sends the member there; their reminders stay on for when it is
            # back.
            log.info(
                "reminder for %s in %s not sent: the bot is not in that server",
                reminder.user_id,
                reminder.guild_id,
            )
            return 0
        due = await self.reviews.due_today(
            reminder.guild_id, reminder.user_id, reminder.timezone, now
        )
        if not due.counts:
            return 0
        if guild.unavailable:
            # No DM sends the member to a server nobody can use now: tried again a few
            # minutes later, as when Discord fails the DM.
            raise ServerOutage(ui.OUTAGE)
        everything = await store.decks_for_guild(reminder.guild_id, include_disabled=True)
        try:
            await guild.fetch_member(reminder.user_id)
        except discord.NotFound:
            # They left the server: no DM sends them back to a server they are not in.
            await store.set_review_settings(
                reminder.guild_id,
                reminder.user_id,
                remind_off=True,
                off_reason=f"you left {guild.name}",  # shown in a footer, as typed
            )
            log.info("reminders off for %s: left %s", reminder.user_id, reminder.guild_id)
            return 0
        except ui.DISCORD_TROUBLE as exc:
            # Discord could not say (a 5xx, the network): not a sign they left, so the
            # day's reminder goes as before the check.
            log.warning("could not check that %s is in %s: %s", reminder.user_id,
                        reminder.guild_id, exc)
        where = f" on {ui.server_link(guild.id, guild.name)}"
        zone = day_zone(reminder.timezone, reminder.follows_server)
        # The decks are named as far as Discord's limit leaves room, the rest counted.
        decks = due_by_deck(
            due.counts,
            {d.id: deck_key(d, everything) for d in everything},
            escape=ui.name,
            limit=ui.CONTENT - len(reminder_text(due, where, "", zone)),
        )
        text = reminder_text(due, where, decks, zone)
        try:
            channel = await self.bot.create_dm(discord.Object(id=reminder.user_id))
            await channel.send(ui.clip(text, ui.CONTENT))
        except discord.Forbidden:
            await store.set_review_settings(
                reminder.guild_id,
                reminder.user_id,
                remind_off=True,
                off_reason="your DMs are closed to Recall, so the reminder could not be delivered",
            )
            log.info("reminders off for %s: DMs closed", reminder.user_id)
            return 0
        return 1


async def setup(bot: RecallBot) -> None:
    await bot.add_cog(Review(bot))
