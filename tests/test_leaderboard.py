"""Leaderboard rules and storage: periods across zones and DST, ranks and ties, hidden and
erased members, paging, streaks, and boards that agree with a recomputation from the attempts.

Storage tests run on real SQLite files in temporary folders.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from faultkit import recomputed_totals
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FixedClock, from_db
from bot.decks import load_builtin_decks
from bot.guild_settings import ScoringRules
from bot.leaderboard import (
    PAGE_SIZE,
    Score,
    clamp_page,
    page_count,
    period_ended,
    period_key,
    period_title,
    qotd_streak,
    ranked,
    recent_weeks,
    valid_period_key,
)
from bot.questions import Question
from bot.quiz import period_keys
from bot.schedule import ScheduleSpec, parse_days, parse_time, period_bounds
from bot.stats import render_weeks_png, scale_top, tag_strengths
from bot.store import AttemptRequest, Store
from cogs.help import scoring_text

ZONES = [
    "UTC",
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Pacific/Apia",  # skipped a whole day in 2011
    "Asia/Kathmandu",  # +05:45
    "America/Santiago",  # DST changes at midnight
    "Pacific/Kiritimati",  # +14
]
instants = st.datetimes(
    min_value=datetime(2010, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)


# -- periods ------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(now=instants, zone_name=st.sampled_from(ZONES))
def test_week_and_month_keys_match_the_local_period_bounds(now: datetime, zone_name: str):
    zone = ZoneInfo(zone_name)
    for period in ("week", "month"):
        key = period_key(period, now, zone, 1)
        assert valid_period_key(key)
        start, end = period_bounds(period, now, zone)
        assert start is not None and start <= now < end
        # Every instant of the period has the same key; the instants either side do not.
        assert period_key(period, start, zone, 1) == key
        assert period_key(period, end - timedelta(microseconds=1), zone, 1) == key
        assert period_key(period, end, zone, 1) != key
        assert period_key(period, start - timedelta(microseconds=1), zone, 1) != key
    week = period_key("week", now, zone, 1)
    monday = date.fromisoformat(week.removeprefix("week:"))
    assert monday.weekday() == 0
    local = now.astimezone(zone).date()
    assert 0 <= (local - monday).days < 7
    assert period_key("month", now, zone, 1) == f"month:{local:%Y-%m}"


@settings(max_examples=200, deadline=None)
@given(now=instants, zone_name=st.sampled_from(ZONES), season=st.integers(1, 999))
def test_keys_written_are_the_keys_read(now: datetime, zone_name: str, season: int):
    """A grade at ``now`` is written under exactly the keys the boards read at ``now``."""
    zone = ZoneInfo(zone_name)
    written = set(period_keys(now.astimezone(zone).date(), season))
    read = {period_key(p, now, zone, season) for p in ("week", "month", "all")}
    assert read | {"all"} == written


def test_dst_weeks_in_new_york_and_london():
    ny = ZoneInfo("America/New_York")
    # Sunday 2024-03-10 02:00 EST became 03:00 EDT; the week runs Mon 4 to Sun 10 March.
    just_before = datetime(2024, 3, 11, 3, 59, tzinfo=UTC)  # Sun 23:59 EDT
    just_after = datetime(2024, 3, 11, 4, 0, tzinfo=UTC)  # Mon 00:00 EDT
    assert period_key("week", just_before, ny, 1) == "week:2024-03-04"
    assert period_key("week", just_after, ny, 1) == "week:2024-03-11"
    start, end = period_bounds("week", just_before, ny)
    assert start is not None and end - start == timedelta(hours=167)
    london = ZoneInfo("Europe/London")
    # October 2024 in London is an hour longer: it ends at 00:00 GMT on 1 November.
    assert period_key("month", datetime(2024, 10, 31, 23, 30, tzinfo=UTC), london, 1) == (
        "month:2024-10"
    )
    assert period_key("month", datetime(2024, 11, 1, 0, 0, tzinfo=UTC), london, 1) == (
        "month:2024-11"
    )
    # The same instant is in different weeks in different zones.
    sunday_night_utc = datetime(2024, 6, 9, 23, 0, tzinfo=UTC)
    assert period_key("week", sunday_night_utc, ZoneInfo("UTC"), 1) == "week:2024-06-03"
    assert period_key("week", sunday_night_utc, ZoneInfo("Asia/Tokyo"), 1) == "week:2024-06-10"


def test_period_titles_and_keys():
    assert period_title("week:2026-11-23") == "Week of 23 Nov 2026"
    assert period_title("month:2026-02") == "February 2026"
    assert period_title("season:1", 1) == "All time"
    assert period_title("season:2", 2) == "Season 2"
    assert period_title("season:1", 3) == "Season 1 (ended)"
    assert period_ended("season:1", 3) and not period_ended("season:3", 3)
    assert not period_ended("season:1", 1)
    assert not valid_period_key("week:2026-11-24")  # not a Monday
    assert not valid_period_key("month:2026-13")
    assert not valid_period_key("week:2026-11-23; DROP")
    assert recent_weeks(date(2026, 3, 4), 3) == [
        date(2026, 2, 16),
        date(2026, 2, 23),
        date(2026, 3, 2),
    ]


def test_a_week_or_month_gone_by_is_ended_as_a_season_is():
    """A board's buttons keep its period: clicked after it is over, the title says so, as it
    does for an ended season, instead of passing it off as the running one."""
    sunday, monday = date(2026, 11, 29), date(2026, 11, 30)
    assert not period_ended("week:2026-11-23", 1, sunday)
    assert period_ended("week:2026-11-23", 1, monday)
    assert period_title("week:2026-11-23", 1, monday) == "Week of 23 Nov 2026 (ended)"
    assert period_title("week:2026-11-23", 1, sunday) == "Week of 23 Nov 2026"
    assert period_title("week:2026-11-30", 1, monday) == "Week of 30 Nov 2026"
    assert not period_ended("month:2026-11", 1, monday)
    assert period_ended("month:2026-11", 1, date(2026, 12, 1))
    assert period_ended("month:2025-12", 1, date(2026, 1, 1))
    assert not period_ended("month:2026-12", 1, date(2026, 12, 31))
    assert period_title("month:2026-11", 1, date(2027, 1, 5)) == "November 2026 (ended)"
    assert period_title("season:1", 1, monday) == "All time"
    assert period_title("season:1", 2, monday) == "Season 1 (ended)"


# -- pages, ties and streaks (pure) -------------------------------------------------------


@given(total=st.integers(0, 10_000), page=st.integers(-5, 2_000))
def test_pages_cover_the_board_exactly(total: int, page: int):
    pages = page_count(total)
    assert pages >= 1 and (pages - 1) * PAGE_SIZE < max(total, 1) <= pages * PAGE_SIZE
    assert 0 <= clamp_page(page, total) < pages


def test_ties_go_to_who_reached_the_points_first():
    scores = [
        Score(3, 10, "2026-03-02T10:00:00.000000Z"),
        Score(1, 10, "2026-03-02T09:00:00.000000Z"),
        Score(2, 12, "2026-03-03T09:00:00.000000Z"),
        Score(4, 10, "2026-03-02T09:00:00.000000Z"),
    ]
    assert [s.user_id for s in ranked(scores)] == [2, 1, 4, 3]


@given(st.lists(st.tuples(st.booleans(), st.booleans()), max_size=60))
def test_qotd_streak_against_brute_force(flags: list[tuple[bool, bool]]):
    """(answered, can still be answered) a day: the streak is what it will be if every
    day that can still be answered is answered, less those days."""
    posts = list(range(100, 100 + len(flags)))
    answered = {p for p, (ok, _) in zip(posts, flags, strict=True) if ok}
    still = {p for p, (ok, can) in zip(posts, flags, strict=True) if can and not ok}
    streak = qotd_streak(posts, answered, open_days=still)
    kept = [ok for ok, can in flags if ok or not can]  # the open days left out
    runs, run = [0], 0
    for ok in kept:
        run = run + 1 if ok else 0
        runs.append(run)
    assert streak.best == max(runs)
    assert streak.current == run


def test_qotd_streak_examples():
    empty = qotd_streak([], set())
    assert (empty.current, empty.best) == (0, 0)
    # days without a post (skipped, paused) are not in the list, so they never break it
    assert qotd_streak([1, 2, 5, 9], {1, 2, 5, 9}).current == 4
    assert qotd_streak([1, 2, 3, 4], {1, 2, 4}) == qotd_streak([1, 2, 3, 4], {1, 2, 4})
    s = qotd_streak([1, 2, 3, 4], {1, 2, 4})
    assert (s.current, s.best) == (1, 2)
    # today's question is still open: not answering it yet does not break the streak
    s = qotd_streak([1, 2, 3], {1, 2}, open_days={3})
    assert (s.current, s.best) == (2, 2)
    s = qotd_streak([1, 2, 3], {1, 2})
    assert (s.current, s.best) == (0, 2)
    # yesterday's and today's questions are both still open: neither is missed yet
    s = qotd_streak([1, 2, 3, 4], {1, 2}, open_days={3, 4})
    assert (s.current, s.best) == (2, 2)
    assert qotd_streak([1, 2, 3, 4], {1, 2, 3, 4}).current == 4


def test_tag_strengths_and_picture():
    rows = [("a", True)] * 4 + [("b", False), ("b", True)] + [("c", False)] * 3 + [("d", True)]
    strongest, weakest = tag_strengths(rows, top=2)
    assert [t.tag for t in strongest] == ["a", "b"]
    assert [t.tag for t in weakest] == ["c"]  # d has one attempt; a and b are strong
    # Two tags, one always right and one always wrong: the wrong one is a weakness only.
    rows = [("routing", True)] * 2 + [("config", False)] * 2
    strongest, weakest = tag_strengths(rows)
    assert [t.tag for t in strongest] == ["routing"] and [t.tag for t in weakest] == ["config"]
    strongest, weakest = tag_strengths([("config", False)] * 2 + [("cli", False)] * 3)
    assert strongest == [] and [t.tag for t in weakest] == ["cli", "config"]
    strongest, weakest = tag_strengths([("a", True)] * 2 + [("b", True), ("b", False)])
    assert [t.tag for t in strongest] == ["a", "b"] and weakest == []
    png = render_weeks_png([(date(2026, 1, 5) + timedelta(weeks=i), i * 3) for i in range(12)], "t")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    assert render_weeks_png([(date(2026, 1, 5), 0)], "empty").startswith(b"\x89PNG")


def test_the_pictures_middle_line_is_labelled_with_its_true_value():
    """The scale is labelled at 0, half and top: the top is the best week made even, so the
    middle label is exact (it was round(best / 2): 0 for a best week of 1 point, 2 for 5)."""
    assert [scale_top(p) for p in (0, 1, 2, 3, 5, 6)] == [2, 2, 2, 4, 6, 6]
    for peak in range(200):
        top = scale_top(peak)
        assert top >= peak and top % 2 == 0 and top - max(peak, 1) <= 1


def test_the_pictures_large_numbers_are_grouped_and_inside_the_picture(monkeypatch):
    """A busy week's points were written "123456" on the bars and up the scale, where every
    other number Recall shows reads "123,456", and the scale's labels, drawn right-aligned
    against a fixed margin, ran off the picture's left edge from six digits on."""
    from PIL import ImageDraw

    drawn: list[tuple[str, tuple[float, float, float, float]]] = []
    text = ImageDraw.ImageDraw.text

    def spy(self, xy, words, *args, **kwargs):
        box = self.textbbox(xy, words, font=kwargs.get("font"), anchor=kwargs.get("anchor"))
        drawn.append((words, box))
        return text(self, xy, words, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", spy)
    points = [0, 5, 120_000, 99_999, 45_678, 1_234, 0, 3, 70_000, 123_456, 7, 100_000]
    render_weeks_png([(date(2026, 9, 14) + timedelta(weeks=i), p) for i, p in enumerate(points)], "t")
    words = [w for w, _ in drawn]
    for label in ("123,456", "61,728", "120,000", "99,999", "1,234", "0"):
        assert label in words, words
    assert not [w for w in words if w.isdigit() and len(w) > 3], words
    outside = [(w, box) for w, box in drawn if box[0] < 0 or box[2] > 640]
    assert outside == []


# -- storage: boards on real SQLite -------------------------------------------------------


@pytest.fixture
async def store(tmp_path: Path):
    clock = FixedClock(datetime(2026, 3, 2, 8, tzinfo=UTC))  # a Monday
    s = await Store.open(tmp_path / "recall.sqlite3", clock=clock)
    await s.sync_builtin_decks(load_builtin_decks())
    try:
        yield s
    finally:
        await s.close()


async def question_ids(store: Store) -> list[int]:
    return [r[0] for r in await store._fetchall("SELECT id FROM questions ORDER BY id")]


async def grade(store: Store, guild: int, user: int, qid: int, **kw) -> None:
    source = kw.pop("source", "quiz")
    mc = kw.pop("mc", False)
    correct = kw.pop("correct", False)
    await store.record_attempt(
        AttemptRequest(
            guild,
            user,
            kw.pop("name", f"user{user}"),
            kw.pop("post_id", None),
            qid,
            source,
            kw.pop("rating", 3),
            mc,
            correct,
            option_index=(1 if correct else 0) if mc else None,
        )
    )


def clock_of(store: Store) -> FixedClock:
    assert isinstance(store.clock, FixedClock)
    return store.clock


async def test_ties_ranks_and_hidden_members(store: Store):
    q = await question_ids(store)
    clock = clock_of(store)
    # bob reaches 4 points first, then alice; carol has 6; dave 2
    for user, n in ((2, 2), (1, 2), (3, 3), (4, 1)):
        for i in range(n):
            clock.advance(seconds=1)
            await grade(store, 7, user, q[i])
    page = await store.board_page(7, "all", "week:2026-03-02", 0, PAGE_SIZE)
    assert [(r.rank, r.user_id, r.points) for r in page.rows] == [
        (1, 3, 6),
        (2, 2, 4),
        (3, 1, 4),
        (4, 4, 2),
    ]
    for row in page.rows:
        standing = await store.standing(7, "all", "week:2026-03-02", row.user_id)
        assert standing is not None and standing.rank == row.rank
    # bob hides: everyone behind him moves up, he has no rank, and the count drops
    assert await store.set_hidden(7, 2, "bob", True)
    assert not await store.set_hidden(7, 2, "bob", True)
    page = await store.board_page(7, "all", "week:2026-03-02", 0, PAGE_SIZE)
    assert [(r.rank, r.user_id) for r in page.rows] == [(1, 3), (2, 1), (3, 4)]
    assert page.total == 3
    hidden = await store.standing(7, "all", "week:2026-03-02", 2)
    assert hidden is not None and hidden.hidden and hidden.rank is None and hidden.points == 4
    assert (await store.standing(7, "all", "week:2026-03-02", 4)).rank == 3  # type: ignore[union-attr]
    # another server is untouched
    assert (await store.board_page(8, "all", "week:2026-03-02", 0, PAGE_SIZE)).rows == []


async def test_which_answer_scores_a_question_for_the_day_is_what_help_says(store: Store):
    """/help scoring: a question scores once a day, for the first answer that can score, even
    one the daily cap leaves without points; a /review grade or an answer to a closed
    question of the day does not use that chance up."""
    text = scoring_text(ScoringRules())
    assert "A question scores at most once a day for you" in text
    assert "even if the daily cap leaves it no points" in text
    assert "answers to a closed question of the day do not use up that chance" in text

    q = await question_ids(store)

    async def answer(qid: int, source: str, **kw) -> tuple[bool, int]:
        done = await store.record_attempt(
            AttemptRequest(1, 5, "alice", None, qid, source, 3, False, True, **kw)
        )
        return done.scored, done.points

    assert await answer(q[0], "review") == (False, 0)
    assert await answer(q[0], "qotd", closed=True) == (False, 0)
    assert await answer(q[0], "quiz") == (True, 2)  # the first answer that can score
    assert await answer(q[0], "qotd") == (False, 0)  # later answers that day do not
    await store.set_guild_settings(1, {"scoring.quiz_daily_cap": "2"})
    assert await answer(q[1], "quiz") == (True, 0)  # capped: its chance is used
    assert await answer(q[1], "qotd") == (False, 0)
    clock_of(store).advance(days=1)
    assert await answer(q[1], "qotd") == (True, 5)  # a new day


async def test_a_board_view_is_the_page_the_askers_standing_and_name_together(store: Store):
    q = await question_ids(store)
    clock = clock_of(store)
    for user, n in ((1, 2), (2, 1), (3, 3)):
        for i in range(n):
            clock.advance(seconds=1)
            await grade(store, 7, user, q[i])
    key = "week:2026-03-02"
    for asker in (1, 2, 3, 99):
        view = await store.board_view(7, "all", key, 0, PAGE_SIZE, asker)
        assert view.page == await store.board_page(7, "all", key, 0, PAGE_SIZE)
        assert view.mine == await store.standing(7, "all", key, asker)
        assert view.name == await store.member_name(7, asker)
    view = await store.board_view(7, "all", key, 0, PAGE_SIZE, 1)
    assert [r.user_id for r in view.page.rows] == [3, 1, 2]
    assert view.mine is not None and view.mine.rank == 2 and view.name
    nobody = await store.board_view(7, "all", key, 0, PAGE_SIZE, 99)
    assert nobody.mine is None and nobody.name is None and not nobody.hidden
    # hidden with no points on the board: still known as hidden
    assert await store.set_hidden(7, 99, "quiet", True)
    quiet = await store.board_view(7, "all", key, 0, PAGE_SIZE, 99)
    assert quiet.mine is None and quiet.hidden and quiet.name == "quiet"


async def fill_board(store: Store) -> None:
    """23 members of server 1 with 1 to 5 grades each, a second apart."""
    q = await question_ids(store)
    clock = clock_of(store)
    for user in range(1, 24):
        clock.advance(seconds=1)
        for i in range(user % 5 + 1):
            await grade(store, 1, user, q[i])


async def test_a_board_view_with_no_page_opens_the_askers_page(store: Store):
    """My rank: the page with the asker's line, hidden members above them left out; the first
    page for an asker with no place on the board (no points, or hidden)."""
    await fill_board(store)
    for hide in (None, 4, 9, 14):
        if hide is not None:
            assert await store.set_hidden(1, hide, f"user{hide}", True)
        for asker in (*range(1, 24), 99):
            view = await store.board_view(1, "all", "season:1", None, 4, asker)
            mine = view.mine
            if mine is None or mine.rank is None:
                assert view.page.page == 0
                continue
            assert view.page.page == (mine.rank - 1) // 4
            assert [r.rank for r in view.page.rows if r.user_id == asker] == [mine.rank]


async def test_paging_at_the_last_page_and_a_member_with_no_data(store: Store):
    await fill_board(store)
    last = await store.board_page(1, "all", "season:1", 2, PAGE_SIZE)
    assert last.page == 2 and last.total == 23 and len(last.rows) == 3
    assert [r.rank for r in last.rows] == [21, 22, 23]
    beyond = await store.board_page(1, "all", "season:1", 50, PAGE_SIZE)
    assert beyond.page == 2 and beyond.rows == last.rows
    every = []
    for page in range(3):
        every += (await store.board_page(1, "all", "season:1", page, PAGE_SIZE)).rows
    assert [r.rank for r in every] == list(range(1, 24))
    assert len({r.user_id for r in every}) == 23
    # nobody: no standing, no activity, no streak, empty weeks
    assert await store.standing(1, "all", "season:1", 999) is None
    activity = await store.activity(1, 999)
    assert (activity.answered, activity.mc_total, activity.tag_results) == (0, 0, [])
    record = await store.qotd_record(1, 999)
    none = qotd_streak(record.days, record.answered)
    assert record.days == [] and (none.current, none.best) == (0, 0)
    assert await store.weekly_points(1, 999, ["week:2026-03-02"]) == {}


async def test_qotd_streak_from_the_store(store: Store):
    q = await question_ids(store)
    clock = clock_of(store)
    posts = []
    for i in range(5):
        clock.advance(days=1)
        posts.append(
            await store.create_post(
                kind="qotd", guild_id=1, channel_id=5, question_id=q[i], author_id=None,
                private=False,
            )
        )  # fmt: skip
    for i in (0, 1, 3, 4):
        await grade(store, 1, 42, q[i], source="qotd", post_id=posts[i])
    # Each reached the channel; one more never did (its send failed): it is nobody's
    # missed day, and the last post that reached the channel is the open one.
    await store.write(lambda conn: conn.execute("UPDATE posts SET message_id = 900 + id"))
    await store.create_post(
        kind="qotd", guild_id=1, channel_id=5, question_id=q[5], author_id=None, private=False
    )
    for post in posts[:4]:  # closed as the next one was posted
        assert await store.close_post(post) is not None
    record = await store.qotd_record(1, 42)
    # Posts with no slot are of the day they were made (the server's zone, UTC here).
    start = clock.now() - timedelta(days=4)
    assert record.days == [(start + timedelta(days=i)).date().isoformat() for i in range(5)]
    assert record.open_days == {record.days[-1]}
    streak = qotd_streak(record.days, record.answered, open_days=record.open_days)
    assert (streak.current, streak.best) == (2, 2)


async def recompute(store: Store, guild: int) -> dict[tuple[str, str, int], tuple[int, int, str]]:
    """score_totals for one server rebuilt from its attempts alone."""
    seasons = [
        (int(r[0]), r[1])
        for r in await store._fetchall(
            "SELECT number, started_at FROM seasons WHERE guild_id = ? ORDER BY number", (guild,)
        )
    ]
    rows = await store._fetchall(
        "SELECT user_id, source, points, local_day, created_at FROM attempts "
        "WHERE guild_id = ? AND scored = 1 ORDER BY created_at, id",
        (guild,),
    )
    out: dict[tuple[str, str, int], list] = {}
    for r in rows:
        season = max([n for n, at in seasons if at <= r["created_at"]], default=1)
        for board in (r["source"], "all"):
            for period in period_keys(date.fromisoformat(r["local_day"]), season):
                t = out.setdefault((board, period, r["user_id"]), [0, 0, r["created_at"]])
                t[0] += r["points"]
                t[1] += 1
                if r["points"] > 0:
                    t[2] = r["created_at"]
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


async def kept_rows(store: Store, guild: int) -> dict[tuple[str, str, int], tuple[int, int, str]]:
    """What score_totals should hold: every total ``recompute`` finds, except lifetime totals
    of the per-source boards (never kept) and, while the server is in its first season, of
    the all board (its season 1 rows stand for them)."""
    started = await store._fetchone("SELECT 1 FROM seasons WHERE guild_id = ?", (guild,))
    return {
        (board, period, user): total
        for (board, period, user), total in (await recompute(store, guild)).items()
        if period != "all" or (board == "all" and started is not None)
    }


async def stored(store: Store, guild: int) -> dict[tuple[str, str, int], tuple[int, int, str]]:
    rows = await store._fetchall(
        "SELECT board, period, user_id, points, answered, reached_at FROM score_totals "
        "WHERE guild_id = ?",
        (guild,),
    )
    return {(r[0], r[1], r[2]): (r[3], r[4], r[5]) for r in rows}


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_boards_agree_with_a_brute_force_recomputation(store: Store, seed: int):
    """Random grades over months, in zones that change, with seasons, hiding and erasing: the
    stored totals, every page and every rank match what the attempts alone say."""
    rng = random.Random(seed)
    q = await question_ids(store)
    clock = clock_of(store)
    guilds = (1, 2)
    hidden: set[tuple[int, int]] = set()
    for step in range(400):
        clock.advance(minutes=rng.randrange(1, 60 * 14))
        guild = rng.choice(guilds)
        roll = rng.random()
        if roll < 0.01:
            zone = rng.choice(ZONES)
            await store.set_guild_settings(guild, {"timezone": zone})
        elif roll < 0.015:
            await store.start_season(guild, 1)
        elif roll < 0.03:
            user = rng.randrange(1, 16)
            flag = (guild, user) not in hidden
            await store.set_hidden(guild, user, f"user{user}", flag)
            (hidden.add if flag else hidden.discard)((guild, user))
        elif roll < 0.035:
            user = rng.randrange(1, 16)
            await store.erase_member(guild, user)  # a hidden member stays hidden
        else:
            mc = rng.random() < 0.4
            await grade(
                store,
                guild,
                rng.randrange(1, 16),
                rng.choice(q[:12]),
                source=rng.choice(("quiz", "quiz", "qotd")),
                mc=mc,
                correct=mc and rng.random() < 0.6,
                rating=rng.randint(1, 4),
                name=f"user-{step}",
            )
        if step % 100 == 99:
            await store.set_guild_settings(
                guild, {"scoring.quiz_daily_cap": str(rng.choice((6, 30)))}
            )
    for guild in guilds:
        assert await stored(store, guild) == await kept_rows(store, guild)
        # Every board a member can be shown, lifetime included, read back through the store.
        want = await recompute(store, guild)
        by_board: dict[tuple[str, str], list[Score]] = defaultdict(list)
        for (board, period, user), (points, _, reached) in want.items():
            if period == "all" and board != "all":
                continue
            if (guild, user) not in hidden and points > 0:
                by_board[(board, period)].append(Score(user, points, reached))
        for (board, period), scores in by_board.items():
            expected = ranked(scores)
            got = []
            for page in range(page_count(len(expected), 4)):
                got += (await store.board_page(guild, board, period, page, 4)).rows
            assert [(r.user_id, r.points) for r in got] == [(s.user_id, s.points) for s in expected]
            assert [r.rank for r in got] == list(range(1, len(expected) + 1))
            for rank, score in enumerate(expected, 1):
                standing = await store.standing(guild, board, period, score.user_id)
                assert standing is not None and standing.rank == rank
        for g, user in hidden:
            if g == guild and any(k[2] == user for k in want):
                standing = await store.standing(guild, "all", "all", user)
                assert standing is not None and standing.rank is None


async def test_erase_member_removes_everything_of_theirs_in_one_server(store: Store):
    q = await question_ids(store)
    clock = clock_of(store)
    post = await store.create_post(
        kind="quiz", guild_id=1, channel_id=5, question_id=q[0], author_id=9,
        author_name="nine", private=False,
    )  # fmt: skip
    await grade(store, 1, 9, q[0], post_id=post)
    await grade(store, 1, 10, q[0], post_id=post)
    clock.advance(days=40)
    await store.start_season(1, 1)
    clock.advance(days=1)
    await grade(store, 1, 9, q[1])
    await grade(store, 2, 9, q[1])  # another server
    erased = await store.erase_member(1, 9)
    # Season 1: week, month and season on two boards; season 2 adds those again plus the
    # lifetime row copied from season 1 when it began.
    assert erased.attempts == 2 and erased.posts == 1 and erased.totals == 6 + 6 + 1
    assert (
        await store._fetchall("SELECT 1 FROM score_totals WHERE guild_id = 1 AND user_id = 9") == []
    )
    assert await store.member_name(1, 9) is None
    kept = await store.post(post)
    assert kept is not None and kept.author_id is None and kept.author_name is None
    assert await stored(store, 1) == await kept_rows(store, 1)
    assert (await store.activity(2, 9)).answered == 1  # the other server keeps its data
    assert (await store.activity(1, 10)).answered == 1


async def test_erased_members_open_public_posts_wait_in_the_database_to_be_drawn_again(
    store: Store,
):
    """The posts whose message shows an erased member (their own, those they answered) are
    marked; a drawing that read the mark before a second erase does not clear the second."""
    q = await question_ids(store)
    own = await store.create_post(
        kind="quiz", guild_id=1, channel_id=5, question_id=q[0], author_id=9,
        author_name="nine", private=False,
    )  # fmt: skip
    answered = await store.create_post(
        kind="quiz", guild_id=1, channel_id=5, question_id=q[1], author_id=10,
        author_name="ten", private=False,
    )  # fmt: skip
    private = await store.create_post(
        kind="quiz", guild_id=1, channel_id=5, question_id=q[2], author_id=9,
        author_name="nine", private=True,
    )  # fmt: skip
    await grade(store, 1, 9, q[1], post_id=answered)
    await grade(store, 1, 11, q[1], post_id=answered)
    erased = await store.erase_member(1, 9)
    assert erased.shown_posts == (own, answered)
    assert private not in erased.shown_posts
    assert await store.posts_to_redraw() == [(own, 1), (answered, 1)]
    mark = await store.redraw_mark(answered)
    await store.erase_member(1, 11)  # while the first drawing is under way
    await store.post_redrawn(answered, mark)
    await store.post_redrawn(own, await store.redraw_mark(own))
    assert await store.posts_to_redraw() == [(answered, 2)]
    await store.post_redrawn(answered, 2)
    assert await store.posts_to_redraw() == []


async def test_the_posts_answered_just_before_a_stop_are_found_for_their_count(store: Store):
    """The open public posts with a message answered in the ten minutes before the last
    answer stored, whatever the time now: a private post, one whose message is not known
    and one answered only earlier are left out."""
    q = await question_ids(store)
    clock = clock_of(store)

    async def post(private: bool = False) -> int:
        return await store.create_post(
            kind="quiz", guild_id=1, channel_id=5, question_id=q[0], author_id=9,
            author_name="nine", private=private,
        )  # fmt: skip

    early, recent, private, unknown = (await post(), await post(), await post(True), await post())
    for p in (early, recent, private):
        await store.remember_message(p, 1000 + p)
    await grade(store, 1, 10, q[0], post_id=early)
    clock.advance(minutes=11)
    await grade(store, 1, 11, q[1], post_id=recent)
    await grade(store, 1, 12, q[1], post_id=private)
    await grade(store, 1, 13, q[1], post_id=unknown)
    clock.advance(minutes=5)
    await grade(store, 1, 14, q[2], post_id=recent)
    clock.advance(days=3)  # the bot was down meanwhile
    assert await store.posts_answered_last() == [recent]
    assert await store.posts_answered_last(timedelta(minutes=30)) == [early, recent]


async def test_erasing_a_member_unlinks_the_questions_they_moved_to_with_next(store: Store):
    """A post made with Next question names the post it was pressed under. A member who
    erases their data takes those links off their posts: kept, they would chain the
    questions they went through privately to their public /quiz, which Discord still shows
    as run by them. Another member's Next under their post keeps its link."""
    q = await question_ids(store)
    public = await store.create_post(
        kind="quiz", guild_id=1, channel_id=5, question_id=q[0], author_id=9,
        author_name="nine", private=False,
    )  # fmt: skip
    first = await store.create_post(
        kind="quiz", guild_id=1, channel_id=5, question_id=q[1], author_id=9,
        author_name="nine", private=True, next_of=public,
    )  # fmt: skip
    second = await store.create_post(
        kind="quiz", guild_id=1, channel_id=5, question_id=q[2], author_id=9,
        author_name="nine", private=True, next_of=first,
    )  # fmt: skip
    bobs = await store.create_post(
        kind="quiz", guild_id=1, channel_id=5, question_id=q[1], author_id=10,
        author_name="bob", private=True, next_of=public,
    )  # fmt: skip
    await store.erase_member(1, 9)
    links = await store._fetchall(
        "SELECT id, next_of FROM posts WHERE id IN (?, ?, ?) ORDER BY id", (first, second, bobs)
    )
    assert [tuple(r) for r in links] == [(first, None), (second, None), (bobs, public)]


async def test_erasing_a_moderator_keeps_what_they_set_up_without_their_id(store: Store):
    """A member who erases their data takes their id off the decks, schedules and seasons
    they set up as a moderator and the suggestions they decided; those stay for the
    server, and another server's and another moderator's keep theirs. A moderator with
    nothing else stored is offered the erase, not told there is nothing."""
    deck = await store.create_deck(1, "mine", "Mine", created_by=9)
    await store.create_deck(2, "theirs", "Theirs", created_by=9)
    await store.save_schedule(
        guild_id=1, channel_id=2, spec=ScheduleSpec(
            local_time=parse_time("09:00"), days=parse_days("daily"), zone="UTC"),
        deck_id=None, tag=None, ping_role_id=None, thread=False,
        answer_after_minutes=None, created_by=9,
    )  # fmt: skip
    await store.start_season(1, 9)
    decided = await store.create_suggestion(
        1, 10, deck, Question(id="wsgi", prompt="What is WSGI?", answer="A protocol."), 5
    )
    await store.reject_suggestion(decided, 9, "Already asked.")
    assert await store.holds_member_data(1, 9)
    erased = await store.erase_member(1, 9)
    assert erased.rows == 4
    named = [
        await store._fetchall(f"SELECT guild_id FROM {table} WHERE {column} = 9")
        for table, column in (
            ("decks", "created_by"),
            ("qotd_schedules", "created_by"),
            ("seasons", "started_by"),
            ("suggestions", "reviewer_id"),
        )
    ]
    assert [[tuple(r) for r in rows] for rows in named] == [[(2,)], [], [], []]
    assert (await store.suggestion(decided)) is not None
    assert (await store.current_season(1)).number == 2
    assert not await store.holds_member_data(1, 9)
    assert await store.holds_member_data(2, 9)


async def test_erasing_a_member_drops_the_why_kept_for_a_form_they_left_open(store: Store):
    """The `why` typed with /suggest question or /question add is kept while its form is
    open (up to a week): a member who erases their data in a server takes it with them."""
    await store.save_form_draft("t-own", 1, 9, "My reason, typed here.", keep=timedelta(days=7))
    await store.save_form_draft("t-other", 2, 9, "Another server's.", keep=timedelta(days=7))
    await store.save_form_draft("t-bob", 1, 10, "Bob's reason.", keep=timedelta(days=7))
    erased = await store.erase_member(1, 9)
    assert erased.rows == 1
    left = await store._fetchall("SELECT token FROM form_drafts ORDER BY token")
    assert [r[0] for r in left] == ["t-bob", "t-other"]
    assert await store.take_form_draft("t-own", 9) is None


async def test_erased_reviews_and_import_previews_never_give_their_numbers_again(store: Store):
    """A member's newest review and upload preview go with their data, and the numbers they
    had (on the buttons of messages that still exist) are not given to the next ones: an
    old review message cannot grade in a new review, nor an old preview import a new file."""
    deck = await store.create_deck(1, "mine", "Mine")
    own = await store.start_review_session(1, 9, None)
    upload = await store.create_import_session(
        guild_id=1,
        deck_id=deck,
        user_id=9,
        filename="mine.csv",
        fmt="csv",
        questions=[],
        warnings=[],
        expires_at=clock_of(store).now() + timedelta(hours=1),
    )
    await store.erase_member(1, 9)
    assert await store.review_session(own) is None
    assert await store.import_session(upload) is None
    again = await store.start_review_session(1, 9, None)
    assert again > own
    next_upload = await store.create_import_session(
        guild_id=1,
        deck_id=deck,
        user_id=10,
        filename="other.csv",
        fmt="csv",
        questions=[],
        warnings=[],
        expires_at=clock_of(store).now() + timedelta(hours=1),
    )
    assert next_upload > upload


async def test_a_new_season_restarts_the_all_time_board_only(store: Store):
    q = await question_ids(store)
    clock = clock_of(store)
    await grade(store, 1, 5, q[0])
    assert (await store.current_season(1)).number == 1
    clock.advance(seconds=1)
    season = await store.start_season(1, 77)
    assert season is not None and season.number == 2 and season.started_at is not None
    assert from_db(season.started_at) == clock.now()
    assert (await store.board_page(1, "all", "season:2", 0, PAGE_SIZE)).rows == []
    clock.advance(seconds=1)
    await grade(store, 1, 6, q[1])
    assert [r.user_id for r in (await store.board_page(1, "all", "season:2", 0, 10)).rows] == [6]
    assert [r.user_id for r in (await store.board_page(1, "all", "season:1", 0, 10)).rows] == [5]
    assert [r.user_id for r in (await store.board_page(1, "all", "all", 0, 10)).rows] == [5, 6]
    week = await store.board_page(1, "all", "week:2026-03-02", 0, 10)
    assert [r.user_id for r in week.rows] == [5, 6]


async def test_a_reset_confirmed_twice_starts_one_season(store: Store):
    """Two clicks on one confirmation (or two moderators): the second finds season 2 begun."""
    first = await store.start_season(1, 77, after=1)
    again = await store.start_season(1, 78, after=1)
    assert first is not None and first.number == 2
    assert again is None
    assert (await store.current_season(1)).number == 2
    third = await store.start_season(1, 77, after=2)
    assert third is not None and third.number == 3


async def test_a_grade_queued_just_before_a_reset_counts_for_all_time(store: Store):
    """A grade clicked before the first reset but written after it (it waited in the write
    queue) belongs to season 1 by its time; the reset's copy of season 1 into the lifetime
    rows did not include it, so it is added to the lifetime total too, and the boards still
    match a recomputation from the attempts."""
    q = await question_ids(store)
    clock = clock_of(store)
    await grade(store, 1, 5, q[0])
    clock.advance(seconds=1)
    pending = asyncio.create_task(grade(store, 1, 5, q[1]))
    await asyncio.sleep(0)
    assert store._pending, "the grade should be waiting in the write queue"
    clock.advance(seconds=1)
    season = await store.start_season(1, 77)  # takes the write lock before the queued grade
    assert season is not None and season.number == 2
    await pending
    season_1 = await store.standing(1, "all", "season:1", 5)
    lifetime = await store.standing(1, "all", "all", 5)
    assert season_1 is not None and season_1.points == 4
    assert lifetime is not None and lifetime.points == 4
    recomputed = {
        (board, period, user): values
        for (guild, board, period, user), values in recomputed_totals(store.path).items()
        if guild == 1
    }
    assert await stored(store, 1) == recomputed


async def test_lifetime_totals_carry_over_a_reset(store: Store):
    """Lifetime points (what /stats shows as all time) span seasons: in season 1 they are read
    from the season 1 rows, a reset copies them, and later grades add to them. A grade keeps
    six score rows in season 1 and seven after."""
    q = await question_ids(store)
    clock = clock_of(store)

    async def rows() -> int:
        found = await store._fetchone("SELECT COUNT(*) FROM score_totals WHERE guild_id = 1")
        return int(found[0]) if found else 0

    for i in range(3):  # member 5: three scored grades
        await grade(store, 1, 5, q[i])
        clock.advance(seconds=1)
    assert await rows() == 6
    await grade(store, 1, 6, q[0], source="qotd")
    assert await rows() == 12
    five, six = await store.standing(1, "all", "all", 5), await store.standing(1, "all", "all", 6)
    assert five is not None and six is not None and five.points > six.points
    assert (five.rank, six.rank) == (1, 2)

    clock.advance(days=1)
    await store.start_season(1, 77)
    clock.advance(seconds=1)
    for i in range(4):  # member 6 overtakes over all time, in season 2 alone
        await grade(store, 1, 6, q[i], source="qotd")
        clock.advance(seconds=1)
    lifetime = await store.board_page(1, "all", "all", 0, 10)
    season_1 = await store.board_page(1, "all", "season:1", 0, 10)
    assert [r.user_id for r in season_1.rows] == [5, 6]
    assert [r.user_id for r in lifetime.rows] == [6, 5]
    six_now = await store.standing(1, "all", "all", 6)
    season_2 = await store.standing(1, "all", "season:2", 6)
    assert six_now is not None and season_2 is not None
    assert six_now.points == six.points + season_2.points
    assert six_now.answered == 5 and six_now.rank == 1
    # Member 5's first grade of season 2 (same week and month as their season 1 grades)
    # creates only the two season 2 rows: the lifetime row copied at the reset is added to.
    before = await rows()
    await grade(store, 1, 5, q[5])
    assert await rows() == before + 2
    five_now = await store.standing(1, "all", "all", 5)
    assert five_now is not None and five_now.answered == 4


async def test_a_new_name_is_stored_at_once_and_last_seen_once_a_day(store: Store):
    q = await question_ids(store)
    clock = clock_of(store)
    await grade(store, 1, 5, q[0], name="before")
    first = await store._fetchone(
        "SELECT updated_at FROM members WHERE guild_id = 1 AND user_id = 5"
    )
    clock.advance(hours=1)
    await grade(store, 1, 5, q[1], name="before")
    same = await store._fetchone(
        "SELECT updated_at FROM members WHERE guild_id = 1 AND user_id = 5"
    )
    assert first is not None and same is not None and same[0] == first[0]
    clock.advance(minutes=1)
    await grade(store, 1, 5, q[2], name="after")
    assert await store.member_name(1, 5) == "after"
    assert (await store.board_page(1, "all", "all", 0, PAGE_SIZE)).rows[0].name == "after"
    clock.advance(days=1)
    await grade(store, 1, 5, q[3], name="after")
    later = await store._fetchone(
        "SELECT updated_at FROM members WHERE guild_id = 1 AND user_id = 5"
    )
    assert later is not None and from_db(later[0]) == clock.now()


async def test_hidden_members_are_read_from_their_own_index_whatever_the_statistics(
    store: Store,
):
    """Pages and ranks subtract hidden members; that lookup must start from the few hidden
    members, not walk the whole board, even when the planner has statistics saying the board
    is small."""
    from bot.store.leaderboard import _HIDDEN_JOIN

    q = await question_ids(store)
    for user in range(1, 30):
        await grade(store, 1, user, q[user % 5])
    await store.set_hidden(1, 3, "user3", True)
    async with store.transaction() as db:
        await db.execute("ANALYZE")
    plan = await store._fetchall(
        f"EXPLAIN QUERY PLAN SELECT s.user_id {_HIDDEN_JOIN}", (1, "all", "all")
    )
    steps = [str(r[3]) for r in plan]
    assert "members_hidden" in steps[0], steps
    assert all("score_totals_order" not in s for s in steps), steps
    page = await store.board_page(1, "all", "all", 0, 100)
    assert 3 not in [r.user_id for r in page.rows] and page.total == 28


async def test_a_streak_is_not_broken_before_the_day_is_over(store: Store):
    """Today's question closed early (answer after an hour) and the member has not answered
    yet: today is not missed until it is over, since a later question of the day, or a late
    answer, still counts for it."""
    q = await question_ids(store)
    clock = clock_of(store)
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    yesterday = await store.create_post(
        kind="qotd", guild_id=1, channel_id=5, question_id=q[0], author_id=None, private=False
    )
    await grade(store, 1, 42, q[0], source="qotd", post_id=yesterday)
    clock.advance(days=1)
    today = await store.create_post(
        kind="qotd", guild_id=1, channel_id=5, question_id=q[1], author_id=None, private=False
    )
    await store.write(lambda conn: conn.execute("UPDATE posts SET message_id = 900 + id"))
    clock.advance(hours=1)
    assert await store.close_post(today) is not None
    clock.advance(hours=6)
    record = await store.qotd_record(1, 42)
    streak = qotd_streak(record.days, record.answered, open_days=record.open_days)
    assert (streak.current, streak.best) == (1, 1)
    clock.advance(days=1)  # the day is over, unanswered
    record = await store.qotd_record(1, 42)
    streak = qotd_streak(record.days, record.answered, open_days=record.open_days)
    assert (streak.current, streak.best) == (0, 1)


async def test_a_streak_is_not_broken_by_a_question_that_can_still_be_answered(store: Store):
    """A schedule that keeps its questions open for days: yesterday's question, unanswered
    but still open, is not missed yet; answering it keeps the streak as shown."""
    q = await question_ids(store)
    clock = clock_of(store)
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    posts = []
    for i in range(4):
        posts.append(
            await store.create_post(
                kind="qotd", guild_id=1, channel_id=5, question_id=q[i], author_id=None,
                private=False,
            )
        )  # fmt: skip
        if i < 2:
            await grade(store, 1, 42, q[i], source="qotd", post_id=posts[i])
        clock.advance(days=1)
    clock.advance(days=-1, hours=2)  # the fourth day, its question and the third's open
    await store.write(lambda conn: conn.execute("UPDATE posts SET message_id = 900 + id"))
    for post in posts[:2]:
        assert await store.close_post(post) is not None

    async def streak() -> tuple[int, int]:
        record = await store.qotd_record(1, 42)
        s = qotd_streak(record.days, record.answered, open_days=record.open_days)
        return s.current, s.best

    assert await streak() == (2, 2)
    await grade(store, 1, 42, q[2], source="qotd", post_id=posts[2])
    assert await streak() == (3, 3)
    assert await store.close_post(posts[3]) is not None
    clock.advance(days=1)  # the fourth day is over, its question closed unanswered
    assert await streak() == (0, 3)
