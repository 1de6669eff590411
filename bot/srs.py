"""Spaced repetition with FSRS (the ``fsrs`` package): cards, grades, what to review next.

Every grade a member gives (from /quiz, the question of the day or /review) updates that
member's card for that question. Ratings map one to one: Again, Hard, Good, Easy are FSRS's
1 to 4; a multiple-choice answer is Good when right and Again when wrong. Fuzzing is off so
that the same history always rebuilds the same card.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs

from bot.quiz import Rating
from bot.schedule import ScheduleSpec, day_start_utc, local_day, next_slot, parse_time

DEFAULT_NEW_PER_DAY = 10
NEW_PER_DAY_MAX = 200
#: how late a review reminder may still be sent (the bot was down at its time); a later one
#: is skipped, not sent at whatever hour the bot is back
REMINDER_GRACE = timedelta(hours=1)
#: how soon a reminder that Discord failed to deliver is tried again (within REMINDER_GRACE)
REMINDER_RETRY = timedelta(minutes=5)

_SCHEDULER = fsrs.Scheduler(enable_fuzzing=False)
#: a question whose mean recall over the group is below this (FSRS's target retention) is
#: one the group is likely to have forgotten, for a ``pick:weakest`` question of the day
WEAK_BELOW: float = _SCHEDULER.desired_retention


@dataclass(frozen=True)
class CardState:
    """What is stored for one member and question."""

    state: int  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0

    def to_fsrs(self) -> fsrs.Card:
        return fsrs.Card(
            card_id=1,
            state=fsrs.State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )


def new_card(now: datetime) -> CardState:
    return CardState(
        state=int(fsrs.State.Learning),
        step=0,
        stability=None,
        difficulty=None,
        due=now,
        last_review=None,
    )


def review(card: CardState | None, rating: Rating, when: datetime) -> CardState:
    """The card after one grade at ``when`` (a card is created by its first grade)."""
    if when.tzinfo is None:
        raise ValueError("review times must be aware")
    current = card or new_card(when)
    # A grade given before the last one (clock skew between sources) counts as given then.
    if current.last_review is not None and when < current.last_review:
        when = current.last_review
    updated, _ = _SCHEDULER.review_card(
        current.to_fsrs(), fsrs.Rating(int(rating)), when.astimezone(UTC)
    )
    return CardState(
        state=int(updated.state),
        step=updated.step,
        stability=updated.stability,
        difficulty=updated.difficulty,
        due=updated.due,
        last_review=updated.last_review,
        reps=current.reps + 1,
        lapses=current.lapses
        + (1 if rating == Rating.again and current.state == int(fsrs.State.Review) else 0),
    )


def rebuild(history: Iterable[tuple[Rating, datetime]]) -> CardState | None:
    """A card rebuilt from its grades, oldest first: the same history gives the same card."""
    card: CardState | None = None
    for rating, when in sorted(history, key=lambda h: h[1]):
        card = review(card, rating, when)
    return card


def retrievability(card: CardState, now: datetime) -> float:
    """The probability the member still recalls the answer now (FSRS's estimate)."""
    if card.stability is None or card.last_review is None:
        return 0.0
    return float(_SCHEDULER.get_card_retrievability(card.to_fsrs(), now))


def local_midnights(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of the member's last and next local midnight (new-card days); where
    midnight does not exist on a DST day, the day starts at the first valid minute."""
    today: date = local_day(now, zone)
    return day_start_utc(today, zone), day_start_utc(today + timedelta(days=1), zone)


def weakest(
    cards_by_question: Iterable[tuple[int, Sequence[CardState]]],
    now: datetime,
    *,
    avoid: int | None = None,
) -> int | None:
    """The question the group is most likely to have forgotten: the lowest mean recall
    probability over the cards of the members who answered it, among those whose mean is
    below FSRS's target retention (the group is due to review them). ``avoid`` (the last
    question asked) is never the one. None when no such question is left: a question just
    answered, or never answered, is not forgotten, and the caller goes on through the deck
    instead (or a schedule would ask the one question it knows of day after day)."""
    scores = []
    for qid, cards in cards_by_question:
        if qid == avoid:
            continue
        known = [retrievability(c, now) for c in cards if c.stability is not None]
        if known and (mean := sum(known) / len(known)) < WEAK_BELOW:
            scores.append((mean, qid))
    return min(scores)[1] if scores else None


def next_reminder(remind_time: str, zone: str, after: datetime) -> datetime:
    """The first time after ``after`` that a daily reminder at ``remind_time`` (local, in
    ``zone``) is due."""
    spec = ScheduleSpec(local_time=parse_time(remind_time), days=frozenset(range(7)), zone=zone)
    return next_slot(spec, after).at_utc


def reminder_slot(remind_time: str, zone: str, due_at: datetime) -> datetime:
    """The day's reminder time that a reminder due at ``due_at`` stands for: ``due_at``
    itself, or, for one being tried again, the time it first came due (at most
    REMINDER_GRACE before)."""
    return next_reminder(remind_time, zone, due_at - REMINDER_GRACE - timedelta(seconds=1))


def reminder_missed(due_at: datetime, now: datetime) -> bool:
    """Whether a reminder due at ``due_at`` is too late to send at ``now``."""
    return now - due_at > REMINDER_GRACE


def reminder_to_send(
    remind_time: str, zone: str, due_at: datetime, now: datetime
) -> datetime | None:
    """The day's reminder time that a reminder due at ``due_at`` is sent for at ``now``, or
    None when it is skipped.

    One in time is sent for the time it stands for (:func:`reminder_slot`). One missed (the
    bot was down) may have been due days ago, while a later day's time came at most
    REMINDER_GRACE before ``now``: that one is sent, as it would be had the bot been down
    only since shortly before it. Otherwise nothing is sent."""
    if not reminder_missed(due_at, now):
        return reminder_slot(remind_time, zone, due_at)
    since = max(due_at, now - REMINDER_GRACE - timedelta(microseconds=1))
    latest = next_reminder(remind_time, zone, since)
    return latest if latest <= now else None


def reminder_retry_at(slot: datetime, now: datetime) -> datetime | None:
    """When to try again a reminder for ``slot`` that failed at ``now``; None when that would
    be later than REMINDER_GRACE after ``slot`` (the day's reminder is then given up)."""
    at = now + REMINDER_RETRY
    return at if at - slot <= REMINDER_GRACE else None
