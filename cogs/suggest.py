"""/suggest: members suggest questions; moderators approve, edit and approve, or reject them
from the review channel. The review buttons carry the suggestion id and work after restarts.
The member hears the outcome by DM when their DMs are open (closed DMs are not an error)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.bank import (
    QuestionForm,
    check_why,
    find_deck,
    form_from_question,
    question_from_form,
    typed_note,
)
from bot.client import RecallBot, storage_reply
from bot.errors import UserError
from bot.importers import slug_for_prompt
from bot.questions import WHY_MAX, refuse_nul
from bot.store import DeckRow, ErasedSuggestion, StoreError, Suggestion
from bot.store.bank import SUGGESTION_DECK_REMOVED, never_posted, pending_cap_text
from bot.text import grouped, tidy_lines
from cogs import ui
from cogs.checks import GRANT_HOW, ensure_moderator
from cogs.questions import (
    QuestionModal,
    answer_first,
    bank,
    command_text,
    give_back_form,
    give_back_typed,
    give_back_why,
)
from cogs.quiz import deck_choices, handled
from cogs.settings import review_post_missing

log = logging.getLogger("cogs.suggest")

#: suggestions a member may have waiting for review at once
PENDING_CAP = 5
REASON_MAX = 500
TRIMMED_NOTE = "Trimmed to fit Discord: Edit and approve shows the full text."

#: a suggestion the review channel never got (see ``never_posted``)
NOT_RECEIVED = "⚠️ never reached the review channel: suggest it again"
STATE_BADGE = {
    "pending": "⏳ waiting for review",
    "approved": "✅ approved",
    "rejected": "❌ rejected",
}


def review_embed(s: Suggestion, outcome: str = "") -> discord.Embed:
    q = s.question
    body = q.prompt
    if q.options:
        body += "\n\n" + "\n".join(
            f"**{ui.OPTION_LETTERS[i]}.** {o.text}{' ✅' if o.correct else ''}"
            for i, o in enumerate(q.options)
        )
    colour = {"approved": ui.OK, "rejected": ui.BAD}.get(s.state, ui.BRAND)
    embed = discord.Embed(
        title=ui.clip(f"Suggestion #{s.id} for {ui.name(s.deck_name)}", ui.EMBED_TITLE),
        description=ui.clip(body, 1500),
        colour=colour,
    )
    embed.add_field(name="Suggested by", value=f"<@{s.user_id}>", inline=True)
    embed.add_field(name="Difficulty", value=ui.DIFFICULTY_BADGE.get(q.difficulty.value, "?"))
    if q.tags:
        embed.add_field(name="Tags", value=ui.clip(", ".join(f"`{t}`" for t in q.tags), 1024))
    if q.why:
        # Whole (it fits a field): Edit and approve's form has no room to show it.
        embed.add_field(name="Why it is asked", value=q.why, inline=False)
    # Every key point: the moderator approves what they see. Clipped only as far as the
    # embed's 6,000 characters require.
    fields = [
        ("Key points" if i == 0 else "\u200b", chunk)
        for i, chunk in enumerate(ui._bullets(q.key_points, ui.FIELD_VALUE))
    ]
    fields += [
        ("Model answer" if i == 0 else "\u200b", piece)
        for i, piece in enumerate(ui.pieces(q.answer, ui.FIELD_VALUE))
    ]
    if outcome:
        fields.append(("Outcome", outcome))
    if len(embed) + sum(len(name) + len(value) for name, value in fields) > ui.EMBED_TOTAL:
        # The longest suggestions do not fit in one embed: the form shows all of it.
        embed.set_footer(text=TRIMMED_NOTE)
    ui.add_fields(embed, fields)
    return embed


def erased_review_embed(s: ErasedSuggestion) -> discord.Embed:
    """A review post once its author erased their data: neither who nor what is shown."""
    became = (
        f" It had become question #{s.question_id}, which stays in the deck."
        if s.question_id is not None
        else ""
    )
    return ui.info_embed(
        f"Suggestion #{s.id} for {ui.name(s.deck_name)}",
        "The member who suggested this erased their data in this server, so the suggestion "
        f"is erased too.{became}",
    )


def gone_review_embed(message: discord.Message | None, suggestion_id: int) -> discord.Embed:
    """A review post whose suggestion is gone: its title (the number and the deck) kept,
    neither who nor what is shown."""
    title = message.embeds[0].title if message is not None and message.embeds else None
    return ui.info_embed(
        title or f"Suggestion #{suggestion_id}",
        "This suggestion no longer exists: the member who suggested it erased their data in "
        "this server (or, its post having failed, it was never saved).",
    )


async def clear_review_posts(bot: RecallBot, posts: Sequence[ErasedSuggestion]) -> None:
    """Redraw the review posts of an erased member's suggestions, without their buttons.
    Each stops waiting in the database once cleared, or refused for good (a 4xx other than
    429: deleted, or out of the bot's reach); Discord's own trouble leaves it for the next
    start."""
    for s in posts:
        message = bot.get_partial_messageable(s.channel_id).get_partial_message(s.message_id)
        try:
            await message.edit(embed=erased_review_embed(s), view=None)
        except ui.DISCORD_TROUBLE as exc:
            log.warning("could not clear the review post of erased suggestion %s: %s", s.id, exc)
            if not ui.refused_for_good(exc):
                continue
        try:
            await bot.store.review_post_cleared(s.message_id)
        except StoreError as exc:
            log.warning("could not note the review post of suggestion %s as cleared: %s", s.id, exc)


def review_view(suggestion_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action in ("ok", "edit", "no"):
        view.add_item(ReviewButton(suggestion_id, action))
    return view


def suggestion_name(interaction: discord.Interaction[Any], s: Suggestion) -> str:
    """A suggestion as its member's DM names it: its number and prompt (on one line, as
    ``/suggest status`` shows it: a member may have several waiting), deck and server
    (linked, so that two servers of the same name are told apart), as a DM is read outside
    any server."""
    guild = interaction.guild
    where = f" on {ui.server_link(guild.id, guild.name)}" if guild is not None else ""
    prompt = ui.one_line(s.question.prompt, 100)
    return f"Your suggestion #{s.id} (“{prompt}”) for **{ui.name(s.deck_name)}**{where}"


async def tell_member(bot: discord.Client, user_id: int, text: str) -> bool:
    """DM the member; False (and a log line) when their DMs are closed."""
    try:
        channel = await bot.create_dm(discord.Object(id=user_id))
        await channel.send(text)
    except discord.Forbidden:
        log.info("member %s does not accept DMs; suggestion outcome not sent", user_id)
        return False
    except ui.DISCORD_TROUBLE as exc:
        log.warning("could not DM member %s: %s", user_id, exc)
        return False
    return True


async def pending_suggestion(
    interaction: discord.Interaction[Any], suggestion_id: int
) -> Suggestion:
    """A suggestion of this server still waiting for review, or refused with why not (the
    writes that decide it check again, for a race)."""
    s = await bank(interaction).store.suggestion(suggestion_id)
    if s is None or s.guild_id != interaction.guild_id:
        raise UserError("That suggestion no longer exists.")
    if s.state != "pending":
        raise UserError(f"This suggestion was already {s.state}.")
    return s


async def approve(
    interaction: discord.Interaction[Any], suggestion_id: int, form: QuestionForm | None
) -> None:
    store = bank(interaction).store
    s = await pending_suggestion(interaction, suggestion_id)
    if await store.deck_for_guild(s.guild_id, s.deck_id) is None:  # the write checks again
        raise UserError(SUGGESTION_DECK_REMOVED)
    question = None
    if form is not None:
        question = question_from_form(
            form, question_id=s.question.id, difficulty=s.question.difficulty
        )
    # Approving checks the question against the whole deck: answered first, so that
    # Discord's 3 s do not run out. A refusal from here on comes as a private followup.
    await interaction.response.defer()
    qid = await store.approve_suggestion(suggestion_id, interaction.user.id, question)
    fresh = await store.suggestion(suggestion_id)
    assert fresh is not None
    how = "with edits " if form is not None else ""
    await interaction.edit_original_response(
        embed=review_embed(
            fresh, f"✅ Approved {how}by {interaction.user.mention}: now question #{qid}."
        ),
        view=None,
    )
    await tell_member(
        interaction.client,
        s.user_id,
        f"{suggestion_name(interaction, s)} was approved"
        f"{' with a few edits' if form is not None else ''}: it is now question #{qid}. "
        "Thank you!",
    )


async def reject(interaction: discord.Interaction[Any], suggestion_id: int, reason: str) -> None:
    store = bank(interaction).store
    s = await pending_suggestion(interaction, suggestion_id)
    reason = tidy_lines(reason)
    if not reason:
        raise UserError("Give a reason, so the member knows what to change.")
    refuse_nul("The reason", reason)
    # Answered before the write, which may wait for others: Discord allows 3 s.
    await interaction.response.defer()
    sep = "\n" if "\n" in reason else " "  # a reason of several lines starts on its own
    await store.reject_suggestion(suggestion_id, interaction.user.id, reason)
    fresh = await store.suggestion(suggestion_id)
    assert fresh is not None
    await interaction.edit_original_response(
        embed=review_embed(fresh, f"❌ Rejected by {interaction.user.mention}:{sep}{reason}"),
        view=None,
    )
    await tell_member(
        interaction.client,
        s.user_id,
        f"{suggestion_name(interaction, s)} was not added. Reason:{sep}{reason}",
    )


class RejectModal(discord.ui.Modal):
    def __init__(self, suggestion_id: int):
        super().__init__(title=f"Reject suggestion #{suggestion_id}", timeout=ui.FORM_TIMEOUT)
        self.suggestion_id = suggestion_id
        self.reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Reason (sent to the member)",
            custom_id="reason",
            style=discord.TextStyle.paragraph,
            max_length=REASON_MAX,
            placeholder="Already covered by question #12; try a question about blueprints.",
        )
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        reason = self.reason.value

        async def work() -> None:
            await ensure_moderator(interaction)
            try:
                await reject(interaction, self.suggestion_id, reason)
            except StoreError as exc:
                # Nothing was saved: the reason goes back, to send again later.
                log.error("storage problem on %s: %s", interaction.data, exc)
                await give_back_typed(interaction, {"reason": reason}, storage_reply(exc))
            except UserError as exc:
                if not reason.strip():
                    raise
                # Refused (its text, the suggestion handled meanwhile): what was typed
                # goes back with why.
                await give_back_typed(interaction, {"reason": reason}, ui.error_text(exc))

        await handled(interaction, work)


REVIEW_LABELS = {"ok": "Approve", "edit": "Edit and approve", "no": "Reject"}
REVIEW_STYLES = {
    "ok": discord.ButtonStyle.success,
    "edit": discord.ButtonStyle.primary,
    "no": discord.ButtonStyle.danger,
}


class ReviewButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rb:sg:(?P<action>ok|edit|no):(?P<sid>\d+)",
):
    def __init__(self, suggestion_id: int, action: str):
        super().__init__(
            discord.ui.Button(
                label=REVIEW_LABELS[action],
                style=REVIEW_STYLES[action],
                custom_id=f"rb:sg:{action}:{suggestion_id}",
            )
        )
        self.suggestion_id = suggestion_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ReviewButton:
        return cls(int(match["sid"]), match["action"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            await ensure_moderator(interaction)
            store = bank(interaction).store
            found = await store.suggestion(self.suggestion_id)
            if found is None:
                # Its member erased their data, and the post was not drawn again without
                # them (the bot stopped first, or Discord failed the edit): drawn now.
                await interaction.response.edit_message(
                    embed=gone_review_embed(interaction.message, self.suggestion_id), view=None
                )
                return
            message = interaction.message
            if (
                found.message_id is None
                and found.guild_id == interaction.guild_id
                and message is not None
            ):
                # The database refused to record its post until the bot stopped (see
                # record_review_post): recorded now, for an erase to find it.
                try:
                    await store.set_suggestion_message(found.id, message.channel.id, message.id)
                except StoreError as exc:
                    log.warning("could not record the review post of suggestion %s: %s",
                                found.id, exc)
            if self.action == "ok":
                await approve(interaction, self.suggestion_id, None)
                return
            s = await pending_suggestion(interaction, self.suggestion_id)
            if self.action == "no":
                await ui.send_form(interaction, RejectModal(self.suggestion_id))
                return
            if await bank(interaction).store.deck_for_guild(s.guild_id, s.deck_id) is None:
                raise UserError(SUGGESTION_DECK_REMOVED)  # a form now would be typed for nothing
            sid = self.suggestion_id

            async def save(inter: discord.Interaction[Any], form: QuestionForm) -> None:
                await ensure_moderator(inter)
                await approve(inter, sid, form)

            await ui.send_form(
                interaction,
                QuestionModal(f"Edit suggestion #{sid}", save, form_from_question(s.question)),
            )

        await handled(interaction, work)


#: seconds waited before each new try at recording a review post whose write failed
RECORD_RETRIES = (5.0, 10.0, 20.0, 40.0, 80.0, 160.0)


async def record_review_post(
    bot: RecallBot, suggestion_id: int, channel_id: int, message_id: int
) -> None:
    """Record a suggestion's review post once the database takes the write: until then the
    suggestion no longer holds its place under the member's cap after a few minutes, and an
    erasure of the member's data could not clear the post."""
    failure: StoreError | None = None
    for delay in RECORD_RETRIES:
        await asyncio.sleep(delay)
        try:
            await bot.store.set_suggestion_message(suggestion_id, channel_id, message_id)
        except StoreError as exc:
            failure = exc
            continue
        log.info("recorded the review post of suggestion %s", suggestion_id)
        return
    log.error("gave up recording the review post of suggestion %s: %s", suggestion_id, failure)


