"""Small helpers for text members read."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """``word`` as it reads after the number ``n``: "1 day", "2 days" (``many`` for an
    irregular plural)."""
    if n == 1:
        return word
    return many if many is not None else word + "s"


def count(n: int, word: str, many: str | None = None) -> str:
    """``n`` and its noun: "1 day", "3 days"."""
    return f"{n} {plural(n, word, many)}"
