"""Small helpers for text members read."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def grouped(n: int) -> str:
    """``n`` with its digits grouped by thousands, as every number members read is shown:
    "12,400", not "12400"."""
    return f"{n:,}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``word`` as it reads after the number ``n``: "1 day", "2 days" (``many`` for an
    irregular plural)."""
    if n == 1:
        return word
    return many if many is not None else word + "s"


def count(n: int, word: str, many: str | None = None) -> str:
    """``n`` and its noun: "1 day", "3 days", "1,200 questions"."""
    return f"{grouped(n)} {plural(n, word, many)}"


def percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` as a whole percent, the nearest (half up), except that only all
    reads 100 and only none 0: 199 right of 200 is 99%, not a perfect 100%. Nothing of
    nothing is 0."""
    if whole <= 0 or part <= 0:
        return 0
    if part >= whole:
        return 100
    return min(99, max(1, (200 * part + whole) // (2 * whole)))


def fit_lines(
    lines: Sequence[str], limit: int, more: Callable[[int], str], *, sep: str = "\n"
) -> str:
    """Whole ``lines``, one a line (or between ``sep``), in at most ``limit`` characters;
    when not all fit, as many as fit with ``more(left out)`` after them, so that no line is
    cut in the middle."""
    text = sep.join(lines)
    if len(text) <= limit:
        return text
    used = 0  # the characters of the lines kept, each with its separator
    for i, line in enumerate(lines):
        if used + len(line) + len(sep) + len(more(len(lines) - i - 1)) > limit:
            return text[:used] + more(len(lines) - i)
        used += len(line) + len(sep)
    return text  # not reached: when all lines fit, the text is answered above