#: how old a suggestion whose review post is not recorded may be for a start to look for it
UNRECORDED_LOOKBACK = timedelta(days=7)
#: what may fail a look for a review post: the database, or Discord
LOOKING_TROUBLE: tuple[type[Exception], ...] = (StoreError, *ui.DISCORD_TROUBLE)


async def find_review_posts(bot: RecallBot) -> None:
    """Record the review posts that went out unrecorded, the bot having stopped before
    recording which message each is (see record_review_post): until then the member is
    told theirs never reached the moderators, and an erase of their data could not clear
    it. Each is looked for in the review channel among the messages after it was made."""
    store = bot.store
    try:
        waiting = await store.unrecorded_suggestions(store.clock.now() - UNRECORDED_LOOKBACK)
    except StoreError as exc:
        log.warning("could not read the suggestions whose review post is not recorded: %s", exc)
        return
    for s in waiting:
        try:
            channel_id = (await store.settings_for(s.guild_id)).review_channel_id
            if channel_id is None:
                continue
            message_id = await find_review_post(bot, channel_id, s)
            if message_id is not None:
                await store.set_suggestion_message(s.id, channel_id, message_id)
                log.info("recorded the review post of suggestion %s, found in its channel", s.id)
        except LOOKING_TROUBLE as exc:
            log.warning("could not look for the review post of suggestion %s: %s", s.id, exc)


