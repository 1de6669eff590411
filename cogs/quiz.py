"""/quiz: a question in the channel that anyone can play along with.

Every button is a DynamicItem whose custom_id carries the keys (post, member, rating or
option); the state is in the database, so buttons work after any number of restarts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands
from discord.http import handle_message_parameters

from bot.bank import deck_key, decks_offered, tags_offered
from bot.client import RecallBot, reply_ephemeral, storage_reply
from bot.clock import from_db
from bot.errors import OptionGone, UserError
from bot.quiz import Rating, option_fingerprint
from bot.quiz_service import (
    Graded,
    QuizPost,
    QuizService,
    became_multiple_choice,
    hint_taken_out,
)
from bot.store import AttemptResult, PostRow, StoreError
from bot.text import count, grouped
from cogs import ui
from cogs.checks import GRANT_HOW, cannot_see
from cogs.threads import THREAD_ARCHIVED, ThreadStaysArchived, edit_reopening_thread

log = logging.getLogger("cogs.quiz")

RATING_STYLE = {
    Rating.again: discord.ButtonStyle.danger,
    Rating.hard: discord.ButtonStyle.secondary,
    Rating.good: discord.ButtonStyle.success,
    Rating.easy: discord.ButtonStyle.primary,
}


def quiz_cog(interaction: discord.Interaction[Any]) -> Quiz:
    cog = interaction.client.get_cog("Quiz")
    assert isinstance(cog, Quiz)
    return cog


def service(interaction: discord.Interaction[Any]) -> QuizService:
    return quiz_cog(interaction).quiz


async def handled(
    interaction: discord.Interaction[Any], work: Callable[[], Awaitable[None]]
) -> None:
    """Run a button's work; a member's mistake gets an ephemeral answer, a fault gets logged."""
    try:
        await work()
    except UserError as exc:
        await reply_ephemeral(interaction, ui.error_text(exc))
    except StoreError as exc:
        log.error("storage problem on %s: %s", interaction.data, exc)
        await reply_ephemeral(interaction, storage_reply(exc))
    except Exception as exc:
        data: dict[str, Any] = dict(interaction.data or {})
        if isinstance(exc, discord.NotFound) and exc.code == 10062:
            # Answered after Discord's 3 s: the token is dead, so no reply can reach anyone.
            log.warning("button %s answered too late: %s", data.get("custom_id"), exc.text)
            return
        log.exception("button %s failed", data.get("custom_id"))
        await reply_ephemeral(
            interaction, "Something went wrong on our side; it has been logged. Please try again."
        )


# -- rendering --------------------------------------------------------------------------------


def public_embed(
    qp: QuizPost, answered: int, asker: str | None, *, thread: bool | None = None
) -> discord.Embed:
    q = qp.question.question
    bits = []
    if asker:
        bits.append(f"Asked by {ui.isolated(asker)}")
    if not qp.post.private:
        bits.append(f"{count(answered, 'member')} answered")
    title = "Quiz"
    if qp.post.kind == "qotd":
        title = f"Question of the day #{qp.post.number}" + (
            " (posted late)" if qp.post.late else ""
        )
        if qp.post.thread_id if thread is None else thread:
            bits.append("discuss in the thread")
    return ui.question_embed(
        question_id=qp.question.id,
        deck_name=qp.question.deck_name,
        prompt=q.prompt,
        tags=q.tags,
        difficulty=q.difficulty.value,
        options=[o.text for o in q.options],
        title=title,
        footer=" · ".join(bits),
    )


def outdated(
    interaction: discord.Interaction[Any],
    post_id: int,
    exc: OptionGone,
    then: str = " The buttons are being updated: pick again in a moment.",
) -> OptionGone:
    """The refusal of a click on out-of-date buttons; when the post's message can be redrawn,
    it is, and the member is told so (``then``: by default, to pick again)."""
    if not exc.redraw:
        return exc
    quiz_cog(interaction).redraw(post_id)
    return OptionGone(f"{exc}{then}")


def unstored(view: discord.ui.View) -> discord.ui.View:
    """``view``, finished before it is sent: its buttons are DynamicItems, dispatched by
    custom_id whatever message they are on, so discord.py need not keep the view in its view
    store (where an ephemeral one would also get a 15-minute timeout task of its own)."""
    view.stop()
    return view


def question_view(qp: QuizPost, *, closed_label: str | None = None) -> discord.ui.View:
    """Buttons of a question: options or Reveal, then Hint and (for /quiz) Next. A closed
    question of the day shows its summary as a disabled button; members may still answer
    for their own reviews."""
    view = discord.ui.View(timeout=None)
    q = qp.question.question
    if q.options:
        for i, option in enumerate(q.options):
            view.add_item(OptionButton(qp.post.id, i, option.text))
    else:
        view.add_item(RevealButton(qp.post.id))
    if q.why and closed_label is None:
        view.add_item(HintButton(qp.post.id))
    if qp.post.kind == "quiz":
        view.add_item(NextButton(qp.post.id))
    if closed_label is not None:
        view.add_item(
            discord.ui.Button(
                label=ui.clip(closed_label, ui.BUTTON_LABEL),
                disabled=True,
                custom_id=f"rq:closed:{qp.post.id}",
                row=1,
            )
        )
    return unstored(view)


def points_line(result: AttemptResult) -> str:
    """What an attempt scored: as an award when it was just stored, as what it earned when
    it is an earlier answer shown again."""
    if not result.new:
        if result.scored and result.points:
            return f"It earned {count(result.points, 'point')}."
        return "It earned no points."
    if result.scored and result.points:
        return f"**+{result.points} point{'s' if result.points != 1 else ''}**" + (
            f" ({result.reason})" if result.reason else ""
        )
    if result.scored:
        return f"No points: {result.reason}." if result.reason else "No points."
    return f"No points: {result.reason}." if result.reason else "No points."


def verdict_for(graded: Graded) -> str:
    """What the member's attempt was, as stored: a self-grade or an option picked, even when
    the question was made multiple choice, or no longer is, since."""
    q = graded.question.question
    result = graded.result
    again = "" if result.new else "You already answered this one. "
    if result.option_index is not None and not q.options:
        # Answered from options the question no longer has.
        head = (
            f"{'✅' if result.correct else '❌'} You already answered this one, when it was "
            f"multiple choice: your answer was {'right' if result.correct else 'wrong'}"
        )
    elif result.option_index is not None:
        right = q.correct_index or 0
        chosen = result.option_index
        right_text = f"**{ui.OPTION_LETTERS[right]}. {q.options[right].text}**"
        if result.correct:
            head = f"✅ {again}Right: {right_text}"
        else:
            picked = ui.chosen_option([o.text for o in q.options], chosen, result.option_text)
            head = f"❌ {again}You chose {picked}; the answer is {right_text}"
    else:
        head = f"{again}You graded yourself **{Rating(result.rating).label}**"
    removed = (
        "\n*This question has since been removed from its deck.*" if graded.question.removed else ""
    )
    return f"{head}\n{points_line(result)}{removed}"


def answer_for(qp: QuizPost, verdict: str = "") -> discord.Embed:
    q = qp.question.question
    return ui.answer_embed(
        question_id=qp.question.id,
        prompt=q.prompt,
        key_points=q.key_points,
        answer=q.answer,
        verdict=verdict,
    )


def grade_view(
    post: PostRow, user_id: int, chosen: int | None = None, *, message_id: int | None = None
) -> discord.ui.View:
    """Grade buttons for one member; ``message_id`` (the public message the answer was
    revealed from) rides along in their custom_id, so the grade can record where the live
    count is shown without a write of its own."""
    view = discord.ui.View(timeout=None)
    for rating in Rating:
        view.add_item(
            GradeButton(
                post.id, user_id, rating, disabled=chosen is not None, chosen=chosen,
                message_id=message_id,
            )
        )
    if post.kind == "quiz":
        view.add_item(NextButton(post.id, row=1))
    return unstored(view)


def channel_message_id(interaction: discord.Interaction[Any]) -> int | None:
    """The channel message a click came from; None for a private (ephemeral) one."""
    message = interaction.message
    return None if message is None or message.flags.ephemeral else message.id


def public_message_id(interaction: discord.Interaction[Any], qp: QuizPost) -> int | None:
    """The channel message a click on a public post came from, while the post does not
    know it yet (the live count is edited there)."""
    if qp.post.private or qp.post.message_id is not None:
        return None
    return channel_message_id(interaction)


async def shown_post(interaction: discord.Interaction[Any], qp: QuizPost) -> PostRow:
    """The post of a click on its message, with that message recorded when no grade has
    recorded it yet (so that the message can be redrawn), unless the post is closed."""
    post = qp.post
    seen = public_message_id(interaction, qp)
    if seen is not None and post.closed_at is None:
        await service(interaction).store.remember_message(post.id, seen)
        post = dataclasses.replace(post, message_id=seen)
    return post


def next_only_view(post: PostRow) -> discord.ui.View:
    """After answering: Next question for /quiz posts, nothing for a question of the day."""
    view = discord.ui.View(timeout=None)
    if post.kind == "quiz":
        view.add_item(NextButton(post.id))
    return unstored(view)


# -- buttons ---------------------------------------------------------------------------------


class RevealButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"rq:rv:(?P<post>\d+)"):
    def __init__(self, post_id: int):
        super().__init__(
            discord.ui.Button(
                label="Reveal answer",
                style=discord.ButtonStyle.primary,
                custom_id=f"rq:rv:{post_id}",
                emoji="👀",
            )
        )
        self.post_id = post_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RevealButton:
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            qp, read = await service(interaction).load_for(self.post_id, interaction.user.id)
            previous = read.attempt
            if previous is not None:
                verdict = verdict_for(Graded(qp.post, qp.question, previous))
                await interaction.response.send_message(
                    embed=answer_for(qp, verdict), view=next_only_view(qp.post), ephemeral=True
                )
                return
            if qp.question.question.is_multiple_choice:
                post = await shown_post(interaction, qp)
                raise outdated(interaction, self.post_id, became_multiple_choice(post))
            await interaction.response.send_message(
                embed=answer_for(qp, "How well did you know it? Grade yourself:"),
                view=grade_view(
                    qp.post, interaction.user.id, message_id=public_message_id(interaction, qp)
                ),
                ephemeral=True,
            )

        await handled(interaction, work)


class HintButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"rq:hint:(?P<post>\d+)"):
    def __init__(self, post_id: int):
        super().__init__(
            discord.ui.Button(
                label="Hint",
                style=discord.ButtonStyle.secondary,
                custom_id=f"rq:hint:{post_id}",
                emoji="💡",
            )
        )
        self.post_id = post_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> HintButton:
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            qp = await service(interaction).load(self.post_id)
            q = qp.question.question
            if not q.why:
                # Taken out since it was posted (the button is only put on with a hint).
                raise outdated(
                    interaction,
                    self.post_id,
                    hint_taken_out(await shown_post(interaction, qp)),
                    then=" The buttons are being updated.",
                )
            await interaction.response.send_message(
                embed=ui.hint_embed(prompt=q.prompt, why=q.why), ephemeral=True
            )

        await handled(interaction, work)


class OptionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rq:mc:(?P<post>\d+):(?P<option>\d)(?::(?P<mark>[0-9a-f]{8}))?",
):
    """One option of a multiple-choice question. The custom_id carries the option's place
    and a mark of its text (older buttons have no mark), so a click is graded by the text
    the member saw, even after the question's options were edited."""

    def __init__(self, post_id: int, option: int, text: str = "", *, mark: str | None = None):
        letter = ui.OPTION_LETTERS[option] if option < len(ui.OPTION_LETTERS) else str(option + 1)
        label = ui.clip(f"{letter}. {text}" if text else letter, ui.BUTTON_LABEL)
        if mark is None and text:
            mark = option_fingerprint(text)
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"rq:mc:{post_id}:{option}" + (f":{mark}" if mark else ""),
            )
        )
        self.post_id = post_id
        self.option = option
        self.mark = mark

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> OptionButton:
        return cls(int(match["post"]), int(match["option"]), mark=match["mark"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            try:
                graded = await service(interaction).choose(
                    self.post_id,
                    interaction.user.id,
                    interaction.user.display_name,
                    self.option,
                    fingerprint=self.mark,
                    message_id=channel_message_id(interaction),
                )
            except OptionGone as exc:
                seen = channel_message_id(interaction)
                if exc.redraw and seen is not None:
                    # No grade has recorded the message yet: record it, so it is redrawn.
                    await service(interaction).store.remember_message(self.post_id, seen)
                raise outdated(interaction, self.post_id, exc) from None
            # Noted before the reply, in the order the grades were stored.
            quiz_cog(interaction).count_changed(graded)
            qp = QuizPost(graded.post, graded.question)
            await interaction.response.send_message(
                embed=answer_for(qp, verdict_for(graded)),
                view=next_only_view(qp.post),
                ephemeral=True,
            )

        await handled(interaction, work)


class GradeButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rq:g:(?P<post>\d+):(?P<user>\d+):(?P<rating>[1-4])(?::(?P<msg>\d+))?",
):
    def __init__(
        self,
        post_id: int,
        user_id: int,
        rating: Rating,
        *,
        disabled: bool = False,
        chosen: int | None = None,
        message_id: int | None = None,
    ):
        style = (
            RATING_STYLE[rating]
            if chosen is None or chosen == rating
            else discord.ButtonStyle.secondary
        )
        super().__init__(
            discord.ui.Button(
                label=rating.label,
                style=style,
                custom_id=f"rq:g:{post_id}:{user_id}:{int(rating)}"
                + (f":{message_id}" if message_id else ""),
                disabled=disabled,
            )
        )
        self.post_id = post_id
        self.user_id = user_id
        self.rating = rating
        self.message_id = message_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> GradeButton:
        msg = match["msg"]
        return cls(
            int(match["post"]),
            int(match["user"]),
            Rating(int(match["rating"])),
            message_id=int(msg) if msg else None,
        )

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            if interaction.user.id != self.user_id:
                raise UserError(
                    "These grade buttons belong to another member. Press **Reveal answer** to grade yourself."
                )
            try:
                graded = await service(interaction).grade(
                    self.post_id,
                    interaction.user.id,
                    interaction.user.display_name,
                    self.rating,
                    message_id=self.message_id,
                )
            except OptionGone as exc:
                if exc.redraw and self.message_id is not None:
                    # No grade has recorded the message yet: record it, so it is redrawn.
                    await service(interaction).store.remember_message(
                        self.post_id, self.message_id
                    )
                raise outdated(interaction, self.post_id, exc) from None
            # Noted before the reply, in the order the grades were stored.
            quiz_cog(interaction).count_changed(graded)
            qp = QuizPost(graded.post, graded.question)
            await interaction.response.edit_message(
                embed=answer_for(qp, verdict_for(graded)),
                view=grade_view(
                    graded.post,
                    self.user_id,
                    chosen=graded.result.rating,
                    message_id=self.message_id,
                ),
            )

        await handled(interaction, work)


class NextButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"rq:next:(?P<post>\d+)"):
    def __init__(self, post_id: int, row: int | None = None):
        super().__init__(
            discord.ui.Button(
                label="Next question",
                style=discord.ButtonStyle.secondary,
                custom_id=f"rq:next:{post_id}",
                emoji="➡️",
            ),
            row=row,
        )
        self.post_id = post_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> NextButton:
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            qp = await service(interaction).next_for(
                self.post_id, interaction.user.id, interaction.user.display_name
            )
            await interaction.response.send_message(
                qp.note or None,
                embed=public_embed(qp, 0, None),
                view=question_view(qp),
                ephemeral=True,
            )

        await handled(interaction, work)


