"""/deck: list and describe decks; moderators create, edit, remove, enable and disable them.

Built-in decks are shared by every server and read-only, but each server may switch one
off. Removing a custom deck marks it removed after a confirm button; its questions and their
history stay in the database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bank import BUILTIN_DECK_FIXED, check_deck_edit, check_deck_name, deck_key
from bot.client import RecallBot
from bot.errors import NamedError, UserError
from bot.leaderboard import clamp_page, page_count
from bot.questions import DECK_DESCRIPTION_MAX, DECK_NAME_MAX
from bot.store import DeckEdit, DeckRow
from bot.text import count, grouped
from cogs import ui
from cogs.checks import ensure_moderator, moderator_only
from cogs.questions import bank, give_back_option
from cogs.quiz import deck_choices, handled

#: decks a page of /deck list: 15 of the longest lines (a name of Markdown marks, each
#: escaped) still fit one embed
LIST_PAGE = 15


def deck_line(d: DeckRow, decks: Sequence[DeckRow]) -> str:
    kind = "built-in" if d.builtin else "custom"
    state = "" if d.enabled else " · **off**"
    return (
        f"**{ui.name(d.name)}** (`{deck_key(d, decks)}`) · {count(d.questions, 'question')} · "
        f"{kind}{state}"
    )


class RemoveDeckButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rb:drm:(?P<action>ok|no):(?P<deck>\d+):(?P<user>\d+)",
):
    def __init__(self, deck_id: int, user_id: int, *, accept: bool):
        super().__init__(
            discord.ui.Button(
                label="Remove deck" if accept else "Keep it",
                style=discord.ButtonStyle.danger if accept else discord.ButtonStyle.secondary,
                custom_id=f"rb:drm:{'ok' if accept else 'no'}:{deck_id}:{user_id}",
            )
        )
        self.deck_id = deck_id
        self.user_id = user_id
        self.accept = accept

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RemoveDeckButton:
        return cls(int(match["deck"]), int(match["user"]), accept=match["action"] == "ok")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            if interaction.user.id != self.user_id:
                raise UserError("Only the moderator who asked to remove this deck can confirm.")
            await ensure_moderator(interaction)
            if not self.accept:
                await interaction.response.edit_message(
                    embed=ui.info_embed("Kept", "Nothing was changed."), view=None
                )
                return
            store = bank(interaction).store
            guild_id = interaction.guild_id or 0
            deck = await store.deck_for_guild(guild_id, self.deck_id)
            if deck is None:
                raise UserError("That deck was already removed.")
            # Answered before the write, which may wait for others: Discord allows 3 s.
            await interaction.response.defer()
            if not await store.remove_deck(guild_id, self.deck_id):
                raise UserError("That deck was already removed.")
            await interaction.edit_original_response(
                embed=ui.info_embed(
                    "Deck removed",
                    f"**{ui.name(deck.name)}** and its {count(deck.questions, 'question')} "
                    "are no longer asked. "
                    "Grades and boards that include them are kept."
                    if deck.questions
                    else f"**{ui.name(deck.name)}** is removed; it had no questions.",
                    colour=ui.OK,
                ),
                view=None,
            )

        await handled(interaction, work)


def edit_embed(edit: DeckEdit) -> discord.Embed:
    """What /deck edit answers: what changed, each with what it was, or that nothing did."""
    if not edit.changed:
        return ui.info_embed(
            "Nothing was changed",
            f"**{ui.name(edit.name)}** already has that name and description.",
        )
    lines = [f"**{ui.name(edit.name)}** (`{edit.slug}`)"]
    if edit.name != edit.old_name:
        lines.append(f"• Name: was **{ui.name(edit.old_name)}**")
    if edit.description != edit.old_description:
        if not edit.description:
            lines.append(f"• Description: removed (it was “{ui.name(edit.old_description)}”)")
        elif edit.old_description:
            lines.append(f"• Description: was “{ui.name(edit.old_description)}”")
        else:
            lines.append("• Description: was empty")
    lines.append(
        f"Its slug stays `{edit.slug}`, so commands, question-of-the-day schedules and files "
        "exported keep naming it as before."
    )
    return ui.info_embed("Deck updated", "\n".join(lines), colour=ui.OK)


class DeckListPageButton(
    ui.PageButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rb:dl:(?P<page>\d+)",
):
    """A page button of /deck list: every click reads the server's decks again."""

    prefix = "rb:dl"

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            guild_id = interaction.guild_id or 0
            embed, view = await list_message(interaction.client, guild_id, self.page)
            await interaction.response.edit_message(embed=embed, view=view)

        await handled(interaction, work)


