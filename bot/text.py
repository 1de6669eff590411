"""Small helpers for text members read."""

from __future__ import annotations

import re
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


def clip(text: str, limit: int, more: str = "…") -> str:
    """Text cut to at most ``limit`` characters, ending with ``more`` when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(more))].rstrip() + more


def tidy_lines(text: str) -> str:
    """``text`` with its lines kept (a list stays a list), each line's runs of white space
    one space, at most one empty line in a row, none first or last."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


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


_TICKS = re.compile(r"`+")


def _open_code(text: str) -> re.Match[str] | None:
    """The backticks that open a code span ``text`` leaves open (a span closes with as many
    backticks as opened it), or None."""
    opened = None
    for run in _TICKS.finditer(text):
        if opened is None:
            opened = run
        elif run.group() == opened.group():
            opened = None
    return opened


def one_line(text: str, limit: int = 60, more: str = "…") -> str:
    """``text`` on one line (line breaks and runs of blanks become one space), cut to at most
    ``limit`` characters ending with ``more``: a prompt or a name quoted in a message or a
    list. A code span the cut falls in is closed before ``more`` (or left out when nothing
    of its code is left): Discord would pair its backtick with the next one it finds, on the
    next lines too, and show what lies between as code."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    room = limit - len(more)
    while True:
        body = line[: max(0, room)].rstrip()
        opened = _open_code(body)
        if opened is None:
            return body + more
        if not body[opened.end() :].strip():
            return body[: opened.start()].rstrip() + more
        # The closing backticks must not run on from backticks the body ends with.
        fits = len(body) + len(opened.group()) + len(more) <= limit
        if fits and not body.endswith("`"):
            return body + opened.group() + more
        room = len(body) - (len(opened.group()) if not fits else 1)
