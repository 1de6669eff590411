"""Time: aware datetimes everywhere, UTC in the database, an injectable clock for tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real clock, always in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock a test moves by hand."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = when.astimezone(UTC)

    def advance(self, **kwargs: float) -> None:
        from datetime import timedelta

        self._now = self._now + timedelta(**kwargs)


def to_db(when: datetime) -> str:
    """An aware datetime as the fixed-width UTC text the database keeps (sorts as time)."""
    if when.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    # isoformat writes what strftime("%Y-%m-%dT%H:%M:%S.%fZ") would, in a fraction of the time
    # (every grade writes a few times).
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


#: what ``to_db`` writes: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``
_DB_TIME_LENGTH = 27


def from_db(text: str) -> datetime:
    """The aware UTC datetime of text ``to_db`` wrote. Read with ``datetime.fromisoformat``
    (a fraction of ``strptime``'s cost: every grade reads a card's times) once the text has
    the fixed shape; any other text is refused."""
    if len(text) != _DB_TIME_LENGTH or text[10] != "T" or text[19] != "." or text[-1] != "Z":
        raise ValueError(f"not a stored time: {text!r}")
    return datetime.fromisoformat(text)
