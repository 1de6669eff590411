"""A member's stats with no Discord in sight: tag strengths and the weekly points picture."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from PIL import Image, ImageDraw, ImageFont

from bot.text import grouped

#: a tag needs this many graded attempts before it is called strong or weak
MIN_TAG_ATTEMPTS = 2


@dataclass(frozen=True)
class TagStrength:
    tag: str
    attempts: int
    successes: int

    @property
    def rate(self) -> float:
        return self.successes / self.attempts if self.attempts else 0.0


def success(rating: int | None, option_index: int | None, correct: bool | None) -> bool:
    """Whether an attempt went well: multiple choice answered right, or a self-grade of Good
    or Easy."""
    if option_index is not None:
        return bool(correct)
    return rating is not None and rating >= 3


#: the success rate from which a tag counts as a strength
STRONG_RATE = 0.5


def tag_strengths(
    rows: Iterable[tuple[str, bool]], *, top: int = 3, min_attempts: int = MIN_TAG_ATTEMPTS
) -> tuple[list[TagStrength], list[TagStrength]]:
    """(strongest, weakest) tags from (tag, went well) pairs.

    Only tags with at least ``min_attempts`` attempts count. A tag that went well at least
    half the time (``STRONG_RATE``) can be among the strongest, best rate first, then most
    attempts; any other among the weakest, worst rate first, then most attempts. So a tag is
    never in both lists, and a member who fails a tag never sees it called a strength.
    """
    counts: dict[str, list[int]] = {}
    for tag, ok in rows:
        seen = counts.setdefault(tag, [0, 0])
        seen[0] += 1
        seen[1] += int(ok)
    tags = [TagStrength(t, n, s) for t, (n, s) in counts.items() if n >= min_attempts]
    strong = [t for t in tags if t.rate >= STRONG_RATE]
    weak = [t for t in tags if t.rate < STRONG_RATE]
    strongest = sorted(strong, key=lambda t: (-t.rate, -t.attempts, t.tag))[:top]
    weakest = sorted(weak, key=lambda t: (t.rate, -t.attempts, t.tag))[:top]
    return strongest, weakest


# ---------------------------------------------------------------------------
# The picture: points a week over the last weeks
# ---------------------------------------------------------------------------

_WIDTH, _HEIGHT = 640, 260
_BACKGROUND = (43, 45, 49)
_BAR = (88, 101, 242)
_BAR_NOW = (87, 242, 135)
_TEXT = (220, 221, 222)
_GRID = (70, 72, 78)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # an older Pillow or one built without FreeType
        return ImageFont.load_default()


def scale_top(peak: int) -> int:
    """The value at the top of the picture's scale, which is labelled at 0, half and top:
    the best week (at least 1), made even so that the middle label is a whole number."""
    top = max(peak, 1)
    return top + top % 2


def render_weeks_png(weeks: Sequence[tuple[date, int]], title: str) -> bytes:
    """A bar chart of points a week (oldest first, the last bar is this week) as PNG bytes."""
    image = Image.new("RGB", (_WIDTH, _HEIGHT), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    small, big = _font(12), _font(15)
    draw.text((16, 10), title, fill=_TEXT, font=big)
    peak = max((points for _, points in weeks), default=0)
    scale_max = scale_top(peak)
    scale = ((0.0, 0), (0.5, scale_max // 2), (1.0, scale_max))
    # The scale's labels are right-aligned against the chart: its margin fits the widest.
    widest = max(draw.textlength(grouped(value), font=small) for _, value in scale)
    left, right, top, bottom = max(44, round(widest) + 12), _WIDTH - 16, 42, _HEIGHT - 34
    for fraction, value in scale:
        y = bottom - (bottom - top) * fraction
        draw.line((left, y, right, y), fill=_GRID)
        draw.text((left - 6, y), grouped(value), fill=_TEXT, font=small, anchor="rm")
    if weeks:
        slot = (right - left) / len(weeks)
        bar = slot * 0.62
        for i, (monday, points) in enumerate(weeks):
            x0 = left + slot * i + (slot - bar) / 2
            height = (bottom - top) * points / scale_max
            colour = _BAR_NOW if i == len(weeks) - 1 else _BAR
            if points > 0:
                draw.rectangle((x0, bottom - max(height, 2), x0 + bar, bottom), fill=colour)
                draw.text(
                    (x0 + bar / 2, bottom - height - 3),
                    grouped(points),
                    fill=_TEXT,
                    font=small,
                    anchor="mb",
                )
            draw.text(
                (x0 + bar / 2, bottom + 6),
                f"{monday.day} {monday:%b}",
                fill=_TEXT,
                font=small,
                anchor="mt",
            )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
