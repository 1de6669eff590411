"""/review as plain Python: sessions, what comes next, grades, status, the Anki export."""

from __future__ import annotations

import asyncio
import html
import re
import tempfile
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import genanki

from bot.bank import Escape
from bot.errors import OptionGone, UserError
from bot.exporters import ExportPart
from bot.quiz import Rating, Source, mc_rating, option_clicked
from bot.schedule import zone_label
from bot.srs import NEW_PER_DAY_MAX, local_midnights, retrievability
from bot.store import (
    AttemptRequest,
    AttemptResult,
    DeckDue,
    Reminder,
    Store,
    StoredQuestion,
)
from bot.text import count, fit_lines, grouped

#: The answer to a click on a review that a newer ``/review start`` replaced.
REPLACED = (
    "This review was replaced by a newer one you started with `/review start`, so its "
    "buttons no longer grade. Carry on in the newer one, or run `/review start` again."
)

#: Refusals of a click on a card whose question was edited after it was shown; the card is
#: then shown again as it is now (see :meth:`ReviewService.current`).
MADE_MULTIPLE_CHOICE = (
    "This question was made multiple choice after it was shown, so it is not self-graded. "
    "It is shown again as it is now: pick your answer from its options."
)
NO_LONGER_MULTIPLE_CHOICE = (
    "This question is no longer multiple choice, so the option clicked is not graded. "
    "It is shown again as it is now: reveal the answer and grade yourself."
)
OPTION_CHANGED = (
    "The option on this button was edited or removed after the question was shown, so it "
    "is not graded. It is shown again as it is now: pick your answer again."
)


#: why a card is no longer asked (``Store.graded_card``), as told after its grade
_NOT_ASKED: dict[str, str] = {
    "question removed": "was removed from its deck, so it does not come back",
    "deck removed": "is in a deck that was removed, so it does not come back",
    "deck off": (
        "is in a deck switched off in this server, so it comes back only once a moderator "
        "switches the deck on"
    ),
}


@dataclass(frozen=True)
class Item:
    session_id: int
    question: StoredQuestion
    is_new: bool
    #: for a due card, the cards due now that the review has still to ask, this one included
    due_left: int = 0


@dataclass(frozen=True)
class Summary:
    reviewed: int
    again: int
    next_due: datetime | None
    #: a question the member never graded is left to start (beyond today's allowance)
    new_left: bool = False
    #: nothing can come: the deck of a one-deck review was switched off or removed since it
    #: started, or, for a review of every deck, no deck is switched on in the server
    decks_off: bool = False
    #: the review is of one deck
    one_deck: bool = False
    #: for a review of one deck, the cards due now in the server's other decks
    due_elsewhere: int = 0
    #: the member takes no new cards a day (``/review settings new_per_day:0``)
    no_new_per_day: bool = False
    #: how many of the session's cards were graded Again, Hard, Good and Easy (a
    #: multiple-choice answer as the grade it counted as)
    ratings: tuple[int, ...] = ()
    #: the member's next midnight, which brings their next new cards (when there are new
    #: questions left for them), and its zone as :func:`day_zone` names it
    new_from: datetime | None = None
    zone: str = ""
    #: how many of the cards the session answered are due again now
    due_again: int = 0


@dataclass(frozen=True)
class Status:
    due_now: int
    due_today: int
    due_week: int
    cards: int
    retention: float | None
    #: new cards /review start can still bring today: the allowance left, at most the
    #: questions the member has not started
    new_left_today: int
    #: the zone whose midnight ends "today"
    timezone: str = "UTC"
    #: that zone is the server's, which the member follows
    follows_server: bool = False


@dataclass(frozen=True)
class DueToday:
    """What a review reminder tells: the member's cards due by the end of their day."""

    #: per deck, the deck with most due first
    counts: list[DeckDue]
    #: how many of them are due already
    due_now: int
    #: when the first of the others comes due; None when all are due already
    first_later: datetime | None

    @property
    def total(self) -> int:
        return sum(c.due for c in self.counts)


