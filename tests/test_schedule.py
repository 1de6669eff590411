"""Tests for the question-of-the-day schedule maths in bot.schedule."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, assume, event, example, given, note, settings
from hypothesis import strategies as st

from bot.schedule import (
    ABBREVIATIONS,
    COMMON_ZONES,
    DEFAULT_GRACE,
    Period,
    ScheduleSpec,
    Slot,
    catch_up,
    classify_missed,
    cron_trigger,
    date_trigger,
    day_start_utc,
    days_choices,
    format_days,
    local_day,
    month_start,
    next_slot,
    parse_days,
    parse_time,
    parse_zone,
    period_bounds,
    slot_for_date,
    slots_between,
    week_start,
    zone_choices,
    zone_label,
)

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ALL_ZONES = sorted(available_timezones() - {"localtime", "Factory", "posixrules"})
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KOLKATA = ZoneInfo("Asia/Kolkata")
APIA = ZoneInfo("Pacific/Apia")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def spec(at: str, days: str = "daily", zone: str = "UTC") -> ScheduleSpec:
    return ScheduleSpec(local_time=at, days=days, zone=zone)


# --- independent helpers for checking wall-clock facts --------------------------------------


def wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def exists(naive: datetime, zone: ZoneInfo) -> bool:
    return wall(naive.replace(tzinfo=zone).astimezone(UTC), zone) == naive


def ambiguous(naive: datetime, zone: ZoneInfo) -> bool:
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return exists(naive, zone) and first != second


@lru_cache(maxsize=4096)
def transitions(zone_name: str, year: int) -> tuple[datetime, ...]:
    """Instants in a year at which the zone's UTC offset changes (to the second)."""
    zone = ZoneInfo(zone_name)
    found = []
    day = utc(year, 1, 1)
    end = utc(year + 1, 1, 1)
    while day < end:
        following = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            low, high = day, following
            before = low.astimezone(zone).utcoffset()
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) // 2
                middle = middle.replace(microsecond=0)
                if middle.astimezone(zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            found.append(high)
        day = following
    return tuple(found)


DST_ZONES = [
    name
    for name in ALL_ZONES
    if utc(2024, 1, 15).astimezone(ZoneInfo(name)).utcoffset()
    != utc(2024, 7, 15).astimezone(ZoneInfo(name)).utcoffset()
]

# --- strategies ------------------------------------------------------------------------------

zones = st.sampled_from(ALL_ZONES)
day_sets = st.frozensets(st.integers(0, 6), min_size=1)
times = st.builds(time, st.integers(0, 23), st.integers(0, 59))
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
)


@st.composite
def near_transition(draw: st.DrawFn) -> tuple[ScheduleSpec, datetime]:
    """A schedule whose time sits in or near a DST gap or repeated hour, and an instant shortly
    before the change."""
    zone_name = draw(st.sampled_from(DST_ZONES))
    year = draw(st.integers(2000, 2040))
    changes = transitions(zone_name, year)
    assume(changes)
    change = draw(st.sampled_from(changes))
    zone = ZoneInfo(zone_name)
    old_reading = (change - timedelta(seconds=1)).astimezone(zone).replace(tzinfo=None)
    old_reading += timedelta(seconds=1)
    new_reading = change.astimezone(zone).replace(tzinfo=None)
    # The gap or repeated hour runs between the two readings; aim at its middle, give or take.
    middle = min(old_reading, new_reading) + abs(new_reading - old_reading) / 2
    local = middle + timedelta(minutes=draw(st.integers(-100, 100)))
    days = draw(st.one_of(st.just(frozenset(range(7))), day_sets))
    after = change - timedelta(minutes=1 + draw(st.integers(0, 30 * 60)))
    schedule = ScheduleSpec(local_time=time(local.hour, local.minute), days=days, zone=zone_name)
    return schedule, after


@st.composite
def any_case(draw: st.DrawFn) -> tuple[ScheduleSpec, datetime]:
    schedule = ScheduleSpec(local_time=draw(times), days=draw(day_sets), zone=draw(zones))
    return schedule, draw(instants)


cases = st.one_of(any_case(), near_transition())
periods: list[Period] = ["week", "month"]


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:00", time(9, 0)), ("18:30", time(18, 30)), ("00:00", time(0)), (" 9:05 ", time(9, 5))],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "9", "0900", "9am", "09:00:00", "24:00", "12:60", "ab:cd"])
def test_parse_time_rejects_with_expected_form(text: str) -> None:
    with pytest.raises(ValueError, match=r"^Time must be HH:MM in 24-hour form, like 09:00"):
        parse_time(text)


