"""/question: add, edit, remove, restore, show, list, import and export questions.

show, list and export are for everyone; add, edit, remove, restore and import are for moderators
(checked when run: Manage Server or the quiz-moderator role). Discord sets default
permissions per top-level command only, so the group stays visible to everyone and the
moderator subcommands refuse others with a clear message.

Buttons are DynamicItems whose custom_id carries the keys; pending imports live in the
database, so Import still works after a restart.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.bank import (
    FORM_LABELS,
    FORM_MAX,
    PREVIEW_QUESTIONS,
    TYPED_NOTE,
    BankService,
    ImportPreview,
    QuestionForm,
    check_upload_size,
    check_why,
    edited_question,
    export_summary,
    form_from_question,
    import_finished,
    question_from_form,
    typed_note,
    typed_text,
)
from bot.client import RecallBot, storage_reply
from bot.errors import NamedError, UserError
from bot.exporters import export_parts
from bot.importers import IMPORT_MAX_BYTES, IMPORT_MAX_QUESTIONS, slug_for_prompt
from bot.questions import WHY_MAX, Question, typed_tag
from bot.store import StoredQuestion, StoreError
from bot.text import count, grouped
from cogs import ui
from cogs.checks import ensure_moderator, moderator_only
from cogs.quiz import deck_choices, handled, tag_choices

log = logging.getLogger("cogs.questions")

PAGE_SIZE = 10
#: the highest page /question list opens at (a page past the last shows the last)
PAGE_MAX = 100_000
SEARCH_MAX = 30
DifficultyChoice = Literal["easy", "medium", "hard"]


def bank(interaction: discord.Interaction[Any]) -> BankService:
    """The bank over the bot's store (it keeps no state of its own)."""
    return BankService(interaction.client.store, escape=ui.name)


# -- the question modal ----------------------------------------------------------------------

FormHandler = Callable[[discord.Interaction[Any], QuestionForm], Awaitable[None]]


class QuestionModal(discord.ui.Modal):
    """The five-field question form, filled in with ``form``; ``on_form`` gets what was
    typed, and ``form``'s *why it is asked* (given with the command, not in the modal).
    ``again``: the command, with the options given to it, that opens this form as it was
    (named when the form is refused, as the form cannot hold those options)."""

    def __init__(
        self,
        title: str,
        on_form: FormHandler,
        form: QuestionForm | None = None,
        *,
        why_typed: bool = False,
        again: str = "",
    ):
        super().__init__(title=ui.clip(title, 45), timeout=ui.FORM_TIMEOUT)
        form = form or QuestionForm()
        self.given = form
        self.on_form = on_form
        #: ``form.why`` was typed with the command (not the question's own): kept in the
        #: database while the form is open, so that it is given back after a restart
        self.why_typed = why_typed and bool(form.why)
        self.again = again
        self.prompt: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=FORM_LABELS["prompt"],
            custom_id="prompt",
            style=discord.TextStyle.paragraph,
            max_length=FORM_MAX["prompt"],
            default=form.prompt or None,
            placeholder="What does the application context hold?",
        )
        self.answer: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=FORM_LABELS["answer"],
            custom_id="answer",
            style=discord.TextStyle.paragraph,
            max_length=FORM_MAX["answer"],
            default=form.answer or None,
            placeholder="A model answer in full sentences.",
        )
        self.key_points: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=FORM_LABELS["key_points"],
            custom_id="key_points",
            style=discord.TextStyle.paragraph,
            max_length=FORM_MAX["key_points"],
            required=False,
            default=form.key_points or None,
            placeholder="What a good answer mentions, one point a line; indent a line to go on",
        )
        self.tags: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=FORM_LABELS["tags"],
            custom_id="tags",
            style=discord.TextStyle.short,
            max_length=FORM_MAX["tags"],
            required=False,
            default=form.tags or None,
            placeholder="flask, contexts",
        )
        self.options: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=FORM_LABELS["options"],
            custom_id="options",
            style=discord.TextStyle.paragraph,
            max_length=FORM_MAX["options"],
            required=False,
            default=form.options or None,
            placeholder="Leave empty for an open question. Else:\n*the right option\na wrong one",
        )
        for item in (self.prompt, self.answer, self.key_points, self.tags, self.options):
            self.add_item(item)

    def form(self) -> QuestionForm:
        return replace(
            self.given,
            prompt=self.prompt.value,
            answer=self.answer.value,
            key_points=self.key_points.value,
            tags=self.tags.value,
            options=self.options.value,
        )

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        form = self.form()

        async def work() -> None:
            try:
                await self.on_form(interaction, form)
            except (UserError, StoreError) as exc:
                if interaction.response.is_done() and not deferred(interaction):
                    raise
                if isinstance(exc, StoreError):
                    # Nothing was saved: what was typed goes back, to send again later.
                    log.error("storage problem on %s: %s", interaction.data, exc)
                    why = storage_reply(exc)
                else:
                    # The form is closed now: what was typed goes back with what to fix.
                    why = ui.error_text(exc)
                # A why the sender did not type (the question's own) is not theirs to paste.
                typed = form if self.why_typed else replace(form, why="")
                await give_back_form(
                    interaction, typed, why, note=typed_note(self.again, with_why=self.why_typed)
                )

        try:
            await handled(interaction, work)
        finally:
            if self.why_typed or self.again:
                await drop_draft(interaction, ui.form_token(self))

    async def send(self, interaction: discord.Interaction[Any]) -> None:
        """Open this form in answer to ``interaction``."""
        await ui.send_form(
            interaction,
            self,
            keep_why=self.given.why if self.why_typed else "",
            command=self.again,
        )


