"""Storage: quiz and QOTD posts, graded attempts, and the score totals kept in step."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, NotRequired, TypedDict
from zoneinfo import ZoneInfo

from bot.clock import to_db
from bot.quiz import Award, Candidate, Seen, award, score_rows
from bot.store.decks import (
    DeckStore,
    StoredQuestion,
    _candidates_in,
    _history_in,
    question_in,
    settings_in,
)
from bot.store.srs import apply_grade_to_card

if TYPE_CHECKING:
    from typing_extensions import Unpack


@dataclass(frozen=True)
class PostRow:
    id: int
    kind: str
    guild_id: int
    channel_id: int
    message_id: int | None
    question_id: int
    author_id: int | None
    author_name: str | None
    private: bool
    filter_deck_id: int | None
    filter_tag: str | None
    filter_difficulty: str | None
    created_at: str
    closed_at: str | None
    schedule_id: int | None = None
    number: int | None = None
    late: bool = False
    thread_id: int | None = None
    close_at: str | None = None


class NewPost(TypedDict):
    """What ``create_post`` stores; the filters are the options the post was asked with."""

    kind: str
    guild_id: int
    channel_id: int
    question_id: int
    author_id: int | None
    private: bool
    author_name: NotRequired[str | None]
    filter_deck_id: NotRequired[int | None]
    filter_tag: NotRequired[str | None]
    filter_difficulty: NotRequired[str | None]


@dataclass(frozen=True)
class AttemptRequest:
    guild_id: int
    user_id: int
    display_name: str
    post_id: int | None
    question_id: int
    source: str
    rating: int
    multiple_choice: bool
    correct: bool
    option_index: int | None = None
    closed: bool = False
    #: a /review session: one grade per question per session
    review_session_id: int | None = None


@dataclass(frozen=True)
class AttemptResult:
    new: bool  # False: this member had already answered this post; nothing was written
    rating: int
    option_index: int | None
    correct: bool
    scored: bool
    points: int
    reason: str


@dataclass(frozen=True)
class QuizPostRead:
    post: PostRow
    question: StoredQuestion | None
    attempt: AttemptResult | None = None
    counts: tuple[int, int] | None = None


@dataclass(frozen=True)
class PostGrade:
    """A grade on a post as stored, with the post and question it was read with."""

    post: PostRow
    question: StoredQuestion
    result: AttemptResult


POST_COLUMNS = (
    "id, kind, guild_id, channel_id, message_id, question_id, author_id, author_name, private, "
    "filter_deck_id, filter_tag, filter_difficulty, created_at, closed_at, "
    "schedule_id, number, late, thread_id, close_at"
)


def post_row(row: sqlite3.Row) -> PostRow:
    return PostRow(**{**dict(row), "private": bool(row["private"]), "late": bool(row["late"])})


class QuizStore(DeckStore):
    # -- posts and attempts ----------------------------------------------------------------

    async def create_post(self, **post: Unpack[NewPost]) -> int:
        """Store a new post; its id."""
        now = self.now_text()
        return (await self.write(lambda conn: _insert_post(conn, post, now))).id

    async def post(self, post_id: int) -> PostRow | None:
        return await self.read(lambda conn: _post_in(conn, post_id))

    async def quiz_post(
        self, post_id: int, *, user_id: int | None = None, counts: bool = False
    ) -> QuizPostRead | None:
        """A post with its question, in one read; with ``user_id`` that member's attempt on
        it, with ``counts`` how many answered (and how many right)."""

        def load(conn: sqlite3.Connection) -> QuizPostRead | None:
            post = _post_in(conn, post_id)
            if post is None:
                return None
            return QuizPostRead(
                post=post,
                question=question_in(conn, post.question_id),
                attempt=_attempt_row(conn, post_id, user_id) if user_id is not None else None,
                counts=_post_counts(conn, post_id) if counts else None,
            )

        return await self.read(load)

    async def attempt_for(self, post_id: int, user_id: int) -> AttemptResult | None:
        return await self.read(lambda conn: _attempt_row(conn, post_id, user_id))

    async def record_attempt(self, req: AttemptRequest) -> AttemptResult:
        """Store one grade and its score in one transaction.

        A second grade of the same member on the same post (a double click, two clicks racing,
        a retried interaction) writes nothing and returns the first one; the unique indexes
        make that hold even if two writers got past the first check.

        The whole grade (settings, checks, the attempt, the member, the score totals and the
        FSRS card) is one function run in the writer's thread, so concurrent grades are
        group-committed (see ``StoreBase.write``).
        """
        now = self.clock.now()
        try:
            return await self.write(lambda conn: _record_attempt(conn, req, now))
        except sqlite3.IntegrityError:
            # Another writer (another process on the same file) stored this grade first.
            existing = await self.attempt_for(req.post_id or 0, req.user_id)
            if existing is None:
                raise
            return existing

    # -- /quiz hot paths: one thread trip each ---------------------------------------------

    async def create_quiz_post(
        self,
        *,
        guild_id: int,
        channel_id: int,
        author_id: int,
        author_name: str,
        private: bool,
        deck_id: int | None,
        tag: str | None,
        difficulty: str | None,
        choose: Callable[[list[Candidate], list[Seen]], Candidate | None],
    ) -> tuple[PostRow, StoredQuestion] | None:
        """Choose a question for a member and store the /quiz post showing it, in one write.

        The candidates and the member's history are read in the writer's transaction and
        ``choose`` (plain code, run in the writer's thread) picks one; None from it writes
        nothing and returns None.
        """
        now = self.now_text()

        def work(conn: sqlite3.Connection) -> tuple[PostRow, StoredQuestion] | None:
            candidates = _candidates_in(conn, guild_id, deck_id, tag, difficulty)
            choice = choose(candidates, _history_in(conn, guild_id, author_id, 200))
            if choice is None:
                return None
            question = question_in(conn, choice.question_id)
            if question is None:  # pragma: no cover - a candidate is read in this transaction
                return None
            new: NewPost = {
                "kind": "quiz",
                "guild_id": guild_id,
                "channel_id": channel_id,
                "question_id": question.id,
                "author_id": author_id,
                "author_name": author_name,
                "private": private,
                "filter_deck_id": deck_id,
                "filter_tag": tag,
                "filter_difficulty": difficulty,
            }
            return _insert_post(conn, new, now), question

        return await self.write(work)

    async def grade_post(
        self,
        post_id: int,
        user_id: int,
        decide: Callable[[PostRow, StoredQuestion | None], AttemptRequest],
        *,
        message_id: int | None = None,
    ) -> PostGrade | None:
        """A member's grade on a post in one write: the post and its question are read,
        ``decide`` (plain code, run in the writer's thread; it raises to refuse, and then
        nothing is written) turns them into the attempt, which is stored as by
        :meth:`record_attempt`.

        ``message_id``: the channel message showing a public post, recorded when not yet
        known (the live count is edited there). None when the post does not exist.
        """
        now = self.clock.now()

        def work(conn: sqlite3.Connection) -> PostGrade | None:
            post = _post_in(conn, post_id)
            if post is None:
                return None
            question = question_in(conn, post.question_id)
            req = decide(post, question)
            assert question is not None and req.post_id == post_id and req.user_id == user_id
            if message_id is not None and post.message_id is None and not post.private:
                conn.execute(
                    "UPDATE posts SET message_id = ? WHERE id = ? AND message_id IS NULL",
                    (message_id, post_id),
                )
                post = replace(post, message_id=message_id)
            return PostGrade(post, question, _record_attempt(conn, req, now))

        try:
            return await self.write(work)
        except sqlite3.IntegrityError:
            # Another writer (another process on the same file) stored this grade first.
            read = await self.quiz_post(post_id, user_id=user_id)
            if read is None or read.question is None or read.attempt is None:
                raise
            return PostGrade(read.post, read.question, read.attempt)


#: Zones by name for the grade path. zoneinfo holds only the last eight zones it made; a bot
#: with servers in more zones than that would read zone files from disk again on grades.
#: Zone rules do not change while the process runs.
_zone = functools.lru_cache(maxsize=1024)(ZoneInfo)


def _record_attempt(conn: sqlite3.Connection, req: AttemptRequest, now: datetime) -> AttemptResult:
    """One grade, in the writer's thread inside its own savepoint."""
    settings = settings_in(conn, req.guild_id)
    day_text = now.astimezone(_zone(settings.timezone)).date().isoformat()
    now_text = to_db(now)
    # The three checks and the season current at this grade's time (season 1 has no row), in
    # one statement.
    answered, already_row, today_row, season_row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM attempts WHERE post_id = ? AND user_id = ?), "
        "EXISTS (SELECT 1 FROM attempts WHERE guild_id = ? AND user_id = ? "
        "AND question_id = ? AND local_day = ? AND scored = 1), "
        "(SELECT COALESCE(SUM(points), 0) FROM attempts WHERE guild_id = ? "
        "AND user_id = ? AND local_day = ? AND source = 'quiz'), "
        "(SELECT MAX(number) FROM seasons WHERE guild_id = ? AND started_at <= ?)",
        (
            req.post_id,
            req.user_id,
            req.guild_id,
            req.user_id,
            req.question_id,
            day_text,
            req.guild_id,
            req.user_id,
            day_text,
            req.guild_id,
            now_text,
        ),
    ).fetchone()
    if req.post_id is not None and answered:
        if req.review_session_id is not None:
            return _review_answer(conn, req)
        existing = _attempt_row(conn, req.post_id, req.user_id)
        assert existing is not None
        return existing
    if req.review_session_id is not None:
        cur = conn.execute(
            "INSERT INTO review_answers (session_id, question_id, rating, answered_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (session_id, question_id) DO NOTHING",
            (req.review_session_id, req.question_id, req.rating, now_text),
        )
        if cur.rowcount != 1:
            return _review_answer(conn, req)
    result: Award = award(
        settings.scoring,
        req.source,
        multiple_choice=req.multiple_choice,
        correct=req.correct,
        already_scored_today=bool(already_row),
        quiz_points_today=int(today_row or 0),
        closed=req.closed,
    )
    conn.execute(
        "INSERT INTO attempts (guild_id, user_id, question_id, post_id, source, rating, "
        "option_index, correct, scored, points, local_day, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            req.guild_id,
            req.user_id,
            req.question_id,
            req.post_id,
            req.source,
            req.rating,
            req.option_index,
            int(req.correct),
            int(result.scored),
            result.points,
            day_text,
            now_text,
        ),
    )
    # The member as last seen: rewritten when the name changed, else once a (UTC) day, so that
    # a grade does not dirty the member's page every time.
    conn.execute(
        "INSERT INTO members (guild_id, user_id, display_name, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name, "
        "updated_at = excluded.updated_at WHERE members.display_name <> excluded.display_name "
        "OR substr(members.updated_at, 1, 10) <> substr(excluded.updated_at, 1, 10)",
        (req.guild_id, req.user_id, req.display_name, now_text),
    )
    if result.scored:
        _add_score(
            conn, req.guild_id, req.user_id, req.source, date.fromisoformat(day_text),
            1 if season_row is None else int(season_row), result.points, now_text,
        )
    # Every grade, whatever its source, feeds the member's spaced-repetition card.
    apply_grade_to_card(
        conn,
        guild_id=req.guild_id,
        user_id=req.user_id,
        question_id=req.question_id,
        rating=req.rating,
        when=now,
        source=req.source,
        when_text=now_text,
    )
    return AttemptResult(
        new=True,
        rating=req.rating,
        option_index=req.option_index,
        correct=req.correct,
        scored=result.scored,
        points=result.points,
        reason=result.reason,
    )