@given(times)
def test_parse_time_round_trip(value: time) -> None:
    assert parse_time(f"{value.hour:02d}:{value.minute:02d}") == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("daily", set(range(7))),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("weekends", {5, 6}),
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("mon,wed,fri", {0, 2, 4}),
        ("Mon, Wed ,FRI", {0, 2, 4}),
        ("mon wed fri", {0, 2, 4}),
        ("sat-mon", {5, 6, 0}),
        ("fri - tue", {4, 5, 6, 0, 1}),
        ("tue", {1}),
        ("tuesday", {1}),
        ("mon-wed,sat", {0, 1, 2, 5}),
        ("weekends,mon", {5, 6, 0}),
        ("thu-thu", {3}),
        # as the days option's list names daily
        ("every day", {0, 1, 2, 3, 4, 5, 6}),
        ("Every  Day", {0, 1, 2, 3, 4, 5, 6}),
    ],
)
def test_parse_days(text: str, expected: set[int]) -> None:
    assert parse_days(text) == frozenset(expected)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("mon,fry", "'fry'"),
        ("mon-fry", "'fry' in range 'mon-fry'"),
        ("funday", "'funday'"),
        ("mon-tue-wed", "'mon-tue-wed'"),
        ("mon-", "'mon-'"),
    ],
)
def test_parse_days_names_the_bad_part(text: str, named: str) -> None:
    with pytest.raises(ValueError, match=named) as caught:
        parse_days(text)
    assert str(caught.value)[0].isupper()
    assert "Use day names" in str(caught.value) and "mon-fri" in str(caught.value)


@pytest.mark.parametrize("text", ["", "  ", ",,"])
def test_parse_days_rejects_empty(text: str) -> None:
    with pytest.raises(ValueError, match=r"^Days must not be empty\. Use day names"):
        parse_days(text)


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (set(range(7)), "daily"),
        ({0, 1, 2, 3, 4}, "mon-fri"),
        ({0, 2, 4}, "mon,wed,fri"),
        ({5, 6}, "sat,sun"),
        ({5, 6, 0}, "mon,sat,sun"),
        ({4, 5, 6, 0}, "mon,fri-sun"),
        ({1}, "tue"),
        ({0, 1, 2, 4, 5, 6}, "mon-wed,fri-sun"),
    ],
)
def test_format_days(days: set[int], text: str) -> None:
    assert format_days(frozenset(days)) == text


@pytest.mark.parametrize("days", [set(), {7}, {-1, 2}])
def test_format_days_rejects_bad_sets(days: set[int]) -> None:
    with pytest.raises(ValueError):
        format_days(frozenset(days))


@given(day_sets)
def test_days_round_trip(days: frozenset[int]) -> None:
    text = format_days(days)
    assert parse_days(text) == days
    assert format_days(parse_days(text)) == text


day_parts = st.one_of(
    st.sampled_from(["daily", "weekdays", "weekends", "mon", "tue", "wed", "thu", "fri", "sat"]),
    st.tuples(st.sampled_from(["mon", "thu", "sun"]), st.sampled_from(["tue", "fri", "sat"])).map(
        "-".join
    ),
)


@given(st.lists(day_parts, min_size=1, max_size=4), st.sampled_from([",", ", ", " "]))
def test_parse_days_is_the_union_of_its_parts(parts: list[str], separator: str) -> None:
    whole = parse_days(separator.join(parts))
    assert whole == frozenset().union(*(parse_days(part) for part in parts))
    assert parse_days(format_days(whole)) == whole


def test_parse_zone() -> None:
    assert parse_zone("Europe/London") == LONDON
    assert parse_zone(" europe/london ") == LONDON
    assert parse_zone("America/New York").key == "America/New_York"
    assert parse_zone("utc").key == "UTC"


