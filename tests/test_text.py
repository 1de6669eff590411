from bot.text import count, plural


def test_plural_and_count():
    assert count(1, "day") == "1 day"
    assert count(0, "day") == "0 days"
    assert count(2, "schedule") == "2 schedules"
    assert plural(1, "point") == "point"
    assert plural(3, "point") == "points"
    assert count(2, "match", "matches") == "2 matches"
