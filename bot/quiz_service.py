"""The /quiz flow as plain Python: start, reveal, grade, choose, next. The cog only renders."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.bank import Escape, deck_key, find_deck
from bot.errors import OptionGone, UserError
from bot.questions import Difficulty, typed_tag
from bot.quiz import Candidate, Rating, Seen, mc_rating, option_clicked, pick_question
from bot.store import (
    AttemptRequest,
    AttemptResult,
    DeckRow,
    PostGrade,
    PostRow,
    QuizPostRead,
    Store,
    StoredQuestion,
)
from bot.text import fit_lines, grouped

#: the characters of one message (Discord's limit): what a refusal may hold
MESSAGE_MAX = 2000


@dataclass(frozen=True)
class QuizPost:
    post: PostRow
    question: StoredQuestion
    #: said with the question, when it needs a word (Next gave back the same question)
    note: str = ""


@dataclass(frozen=True)
class Graded:
    post: PostRow
    question: StoredQuestion
    result: AttemptResult


class QuizService:
    #: seconds in which a member's second Next on the same post is the same click twice
    #: (a double click, a retried tap): it is answered with the question the first gave
    next_repeat: float = 5.0

    def __init__(
        self, store: Store, rng: random.Random | None = None, *, escape: Escape = str
    ):
        self.store = store
        self.rng = rng or random.Random()
        #: deck names and what members typed for one, as messages show them
        self.escape = escape
        #: (post, member) -> (when, the new post) of recent Next clicks
        self._nexts: dict[tuple[int, int], tuple[float, asyncio.Future[QuizPost]]] = {}

    async def resolve_deck(
        self, guild_id: int, text: str | None, *, tags: bool = True
    ) -> DeckRow | None:
        """A deck named by slug, id or name (loosely); None when no deck was asked for.
        ``tags``: a deck not found is answered with the tags too (for a command with a tag
        option), not only the decks."""
        if text is None or not text.strip():
            return None
        decks = await self.store.decks_for_guild(guild_id, include_disabled=True)
        deck = find_deck(decks, text)
        if deck is None:
            head = f"There is no deck called “{self.escape(text.strip())}”. "
            raise UserError(
                head + await self.available(guild_id, room=MESSAGE_MAX - len(head), tags=tags)
            )
        if not deck.enabled:
            raise UserError(
                f"The deck **{self.escape(deck.name)}** is switched off in this server. "
                "A moderator can turn it on with `/deck enable`."
            )
        return deck

    async def available(
        self,
        guild_id: int,
        deck_id: int | None = None,
        *,
        room: int = MESSAGE_MAX,
        tags: bool = True,
    ) -> str:
        """A sentence listing the decks and tags a quiz here can use: the tags of the deck
        ``deck_id`` when one was asked for, else those of every enabled deck; with
        ``tags`` False, the decks only. Within ``room`` characters: the decks are cut short
        first ("and 12 more"), so the tags stay whole."""
        everything = await self.store.decks_for_guild(guild_id, include_disabled=True)
        decks = [d for d in everything if d.enabled]
        if not decks:
            return "No decks are enabled in this server; a moderator can enable one with `/deck enable`."
        deck = next((d for d in decks if d.id == deck_id), None)
        tag_part = ""
        if tags:
            tag_rows = await self.store.tags_for_guild(guild_id, deck.id if deck else None)
            tag_list = ", ".join(f"`{t}`" for t, _ in tag_rows[:40])
            more = f" and {grouped(len(tag_rows) - 40)} more" if len(tag_rows) > 40 else ""
            label = f"Tags in **{self.escape(deck.name)}**" if deck else "Tags"
            tag_part = f" {label}: {tag_list or 'none'}{more}."
        deck_list = fit_lines(
            [
                f"**{self.escape(d.name)}** (`{deck_key(d, everything)}`, {grouped(d.questions)})"
                for d in decks
            ],
            room - len(f"Decks: .{tag_part}"),
            lambda n: f"and {grouped(n)} more",
            sep=", ",
        )
        return f"Decks: {deck_list}.{tag_part}"

    async def start(
        self,
        *,
        guild_id: int,
        channel_id: int,
        user_id: int,
        user_name: str,
        deck: str | None,
        tag: str | None,
        difficulty: str | None,
        private: bool,
    ) -> QuizPost:
        deck_row = await self.resolve_deck(guild_id, deck)
        tag_value = typed_tag(tag or "") or None
        if difficulty is not None and difficulty not in Difficulty.__members__:
            raise UserError("Difficulty must be easy, medium or hard.")
        return await self._new_post(
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            user_name=user_name,
            deck_id=deck_row.id if deck_row else None,
            tag=tag_value,
            difficulty=difficulty,
            private=private,
        )

    async def next_for(self, post_id: int, user_id: int, user_name: str) -> QuizPost:
        """A new question for the member who asked, with the same filters, shown to them alone.

        The question of ``post_id`` counts as the member's latest seen, whether or not they
        graded it (a reveal stores nothing), so Next does not give it straight back, and its
        tags as the ones they practised last, so Next turns to other tags.

        The member's Next on the same post again within ``next_repeat`` seconds (a double
        click) gets the same new post, not a second one; a Next that failed is tried afresh.
        """
        key = (post_id, user_id)
        now = time.monotonic()
        for old in [k for k, (at, _) in self._nexts.items() if now - at >= self.next_repeat]:
            del self._nexts[old]
        earlier = self._nexts.get(key)
        made: asyncio.Future[QuizPost]
        if earlier is None:
            made = asyncio.ensure_future(self._next_post(post_id, user_id, user_name))
            self._nexts[key] = (now, made)

            def done(task: asyncio.Future[QuizPost]) -> None:
                if (task.cancelled() or task.exception() is not None) and (
                    self._nexts.get(key, (0.0, None))[1] is task
                ):
                    del self._nexts[key]

            made.add_done_callback(done)
        else:
            made = earlier[1]
        # Shielded: a click given up on does not take the new post from the other.
        return await asyncio.shield(made)

    async def _next_post(self, post_id: int, user_id: int, user_name: str) -> QuizPost:
        read = await self.store.quiz_post(post_id)
        if read is None:
            raise UserError(GONE)
        post = read.post
        return await self._new_post(
            # its tags too: a member who only looked at it has practised them as well
            just_seen=Seen(
                post.question_id,
                tuple(read.question.question.tags) if read.question else (),
                _LATEST,
            ),
            guild_id=post.guild_id,
            channel_id=post.channel_id,
            user_id=user_id,
            user_name=user_name,
            deck_id=post.filter_deck_id,
            tag=post.filter_tag,
            difficulty=post.filter_difficulty,
            private=True,
            next_of=post.id,
        )

    async def _new_post(
        self,
        *,
        guild_id: int,
        channel_id: int,
        user_id: int,
        user_name: str,
        deck_id: int | None,
        tag: str | None,
        difficulty: str | None,
        private: bool,
        just_seen: Seen | None = None,
        next_of: int | None = None,
    ) -> QuizPost:
        def choose(candidates: list[Candidate], history: list[Seen]) -> Candidate | None:
            if just_seen is not None:
                history = [*history, just_seen]
            return pick_question(candidates, history, self.rng)

        # One write: the choice among the candidates, the question and the new post.
        made = await self.store.create_quiz_post(
            guild_id=guild_id,
            channel_id=channel_id,
            author_id=user_id,
            author_name=user_name,
            private=private,
            deck_id=deck_id,
            tag=tag,
            difficulty=difficulty,
            choose=choose,
            next_of=next_of,
        )
        if made is None:
            deck = None if deck_id is None else await self._check_deck_still_on(guild_id, deck_id)
            asked = _filters(tag, difficulty)
            if asked:
                head = f"No question matches with {asked}. "
            elif deck is None and not await self.store.decks_for_guild(guild_id):
                head = ""  # no deck is on: what follows says so
            else:
                # No filter to blame: the decks asked from are empty.
                where = (
                    f"The deck **{self.escape(deck.name)}** has"
                    if deck
                    else "The decks switched on in this server have"
                )
                head = (
                    f"{where} no questions; moderators add them with `/question add` or "
                    "`/question import`. "
                )
            raise UserError(
                head + await self.available(guild_id, deck_id, room=MESSAGE_MAX - len(head))
            )
        post, question = made
        if just_seen is not None and question.id == just_seen.question_id:
            asked = _filters(tag, difficulty)
            where = f" in **{self.escape(question.deck_name)}**" if deck_id is not None else ""
            return QuizPost(
                post,
                question,
                f"No other question{where} matches{f' ({asked})' if asked else ''}, so here it "
                "is again.",
            )
        return QuizPost(post, question)

    async def _check_deck_still_on(self, guild_id: int, deck_id: int) -> DeckRow:
        """Refuse a Next question whose deck (the one its post was asked from) has been
        switched off or removed since, saying so: no filter of the member's is to blame.
        The deck, when it is still on."""
        decks = await self.store.decks_for_guild(guild_id, include_disabled=True)
        deck = next((d for d in decks if d.id == deck_id), None)
        if deck is None:
            raise UserError(
                "The deck this question came from was removed, so it has no next question. "
                "`/quiz` asks from the decks that are on."
            )
        if not deck.enabled:
            raise UserError(
                f"The deck **{self.escape(deck.name)}** is switched off in this server, so it has no next "
                "question. A moderator can turn it on with `/deck enable`; `/quiz` asks from "
                "the decks that are on."
            )
        return deck

    async def load(self, post_id: int) -> QuizPost:
        qp, _ = await self.load_for(post_id)
        return qp

    async def load_for(
        self, post_id: int, user_id: int | None = None, *, counts: bool = False
    ) -> tuple[QuizPost, QuizPostRead]:
        """A post and its question in one read; with ``user_id`` also that member's earlier
        attempt, with ``counts`` the answer counts (both in the second item)."""
        read = await self.store.quiz_post(post_id, user_id=user_id, counts=counts)
        if read is None:
            raise UserError(GONE)
        if read.question is None:
            raise UserError(REMOVED)
        return QuizPost(read.post, read.question), read

    async def grade(
        self,
        post_id: int,
        user_id: int,
        display_name: str,
        rating: Rating,
        *,
        message_id: int | None = None,
    ) -> Graded:
        """A self-grade, read and stored in one write. ``message_id``: the channel message
        showing the post, when known (its live count is edited there)."""

        def decide(post: PostRow, question: StoredQuestion | None) -> AttemptRequest:
            question = _present(question)
            if question.question.is_multiple_choice:
                raise became_multiple_choice(post, message_id)
            return AttemptRequest(
                guild_id=post.guild_id,
                user_id=user_id,
                display_name=display_name,
                post_id=post_id,
                question_id=post.question_id,
                source=post.kind,
                rating=int(rating),
                multiple_choice=False,
                correct=rating >= Rating.hard,
                closed=post.closed_at is not None,
            )

        return _graded(
            await self.store.grade_post(post_id, user_id, decide, message_id=message_id)
        )

    async def choose(
        self,
        post_id: int,
        user_id: int,
        display_name: str,
        option: int,
        *,
        fingerprint: str | None = None,
        message_id: int | None = None,
    ) -> Graded:
        """A multiple-choice answer, read and stored in one write (see :meth:`grade`).
        ``fingerprint``: the mark of the option's text on the button clicked, so the option
        the member saw is graded even if the options were edited or moved since."""

        def decide(post: PostRow, question: StoredQuestion | None) -> AttemptRequest:
            options = _present(question).question.options
            chosen = option_clicked([o.text for o in options], option, fingerprint)
            if chosen is None:
                raise OptionGone(
                    "The option on this button was edited or removed after the question was "
                    "posted, so it is not graded.",
                    redraw=_redrawable(post, message_id),
                )
            correct = options[chosen].correct
            return AttemptRequest(
                guild_id=post.guild_id,
                user_id=user_id,
                display_name=display_name,
                post_id=post_id,
                question_id=post.question_id,
                source=post.kind,
                rating=int(mc_rating(correct)),
                multiple_choice=True,
                correct=correct,
                option_index=chosen,
                option_text=options[chosen].text,
                closed=post.closed_at is not None,
            )

        return _graded(
            await self.store.grade_post(post_id, user_id, decide, message_id=message_id)
        )


#: when the question just shown counts as seen: after everything stored
_LATEST = datetime.max.replace(tzinfo=UTC)

GONE = "This question is no longer in Recall's records. Start a new one with `/quiz`."
REMOVED = "This question was removed. Start a new one with `/quiz`."


def _filters(tag: str | None, difficulty: str | None) -> str:
    """The filters of a quiz as words ("tag `x`, difficulty hard"); "" for none."""
    return ", ".join(
        part
        for part in (f"tag `{tag}`" if tag else "", f"difficulty {difficulty}" if difficulty else "")
        if part
    )


def _redrawable(post: PostRow, message_id: int | None = None) -> bool:
    """Whether the channel message showing a post is redrawn from the database when its
    buttons are out of date: a public post still open whose message is known (stored, or
    ``message_id``, the channel message clicked)."""
    shown = post.message_id if post.message_id is not None else message_id
    return not post.private and post.closed_at is None and shown is not None


def became_multiple_choice(post: PostRow, message_id: int | None = None) -> OptionGone:
    """The refusal of Reveal or a self-grade on a post whose question was made multiple choice
    after it was posted: its message's buttons are out of date. ``message_id``: the channel
    message showing the post, when the click knows it and no grade has recorded it yet."""
    text = "This question was made multiple choice after it was posted, so it is not self-graded."
    if _redrawable(post, message_id):
        return OptionGone(f"{text} Pick your answer from its options on the question.", redraw=True)
    if post.kind == "quiz":
        return OptionGone(f"{text} Start a new one with `/quiz`.")
    return OptionGone(text)


def hint_taken_out(post: PostRow, message_id: int | None = None) -> OptionGone:
    """The refusal of Hint on a post whose question's *why it is asked* was taken out after
    it was posted: its message's Hint button is out of date (see :func:`became_multiple_choice`
    for ``message_id``)."""
    return OptionGone(
        "This question's hint was taken out after it was posted.",
        redraw=_redrawable(post, message_id),
    )


def _present(question: StoredQuestion | None) -> StoredQuestion:
    if question is None:
        raise UserError(REMOVED)
    return question


def _graded(stored: PostGrade | None) -> Graded:
    if stored is None:
        raise UserError(GONE)
    return Graded(stored.post, stored.question, stored.result)