def _insert_post(conn: sqlite3.Connection, post: NewPost, now: str) -> PostRow:
    """Store a new post (in the caller's write); the post as stored."""
    cur = conn.execute(
        "INSERT INTO posts (kind, guild_id, channel_id, question_id, author_id, author_name, "
        "private, filter_deck_id, filter_tag, filter_difficulty, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            post["kind"],
            post["guild_id"],
            post["channel_id"],
            post["question_id"],
            post["author_id"],
            post.get("author_name"),
            int(post["private"]),
            post.get("filter_deck_id"),
            post.get("filter_tag"),
            post.get("filter_difficulty"),
            now,
        ),
    )
    stored = _post_in(conn, int(cur.lastrowid or 0))
    assert stored is not None
    return stored


def _post_in(conn: sqlite3.Connection, post_id: int) -> PostRow | None:
    row = conn.execute(f"SELECT {POST_COLUMNS} FROM posts WHERE id = ?", (post_id,)).fetchone()
    return None if row is None else post_row(row)


def _post_counts(conn: sqlite3.Connection, post_id: int) -> tuple[int, int]:
    row = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN correct = 1 THEN 1 ELSE 0 END), 0) "
        "FROM attempts WHERE post_id = ?",
        (post_id,),
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _review_answer(conn: sqlite3.Connection, req: AttemptRequest) -> AttemptResult:
    row = conn.execute(
        "SELECT rating FROM review_answers WHERE session_id = ? AND question_id = ?",
        (req.review_session_id, req.question_id),
    ).fetchone()
    rating = int(row[0]) if row else req.rating
    return AttemptResult(False, rating, None, rating >= 2, False, 0, "")