@pytest.mark.parametrize("name", ["Europe", "Mars/Olympus", "../etc/passwd", "/etc/passwd"])
def test_parse_zone_rejects_unknown(name: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_zone(name)
    text = str(caught.value)
    assert text.startswith(f"Unknown time zone {name!r}. ")
    assert text.endswith(
        "Pick one from the list that appears as you type, or give an IANA name such as "
        "Europe/Berlin or America/New_York."
    )


def test_parse_zone_asks_for_a_zone_when_given_none() -> None:
    with pytest.raises(ValueError) as caught:
        parse_zone("  ")
    assert str(caught.value).startswith("Give a time zone. Pick one from the list")


def test_parse_zone_suggests_close_names() -> None:
    with pytest.raises(ValueError, match=r"Did you mean .*Europe/London"):
        parse_zone("London")
    with pytest.raises(ValueError, match=r"'Amerika/Chicgo'\. Did you mean America/Chicago\?"):
        parse_zone("Amerika/Chicgo")


def test_an_offset_typed_as_utc_plus_finds_the_zone_that_really_is_it() -> None:
    # POSIX names count the other way round: Etc/GMT+2 is two hours behind UTC.
    with pytest.raises(ValueError, match=r"'GMT\+2'\. Did you mean Etc/GMT-2 \(UTC\+2\) or "
                       r"Etc/GMT\+2 \(UTC-2\)\?"):
        parse_zone("GMT+2")
    with pytest.raises(ValueError, match=r"Did you mean Etc/GMT\+5 \(UTC-5\)\?"):
        parse_zone("UTC-5")
    assert zone_choices("UTC+2") == ["Etc/GMT-2"]
    assert zone_choices("gmt+2")[0] == "Etc/GMT-2"
    assert zone_choices("Etc/GMT+2") == ["Etc/GMT+2"]  # the name itself, as typed
    assert zone_label("Etc/GMT+2") == "Etc/GMT+2 (UTC-2)"
    assert zone_label("Etc/GMT-14") == "Etc/GMT-14 (UTC+14)"
    assert zone_label("Europe/London") == "Europe/London"


def test_an_offset_of_hours_and_minutes_finds_the_zones_that_have_it() -> None:
    """No Etc/GMT zone is half an hour off: UTC+5:30, as India's clock is often written, was
    refused with no zone to try. The zones whose clocks read so are suggested."""
    with pytest.raises(ValueError, match=r"'UTC\+5:30'\. Did you mean Asia/Kolkata or "):
        parse_zone("UTC+5:30")
    assert "Asia/Colombo" in zone_choices("UTC+5:30")
    assert zone_choices("gmt+0530")[0] == "Asia/Kolkata"
    assert "Asia/Kathmandu" in zone_choices("UTC+5:45")
    # Newfoundland in winter, Adelaide in winter: offsets a zone has part of the year count
    assert "America/St_Johns" in zone_choices("UTC-3:30")
    assert "Australia/Adelaide" in zone_choices("UTC+9:30")
    assert zone_choices("UTC+2:00") == ["Etc/GMT-2"]


def test_a_zone_typed_as_its_abbreviation_suggests_the_zones_it_names() -> None:
    """IST suggested Istanbul, AEST the fixed UTC-5 of EST, JST nothing: abbreviations are
    what members call their clocks, and none of these is a zone's name. The zones each
    names come first, in suggestions and autocomplete."""
    with pytest.raises(
        ValueError,
        match=r"'IST'\. Did you mean Asia/Kolkata or Asia/Jerusalem or Europe/Dublin\?",
    ):
        parse_zone("IST")
    with pytest.raises(ValueError, match=r"'jst'\. Did you mean Asia/Tokyo\?"):
        parse_zone("jst")
    assert zone_choices("AEST")[0] == "Australia/Sydney"
    assert zone_choices("cest")[:2] == ["Europe/Paris", "Europe/Berlin"]
    assert zone_choices("PST")[0] == "America/Los_Angeles"
    # a zone's own name is taken as it is: EST is UTC-5 all year
    assert parse_zone("EST").key == "EST"
    assert zone_choices("EST")[0] == "EST"


def test_standard_time_zones_say_they_keep_no_daylight_saving() -> None:
    """``EST`` and ``MST`` are fixed offsets, not New York's or Denver's clock, which move
    an hour in summer: a member who picks one is told before a reminder comes an hour off."""
    assert zone_label("EST") == "EST (UTC-5 all year, no daylight saving)"
    assert zone_label("MST") == "MST (UTC-7 all year, no daylight saving)"
    assert zone_label("HST") == "HST (UTC-10 all year, no daylight saving)"
    assert zone_label("EST5EDT") == "EST5EDT"  # this one keeps summer time
    assert zone_label("UTC") == "UTC"


def test_days_choices_say_what_the_days_typed_mean() -> None:
    assert days_choices("sat-mon") == [("mon,sat,sun: Monday, Saturday, Sunday", "mon,sat,sun")]
    assert days_choices("weekdays") == [("mon-fri: Monday to Friday", "mon-fri")]
    assert [v for _, v in days_choices("")] == ["daily", "mon-fri", "sat,sun", "mon,wed,fri", "tue,thu"]
    assert [v for _, v in days_choices("fri")] == ["fri", "mon-fri", "mon,wed,fri"]
    assert days_choices("someday") == []


def test_zone_choices_empty_prefix_puts_common_zones_first() -> None:
    choices = zone_choices("")
    assert len(choices) == 25
    assert choices[:3] == ["UTC", "Europe/London", "Europe/Paris"]
    assert set(choices) <= set(COMMON_ZONES)
    assert len(zone_choices("", limit=200)) == 200
    assert zone_choices("", limit=0) == []


def test_zone_choices_matching() -> None:
    assert zone_choices("lon")[0] == "Europe/London"
    assert zone_choices("europe/lo")[0] == "Europe/London"
    assert zone_choices("new y") == ["America/New_York"]
    assert zone_choices("KOLK") == ["Asia/Kolkata"]
    assert zone_choices("zzzz") == []
    assert "localtime" not in zone_choices("local", limit=100)
    assert zone_choices("america/", limit=3) == [
        "America/New_York",
        "America/Chicago",
        "America/Denver",
    ]


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz/_ ", max_size=6), st.integers(1, 30))
def test_zone_choices_are_valid_matches(prefix: str, limit: int) -> None:
    choices = zone_choices(prefix, limit)
    assert len(choices) <= limit
    assert len(set(choices)) == len(choices)
    query = "_".join(prefix.split()).casefold() if prefix.strip() else ""
    for name in choices:
        assert parse_zone(name).key == name
        # or a zone the text names as an abbreviation (IST: Asia/Kolkata)
        assert query in name.casefold() or name in ABBREVIATIONS.get(query, ())


def test_zone_choices_returns_a_fresh_list() -> None:
    first = zone_choices("eur")
    first.clear()
    assert zone_choices("eur")


# --- the spec model --------------------------------------------------------------------------


def test_spec_accepts_text_and_normalises() -> None:
    schedule = ScheduleSpec(local_time="9:00", days="weekdays", zone="europe/london")
    assert schedule.local_time == time(9, 0)
    assert schedule.days == frozenset(range(5))
    assert schedule.zone == "Europe/London"
    assert schedule.tz is LONDON
    assert schedule.describe() == "09:00 mon-fri (Europe/London)"
    assert ScheduleSpec.model_validate(schedule.model_dump()) == schedule


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"local_time": "25:00"}, "HH:MM"),
        ({"local_time": time(9, 0, 30)}, "seconds"),
        ({"days": ""}, "must not be empty"),
        ({"days": frozenset()}, "must not be empty"),
        ({"days": frozenset({9})}, "0 \\(Monday\\) to 6"),
        ({"zone": "Nowhere/Town"}, "Unknown time zone"),
    ],
)
def test_spec_rejects_bad_fields(fields: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"local_time": "09:00", "days": "daily", "zone": "UTC"}
    values.update(fields)
    with pytest.raises(ValueError, match=message):
        ScheduleSpec.model_validate(values)