async def drop_draft(interaction: discord.Interaction[Any], token: str) -> None:
    """The form was handled: what was kept for it is of no more use."""
    try:
        await bank(interaction).store.drop_form_draft(token)
    except StoreError as exc:  # pruned later all the same
        log.warning("could not drop what was kept for a form: %s", exc)


async def give_back_why(interaction: discord.Interaction[Any], why: str, problem: str) -> None:
    """Refuse a command before its form opens; the ``why`` typed with it comes back."""
    await give_back_option(interaction, "why", why, problem)


async def give_back_option(
    interaction: discord.Interaction[Any], option: str, value: str, problem: str
) -> None:
    """Refuse a command; the long text typed for its ``option`` comes back attached."""
    await give_back_typed(
        interaction,
        {option: value},
        problem,
        note=f" What you typed for `{option}` is attached, to copy into the command again.",
    )


def command_text(command: str, **options: object) -> str:
    """``/command name:value ...`` in code, as a member types it (options left as None are
    left out)."""
    given = "".join(f" {k}:{v}" for k, v in options.items() if v is not None)
    return f"`{command}{given}`"


async def give_back_form(
    interaction: discord.Interaction[Any],
    form: QuestionForm,
    why: str,
    *,
    note: str = TYPED_NOTE,
    filename: str = "your-form.txt",
) -> None:
    """Refuse a sent form, privately, with what was typed attached to paste in again."""
    await give_back_typed(interaction, form.as_dict(), why, note=note, filename=filename)


async def give_back_typed(
    interaction: discord.Interaction[Any],
    fields: dict[str, str],
    why: str,
    *,
    note: str = TYPED_NOTE,
    filename: str = "your-form.txt",
) -> None:
    """Refuse a sent form, privately, with its texts (by field) attached to paste in again."""
    typed = typed_text(fields.items())
    files = [discord.File(io.BytesIO(typed.encode()), filename=filename)] if typed else []
    text = ui.clip(why, ui.CONTENT - len(note)) + (note if typed else "")
    await ui.send_private(interaction, text, files=files)


def deferred(interaction: discord.Interaction[Any]) -> bool:
    """Whether the interaction was acknowledged with nothing shown yet (``defer()`` on a
    form sent from a message, or :func:`answer_first`): what it has to say goes in a
    followup."""
    return interaction.response.type in (
        discord.InteractionResponseType.deferred_message_update,
        discord.InteractionResponseType.deferred_channel_message,
    )


async def answer_first(interaction: discord.Interaction[Any]) -> None:
    """Acknowledge a sent form privately before its write, which may wait for others:
    Discord allows 3 s. The reply (the outcome, or a refusal with what was typed) then
    fills in the "thinking" message."""
    await interaction.response.defer(ephemeral=True, thinking=True)


# -- rendering -------------------------------------------------------------------------------


def summary_line(sq: StoredQuestion, *, with_deck: bool = True) -> str:
    q = sq.question
    bits = [f"`#{sq.id}`", ui.one_line(q.prompt, 90)]
    extra = [q.difficulty.value]
    if q.options:
        extra.append("multiple choice")
    if with_deck:
        extra.insert(0, f"*{ui.name(ui.clip(sq.deck_name, 40))}*")
    return " ".join(bits) + " · " + " · ".join(extra)