async def list_message(
    bot: RecallBot, guild_id: int, page: int
) -> tuple[discord.Embed, discord.ui.View]:
    """A page of /deck list (the last one when ``page`` is past it), with its page buttons
    when there is more than one page."""
    decks = await bot.store.decks_for_guild(guild_id, include_disabled=True)
    pages = page_count(len(decks), LIST_PAGE)
    page = clamp_page(page, len(decks), LIST_PAGE)
    lines = [deck_line(d, decks) for d in decks[page * LIST_PAGE : (page + 1) * LIST_PAGE]]
    body = ui.fit_lines(lines, ui.EMBED_DESCRIPTION, lambda n: f"… and {n} more")
    embed = ui.info_embed("Decks", body or "No decks yet.")
    where = f"Page {page + 1}/{pages} · {count(len(decks), 'deck')} · " if pages > 1 else ""
    embed.set_footer(text=where + "/deck info deck:… for details · /quiz deck:… to play one")
    view = discord.ui.View(timeout=None)
    if pages > 1:
        DeckListPageButton.add_pair(view, page, pages)
    return embed, view


class DeckGroup(app_commands.Group):
    def __init__(self, bot: RecallBot):
        super().__init__(
            name="deck",
            description="See the decks; moderators create, edit, remove and switch them on or off.",
            guild_only=True,
        )
        self.bot = bot

    @app_commands.command(name="create", description="Moderators: create a deck for this server.")
    @app_commands.describe(
        name="The deck's name (its slug is made from it)",
        description="One or two sentences about the deck",
    )
    @moderator_only()
    async def create(
        self,
        interaction: discord.Interaction[Any],
        name: app_commands.Range[str, 1, DECK_NAME_MAX],
        description: app_commands.Range[str, 0, DECK_DESCRIPTION_MAX] = "",
    ) -> None:
        assert interaction.guild_id is not None
        try:
            name, description = check_deck_name(name, description)
            deck = await self.bot.store.create_custom_deck(
                interaction.guild_id, name, description, interaction.user.id
            )
        except UserError as exc:
            if not description.strip():
                raise UserError(ui.error_text(exc)) from None
            # A description takes a while to write: it comes back, as a `why` does.
            await give_back_option(interaction, "description", description, ui.error_text(exc))
            return
        await interaction.response.send_message(
            embed=ui.info_embed(
                "Deck created",
                f"**{ui.name(deck.name)}** (`{deck.slug}`) is ready. Add questions with "
                f"`/question add deck:{deck.slug}` or `/question import`.",
                colour=ui.OK,
            ),
            ephemeral=True,
        )

    @app_commands.command(
        name="edit",
        description="Moderators: rename a deck of this server's or change its description.",
    )
    @app_commands.describe(
        deck="The server's own deck to change",
        name="Its new name (its slug stays as it is)",
        description="Its new description, one or two sentences",
        clear_description="Remove its description",
    )
    @moderator_only()
    async def edit(
        self,
        interaction: discord.Interaction[Any],
        deck: str,
        name: app_commands.Range[str, 1, DECK_NAME_MAX] | None = None,
        description: app_commands.Range[str, 1, DECK_DESCRIPTION_MAX] | None = None,
        clear_description: bool = False,
    ) -> None:
        assert interaction.guild_id is not None
        try:
            row = await bank(interaction).deck(interaction.guild_id, deck)
            if row.builtin:
                raise NamedError(BUILTIN_DECK_FIXED, row.name)
            new_name, new_description = check_deck_edit(
                name, description, clear_description=clear_description
            )
            edit = await self.bot.store.edit_custom_deck(
                interaction.guild_id, row.id, name=new_name, description=new_description
            )
        except UserError as exc:
            if not (description or "").strip():
                raise UserError(ui.error_text(exc)) from None
            # As with /deck create: a description typed comes back.
            await give_back_option(
                interaction, "description", description or "", ui.error_text(exc)
            )
            return
        await interaction.response.send_message(embed=edit_embed(edit), ephemeral=True)

    @app_commands.command(
        name="list", description=f"List the decks in this server, {LIST_PAGE} a page."
    )
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        embed, view = await list_message(self.bot, interaction.guild_id, 0)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @app_commands.command(
        name="info", description="Details of a deck: questions, tags, difficulty."
    )
    @app_commands.describe(deck="The deck")
    async def info(self, interaction: discord.Interaction[Any], deck: str) -> None:
        assert interaction.guild_id is not None
        row = await bank(interaction).deck(interaction.guild_id, deck)
        store = self.bot.store
        stats = await store.deck_stats(row.id)
        tags = await store.tags_for_guild(interaction.guild_id, row.id, include_disabled=True)
        embed = ui.info_embed(ui.name(row.name), row.description or "*No description.*")
        decks = await store.decks_for_guild(interaction.guild_id, include_disabled=True)
        key = deck_key(row, decks)
        slug = f"`{row.slug}`"
        if key != row.slug:
            # The slug picks this server's own deck: say how to pick this one.
            own = next(d for d in decks if d.slug == row.slug and not d.builtin)
            slug += (
                f" (here it picks this server's **{ui.name(own.name)}**; "
                f"pick this deck as `{key}`)"
            )
        embed.add_field(name="Slug", value=slug, inline=True)
        embed.add_field(name="Kind", value="built-in (read-only)" if row.builtin else "custom")
        embed.add_field(name="In this server", value="on" if row.enabled else "**off**")
        embed.add_field(
            name="Questions",
            value=(
                f"{grouped(row.questions)} ({grouped(stats['multiple_choice'])} multiple choice)\n"
                f"🟢 {grouped(stats['easy'])} · 🟡 {grouped(stats['medium'])} · "
                f"🔴 {grouped(stats['hard'])}"
            ),
            inline=False,
        )
        if tags:
            embed.add_field(
                name="Tags",
                value=ui.fit_lines(
                    [f"`{t}` ({grouped(n)})" for t, n in tags],
                    ui.FIELD_VALUE,
                    lambda left: f"… and {grouped(left)} more",
                    sep=", ",
                ),
                inline=False,
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(
        name="remove", description="Moderators: remove a custom deck (asks to confirm)."
    )
    @app_commands.describe(deck="The custom deck to remove")
    @moderator_only()
    async def remove(self, interaction: discord.Interaction[Any], deck: str) -> None:
        assert interaction.guild_id is not None
        row = await bank(interaction).deck(interaction.guild_id, deck)
        if row.builtin:
            raise UserError(
                f"**{ui.name(row.name)}** is a built-in deck and can't be removed; switch it off here "
                "with `/deck disable` instead."
            )
        view = discord.ui.View(timeout=None)
        view.add_item(RemoveDeckButton(row.id, interaction.user.id, accept=True))
        view.add_item(RemoveDeckButton(row.id, interaction.user.id, accept=False))
        await interaction.response.send_message(
            embed=ui.info_embed(
                f"Remove {ui.name(row.name)}?",
                (
                    f"Its {count(row.questions, 'question')} will no "
                    "longer be asked. Grades, boards and stats that include "
                    f"{'them' if row.questions != 1 else 'it'} are kept. Export it first "
                    f"(`/question export deck:{row.slug}`) if you may want it back."
                    if row.questions
                    else "It has no questions, so nothing stops being asked; grades, boards "
                    "and stats of any it had are kept."
                )
                + await self._suggestions_note(row.id)
                + await self._schedules_note(interaction.guild_id, row.id),
                colour=ui.WARN,
            ),
            view=view,
            ephemeral=True,
        )

    async def _suggestions_note(self, deck_id: int) -> str:
        """What removing a deck does to the suggestions for it waiting for review."""
        waiting = await self.bot.store.deck_suggestions_waiting(deck_id)
        if not waiting:
            return ""
        return (
            f"\n\n{count(waiting, 'suggestion')} for it "
            f"{'is' if waiting == 1 else 'are'} waiting for review: once it is removed, "
            f"{'it' if waiting == 1 else 'they'} can't be approved; **Reject** "
            f"{'it' if waiting == 1 else 'them'} in the review channel to let "
            f"{'the member' if waiting == 1 else 'the members'} know."
        )

    async def _schedules_note(self, guild_id: int, deck_id: int) -> str:
        """What switching off or removing a deck (still on) does to the question-of-the-day
        schedules that ask only from it, or that ask from every deck that is on but find
        their questions only in it ("" when none does)."""
        store = self.bot.store
        own: list[str] = []
        every: list[str] = []
        only_here: dict[str | None, bool] = {}  # by tag: only this deck has its questions
        for s in await store.schedules_for_guild(guild_id):
            if s.paused or s.deck_id not in (None, deck_id):
                continue
            if s.deck_id == deck_id:
                own.append(f"<#{s.channel_id}>")
                continue
            if s.tag not in only_here:
                here = await store.candidates(guild_id, deck_id=deck_id, tag=s.tag)
                only_here[s.tag] = bool(here) and len(here) == len(
                    await store.candidates(guild_id, tag=s.tag)
                )
            if only_here[s.tag]:
                every.append(f"<#{s.channel_id}>")
        if not own and not every:
            return ""

        def asking(channels: list[str], what: str) -> str:
            if len(channels) == 1:
                return f"the question of the day in {channels[0]} asks {what}"
            return f"the questions of the day in {', '.join(channels)} ask {what}"

        parts = [asking(own, "only from this deck")] if own else []
        if every:
            them = "it" if len(every) == 1 else "them"
            what = f"from every deck that is on, and only this one has questions for {them}"
            parts.append(asking(every, what))
        fix = (
            "Keep the deck on, switch another one on (`/deck enable`), or give the schedule "
            "a deck with `/qotd edit`."
            if every
            else "Keep the deck on (`/deck enable`), or give the schedule another deck with "
            "`/qotd edit`."
        )
        text = "; ".join(parts)
        return (
            f"\n\n⚠️ {text[0].upper()}{text[1:]}: without it, each slot fails, and after "
            f"three the schedule pauses. {fix}"
        )

    async def _switch(self, interaction: discord.Interaction[Any], deck: str, on: bool) -> None:
        assert interaction.guild_id is not None
        row = await bank(interaction).deck(interaction.guild_id, deck)
        # Read while the deck is still on: which schedules find their questions only in it.
        warning = (
            "" if on or not row.enabled else await self._schedules_note(interaction.guild_id, row.id)
        )
        changed = await self.bot.store.set_deck_enabled(interaction.guild_id, row.id, on)
        state = "on" if on else "off"
        if not changed:
            await interaction.response.send_message(
                embed=ui.info_embed(
                    f"{ui.name(row.name)} is already {state}",
                    "Nothing was changed."
                    if on
                    else "Nothing was changed; `/deck enable` turns it back on.",
                ),
                ephemeral=True,
            )
            return
        note = (
            "Quizzes, questions of the day and `/review start` can ask from it again."
            if on
            else "Quizzes, questions of the day and `/review start` no longer ask from it (members' "
            "cards of it wait); `/deck enable` turns it back on." + warning
        )
        await interaction.response.send_message(
            embed=ui.info_embed(f"{ui.name(row.name)} is {state}", note, colour=ui.OK), ephemeral=True
        )

    @app_commands.command(name="enable", description="Moderators: switch a deck on in this server.")
    @app_commands.describe(deck="The deck to switch on")
    @moderator_only()
    async def enable(self, interaction: discord.Interaction[Any], deck: str) -> None:
        await self._switch(interaction, deck, True)

    @app_commands.command(
        name="disable", description="Moderators: switch a deck off in this server."
    )
    @app_commands.describe(deck="The deck to switch off")
    @moderator_only()
    async def disable(self, interaction: discord.Interaction[Any], deck: str) -> None:
        await self._switch(interaction, deck, False)

    @info.autocomplete("deck")
    async def any_deck(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await deck_choices(self.bot, interaction.guild_id or 0, current)

    @edit.autocomplete("deck")
    @remove.autocomplete("deck")
    @moderator_only()  # choices a member who is not one would have refused
    async def custom_deck(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await deck_choices(self.bot, interaction.guild_id or 0, current, custom_only=True)

    @enable.autocomplete("deck")
    @moderator_only()
    async def off_deck(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await deck_choices(self.bot, interaction.guild_id or 0, current, enabled=False)

    @disable.autocomplete("deck")
    @moderator_only()
    async def on_deck(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await deck_choices(self.bot, interaction.guild_id or 0, current, enabled=True)


class Decks(commands.Cog):
    def __init__(self, bot: RecallBot):
        self.bot = bot
        self.group = DeckGroup(bot)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.group)
        self.bot.add_dynamic_items(RemoveDeckButton, DeckListPageButton)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.group.name)
        self.bot.remove_dynamic_items(RemoveDeckButton, DeckListPageButton)


async def setup(bot: RecallBot) -> None:
    await bot.add_cog(Decks(bot))
