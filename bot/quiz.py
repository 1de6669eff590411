"""Quiz rules with no Discord in sight: grades, points, the daily cap, and question choice."""

from __future__ import annotations

import functools
import random
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum

from bot.guild_settings import ScoringRules
from bot.questions import option_key
from bot.schedule import zone_label
from bot.text import count


class Rating(IntEnum):
    """Self-grades; the values are FSRS's ratings one to one."""

    again = 1
    hard = 2
    good = 3
    easy = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


class Source:
    QUIZ = "quiz"
    QOTD = "qotd"
    REVIEW = "review"


def mc_rating(correct: bool) -> Rating:
    """A multiple-choice answer as a rating: right is Good, wrong is Again."""
    return Rating.good if correct else Rating.again


def base_points(rules: ScoringRules, source: str, *, multiple_choice: bool, correct: bool) -> int:
    """Points one scoring attempt is worth before the daily cap."""
    if source == Source.QUIZ:
        if multiple_choice:
            return rules.quiz_right if correct else rules.quiz_wrong
        return rules.quiz_self
    if source == Source.QOTD:
        if multiple_choice:
            return rules.qotd_right if correct else rules.qotd_wrong
        return rules.qotd_self
    return 0


@dataclass(frozen=True)
class Award:
    scored: bool
    points: int
    reason: str  # "" when the full points were given


def award(
    rules: ScoringRules,
    source: str,
    *,
    multiple_choice: bool,
    correct: bool,
    already_scored_today: bool,
    quiz_points_today: int,
    closed: bool = False,
    zone: str = "UTC",
) -> Award:
    """What one attempt earns.

    A question scores once a (server-local) day for a member: the first attempt on it that
    can score (a review grade or an answer to a closed QOTD post cannot), even one the cap
    leaves at 0 points; /quiz points stop at the daily cap, which starts again at midnight in
    ``zone`` (the server's time zone).
    """
    if source == Source.REVIEW:
        return Award(False, 0, "reviews train memory; they do not score")
    if closed:
        return Award(False, 0, "this question has closed; the grade still counts for your reviews")
    if already_scored_today:
        return Award(False, 0, "you already scored on this question today")
    points = base_points(rules, source, multiple_choice=multiple_choice, correct=correct)
    if points == 0:
        kind = "self-graded" if not multiple_choice else "right" if correct else "wrong"
        where = "/quiz answer" if source == Source.QUIZ else "answer to the question of the day"
        return Award(
            True, 0, f"this server gives no points for a {kind} {where} (`/help topic:scoring`)"
        )
    if source == Source.QUIZ:
        room = max(0, rules.quiz_daily_cap - quiz_points_today)
        if points > room:
            # Named as /settings timezone names it: Etc/GMT+2 is UTC-2.
            midnight = "midnight UTC" if zone == "UTC" else f"midnight, {zone_label(zone)} time"
            return Award(
                True,
                room,
                f"daily /quiz cap of {count(rules.quiz_daily_cap, 'point')} reached; "
                f"it resets at {midnight}",
            )
    return Award(True, points, "")


def option_fingerprint(text: str) -> str:
    """A short mark of an option's text, carried by its button: a click is graded by the
    option the member saw, even if the question was edited and its options moved since.
    Taken from :func:`bot.questions.option_key` (the form options of a question must
    differ in), so fixing the case, accents, punctuation or spacing of an option keeps its
    buttons. Buttons already posted carry it: it must never change."""
    return f"{zlib.crc32(option_key(text).encode()):08x}"


def option_clicked(texts: Sequence[str], index: int, fingerprint: str | None) -> int | None:
    """Which of the question's options (``texts``, as stored now) a click on the button
    made for option ``index`` means: the same place if its text is unchanged, else where
    that text is now; None if the text is gone. A button without a fingerprint (made
    before they existed) means its place."""
    if fingerprint is None:
        return index if 0 <= index < len(texts) else None
    if 0 <= index < len(texts) and option_fingerprint(texts[index]) == fingerprint:
        return index
    for i, text in enumerate(texts):
        if option_fingerprint(text) == fingerprint:
            return i
    return None


