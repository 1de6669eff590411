"""What a question-of-the-day schedule is set to: the settings ``/qotd setup`` sets and
``/qotd edit`` changes, read from the options typed and checked the same way for both."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal, cast, get_args

from bot.errors import UserError
from bot.qotd import ScheduleRow, ScheduleSettings, parse_answer_after
from bot.questions import typed_tag
from bot.quiz_service import MESSAGE_MAX, QuizService
from bot.schedule import ScheduleSpec, parse_days, parse_time, parse_zone
from bot.store import DeckRow

#: the settings ``/qotd edit`` clears (those with no "empty" value to type)
Clearable = Literal["ping", "deck", "tag", "answer_after"]

#: a schedule's settings by the names of the options that set them, in the order replies
#: name them
SETTINGS = ("time", "timezone", "days", "deck", "tag", "ping", "thread", "answer_after", "pick")

#: ``clear``'s choices: each setting it drops, and what that leaves
CLEAR_LABELS: dict[Clearable, str] = {
    "ping": "ping: mention no role",
    "deck": "deck: ask from every enabled deck",
    "tag": "tag: questions with any tag",
    "answer_after": "answer_after: answer public when the next question is due",
}

#: what ``clear`` and a new value given together are called in the refusal
_CLEARED = {
    "ping": "ping role",
    "deck": "deck",
    "tag": "tag",
    "answer_after": "answer_after delay",
}


@dataclass(frozen=True)
class ScheduleOptions:
    """The options as a moderator gave them; None: left out."""

    time: str | None = None
    timezone: str | None = None
    days: str | None = None
    deck: str | None = None
    tag: str | None = None
    ping_role_id: int | None = None
    thread: bool | None = None
    answer_after: str | None = None
    pick: str | None = None

    def given(self) -> set[str]:
        """The settings given, by option name (``ping`` for the role)."""
        return {
            "ping" if f.name == "ping_role_id" else f.name
            for f in fields(self)
            if getattr(self, f.name) is not None
        }


def read_clear(value: str | None) -> Clearable | None:
    """``clear`` as sent: one of its choices (Discord offers no other), or None."""
    if value is None:
        return None
    for choice in get_args(Clearable):
        if value == choice:
            return cast(Clearable, choice)
    raise UserError(f"`clear` takes one of: {', '.join(get_args(Clearable))}.")


def changed(before: ScheduleSettings, after: ScheduleSettings) -> list[str]:
    """The settings that differ, by option name, in the order of :data:`SETTINGS`."""
    values = {
        "time": lambda s: s.spec.local_time,
        "timezone": lambda s: s.spec.zone,
        "days": lambda s: s.spec.days,
        "deck": lambda s: s.deck_id,
        "tag": lambda s: s.tag,
        "ping": lambda s: s.ping_role_id,
        "thread": lambda s: s.thread,
        "answer_after": lambda s: s.answer_after_minutes,
        "pick": lambda s: s.pick,
    }
    return [name for name in SETTINGS if values[name](before) != values[name](after)]


def read_spec(
    time: str | None, timezone: str | None, days: str | None, base: ScheduleSpec | None = None
) -> ScheduleSpec:
    """When a schedule posts: the time, zone and days typed, each left out taken from
    ``base`` (the schedule edited). Text that is none of these is a UserError saying why."""
    try:
        return ScheduleSpec(
            local_time=parse_time(time) if time is not None else _base(base).local_time,
            days=parse_days(days) if days is not None else _base(base).days,
            zone=parse_zone(timezone).key if timezone is not None else _base(base).zone,
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _base(base: ScheduleSpec | None) -> ScheduleSpec:
    if base is None:
        raise ValueError("A new schedule needs its time and time zone.")
    return base


def _tag(text: str) -> str | None:
    """A tag as typed (blank: none)."""
    return typed_tag(text) if text.strip() else None


async def setup_settings(
    quiz: QuizService, guild_id: int, options: ScheduleOptions
) -> tuple[ScheduleSettings, DeckRow | None]:
    """A schedule as ``/qotd setup`` sets it: what was left out takes its default (the
    server's time zone, daily, every enabled deck, no tag, no ping, a thread, the answer when
    the next question is due, each question once a cycle). With its deck; see
    :func:`check_questions`."""
    zone = options.timezone
    if zone is None:
        # The schedule keeps the zone it was set up with, not the server's to come.
        zone = (await quiz.store.settings_for(guild_id)).timezone
    spec = read_spec(options.time, zone, "daily" if options.days is None else options.days)
    minutes = parse_answer_after(options.answer_after)
    deck = await quiz.resolve_deck(guild_id, options.deck)
    settings = ScheduleSettings(
        spec=spec,
        deck_id=deck.id if deck else None,
        tag=_tag(options.tag) if options.tag is not None else None,
        ping_role_id=options.ping_role_id,
        thread=True if options.thread is None else options.thread,
        answer_after_minutes=minutes,
        pick="cycle" if options.pick is None else options.pick,
    )
    return settings, deck


async def edited_settings(
    quiz: QuizService,
    schedule: ScheduleRow,
    options: ScheduleOptions,
    clear: Clearable | None = None,
) -> tuple[ScheduleSettings, DeckRow | None]:
    """A schedule as ``/qotd edit`` leaves it: the settings given, the one cleared (``ping``:
    none, ``deck``: every enabled deck, ``tag``: none, ``answer_after``: when the next
    question is due), and the rest as they were. Checked as by setup; with its deck. A deck
    kept that can no longer be asked from is refused, saying how to choose another."""
    if clear is not None and clear in options.given():
        raise UserError(f"Choose a new {_CLEARED[clear]} or `clear:{clear}`, not both.")
    current = schedule.settings
    spec = read_spec(options.time, options.timezone, options.days, schedule.spec)
    if clear == "answer_after":
        minutes = None
    elif options.answer_after is not None:
        minutes = parse_answer_after(options.answer_after)
    else:
        minutes = current.answer_after_minutes
    if clear == "deck":
        deck = None
    elif options.deck is not None:
        deck = await quiz.resolve_deck(schedule.guild_id, options.deck)
    else:
        deck = await _kept_deck(quiz, schedule)
    if clear == "tag":
        tag = None
    elif options.tag is not None:
        tag = _tag(options.tag)
    else:
        tag = current.tag
        if tag is not None and (options.deck is not None or clear == "deck"):
            await _check_kept_tag(quiz, schedule, deck, tag)
    settings = ScheduleSettings(
        spec=spec,
        deck_id=deck.id if deck else None,
        tag=tag,
        ping_role_id=None if clear == "ping" else (options.ping_role_id or current.ping_role_id),
        thread=current.thread if options.thread is None else options.thread,
        answer_after_minutes=minutes,
        pick=current.pick if options.pick is None else options.pick,
    )
    return settings, deck


async def _check_kept_tag(
    quiz: QuizService, schedule: ScheduleRow, deck: DeckRow | None, tag: str
) -> None:
    """A new deck with the tag the schedule keeps (none was typed) must have a question
    with it: else a UserError naming the tag, and how to give another or drop it."""
    deck_id = deck.id if deck else None
    if await quiz.store.candidates(schedule.guild_id, deck_id=deck_id, tag=tag):
        return
    where = f"**{quiz.escape(deck.name)}**" if deck else "any enabled deck"
    head = (
        f"Schedule #{schedule.id} keeps its tag `{tag}`, and no question of {where} has it. "
        "Give the tag to ask with `tag`, or `clear:tag` to ask any of its questions. "
    )
    raise UserError(
        head + await quiz.available(schedule.guild_id, deck_id, room=MESSAGE_MAX - len(head))
    )


async def _kept_deck(quiz: QuizService, schedule: ScheduleRow) -> DeckRow | None:
    """The schedule's own deck, kept by an edit: refused when it was removed or switched
    off since, as setup refuses such a deck."""
    if schedule.deck_id is None:
        return None
    deck = await quiz.store.deck_for_guild(schedule.guild_id, schedule.deck_id)
    if deck is not None and deck.enabled:
        return deck
    what = (
        "a deck that was removed"
        if deck is None
        else f"**{quiz.escape(deck.name)}**, which is switched off in this server "
        "(`/deck enable` turns it on)"
    )
    raise UserError(
        f"Schedule #{schedule.id} asks from {what}, so it has no question to ask. Choose "
        "another with `deck`, or `clear:deck` to ask from every enabled deck."
    )


async def check_questions(
    quiz: QuizService, guild_id: int, deck: DeckRow | None, tag: str | None
) -> None:
    """A schedule must have a question to ask: a UserError naming the decks and tags it
    could ask from when its deck and tag match none."""
    if await quiz.store.candidates(guild_id, deck_id=deck.id if deck else None, tag=tag):
        return
    head = "No question matches that deck and tag. "
    available = await quiz.available(
        guild_id, deck.id if deck else None, room=MESSAGE_MAX - len(head)
    )
    raise UserError(head + available)
