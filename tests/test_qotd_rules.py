"""Question-of-the-day rules without Discord: cycles through a deck, answer delays."""

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import UserError
from bot.qotd import choose_next, describe_answer_after, parse_answer_after
from bot.store import base as store_base


def run_cycles(candidates: list[int], posts: int, seed: int) -> list[tuple[int, int]]:
    """(cycle, question) for each post, following the rules the store applies."""
    rng = random.Random(seed)
    cycle, asked, last, out = 1, set(), None, []
    for _ in range(posts):
        choice = choose_next(candidates, asked, last, rng)
        assert choice is not None
        if choice.new_cycle:
            cycle, asked = cycle + 1, set()
        asked.add(choice.question_id)
        last = choice.question_id
        out.append((cycle, choice.question_id))
    return out


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 12), st.integers(1, 40), st.integers(0, 10_000))
def test_no_repeats_within_a_cycle_and_every_question_once_per_cycle(n, posts, seed):
    candidates = list(range(100, 100 + n))
    history = run_cycles(candidates, posts, seed)
    by_cycle: dict[int, list[int]] = {}
    for cycle, qid in history:
        by_cycle.setdefault(cycle, []).append(qid)
    for cycle, qids in by_cycle.items():
        assert len(qids) == len(set(qids)), "a question repeated inside a cycle"
        if cycle < max(by_cycle):
            assert sorted(qids) == candidates, "a cycle ended before the deck was exhausted"


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 12), st.integers(0, 10_000))
def test_a_new_cycle_never_starts_with_the_question_that_ended_the_last(n, seed):
    history = run_cycles(list(range(n)), n * 4, seed)
    for (c1, q1), (c2, q2) in itertools.pairwise(history):
        if c2 != c1:
            assert q1 != q2


def test_a_one_question_deck_repeats_it():
    assert [q for _, q in run_cycles([7], 3, 1)] == [7, 7, 7]


def test_questions_added_mid_cycle_join_it():
    rng = random.Random(3)
    choice = choose_next([1, 2, 3], {1, 2}, 2, rng)
    assert choice is not None and (choice.question_id, choice.new_cycle) == (3, False)
    assert choose_next([], set(), None, rng) is None


@pytest.mark.parametrize(
    ("text", "minutes"),
    [(None, None), ("next", None), ("30m", 30), ("12h", 720), ("1d", 1440), (" 2 H ", 120)],
)
def test_answer_after(text, minutes):
    assert parse_answer_after(text) == minutes


@pytest.mark.parametrize("text", ["soon", "0m", "8d", "-1h", "12"])
def test_answer_after_refuses_with_the_expected_form(text):
    with pytest.raises(UserError, match="answer_after"):
        parse_answer_after(text)


def test_describe_answer_after():
    assert describe_answer_after(None) == "when the next question is due"
    assert describe_answer_after(720) == "12 hours after posting"
    assert describe_answer_after(2880) == "2 days after posting"
    assert describe_answer_after(1440) == "1 day after posting"
    assert describe_answer_after(60) == "1 hour after posting"
    assert describe_answer_after(1) == "1 minute after posting"
    assert describe_answer_after(90) == "90 minutes after posting"


# -- pacing and the pass lock (asyncio, no Discord) ---------------------------------------------


async def test_the_pacer_spaces_calls_and_bounds_any_window():
    import asyncio
    import time

    from bot.qotd import Pacer

    pacer = Pacer(200.0, catch_up=2)
    released: list[float] = []

    async def call(i: int) -> None:
        if i == 10:
            # a stalled event loop: later calls may catch up, but only 2 of them
            time.sleep(0.05)  # noqa: ASYNC251
        await pacer.wait()
        released.append(time.monotonic())

    for i in range(40):
        await call(i)
    assert released[-1] - released[0] >= 39 / 200 - 0.05 - 0.01
    window = 0.1  # at 200 a second, 20 calls, plus the catch-up and one
    for i, t in enumerate(released):
        assert sum(1 for u in released[i:] if u - t < window) <= 20 + 2 + 1
    started = time.monotonic()
    await asyncio.gather(*(pacer.wait() for _ in range(20)))
    assert time.monotonic() - started >= 19 / 200 - 0.01