# --- explicit DST examples -------------------------------------------------------------------


def test_local_time_holds_across_dst_in_london() -> None:
    schedule = spec("09:00", zone="Europe/London")
    winter = slot_for_date(schedule, date(2024, 1, 15))
    summer = slot_for_date(schedule, date(2024, 7, 15))
    assert winter is not None and summer is not None
    assert winter.at_utc == utc(2024, 1, 15, 9)
    assert summer.at_utc == utc(2024, 7, 15, 8)
    assert not winter.shifted and not summer.shifted
    assert summer.key == (date(2024, 7, 15), "09:00")


def test_spring_forward_gap_posts_at_next_valid_minute_new_york() -> None:
    schedule = spec("02:30", zone="America/New_York")
    slot = slot_for_date(schedule, date(2024, 3, 10))
    assert slot is not None
    assert slot.shifted
    assert slot.local_time == time(2, 30)
    assert slot.key == (date(2024, 3, 10), "02:30")
    assert slot.at_utc == utc(2024, 3, 10, 7, 0)
    assert wall(slot.at_utc, NEW_YORK) == datetime(2024, 3, 10, 3, 0)
    after = slot_for_date(schedule, date(2024, 3, 11))
    assert after is not None and after.at_utc == utc(2024, 3, 11, 6, 30)


def test_fall_back_posts_once_at_first_occurrence_new_york() -> None:
    schedule = spec("01:30", zone="America/New_York")
    slot = slot_for_date(schedule, date(2024, 11, 3))
    assert slot is not None and not slot.shifted
    assert slot.at_utc == utc(2024, 11, 3, 5, 30)  # 01:30 EDT, not 01:30 EST
    found = slots_between(schedule, utc(2024, 11, 2, 12), utc(2024, 11, 4, 0))
    assert [s.at_utc for s in found] == [utc(2024, 11, 3, 5, 30)]
    assert next_slot(schedule, slot.at_utc).local_date == date(2024, 11, 4)


def test_london_gap_and_fold() -> None:
    gap = slot_for_date(spec("01:15", zone="Europe/London"), date(2024, 3, 31))
    assert gap is not None and gap.shifted
    assert wall(gap.at_utc, LONDON) == datetime(2024, 3, 31, 2, 0)
    assert gap.at_utc == utc(2024, 3, 31, 1, 0)
    fold = slot_for_date(spec("01:15", zone="Europe/London"), date(2024, 10, 27))
    assert fold is not None and fold.at_utc == utc(2024, 10, 27, 0, 15)