async def find_review_post(bot: RecallBot, channel_id: int, s: Suggestion) -> int | None:
    """The bot's review post of suggestion ``s`` in channel ``channel_id``, found by its
    Approve button; None when it is not there (it never went out)."""
    approve = f"rb:sg:ok:{s.id}"
    after = s.created_at - timedelta(minutes=1)
    channel = bot.get_channel(channel_id) or await bot.fetch_channel(channel_id)
    if not isinstance(channel, discord.abc.Messageable):
        return None
    async for message in channel.history(limit=100, after=after, oldest_first=True):
        if approve in ui.own_custom_ids(message, bot.user):
            return message.id
    return None


async def give_back(
    inter: discord.Interaction[Any], form: QuestionForm, why: str, again: str
) -> None:
    """Tell the member their suggestion was not saved, with what they typed attached and
    ``again``, the command that opens its form as it was."""
    note = typed_note(again, with_why=bool(form.why))
    await give_back_form(inter, form, why, note=note, filename="your-suggestion.txt")


#: how many decks a refusal lists
DECKS_LISTED = 20


def deck_slugs(decks: Sequence[DeckRow]) -> str:
    """The decks' slugs to choose from, the first ``DECKS_LISTED``, and how many more."""
    text = ", ".join(f"`{d.slug}`" for d in decks[:DECKS_LISTED])
    if len(decks) > DECKS_LISTED:
        text += f", … and {len(decks) - DECKS_LISTED} more"
    return text