class ReviewService:
    def __init__(self, store: Store):
        self.store = store

    async def start(self, guild_id: int, user_id: int, deck_id: int | None) -> int:
        return await self.store.start_review_session(guild_id, user_id, deck_id)

    async def session(self, session_id: int, user_id: int) -> tuple[int, int | None]:
        """(guild, deck) of a member's own current session; anyone else is refused, and so
        is a session a newer ``/review start`` replaced."""
        found = await self.store.review_session(session_id)
        if found is None:
            raise UserError(
                "This review session is no longer in Recall's records. Start another with `/review start`."
            )
        if found.user_id != user_id:
            raise UserError(
                "This review belongs to another member. Start your own with `/review start`."
            )
        if found.ended_at is not None:
            raise UserError(REPLACED)
        return found.guild_id, found.deck_id

    async def new_left_today(self, guild_id: int, user_id: int) -> int:
        settings = await self.store.review_settings(guild_id, user_id)
        start, _ = local_midnights(self.store.clock.now(), ZoneInfo(settings.timezone))
        used = await self.store.new_introduced_since(guild_id, user_id, start)
        return max(0, settings.new_per_day - used)

    async def next_item(self, session_id: int, user_id: int) -> Item | None:
        """Due cards first, most overdue first; then new questions within today's allowance."""
        guild_id, deck_id = await self.session(session_id, user_id)
        done = tuple(q for q, _ in await self.store.session_answers(session_id))
        now = self.store.clock.now()
        due = await self.store.next_due(guild_id, user_id, now, deck_id=deck_id, exclude=done)
        qid: int | None = due[0] if due else None
        is_new = False
        if qid is None and await self.new_left_today(guild_id, user_id) > 0:
            qid = await self.store.new_question(guild_id, user_id, deck_id=deck_id, exclude=done)
            is_new = qid is not None
        if qid is None:
            return None
        question = await self.store.question(qid)
        assert question is not None
        left = 0
        if not is_new:
            left = await self.store.due_left(session_id, now)
        return Item(session_id, question, is_new, left)

    async def reveal(self, session_id: int, user_id: int, question_id: int) -> StoredQuestion:
        """The question whose answer a member reveals to grade themselves; one made multiple
        choice since it was shown is refused (:class:`OptionGone`), as its grade would be."""
        await self.session(session_id, user_id)
        question = await self.store.question(question_id)
        if question is None:
            raise UserError("That question no longer exists.")
        if question.question.is_multiple_choice:
            raise OptionGone(MADE_MULTIPLE_CHOICE, redraw=True)
        return question

    async def current(self, session_id: int, user_id: int, question_id: int) -> Item | None:
        """A card of the session as its question is now, to show again after a click on
        buttons an edit made out of date; None if the session has answered it or the
        question is gone (the session then goes on to its next card)."""
        guild_id, _ = await self.session(session_id, user_id)
        if any(q == question_id for q, _ in await self.store.session_answers(session_id)):
            return None
        question = await self.store.question(question_id)
        if question is None or question.removed:
            return None
        if await self.store.card(guild_id, user_id, question_id) is None:
            return Item(session_id, question, True)
        left = await self.store.due_left(session_id, self.store.clock.now())
        return Item(session_id, question, False, left)

    async def grade(
        self,
        session_id: int,
        user_id: int,
        display_name: str,
        question_id: int,
        rating: Rating,
        option: int | None = None,
        fingerprint: str | None = None,
    ) -> tuple[AttemptResult, StoredQuestion]:
        """A grade in a session. ``option``: the place of the multiple-choice option clicked,
        ``fingerprint`` the mark of its text on the button, so the option the member saw is
        graded even if the question's options were edited or moved since.

        A click the question's edit made out of date is refused with :class:`OptionGone`: a
        self-grade of a question made multiple choice since it was shown, an option of one
        that is no longer multiple choice, an option whose text is gone. The question is
        checked as read in the write that records the grade (``Store.grade_question``), so
        an edit saved meanwhile cannot slip between the check and the grade."""
        guild_id, _ = await self.session(session_id, user_id)

        def decide(question: StoredQuestion | None) -> AttemptRequest:
            if question is None:
                raise UserError("That question no longer exists.")
            q = question.question
            chosen: int | None = None
            correct = rating >= Rating.hard
            grade = rating
            if option is None and q.is_multiple_choice:
                raise OptionGone(MADE_MULTIPLE_CHOICE, redraw=True)
            if option is not None:
                if not q.is_multiple_choice:
                    raise OptionGone(NO_LONGER_MULTIPLE_CHOICE, redraw=True)
                chosen = option_clicked([o.text for o in q.options], option, fingerprint)
                if chosen is None:
                    raise OptionGone(OPTION_CHANGED, redraw=True)
                correct = q.options[chosen].correct
                grade = mc_rating(correct)
            return AttemptRequest(
                guild_id=guild_id,
                user_id=user_id,
                display_name=display_name,
                post_id=None,
                question_id=question_id,
                source=Source.REVIEW,
                rating=int(grade),
                multiple_choice=chosen is not None,
                correct=correct,
                option_index=chosen,
                option_text=q.options[chosen].text if chosen is not None else None,
                review_session_id=session_id,
            )

        result, question = await self.store.grade_question(question_id, decide)
        if not result.new:
            # Nothing was written: a repeated click, or the session was replaced since the
            # check above (the store grades only in a current session).
            await self.session(session_id, user_id)
        return result, question

    async def graded(
        self, guild_id: int, user_id: int, question: StoredQuestion
    ) -> tuple[datetime | None, str | None]:
        """After a grade: when the member's card of the question is due (None if they have
        none), and why /review in this server no longer asks it, as the end of a sentence
        about the question (a moderator removed it or its deck, or switched its deck off);
        None when it does ask it."""
        card, why_not = await self.store.graded_card(guild_id, user_id, question.id)
        return (card.due if card else None), _NOT_ASKED.get(why_not or "")

    async def summary(self, session_id: int, user_id: int) -> Summary:
        guild_id, deck_id = await self.session(session_id, user_id)
        answers = await self.store.session_answers(session_id)
        # A session of one deck tells when that deck has a card due next.
        cards = await self.store.cards(guild_id, user_id, reviewable=True, deck_id=deck_id)
        next_due = min((c.card.due for c in cards), default=None)
        now = self.store.clock.now()
        answered = {q for q, _ in answers}
        due_again = sum(1 for c in cards if c.card.due <= now and c.question_id in answered)
        new_left = await self.store.new_question(guild_id, user_id, deck_id=deck_id) is not None
        switched_on = {d.id for d in await self.store.decks_for_guild(guild_id)}
        elsewhere = 0
        if deck_id is not None:
            due = await self.store.due_counts(guild_id, user_id, until=now)
            elsewhere = sum(c.due for c in due if c.deck_id != deck_id)
        settings = await self.store.review_settings(guild_id, user_id)
        _, midnight = local_midnights(now, ZoneInfo(settings.timezone))
        return Summary(
            len(answers),
            sum(1 for _, r in answers if r == Rating.again),
            next_due,
            new_left,
            decks_off=deck_id not in switched_on if deck_id is not None else not switched_on,
            one_deck=deck_id is not None,
            due_elsewhere=elsewhere,
            no_new_per_day=settings.new_per_day == 0,
            ratings=tuple(sum(1 for _, r in answers if r == rating) for rating in Rating),
            new_from=midnight if new_left else None,
            zone=day_zone(settings.timezone, settings.follows_server),
            due_again=due_again,
        )

    async def status(self, guild_id: int, user_id: int) -> Status:
        settings = await self.store.review_settings(guild_id, user_id)
        now = self.store.clock.now()
        _, midnight = local_midnights(now, ZoneInfo(settings.timezone))
        # Cards /review can ask: not those of removed questions or switched-off decks.
        cards = await self.store.cards(guild_id, user_id, reviewable=True)
        known = [retrievability(c.card, now) for c in cards if c.card.stability is not None]
        allowance = await self.new_left_today(guild_id, user_id)
        return Status(
            due_now=sum(1 for c in cards if c.card.due <= now),
            due_today=sum(1 for c in cards if c.card.due < midnight),
            due_week=sum(1 for c in cards if c.card.due < now + timedelta(days=7)),
            cards=len(cards),
            retention=sum(known) / len(known) if known else None,
            # What /review start can still bring: today's allowance, but no more than the
            # questions the member has not started.
            new_left_today=await self.store.new_questions_left(
                guild_id, user_id, limit=allowance
            ),
            timezone=settings.timezone,
            follows_server=settings.follows_server,
        )

    async def due_today(self, guild_id: int, user_id: int, zone: str, now: datetime) -> DueToday:
        """The member's cards due by their next local midnight in ``zone``: the "due today" of
        /review status, which a reminder that day tells of, those not due yet among them too."""
        _, midnight = local_midnights(now, ZoneInfo(zone))
        counts = await self.store.due_counts(
            guild_id, user_id, until=midnight - timedelta(microseconds=1)
        )
        if not counts:
            return DueToday([], 0, None)
        due_now = sum(c.due for c in await self.store.due_counts(guild_id, user_id, until=now))
        later = await self.store.first_due_after(guild_id, user_id, now)
        return DueToday(counts, due_now, later if later is not None and later < midnight else None)

    async def reminders_elsewhere(
        self, guild_id: int, user_id: int, zone: str | None = None
    ) -> list[Reminder]:
        """The member's reminders in their other servers, with ``zone`` only those that
        follow another zone (review settings are kept per server: a new zone set, or
        reminders turned off, in one server leaves them as they were)."""
        return [
            r
            for r in await self.store.member_reminders(user_id)
            if r.guild_id != guild_id and r.timezone != zone
        ]

    async def set_new_per_day(self, guild_id: int, user_id: int, value: int) -> None:
        if not 0 <= value <= NEW_PER_DAY_MAX:
            raise UserError(f"new_per_day must be between 0 and {NEW_PER_DAY_MAX}.")
        await self.store.set_review_settings(guild_id, user_id, new_per_day=value)

    async def export_apkg(self, guild_id: int, user_id: int, name: str) -> bytes:
        """The member's cards as one Anki package, tagged as in Recall."""
        [part] = await self.export_apkg_parts(guild_id, user_id, name, max_bytes=None)
        return part.data

    async def export_apkg_parts(
        self, guild_id: int, user_id: int, name: str, *, max_bytes: int | None
    ) -> list[ExportPart]:
        """The member's cards as Anki packages of at most ``max_bytes`` each (one package
        when they fit, or ``max_bytes`` is None). Every package holds the same Anki deck, so
        importing them all gives the one deck. Packages are written off the event loop."""
        cards = await self.store.cards(guild_id, user_id)
        if not cards:
            raise UserError(
                "You have no cards yet: grade a question with `/quiz`, the question of the day or `/review start`."
            )
        deck_id = zlib.crc32(f"recall:{guild_id}:{user_id}".encode()) & 0x7FFFFFFF
        # Anki reads "::" in a deck name as a subdeck: a server called "A::B" is one deck.
        deck_name = re.sub(r":{2,}", ":", f"Recall — {name}")
        notes = _anki_notes(await self.store.questions([c.question_id for c in cards]))
        packages = await asyncio.to_thread(
            _anki_packages, deck_id or 1, deck_name, notes, max_bytes
        )
        if len(packages) == 1:
            return [ExportPart("recall-cards.apkg", packages[0][0], packages[0][1])]
        return [
            ExportPart(f"recall-cards-{i}-of-{len(packages)}.apkg", data, n)
            for i, (data, n) in enumerate(packages, 1)
        ]