def test_lord_howe_half_hour_shift() -> None:
    # Lord Howe moves its clocks by 30 minutes: 02:00 -> 02:30 in October, 02:00 -> 01:30
    # in April.
    gap = slot_for_date(spec("02:15", zone="Australia/Lord_Howe"), date(2024, 10, 6))
    assert gap is not None and gap.shifted
    assert wall(gap.at_utc, LORD_HOWE) == datetime(2024, 10, 6, 2, 30)
    assert gap.at_utc == utc(2024, 10, 5, 15, 30)
    fold = slot_for_date(spec("01:45", zone="Australia/Lord_Howe"), date(2024, 4, 7))
    assert fold is not None and not fold.shifted
    assert fold.at_utc == utc(2024, 4, 6, 14, 45)  # first 01:45, at +11:00
    assert fold.at_utc.astimezone(LORD_HOWE).utcoffset() == timedelta(hours=11)
    assert wall(fold.at_utc + timedelta(minutes=30), LORD_HOWE) == datetime(2024, 4, 7, 1, 45)


def test_kolkata_has_no_dst() -> None:
    schedule = spec("09:00", zone="Asia/Kolkata")
    found = slots_between(schedule, utc(2023, 12, 31), utc(2024, 12, 31))
    assert len(found) == 366
    assert {s.at_utc.time() for s in found} == {time(3, 30)}
    assert not any(s.shifted for s in found)


def test_apia_skipped_date_has_no_slot() -> None:
    # Samoa skipped Friday 2011-12-30 entirely: 23:59:59 on the 29th (-10:00) was followed
    # by 00:00 on the 31st (+14:00). That date has no slot, and no date gets two.
    schedule = spec("09:00", zone="Pacific/Apia")
    assert slot_for_date(schedule, date(2011, 12, 30)) is None
    assert slot_for_date(spec("00:00", zone="Pacific/Apia"), date(2011, 12, 30)) is None
    before = slot_for_date(schedule, date(2011, 12, 29))
    assert before is not None and before.at_utc == utc(2011, 12, 29, 19)
    following = next_slot(schedule, before.at_utc)
    assert following.local_date == date(2011, 12, 31)
    assert following.at_utc == utc(2011, 12, 30, 19)
    found = slots_between(schedule, utc(2011, 12, 27), utc(2011, 12, 31, 20))
    assert [s.local_date.day for s in found] == [27, 28, 29, 31, 1]
    assert day_start_utc(date(2011, 12, 30), APIA) == day_start_utc(date(2011, 12, 31), APIA)


def test_midnight_gap_moves_day_start() -> None:
    # Santiago springs forward at 24:00: 2024-09-08 00:00 does not exist, the day begins 01:00.
    santiago = ZoneInfo("America/Santiago")
    start = day_start_utc(date(2024, 9, 8), santiago)
    assert wall(start, santiago) == datetime(2024, 9, 8, 1, 0)
    slot = slot_for_date(spec("00:00", zone="America/Santiago"), date(2024, 9, 8))
    assert slot is not None and slot.at_utc == start and slot.shifted


