"""Leaderboard rules with no Discord in sight: periods in a server's zone, boards, pages,
ranks, ties and QOTD streaks.

Boards
------
Three boards: ``all`` (every scored grade), ``quiz`` (/quiz only) and ``qotd`` (question of the
day only). Each is read for one *period key*, the same keys ``score_totals`` is written with:

* ``week:YYYY-MM-DD``: the local week starting on that Monday, in the server's time zone;
* ``month:YYYY-MM``: the local month;
* ``season:N``: everything since the server's leaderboard season N began (a moderator's reset
  starts the next season; history is kept);
* ``all``: everything, across seasons (a member's lifetime figures, on the ``all`` board;
  stored only once a server has started its second season, and read from ``season:1``
  until then: see ``bot.quiz.score_rows``).

Order: more points first; equal points go to whoever reached them first (``reached_at``), then
to the lower user id so the order is total and every page is stable.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from bot.schedule import local_day, week_start

Board = Literal["all", "quiz", "qotd"]
BOARDS: tuple[Board, ...] = ("all", "quiz", "qotd")
PeriodChoice = Literal["week", "month", "all"]
PERIOD_CHOICES: tuple[PeriodChoice, ...] = ("week", "month", "all")
PAGE_SIZE = 10

PERIOD_KEY_PATTERN = r"week:\d{4}-\d{2}-\d{2}|month:\d{4}-\d{2}|season:\d{1,6}|all"
_PERIOD_KEY_RE = re.compile(PERIOD_KEY_PATTERN)

BOARD_NAMES: dict[str, str] = {
    "all": "All points",
    "quiz": "Quiz",
    "qotd": "Question of the day",
}


def season_key(number: int) -> str:
    return f"season:{number}"


def week_key(day: date) -> str:
    return f"week:{week_start(day).isoformat()}"


def month_key(day: date) -> str:
    return f"month:{day:%Y-%m}"


def period_key(period: PeriodChoice, now_utc: datetime, zone: ZoneInfo, season: int) -> str:
    """The key of the current week, month or season for a server in ``zone``."""
    if period == "all":
        return season_key(season)
    today = local_day(now_utc, zone)
    return week_key(today) if period == "week" else month_key(today)


def valid_period_key(key: str) -> bool:
    if _PERIOD_KEY_RE.fullmatch(key) is None:
        return False
    try:
        if key.startswith("week:"):
            day = date.fromisoformat(key.removeprefix("week:"))
            return day.weekday() == 0
        if key.startswith("month:"):
            date.fromisoformat(key.removeprefix("month:") + "-01")
    except ValueError:
        return False
    return True


def period_ended(key: str, current_season: int, today: date | None = None) -> bool:
    """Whether the period of a key is over: a season before the current one, or (given the
    server's ``today``) a week or month before today's. ``all`` never ends."""
    if key.startswith("season:"):
        return int(key.removeprefix("season:")) < current_season
    if today is None:
        return False
    if key.startswith("week:"):
        return date.fromisoformat(key.removeprefix("week:")) < week_start(today)
    if key.startswith("month:"):
        return key.removeprefix("month:") < f"{today:%Y-%m}"
    return False


def period_title(key: str, current_season: int | None = None, today: date | None = None) -> str:
    """Human text for a period key: ``Week of 23 Nov 2026``, ``November 2026``, ``Season 2``;
    with `` (ended)`` once it is over (a week or month when the server's ``today`` is given)."""
    ended = current_season is not None and period_ended(key, current_season, today)
    suffix = " (ended)" if ended else ""
    if key.startswith("week:"):
        day = date.fromisoformat(key.removeprefix("week:"))
        return f"Week of {day.day} {day:%b %Y}{suffix}"
    if key.startswith("month:"):
        first = date.fromisoformat(key.removeprefix("month:") + "-01")
        return f"{first:%B %Y}{suffix}"
    if key.startswith("season:"):
        number = int(key.removeprefix("season:"))
        if number == 1 and current_season in (None, 1):
            return "All time"
        return f"Season {number}{suffix}"
    return "All time"


def recent_weeks(today: date, count: int = 12) -> list[date]:
    """The Mondays of the last ``count`` local weeks, oldest first, ending with this week."""
    monday = week_start(today)
    return [date.fromordinal(monday.toordinal() - 7 * i) for i in range(count - 1, -1, -1)]


# ---------------------------------------------------------------------------
# Ranks and pages
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    user_id: int
    points: int
    reached_at: str


def order_key(score: Score) -> tuple[int, str, int]:
    """The board order: more points, then earlier reached, then lower user id."""
    return (-score.points, score.reached_at, score.user_id)


def ranked(scores: Iterable[Score]) -> list[Score]:
    return sorted(scores, key=order_key)


def page_count(total: int, page_size: int = PAGE_SIZE) -> int:
    """Pages needed for ``total`` members; an empty board still has one (empty) page."""
    return max(1, math.ceil(total / page_size))


def clamp_page(page: int, total: int, page_size: int = PAGE_SIZE) -> int:
    """A page number (0-based) inside the board, e.g. after members left or were hidden."""
    return min(max(0, page), page_count(total, page_size) - 1)


def page_of_rank(rank: int, page_size: int = PAGE_SIZE) -> int:
    """The 0-based page a 1-based rank is on."""
    return (rank - 1) // page_size


# ---------------------------------------------------------------------------
# QOTD streaks
# ---------------------------------------------------------------------------


_Day = TypeVar("_Day", bound=Hashable)


@dataclass(frozen=True)
class Streak:
    current: int
    best: int


def qotd_streak(
    days: Sequence[_Day], answered: AbstractSet[_Day], *, open_days: AbstractSet[_Day] = frozenset()
) -> Streak:
    """A member's run of consecutive QOTD days answered, now and at best.

    ``days`` are the server's days with a question of the day that reached a channel, oldest
    first, and ``answered`` the days on which the member answered at least one of them
    (with several schedules, one answer a day is showing up). Days with no post (skipped or
    paused) are simply not in the list, so they never break a streak. A day unanswered
    breaks it once it can no longer be answered: a day in ``open_days`` (a question of it is
    still open, or it is the newest day and not over) neither breaks nor adds to it yet, so
    answering it later never makes a streak shown as broken come back.
    """
    best = run = 0
    for day in days:
        if day in answered:
            run += 1
            best = max(best, run)
        elif day not in open_days:
            run = 0
    return Streak(current=run, best=best)