def question_embeds(sq: StoredQuestion, *, deck_off: bool = False) -> list[list[discord.Embed]]:
    """Everything about a question, split into messages that each fit Discord's limits
    (``deck_off``: its deck is switched off in the server where it is shown)."""
    q = sq.question
    first = discord.Embed(
        title=ui.clip(f"Question #{sq.id}", ui.EMBED_TITLE),
        description=_prompt_with_options(q, reveal=True),
        colour=ui.WARN if sq.removed or sq.deck_removed else ui.BRAND,
    )
    first.set_author(name=ui.clip(sq.deck_name, 256))
    first.add_field(
        name="Difficulty", value=ui.DIFFICULTY_BADGE.get(q.difficulty.value, "?"), inline=True
    )
    if q.tags:
        first.add_field(
            name="Tags", value=ui.clip(", ".join(f"`{t}`" for t in q.tags), ui.FIELD_VALUE)
        )
    first.add_field(name="Id", value=ui.clip(f"`{q.id}`", ui.FIELD_VALUE), inline=True)
    if q.why:
        first.add_field(name="Why it is asked", value=ui.clip(q.why, ui.FIELD_VALUE), inline=False)
    for i, chunk in enumerate(ui._bullets(q.key_points, ui.FIELD_VALUE)):
        first.add_field(name="Key points" if i == 0 else "\u200b", value=chunk, inline=False)
    if sq.removed:
        first.set_footer(text="This question was removed from its deck; its history is kept.")
    elif sq.deck_removed:
        first.set_footer(
            text=ui.clip(
                f"Its deck {sq.deck_name} was removed, so it is no longer asked; its history "
                "is kept.",
                ui.FOOTER,
            )
        )
    elif deck_off:
        first.set_footer(
            text=ui.clip(
                f"Its deck {sq.deck_name} is switched off in this server, so it is not asked; "
                "/deck enable turns it back on.",
                ui.FOOTER,
            )
        )
    answer = discord.Embed(
        title="Model answer", description=ui.clip(q.answer, ui.EMBED_DESCRIPTION), colour=ui.OK
    )
    if len(first) + len(answer) <= ui.EMBED_TOTAL:
        return [[first, answer]]
    return [[first], [answer]]


async def send_question(
    interaction: discord.Interaction[Any], sq: StoredQuestion, content: str | None = None
) -> None:
    """Answer with the whole question, privately: as many messages as Discord's limits need
    (the first carries ``content``)."""
    deck = await bank(interaction).store.deck_for_guild(interaction.guild_id or 0, sq.deck_id)
    messages = question_embeds(sq, deck_off=deck is not None and not deck.enabled)
    await ui.send_private(interaction, content, embeds=messages[0])
    for embeds in messages[1:]:
        await interaction.followup.send(embeds=embeds, ephemeral=True)


def restored_text(sq: StoredQuestion, restored: bool, *, deck_on: bool) -> str:
    """What ``/question restore`` says above the question it brought back (``restored``
    False: another moderator restored it a moment ago): that it is asked again, or, when its
    deck is switched off in the server (``deck_on`` False), once the deck is switched on."""
    if restored:
        text = (
            f"Restored question **#{sq.id}** to **{ui.name(sq.deck_name)}**"
            + (": it is asked again, with" if deck_on else ", with")
            + " the grades and review cards members had of it."
        )
    else:
        text = f"Question **#{sq.id}** was restored meanwhile" + (
            "; it is asked again." if deck_on else "."
        )
    if not deck_on:
        text += (
            " The deck is switched off in this server, so it is asked again once "
            "`/deck enable` switches the deck back on."
        )
    return text


def _prompt_with_options(q: Question, *, reveal: bool) -> str:
    body = q.prompt
    if q.options:
        lines = []
        for i, option in enumerate(q.options):
            mark = " ✅" if reveal and option.correct else ""
            lines.append(f"**{ui.OPTION_LETTERS[i]}.** {option.text}{mark}")
        body += "\n\n" + "\n".join(lines)
    return ui.clip(body, ui.EMBED_DESCRIPTION)


