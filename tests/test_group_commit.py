"""Grades written together (one group transaction, applied as one batch) give exactly what the
same grades written one by one give: results, attempts, score totals, cards and review answers;
a grade that fails, or that its caller's check refuses, fails alone."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_leaderboard import kept_rows, stored

import bot.store.base as base
import bot.store.quiz as quiz_store
from bot.clock import FixedClock
from bot.decks import load_builtin_decks
from bot.store import AttemptRequest, AttemptResult, Store

GUILDS = (1, 2)
MISSING_QUESTION = 999_999


class TickingClock(FixedClock):
    """Each reading is a millisecond after the one before: the grades written together have
    times of their own, in order, as the same grades written one by one do."""

    def now(self) -> datetime:
        when = super().now()
        self.set(when + timedelta(milliseconds=1))
        return when


async def open_store(path: Path) -> Store:
    store = await Store.open(path, clock=TickingClock(datetime(2026, 3, 2, 8, tzinfo=UTC)))
    await store.sync_builtin_decks(load_builtin_decks())
    return store


async def requests(store: Store, seed: int, failing: bool) -> list[AttemptRequest]:
    """The same grades for any store built the same way: posts, duplicates, a daily cap,
    review sessions with a repeat, and with ``failing`` one grade that must fail."""
    rng = random.Random(seed)
    qids = [r[0] for r in await store._fetchall("SELECT id FROM questions ORDER BY id")]
    posts = []
    for i in range(6):
        guild = GUILDS[i % 2]
        qid = qids[i]
        pid = await store.create_post(
            kind="quiz" if i % 3 else "qotd", guild_id=guild, channel_id=5, question_id=qid,
            author_id=100, private=False,
        )
        posts.append((pid, guild, qid, "quiz" if i % 3 else "qotd"))
    session = await store.start_review_session(1, 7, None)
    out: list[AttemptRequest] = []
    for _ in range(80):
        user = rng.randrange(1, 9)
        kind = rng.random()
        if kind < 0.5:
            pid, guild, qid, source = rng.choice(posts)
            mc = rng.random() < 0.4
            correct = rng.random() < 0.5
            out.append(
                AttemptRequest(guild, user, f"u{user}", pid, qid, source, rng.randint(1, 4),
                               mc, correct, option_index=1 if mc else None)
            )
        elif kind < 0.9:
            # No post: a member's quiz points today run into the daily cap; the same
            # question twice a day scores once.
            guild = rng.choice(GUILDS)
            out.append(
                AttemptRequest(guild, user, f"u{user}", None, rng.choice(qids[:12]), "quiz", 3,
                               False, True)
            )
        else:
            out.append(
                AttemptRequest(1, 7, "u7", None, rng.choice(qids[:3]), "review",
                               rng.randint(1, 4), False, True, review_session_id=session)
            )
    # One member grades 20 questions (2 points each, the cap is 30): the cap is reached, and
    # then passed, among grades written together.
    out[30:30] = [
        AttemptRequest(2, 8, "u8", None, qid, "quiz", 3, False, True) for qid in qids[20:40]
    ]
    # A member renamed between grades, and back: each name as it was seen, in order.
    out[50:50] = [
        AttemptRequest(1, 6, name, None, qid, "quiz", 3, False, True)
        for name, qid in (("u6", qids[41]), ("Six", qids[42]), ("Six", qids[43]), ("u6", qids[44]))
    ]
    # Exact duplicates (double clicks) and a grade whose question does not exist.
    out.insert(10, out[3])
    out.insert(40, out[20])
    if failing:
        out.insert(25, AttemptRequest(2, 3, "u3", None, MISSING_QUESTION, "quiz", 3, False, True))
    return out


async def outcome(store: Store, coro) -> AttemptResult | str:
    try:
        return await coro
    except sqlite3.IntegrityError:
        return "integrity error"


async def tables(store: Store) -> dict[str, list[tuple]]:
    queries = {
        "attempts": "SELECT guild_id, user_id, question_id, post_id, source, rating, option_index, "
        "correct, scored, points, local_day FROM attempts ORDER BY id",
        "srs_cards": "SELECT * FROM srs_cards ORDER BY guild_id, user_id, question_id",
        "review_answers": "SELECT * FROM review_answers ORDER BY session_id, question_id",
        "members": "SELECT * FROM members ORDER BY guild_id, user_id",
    }
    return {
        name: [tuple(r) for r in await store._fetchall(sql)] for name, sql in queries.items()
    }


@pytest.mark.parametrize(("seed", "failing"), [(1, False), (2, False), (1, True), (2, True)])
async def test_group_commit_matches_one_by_one(
    tmp_path: Path, monkeypatch, seed: int, failing: bool
):
    one_by_one = await open_store(tmp_path / "one.sqlite3")
    together = await open_store(tmp_path / "group.sqlite3")
    groups: list[int] = []
    batches: list[int] = []
    apply_group = base._apply_group
    record_attempts = quiz_store._record_attempts

    def counting(conn, work):
        groups.append(len(work))
        return apply_group(conn, work)

    def batch_sizes(conn, grades):
        batches.append(len(grades))
        return record_attempts(conn, grades)

    try:
        wanted = [
            await outcome(one_by_one, one_by_one.record_attempt(r))
            for r in await requests(one_by_one, seed, failing)
        ]
        reqs = await requests(together, seed, failing)
        monkeypatch.setattr(base, "_apply_group", counting)
        monkeypatch.setattr(quiz_store, "_record_attempts", batch_sizes)
        got = await asyncio.gather(*(outcome(together, together.record_attempt(r)) for r in reqs))
        monkeypatch.undo()

        assert max(groups) > 20, "the grades were not written together"
        # One batch held them all. A grade that fails undoes it, and then each goes alone;
        # with none, that one batch is what was stored.
        assert batches[0] == len(reqs)
        assert batches[1:] == ([1] * len(reqs) if failing else [])
        assert list(got) == wanted
        assert wanted.count("integrity error") == int(failing)
        assert sum(1 for w in wanted if isinstance(w, AttemptResult) and not w.new) >= 2
        assert await tables(together) == await tables(one_by_one)
        for guild in GUILDS:
            assert await stored(together, guild) == await kept_rows(together, guild)
            assert await stored(together, guild) == await stored(one_by_one, guild)
        # Daily cap: nobody's quiz points on one day exceed the cap.
        caps = await together._fetchall(
            "SELECT SUM(points) FROM attempts WHERE source = 'quiz' "
            "GROUP BY guild_id, user_id, local_day"
        )
        assert max(r[0] for r in caps) == 30
    finally:
        await one_by_one.close()
        await together.close()


async def test_a_failed_group_fails_every_caller(tmp_path: Path, monkeypatch):
    store = await open_store(tmp_path / "recall.sqlite3")
    try:
        qid = (await store._fetchone("SELECT MIN(id) FROM questions"))[0]

        def broken(conn, work):
            raise base._GroupFailed(sqlite3.OperationalError("disk I/O error"))

        monkeypatch.setattr(base, "_apply_group", broken)
        reqs = [AttemptRequest(1, u, "u", None, qid, "quiz", 3, False, True) for u in range(5)]
        results = await asyncio.gather(
            *(store.record_attempt(r) for r in reqs), return_exceptions=True
        )
        assert all(isinstance(r, base.StoreError) for r in results)
        monkeypatch.undo()
        assert (await store._fetchone("SELECT COUNT(*) FROM attempts"))[0] == 0
        assert (await store.record_attempt(reqs[0])).new
    finally:
        await store.close()


def _decide(user: int, rating: int):
    """What quiz_service does: refuse a self-grade on a multiple-choice question."""

    def decide(post, question):
        if user == 13:
            raise ValueError("member 13 may not grade this")
        return AttemptRequest(
            post.guild_id, user, f"u{user}", post.id, post.question_id, post.kind, rating,
            False, rating >= 2,
        )

    return decide


async def _post_grades(store: Store, *, together: bool) -> tuple[list, int]:
    qid = (await store._fetchone("SELECT MIN(id) FROM questions"))[0]
    pid = await store.create_post(
        kind="quiz", guild_id=1, channel_id=5, question_id=qid, author_id=100, private=False
    )
    clicks = [(u, 1 + u % 4) for u in range(1, 31)] + [(5, 4), (5, 1)]  # member 5 clicks 3 times

    async def one(user: int, rating: int):
        try:
            # Member 1 grades from a private reply (no channel message known yet).
            message_id = None if user == 1 else 777
            grade = await store.grade_post(pid, user, _decide(user, rating), message_id=message_id)
        except ValueError as exc:
            return str(exc)
        assert grade is not None
        return (grade.post.message_id, grade.question.id, grade.result)

    if together:
        got = list(await asyncio.gather(*(one(u, r) for u, r in clicks)))
    else:
        got = [await one(u, r) for u, r in clicks]
    return got, pid


async def test_grades_on_a_post_together_match_one_by_one(tmp_path: Path, monkeypatch):
    """Grades on one post from many members at once (a burst on a public quiz): the post and
    question are read once for all, a refused grade fails alone, a member's repeated clicks
    store one attempt, and the channel message id is recorded once."""
    one_by_one = await open_store(tmp_path / "one.sqlite3")
    together = await open_store(tmp_path / "group.sqlite3")
    batches: list[int] = []
    record_attempts = quiz_store._record_attempts

    def batch_sizes(conn, grades):
        batches.append(len(grades))
        return record_attempts(conn, grades)

    try:
        wanted, _ = await _post_grades(one_by_one, together=False)
        monkeypatch.setattr(quiz_store, "_record_attempts", batch_sizes)
        got, pid = await _post_grades(together, together=True)
        monkeypatch.undo()

        assert batches == [31], "the grades were not applied as one batch"
        assert got == wanted
        assert got[12] == "member 13 may not grade this"
        repeats = [g[2] for g in got[-2:]]
        assert [r.new for r in repeats] == [False, False]
        assert all(r.rating == got[4][2].rating for r in repeats)
        # Each grade comes back with the post as it read it: the message id is recorded by
        # the first grade that knows it, after member 1's.
        assert [g[0] for g in got[:2]] == [None, 777]
        assert {g[0] for g in got[1:] if not isinstance(g, str)} == {777}
        assert await tables(together) == await tables(one_by_one)
        assert await stored(together, 1) == await stored(one_by_one, 1)
        attempts = await together._fetchall(
            "SELECT user_id FROM attempts WHERE post_id = ? ORDER BY user_id", (pid,)
        )
        assert [r[0] for r in attempts] == [u for u in range(1, 31) if u != 13]
    finally:
        await one_by_one.close()
        await together.close()


@given(st.integers(min_value=0, max_value=5_000))
def test_chunks_cover_the_rows_in_order_in_a_few_statement_sizes(n: int):
    slices = list(base.chunks(n))
    assert [i for start, end in slices for i in range(start, end)] == list(range(n))
    sizes = [end - start for start, end in slices]
    assert all(size in (1, 2, 4, 8, 16, 32, 64) for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    # Rows of up to 15 values stay under SQLite's oldest limit of 999 parameters.
    assert max(sizes, default=0) * 15 <= 999


async def test_checkpoints_follow_writes_or_commits_once_a_second(tmp_path: Path, monkeypatch):
    store = await open_store(tmp_path / "recall.sqlite3")
    now = [1000.0]
    monkeypatch.setattr(asyncio.get_running_loop(), "time", lambda: now[0])
    started: list[float] = []

    async def checkpoint() -> None:
        started.append(now[0])
        store._checkpointing = None

    monkeypatch.setattr(store, "_checkpoint", checkpoint)
    try:
        store._checkpointed_at = float("-inf")
        store._commits = store._writes = 0
        for _ in range(base.CHECKPOINT_EVERY - 1):
            store._committed(1)
        await asyncio.sleep(0)
        assert started == []
        store._committed(1)  # the 16th lone write
        await asyncio.sleep(0)
        assert started == [1000.0]
        # 16 more commits within the second: none yet; once a second has passed: one.
        for _ in range(base.CHECKPOINT_EVERY):
            store._committed(1)
        await asyncio.sleep(0)
        assert started == [1000.0]
        now[0] += base.CHECKPOINT_SECONDS
        store._committed(1)
        await asyncio.sleep(0)
        assert started == [1000.0, 1000.0 + base.CHECKPOINT_SECONDS]
        # Under load: as soon as the writes reach CHECKPOINT_WRITES, second or not.
        store._committed(base.CHECKPOINT_WRITES - 1)
        await asyncio.sleep(0)
        assert len(started) == 2
        store._committed(1)
        await asyncio.sleep(0)
        assert len(started) == 3
    finally:
        monkeypatch.undo()
        await store.close()


def _answer(user: int, correct: bool):
    """What quiz_service.choose decides for a multiple-choice click: right or wrong."""

    def decide(post, question):
        return AttemptRequest(
            post.guild_id, user, f"u{user}", post.id, post.question_id, post.kind,
            3 if correct else 1, True, correct, option_index=0 if correct else 1,
        )

    return decide


async def test_a_wrong_and_a_right_answer_racing_score_once(tmp_path: Path):
    """A member's wrong answer and right answer to one question on the same day, on two posts
    (a /quiz and the question of the day, or two devices), arriving together: whichever is
    stored first scores and the other is stored unscored, also when they come through two
    processes on the same file while a third holds the write lock. What decides it (the
    member's scoring attempt that day) is read inside the write that stores the grade,
    after the lock is taken: read before, both grades would see none and the second would
    break the database's rule of one scoring attempt a day."""
    path = tmp_path / "recall.sqlite3"
    one = await open_store(path)
    two = await Store.open(path, clock=TickingClock(datetime(2026, 3, 2, 8, tzinfo=UTC)))
    try:
        qid = (await one._fetchone("SELECT MIN(id) FROM questions"))[0]
        posts = [
            await one.create_post(
                kind=kind, guild_id=1, channel_id=5, question_id=qid, author_id=100,
                private=False,
            )
            for kind in ("quiz", "qotd")
        ]
        # In one process: the two clicks are applied in one batch.
        together = await asyncio.gather(
            one.grade_post(posts[0], 7, _answer(7, False)),
            one.grade_post(posts[1], 7, _answer(7, True)),
        )
        # In two processes, both waiting for the write lock another program holds.
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        racing = [
            asyncio.create_task(one.grade_post(posts[0], 8, _answer(8, False))),
            asyncio.create_task(two.grade_post(posts[1], 8, _answer(8, True))),
        ]
        await asyncio.sleep(0.2)
        assert not any(task.done() for task in racing)
        blocker.execute("COMMIT")
        blocker.close()
        apart = await asyncio.gather(*racing)
        for grades in (together, apart):
            results = [g.result for g in grades]
            assert all(r.new for r in results)
            assert sorted(r.scored for r in results) == [False, True]
            [unscored] = [r for r in results if not r.scored]
            assert unscored.reason == "you already scored on this question today"
            assert unscored.points == 0
        rows = await one._fetchall(
            "SELECT user_id, post_id, correct, scored FROM attempts ORDER BY user_id, post_id"
        )
        assert [tuple(r)[:3] for r in rows] == [
            (7, posts[0], 0), (7, posts[1], 1), (8, posts[0], 0), (8, posts[1], 1)
        ]
        assert sorted((r[0], r[3]) for r in rows) == [(7, 0), (7, 1), (8, 0), (8, 1)]
    finally:
        await one.close()
        await two.close()