def _anki_notes(found: Sequence[StoredQuestion]) -> list[genanki.Note]:
    """A note per question, in order, tagged as in Recall."""
    notes: list[genanki.Note] = []
    # Anki keeps one note per guid. Decks may share a slug and question ids (a server's
    # own deck with a built-in deck's slug and its questions, a removed deck's slug taken
    # again): the lowest deck id keeps the plain guid, the others add their deck id.
    first_deck: dict[tuple[str, str], int] = {}
    for sq in found:
        key = (sq.deck_slug, sq.question.id)
        first_deck[key] = min(first_deck.get(key, sq.deck_id), sq.deck_id)
    for sq in found:
        q = sq.question
        guid_parts: tuple[object, ...] = ("recall", sq.deck_slug, q.id)
        if first_deck[(sq.deck_slug, q.id)] != sq.deck_id:
            guid_parts += (sq.deck_id,)
        answer = _anki_html(q.answer)
        if q.options:
            right = q.correct_index or 0
            answer = f"<b>{_anki_html(q.options[right].text)}</b><br><br>{answer}"
        if q.why:
            answer += f"<div class='why'><br><i>Why it is asked:</i> {_anki_html(q.why)}</div>"
        points = "".join(f"<li>{_anki_html(p)}</li>" for p in q.key_points)
        options = "".join(f"<li>{_anki_html(o.text)}</li>" for o in q.options)
        front = _anki_html(q.prompt) + (f"<ol type='A'>{options}</ol>" if options else "")
        notes.append(
            genanki.Note(
                model=ANKI_MODEL,
                fields=[
                    front,
                    answer,
                    f"<ul>{points}</ul>" if points else "",
                    html.escape(sq.deck_name),
                ],
                tags=[t.replace(" ", "_") for t in q.tags] + [f"recall::{sq.deck_slug}"],
                guid=genanki.guid_for(*guid_parts),
            )
        )
    return notes