# -- the cog ---------------------------------------------------------------------------------


#: tries of one count edit that Discord fails, a ``count_delay`` apart
COUNT_EDIT_ATTEMPTS = 4
#: seconds the edits left to make when the bot stops may take, all together
UNLOAD_EDITS_WITHIN = 5.0


class Quiz(commands.Cog):
    """Quizzes in a channel."""

    #: seconds to gather grades before the public count is edited (Discord rate-limits edits)
    count_delay: float = 1.0

    def __init__(self, bot: RecallBot):
        self.bot = bot
        self.quiz = QuizService(bot.store, escape=ui.name)
        self._dirty: set[int] = set()
        self._updating: set[int] = set()
        self._find: set[int] = set()
        self._reopen: set[int] = set()
        #: the posts answered before the start were drawn again (once a run: READY comes
        #: again after a fresh session, while this run's count edits go on)
        self._started = False
        #: a count left wrong on its message (an edit given up or failed): the next start
        #: draws the posts answered last again, as after a crash
        self._counts_left = False

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RevealButton, HintButton, OptionButton, GradeButton, NextButton)

    async def cog_unload(self) -> None:
        # The bot stops (or the cog reloads): counts waiting for their edit are written now,
        # not left wrong on the message until someone else answers after the restart.
        await self._write_gathering()
        self.bot.remove_dynamic_items(
            RevealButton, HintButton, OptionButton, GradeButton, NextButton
        )

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Posts a member's erase left showing them, their redraw cut short by a stop; and
        # the posts answered just before the bot stopped, whose count edit a crash (the
        # process killed) may have cut short: a clean stop makes them as it unloads.
        try:
            waiting = await self.quiz.store.posts_to_redraw()
            answered = [] if self._started else await self.quiz.store.posts_answered_last()
        except StoreError as exc:
            log.warning("could not read the quiz posts waiting to be drawn again: %s", exc)
            return
        self._started = True
        for post_id, _ in waiting:
            self.redraw(post_id, find=True, reopen=True)
        for post_id in answered:
            self.redraw(post_id)

    @app_commands.command(
        name="quiz", description="Ask a question in this channel; anyone can play along."
    )
    @app_commands.guild_only()
    @app_commands.describe(
        deck="Which deck to ask from (default: every enabled deck)",
        tag="Only questions with this tag",
        difficulty="Only questions of this difficulty",
        private="Only you see the question and your answers",
    )
    async def quiz_command(
        self,
        interaction: discord.Interaction[Any],
        deck: str | None = None,
        tag: str | None = None,
        difficulty: Literal["easy", "medium", "hard"] | None = None,
        private: bool = False,
    ) -> None:
        assert interaction.guild_id is not None
        if not private and not interaction.app_permissions.view_channel:
            # The post would go up (an interaction's reply needs no permission), but the bot
            # could never edit it: its count would say 0 answered for good.
            raise UserError(
                f"{cannot_see(interaction.channel_id)}, so it could not "
                "keep a public question's count of answers up to date. A moderator can give "
                f"Recall View Channel ({GRANT_HOW}); meanwhile `/quiz private:True` asks you "
                "a question only you see."
            )
        qp = await self.quiz.start(
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id or 0,
            user_id=interaction.user.id,
            user_name=interaction.user.display_name,
            deck=deck,
            tag=tag,
            difficulty=difficulty,
            private=private,
        )
        asker = None if private else interaction.user.display_name
        # The reply is the command's last step: the public message's id is recorded by the
        # first click on it (see remember_message), so nothing runs after the answer.
        await interaction.response.send_message(
            embed=public_embed(qp, 0, asker), view=question_view(qp), ephemeral=private
        )

    @quiz_command.autocomplete("deck")
    async def deck_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await deck_choices(self.bot, interaction.guild_id or 0, current, enabled=True)

    @quiz_command.autocomplete("tag")
    async def tag_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await tag_choices(self.bot, interaction, current)

    # -- live count on public posts ----------------------------------------------------------

    def count_changed(self, graded: Graded) -> None:
        """Note a new answer on a public post; its count is edited soon, in one go."""
        if not graded.result.new or graded.post.private:
            return
        self.redraw(graded.post.id)

    def redraw(self, post_id: int, *, find: bool = False, reopen: bool = False) -> None:
        """Have a public post's message redrawn soon, from the database: its count and its
        buttons (a click may have found them out of date: the question's options or hint
        were taken out, say). With ``find``, a post whose message no click has recorded yet
        (nobody answered it) has its message looked for in its channel. With ``reopen`` (a
        member erased their data, which the message must stop showing), a message in a
        thread archived since is edited by unarchiving the thread for the edit; otherwise
        that edit waits for the next answer, as the thread's next activity."""
        if find:
            self._find.add(post_id)
        if reopen:
            self._reopen.add(post_id)
        self._dirty.add(post_id)
        if post_id not in self._updating:
            self._updating.add(post_id)
            self.bot.spawn(self._update_count(post_id), name=f"quiz-count-{post_id}")

    async def _update_count(self, post_id: int) -> None:
        failures = 0
        stopped = False
        editing = reopen = False
        try:
            while post_id in self._dirty:
                editing = False
                await asyncio.sleep(self.count_delay)
                self._dirty.discard(post_id)
                reopen = post_id in self._reopen
                self._reopen.discard(post_id)
                editing = True
                try:
                    await self._edit_post(post_id, reopen=reopen)
                except discord.Forbidden as exc:
                    # Recall lost View Channel there: every try would be refused the same
                    # until a moderator changes the channel. The next answer tries again.
                    log.warning("could not update the count on post %s: %s", post_id, exc.text)
                except ui.DISCORD_TROUBLE as exc:
                    if getattr(exc, "code", None) == THREAD_ARCHIVED:
                        # Its thread was archived: no edit reaches it until it is unarchived.
                        # The next answer tries again.
                        log.info("the count on post %s waits: its thread is archived", post_id)
                        continue
                    # Discord's own trouble (a 503, a 500 after its retries, the network):
                    # the count is edited again after the delay, a few times at most.
                    failures += 1
                    log.warning("could not update the count on post %s: %s", post_id, exc)
                    if failures < COUNT_EDIT_ATTEMPTS:
                        self._dirty.add(post_id)
                        if reopen:
                            self._reopen.add(post_id)
                    else:
                        # Left wrong: the next start draws it again (see on_ready).
                        self._counts_left = True
                else:
                    failures = 0
        except asyncio.CancelledError:
            # The bot is stopping: a count still gathering (in _dirty) is written as the cog
            # unloads (see cog_unload), its message looked for first if it was to be. So is
            # one whose edit the stop cut short (held up by Discord's rate limit, say).
            stopped = True
            if editing:
                self._dirty.add(post_id)
                if reopen:
                    self._reopen.add(post_id)
            raise
        finally:
            self._updating.discard(post_id)
            if not stopped:
                self._find.discard(post_id)
                self._reopen.discard(post_id)

    async def _edit_post(self, post_id: int, *, reopen: bool = False) -> None:
        """Redraw a public post's message from the database, now: its count and its buttons.
        Nothing for a post that is private, closed or whose message is unknown (or deleted).
        With ``reopen`` (a member erased their data), a message in a thread archived since
        is edited by unarchiving the thread for the edit; one in a thread Recall may not
        reopen is left as it is, said once in the log; and the post stops waiting for that
        redraw in the database once it is made or can never be (refused with a 4xx other
        than 429); Discord's own trouble (429, 5xx, the network) leaves it waiting, for the
        next start if need be."""
        if not reopen:
            await self._draw_post(post_id, reopen=False)
            return
        store = self.quiz.store
        mark = await store.redraw_mark(post_id)
        try:
            await self._draw_post(post_id, reopen=True)
        except discord.HTTPException as exc:
            if ui.refused_for_good(exc):
                # No later try would do better; a 429 passes, as Discord's trouble does.
                await store.post_redrawn(post_id, mark)
            raise
        await store.post_redrawn(post_id, mark)

    async def _draw_post(self, post_id: int, *, reopen: bool) -> None:
        # Read when the edit is made: the post may have closed (a question of the day) or
        # its question changed since the grade.
        qp, read = await self.quiz.load_for(post_id, counts=True)
        post = qp.post
        if post.message_id is None and post_id in self._find:
            found = await self._find_message(post)
            self._find.discard(post_id)
            if found is not None:
                await self.quiz.store.remember_message(post_id, found)
                post = dataclasses.replace(post, message_id=found)
        if post.private or post.message_id is None or post.closed_at is not None:
            return
        answered, _ = read.counts or (0, 0)
        embed = public_embed(qp, answered, post.author_name)
        # The buttons are redrawn with the embed, from the question as it is now: options
        # edited, added or taken out, a hint written or taken out since it was posted.
        view = question_view(qp)
        try:
            # The edited message is not needed: no Message is built from the reply.
            with handle_message_parameters(embed=embed, view=view) as params:
                if reopen:
                    await edit_reopening_thread(self.bot, post.channel_id, post.message_id, params)
                else:
                    await self.bot.http.edit_message(
                        post.channel_id, post.message_id, params=params
                    )
        except discord.NotFound:
            return
        except ThreadStaysArchived as exc:
            # Locked by a moderator, or Recall could not archive it again: left as it is.
            log.warning("message %s of post %s is left as it is: %s", post.message_id, post_id, exc)

    async def _write_gathering(self) -> None:
        """The edits the bot's stop interrupted while their counts were gathering, made
        once each, within ``UNLOAD_EDITS_WITHIN`` seconds in all."""
        pending = sorted(self._dirty)
        reopen = set(self._reopen)
        self._dirty.clear()
        self._reopen.clear()

        async def one(post_id: int) -> None:
            try:
                await self._edit_post(post_id, reopen=post_id in reopen)
            except Exception as exc:
                self._counts_left = True
                if not isinstance(exc, (UserError, StoreError, *ui.DISCORD_TROUBLE)):
                    log.exception("updating the count on post %s as the bot stopped failed", post_id)
                    return
                log.warning(
                    "could not update the count on post %s as the bot stopped: %s", post_id, exc
                )

        try:
            async with asyncio.timeout(UNLOAD_EDITS_WITHIN):
                await asyncio.gather(*(one(post_id) for post_id in pending))
        except TimeoutError:
            log.warning("gave up updating the counts of %d posts as the bot stopped", len(pending))
            self._counts_left = True
        finally:
            self._find.clear()
        if self._started and not self._counts_left:
            # Every count is on its message: the next start need not draw any again.
            try:
                await self.quiz.store.note_counts_written()
            except StoreError as exc:
                log.warning("could not note that the counts were written: %s", exc)

    async def _find_message(self, post: PostRow) -> int | None:
        """The bot's message showing a public post, found by its buttons among the channel's
        messages from the post's creation on; None when it is not found."""
        if post.private:
            return None
        after = from_db(post.created_at) - timedelta(minutes=1)
        try:
            # A thread archived since is not among the channels discord.py keeps.
            channel = self.bot.get_channel(post.channel_id) or await self.bot.fetch_channel(
                post.channel_id
            )
            if not isinstance(channel, discord.abc.Messageable):
                return None
            async for message in channel.history(limit=100, after=after, oldest_first=True):
                if ui.shows_post(message, self.bot.user, post.id):
                    return message.id
        except (discord.NotFound, discord.Forbidden) as exc:
            # The channel is gone or out of reach: the message will not be found.
            log.warning("could not look for the message of post %s: %s", post.id, exc)
        return None