async def test_a_whole_pass_waits_for_runs_and_goes_before_later_ones():
    import asyncio

    from bot.qotd import PassLock

    lock = PassLock()
    order: list[str] = []
    first_in = asyncio.Event()
    release_first = asyncio.Event()

    async def run(name: str, hold: asyncio.Event | None = None) -> None:
        async with lock.shared():
            order.append(f"{name} in")
            if hold is not None:
                first_in.set()
                await hold.wait()
            order.append(f"{name} out")

    async def whole_pass() -> None:
        async with lock.exclusive():
            order.append("pass")

    first = asyncio.create_task(run("a", release_first))
    await first_in.wait()
    passing = asyncio.create_task(whole_pass())
    await asyncio.sleep(0)
    later = asyncio.create_task(run("b"))
    await asyncio.sleep(0.01)
    assert order == ["a in"]  # the pass waits for a; b waits behind the pass
    release_first.set()
    await asyncio.gather(first, passing, later)
    assert order == ["a in", "a out", "pass", "b in", "b out"]


class _Publisher:
    """Records what the engine sends and closes, and lets a test wait for either."""

    def __init__(self) -> None:
        import asyncio

        self.sent: list[int] = []
        self.closed: list[int] = []
        self.posted = asyncio.Event()
        self.closing = asyncio.Event()

    async def send(self, claim):
        from bot.qotd import Sent

        self.sent.append(claim.post_id)
        self.posted.set()
        return Sent(10_000 + claim.post_id, None)

    async def find(self, claim, since):
        return None

    async def close(self, post_id, summary):
        self.closed.append(post_id)
        self.closing.set()