class SuggestGroup(app_commands.Group):
    def __init__(self, bot: RecallBot):
        super().__init__(
            name="suggest",
            description="Suggest a question for this server's decks; see what became of yours.",
            guild_only=True,
        )
        self.bot = bot

    async def _target_deck(self, guild_id: int, deck: str | None) -> DeckRow:
        decks = await self.bot.store.decks_for_guild(guild_id, include_disabled=True)
        custom = [d for d in decks if not d.builtin]
        if deck:
            row = find_deck(decks, deck)
            if row is not None and not row.builtin:
                return row
            # Where suggestions go: the server's own decks (the refusals of the bank list
            # built-in decks too, and tell moderators how to copy one).
            where = (
                "Suggest for one of this server's own decks: " + deck_slugs(custom)
                if custom
                else "This server has no deck of its own to suggest for yet."
            )
            if row is None:
                typed = ui.one_line(deck, 80)
                raise UserError(f"There is no deck called “{ui.name(typed)}” here. " + where)
            raise UserError(
                f"**{ui.name(row.name)}** is a built-in deck, and built-in decks take no "
                "suggestions. " + where
            )
        if len(custom) == 1:
            return custom[0]
        if not custom:
            raise UserError(
                "This server has no deck of its own to suggest for yet; a moderator can "
                "create one with `/deck create`."
            )
        raise UserError(
            "Which deck is it for? Choose one with the `deck` option: " + deck_slugs(custom)
        )

    @app_commands.command(
        name="question",
        description="Suggest a question (opens a form); moderators review it. "
        f"At most {PENDING_CAP} of yours wait at once.",
    )
    @app_commands.describe(
        deck="The deck it belongs in (default: the server's only custom deck)",
        difficulty="How hard it is (default: medium)",
        why=f"Why it is asked, shown by the quiz's Hint button (at most {grouped(WHY_MAX)} characters)",
    )
    async def question(
        self,
        interaction: discord.Interaction[Any],
        deck: str | None = None,
        difficulty: Literal["easy", "medium", "hard"] = "medium",
        why: app_commands.Range[str, 1, WHY_MAX] | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        store = self.bot.store
        try:
            given = QuestionForm(why=check_why(why) if why is not None else "")
            settings = await store.settings_for(guild_id)
            if settings.review_channel_id is None:
                raise UserError(
                    "This server isn't taking suggestions yet: a moderator first sets a review "
                    "channel with `/settings review-channel`."
                )
            if await store.pending_suggestions(guild_id, interaction.user.id) >= PENDING_CAP:
                raise UserError(pending_cap_text(PENDING_CAP))
            row = await self._target_deck(guild_id, deck)
        except UserError as exc:
            if why is None:
                raise
            await give_back_why(interaction, why, str(exc))
            return

        again = command_text(
            "/suggest question",
            deck=row.slug,
            difficulty=difficulty if difficulty != "medium" else None,
        )

        async def save(inter: discord.Interaction[Any], form: QuestionForm) -> None:
            question = question_from_form(
                form, question_id=slug_for_prompt(form.prompt or "q"), difficulty=difficulty
            )
            await answer_first(inter)
            # Read now: a moderator may have moved (or cleared) it while the form was open.
            review_channel = (await store.settings_for(guild_id)).review_channel_id
            if review_channel is None:
                await give_back(
                    inter,
                    form,
                    "This server stopped taking suggestions while your form was open, so it "
                    "was not saved.",
                    again,
                )
                return
            found = inter.guild.get_channel(review_channel) if inter.guild else None
            if isinstance(found, discord.TextChannel) and (
                missing := review_post_missing(found)
            ):
                # Discord would refuse the post, or (no Embed Links) show moderators its
                # buttons with nothing to review: not saved, and the member is told why.
                await give_back(
                    inter,
                    form,
                    f"Your suggestion couldn't be posted in the review channel {found.mention}: "
                    f"Recall lacks **{', '.join(missing)}** there, so it was not saved. A "
                    f"moderator can give Recall {'that' if len(missing) == 1 else 'those'} "
                    f"({GRANT_HOW}) or choose another channel with `/settings review-channel`.",
                    again,
                )
                return
            sid = await store.create_suggestion(
                guild_id, inter.user.id, row.id, question, PENDING_CAP
            )
            s = await store.suggestion(sid)
            assert s is not None
            try:
                channel = self.bot.get_partial_messageable(review_channel, guild_id=guild_id)
                message = await channel.send(embed=review_embed(s), view=review_view(sid))
            except ui.DISCORD_TROUBLE as exc:
                # No moderator could ever review it: it must not wait (and count) forever.
                log.warning("could not post suggestion %s for review: %s", sid, exc)
                await store.withdraw_suggestion(sid)
                await give_back(
                    inter,
                    form,
                    "Your suggestion couldn't be posted in the review channel, so it was not "
                    "saved; a moderator should check `/settings review-channel`.",
                    again,
                )
                return
            try:
                await store.set_suggestion_message(sid, review_channel, message.id)
            except StoreError as exc:
                # The suggestion is saved and its post's buttons carry its number, so it waits
                # for review all the same: which message shows it is recorded a little later.
                log.warning("could not record the review post of suggestion %s: %s", sid, exc)
                self.bot.spawn(
                    record_review_post(self.bot, sid, review_channel, message.id),
                    name=f"suggestion-post-{sid}",
                )
            await inter.followup.send(
                f"Thanks! Suggestion #{sid} for **{ui.name(row.name)}** is waiting for review. "
                "`/suggest status` shows how it's going.",
                ephemeral=True,
            )

        await QuestionModal(
            f"Suggest for {row.name}", save, given, why_typed=why is not None, again=again
        ).send(interaction)

    @app_commands.command(
        name="status", description="See your suggestions and what became of them."
    )
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        items = await self.bot.store.member_suggestions(interaction.guild_id, interaction.user.id)
        if not items:
            await interaction.response.send_message(
                "You haven't suggested any questions here yet; `/suggest question` opens the form.",
                ephemeral=True,
            )
            return
        now = self.bot.store.clock.now()
        lost = {s.id for s in items if never_posted(s, now)}
        lines = []
        for s in items:
            badge = NOT_RECEIVED if s.id in lost else STATE_BADGE.get(s.state, s.state)
            line = (
                f"**#{s.id}** {ui.one_line(s.question.prompt, 80)} · "
                f"*{ui.name(ui.clip(s.deck_name, 40))}* · {badge}"
            )
            if s.state == "approved" and s.question_id:
                line += f" as question #{s.question_id}"
            if s.state == "rejected" and s.reason:
                line += f": {ui.one_line(s.reason, 200)}"
            lines.append(line)
        # Waiting ones first, then the latest decided: what does not fit is the oldest.
        body = ui.fit_lines(
            lines, ui.EMBED_DESCRIPTION, lambda _n: "… older suggestions are not shown."
        )
        embed = ui.info_embed("Your suggestions", body)
        pending = sum(1 for s in items if s.state == "pending" and s.id not in lost)
        embed.set_footer(text=f"{pending} waiting; at most {PENDING_CAP} may wait at once.")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @question.autocomplete("deck")
    async def deck_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await deck_choices(self.bot, interaction.guild_id or 0, current, custom_only=True)


class Suggest(commands.Cog):
    def __init__(self, bot: RecallBot):
        self.bot = bot
        self.group = SuggestGroup(bot)
        self._looked = False

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.group)
        self.bot.add_dynamic_items(ReviewButton)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.group.name)
        self.bot.remove_dynamic_items(ReviewButton)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Review posts a stop left unrecorded, once a run (on_ready comes again on reconnects).
        if not self._looked:
            self._looked = True
            self.bot.spawn(find_review_posts(self.bot), name="suggestion-posts")
            # Review posts of erased members a stop (or Discord) left showing them.
            try:
                waiting = await self.bot.store.review_posts_to_clear()
            except StoreError as exc:
                log.warning("could not read the review posts waiting to be cleared: %s", exc)
            else:
                if waiting:
                    self.bot.spawn(clear_review_posts(self.bot, waiting), name="erase-suggestions")


async def setup(bot: RecallBot) -> None:
    await bot.add_cog(Suggest(bot))