async def deck_choices(
    bot: RecallBot,
    guild_id: int,
    current: str,
    *,
    custom_only: bool = False,
    enabled: bool | None = None,
) -> list[app_commands.Choice[str]]:
    """Choices for a deck option (see ``decks_offered``), each with its number of questions
    and whether it is off."""
    decks = await bot.store.decks_for_guild(guild_id, include_disabled=True)
    out = []
    for d in decks_offered(decks, current, custom_only=custom_only, enabled=enabled):
        off = "" if d.enabled else ", off"
        # A long name is cut, not what follows it: how many questions, and whether it is off.
        tail = f" ({count(d.questions, 'question')}{off})"
        out.append(
            app_commands.Choice(
                name=ui.clip(d.name, 100 - len(tail)) + tail, value=deck_key(d, decks)
            )
        )
    return out


async def tag_choices(
    bot: RecallBot,
    interaction: discord.Interaction[Any],
    current: str,
    *,
    include_disabled: bool = False,
    deck: str | None = None,
) -> list[app_commands.Choice[str]]:
    """Choices for a ``tag`` option (see ``tags_offered``): the tags of ``deck``, or of the
    deck already chosen in the command's ``deck`` option, else of every deck, and of the
    questions of the ``difficulty`` chosen, if one was, each with its number of questions."""
    tags = await tags_offered(
        bot.store,
        interaction.guild_id or 0,
        deck or getattr(interaction.namespace, "deck", None),
        current,
        include_disabled=include_disabled,
        difficulty=getattr(interaction.namespace, "difficulty", None),
    )
    return [app_commands.Choice(name=ui.clip(f"{tag} ({grouped(n)})", 100), value=tag) for tag, n in tags]


async def setup(bot: RecallBot) -> None:
    await bot.add_cog(Quiz(bot))
