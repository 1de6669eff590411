"""Every slash command, subcommand and option carries its own help text (what /help and
Discord's command picker show), and /help's topics are the ones the README names."""

from __future__ import annotations

import typing

from discord import app_commands

from bot.client import RecallBot
from bot.config import Settings
from cogs.help import Help

#: what discord.py shows for a command or option given no description
PLACEHOLDER = "…"


async def test_every_command_and_option_has_a_description(tmp_path):
    bot = RecallBot(Settings(_env_file=None, database=tmp_path / "r.sqlite3"), None)  # type: ignore[arg-type]
    await bot.setup_hook()
    missing: list[str] = []

    def walk(cmd: app_commands.Command | app_commands.Group) -> None:
        if not cmd.description.strip() or cmd.description == PLACEHOLDER:
            missing.append(f"/{cmd.qualified_name}")
        if isinstance(cmd, app_commands.Group):
            for sub in cmd.commands:
                walk(sub)
            return
        for param in cmd.parameters:
            if not param.description.strip() or param.description == PLACEHOLDER:
                missing.append(f"/{cmd.qualified_name} {param.name}")

    commands = bot.tree.get_commands()
    assert commands
    for cmd in commands:
        assert isinstance(cmd, app_commands.Command | app_commands.Group)
        walk(cmd)
    assert missing == []
    await bot.close()


def test_help_topics_are_commands_and_scoring():
    topic = typing.get_type_hints(Help.help.callback)["topic"]
    assert typing.get_args(topic) == ("commands", "scoring")
