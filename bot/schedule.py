"""Question-of-the-day schedule maths: parsing, time zones, slots and reporting periods.

Everything here is pure. Nothing reads the clock: callers pass ``now`` (or ``after``) in as an
aware datetime, and every instant that comes back is an aware UTC datetime.

Slots
-----
A schedule is a local wall-clock time, a set of weekdays and an IANA time zone. Each local
date whose weekday is in the set has at most one *slot*, identified by
``(local_date, "HH:MM")`` and never by its UTC instant, so a slot keeps its identity when the
zone's rules move the instant around.

Daylight saving time rules:

* The local time holds across DST: 09:00 Europe/London is 09:00 GMT in winter and 09:00 BST
  in summer.
* A local time that does not exist on a spring-forward day posts at the next valid minute on
  the wall clock: 02:30 America/New_York on 2024-03-10 posts at 03:00 EDT, and 02:15
  Australia/Lord_Howe on 2024-10-06 (a 30-minute shift) posts at 02:30. Such a slot has
  ``shifted=True``.
* An ambiguous local time on a fall-back day posts once, at its first occurrence (fold=0).
* A local date that is skipped entirely, such as 2011-12-30 in Pacific/Apia when Samoa moved
  across the date line, has no slot. More generally, if the next valid minute falls on a later
  local date, the date has no slot. This keeps the rule "a slot is posted on its own local
  date", so no local date ever receives two posts.

APScheduler
-----------
:func:`cron_trigger` builds the equivalent APScheduler 3.11 ``CronTrigger``. Away from DST
changes its next fire time is exactly :func:`next_slot`; around them it differs in three ways
(checked against APScheduler 3.11 by the tests):

* Nonexistent times fire late. ``CronTrigger`` builds the wall time with
  ``datetime(..., tzinfo=zone)`` without checking that it exists, and zoneinfo reads a missing
  time with the offset from before the change, so the job fires at the configured time plus
  the length of the gap: 02:30 New York fires at 03:30 EDT, 02:15 Lord Howe at 02:45, instead
  of at the end of the gap (03:00, 02:30). When the gap runs to midnight, the next valid
  minute is on the next date, so that date has no slot of ours at all while ``CronTrigger``
  still fires: Nuuk (America/Godthab) skipped 23:00-23:59 on 2024-03-30, and a daily 23:30
  fires at 01:30 UTC there.
* Ambiguous times fire twice: 01:30 EDT and then 01:30 EST on 2024-11-03 in New York.
* A day can be lost after a spring-forward change. When the search starts before the change,
  moving to the next day adds 24 hours of real time, which lands an hour (the size of the
  shift) into the next day; a time earlier than that is then pushed to the day after. A daily
  00:30 New York trigger fires on 2024-03-10 and next on 2024-03-12, never on 2024-03-11.

Dates that the zone skips entirely (Apia, 2011-12-30) are skipped by both.

Also note that an aware datetime whose offset depends on ``fold`` (inside a gap or a repeated
hour, as ``CronTrigger`` can return) never compares equal to a datetime in another zone, even
at the same instant; convert to UTC before comparing.

So the bot treats :func:`next_slot` as the source of truth and schedules each post with a
one-shot ``DateTrigger`` (:func:`date_trigger`), computing the next slot after every post.
"""

from __future__ import annotations

import calendar
import contextlib
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo, available_timezones

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from pydantic import BaseModel, ConfigDict, field_validator

# How late a slot missed during downtime may still be posted.
DEFAULT_GRACE = timedelta(hours=6)

DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS: frozenset[int] = frozenset(range(7))
WEEKDAYS: frozenset[int] = frozenset(range(5))
WEEKENDS: frozenset[int] = frozenset({5, 6})

Period = Literal["week", "month", "all"]
PERIODS: tuple[Period, ...] = ("week", "month", "all")

_ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)
# Every weekday comes round within 7 days; the rest is room for skipped dates.
_SEARCH_DAYS = 21

# ---------------------------------------------------------------------------
# Parsing and formatting
# ---------------------------------------------------------------------------

_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})")
_TIME_FORM = "Time must be HH:MM in 24-hour form, like 09:00 or 18:30"