def test_next_slot_is_strict_and_respects_days() -> None:
    schedule = spec("09:00", "mon,wed,fri", "Europe/London")
    monday_nine = utc(2024, 1, 15, 9)
    assert next_slot(schedule, monday_nine - timedelta(microseconds=1)).at_utc == monday_nine
    assert next_slot(schedule, monday_nine).local_date == date(2024, 1, 17)
    assert next_slot(schedule, utc(2024, 1, 19, 10)).local_date == date(2024, 1, 22)


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_slot(spec("09:00"), datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        period_bounds("week", datetime(2024, 1, 1), LONDON)


def test_slots_between_is_start_exclusive_end_inclusive() -> None:
    schedule = spec("09:00")
    found = slots_between(schedule, utc(2024, 1, 1, 9), utc(2024, 1, 3, 9))
    assert [s.local_date for s in found] == [date(2024, 1, 2), date(2024, 1, 3)]
    assert slots_between(schedule, utc(2024, 1, 3), utc(2024, 1, 1)) == []


# --- properties of slots ---------------------------------------------------------------------


def check_slot(schedule: ScheduleSpec, slot: Slot) -> None:
    zone = schedule.tz
    wanted = datetime.combine(slot.local_date, schedule.local_time)
    posted = wall(slot.at_utc, zone)
    assert slot.at_utc.tzinfo is UTC
    assert slot.local_time == schedule.local_time
    assert slot.local_date.weekday() in schedule.days
    assert posted.date() == slot.local_date
    if slot.shifted:
        # A spring-forward gap: the configured time and every minute up to the post are
        # missing from the wall clock, and the post is on a whole minute.
        assert posted > wanted
        assert (posted.second, posted.microsecond) == (0, 0)
        minute = wanted
        while minute < posted:
            assert not exists(minute, zone)
            minute += timedelta(minutes=1)
    else:
        assert posted == wanted
        assert slot.at_utc == wanted.replace(tzinfo=zone, fold=0).astimezone(UTC)


@PROPERTY
@given(cases)
def test_next_slot_properties(case: tuple[ScheduleSpec, datetime]) -> None:
    schedule, after = case
    slot = next_slot(schedule, after)
    note(repr(slot))
    wanted = datetime.combine(slot.local_date, schedule.local_time)
    event("gap" if slot.shifted else "fold" if ambiguous(wanted, schedule.tz) else "plain")
    assert slot.at_utc > after
    check_slot(schedule, slot)
    # Nothing was skipped between `after` and the slot.
    assert slots_between(schedule, after, slot.at_utc) == [slot]
    # A date with the weekday and an existing wall time always has a slot.
    assert slot.at_utc - after <= timedelta(days=9)


@PROPERTY
@given(cases, st.integers(1, 40))
def test_slots_between_matches_iterating_next_slot(
    case: tuple[ScheduleSpec, datetime], span_days: int
) -> None:
    schedule, start = case
    end = start + timedelta(days=span_days, minutes=17)
    found = slots_between(schedule, start, end)
    iterated = []
    slot = next_slot(schedule, start)
    while slot.at_utc <= end:
        iterated.append(slot)
        slot = next_slot(schedule, slot.at_utc)
    assert found == iterated
    dates = [s.local_date for s in found]
    assert len(set(dates)) == len(dates)
    assert len({local_day(s.at_utc, schedule.tz) for s in found}) == len(found)
    assert all(a.at_utc < b.at_utc for a, b in pairwise(found))
    assert all(a.local_date < b.local_date for a, b in pairwise(found))
    for s in found:
        check_slot(schedule, s)


@PROPERTY
@given(zones, times, st.dates(date(2000, 1, 1), date(2040, 12, 31)))
def test_slot_for_date_only_misses_when_the_whole_rest_of_day_is_gone(
    zone_name: str, local: time, day: date
) -> None:
    schedule = ScheduleSpec(local_time=local, days="daily", zone=zone_name)
    slot = slot_for_date(schedule, day)
    if slot is None:
        end_of_day = datetime.combine(day, time(23, 59))
        assert not exists(end_of_day, schedule.tz)
    else:
        check_slot(schedule, slot)


# --- catching up -----------------------------------------------------------------------------


def test_classify_missed_examples() -> None:
    schedule = spec("09:00")
    down = slots_between(schedule, utc(2024, 1, 1, 12), utc(2024, 1, 5, 12))
    assert [s.local_date.day for s in down] == [2, 3, 4, 5]
    late, missed = classify_missed(down, utc(2024, 1, 5, 12))
    assert late is not None and late.local_date.day == 5
    assert [s.local_date.day for s in missed] == [2, 3, 4]
    late, missed = classify_missed(down, utc(2024, 1, 5, 15, 1))
    assert late is None and len(missed) == 4
    late, missed = classify_missed(down, utc(2024, 1, 5, 15))  # exactly at the grace limit
    assert late is not None and late.local_date.day == 5
    assert classify_missed([], utc(2024, 1, 1)) == (None, [])
    assert catch_up(schedule, utc(2024, 1, 1, 12), utc(2024, 1, 5, 12)) == classify_missed(
        down, utc(2024, 1, 5, 12)
    )
    assert DEFAULT_GRACE == timedelta(hours=6)


@given(
    st.lists(st.integers(-2 * 24 * 60, 5 * 24 * 60), unique=True, max_size=12),
    st.integers(0, 24 * 60),
)
def test_classify_missed_properties(ages_minutes: list[int], grace_minutes: int) -> None:
    now = utc(2024, 6, 1, 12)
    grace = timedelta(minutes=grace_minutes)
    slots = [
        Slot(local_date=date(2024, 6, 1), local_time=time(9), at_utc=now - timedelta(minutes=m))
        for m in ages_minutes
    ]
    late, missed = classify_missed(slots, now, grace)
    due = sorted((s for s in slots if s.at_utc <= now), key=lambda s: s.at_utc)
    assert missed == [s for s in due if s is not late]
    if late is None:
        assert all(now - s.at_utc > grace for s in due)
    else:
        assert late is due[-1]
        assert now - late.at_utc <= grace


# --- periods ---------------------------------------------------------------------------------


def test_week_bounds_london_around_dst() -> None:
    spring_start, spring_end = period_bounds("week", utc(2024, 3, 27, 12), LONDON)
    assert spring_start == utc(2024, 3, 25, 0)
    assert spring_end == utc(2024, 3, 31, 23)
    assert spring_start is not None
    assert spring_end - spring_start == timedelta(hours=167)
    autumn_start, autumn_end = period_bounds("week", utc(2024, 10, 23), LONDON)
    assert autumn_start == utc(2024, 10, 20, 23)
    assert autumn_start is not None
    assert autumn_end - autumn_start == timedelta(hours=169)
    plain_start, plain_end = period_bounds("week", utc(2024, 6, 5), KOLKATA)
    assert plain_start == utc(2024, 6, 2, 18, 30)
    assert plain_start is not None
    assert plain_end - plain_start == timedelta(hours=168)


def test_month_and_all_bounds() -> None:
    start, end = period_bounds("month", utc(2024, 3, 15), LONDON)
    assert (start, end) == (utc(2024, 3, 1), utc(2024, 3, 31, 23))
    start, end = period_bounds("month", utc(2024, 12, 31, 23, 30), NEW_YORK)
    assert (start, end) == (utc(2024, 12, 1, 5), utc(2025, 1, 1, 5))
    start, end = period_bounds("all", utc(2024, 3, 15, 12), LONDON)
    assert start is None and end == utc(2024, 3, 16)
    with pytest.raises(ValueError, match="week, month, all"):
        period_bounds("year", utc(2024, 1, 1), LONDON)  # type: ignore[arg-type]


def test_week_and_month_start() -> None:
    assert week_start(date(2024, 3, 31)) == date(2024, 3, 25)
    assert week_start(date(2024, 3, 25)) == date(2024, 3, 25)
    assert month_start(date(2024, 2, 29)) == date(2024, 2, 1)
    assert local_day(utc(2024, 1, 1, 23), KOLKATA) == date(2024, 1, 2)


@PROPERTY
@given(st.sampled_from(periods), instants, st.one_of(zones, st.sampled_from(DST_ZONES)))
def test_period_bounds_properties(period: Period, now: datetime, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    start, end = period_bounds(period, now, zone)
    assert start is not None
    assert start <= now < end
    first = wall(start, zone)
    last = wall(end, zone)
    expected_first = week_start(first.date()) if period == "week" else month_start(first.date())
    assert first.date() == expected_first
    if exists(datetime.combine(first.date(), time(0)), zone):
        assert first.time() == time(0)
    else:
        # Midnight was skipped: the period starts when the day does.
        assert first.time() > time(0)
        assert not exists(first - timedelta(minutes=1), zone)
    if period == "week":
        if first.time() == last.time() == time(0):
            assert last - first == timedelta(days=7)  # seven wall-clock days, whatever DST does
        assert timedelta(days=6) < end - start < timedelta(days=8)
    # Periods tile: the next one starts where this one ends.
    assert period_bounds(period, end, zone)[0] == end
    assert period_bounds(period, start - timedelta(microseconds=1), zone)[1] == start


@PROPERTY
@given(instants, zones)
def test_all_period_ends_at_next_local_midnight(now: datetime, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    start, end = period_bounds("all", now, zone)
    assert start is None
    assert now < end <= now + timedelta(hours=49)


# --- APScheduler -----------------------------------------------------------------------------


def cron_fire(schedule: ScheduleSpec, after: datetime) -> datetime:
    """The trigger's first fire time strictly after `after`, in UTC.

    Converting matters: an aware datetime whose offset depends on `fold` (inside a gap or a
    repeated hour) never compares equal to one in another zone, even at the same instant.
    """
    fire = cron_trigger(schedule).get_next_fire_time(None, after + timedelta(microseconds=1))
    assert fire is not None
    return fire.astimezone(UTC)


def offset_changes(zone_name: str, start: datetime, end: datetime) -> list[datetime]:
    return [
        change
        for year in range(start.year, end.year + 1)
        for change in transitions(zone_name, year)
        if start <= change <= end
    ]


@PROPERTY
@given(cases)
@example((spec("09:00", "mon-fri", "Europe/London"), utc(2024, 3, 29, 12)))
def test_cron_trigger_agrees_with_next_slot_away_from_dst_changes(
    case: tuple[ScheduleSpec, datetime],
) -> None:
    schedule, after = case
    slot = next_slot(schedule, after)
    fire = cron_fire(schedule, after)
    changes = offset_changes(
        schedule.zone, after - timedelta(days=2), slot.at_utc + timedelta(days=2)
    )
    note(f"slot={slot!r} fire={fire!r} changes={changes}")
    event("near a change" if changes else "no change")
    if not changes:
        assert fire == slot.at_utc


@PROPERTY
@given(near_transition())
@example(
    (
        ScheduleSpec(local_time=time(23, 30), days=frozenset(range(7)), zone="America/Godthab"),
        datetime(2024, 3, 31, 0, 59, tzinfo=UTC),
    )
)
def test_cron_trigger_differences_are_the_documented_ones(
    case: tuple[ScheduleSpec, datetime],
) -> None:
    """Near a DST change, every CronTrigger fire time is one of ours or a known variant."""
    schedule, after = case
    zone = schedule.tz
    ours = slots_between(schedule, after, after + timedelta(days=10))
    fire = cron_fire(schedule, after)
    note(f"ours={ours!r} fire={fire!r}")
    assert ours
    if fire == ours[0].at_utc:
        event("same")
        return
    explained = ""
    # A repeated hour may have begun before `after`, so look at the day before as well.
    earlier = slots_between(schedule, after - timedelta(days=2), after)
    for slot in earlier + ours:
        wanted = datetime.combine(slot.local_date, schedule.local_time)
        gap_reading = wanted.replace(tzinfo=zone, fold=0).astimezone(UTC)
        second = wanted.replace(tzinfo=zone, fold=1).astimezone(UTC)
        if slot.shifted and fire == gap_reading:
            explained = "gap: fires at the configured time plus the gap length"
        elif ambiguous(wanted, zone) and fire == second:
            explained = "fold: fires again at the second occurrence"
        elif fire == slot.at_utc and slot in ours[1:]:
            explained = "skip: misses a day after the change"

        if explained:
            break
    # A date with no slot of ours because its time falls in a gap that runs to midnight.
    day = (after - timedelta(days=2)).astimezone(zone).date()
    while not explained and day <= ours[-1].local_date:
        wanted = datetime.combine(day, schedule.local_time)
        if (
            day.weekday() in schedule.days
            and slot_for_date(schedule, day) is None
            and fire == wanted.replace(tzinfo=zone, fold=0).astimezone(UTC)
        ):
            explained = "gap to midnight: the date has no slot, CronTrigger fires in the gap"
        day += timedelta(days=1)
    event(explained or "unexplained")
    assert explained, "CronTrigger differs from next_slot in an undocumented way"


def test_cron_trigger_fires_late_in_a_gap() -> None:
    schedule = spec("02:30", zone="America/New_York")
    fire = cron_trigger(schedule).get_next_fire_time(None, utc(2024, 3, 10, 0))
    assert fire.astimezone(UTC) == utc(2024, 3, 10, 7, 30)  # 03:30 EDT
    assert next_slot(schedule, utc(2024, 3, 10, 0)).at_utc == utc(2024, 3, 10, 7, 0)  # 03:00


def test_cron_trigger_fires_twice_in_a_fold() -> None:
    schedule = spec("01:30", zone="America/New_York")
    trigger = cron_trigger(schedule)
    first = trigger.get_next_fire_time(None, utc(2024, 11, 3, 0))
    second = trigger.get_next_fire_time(first, first + timedelta(microseconds=1))
    assert first.astimezone(UTC) == utc(2024, 11, 3, 5, 30)
    assert second.astimezone(UTC) == utc(2024, 11, 3, 6, 30)  # 01:30 EST, a second post
    assert next_slot(schedule, first).at_utc == utc(2024, 11, 4, 6, 30)


def test_cron_trigger_skips_the_day_after_spring_forward() -> None:
    # A time earlier than the size of the shift after midnight (00:00-00:59 for one hour)
    # is missed entirely on the day after the change.
    schedule = spec("00:30", zone="America/New_York")
    trigger = cron_trigger(schedule)
    fire = trigger.get_next_fire_time(None, utc(2024, 3, 10, 5, 31))  # just after 00:30 EST
    assert fire.astimezone(UTC) == utc(2024, 3, 12, 4, 30)  # 2024-03-12 00:30 EDT
    ours = next_slot(schedule, utc(2024, 3, 10, 5, 31))
    assert ours.local_date == date(2024, 3, 11)
    assert ours.at_utc == utc(2024, 3, 11, 4, 30)


def test_cron_trigger_skips_apia_date_like_next_slot() -> None:
    schedule = spec("09:00", zone="Pacific/Apia")
    fire = cron_trigger(schedule).get_next_fire_time(None, utc(2011, 12, 29, 20))
    assert fire.astimezone(UTC) == next_slot(schedule, utc(2011, 12, 29, 20)).at_utc


def test_cron_trigger_fields() -> None:
    trigger = cron_trigger(spec("18:05", "mon,wed,fri", "Asia/Kolkata"))
    fields = {field.name: str(field) for field in trigger.fields}
    assert fields["day_of_week"] == "mon,wed,fri"
    assert (fields["hour"], fields["minute"], fields["second"]) == ("18", "5", "0")
    assert trigger.timezone == KOLKATA


def test_date_trigger_fires_at_slot() -> None:
    slot = next_slot(spec("02:30", zone="America/New_York"), utc(2024, 3, 10))
    trigger = date_trigger(slot)
    assert trigger.get_next_fire_time(None, utc(2024, 3, 10)) == slot.at_utc


def test_module_stays_pure() -> None:
    code = (
        "import sys, bot.schedule; "
        "bad = {'discord', 'sqlite3', 'aiosqlite'} & set(sys.modules); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)
