"""/help: what Recall can do, generated from the commands themselves so it is always true."""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import RecallBot
from bot.guild_settings import ScoringRules
from bot.schedule import zone_label
from bot.text import grouped, plural
from cogs.ui import FIELD_VALUE, clip, info_embed

ABOUT = (
    "Recall helps a study group learn together: a question of the day, quizzes anyone can "
    "play along with, leaderboards, and spaced repetition that brings back what each member "
    "is about to forget."
)

#: /help's first field, before the list of commands: what to do first in a new server
START_HERE = (
    "• Anyone: `/quiz` asks a question in this channel now, from the built-in decks; "
    "`/review start` brings back, privately, what you are about to forget; "
    "`/leaderboard show` and `/stats` show the points.\n"
    "• Moderators (Manage Server, or the role set with `/settings mod-role`): "
    "`/settings timezone` sets the zone the server's days and weeks follow, and the zone "
    "`/qotd setup` takes when given none, so set it first; `/qotd setup` then posts a "
    "question of the day in a channel at a time you choose."
)
#: the same in a DM, where Discord offers no command but /help (the others are guild-only)
START_HERE_DM = (
    "In a DM only `/help` works: the other commands are used in a server Recall is in. "
    "There, `/quiz` asks a question at once from the built-in decks, and a moderator sets up "
    "a question of the day with `/qotd setup`."
)

#: the foot of /help's command list: where its other topic is
SCORING_POINTER = "How points are earned, and this server's values: /help topic:scoring"
#: the same in a DM, where there is no server and so no server's values
SCORING_POINTER_DM = "How points are earned: /help topic:scoring (in a server, with its values)"
#: under the scoring rules in a DM: the values shown are not any server's
DEFAULTS_NOTE = (
    "\n\n*These are Recall's default values; a server's moderators may change them. "
    "`/help topic:scoring` in a server shows that server's.*"
)


def command_lines(tree: app_commands.CommandTree[Any]) -> list[tuple[str, str]]:
    """Every slash command and subcommand with its description, in a stable order."""
    lines: list[tuple[str, str]] = []

    def walk(cmd: app_commands.Command[Any, ..., Any] | app_commands.Group) -> None:
        if isinstance(cmd, app_commands.Group):
            for sub in sorted(cmd.commands, key=lambda c: c.name):
                walk(sub)
        else:
            lines.append((f"/{cmd.qualified_name}", cmd.description))

    for cmd in sorted(
        tree.get_commands(type=discord.AppCommandType.chat_input), key=lambda c: c.name
    ):
        if isinstance(cmd, app_commands.Command | app_commands.Group):
            walk(cmd)
    return lines


def scoring_text(rules: ScoringRules, zone: str | None = None) -> str:
    """How points work here, with this server's values (and, given, the time zone its days
    follow)."""
    days = "days follow the server's time zone" + (f", {zone_label(zone)}" if zone else "")
    return (
        "**Quiz** (`/quiz`)\n"
        f"• Self-graded answer (Again, Hard, Good or Easy): **{rules.quiz_self}** "
        f"{plural(rules.quiz_self, 'point')}. Every "
        "self-grade earns the same, so grading honestly costs nothing.\n"
        f"• Multiple choice: **{rules.quiz_right}** right, **{rules.quiz_wrong}** wrong.\n"
        f"• At most **{grouped(rules.quiz_daily_cap)}** quiz {plural(rules.quiz_daily_cap, 'point')} a day.\n\n"
        "**Question of the day**\n"
        f"• Self-graded: **{rules.qotd_self}**; multiple choice: **{rules.qotd_right}** right, "
        f"**{rules.qotd_wrong}** wrong. Not capped.\n"
        "• Once a question of the day has closed (its answer is public), answering it no longer "
        "scores; the grade still counts for your reviews.\n\n"
        "**Rules**\n"
        f"• A question scores at most once a day for you ({days}): your first answer "
        "to it that day that can score does, even if the daily cap leaves it no points. Grades in `/review` and answers to a closed question of the day "
        "do not use up that chance; later answers are kept for your stats and reviews.\n"
        "• A second click on the same question never scores twice.\n"
        "• Grades in `/review` earn no points.\n"
        "• On leaderboards, members with the same points are ranked by who reached them first.\n"
        "• Moderators change these values with `/settings scoring`."
    )


class Help(commands.Cog):
    def __init__(self, bot: RecallBot):
        self.bot = bot

    @app_commands.command(name="help", description="What Recall can do and how to use it.")
    @app_commands.describe(topic="What to explain (default: every command)")
    async def help(
        self,
        interaction: discord.Interaction[Any],
        topic: Literal["commands", "scoring"] = "commands",
    ) -> None:
        if topic == "scoring":
            if interaction.guild_id:
                settings = await self.bot.store.settings_for(interaction.guild_id)
                text = scoring_text(settings.scoring, settings.timezone)
            else:
                text = scoring_text(ScoringRules()) + DEFAULTS_NOTE
            await interaction.response.send_message(
                embed=info_embed("How scoring works", text), ephemeral=True
            )
            return
        embed = info_embed("Recall", ABOUT)
        start = START_HERE if interaction.guild_id else START_HERE_DM
        embed.add_field(name="Start here", value=start, inline=False)
        chunk: list[str] = []
        size = 0
        part = 1
        for name, description in command_lines(self.bot.tree):
            line = f"`{name}` — {description}"
            if size + len(line) + 1 > FIELD_VALUE:
                embed.add_field(
                    name="Commands" if part == 1 else "More commands",
                    value="\n".join(chunk),
                    inline=False,
                )
                part += 1
                chunk, size = [], 0
            chunk.append(clip(line, FIELD_VALUE))
            size += len(line) + 1
        if chunk:
            embed.add_field(
                name="Commands" if part == 1 else "More commands",
                value="\n".join(chunk),
                inline=False,
            )
        # The other topic is otherwise found only by opening the command's options.
        embed.set_footer(text=SCORING_POINTER if interaction.guild_id else SCORING_POINTER_DM)
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: RecallBot) -> None:
    await bot.add_cog(Help(bot))