async def _wait_for(condition, within: float = 10.0) -> None:
    """Until ``condition()`` holds, checked every 20 ms; fails after ``within`` seconds."""
    import asyncio

    for _ in range(int(within / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    pytest.fail(f"not so within {within} s")


async def _daily_store(path, clock, answer_after_minutes=None):
    """A store with one daily 09:00 UTC schedule on the built-in decks, and its id."""
    from bot.decks import load_builtin_decks
    from bot.schedule import ScheduleSpec, parse_days, parse_time
    from bot.store import Store

    store = await Store.open(path, clock=clock)
    await store.sync_builtin_decks(load_builtin_decks())
    schedule_id, _ = await store.save_schedule(
        guild_id=1, channel_id=2, spec=ScheduleSpec(
            local_time=parse_time("09:00"), days=parse_days("daily"), zone="UTC"),
        deck_id=None, tag=None, ping_role_id=None, thread=False,
        answer_after_minutes=answer_after_minutes, created_by=3,
    )
    return store, schedule_id


async def test_a_slot_between_the_last_pass_and_the_job_rebuild_still_posts(tmp_path):
    """The start-up pass runs just before a slot and the jobs are built just after it: the
    slot's job runs at once instead of waiting for the next day."""
    import asyncio
    from datetime import UTC, datetime, timedelta

    from bot.clock import FixedClock
    from bot.qotd import QotdEngine

    slot = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    clock = FixedClock(slot - timedelta(seconds=5))
    store, _ = await _daily_store(tmp_path / "recall.sqlite3", clock)
    try:
        publisher = _Publisher()
        engine = QotdEngine(store, publisher, clock, rng=random.Random(1))
        await engine.tick()  # 08:59:55: nothing due
        assert publisher.sent == []
        clock.set(slot + timedelta(seconds=30))  # the jobs are built after the slot
        engine.start_scheduler()
        try:
            await asyncio.wait_for(publisher.posted.wait(), 5)
        finally:
            await engine.stop_scheduler()
        assert len(publisher.sent) == 1
        [schedule] = await store.active_schedules()
        assert (await engine.next_post(schedule)).at_utc == slot + timedelta(days=1)
    finally:
        await store.close()


def test_checked_until_after_setup_counts_todays_slot_done_once_posted():
    from datetime import UTC, datetime

    from bot.qotd import checked_until_after_setup
    from bot.schedule import ScheduleSpec

    spec = ScheduleSpec(local_time="10:00", days="daily", zone="America/New_York")
    now = datetime(2026, 1, 5, 14, 30, tzinfo=UTC)  # 09:30 in New York
    assert checked_until_after_setup(spec, now, False) == now
    assert checked_until_after_setup(spec, now, True) == datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
    earlier = ScheduleSpec(local_time="09:00", days="daily", zone="America/New_York")
    assert checked_until_after_setup(earlier, now, True) == now
    weekdays = ScheduleSpec(local_time="10:00", days="sat", zone="America/New_York")
    assert checked_until_after_setup(weekdays, now, True) == now


async def test_a_paused_schedule_keeps_a_job_to_show_its_open_questions_answer(tmp_path):
    """A paused schedule posts nothing, yet its question waiting for the next one must show
    its answer when that one would have come: the scheduler keeps a job for it."""
    import asyncio
    from datetime import UTC, datetime, timedelta

    from bot.clock import FixedClock
    from bot.qotd import QotdEngine

    slot = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    clock = FixedClock(slot - timedelta(hours=1))
    store, schedule_id = await _daily_store(tmp_path / "recall.sqlite3", clock)
    try:
        publisher = _Publisher()
        engine = QotdEngine(store, publisher, clock, rng=random.Random(1))
        clock.set(slot)
        await engine.tick()  # posted, open until the next question
        clock.set(slot + timedelta(hours=3))
        await store.set_paused(schedule_id, True, "paused by a moderator")
        [paused] = await store.active_schedules()
        assert await engine.paused_close_at(paused) == slot + timedelta(days=1)
        clock.set(slot + timedelta(days=1, seconds=1))  # the jobs are built after that slot
        engine.start_scheduler()
        try:
            await asyncio.wait_for(publisher.closing.wait(), 5)
        finally:
            await engine.stop_scheduler()
        assert publisher.closed == [1]
        assert await engine.paused_close_at(paused) is None  # nothing left waiting
    finally:
        await store.close()


async def test_a_paused_schedules_post_now_question_waits_for_the_slot_after_it(tmp_path):
    """A question posted with /qotd post-now while the schedule is paused shows its answer
    at the first slot after it was posted, not at once because a slot came (and closed the
    question before it) earlier in the pause."""
    from datetime import UTC, datetime, timedelta

    from bot.clock import FixedClock
    from bot.qotd import QotdEngine

    slot = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    clock = FixedClock(slot - timedelta(hours=1))
    store, schedule_id = await _daily_store(tmp_path / "recall.sqlite3", clock)
    try:
        publisher = _Publisher()
        engine = QotdEngine(store, publisher, clock, rng=random.Random(1))
        clock.set(slot)
        await engine.tick()  # post 1, open until the next question
        clock.set(slot + timedelta(hours=3))
        await store.set_paused(schedule_id, True, "paused by a moderator")
        clock.set(slot + timedelta(days=1, seconds=1))
        await engine.tick()  # the next slot came while paused: post 1 shows its answer
        assert publisher.closed == [1]
        clock.set(slot + timedelta(days=1, hours=6))
        claim = await engine.post_now(schedule_id, "1")
        assert claim is not None
        [paused] = await store.active_schedules()
        assert await engine.paused_close_at(paused) == slot + timedelta(days=2)
        await engine.tick()
        assert publisher.closed == [1]  # the extra question stays open until tomorrow's slot
        clock.set(slot + timedelta(days=2, seconds=1))
        await engine.tick()
        assert publisher.closed == [1, claim.post_id]
    finally:
        await store.close()



@pytest.mark.allow_error_logs
async def test_a_run_that_fails_is_tried_again_later_not_at_once(tmp_path, caplog, monkeypatch):
    """Another program holds the database's write lock when a slot comes: the slot's run
    fails (after SQLite's busy wait), and is tried again a few seconds later, not at once
    and again and again while the lock is held. Once the lock is gone, the slot posts."""
    import asyncio
    import logging
    import sqlite3
    from datetime import UTC, datetime, timedelta

    from bot.clock import FixedClock
    from bot.qotd import QotdEngine

    slot = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    clock = FixedClock(slot - timedelta(hours=1))
    path = tmp_path / "recall.sqlite3"
    monkeypatch.setattr(store_base, "BUSY_TIMEOUT_MS", 300)  # each write waits 0.3 s, not 2
    store, _ = await _daily_store(path, clock)
    other = sqlite3.connect(path, isolation_level=None)

    def failures() -> int:
        return len([r for r in caplog.records if "failed to run" in r.getMessage()])

    try:
        publisher = _Publisher()
        engine = QotdEngine(
            store, publisher, clock, rng=random.Random(1), run_retry=timedelta(seconds=3)
        )
        clock.set(slot + timedelta(seconds=1))
        other.execute("BEGIN IMMEDIATE")  # a backup, say, holds the write lock a while
        caplog.set_level(logging.ERROR, logger="bot.qotd")
        engine.start_scheduler()
        try:
            await _wait_for(lambda: failures() >= 1)
            # One try, refused after the busy wait (0.3 s); the next is due 3 s after that:
            # none while the lock is still held 1.5 s on.
            await asyncio.sleep(1.5)
            assert failures() == 1
            assert publisher.sent == []
            other.execute("ROLLBACK")
            await asyncio.wait_for(publisher.posted.wait(), 5)
        finally:
            await engine.stop_scheduler()
        assert len(publisher.sent) == 1
        assert len([r for r in caplog.records if "failed to run" in r.getMessage()]) == 1
    finally:
        other.close()
        await store.close()


@pytest.mark.allow_error_logs
async def test_a_close_that_fails_is_tried_again(tmp_path, caplog, monkeypatch):
    """A question's answer is due while another program holds the write lock: the close
    job's pass fails, and the close job is set again, so the answer goes public once the
    lock is gone (not only when the next question is posted, a day later)."""
    import asyncio
    import sqlite3
    from datetime import UTC, datetime, timedelta

    from bot.clock import FixedClock
    from bot.qotd import QotdEngine

    slot = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    clock = FixedClock(slot - timedelta(hours=1))
    path = tmp_path / "recall.sqlite3"
    monkeypatch.setattr(store_base, "BUSY_TIMEOUT_MS", 300)  # each write waits 0.3 s, not 2
    store, _ = await _daily_store(path, clock, answer_after_minutes=30)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        publisher = _Publisher()
        engine = QotdEngine(
            store, publisher, clock, rng=random.Random(1), run_retry=timedelta(seconds=1)
        )
        clock.set(slot)
        await engine.tick()  # posted at 09:00, its answer due at 09:30
        assert len(publisher.sent) == 1
        clock.set(slot + timedelta(minutes=30, seconds=1))
        other.execute("BEGIN IMMEDIATE")
        engine.start_scheduler()
        try:
            # The close job's pass runs into the lock twice (the schedule's run, then the
            # close), 0.3 s each, and fails.
            await _wait_for(
                lambda: any(
                    r.name.startswith("apscheduler") and "raised an exception" in r.getMessage()
                    for r in caplog.records
                )
            )
            assert publisher.closed == []
            other.execute("ROLLBACK")
            await asyncio.wait_for(publisher.closing.wait(), 5)
        finally:
            await engine.stop_scheduler()
        assert publisher.closed == publisher.sent
    finally:
        other.close()
        await store.close()


class _Refusing(_Publisher):
    """Sends as ``_Publisher`` does, but refuses (for good) the sends ``refuse`` marks."""

    def __init__(self, refuse: list[bool]) -> None:
        super().__init__()
        self.refuse = list(refuse)
        self.questions: list[int] = []

    async def send(self, claim):
        from bot.qotd import PublishError

        if self.refuse and self.refuse.pop(0):
            raise PublishError("missing permission", permanent=True)
        self.questions.append(claim.question_id)
        return await super().send(claim)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.booleans(), min_size=4, max_size=16),
    st.integers(0, 10_000),
)
def test_refused_posts_never_make_a_question_repeat_early(refuse, seed):
    """Three questions, and some posts refused (a permission lost for a day): the questions
    that do go up still come three at a time, each once, and never the same twice running,
    whichever post was refused (the first of a new cycle too)."""
    import asyncio

    asked = asyncio.run(_three_question_days(refuse, seed))
    assert len(asked) >= 6
    for first, second in itertools.pairwise(asked):
        assert first != second, asked
    for start in range(0, len(asked) - 2, 3):
        assert len(set(asked[start : start + 3])) == 3, asked