def preview_question_field(n: int, q: Question) -> tuple[str, str]:
    name = f"{n}. {ui.one_line(q.prompt, ui.FIELD_NAME - len(f'{n}. '))}"
    lines = [ui.one_line(q.answer, 300)]
    facts = [q.difficulty.value]
    if q.key_points:
        facts.append(f"{len(q.key_points)} key point{'s' if len(q.key_points) != 1 else ''}")
    if q.options:
        right = q.correct_index or 0
        facts.append(f"{len(q.options)} options, right: {ui.OPTION_LETTERS[right]}")
    if q.tags:
        facts.append("tags " + ", ".join(q.tags))
    facts.append(f"id `{q.id}`")
    lines.append(" · ".join(facts))
    return name, ui.clip("\n".join(lines), ui.FIELD_VALUE)


def preview_embed(preview: ImportPreview) -> discord.Embed:
    n = len(preview.questions)
    desc = (
        f"**{n} question{'s' if n != 1 else ''}** from **{ui.name(preview.filename)}** "
        f"({preview.format}) will be added to **{ui.name(preview.deck_name)}**"
    )
    if preview.multiple_choice:
        desc += f", {preview.multiple_choice} of them multiple choice"
    desc += ".\nNothing is saved until you press **Import**."
    if preview.warnings:
        desc += (
            f"\n\n**{count(len(preview.warnings), 'warning')}**\n"
        )
        shown = ""
        for i, warning in enumerate(preview.warnings):
            line = "• " + ui.clip(warning, 200) + "\n"
            if len(shown) + len(line) > 1500:
                shown += f"… and {grouped(len(preview.warnings) - i)} more\n"
                break
            shown += line
        desc += shown
    embed = ui.info_embed("Import preview", desc, colour=ui.WARN if preview.warnings else ui.BRAND)
    for i, q in enumerate(preview.questions[:PREVIEW_QUESTIONS], 1):
        name, value = preview_question_field(i, q)
        embed.add_field(name=name, value=value, inline=False)
    if n > PREVIEW_QUESTIONS:
        embed.set_footer(
            text=f"… and {n - PREVIEW_QUESTIONS} more. The preview expires in 24 hours."
        )
    else:
        embed.set_footer(text="The preview expires in 24 hours.")
    return embed


def import_view(session_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ImportButton(session_id, accept=True))
    view.add_item(ImportButton(session_id, accept=False))
    return view