def parse_time(text: str) -> time:
    """Parse ``HH:MM`` (24-hour clock) into a :class:`datetime.time`.

    A one-digit hour ("9:05") is accepted; seconds, AM/PM and other forms are not.
    """
    raw = text.strip()
    match = _TIME_RE.fullmatch(raw)
    if match is None:
        raise ValueError(f"{_TIME_FORM} (got {text!r}).")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23:
        raise ValueError(f"{_TIME_FORM}; the hour must be 00 to 23 (got {text!r}).")
    if minute > 59:
        raise ValueError(f"{_TIME_FORM}; the minutes must be 00 to 59 (got {text!r}).")
    return time(hour, minute)


def format_time(value: time) -> str:
    """The canonical ``HH:MM`` text of a time."""
    return f"{value.hour:02d}:{value.minute:02d}"


_DAY_ALIASES: dict[str, int] = {
    "mon": 0, "monday": 0,
    "tue": 1, "tues": 1, "tuesday": 1,
    "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}  # fmt: skip
_DAY_KEYWORDS: dict[str, frozenset[int]] = {
    "daily": ALL_DAYS,
    "everyday": ALL_DAYS,
    "weekdays": WEEKDAYS,
    "weekday": WEEKDAYS,
    "weekends": WEEKENDS,
    "weekend": WEEKENDS,
}
_DAYS_FORM = (
    "Use day names (mon, tue, wed, thu, fri, sat, sun), a range like mon-fri, "
    "a list like mon,wed,fri, or daily, weekdays or weekends."
)


def _day_number(name: str, part: str, text: str) -> int:
    try:
        return _DAY_ALIASES[name]
    except KeyError:
        where = f" in range {part!r}" if part != name else ""
        within = f" (in {text.strip()!r})" if text.strip().casefold() != part else ""
        raise ValueError(f"Unknown day {name!r}{where}{within}. {_DAYS_FORM}") from None


def parse_days(text: str) -> frozenset[int]:
    """Parse a set of weekdays (0 = Monday).

    Accepts ``daily``, ``weekdays``, ``weekends``, single days (``tue``), lists (``mon,wed,fri``
    or ``mon wed fri``) and ranges, which may wrap round the week (``sat-mon`` is Saturday,
    Sunday and Monday). Parts may be combined: ``mon-wed,sat``. Case does not matter.
    """
    cleaned = re.sub(r"\s*-\s*", "-", text.strip().casefold())
    # "every day", as the days option's list words daily
    cleaned = re.sub(r"\bevery\s+day\b", "daily", cleaned)
    parts = [part for part in re.split(r"[,\s]+", cleaned) if part]
    if not parts:
        raise ValueError(f"Days must not be empty. {_DAYS_FORM}")
    days: set[int] = set()
    for part in parts:
        if part in _DAY_KEYWORDS:
            days |= _DAY_KEYWORDS[part]
        elif "-" in part:
            pieces = part.split("-")
            if len(pieces) != 2 or not all(pieces):
                within = f" (in {text.strip()!r})" if text.strip().casefold() != part else ""
                raise ValueError(f"Bad day range {part!r}{within}. {_DAYS_FORM}")
            first = _day_number(pieces[0], part, text)
            last = _day_number(pieces[1], part, text)
            span = (last - first) % 7
            days.update((first + offset) % 7 for offset in range(span + 1))
        else:
            days.add(_day_number(part, part, text))
    return frozenset(days)


def _check_days(days: Iterable[int]) -> frozenset[int]:
    result = frozenset(days)
    if not result:
        raise ValueError(f"Days must not be empty. {_DAYS_FORM}")
    bad = sorted(day for day in result if not isinstance(day, int) or not 0 <= day <= 6)
    if bad:
        raise ValueError(f"Days must be numbers 0 (Monday) to 6 (Sunday), got {bad}.")
    return result


def format_days(days: Iterable[int]) -> str:
    """The canonical text for a set of weekdays: ``parse_days(format_days(d)) == d``.

    All seven days are ``daily``. Otherwise days are listed Monday first, runs of three or
    more consecutive days become ranges, and ranges never wrap: ``mon-fri``, ``mon,wed,fri``,
    ``sat,sun``, ``mon,fri-sun``.
    """
    chosen = _check_days(days)
    if chosen == ALL_DAYS:
        return "daily"
    runs: list[list[int]] = []
    for day in sorted(chosen):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}")
        else:
            parts.extend(DAY_NAMES[day] for day in run)
    return ",".join(parts)


