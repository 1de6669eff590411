"""/privacy: leave the boards, come back, or erase your data in this server."""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import RecallBot
from bot.errors import UserError
from bot.store import Store
from bot.text import count
from cogs import ui
from cogs.leaderboard import CancelButton, redraw_shown
from cogs.quiz import Quiz, handled
from cogs.suggest import clear_review_posts

log = logging.getLogger("cogs.privacy")

NOTHING_TO_ERASE = "Recall holds nothing of yours in this server: there is nothing to erase."


class EraseButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pv:erase:(?P<guild>\d+):(?P<user>\d+)",
):
    def __init__(self, guild_id: int, user_id: int):
        super().__init__(
            discord.ui.Button(
                label="Erase my data",
                style=discord.ButtonStyle.danger,
                custom_id=f"pv:erase:{guild_id}:{user_id}",
            )
        )
        self.guild_id = guild_id
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> EraseButton:
        return cls(int(match["guild"]), int(match["user"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            if interaction.user.id != self.user_id or interaction.guild_id != self.guild_id:
                raise UserError("Only the member whose data this is can confirm erasing it.")
            store: Store = interaction.client.store
            # Erasing grows with what the member has here: answered first, so that a long
            # erase is not refused by Discord's 3 s; its outcome then replaces the message.
            await interaction.response.defer()
            erased = await store.erase_member(self.guild_id, self.user_id)
            if erased.rows == 0:
                # Clicked twice, or a second confirmation: the first erase did the work and
                # its message stays as it is.
                raise UserError(NOTHING_TO_ERASE)
            # The erase is saved: what still shows them is drawn again now, whether or not
            # Discord takes the confirmation below (started after it, a failed edit left
            # them shown until the bot restarted).
            # The messages of their public quiz posts still say "Asked by" them, and those
            # of open posts they answered count them: redraw them from the database, which
            # no longer has either (a post nobody clicked yet has its message looked for; one
            # in a thread archived since is edited by reopening the thread for the edit).
            quiz = interaction.client.get_cog("Quiz")
            if isinstance(quiz, Quiz):
                for post_id in erased.shown_posts:
                    quiz.redraw(post_id, find=True, reopen=True)
            # Boards and /stats in channels that name them are drawn again without them.
            redraw_shown(interaction.client)
            # Their suggestions' review posts show their mention and what they suggested.
            if erased.suggestion_posts:
                interaction.client.spawn(
                    clear_review_posts(interaction.client, erased.suggestion_posts),
                    name=f"erase-suggestions-{self.guild_id}-{self.user_id}",
                )
            grades = count(erased.attempts, "grade")
            await confirm_erased(
                interaction,
                ui.info_embed(
                    "Your data in this server is erased",
                    f"{grades}, every point you had here, your review cards and your "
                    "suggestions are gone, and you are off every board. Quiz posts you started stay for the members who answered them, "
                    "without your name. If you answer again, you start afresh"
                    + (
                        ", and stay hidden from the boards (`/privacy show` puts you back)."
                        if erased.hidden
                        else "."
                    ),
                    colour=ui.OK,
                ),
            )

        await handled(interaction, work)


async def confirm_erased(interaction: discord.Interaction[Any], done: discord.Embed) -> None:
    """Show the member that their erase, saved already, is done: in place of the question
    it answers, else, should Discord fail that edit, in a message of its own. Discord's
    failure is logged, never answered with an error: the erase did not fail, and trying it
    again would find nothing to erase."""
    who = f"member {interaction.user.id}'s data in server {interaction.guild_id} is erased"
    try:
        await interaction.edit_original_response(embed=done, view=None)
        return
    except ui.DISCORD_TROUBLE as exc:
        edit_failed = _failure(exc)
    try:
        await interaction.followup.send(embed=done, ephemeral=True)
    except ui.DISCORD_TROUBLE as exc:
        log.warning(
            "%s, but no confirmation reached them: Discord failed to edit it in (%s), "
            "then to send it (%s)", who, edit_failed, _failure(exc),
        )
    else:
        log.warning(
            "%s; its confirmation was sent as a new message, Discord having failed to "
            "edit it in (%s)", who, edit_failed,
        )


def _failure(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class PrivacyGroup(app_commands.Group):
    def __init__(self, bot: RecallBot):
        super().__init__(
            name="privacy",
            description="Your data here: leave the boards, come back, or erase it.",
            guild_only=True,
        )
        self.bot = bot

    @app_commands.command(
        name="hide",
        description="Leave this server's leaderboards and keep your /stats to yourself (points still count).",
    )
    async def hide(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        changed = await self.bot.store.set_hidden(
            interaction.guild_id, interaction.user.id, interaction.user.display_name, True
        )
        if changed:
            # Boards and /stats already in channels are drawn again without them.
            redraw_shown(self.bot)
        text = (
            "You are off this server's leaderboards, and others can't see your `/stats`; "
            "boards and stats of yours already posted here are drawn again without you. "
            "Your points still count; `/privacy show` puts you back."
            if changed
            else "You were already hidden from the leaderboards. `/privacy show` puts you back."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(
        name="show",
        description="Put yourself back on this server's leaderboards and let others see your /stats.",
    )
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        changed = await self.bot.store.set_hidden(
            interaction.guild_id, interaction.user.id, interaction.user.display_name, False
        )
        text = (
            "You are back on this server's leaderboards."
            if changed
            else "You are not hidden: you are on the leaderboards whenever you have points."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(
        name="delete",
        description="Erase your grades, points, review cards and settings, suggestions and name here (asks first).",
    )
    async def delete(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        store: Store = interaction.client.store
        if not await store.holds_member_data(interaction.guild_id, interaction.user.id):
            raise UserError(NOTHING_TO_ERASE)
        view = discord.ui.View(timeout=None)
        view.add_item(EraseButton(interaction.guild_id, interaction.user.id))
        view.add_item(CancelButton(interaction.user.id))
        await interaction.response.send_message(
            embed=ui.info_embed(
                "Erase your data in this server?",
                "This deletes every grade you gave here, your points on every board and "
                "season, your QOTD streak, your review cards (what `/review` would ask you "
                "next and when), review settings and reminders, your suggestions (waiting "
                "ones are withdrawn), your question-import previews and the name Recall "
                "knows you by; leaderboards and `/stats` already posted here are drawn again "
                "without you. Decks, schedules and seasons you set up as a moderator, and "
                "suggestions you decided, stay for the server without your id. It can't be "
                "undone. Other servers are not touched.",
                colour=ui.WARN,
            ),
            view=view,
            ephemeral=True,
        )


class Privacy(commands.Cog):
    def __init__(self, bot: RecallBot):
        self.bot = bot
        self.group = PrivacyGroup(bot)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.group)
        self.bot.add_dynamic_items(EraseButton)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.group.name)
        self.bot.remove_dynamic_items(EraseButton)


async def setup(bot: RecallBot) -> None:
    await bot.add_cog(Privacy(bot))