async def list_message(
    service: BankService,
    guild_id: int,
    deck_id: int,
    page: int,
    tag: str,
    search: str,
) -> tuple[discord.Embed, discord.ui.View]:
    store = service.store
    deck = await store.deck_for_guild(guild_id, deck_id) if deck_id else None
    if deck_id and deck is None:  # a page turned after the deck was removed
        raise UserError(
            "That deck has been removed, so its list is gone; `/question list` lists the "
            "questions of the decks there are."
        )
    result = await store.search_questions(
        guild_id,
        deck_id=deck_id or None,
        tag=tag or None,
        search=search or None,
        offset=page * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    pages = max(1, -(-result.total // PAGE_SIZE))
    if page >= pages and result.total:
        page = pages - 1
        result = await store.search_questions(
            guild_id,
            deck_id=deck_id or None,
            tag=tag or None,
            search=search or None,
            offset=page * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
    filters = []
    if deck is not None:
        filters.append(f"deck **{ui.name(deck.name)}**")
    if tag:
        filters.append(f"tag `{tag}`")
    if search:
        filters.append(f"matching “{ui.name(search)}”")
    head = ("Questions in " + ", ".join(filters)) if filters else "Questions"
    lines = [summary_line(sq, with_deck=not deck_id) for sq in result.questions]
    body = "\n".join(lines) if lines else "No questions match. Try fewer filters."
    embed = ui.info_embed(ui.clip(head, ui.EMBED_TITLE), body)
    embed.set_footer(
        # The page numbers stay plain: they are typed back in /question list's `page`.
        text=f"Page {page + 1}/{pages} · {count(result.total, 'question')}"
        " · /question show id:N shows one in full"
    )
    view = discord.ui.View(timeout=None)
    view.add_item(ListPageButton(deck_id, page - 1, tag, search, "◀ Previous", page <= 0))
    view.add_item(ListPageButton(deck_id, page + 1, tag, search, "Next ▶", page + 1 >= pages))
    return embed, view


# -- buttons ---------------------------------------------------------------------------------


class ImportButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rb:imp:(?P<action>ok|no):(?P<sid>\d+)",
):
    def __init__(self, session_id: int, *, accept: bool):
        super().__init__(
            discord.ui.Button(
                label="Import" if accept else "Cancel",
                style=discord.ButtonStyle.success if accept else discord.ButtonStyle.secondary,
                custom_id=f"rb:imp:{'ok' if accept else 'no'}:{session_id}",
            )
        )
        self.session_id = session_id
        self.accept = accept

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ImportButton:
        return cls(int(match["sid"]), accept=match["action"] == "ok")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            store = bank(interaction).store
            session = await store.import_session(self.session_id)
            if session is None or session.guild_id != interaction.guild_id:
                raise UserError("This import is no longer pending; upload the file again.")
            await ensure_moderator(interaction)
            # Refused at once when already plain (the write checks again, for a race).
            if session.user_id != interaction.user.id:
                raise UserError(
                    "Only the moderator who uploaded this file can import or cancel it."
                )
            if session.state != "pending":
                raise UserError(import_finished(session.state))
            # Up to 500 questions, checked against the whole deck: answered first, so that
            # Discord's 3 s do not run out while they are written.
            await interaction.response.defer()
            placement = await store.finish_import_session(
                self.session_id, interaction.user.id, accept=self.accept
            )
            deck = await store.deck_for_guild(session.guild_id, session.deck_id)
            deck_name = f"**{ui.name(deck.name)}**" if deck else "the deck"
            if not self.accept:
                embed = ui.info_embed(
                    "Import cancelled", f"Nothing from **{ui.name(session.filename)}** was imported."
                )
            else:
                n = len(placement.questions)
                text = (
                    f"Imported **{n} question{'s' if n != 1 else ''}** from "
                    f"**{ui.name(session.filename)}** into {deck_name}."
                )
                if placement.duplicates:
                    d = len(placement.duplicates)
                    text += (
                        f"\n{d} question{'s were' if d != 1 else ' was'} added to the deck "
                        f"meanwhile and {'were' if d != 1 else 'was'} skipped."
                    )
                text += "\nSee them with `/question list`."
                embed = ui.info_embed("Imported", text, colour=ui.OK)
            await interaction.edit_original_response(embed=embed, view=None)

        await handled(interaction, work)


class ConfirmRemoveButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rb:qrm:(?P<action>ok|no):(?P<qid>\d+):(?P<user>\d+)",
):
    def __init__(self, question_id: int, user_id: int, *, accept: bool):
        super().__init__(
            discord.ui.Button(
                label="Remove" if accept else "Keep it",
                style=discord.ButtonStyle.danger if accept else discord.ButtonStyle.secondary,
                custom_id=f"rb:qrm:{'ok' if accept else 'no'}:{question_id}:{user_id}",
            )
        )
        self.question_id = question_id
        self.user_id = user_id
        self.accept = accept

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ConfirmRemoveButton:
        return cls(int(match["qid"]), int(match["user"]), accept=match["action"] == "ok")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            if interaction.user.id != self.user_id:
                raise UserError("Only the moderator who asked to remove this question can confirm.")
            await ensure_moderator(interaction)
            if not self.accept:
                await interaction.response.edit_message(
                    embed=ui.info_embed("Kept", "Nothing was changed."), view=None
                )
                return
            service = bank(interaction)
            sq = await service.question(interaction.guild_id or 0, self.question_id, editable=True)
            # Answered before the write, which may wait for others: Discord allows 3 s.
            await interaction.response.defer()
            if not await service.store.remove_question(self.question_id):
                # Another click (or moderator) removed it a moment ago.
                raise UserError(f"Question #{sq.id} has been removed.")
            await interaction.edit_original_response(
                embed=ui.info_embed(
                    "Question removed",
                    f"#{sq.id} is no longer asked from **{ui.name(sq.deck_name)}**. Grades and boards "
                    f"that include it are kept. Undo it with `/question restore id:{sq.id}`.",
                    colour=ui.OK,
                ),
                view=None,
            )

        await handled(interaction, work)


class ListPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    # (?s): the search is free text and may hold a line break.
    template=r"(?s)rb:ql:(?P<deck>\d+):(?P<page>-?\d+):(?P<tag>[^:]*):(?P<search>.*)",
):
    def __init__(
        self,
        deck_id: int,
        page: int,
        tag: str,
        search: str,
        label: str = "",
        disabled: bool = False,
    ):
        super().__init__(
            discord.ui.Button(
                label=label or "Page",
                style=discord.ButtonStyle.secondary,
                custom_id=f"rb:ql:{deck_id}:{page}:{tag}:{search}",
                disabled=disabled,
            )
        )
        self.deck_id = deck_id
        self.page = page
        self.tag = tag
        self.search = search

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ListPageButton:
        return cls(int(match["deck"]), int(match["page"]), match["tag"], match["search"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            embed, view = await list_message(
                bank(interaction),
                interaction.guild_id or 0,
                self.deck_id,
                max(0, self.page),
                self.tag,
                self.search,
            )
            await interaction.response.edit_message(embed=embed, view=view)

        await handled(interaction, work)


# -- autocomplete ----------------------------------------------------------------------------


async def question_choices(
    bot: RecallBot,
    guild_id: int,
    current: str,
    *,
    custom_only: bool = False,
    removed: bool = False,
) -> list[app_commands.Choice[int]]:
    """Choices for a question id option: live questions (of the server's own decks with
    ``custom_only``), or with ``removed`` those ``/question restore`` brings back."""
    page = await bot.store.search_questions(
        guild_id,
        search=current.strip()[:SEARCH_MAX] or None,
        custom_only=custom_only,
        removed=removed,
        limit=25,
    )
    return [
        app_commands.Choice(
            name=ui.one_line(f"#{sq.id} · {sq.question.prompt}", 100), value=sq.id
        )
        for sq in page.questions
    ]


# -- the command group -----------------------------------------------------------------------


class QuestionGroup(app_commands.Group):
    def __init__(self, cog: Questions):
        super().__init__(
            name="question",
            description=(
                "Browse the question bank; moderators add, edit, remove, restore and import."
            ),
            guild_only=True,
        )
        self.cog = cog
        self.bot = cog.bot

    @property
    def bank(self) -> BankService:
        return self.cog.bank

    # -- adding and editing ---------------------------------------------------------------

    @app_commands.command(
        name="add", description="Moderators: add a question to a deck (opens a form)."
    )
    @app_commands.describe(
        deck="The custom deck to add to",
        difficulty="How hard it is (default: medium)",
        why=f"Why it is asked, shown by the quiz's Hint button (at most {grouped(WHY_MAX)} characters)",
    )
    @moderator_only()
    async def add(
        self,
        interaction: discord.Interaction[Any],
        deck: str,
        difficulty: DifficultyChoice = "medium",
        why: app_commands.Range[str, 1, WHY_MAX] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        try:
            row = await self.bank.deck(interaction.guild_id, deck, custom=True)
            given = QuestionForm(why=check_why(why) if why is not None else "")
        except UserError as exc:
            if why is None:
                raise
            await give_back_why(interaction, why, str(exc))
            return
        store = self.bot.store

        async def save(inter: discord.Interaction[Any], form: QuestionForm) -> None:
            await ensure_moderator(inter)
            question = question_from_form(
                form, question_id=slug_for_prompt(form.prompt or "q"), difficulty=difficulty
            )
            await answer_first(inter)
            qid = await store.add_question(row.id, question)
            sq = await store.question(qid)
            assert sq is not None
            await send_question(inter, sq, f"Added question **#{qid}** to **{ui.name(row.name)}**.")

        await QuestionModal(
            f"New question: {row.name}",
            save,
            given,
            why_typed=why is not None,
            again=command_text(
                "/question add",
                deck=row.slug,
                difficulty=difficulty if difficulty != "medium" else None,
            ),
        ).send(interaction)

    @app_commands.command(
        name="edit", description="Moderators: edit a question (opens the form filled in)."
    )
    @app_commands.describe(
        id="The question (type to search)",
        difficulty="Change its difficulty (default: keep it)",
        why=f"Replace why it is asked (at most {grouped(WHY_MAX)} characters; default: keep it)",
        clear_why="Remove why it is asked (quizzes then show no Hint for it)",
    )
    @moderator_only()
    async def edit(
        self,
        interaction: discord.Interaction[Any],
        id: int,
        difficulty: DifficultyChoice | None = None,
        why: app_commands.Range[str, 1, WHY_MAX] | None = None,
        clear_why: bool = False,
    ) -> None:
        assert interaction.guild_id is not None
        try:
            sq = await self.bank.question(interaction.guild_id, id, editable=True)
            if why is not None and clear_why:
                raise UserError("Give `why` or `clear_why`, not both.")
            shown = form_from_question(sq.question)
            if clear_why:
                given = replace(shown, why="")
            elif why is not None:
                given = replace(shown, why=check_why(why, can_clear=True))
            else:
                given = shown
        except UserError as exc:
            if why is None:
                raise
            await give_back_why(interaction, why, str(exc))
            return
        store = self.bot.store
        old = sq.question

        async def save(inter: discord.Interaction[Any], form: QuestionForm) -> None:
            await ensure_moderator(inter)
            # Only what this moderator changed is written: a field left as the form showed
            # it keeps what is saved now, which another moderator may have changed meanwhile.
            await answer_first(inter)
            changed = False

            def change(current: Question) -> Question:
                nonlocal changed
                edited = edited_question(
                    current,
                    shown,
                    form,
                    shown_difficulty=old.difficulty,
                    difficulty=difficulty or old.difficulty,
                )
                changed = edited != current
                return edited

            await store.edit_question(sq.id, change)
            fresh = await store.question(sq.id)
            assert fresh is not None
            await send_question(
                inter,
                fresh,
                f"Saved question **#{sq.id}**."
                if changed
                else f"Question **#{sq.id}** already was as the form was sent, so nothing was "
                "changed.",
            )

        await QuestionModal(
            f"Edit question #{sq.id}",
            save,
            given,
            why_typed=why is not None,
            again=command_text(
                "/question edit",
                id=sq.id,
                difficulty=difficulty,
                clear_why="True" if clear_why else None,
            ),
        ).send(interaction)

    @app_commands.command(
        name="remove", description="Moderators: stop asking a question (its history is kept)."
    )
    @app_commands.describe(id="The question (type to search)")
    @moderator_only()
    async def remove(self, interaction: discord.Interaction[Any], id: int) -> None:
        assert interaction.guild_id is not None
        sq = await self.bank.question(interaction.guild_id, id, editable=True)
        view = discord.ui.View(timeout=None)
        view.add_item(ConfirmRemoveButton(sq.id, interaction.user.id, accept=True))
        view.add_item(ConfirmRemoveButton(sq.id, interaction.user.id, accept=False))
        await interaction.response.send_message(
            embed=ui.info_embed(
                f"Remove question #{sq.id}?",
                f"{summary_line(sq)}\n\nIt will no longer be asked. Grades, boards and stats "
                "that include it are kept, and `/question restore` brings it back.",
                colour=ui.WARN,
            ),
            view=view,
            ephemeral=True,
        )

    @app_commands.command(
        name="restore",
        description="Moderators: ask a removed question again, with its history.",
    )
    @app_commands.describe(id="The removed question (type to search; the last removed first)")
    @moderator_only()
    async def restore(self, interaction: discord.Interaction[Any], id: int) -> None:
        assert interaction.guild_id is not None
        sq = await self.bank.restorable(interaction.guild_id, id)
        # Answered before the write, which may wait for others: Discord allows 3 s.
        await answer_first(interaction)
        try:
            restored = await self.bot.store.restore_question(sq.id)
        except NamedError as exc:
            raise UserError(ui.error_text(exc)) from None
        fresh = await self.bot.store.question(sq.id)
        assert fresh is not None
        deck = await self.bot.store.deck_for_guild(interaction.guild_id, fresh.deck_id)
        await send_question(
            interaction, fresh, restored_text(fresh, restored, deck_on=deck is None or deck.enabled)
        )

    # -- reading ---------------------------------------------------------------------------

    @app_commands.command(
        name="show", description="Show a question in full: key points, model answer, options."
    )
    @app_commands.describe(id="The question (type to search)")
    async def show(self, interaction: discord.Interaction[Any], id: int) -> None:
        assert interaction.guild_id is not None
        sq = await self.bank.question(interaction.guild_id, id)
        await send_question(interaction, sq)

    @app_commands.command(
        name="list",
        description=f"List questions, {PAGE_SIZE} a page; filter by deck, tag or text.",
    )
    @app_commands.describe(
        deck="Only this deck",
        tag="Only questions with this tag",
        search="Only questions whose text contains this",
        page="The page to open at (default: the first; past the end: the last)",
    )
    async def list_(
        self,
        interaction: discord.Interaction[Any],
        deck: str | None = None,
        tag: str | None = None,
        search: app_commands.Range[str, 1, SEARCH_MAX] | None = None,
        page: app_commands.Range[int, 1, PAGE_MAX] = 1,
    ) -> None:
        assert interaction.guild_id is not None
        deck_id = (await self.bank.deck(interaction.guild_id, deck)).id if deck else 0
        tag_value = typed_tag(tag or "").replace(":", "")[:32]
        embed, view = await list_message(
            self.bank,
            interaction.guild_id,
            deck_id,
            min(max(page, 1), PAGE_MAX) - 1,
            tag_value,
            (search or "").strip(),
        )
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    # -- import and export -----------------------------------------------------------------

    @app_commands.command(
        name="import",
        description=f"Moderators: import up to {IMPORT_MAX_QUESTIONS} questions "
        f"({IMPORT_MAX_BYTES // 2**20} MiB) from a file, previewed first.",
    )
    @app_commands.describe(
        file="YAML or JSON (Recall's deck format), CSV with a header row, or a Markdown/text article",
        deck="The custom deck to import into",
    )
    @moderator_only()
    async def import_(
        self, interaction: discord.Interaction[Any], file: discord.Attachment, deck: str
    ) -> None:
        assert interaction.guild_id is not None
        row = await self.bank.deck(interaction.guild_id, deck, custom=True)
        check_upload_size(file.size, filename=file.filename, escape=ui.name)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        preview = await self.bank.preview_import(
            guild_id=interaction.guild_id,
            deck=row,
            user_id=interaction.user.id,
            data=data,
            filename=file.filename,
        )
        await interaction.followup.send(
            embed=preview_embed(preview), view=import_view(preview.session_id), ephemeral=True
        )

    @app_commands.command(
        name="export", description="Download a deck as YAML, JSON, CSV or Markdown."
    )
    @app_commands.describe(deck="The deck to export", format="The file format (default: YAML)")
    async def export(
        self,
        interaction: discord.Interaction[Any],
        deck: str,
        format: Literal["yaml", "json", "csv", "markdown"] = "yaml",
    ) -> None:
        assert interaction.guild_id is not None
        row = await self.bank.deck(interaction.guild_id, deck)
        stored = await self.bot.store.questions_in_deck(row.id)
        if not stored:
            raise UserError(f"**{ui.name(row.name)}** has no questions to export yet.")
        # A large deck takes seconds to write (YAML most): answer first, off the event loop.
        await interaction.response.defer(ephemeral=True, thinking=True)
        parts = await asyncio.to_thread(
            export_parts,
            [sq.question for sq in stored],
            format,
            deck_name=row.name,
            deck_slug=row.slug,
            description=row.description,
        )
        text = export_summary(row.name, len(stored), format, len(parts), escape=ui.name)
        await ui.send_files(interaction, text, parts)

    # -- autocomplete ----------------------------------------------------------------------

    @add.autocomplete("deck")
    @import_.autocomplete("deck")
    @moderator_only()  # choices a member who is not one would have refused
    async def custom_deck_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await deck_choices(self.bot, interaction.guild_id or 0, current, custom_only=True)

    @list_.autocomplete("deck")
    @export.autocomplete("deck")
    async def any_deck_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await deck_choices(self.bot, interaction.guild_id or 0, current)

    @edit.autocomplete("id")
    @remove.autocomplete("id")
    @moderator_only()
    async def editable_id_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        return await question_choices(
            self.bot, interaction.guild_id or 0, current, custom_only=True
        )

    @restore.autocomplete("id")
    @moderator_only()
    async def removed_id_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        return await question_choices(self.bot, interaction.guild_id or 0, current, removed=True)

    @show.autocomplete("id")
    async def id_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        return await question_choices(self.bot, interaction.guild_id or 0, current)

    @list_.autocomplete("tag")
    async def tag_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await tag_choices(self.bot, interaction, current, include_disabled=True)


class Questions(commands.Cog):
    """The question bank."""

    def __init__(self, bot: RecallBot):
        self.bot = bot
        self.bank = BankService(bot.store, escape=ui.name)
        self.group = QuestionGroup(self)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.group)
        self.bot.add_dynamic_items(ImportButton, ConfirmRemoveButton, ListPageButton)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.group.name)
        self.bot.remove_dynamic_items(ImportButton, ConfirmRemoveButton, ListPageButton)


async def setup(bot: RecallBot) -> None:
    await bot.add_cog(Questions(bot))
