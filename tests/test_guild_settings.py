"""Reading a server's stored settings: one unreadable row costs only its own field."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.guild_settings import GuildSettings, ScoringRules

POINTS = tuple(ScoringRules.model_fields)
ZONES = ("UTC", "Europe/Berlin", "Asia/Tokyo", "America/New_York", "Australia/Lord_Howe")


def rows_of(settings: GuildSettings) -> dict[str, str]:
    """The rows the store would hold for these settings."""
    rows = {"timezone": settings.timezone}
    if settings.mod_role_id is not None:
        rows["mod_role_id"] = str(settings.mod_role_id)
    if settings.review_channel_id is not None:
        rows["review_channel_id"] = str(settings.review_channel_id)
    for name in POINTS:
        rows[f"scoring.{name}"] = str(getattr(settings.scoring, name))
    return rows


def point_value(name: str) -> st.SearchStrategy[int]:
    field = ScoringRules.model_fields[name]
    low, high = 0, 100
    for bound in field.metadata:
        low = getattr(bound, "ge", low)
        high = getattr(bound, "le", high)
    return st.integers(low, high)


snowflakes = st.integers(10**16, 2**63 - 1)
stored_settings = st.builds(
    GuildSettings,
    timezone=st.sampled_from(ZONES),
    mod_role_id=st.none() | snowflakes,
    review_channel_id=st.none() | snowflakes,
    scoring=st.builds(ScoringRules, **{name: point_value(name) for name in POINTS}),
)
not_a_number = st.sampled_from(["", "x", "twelve", "1.5", "0x10", "3 points", "None"])
bad_zones = st.sampled_from(
    ["Mars/Olympus", "", "Europe", "Europe/", "/etc/localtime", "../UTC", "a" * 300, "UTC\x00"]
)


@st.composite
def one_bad_row(draw: st.DrawFn) -> tuple[str, str]:
    key = draw(
        st.sampled_from(
            ["timezone", "mod_role_id", "review_channel_id"] + [f"scoring.{n}" for n in POINTS]
        )
    )
    if key == "timezone":
        return key, draw(bad_zones)
    if key.startswith("scoring."):
        out_of_range = st.integers(-1000, -1) | st.integers(10_001, 10**9)
        return key, draw(not_a_number | out_of_range.map(str))
    return key, draw(not_a_number)


def with_default(settings: GuildSettings, key: str) -> GuildSettings:
    if key.startswith("scoring."):
        name = key.removeprefix("scoring.")
        default = ScoringRules.model_fields[name].default
        return settings.model_copy(
            update={"scoring": settings.scoring.model_copy(update={name: default})}
        )
    return settings.model_copy(update={key: GuildSettings.model_fields[key].default})


@given(stored_settings)
def test_stored_settings_read_back_as_they_were(settings: GuildSettings) -> None:
    assert GuildSettings.from_rows(rows_of(settings)) == settings


@given(stored_settings, one_bad_row())
def test_one_unreadable_row_leaves_every_other_field_as_stored(
    settings: GuildSettings, bad: tuple[str, str]
) -> None:
    key, value = bad
    read = GuildSettings.from_rows({**rows_of(settings), key: value})
    assert read == with_default(settings, key)


def test_a_zone_that_no_longer_loads_keeps_the_roles_channel_and_points(caplog) -> None:
    rows = {
        "timezone": "Moon/Tranquility",
        "mod_role_id": "111111111111111111",
        "review_channel_id": "222222222222222222",
        "scoring.quiz_right": "7",
        "scoring.quiz_self": "lots and lots",
        "scoring.qotd_self": "9",
    }
    with caplog.at_level(logging.WARNING):
        read = GuildSettings.from_rows(rows)
        again = GuildSettings.from_rows(rows)
    assert again == read
    assert read.timezone == "UTC"
    assert read.mod_role_id == 111111111111111111
    assert read.review_channel_id == 222222222222222222
    assert read.scoring == ScoringRules(quiz_right=7, qotd_self=9)
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("timezone" in m and "'Moon/Tranquility'" in m for m in warned), warned
    assert any("scoring.quiz_self" in m and "'lots and lots'" in m for m in warned), warned
    assert len(warned) == 2  # once each, not at every read


def test_a_stored_zone_naming_a_folder_falls_back_instead_of_failing() -> None:
    # "Europe" is a directory in the time-zone database, not a zone.
    read = GuildSettings.from_rows({"timezone": "Europe", "mod_role_id": "5"})
    assert (read.timezone, read.mod_role_id) == ("UTC", 5)


def test_unknown_keys_are_ignored() -> None:
    read = GuildSettings.from_rows({"scoring": "7", "scoring.bonus": "x", "colour": "red"})
    assert read == GuildSettings()


def test_scoring_changes_leave_out_values_already_set_and_options_not_given() -> None:
    rules = ScoringRules(quiz_self=5)
    given = {"quiz_self": 5, "quiz_right": 4, "quiz_wrong": None, "qotd_self": 5}
    assert rules.changes(given) == {"quiz_right": 4}
    assert rules.changes({"quiz_self": 5, "qotd_wrong": 2}) == {}
    assert rules.changes({"quiz_daily_cap": 0}) == {"quiz_daily_cap": 0}  # 0 is a value


@given(st.sampled_from(POINTS), st.integers(-(10**6), -1) | st.integers(101, 10**6))
def test_a_point_value_out_of_range_is_refused_naming_the_range_it_must_be_in(
    name: str, value: int
) -> None:
    """A value out of range was refused as "quiz_self: Input should be less than or equal
    to 100", which gave only one end of the range; the refusal names both, and the value."""
    field = ScoringRules.model_fields[name]
    high = next(bound.le for bound in field.metadata if hasattr(bound, "le"))
    if 0 <= value <= high:
        return
    with pytest.raises(UserError) as refused:
        GuildSettings.scoring_rows(None, **{name: value})
    assert str(refused.value) == (
        f"{name} must be a whole number from 0 to {high:,}; {value:,} is out of range."
    )
