"""/stats: one member's points, ranks, streak, grades and tags, with a picture of 12 weeks."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import RecallBot
from bot.errors import UserError
from bot.leaderboard import month_key, qotd_streak, recent_weeks, season_key, week_key
from bot.quiz import Rating
from bot.schedule import local_day, zone_label
from bot.stats import render_weeks_png, tag_strengths
from bot.store import ShownMessage, Standing, StoreError
from bot.text import count, grouped, percent, plural
from cogs import ui
from cogs.checks import shown_only_to_you
from cogs.leaderboard import escape, points_text, redraw_shown, remember_shown

log = logging.getLogger(__name__)

CHART_NAME = "weeks.png"


def standing_text(label: str, standing: Standing | None) -> str:
    if standing is None:
        return f"{label}: **0**"
    rank = "" if standing.rank is None else f" (#{grouped(standing.rank)})"
    return f"{label}: **{grouped(standing.points)}**{rank}"


class Stats(commands.Cog):
    def __init__(self, bot: RecallBot):
        self.bot = bot

    @app_commands.command(
        name="stats",
        description="Points, ranks, streak, grades and tags of a member (default: you).",
    )
    @app_commands.guild_only()
    @app_commands.describe(member="Whose stats to show (default: yours)")
    async def stats(
        self, interaction: discord.Interaction[Any], member: discord.User | None = None
    ) -> None:
        assert interaction.guild_id is not None
        guild_id = interaction.guild_id
        store = self.bot.store
        target = member or interaction.user
        own = target.id == interaction.user.id
        hidden = await store.member_hidden(guild_id, target.id)
        name = escape(await store.member_name(guild_id, target.id) or target.display_name)
        if target.bot:
            raise UserError(f"{name} is a bot: bots don't answer questions, so they have no stats.")
        if hidden and not own:
            raise UserError(f"{name} keeps their stats private in this server.")
        if not await store.has_answered(guild_id, target.id):
            # Nothing to show: said to the asker alone, not posted about a member.
            text = (
                "You have not answered any questions in this server yet. `/quiz` asks one now."
                if own
                else f"{name} has not answered any questions in this server yet."
            )
            await interaction.response.send_message(
                embed=ui.info_embed(f"Stats: {name}", text), ephemeral=True
            )
            return
        # Where Recall can't see, stats posted could not be taken down if the member hides
        # later: the asker gets them privately, and why.
        unseen = not interaction.app_permissions.view_channel
        note = shown_only_to_you(interaction.channel_id, "stats", "stats") if unseen else None
        # The rest reads the member's standings and draws a picture: answer at once, fill
        # the answer in after, so a busy bot does not miss Discord's 3 seconds.
        await interaction.response.defer(ephemeral=hidden or unseen, thinking=True)
        try:
            await self._fill_in(interaction, target.id, name, hidden, note)
        except Exception:
            if not (hidden or unseen):
                # The "thinking" message is public: it goes, so that the error is told
                # privately (a followup would otherwise fill it in for everyone to see).
                with contextlib.suppress(discord.HTTPException):
                    await interaction.delete_original_response()
            raise

    async def _fill_in(
        self,
        interaction: discord.Interaction[Any],
        user_id: int,
        name: str,
        hidden: bool,
        note: str | None,
    ) -> None:
        """Fill in the deferred reply; ``note`` (why it came privately) goes above it, and a
        reply with one is not in the channel."""
        assert interaction.guild_id is not None
        guild_id = interaction.guild_id
        store = self.bot.store
        activity = await store.activity(guild_id, user_id)
        settings = await store.settings_for(guild_id)
        season = await store.current_season(guild_id)
        today = local_day(self.bot.clock.now(), settings.zone)
        periods = [
            ("This week", week_key(today)),
            ("This month", month_key(today)),
            ("All time", "all"),
        ]
        if season.number > 1:
            periods.append((f"Season {season.number}", season_key(season.number)))
        lines = [
            standing_text(label, await store.standing(guild_id, "all", key, user_id))
            for label, key in periods
        ]
        if hidden:
            lines.append("*Hidden from the boards: ranks are not shown.*")

        record = await store.qotd_record(guild_id, user_id)
        streak = qotd_streak(record.days, record.answered, open_days=record.open_days)
        strongest, weakest = tag_strengths(activity.tag_results)

        embed = ui.info_embed(f"Stats: {name}")
        embed.add_field(name="Points", value="\n".join(lines), inline=True)
        embed.add_field(
            name="QOTD streak",
            value=f"Current: **{grouped(streak.current)}**\nBest: **{grouped(streak.best)}**"
            if record.days
            else "No question of the day posted here yet.",
            inline=True,
        )
        answers = f"**{grouped(activity.answered)}** {plural(activity.answered, 'answer')}"
        questions = (
            f"**{grouped(activity.questions)}** different "
            f"{plural(activity.questions, 'question')}"
        )
        embed.add_field(name="Answered", value=f"{answers}\n{questions}", inline=True)
        spread = (
            " · ".join(
                f"{rating.label} {grouped(activity.self_grades.get(int(rating), 0))}" for rating in Rating
            )
            if any(activity.self_grades.values())
            else "No self-graded answers yet."
        )
        embed.add_field(name="Self-grades", value=spread, inline=False)
        if activity.mc_total:
            share = percent(activity.mc_right, activity.mc_total)
            mc = f"**{share}%** right ({grouped(activity.mc_right)} of {grouped(activity.mc_total)})"
        else:
            mc = "No multiple-choice answers yet."
        embed.add_field(name="Multiple choice", value=mc, inline=False)

        def tag_lines(items: list[Any]) -> str:
            return ui.clip(
                "\n".join(
                    f"`{t.tag}` {percent(t.successes, t.attempts)}% of {count(t.attempts, 'answer')} "
                    "went well"
                    for t in items
                ),
                ui.FIELD_VALUE,
            )

        if strongest or weakest:
            embed.add_field(name="Strongest tags", value=tag_lines(strongest) or "—", inline=True)
            embed.add_field(name="Weakest tags", value=tag_lines(weakest) or "—", inline=True)
        else:
            embed.add_field(
                name="Tags", value="Answer a tag twice or more to see it here.", inline=False
            )

        mondays = recent_weeks(today, 12)
        weekly = await store.weekly_points(guild_id, user_id, [week_key(m) for m in mondays])
        series = [(m, weekly.get(week_key(m), 0)) for m in mondays]
        # The zone as /settings timezone names it: Etc/GMT+2 is UTC-2.
        title = f"Points a week, last 12 weeks ({zone_label(settings.timezone)})"
        png = await asyncio.to_thread(render_weeks_png, series, title)
        embed.set_image(url=f"attachment://{CHART_NAME}")
        embed.set_footer(text=f"{points_text(sum(p for _, p in series))} in the last 12 weeks")
        message = await interaction.edit_original_response(
            content=note,
            embed=embed,
            attachments=[discord.File(io.BytesIO(png), filename=CHART_NAME)],
        )
        if not hidden and note is None and interaction.channel_id:
            # In the channel for all to see: taken down if the member hides or erases later.
            await remember_shown(
                self.bot,
                ShownMessage(message.id, guild_id, interaction.channel_id, "stats", user_id),
                frozenset({user_id}),
            )
            try:
                erased = not await store.has_answered(guild_id, user_id)
                if erased:
                    # Erased while they were drawn: the erase found no stats of theirs to
                    # take down, and these show what it erased.
                    await store.mark_shown(message.id)
            except StoreError as exc:
                # Logged, not shown, as a failure to note them is: the stats went up.
                log.warning("could not check stats %s against an erase: %s", message.id, exc)
            else:
                if erased:
                    redraw_shown(self.bot)


async def setup(bot: RecallBot) -> None:
    await bot.add_cog(Stats(bot))