_DAY_WORDS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: offered for ``days`` before anything is typed (and as what is typed matches them)
_DAY_PRESETS: tuple[frozenset[int], ...] = (
    ALL_DAYS, WEEKDAYS, WEEKENDS, frozenset({0, 2, 4}), frozenset({1, 3}),
)  # fmt: skip


def days_in_words(days: Iterable[int]) -> str:
    """A set of weekdays as a moderator reads it: "every day", "Monday to Friday",
    "Monday, Wednesday, Friday"."""
    chosen = sorted(_check_days(days))
    if len(chosen) == 7:
        return "every day"
    if len(chosen) >= 3 and chosen == list(range(chosen[0], chosen[-1] + 1)):
        return f"{_DAY_WORDS[chosen[0]]} to {_DAY_WORDS[chosen[-1]]}"
    return ", ".join(_DAY_WORDS[day] for day in chosen)


def days_choices(text: str) -> list[tuple[str, str]]:
    """Autocomplete for a ``days`` option, as (shown, value): what the text typed so far
    means, when it reads as days, then the usual sets whose names match it."""
    out: list[tuple[str, str]] = []
    if text.strip():
        with contextlib.suppress(ValueError):
            days = parse_days(text)
            out.append((f"{format_days(days)}: {days_in_words(days)}", format_days(days)))
    needle = text.strip().casefold()
    for preset in _DAY_PRESETS:
        value = format_days(preset)
        shown = f"{value}: {days_in_words(preset)}"
        if all(value != v for _, v in out) and (needle in shown.casefold() or not needle):
            out.append((shown, value))
    return out


# ---------------------------------------------------------------------------
# Time zones
# ---------------------------------------------------------------------------

# Present in the database but not useful to choose: host-dependent or a placeholder.
_HIDDEN_ZONES = frozenset({"localtime", "Factory", "posixrules"})

# Offered first when the user has typed nothing yet.
COMMON_ZONES: tuple[str, ...] = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Kyiv",
    "Europe/Istanbul",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones() - _HIDDEN_ZONES))


@lru_cache(maxsize=1)
def _zone_lookup() -> dict[str, str]:
    return {_fold_zone(name): name for name in _zone_names()}


@lru_cache(maxsize=1)
def _labelled_zones() -> dict[str, str]:
    """The zones Recall names otherwise than by their name, by that label as folded
    (``etc/gmt+2_(utc-2)``: Etc/GMT+2), so that a zone typed as Recall shows it is found."""
    labels = {name: zone_label(name) for name in _zone_names()}
    return {_fold_zone(label): name for name, label in labels.items() if label != name}


def _fold_zone(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip()).casefold()


_ZONE_FORM = (
    "Pick one from the list that appears as you type, or give an IANA name such as "
    "Europe/Berlin or America/New_York."
)


#: an offset as typed: UTC+2, GMT-5, +3, utc+02:00, UTC+5:30
_OFFSET_RE = re.compile(r"(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?")
#: the POSIX-style zones, whose sign is the reverse of the offset: Etc/GMT+2 is UTC-2
_ETC_GMT_RE = re.compile(r"(?:Etc/)?GMT([+-])(\d{1,2})")


