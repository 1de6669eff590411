"""Storage: quiz and QOTD posts, graded attempts, and the score totals kept in step."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.clock import to_db
from bot.quiz import Award, award, period_keys
from bot.store.decks import DeckStore
from bot.store.srs import update_card


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


POST_COLUMNS = (
    "id, kind, guild_id, channel_id, message_id, question_id, author_id, author_name, private, "
    "filter_deck_id, filter_tag, filter_difficulty, created_at, closed_at, "
    "schedule_id, number, late, thread_id, close_at"
)


def post_row(row: sqlite3.Row) -> PostRow:
    return PostRow(**{**dict(row), "private": bool(row["private"]), "late": bool(row["late"])})


class QuizStore(DeckStore):
    # -- posts and attempts ----------------------------------------------------------------

    async def create_post(
        self,
        *,
        kind: str,
        guild_id: int,
        channel_id: int,
        question_id: int,
        author_id: int | None,
        private: bool,
        author_name: str | None = None,
        filter_deck_id: int | None = None,
        filter_tag: str | None = None,
        filter_difficulty: str | None = None,
    ) -> int:
        now = self.now_text()
        async with self.transaction() as db:
            cur = await db.execute(
                "INSERT INTO posts (kind, guild_id, channel_id, question_id, author_id, author_name, "
                "private, filter_deck_id, filter_tag, filter_difficulty, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    kind,
                    guild_id,
                    channel_id,
                    question_id,
                    author_id,
                    author_name,
                    int(private),
                    filter_deck_id,
                    filter_tag,
                    filter_difficulty,
                    now,
                ),
            )
            return int(cur.lastrowid or 0)

    async def set_post_message(self, post_id: int, message_id: int) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE posts SET message_id = ? WHERE id = ? AND message_id IS NULL", (message_id, post_id)
            )

    async def post(self, post_id: int) -> PostRow | None:
        row = await self._fetchone(
            f"SELECT {POST_COLUMNS} FROM posts WHERE id = ?",
            (post_id,),
        )
        if row is None:
            return None
        return post_row(row)

    async def post_counts(self, post_id: int) -> tuple[int, int]:
        """(members who answered, of whom right) for one post."""
        row = await self._fetchone(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN correct = 1 THEN 1 ELSE 0 END), 0) "
            "FROM attempts WHERE post_id = ?",
            (post_id,),
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def attempt_for(self, post_id: int, user_id: int) -> AttemptResult | None:
        row = await self._fetchone(
            "SELECT rating, option_index, correct, scored, points FROM attempts "
            "WHERE post_id = ? AND user_id = ?",
            (post_id, user_id),
        )
        if row is None:
            return None
        return AttemptResult(
            new=False,
            rating=row["rating"],
            option_index=row["option_index"],
            correct=bool(row["correct"]),
            scored=bool(row["scored"]),
            points=row["points"],
            reason="",
        )

    async def record_attempt(self, req: AttemptRequest) -> AttemptResult:
        """Store one grade and its score in one transaction.

        A second grade of the same member on the same post (a double click, two clicks racing,
        a retried interaction) writes nothing and returns the first one; the unique indexes
        make that hold even if two writers got past the first check.
        """
        settings = await self.settings_for(req.guild_id)
        now = self.clock.now()
        day = now.astimezone(settings.zone).date()
        now_text = to_db(now)
        try:
            async with self.transaction() as db:
                # The three checks in one statement: each round trip to the database thread
                # costs far more than the lookups themselves.
                checks = await db.execute_fetchall(
                    "SELECT EXISTS (SELECT 1 FROM attempts WHERE post_id = ? AND user_id = ?), "
                    "EXISTS (SELECT 1 FROM attempts WHERE guild_id = ? AND user_id = ? "
                    "AND question_id = ? AND local_day = ? AND scored = 1), "
                    "(SELECT COALESCE(SUM(points), 0) FROM attempts WHERE guild_id = ? "
                    "AND user_id = ? AND local_day = ? AND source = 'quiz')",
                    (
                        req.post_id,
                        req.user_id,
                        req.guild_id,
                        req.user_id,
                        req.question_id,
                        day.isoformat(),
                        req.guild_id,
                        req.user_id,
                        day.isoformat(),
                    ),
                )
                answered, already_row, today_row = next(iter(checks))
                if req.post_id is not None and answered:
                    raise _AlreadyAnswered
                if req.review_session_id is not None:
                    cur = await db.execute(
                        "INSERT INTO review_answers (session_id, question_id, rating, answered_at) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (session_id, question_id) DO NOTHING",
                        (req.review_session_id, req.question_id, req.rating, now_text),
                    )
                    if cur.rowcount != 1:
                        raise _AlreadyAnswered
                already = bool(already_row)
                today = int(today_row or 0)
                result: Award = award(
                    settings.scoring,
                    req.source,
                    multiple_choice=req.multiple_choice,
                    correct=req.correct,
                    already_scored_today=already,
                    quiz_points_today=today,
                    closed=req.closed,
                )
                await db.execute(
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
                        day.isoformat(),
                        now_text,
                    ),
                )
                await db.execute(
                    "INSERT INTO members (guild_id, user_id, display_name, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name, "
                    "updated_at = excluded.updated_at",
                    (req.guild_id, req.user_id, req.display_name, now_text),
                )
                if result.scored:
                    await _add_score(
                        db, req.guild_id, req.user_id, req.source, day, result.points, now_text
                    )
                # Every grade, whatever its source, feeds the member's spaced-repetition card.
                await update_card(
                    db,
                    guild_id=req.guild_id,
                    user_id=req.user_id,
                    question_id=req.question_id,
                    rating=req.rating,
                    when=now,
                    source=req.source,
                )
        except _AlreadyAnswered:
            if req.review_session_id is not None:
                return await self._review_answer(req)
            existing = await self.attempt_for(req.post_id or 0, req.user_id)
            assert existing is not None
            return existing
        except sqlite3.IntegrityError:
            existing = await self.attempt_for(req.post_id or 0, req.user_id)
            if existing is None:
                raise
            return existing
        return AttemptResult(
            new=True,
            rating=req.rating,
            option_index=req.option_index,
            correct=req.correct,
            scored=result.scored,
            points=result.points,
            reason=result.reason,
        )

    async def _review_answer(self, req: AttemptRequest) -> AttemptResult:
        row = await self._fetchone(
            "SELECT rating FROM review_answers WHERE session_id = ? AND question_id = ?",
            (req.review_session_id, req.question_id),
        )
        rating = int(row[0]) if row else req.rating
        return AttemptResult(False, rating, None, rating >= 2, False, 0, "")


class _AlreadyAnswered(Exception):
    pass


async def _add_score(
    db: aiosqlite.Connection,
    guild_id: int,
    user_id: int,
    source: str,
    day: Any,
    points: int,
    now: str,
) -> None:
    """Keep score_totals in step with one scoring attempt (inside the attempt's transaction)."""
    # The leaderboard season current at this grade's time (season 1 has no row).
    found = await db.execute_fetchall(
        "SELECT MAX(number) FROM seasons WHERE guild_id = ? AND started_at <= ?", (guild_id, now)
    )
    row = next(iter(found), None)
    season = int(row[0]) if row and row[0] is not None else 1
    rows = [
        (guild_id, board, period, user_id, points, now)
        for board in (source, "all")
        for period in period_keys(day, season)
    ]
    await db.executemany(
        "INSERT INTO score_totals (guild_id, board, period, user_id, points, answered, reached_at) "
        "VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT (guild_id, board, period, user_id) DO UPDATE SET "
        "points = score_totals.points + excluded.points, answered = score_totals.answered + 1, "
        "reached_at = CASE WHEN excluded.points > 0 THEN excluded.reached_at ELSE score_totals.reached_at END",
        rows,
    )
