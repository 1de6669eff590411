"""Storage: quiz and QOTD posts, graded attempts, and the score totals kept in step."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, TypeVar
from zoneinfo import ZoneInfo

from bot.clock import from_db, to_db
from bot.quiz import Award, Candidate, Seen, Source, award, score_rows
from bot.store.base import Outcome, chunks, insert_rows, rows_in, typed_value_rows
from bot.store.decks import (
    DeckStore,
    StoredQuestion,
    _candidates_in,
    _history_in,
    question_in,
    settings_of,
)
from bot.store.srs import CardGrade, apply_grades_to_cards

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
    next_of: NotRequired[int | None]  # the post whose Next question button made this one


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
    #: the chosen option's text when it was chosen
    option_text: str | None = None
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
    #: the chosen option's text when it was chosen (None for self-grades and older answers)
    option_text: str | None = None


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

    async def remember_message(self, post_id: int, message_id: int) -> None:
        """Record the channel message of a public post that no click has recorded yet."""

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE posts SET message_id = ? WHERE id = ? AND message_id IS NULL "
                "AND private = 0",
                (message_id, post_id),
            )

        await self.write(work)

    async def posts_to_redraw(self) -> list[tuple[int, int]]:
        """Public posts whose message still shows a member who erased their data since
        (``erase_member`` marks them), each with its mark for :meth:`post_redrawn`."""

        def load(conn: sqlite3.Connection) -> list[tuple[int, int]]:
            rows = conn.execute(
                "SELECT id, redraw FROM posts WHERE redraw > 0 ORDER BY id"
            ).fetchall()
            return [(int(r[0]), int(r[1])) for r in rows]

        return await self.read(load)

    async def posts_answered_last(
        self, window: timedelta = timedelta(minutes=10), rows: int = 20_000
    ) -> list[int]:
        """Open public posts answered in the ``window`` before the last answer stored (at
        most the last ``rows`` answers): those whose count edit a crash may have cut short
        (a grade's edit waits about a second, and retries run on for a while). Read by
        the attempts' ids, the newest last, so that no index on time is needed."""

        def load(conn: sqlite3.Connection) -> list[int]:
            last = conn.execute(
                "SELECT id, created_at FROM attempts ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if last is None:
                return []
            written = conn.execute(
                "SELECT value FROM app_meta WHERE key = 'quiz.counts_written_to'"
            ).fetchone()
            if written is not None and str(written[0]) == str(last[0]):
                # The last stop was clean and wrote every count up to this answer.
                return []
            since = to_db(from_db(str(last[1])) - window)
            found = conn.execute(
                "SELECT DISTINCT a.post_id FROM attempts a JOIN posts p ON p.id = a.post_id "
                "WHERE a.id > ? AND a.created_at >= ? AND p.private = 0 "
                "AND p.closed_at IS NULL AND p.message_id IS NOT NULL ORDER BY a.post_id",
                (int(last[0]) - rows, since),
            ).fetchall()
            return [int(r[0]) for r in found]

        return await self.read(load)

    async def note_counts_written(self) -> None:
        """Every count is on its message up to the last answer stored (a clean stop wrote
        them): the next start has none to draw again (see :meth:`posts_answered_last`)."""

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO app_meta (key, value) "
                "SELECT 'quiz.counts_written_to', CAST(COALESCE(MAX(id), 0) AS TEXT) FROM attempts "
                # WHERE: SQLite reads ON CONFLICT after a bare FROM as a join's constraint.
                "WHERE true ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            )

        await self.write(work)

    async def redraw_mark(self, post_id: int) -> int:
        """The post's redraw mark as it is now (0: nothing waits)."""

        def load(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT redraw FROM posts WHERE id = ?", (post_id,)).fetchone()
            return int(row[0]) if row else 0

        return await self.read(load)

    async def post_redrawn(self, post_id: int, mark: int) -> None:
        """The post's message was drawn again (or can never be) after its mark read
        ``mark``: it stops waiting, unless another erase raised the mark meanwhile."""

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE posts SET redraw = 0 WHERE id = ? AND redraw = ?", (post_id, mark)
            )

        await self.write(work)

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

    async def grade_question(
        self, question_id: int, decide: Callable[[StoredQuestion | None], AttemptRequest]
    ) -> tuple[AttemptResult, StoredQuestion]:
        """A grade decided from its question as stored, in one write: the question is read
        (None when it does not exist) and ``decide`` (plain code, run in the writer's thread;
        it raises to refuse, and then nothing is written) turns it into the attempt, which is
        stored as by :meth:`record_attempt`. An edit of the question saved meanwhile is
        either seen by ``decide`` or comes after the grade, never between the two.

        Returns the result with the question it was decided from."""
        job = _GradeJob(self.clock.now(), question_id=question_id, decide_question=decide)
        graded: tuple[AttemptResult, StoredQuestion] = await self.write_batched(_grade_batch, job)
        return graded

    async def attempt_for(self, post_id: int, user_id: int) -> AttemptResult | None:
        return await self.read(lambda conn: _attempt_row(conn, post_id, user_id))

    async def record_attempt(self, req: AttemptRequest) -> AttemptResult:
        """Store one grade and its score in one transaction.

        A second grade of the same member on the same post (a double click, two clicks racing,
        a retried interaction) writes nothing and returns the first one; the unique indexes
        make that hold even if two writers got past the first check.

        The whole grade (settings, checks, the attempt, the member, the score totals and the
        FSRS card) runs in the writer's thread, and grades that arrive together are applied
        as one batch (see ``StoreBase.write_batched`` and ``_record_attempts``).
        """
        try:
            result: AttemptResult = await self.write_batched(
                _grade_batch, _GradeJob(self.clock.now(), req=req)
            )
            return result
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
        next_of: int | None = None,
    ) -> tuple[PostRow, StoredQuestion] | None:
        """Choose a question for a member and store the /quiz post showing it, in one write.

        The candidates and the member's history are read in the writer's transaction and
        ``choose`` (plain code, run in the writer's thread) picks one; None from it writes
        nothing and returns None. ``next_of``: the post whose Next question button asked.
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
                "next_of": next_of,
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
        job = _GradeJob(
            self.clock.now(), post_id=post_id, user_id=user_id, decide=decide, message_id=message_id
        )
        try:
            grade: PostGrade | None = await self.write_batched(_grade_batch, job)
            return grade
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

_R = TypeVar("_R")


@dataclass(frozen=True)
class _GradeJob:
    """One grade queued for ``_grade_batch``: an attempt already decided (``req``), a
    grade on a post, decided in the writer's thread by ``decide`` from the post as stored,
    or a grade of question ``question_id``, decided there by ``decide_question`` from the
    question as stored."""

    now: datetime
    req: AttemptRequest | None = None
    post_id: int = 0
    user_id: int = 0
    decide: Callable[[PostRow, StoredQuestion | None], AttemptRequest] | None = None
    message_id: int | None = None
    question_id: int = 0
    decide_question: Callable[[StoredQuestion | None], AttemptRequest] | None = None


def _grade_batch(conn: sqlite3.Connection, jobs: list[_GradeJob]) -> list[Outcome]:
    """Grades, in order, in the writer's thread (a ``Batch``: see ``StoreBase.write_batched``).

    Grades on posts read their post and question first (once a post, however many grades it
    has here), and ``decide`` turns each into its attempt; one it refuses writes nothing.
    Grades of a question (``decide_question``) read the question the same way.
    """
    outcomes: list[Outcome] = [(True, None)] * len(jobs)
    posts: dict[int, tuple[PostRow | None, StoredQuestion | None]] = {}
    # (job, its attempt, its time, for a grade on a post: the post and question as it saw
    # them; for a grade of a question: the question as it saw it)
    decided: list[
        tuple[int, AttemptRequest, datetime, tuple[PostRow, StoredQuestion] | StoredQuestion | None]
    ] = []
    for i, job in enumerate(jobs):
        if job.req is not None:
            decided.append((i, job.req, job.now, None))
            continue
        if job.decide_question is not None:
            question = question_in(conn, job.question_id)
            try:
                req = job.decide_question(question)
            except Exception as exc:
                outcomes[i] = (False, exc)
                continue
            assert question is not None and req.question_id == job.question_id
            decided.append((i, req, job.now, question))
            continue
        assert job.decide is not None
        if job.post_id not in posts:
            found = _post_in(conn, job.post_id)
            posts[job.post_id] = (
                found, None if found is None else question_in(conn, found.question_id)
            )
        post, question = posts[job.post_id]
        if post is None:
            continue  # (True, None): no such post
        try:
            req = job.decide(post, question)
        except Exception as exc:
            outcomes[i] = (False, exc)
            continue
        assert question is not None and req.post_id == job.post_id and req.user_id == job.user_id
        if job.message_id is not None and post.message_id is None and not post.private:
            conn.execute(
                "UPDATE posts SET message_id = ? WHERE id = ? AND message_id IS NULL",
                (job.message_id, job.post_id),
            )
            post = replace(post, message_id=job.message_id)
            posts[job.post_id] = (post, question)
        decided.append((i, req, job.now, (post, question)))
    results = _record_attempts(conn, [(req, now) for _, req, now, _ in decided])
    for (i, _, _, read), result in zip(decided, results, strict=True):
        if read is None:
            outcomes[i] = (True, result)
        elif isinstance(read, StoredQuestion):
            outcomes[i] = (True, (result, read))
        else:
            outcomes[i] = (True, PostGrade(*read, result))
    return outcomes


def _record_attempts(
    conn: sqlite3.Connection, grades: list[tuple[AttemptRequest, datetime]]
) -> list[AttemptResult]:
    """Grades, each with its own time, in order, in the writer's thread inside one savepoint.

    Each grade is decided as if alone, after the ones before it: what is stored is read for
    all of them at once (settings, seasons, the checks, the cards), the grades before it
    here are added to that, and then each table is written with multi-row statements.
    """
    if not grades:
        return []
    guild_ids = sorted({req.guild_id for req, _ in grades})
    settings = settings_of(conn, guild_ids)
    seasons = _seasons_of(conn, guild_ids)
    days = [
        now.astimezone(_zone(settings[req.guild_id].timezone)).date().isoformat()
        for req, now in grades
    ]
    stored = _stored_checks(conn, grades, days)

    answered: dict[tuple[int, int], AttemptResult] = {}  # (post, member) -> graded here
    scored_here: set[tuple[int, int, int, str]] = set()  # (guild, member, question, day)
    points_here: dict[tuple[int, int, str], int] = {}  # (guild, member, day) -> /quiz points
    results: list[AttemptResult] = []
    attempts: list[tuple[object, ...]] = []
    members: list[tuple[Any, ...]] = []
    seen: dict[tuple[int, int], tuple[Any, ...]] = {}  # member -> row as last written here
    # (guild, board, period, member) -> [points, answered, reached_at], added up over the grades
    totals: dict[tuple[int, str, str, int], list[Any]] = {}
    cards: list[CardGrade] = []
    reviewed: dict[tuple[int, int], AttemptResult] = {}  # (session, question) -> graded here
    for (req, now), day, (answered_id, already, today) in zip(grades, days, stored, strict=True):
        now_text = to_db(now)
        if req.post_id is not None and (answered_id is not None or (req.post_id, req.user_id) in answered):
            if req.review_session_id is not None:
                results.append(_review_answer(conn, req))
            elif (req.post_id, req.user_id) in answered:
                results.append(replace(answered[(req.post_id, req.user_id)], new=False, reason=""))
            else:
                existing = _attempt_row(conn, req.post_id, req.user_id)
                assert existing is not None
                results.append(existing)
            continue
        if req.review_session_id is not None:
            # Only in a current review: one a newer review replaced grades nothing, even if
            # it was replaced after the caller looked.
            cur = conn.execute(
                "INSERT INTO review_answers (session_id, question_id, rating, answered_at) "
                "SELECT id, ?, ?, ? FROM review_sessions WHERE id = ? AND ended_at IS NULL "
                "ON CONFLICT (session_id, question_id) DO NOTHING",
                (req.question_id, req.rating, now_text, req.review_session_id),
            )
            if cur.rowcount != 1:
                # Answered earlier in this batch, or stored (as _review_answer reads it).
                earlier = reviewed.get((req.review_session_id, req.question_id))
                results.append(
                    replace(earlier, new=False, scored=False, points=0, reason="")
                    if earlier
                    else _review_answer(conn, req)
                )
                continue
        question_day = (req.guild_id, req.user_id, req.question_id, day)
        member_day = (req.guild_id, req.user_id, day)
        result: Award = award(
            settings[req.guild_id].scoring,
            req.source,
            multiple_choice=req.multiple_choice,
            correct=req.correct,
            already_scored_today=already or question_day in scored_here,
            quiz_points_today=today + points_here.get(member_day, 0),
            closed=req.closed,
            zone=settings[req.guild_id].timezone,
        )
        attempts.append(
            (
                req.guild_id,
                req.user_id,
                req.question_id,
                req.post_id,
                req.source,
                req.rating,
                req.option_index,
                req.option_text,
                int(req.correct),
                int(result.scored),
                result.points,
                day,
                now_text,
            )
        )
        last_seen = seen.get((req.guild_id, req.user_id))
        if last_seen is None or last_seen[2] != req.display_name or last_seen[3][:10] != now_text[:10]:
            # Only what would change the row after this member's grades before it here.
            seen[(req.guild_id, req.user_id)] = (req.guild_id, req.user_id, req.display_name, now_text)
            members.append(seen[(req.guild_id, req.user_id)])
        if result.scored:
            scored_here.add(question_day)
            if req.source == Source.QUIZ:
                points_here[member_day] = points_here.get(member_day, 0) + result.points
            season = _season_at(seasons.get(req.guild_id, ()), now_text)
            rows = score_rows(
                req.source, date.fromisoformat(day), season, lifetime=req.guild_id in seasons
            )
            for board, period in rows:
                key = (req.guild_id, board, period, req.user_id)
                total = totals.get(key)
                if total is None:
                    totals[key] = [result.points, 1, now_text]
                else:
                    total[0] += result.points
                    total[1] += 1
                    if result.points > 0:
                        total[2] = now_text
        # Every grade, whatever its source, feeds the member's spaced-repetition card.
        cards.append(
            CardGrade(req.guild_id, req.user_id, req.question_id, req.rating, now, now_text, req.source)
        )
        attempt = AttemptResult(
            new=True,
            rating=req.rating,
            option_index=req.option_index,
            correct=req.correct,
            scored=result.scored,
            points=result.points,
            reason=result.reason,
            option_text=req.option_text,
        )
        if req.post_id is not None:
            answered[(req.post_id, req.user_id)] = attempt
        if req.review_session_id is not None:
            reviewed[(req.review_session_id, req.question_id)] = attempt
        results.append(attempt)
    if attempts:
        insert_rows(
            conn,
            "INSERT INTO attempts (guild_id, user_id, question_id, post_id, source, rating, "
            "option_index, option_text, correct, scored, points, local_day, created_at)",
            attempts,
        )
        # The member as last seen: rewritten when the name changed, else once a (UTC) day,
        # so that a grade does not dirty the member's page every time.
        # A member's second row here (a new name, a new day) goes in a later statement: one
        # statement may not change a row twice in PostgreSQL.
        for layer in _layers(members, key=lambda row: (row[0], row[1])):
            insert_rows(
                conn,
                "INSERT INTO members (guild_id, user_id, display_name, updated_at)",
                layer,
                "ON CONFLICT (guild_id, user_id) DO UPDATE SET "
                "display_name = excluded.display_name, updated_at = excluded.updated_at "
                "WHERE members.display_name <> excluded.display_name "
                "OR substr(members.updated_at, 1, 10) <> substr(excluded.updated_at, 1, 10)",
            )
        _add_scores(conn, totals)
        apply_grades_to_cards(conn, cards)
    return results


def _layers(rows: list[_R], key: Callable[[_R], object]) -> list[list[_R]]:
    """``rows`` split so that no layer holds two rows of one key: a key's first row is in the
    first layer, its second in the second..., each layer in the order of ``rows``."""
    layers: list[list[_R]] = []
    seen: dict[object, int] = {}
    for row in rows:
        n = seen.get(key(row), 0)
        seen[key(row)] = n + 1
        if n == len(layers):
            layers.append([])
        layers[n].append(row)
    return layers


def _seasons_of(
    conn: sqlite3.Connection, guild_ids: list[int]
) -> dict[int, list[tuple[str, int]]]:
    """(started_at, number) of the seasons of some servers (season 1 has no row)."""
    out: dict[int, list[tuple[str, int]]] = {}
    for guild_id, number, started_at in rows_in(
        conn, "SELECT guild_id, number, started_at FROM seasons WHERE guild_id IN ({ids})", guild_ids
    ):
        out.setdefault(guild_id, []).append((started_at, number))
    return out


def _season_at(seasons: Sequence[tuple[str, int]], when_text: str) -> int:
    if not seasons:
        return 1
    return max((number for started, number in seasons if started <= when_text), default=1)


#: SQL types of the columns of ``_stored_checks``'s VALUES list (None: text)
_CHECK_TYPES = ("BIGINT", "BIGINT", "BIGINT", "BIGINT", None, "BIGINT")


def _stored_checks(
    conn: sqlite3.Connection, grades: list[tuple[AttemptRequest, datetime]], days: list[str]
) -> list[tuple[int | None, bool, int]]:
    """For each grade, from what is stored: the member's attempt on its post (its id, or
    None), whether the member already scored on its question that day, and the member's
    /quiz points that day. One statement for up to 64 grades."""
    out: list[tuple[int | None, bool, int]] = []
    for start, end in chunks(len(grades)):
        chunk = list(zip(grades[start:end], days[start:end], strict=True))
        rows = conn.execute(
            "WITH g (i, guild_id, user_id, question_id, local_day, post_id) AS (VALUES "
            + typed_value_rows(len(chunk), _CHECK_TYPES)
            + ") SELECT g.i, "
            "(SELECT a.id FROM attempts a WHERE a.post_id = g.post_id AND a.user_id = g.user_id), "
            "EXISTS (SELECT 1 FROM attempts a WHERE a.guild_id = g.guild_id "
            "AND a.user_id = g.user_id AND a.question_id = g.question_id "
            "AND a.local_day = g.local_day AND a.scored = 1), "
            "(SELECT COALESCE(SUM(a.points), 0) FROM attempts a WHERE a.guild_id = g.guild_id "
            "AND a.user_id = g.user_id AND a.local_day = g.local_day AND a.source = 'quiz') "
            "FROM g ORDER BY g.i",
            [
                v
                for n, ((req, _), day) in enumerate(chunk)
                for v in (n, req.guild_id, req.user_id, req.question_id, day, req.post_id)
            ],
        ).fetchall()
        out.extend((row[1], bool(row[2]), int(row[3])) for row in rows)
    return out


def _insert_post(conn: sqlite3.Connection, post: NewPost, now: str) -> PostRow:
    """Store a new post (in the caller's write); the post as stored."""
    cur = conn.execute(
        "INSERT INTO posts (kind, guild_id, channel_id, question_id, author_id, author_name, "
        "private, filter_deck_id, filter_tag, filter_difficulty, next_of, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            post.get("next_of"),
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
    """The answer a review already holds for the question (as its grade stored it: an
    option chosen is named), or, in a review replaced since, the one asked for."""
    row = conn.execute(
        "SELECT r.rating, a.option_index, a.correct, a.option_text FROM review_answers r "
        "LEFT JOIN attempts a ON a.guild_id = ? AND a.user_id = ? "
        "AND a.question_id = r.question_id AND a.source = 'review' AND a.created_at = r.answered_at "
        "WHERE r.session_id = ? AND r.question_id = ?",
        (req.guild_id, req.user_id, req.review_session_id, req.question_id),
    ).fetchone()
    if row is None:
        return AttemptResult(False, req.rating, None, req.rating >= 2, False, 0, "")
    rating = int(row[0])
    correct = bool(row[2]) if row[2] is not None else rating >= 2
    return AttemptResult(False, rating, row[1], correct, False, 0, "", option_text=row[3])


def _attempt_row(conn: sqlite3.Connection, post_id: int, user_id: int) -> AttemptResult | None:
    row = conn.execute(
        "SELECT rating, option_index, correct, scored, points, option_text FROM attempts "
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
        option_text=row[5],
    )


def _add_scores(
    conn: sqlite3.Connection, totals: dict[tuple[int, str, str, int], list[Any]]
) -> None:
    """Keep score_totals in step with scoring attempts (inside their transaction): each row
    ``score_rows`` names for them, keyed (guild, board, period, member), created or added to
    by [points, attempts, when its points were last raised]."""
    insert_rows(
        conn,
        "INSERT INTO score_totals (guild_id, board, period, user_id, points, answered, reached_at)",
        [(*key, *total) for key, total in totals.items()],
        "ON CONFLICT (guild_id, board, period, user_id) DO UPDATE SET "
        "points = score_totals.points + excluded.points, "
        "answered = score_totals.answered + excluded.answered, "
        "reached_at = CASE WHEN excluded.points > 0 THEN excluded.reached_at "
        "ELSE score_totals.reached_at END",
    )