#: what members call their clocks, where that is no zone's name: the zones each names
#: (EST, MST, HST, CET, EET and WET are zones of their own, taken as they are)
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "ist": ("Asia/Kolkata", "Asia/Jerusalem", "Europe/Dublin"),
    "bst": ("Europe/London",),
    "uk": ("Europe/London",),
    "cest": ("Europe/Berlin", "Europe/Paris"),
    "eest": ("Europe/Athens", "Europe/Helsinki"),
    "west": ("Europe/Lisbon",),
    "msk": ("Europe/Moscow",),
    "et": ("America/New_York",),
    "edt": ("America/New_York",),
    "ct": ("America/Chicago",),
    "cst": ("America/Chicago", "Asia/Shanghai"),
    "cdt": ("America/Chicago",),
    "mt": ("America/Denver",),
    "mdt": ("America/Denver",),
    "pt": ("America/Los_Angeles",),
    "pst": ("America/Los_Angeles", "Asia/Manila"),
    "pdt": ("America/Los_Angeles",),
    "akst": ("America/Anchorage",),
    "brt": ("America/Sao_Paulo",),
    "art": ("America/Argentina/Buenos_Aires",),
    "wat": ("Africa/Lagos",),
    "cat": ("Africa/Maputo",),
    "eat": ("Africa/Nairobi",),
    "sast": ("Africa/Johannesburg",),
    "gst": ("Asia/Dubai",),
    "pkt": ("Asia/Karachi",),
    "npt": ("Asia/Kathmandu",),
    "ict": ("Asia/Bangkok", "Asia/Ho_Chi_Minh"),
    "wib": ("Asia/Jakarta",),
    "sgt": ("Asia/Singapore",),
    "hkt": ("Asia/Hong_Kong",),
    "jst": ("Asia/Tokyo",),
    "kst": ("Asia/Seoul",),
    "awst": ("Australia/Perth",),
    "acst": ("Australia/Adelaide", "Australia/Darwin"),
    "aest": ("Australia/Sydney", "Australia/Brisbane"),
    "aedt": ("Australia/Sydney",),
    "nzst": ("Pacific/Auckland",),
    "nzdt": ("Pacific/Auckland",),
}


def _offset_zones(folded: str) -> frozenset[str]:
    """The zones of an offset typed as ``UTC+2`` or ``GMT+2``: Etc/GMT-2, whose name counts
    the other way round; for one of hours and minutes (``UTC+5:30``), which no Etc/GMT zone
    has, the zones whose clocks read so in winter or summer (none when the text is no such
    offset)."""
    match = _OFFSET_RE.fullmatch(folded.replace("_", ""))
    if match is None:
        return frozenset()
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if minutes:
        sign = 1 if match.group(1) == "+" else -1
        return _zones_at_offset(sign * (hours * 60 + minutes))
    name = f"Etc/GMT{'-' if match.group(1) == '+' else '+'}{hours}" if hours else "Etc/GMT"
    return frozenset({name}) if name in _zone_lookup().values() else frozenset()


@lru_cache(maxsize=32)
def _zones_at_offset(minutes: int) -> frozenset[str]:
    """The zones (region/city names) that are ``minutes`` ahead of UTC in January or July."""
    wanted = timedelta(minutes=minutes)
    seasons = [datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 12, tzinfo=UTC)]
    return frozenset(
        name
        for name in _zone_names()
        if "/" in name
        and not name.startswith("Etc/")
        and any(when.astimezone(ZoneInfo(name)).utcoffset() == wanted for when in seasons)
    )


#: zones named like a region's standard time that keep it all year: ``EST`` is not New
#: York's clock, which moves an hour in summer (``America/New_York``)
_STANDARD_ONLY = frozenset({"EST", "MST", "HST"})