def _anki_package(deck_id: int, deck_name: str, notes: Sequence[genanki.Note]) -> bytes:
    deck = genanki.Deck(deck_id, deck_name)
    for note in notes:
        deck.add_note(note)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "recall.apkg"
        genanki.Package(deck).write_to_file(str(path))
        return path.read_bytes()


def _anki_packages(
    deck_id: int, deck_name: str, notes: Sequence[genanki.Note], max_bytes: int | None
) -> list[tuple[bytes, int]]:
    """(package, notes in it) for ``notes`` in order, each package at most ``max_bytes``:
    one package if it fits, else the notes halved until each half fits. A single note
    that does not fit alone is an error (a question is far smaller than any upload limit)."""
    data = _anki_package(deck_id, deck_name, notes)
    if max_bytes is None or len(data) <= max_bytes:
        return [(data, len(notes))]
    if len(notes) == 1:
        raise UserError("One of your cards is too large to send as a file.")
    half = len(notes) // 2
    return _anki_packages(deck_id, deck_name, notes[:half], max_bytes) + _anki_packages(
        deck_id, deck_name, notes[half:], max_bytes
    )


#: a line opening a fenced code block: three or more backticks (and an info string with no
#: backtick, so that ```x``` on one line stays a code span) or tildes
_FENCE_OPEN = re.compile(r"[ \t]*(?:(`{3,})[^`]*|(~{3,}).*)")
#: a code span: a run of backticks, text, the same run
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def _anki_html(text: str) -> str:
    """A text as an Anki field shows it, code as Discord shows it: HTML escaped, its line
    breaks kept, a fenced code block a ``<pre>`` block that keeps its indentation (HTML
    folds runs of spaces) without its fence lines, a `code span` a ``<code>``. A block left
    open runs to the end of the text, as in Markdown."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    prose: list[str] = []
    i = 0
    while i < len(lines):
        fence = _FENCE_OPEN.fullmatch(lines[i])
        if fence is None:
            prose.append(lines[i])
            i += 1
            continue
        marker = fence[1] or fence[2]
        end = i + 1
        while end < len(lines) and not _closes(lines[end], marker):
            end += 1
        if prose:
            out.append(_anki_prose(prose))
            prose = []
        code = html.escape("\n".join(lines[i + 1 : end]))
        out.append(f"<pre><code>{code}</code></pre>")
        i = end + 1
    if prose:
        out.append(_anki_prose(prose))
    return "".join(out)


def _closes(line: str, marker: str) -> bool:
    """Whether a line closes a fenced block opened with ``marker`` (at least as long a run
    of the same character, alone on its line)."""
    run = line.strip()
    return len(run) >= len(marker) and run == marker[0] * len(run)


def _anki_prose(lines: Sequence[str]) -> str:
    escaped = html.escape("\n".join(lines))
    return _CODE_SPAN.sub(lambda m: f"<code>{m[2]}</code>", escaped).replace("\n", "<br>")


def due_by_deck(
    counts: Sequence[DeckDue],
    keys: Mapping[int, str] | None = None,
    *,
    escape: Escape = str,
    limit: int | None = None,
) -> str:
    """The decks cards are due in, for a reminder: ``3 in Flask, 1 in SQL basics``. With
    ``limit``, as many decks as fit in that many characters, then how many more there are:
    ``3 in Flask, and 4 more decks``.

    ``escape`` turns a deck's name into text that shows as typed (the caller's Markdown
    escaping), so that a name such as ``*__x__*`` is not rendered as formatting.

    Decks whose names match (ignoring case and spacing) each get what members pick them by,
    ``keys[deck_id]`` (see ``bot.bank.deck_key``) or else the slug, and a built-in one is
    marked so: ``2 in Python (`python`), 1 in Python (built-in, `2`)``."""
    names = Counter(_name_key(c.name) for c in counts)
    parts = []
    for c in counts:
        label = escape(c.name.strip())
        if names[_name_key(c.name)] > 1:
            key = (keys or {}).get(c.deck_id, c.slug)
            label += f" (built-in, `{key}`)" if c.builtin else f" (`{key}`)"
        parts.append(f"{grouped(c.due)} in {label}")
    if limit is None:
        return ", ".join(parts)

    def more(left: int) -> str:
        return f"{'' if left == len(parts) else 'and '}{count(left, 'more deck')}"

    return fit_lines(parts, limit, more, sep=", ")


#: the last line of a review reminder, in Discord's small grey text: how to stop them
STOP_REMINDERS = "\n-# To stop these reminders, run `/review remind time:off` there."


def day_zone(zone: str, follows_server: bool) -> str:
    """The zone whose midnight ends a member's day, as /review status and reminders name
    it: with the offset an Etc/GMT zone really has (see ``bot.schedule.zone_label``), and
    ``Asia/Tokyo, the server's zone`` when it is the server's, which the member follows."""
    return zone_label(zone) + (", the server's zone" if follows_server else "")


def reminder_text(due: DueToday, where: str, decks: str, zone: str) -> str:
    """A review reminder's DM: how many cards are due today ``where`` (`` on <server>``, the
    server's name linked to it, or empty) and in which ``decks`` (see :func:`due_by_deck`);
    when some are not due yet, by midnight in which ``zone`` (see :func:`day_zone`) and
    when the first comes due (a Discord timestamp, shown in the reader's own time); then how
    to stop reminders."""
    total = due.total
    if due.first_later is None:
        return (
            f"📚 {count(total, 'card')} {'is' if total == 1 else 'are'} due{where}: {decks}. "
            f"Run `/review start` there to go over {'it' if total == 1 else 'them'}."
            f"{STOP_REMINDERS}"
        )
    first = f"<t:{int(due.first_later.timestamp())}:t>"
    if due.due_now == 0:
        return (
            f"📚 {count(total, 'card')} {'comes' if total == 1 else 'come'} due{where} by midnight in "
            f"{zone}: {decks}. "
            f"{'It is' if total == 1 else 'The first is'} due at {first}: run `/review start` "
            f"there from then.{STOP_REMINDERS}"
        )
    others = "the other at" if total - due.due_now == 1 else "the others from"
    return (
        f"📚 {count(total, 'card')} are due{where} by midnight in {zone}: {decks}. "
        f"{grouped(due.due_now)} of "
        f"them now, {others} {first}: run `/review start` there to go over them.{STOP_REMINDERS}"
    )


def other_zones_text(reminders: Sequence[tuple[str, Reminder]], limit: int) -> str:
    """What a member who set a new zone in one server is told of their reminders
    (:meth:`ReviewService.reminders_elsewhere`, each with the server as shown: its name,
    linked to it) that still follow other zones, in at most about ``limit`` characters;
    empty for none."""
    those = "that zone" if len(reminders) == 1 else "those zones"
    return _reminders_on(
        reminders,
        "Your review settings are per server, and your reminders on ",
        f" still follow {those}: set your zone there too with `/review settings timezone`.",
        limit,
    )


def other_reminders_text(reminders: Sequence[tuple[str, Reminder]], limit: int) -> str:
    """What a member who turned reminders off in one server is told of their reminders in
    the others (as for :func:`other_zones_text`), which still come; empty for none."""
    return _reminders_on(
        reminders,
        "Your reminders on ",
        " still come: review settings are per server, so turn them off there with "
        "`/review remind time:off`.",
        limit,
    )


def _reminders_on(
    reminders: Sequence[tuple[str, Reminder]], head: str, tail: str, limit: int
) -> str:
    """``head``, the servers of ``reminders`` each with its reminder's time and zone, as
    many as fit in about ``limit`` characters and the rest counted, then ``tail``; empty
    for none."""
    if not reminders:
        return ""
    # each zone named as /review settings names one (Etc/GMT-2 with its offset, UTC+2)
    parts = [f"**{server}** ({r.remind_time} {zone_label(r.timezone)})" for server, r in reminders]
    servers = fit_lines(
        parts,
        limit - len(head) - len(tail),
        lambda left: f"and {count(left, 'more server')}",
        sep=", ",
    )
    if len(parts) > 1 and servers == ", ".join(parts):
        servers = ", ".join(parts[:-1]) + " and " + parts[-1]
    return head + servers + tail


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


ANKI_MODEL = genanki.Model(
    1_607_392_319,
    "Recall question",
    fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Key points"}, {"name": "Deck"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "<div class='deck'>{{Deck}}</div>{{Question}}",
            "afmt": "{{FrontSide}}<hr id='answer'>{{Answer}}<div class='points'>{{Key points}}</div>",
        }
    ],
)

__all__ = [
    "REPLACED",
    "DueToday",
    "Item",
    "ReviewService",
    "Status",
    "Summary",
    "day_zone",
    "due_by_deck",
    "other_reminders_text",
    "other_zones_text",
    "reminder_text",
]