async def _three_question_days(refuse: list[bool], seed: int) -> list[int]:
    """The questions posted by a daily schedule on a three-question deck, one slot a day,
    with the sends ``refuse`` marks refused."""
    import tempfile
    from datetime import UTC, datetime, timedelta
    from pathlib import Path

    from bot.clock import FixedClock
    from bot.qotd import QotdEngine
    from bot.questions import Question
    from bot.schedule import ScheduleSpec
    from bot.store import Store

    clock = FixedClock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(Path(folder) / "recall.sqlite3", clock=clock)
        try:
            deck_id = await store.create_deck(1, "three", "Three")
            await store.add_questions(
                deck_id,
                [
                    Question(id=f"q{i}", prompt=f"Question {i}?", answer=f"Answer {i}.")
                    for i in range(3)
                ],
            )
            schedule_id, _ = await store.save_schedule(
                guild_id=1, channel_id=2,
                spec=ScheduleSpec(local_time="09:00", days="daily", zone="UTC"),
                deck_id=deck_id, tag=None, ping_role_id=None, thread=False,
                answer_after_minutes=None, created_by=3,
            )  # fmt: skip
            publisher = _Refusing(refuse)
            engine = QotdEngine(store, publisher, clock, rng=random.Random(seed))
            for day in range(len(refuse) + 6):
                clock.set(datetime(2026, 1, 5, 9, 0, tzinfo=UTC) + timedelta(days=day))
                await engine.tick()
                # Three refusals in a row pause the schedule; a moderator resumes it.
                if (await store.schedule(schedule_id)).paused:
                    await store.set_paused(schedule_id, False)
        finally:
            await store.close()
    return publisher.questions


