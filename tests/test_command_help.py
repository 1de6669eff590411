"""Every slash command, subcommand and option carries its own help text (what /help and
Discord's command picker show), and /help's topics are the ones the README names."""

from __future__ import annotations

import typing

import pytest
from discord import app_commands

from bot.client import RecallBot
from bot.config import Settings
from bot.errors import UserError
from bot.guild_settings import ScoringRules
from bot.importers import IMPORT_MAX_BYTES, IMPORT_MAX_QUESTIONS
from bot.leaderboard import PAGE_SIZE as BOARD_PAGE
from bot.qotd import ANSWER_AFTER_MAX_DAYS, parse_answer_after
from bot.questions import DECK_DESCRIPTION_MAX, DECK_NAME_MAX
from bot.quiz import Source, award
from bot.srs import DEFAULT_NEW_PER_DAY, NEW_PER_DAY_MAX
from cogs.checks import moderator_check
from cogs.help import Help, command_lines, scoring_text
from cogs.questions import PAGE_SIZE as QUESTION_PAGE
from cogs.suggest import PENDING_CAP

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


async def help_lines(tmp_path) -> dict[str, str]:
    """What /help lists: each command's name and its line."""
    bot = RecallBot(Settings(_env_file=None, database=tmp_path / "r.sqlite3"), None)  # type: ignore[arg-type]
    await bot.setup_hook()
    try:
        return dict(command_lines(bot.tree))
    finally:
        await bot.close()


def leaf_commands(bot: RecallBot):
    """(command, its top-level group or None) for every command members can run."""
    for top in bot.tree.get_commands():
        if isinstance(top, app_commands.Group):
            stack: list[app_commands.Command | app_commands.Group] = list(top.commands)
            while stack:
                cmd = stack.pop()
                if isinstance(cmd, app_commands.Group):
                    stack.extend(cmd.commands)
                else:
                    yield cmd, top
        elif isinstance(top, app_commands.Command):
            yield top, None


async def test_help_marks_every_moderator_command(tmp_path):
    """A command only moderators may run says so in /help, whether the check is on the
    command or on its group (/qotd, /settings)."""
    bot = RecallBot(Settings(_env_file=None, database=tmp_path / "r.sqlite3"), None)  # type: ignore[arg-type]
    await bot.setup_hook()
    lines = dict(command_lines(bot.tree))
    gated = []
    for cmd, group in leaf_commands(bot):
        group_gated = group is not None and (
            type(group).interaction_check is not app_commands.Group.interaction_check
            or (group.default_permissions is not None and group.default_permissions.manage_guild)
        )
        if moderator_check in cmd.checks or group_gated:
            gated.append(f"/{cmd.qualified_name}")
    await bot.close()
    assert {
        "/qotd setup",
        "/settings timezone",
        "/question add",
        "/deck create",
        "/deck edit",
        "/question restore",
    } <= set(gated)
    unmarked = [name for name in gated if not lines[name].startswith("Moderators:")]
    assert unmarked == []
    # and no command anyone may run is marked as a moderator's
    assert all(not d.startswith("Moderators:") for n, d in lines.items() if n not in gated)


async def test_help_numbers_come_from_the_code(tmp_path):
    lines = await help_lines(tmp_path)
    assert f"{BOARD_PAGE} members a page" in lines["/leaderboard show"]
    assert f"{QUESTION_PAGE} a page" in lines["/question list"]
    assert (
        f"up to {IMPORT_MAX_QUESTIONS} questions ({IMPORT_MAX_BYTES // 2**20} MiB)"
        in lines["/question import"]
    )
    assert f"At most {PENDING_CAP} of yours wait at once." in lines["/suggest question"]


async def test_help_says_what_privacy_commands_change(tmp_path):
    lines = await help_lines(tmp_path)
    assert "keep your /stats to yourself (points still count)" in lines["/privacy hide"]
    assert "let others see your /stats" in lines["/privacy show"]
    erase = lines["/privacy delete"]
    for what in ("grades", "points", "review cards and settings", "suggestions", "name"):
        assert what in erase


async def test_option_limits_in_descriptions_match_the_code(tmp_path):
    bot = RecallBot(Settings(_env_file=None, database=tmp_path / "r.sqlite3"), None)  # type: ignore[arg-type]
    await bot.setup_hook()
    commands = {f"/{c.qualified_name}": c for c, _ in leaf_commands(bot)}
    await bot.close()
    [per_day] = [p for p in commands["/review settings"].parameters if p.name == "new_per_day"]
    assert per_day.description == (
        f"New cards a day in /review, 0 to {NEW_PER_DAY_MAX} (default {DEFAULT_NEW_PER_DAY})"
    )
    assert per_day.max_value == NEW_PER_DAY_MAX
    for command in ("/qotd setup", "/qotd edit"):
        [after] = [p for p in commands[command].parameters if p.name == "answer_after"]
        assert after.description.endswith(f"(at most {ANSWER_AFTER_MAX_DAYS} days)")
    with pytest.raises(UserError, match=f"and {ANSWER_AFTER_MAX_DAYS} days"):
        parse_answer_after(f"{ANSWER_AFTER_MAX_DAYS + 1}d")
    assert parse_answer_after(f"{ANSWER_AFTER_MAX_DAYS}d") == ANSWER_AFTER_MAX_DAYS * 1440
    name, description = commands["/deck create"].parameters
    assert (name.max_value, description.max_value) == (DECK_NAME_MAX, DECK_DESCRIPTION_MAX)
    edit = {p.name: p for p in commands["/deck edit"].parameters}
    assert (edit["name"].max_value, edit["description"].max_value) == (
        DECK_NAME_MAX,
        DECK_DESCRIPTION_MAX,
    )
    assert not edit["name"].required and not edit["description"].required


def test_scoring_topic_says_reviews_do_not_score():
    text = scoring_text(ScoringRules())
    assert "• Grades in `/review` earn no points." in text
    assert award(
        ScoringRules(),
        Source.REVIEW,
        multiple_choice=False,
        correct=True,
        already_scored_today=False,
        quiz_points_today=0,
    ).points == 0