def zone_label(name: str) -> str:
    """A zone's name as offered to choose: an Etc/GMT±N zone with the offset it really has,
    since its sign is the reverse (``Etc/GMT+2 (UTC-2)``); a standard time kept all year
    saying so (``EST (UTC-5 all year, no daylight saving)``); any other zone as it is."""
    if name in _STANDARD_ONLY:
        offset = datetime(2000, 1, 1, tzinfo=UTC).astimezone(ZoneInfo(name)).utcoffset()
        hours = int(offset.total_seconds() // 3600) if offset is not None else 0
        return f"{name} (UTC{hours:+d} all year, no daylight saving)"
    match = _ETC_GMT_RE.fullmatch(name)
    if match is None or not int(match.group(2)):
        return name
    return f"{name} (UTC{'-' if match.group(1) == '+' else '+'}{int(match.group(2))})"


def parse_zone(name: str) -> ZoneInfo:
    """Look up an IANA time zone such as ``Europe/London``.

    Case does not matter and spaces may stand for underscores (``america/new york``).
    """
    folded = _fold_zone(name)
    canonical = _zone_lookup().get(folded) or _labelled_zones().get(folded)
    if canonical is None:
        if not folded:
            raise ValueError(f"Give a time zone. {_ZONE_FORM}")
        lookup = _zone_lookup()
        hint = zone_choices(name, limit=3) or [
            lookup[close] for close in difflib.get_close_matches(folded, lookup, n=3, cutoff=0.8)
        ]
        maybe = f" Did you mean {' or '.join(map(zone_label, hint))}?" if hint else ""
        raise ValueError(f"Unknown time zone {name!r}.{maybe} {_ZONE_FORM}")
    return ZoneInfo(canonical)


def zone_choices(prefix: str, limit: int = 25) -> list[str]:
    """Zone names matching what the user has typed so far, best first, for autocomplete.

    With nothing typed, common zones come first. Otherwise names that start with the text come
    first, then names with a part starting with it (``lon`` finds ``Europe/London``), then
    names containing it anywhere. Matching ignores case, and spaces match underscores.
    """
    if limit <= 0:
        return []
    return list(_zone_choices(_fold_zone(prefix), limit))


@lru_cache(maxsize=512)
def _zone_choices(query: str, limit: int) -> tuple[str, ...]:
    names = _zone_names()
    if not query:
        available = set(names)
        common = [name for name in COMMON_ZONES if name in available]
        rest = [name for name in names if name not in set(common) and "/" in name]
        return tuple((common + rest)[:limit])
    common_rank = {name: index for index, name in enumerate(COMMON_ZONES)}
    # "UTC+2" or "IST" typed: the zones it names come first
    offset = _offset_zones(query) | frozenset(ABBREVIATIONS.get(query, ()))
    labelled = {name: label for label, name in _labelled_zones().items()}
    scored: list[tuple[int, int, int, str]] = []
    for name in names:
        folded = name.casefold()
        if name in offset:
            rank = -1  # "UTC+2" typed: the zone that is UTC+2 comes first
        elif folded.startswith(query) or labelled.get(name, "").startswith(query):
            # ...or its name as Recall shows it, "Etc/GMT+2 (UTC-2)", typed back
            rank = 0
        elif any(part.startswith(query) for part in re.split(r"[/_-]", folded)):
            rank = 1
        elif query in folded:
            rank = 2
        else:
            continue
        legacy = 0 if "/" in name else 1
        scored.append((rank, common_rank.get(name, len(COMMON_ZONES)), legacy, name))
    scored.sort()
    return tuple(name for *_, name in scored[:limit])


# ---------------------------------------------------------------------------
# Schedule spec and slots
# ---------------------------------------------------------------------------


class ScheduleSpec(BaseModel):
    """When the question of the day is posted: a local time on some weekdays in a zone.

    Fields accept their text forms too: ``ScheduleSpec(local_time="09:00", days="mon-fri",
    zone="Europe/London")``. The zone is stored by its canonical IANA name.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    local_time: time
    days: frozenset[int]
    zone: str

    @field_validator("local_time", mode="before")
    @classmethod
    def _parse_local_time(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_time(value)
        return value

    @field_validator("local_time")
    @classmethod
    def _whole_minutes(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("The local time must not carry a time zone; set zone instead.")
        if value.second or value.microsecond:
            raise ValueError(f"{_TIME_FORM}; seconds are not supported.")
        return value.replace(fold=0)

    @field_validator("days", mode="before")
    @classmethod
    def _parse_days(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_days(value)
        return value

    @field_validator("days")
    @classmethod
    def _valid_days(cls, value: frozenset[int]) -> frozenset[int]:
        return _check_days(value)

    @field_validator("zone", mode="before")
    @classmethod
    def _canonical_zone(cls, value: Any) -> Any:
        if isinstance(value, ZoneInfo):
            value = value.key
        if isinstance(value, str):
            return parse_zone(value).key
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The zone as a ``ZoneInfo`` (instances are cached by ``zoneinfo``)."""
        return ZoneInfo(self.zone)

    @property
    def time_text(self) -> str:
        return format_time(self.local_time)

    @property
    def days_text(self) -> str:
        return format_days(self.days)

    def describe(self) -> str:
        """Human text, e.g. ``09:00 mon-fri (Europe/London)``."""
        return f"{self.time_text} {self.days_text} ({self.zone})"


@dataclass(frozen=True, slots=True)
class Slot:
    """One scheduled post.

    ``local_time`` is the configured time; ``at_utc`` is when to post. ``shifted`` is true when
    the configured time did not exist that day and the slot moved to the next valid minute.
    """

    local_date: date
    local_time: time
    at_utc: datetime
    shifted: bool = False

    @property
    def key(self) -> tuple[date, str]:
        """The identity of the slot: its local date and configured ``HH:MM``."""
        return (self.local_date, format_time(self.local_time))


class CatchUp(NamedTuple):
    """What to do about slots that fell due while the bot was down."""

    post_late: Slot | None
    missed: list[Slot]


def _as_utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(UTC)


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    """The naive local wall-clock reading of an instant."""
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def _first_instant_at_or_after(wall: datetime, zone: ZoneInfo) -> datetime:
    """The earliest UTC instant whose local reading is ``wall`` or later.

    For a wall time that exists this is its first occurrence (fold=0). For one inside a
    spring-forward gap it is the moment the gap ends.
    """
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(first, zone) == wall:
        return first
    # Inside a gap, zoneinfo maps fold=0 with the offset before the change and fold=1 with
    # the offset after it; the change itself lies between the two readings.
    other = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = sorted((first, other))
    if not (_wall(low, zone) < wall <= _wall(high, zone)):
        return high
    # Offsets change on whole seconds, so bisect in seconds.
    while high - low > _ONE_SECOND:
        middle = low + timedelta(seconds=(high - low) // _ONE_SECOND // 2)
        if _wall(middle, zone) >= wall:
            high = middle
        else:
            low = middle
    return high


def local_day(instant_utc: datetime, zone: ZoneInfo) -> date:
    """The local calendar date of an instant in a zone."""
    return _as_utc(instant_utc, "instant_utc").astimezone(zone).date()


def week_start(local_date: date) -> date:
    """The Monday of the week containing a date."""
    return local_date - timedelta(days=local_date.weekday())


def month_start(local_date: date) -> date:
    """The first day of the month containing a date."""
    return local_date.replace(day=1)


def day_start_utc(local_date: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which a local date begins.

    That is local midnight, its first occurrence if midnight repeats, or the end of the gap if
    midnight is skipped. For a date skipped entirely it is the start of the next date.
    """
    return _first_instant_at_or_after(datetime.combine(local_date, time(0)), zone)


def slot_for_date(spec: ScheduleSpec, local_date: date) -> Slot | None:
    """The slot on a local date, or ``None`` if the schedule does not post that day.

    See the module docs for the DST rules.
    """
    if local_date.weekday() not in spec.days:
        return None
    zone = spec.tz
    wanted = datetime.combine(local_date, spec.local_time)
    at = _first_instant_at_or_after(wanted, zone)
    wall = _wall(at, zone)
    shifted = wall != wanted
    if shifted and (wall.second or wall.microsecond):
        # Round up to the next whole minute on the wall clock.
        at += timedelta(seconds=60 - wall.second, microseconds=-wall.microsecond)
        wall = _wall(at, zone)
    if wall.date() != local_date:
        return None
    return Slot(local_date=local_date, local_time=spec.local_time, at_utc=at, shifted=shifted)


def next_slot(spec: ScheduleSpec, after_utc: datetime) -> Slot:
    """The first slot strictly after an instant."""
    after = _as_utc(after_utc, "after_utc")
    # Offsets can step back by up to a day, so a slot dated the day before can still be due.
    day = local_day(after, spec.tz) - _ONE_DAY
    for _ in range(_SEARCH_DAYS):
        slot = slot_for_date(spec, day)
        if slot is not None and slot.at_utc > after:
            return slot
        day += _ONE_DAY
    raise RuntimeError(f"no slot within {_SEARCH_DAYS} days for {spec.describe()}")


def slots_between(spec: ScheduleSpec, start_utc: datetime, end_utc: datetime) -> list[Slot]:
    """Slots with ``start_utc < at_utc <= end_utc``, oldest first.

    The work is one step per local date in the window, so callers catching up after a long
    outage should bound ``start_utc`` (a week or so is plenty: older slots are missed anyway).
    """
    start = _as_utc(start_utc, "start_utc")
    end = _as_utc(end_utc, "end_utc")
    if end <= start:
        return []
    zone = spec.tz
    # Offsets move by at most a day either way, so two days of margin covers every slot.
    day = local_day(start, zone) - 2 * _ONE_DAY
    last = local_day(end, zone) + 2 * _ONE_DAY
    found: list[Slot] = []
    while day <= last:
        slot = slot_for_date(spec, day)
        if slot is not None and start < slot.at_utc <= end:
            found.append(slot)
        day += _ONE_DAY
    found.sort(key=lambda slot: slot.at_utc)
    return found


def classify_missed(
    slots: Iterable[Slot], now_utc: datetime, grace: timedelta = DEFAULT_GRACE
) -> CatchUp:
    """Sort slots that fell due while the bot was down into one late post and the rest.

    The most recent slot no more than ``grace`` old is posted late; every other due slot is
    recorded as missed (oldest first). Slots not yet due (``at_utc > now``) are left out.
    """
    now = _as_utc(now_utc, "now_utc")
    if grace < timedelta(0):
        raise ValueError("grace must not be negative")
    due = sorted((slot for slot in slots if slot.at_utc <= now), key=lambda slot: slot.at_utc)
    if due and now - due[-1].at_utc <= grace:
        return CatchUp(post_late=due[-1], missed=due[:-1])
    return CatchUp(post_late=None, missed=due)


def catch_up(
    spec: ScheduleSpec,
    last_checked_utc: datetime,
    now_utc: datetime,
    grace: timedelta = DEFAULT_GRACE,
) -> CatchUp:
    """:func:`classify_missed` for the slots after ``last_checked_utc`` up to ``now_utc``."""
    return classify_missed(slots_between(spec, last_checked_utc, now_utc), now_utc, grace)


# ---------------------------------------------------------------------------
# Reporting periods
# ---------------------------------------------------------------------------


def _add_months(value: date, months: int) -> date:
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def _step(period: str, value: date, count: int) -> date:
    if period == "week":
        return value + timedelta(days=7 * count)
    if period == "month":
        return _add_months(value, count)
    return value + timedelta(days=count)


def period_bounds(
    period: Period, now_utc: datetime, zone: ZoneInfo
) -> tuple[datetime | None, datetime]:
    """The UTC bounds ``[start, end)`` of the current local week or month in a zone.

    Weeks start on Monday at 00:00 local time, months on the first at 00:00, so a week that
    contains a DST change lasts 167 or 169 hours. For ``"all"`` the start is ``None`` and the
    end is the start of the next local day. Always ``start <= now < end``; consecutive periods
    share their boundary, so they tile time with no overlap.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)} (got {period!r})")
    now = _as_utc(now_utc, "now_utc")
    today = local_day(now, zone)
    kind = "day" if period == "all" else period
    if period == "week":
        first = week_start(today)
    elif period == "month":
        first = month_start(today)
    else:
        first = today
    start = day_start_utc(first, zone)
    end = day_start_utc(_step(kind, first, 1), zone)
    # A repeated hour that straddles midnight can put `now` on the other side of a boundary
    # from its local date; the intervals are what count.
    while now >= end:
        first = _step(kind, first, 1)
        start, end = end, day_start_utc(_step(kind, first, 1), zone)
    while now < start:
        first = _step(kind, first, -1)
        start, end = day_start_utc(first, zone), start
    return (None if period == "all" else start), end


# ---------------------------------------------------------------------------
# APScheduler
# ---------------------------------------------------------------------------


def cron_trigger(spec: ScheduleSpec) -> CronTrigger:
    """An APScheduler ``CronTrigger`` for the schedule.

    It matches :func:`next_slot` except around DST changes (see the module docs), so prefer
    :func:`date_trigger` for the actual posts.
    """
    return CronTrigger(
        day_of_week=",".join(DAY_NAMES[day] for day in sorted(spec.days)),
        hour=spec.local_time.hour,
        minute=spec.local_time.minute,
        second=0,
        timezone=spec.tz,
    )


def date_trigger(slot: Slot) -> DateTrigger:
    """A one-shot APScheduler trigger that fires at a slot's instant."""
    return DateTrigger(run_date=slot.at_utc, timezone=UTC)