def _attempt_row(conn: sqlite3.Connection, post_id: int, user_id: int) -> AttemptResult | None:
    row = conn.execute(
        "SELECT rating, option_index, correct, scored, points FROM attempts "
        "WHERE post_id = ? AND user_id = ?",
        (post_id, user_id),
    ).fetchone()
    if row is None:
        return None
    return AttemptResult(
        new=False,
        rating=row[0],
        option_index=row[1],
        correct=bool(row[2]),
        scored=bool(row[3]),
        points=row[4],
        reason="",
    )


def _add_score(
    conn: sqlite3.Connection,
    guild_id: int,
    user_id: int,
    source: str,
    day: date,
    season: int,
    points: int,
    now: str,
) -> None:
    """Keep score_totals in step with one scoring attempt (inside the attempt's transaction):
    the rows ``score_rows`` names, each created or added to."""
    conn.executemany(
        "INSERT INTO score_totals (guild_id, board, period, user_id, points, answered, reached_at) "
        "VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT (guild_id, board, period, user_id) DO UPDATE SET "
        "points = score_totals.points + excluded.points, answered = score_totals.answered + 1, "
        "reached_at = CASE WHEN excluded.points > 0 THEN excluded.reached_at ELSE score_totals.reached_at END",
        [
            (guild_id, board, period, user_id, points, now)
            for board, period in score_rows(source, day, season)
        ],
    )
