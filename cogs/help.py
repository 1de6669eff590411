"""/help: what Recall can do, generated from the commands themselves so it is always true."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import RecallBot
from cogs.ui import FIELD_VALUE, clip, info_embed

ABOUT = (
    "Recall helps a study group learn together: a question of the day, quizzes anyone can "
    "play along with, leaderboards, and spaced repetition that brings back what each member "
    "is about to forget."
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


class Help(commands.Cog):
    def __init__(self, bot: RecallBot):
        self.bot = bot

    @app_commands.command(name="help", description="What Recall can do and how to use it.")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        embed = info_embed("Recall", ABOUT)
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
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: RecallBot) -> None:
    await bot.add_cog(Help(bot))