def chosen_now(texts: Sequence[str], index: int, text: str | None) -> int | None:
    """Where the option a member chose earlier (``index``, reading ``text`` then) stands
    among the question's options now (``texts``); None if no option reads so any more. An
    answer stored without its text is taken at its place."""
    return option_clicked(texts, index, None if text is None else option_fingerprint(text))


@dataclass(frozen=True)
class Candidate:
    question_id: int
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Seen:
    question_id: int
    tags: tuple[str, ...]
    when: datetime


#: the tags a question with none is balanced under ("" is never a tag)
UNTAGGED = ("",)


def pick_question(
    candidates: Sequence[Candidate],
    history: Sequence[Seen],
    rng: random.Random,
    *,
    avoid: int | None = None,
) -> Candidate | None:
    """Choose the next question for a member.

    - Questions the member saw most recently are avoided: the most recent ``avoid`` distinct
      questions among the candidates (default: all but one of them, so a small deck still
      cycles) are left out while anything else is available. Questions outside the
      candidates (another deck or tag) do not use up that window.
    - Among the rest, tags the member has practised least recently win: each candidate is
      weighed by how often its tags appear in the member's recent history, and the lightest
      ones are drawn from at random. Questions with no tags count as one more tag.
    """
    if not candidates:
        return None
    window = len(candidates) - 1 if avoid is None else avoid
    ids = {c.question_id for c in candidates}
    recent: list[int] = []
    for seen in sorted(history, key=lambda s: s.when, reverse=True):
        if seen.question_id in ids and seen.question_id not in recent:
            recent.append(seen.question_id)
    blocked = set(recent[: max(0, window)])
    fresh = [c for c in candidates if c.question_id not in blocked]
    if not fresh:
        # Everything was seen recently: take the one seen longest ago (or never).
        order = {qid: i for i, qid in enumerate(recent)}
        oldest = max(candidates, key=lambda c: order.get(c.question_id, len(order)))
        return oldest
    # Questions with no tags are a group of their own (UNTAGGED), practised like a tag.
    tag_use = Counter(tag for seen in history for tag in seen.tags or UNTAGGED)

    def weight(c: Candidate) -> float:
        tags = c.tags or UNTAGGED
        return sum(tag_use[t] for t in tags) / len(tags)

    lightest = min(weight(c) for c in fresh)
    best = [c for c in fresh if weight(c) == lightest]
    return rng.choice(best)


def period_keys(local_day: date, season: int | None = None) -> tuple[str, ...]:
    """The score periods a grade on this local day counts toward: all time, its week
    (starting Monday), its month, and with ``season`` the leaderboard season."""
    week = local_day - timedelta(days=local_day.weekday())
    keys = ("all", f"week:{week.isoformat()}", f"month:{local_day:%Y-%m}")
    return keys if season is None else (*keys, f"season:{season}")


#: The lifetime period key: every grade across seasons.
LIFETIME = "all"


@functools.lru_cache(maxsize=4096)
def score_rows(
    source: str, local_day: date, season: int, *, lifetime: bool = False
) -> tuple[tuple[str, str], ...]:
    """The score_totals rows, as (board, period), that one scored grade adds its points to.

    The grade's own board (``quiz`` or ``qotd``) and the ``all`` board each keep the week,
    the month and the season. The lifetime total is kept for the ``all`` board alone (it is
    what /stats reads; the per-source boards are shown by season), and only once the server
    has started a second season (``lifetime``): during a server's first season its lifetime
    total *is* its season 1 total, which is read in its place, and starting season 2 copies
    season 1 into the lifetime rows. That keeps a grade to six rows (seven after a reset)
    instead of eight. A grade of season 1 written after the reset (queued just before it)
    adds to the lifetime row too, since the copy was made without it.
    """
    periods = [key for key in period_keys(local_day, season) if key != LIFETIME]
    rows = [(board, period) for board in (source, "all") for period in periods]
    if lifetime or season > 1:
        rows.append(("all", LIFETIME))
    return tuple(rows)
