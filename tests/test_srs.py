"""FSRS cards with a controlled clock: mapping, growth, lapses, order, daily new-card limit."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.quiz import Rating, mc_rating
from bot.srs import (
    REMINDER_GRACE,
    local_midnights,
    next_reminder,
    rebuild,
    reminder_missed,
    reminder_retry_at,
    reminder_slot,
    reminder_to_send,
    retrievability,
    review,
)

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def test_ratings_map_one_to_one_and_mc_maps_to_good_or_again():
    import fsrs

    assert [int(r) for r in Rating] == [
        int(fsrs.Rating.Again),
        int(fsrs.Rating.Hard),
        int(fsrs.Rating.Good),
        int(fsrs.Rating.Easy),
    ]
    assert mc_rating(True) == Rating.good and mc_rating(False) == Rating.again


def test_intervals_grow_with_good_and_shrink_with_again():
    card = review(None, Rating.good, T0)
    when = card.due
    intervals = []
    for _ in range(5):
        card = review(card, Rating.good, when)
        intervals.append(card.due - when)
        when = card.due
    assert intervals == sorted(intervals) and intervals[-1] > intervals[0] > timedelta(days=1)
    lapsed = review(card, Rating.again, when)
    assert lapsed.due - when < intervals[-1]
    assert lapsed.due - when <= timedelta(minutes=10)
    assert lapsed.lapses == 1 and lapsed.reps == card.reps + 1


def test_easy_schedules_further_than_hard():
    start = review(None, Rating.good, T0)
    start = review(start, Rating.good, start.due)
    hard = review(start, Rating.hard, start.due)
    easy = review(start, Rating.easy, start.due)
    assert easy.due > hard.due


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(list(Rating)), st.integers(0, 60 * 24 * 40)),
        min_size=1,
        max_size=25,
        unique_by=lambda g: g[1],  # stored attempts are ordered; equal instants are not
    )
)
def test_rebuilding_from_history_gives_the_same_card(grades):
    history = [(rating, T0 + timedelta(minutes=m)) for rating, m in grades]
    once = rebuild(history)
    twice = rebuild(list(reversed(history)))
    assert once == twice
    assert once is not None and once.reps == len(history)
    assert once.due >= max(w for _, w in history)
    assert 0.0 <= retrievability(once, once.due + timedelta(days=1)) <= 1.0


async def test_due_cards_come_most_overdue_first(tmp_path) -> None:
    """/review asks the member's most overdue card first (the store's order); a card not
    due yet waits."""
    from bot.clock import FixedClock
    from bot.decks import load_builtin_decks
    from bot.store import Store
    from bot.store.base import to_db

    now = T0
    store = await Store.open(tmp_path / "r.sqlite3", clock=FixedClock(now))
    try:
        await store.sync_builtin_decks(load_builtin_decks())
        q = [r[0] for r in await store._fetchall("SELECT id FROM questions ORDER BY id")][:4]
        dues = {
            q[0]: now - timedelta(hours=1),
            q[1]: now - timedelta(days=3),
            q[2]: now + timedelta(hours=1),  # not due yet
            q[3]: now - timedelta(days=1),
        }

        def put(conn) -> None:
            for qid, due in dues.items():
                conn.execute(
                    "INSERT INTO srs_cards (guild_id, user_id, question_id, state, step, "
                    "stability, difficulty, due, last_review, reps, lapses, introduced_at, "
                    "introduced_by) VALUES (7, 1, ?, 2, NULL, 3.0, 5.0, ?, ?, 1, 0, ?, 'quiz')",
                    (qid, to_db(due), to_db(now - timedelta(days=9)), to_db(now - timedelta(days=9))),
                )

        await store.write(put)
        order, seen = [], ()
        while (nxt := await store.next_due(7, 1, now, exclude=seen)) is not None:
            order.append(nxt[0])
            seen = (*seen, nxt[0])
        assert order == [q[1], q[3], q[0]]
    finally:
        await store.close()


def test_new_card_days_follow_the_members_midnight():
    tokyo = ZoneInfo("Asia/Tokyo")
    start, end = local_midnights(datetime(2026, 1, 5, 14, 59, tzinfo=UTC), tokyo)
    assert start == datetime(2026, 1, 5, 15, tzinfo=UTC) - timedelta(days=1)
    assert end == datetime(2026, 1, 5, 15, tzinfo=UTC)
    start2, _ = local_midnights(datetime(2026, 1, 5, 15, 0, tzinfo=UTC), tokyo)
    assert start2 == end  # a new day, a new allowance
    london = ZoneInfo("Europe/London")
    s, e = local_midnights(datetime(2026, 3, 29, 12, tzinfo=UTC), london)
    assert e - s == timedelta(hours=23)  # the spring-forward day is short


def test_weakest_is_the_lowest_mean_recall_and_avoids_the_last_one():
    from bot.srs import weakest

    strong = review(review(None, Rating.easy, T0), Rating.easy, T0 + timedelta(days=1))
    weak = review(None, Rating.again, T0)
    weak = review(weak, Rating.hard, T0 + timedelta(minutes=10))
    now = T0 + timedelta(days=5)
    cards = [(1, [strong, strong]), (2, [weak, strong]), (3, []), (4, [weak])]
    assert weakest(cards, now) == 4
    assert weakest(cards, now, avoid=4) == 2
    assert weakest([(3, [])], now) is None


def test_weakest_leaves_questions_the_group_still_knows_to_the_cycle():
    from bot.srs import weakest

    strong = review(review(None, Rating.easy, T0), Rating.easy, T0 + timedelta(days=1))
    weak = review(None, Rating.again, T0)
    now = T0 + timedelta(days=5)
    # Only the last question asked is weak: it is not asked again straight away.
    assert weakest([(1, [strong]), (2, [weak])], now, avoid=2) is None
    # A question answered yesterday is not forgotten, even if it is all that is known.
    good = review(None, Rating.good, T0)
    assert weakest([(1, [good])], T0 + timedelta(days=1)) is None


ZONES = ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    after=st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
    late=st.timedeltas(timedelta(0), timedelta(minutes=4)),
)
def test_a_failing_reminder_is_tried_again_until_an_hour_after_its_time(
    zone, hour, minute, after, late
):
    """Failing over and over, a reminder is tried again every few minutes, always for the
    same day's time, never past the hour after it; the day after is untouched."""
    remind_time = f"{hour:02d}:{minute:02d}"
    slot = next_reminder(remind_time, zone, after)
    due, tries = slot, 0
    while True:
        now = due + late  # the loop runs a little after each time
        assert reminder_slot(remind_time, zone, due) == slot
        assert not reminder_missed(due, now)  # a retry comes at its time, never skipped
        tries += 1
        retry = reminder_retry_at(slot, now)
        if retry is None:
            break
        assert now < retry <= slot + REMINDER_GRACE
        due = retry
    assert 1 <= tries <= 13
    assert next_reminder(remind_time, zone, max(now, due)) > slot + REMINDER_GRACE


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    after=st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),
    down=st.timedeltas(timedelta(0), timedelta(days=4)),
)
def test_a_reminder_left_due_while_down_is_sent_for_the_latest_time_within_the_hour(
    zone, hour, minute, after, down
):
    """Back after being down, the bot sends the reminder for the latest day's time at most
    an hour ago (never one before the time left due, never one still to come), and
    nothing if there is none."""
    remind_time = f"{hour:02d}:{minute:02d}"
    due = next_reminder(remind_time, zone, after)
    now = due + down
    sent_for = reminder_to_send(remind_time, zone, due, now)
    if not reminder_missed(due, now):
        assert sent_for == due
        return
    in_time, slot = [], due
    while slot <= now:  # every day's time from the one left due up to now
        if slot > due and now - slot <= REMINDER_GRACE:
            in_time.append(slot)
        slot = next_reminder(remind_time, zone, slot)
    assert sent_for == (max(in_time) if in_time else None)
