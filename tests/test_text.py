from fractions import Fraction

from bot.text import count, percent, plural


def test_plural_and_count():
    assert count(1, "day") == "1 day"
    assert count(0, "day") == "0 days"
    assert count(2, "schedule") == "2 schedules"
    assert plural(1, "point") == "point"
    assert plural(3, "point") == "points"
    assert count(2, "match", "matches") == "2 matches"


def test_a_share_reads_100_or_0_only_when_it_is_all_or_none():
    """199 right of 200 read "100% right", 1 of 201 "0%": a share shown is the nearest
    whole percent, except that only all reads 100% and only none 0%."""
    assert percent(199, 200) == 99
    assert percent(1, 201) == 1
    assert percent(200, 200) == 100 and percent(0, 200) == 0
    assert percent(1, 3) == 33 and percent(2, 3) == 67 and percent(1, 2) == 50
    for whole in range(1, 400):
        for part in range(whole + 1):
            shown = percent(part, whole)
            exact = Fraction(100 * part, whole)
            assert (shown == 100) == (part == whole) and (shown == 0) == (part == 0)
            if 0 < part < whole:
                nearest = int(exact + Fraction(1, 2))  # half up
                assert shown == min(99, max(1, nearest)), (part, whole)
    assert percent(0, 0) == 0
