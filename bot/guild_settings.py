"""Per-server settings: stored as key/value rows, validated and typed here."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.errors import UserError
from bot.text import grouped

log = logging.getLogger("bot.guild_settings")


class ScoringRules(BaseModel):
    """Points per graded attempt, and the daily cap on /quiz points.

    Self-grades all earn the same points: nobody can check them, so grading yourself Easy
    earns nothing more than grading yourself Again, and honesty costs nothing. Multiple
    choice is graded by the bot, so a right answer earns more than a wrong one.
    """

    model_config = ConfigDict(frozen=True)

    quiz_self: int = Field(default=2, ge=0, le=100)
    quiz_right: int = Field(default=3, ge=0, le=100)
    quiz_wrong: int = Field(default=1, ge=0, le=100)
    quiz_daily_cap: int = Field(default=30, ge=0, le=10_000)
    qotd_self: int = Field(default=5, ge=0, le=100)
    qotd_right: int = Field(default=6, ge=0, le=100)
    qotd_wrong: int = Field(default=2, ge=0, le=100)

    def changes(self, given: Mapping[str, int | None]) -> dict[str, int]:
        """The given values that differ from these rules; ``None`` means not given."""
        return {k: v for k, v in given.items() if v is not None and v != getattr(self, k)}


class GuildSettings(BaseModel):
    """Everything a server can change by command. Missing keys take their defaults."""

    model_config = ConfigDict(frozen=True)

    timezone: str = "UTC"
    mod_role_id: int | None = None
    review_channel_id: int | None = None
    scoring: ScoringRules = ScoringRules()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            # OSError: a name that is a folder of the zone database ("Europe"), or too long.
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/London") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_rows(cls, rows: dict[str, str]) -> GuildSettings:
        """Build from stored rows, field by field.

        A stored value that can no longer be read (a zone the zone database dropped, a point
        value out of range) falls back to that field's default and is logged; every other
        field keeps its stored value. Unknown keys are ignored."""
        data: dict[str, str] = {}
        points: dict[str, str] = {}
        for key, value in rows.items():
            if key.startswith("scoring."):
                name = key.removeprefix("scoring.")
                if name in ScoringRules.model_fields and _readable(ScoringRules, name, key, value):
                    points[name] = value
            elif key in cls.model_fields and key != "scoring":
                if _readable(cls, key, key, value):
                    data[key] = value
        return cls.model_validate({**data, "scoring": ScoringRules.model_validate(points)})

    @staticmethod
    def scoring_rows(
        current: ScoringRules | None = None, /, **changes: int
    ) -> dict[str, str | None]:
        """Validated rows for changed point values; a bad value raises UserError.

        With ``current`` (the server's rules now), the rules they make are checked too: a
        wrong multiple-choice answer may not earn more than a right one."""
        try:
            ScoringRules.model_validate(changes)
        except ValidationError as exc:
            name = str(exc.errors()[0]["loc"][0])
            low, high = point_range(name)
            value = changes.get(name)
            wrong = (
                f"{grouped(value)} is out of range" if isinstance(value, int) else f"{value!r} is not one"
            )
            raise UserError(
                f"{name} must be a whole number from {grouped(low)} to {grouped(high)}; {wrong}."
            ) from None
        if current is not None:
            rules = current.model_copy(update=changes)
            for source, what in (
                ("quiz", "/quiz answer"),
                ("qotd", "answer to the question of the day"),
            ):
                right, wrong = getattr(rules, f"{source}_right"), getattr(rules, f"{source}_wrong")
                if wrong > right:
                    raise UserError(
                        f"A wrong multiple-choice {what} can't earn more than a right "
                        f"one: {source}_wrong would be {wrong} and {source}_right {right}. "
                        f"Lower {source}_wrong or raise {source}_right."
                    )
        return {f"scoring.{k}": str(v) for k, v in changes.items()}


def point_range(name: str) -> tuple[int, int]:
    """The lowest and highest value a point setting of :class:`ScoringRules` takes."""
    low, high = 0, 0
    for bound in ScoringRules.model_fields[name].metadata:
        low = getattr(bound, "ge", low)
        high = getattr(bound, "le", high)
    return low, high


def _readable(model: type[BaseModel], name: str, key: str, value: str) -> bool:
    """Whether ``value`` is valid for the field ``name`` of ``model`` on its own."""
    try:
        model.model_validate({name: value})
    except ValidationError as exc:
        _unreadable(key, value, exc.errors()[0]["msg"])
        return False
    return True


@lru_cache(maxsize=256)
def _unreadable(key: str, value: str, reason: str) -> None:
    """Log an unreadable stored setting once per process, not at every read of it."""
    log.warning("stored setting %s=%r can't be read (%s); using its default", key, value, reason)