async def test_an_edit_of_a_schedule_removed_meanwhile_saves_nothing(tmp_path):
    """/qotd edit names the schedule it changes: removed between the command's start and
    its save, it is not set up again as a new one in its channel."""
    from datetime import UTC, datetime

    from bot.clock import FixedClock
    from bot.schedule import ScheduleSpec

    store, schedule_id = await _daily_store(
        tmp_path / "r.sqlite3", FixedClock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    )
    try:
        edit = {
            "guild_id": 1, "channel_id": 2,
            "spec": ScheduleSpec(local_time="10:00", days="daily", zone="UTC"),
            "deck_id": None, "tag": None, "ping_role_id": None, "thread": False,
            "answer_after_minutes": None, "created_by": 3, "schedule_id": schedule_id,
        }  # fmt: skip
        assert await store.save_schedule(**edit) == (schedule_id, False)
        assert (await store.schedule(schedule_id)).spec.time_text == "10:00"
        await store.remove_schedule(schedule_id)
        with pytest.raises(UserError, match=f"Schedule #{schedule_id} was removed meanwhile"):
            await store.save_schedule(**{**edit, "spec": ScheduleSpec(
                local_time="11:00", days="daily", zone="UTC")})  # fmt: skip
        assert await store.active_schedules() == []
        removed = await store.schedule(schedule_id, removed=True)
        assert removed is not None and removed.spec.time_text == "10:00"
    finally:
        await store.close()


def test_clear_takes_only_its_choices():
    """Discord offers only ``clear``'s choices; a value a tampered client sends is refused,
    not taken as no clear at all."""
    from bot.qotd_settings import CLEAR_LABELS, read_clear

    assert [read_clear(v) for v in CLEAR_LABELS] == list(CLEAR_LABELS)
    assert read_clear(None) is None
    with pytest.raises(UserError, match="`clear` takes one of: ping, deck, tag, answer_after"):
        read_clear("channel")
