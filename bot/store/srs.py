"""Storage: FSRS cards per member and question, review settings, reminders, review sessions."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.clock import from_db, to_db
from bot.quiz import Rating
from bot.srs import DEFAULT_NEW_PER_DAY, CardState, next_reminder, rebuild, review
from bot.store.base import StoreError, chunks, insert_rows, next_id, typed_value_rows
from bot.store.decks import SET_GUILD_SETTING, DeckStore, settings_in

log = logging.getLogger(__name__)


def _card(row: Any) -> CardState:
    return CardState(
        state=row["state"],
        step=row["step"],
        stability=row["stability"],
        difficulty=row["difficulty"],
        due=from_db(row["due"]),
        last_review=from_db(row["last_review"]) if row["last_review"] else None,
        reps=row["reps"],
        lapses=row["lapses"],
    )


_CARD_COLUMNS = "state, step, stability, difficulty, due, last_review, reps, lapses"


def _card_columns(alias: str) -> str:
    return ", ".join(f"{alias}.{name}" for name in _CARD_COLUMNS.split(", "))


#: Joins and conditions for cards ``c`` that /review can ask: the question is still in
#: its deck, and the deck is neither removed nor switched off in the card's server.
#: Followed by ``AND ...`` conditions of the caller.
_REVIEWABLE = (
    "JOIN questions q ON q.id = c.question_id JOIN decks d ON d.id = q.deck_id "
    "LEFT JOIN guild_decks gd ON gd.deck_id = d.id AND gd.guild_id = c.guild_id "
    "WHERE q.removed_at IS NULL AND d.removed_at IS NULL AND COALESCE(gd.enabled, 1) = 1"
)


#: How many questions a member's search for a new card in a deck may pass over before
#: where it starts is moved (a write): a /review of new cards moves it once every so many
#: cards instead of at every card.
NEW_FROM_STEP = 16


def _move_new_from(
    conn: sqlite3.Connection, guild_id: int, user_id: int, moves: list[tuple[int, int]]
) -> None:
    """Move where the member's search for new cards starts in each deck ``(deck, question)``
    of ``moves``, forward only, and only if every live question of the deck it passes over
    has a card of theirs: checked here, in the write, as a question may have come back or
    the member's cards been rebuilt since the search that asked for the move.

    That check holds because writes are serialised (one writer connection). A backend with
    concurrent writers (PostgreSQL under READ COMMITTED) must lock the deck's row here
    (``SELECT ... FOR SHARE``) and where questions come back or are added (``FOR UPDATE``),
    or a move could pass a question another transaction brings back, or a question id
    handed out earlier but committed later."""
    for deck_id, question_id in moves:
        conn.execute(
            "INSERT INTO srs_new_from (guild_id, user_id, deck_id, question_id) "
            "SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM questions q "
            "WHERE q.deck_id = ? AND q.removed_at IS NULL AND q.id < ? AND q.id >= "
            "COALESCE((SELECT f.question_id FROM srs_new_from f WHERE f.guild_id = ? "
            "AND f.user_id = ? AND f.deck_id = ?), 0) AND NOT EXISTS (SELECT 1 FROM srs_cards c "
            "WHERE c.guild_id = ? AND c.user_id = ? AND c.question_id = q.id)) "
            "ON CONFLICT (guild_id, user_id, deck_id) DO UPDATE SET question_id = "
            "excluded.question_id WHERE srs_new_from.question_id < excluded.question_id",
            (
                guild_id, user_id, deck_id, question_id,
                deck_id, question_id, guild_id, user_id, deck_id, guild_id, user_id,
            ),
        )


@dataclass(frozen=True)
class CardGrade:
    """One grade as it feeds a member's card."""

    guild_id: int
    user_id: int
    question_id: int
    rating: int
    when: datetime
    when_text: str  # to_db(when)
    source: str


def apply_grades_to_cards(conn: sqlite3.Connection, grades: list[CardGrade]) -> None:
    """Apply grades, in order, to the members' cards, inside the grades' own transaction (in
    the writer's thread: see ``StoreBase.write``). The cards are read and written with
    statements of many rows; a card graded twice here takes both grades, in order."""
    keys = list(dict.fromkeys((g.guild_id, g.user_id, g.question_id) for g in grades))
    cards: dict[tuple[int, int, int], CardState] = {}
    for start, end in chunks(len(keys)):
        chunk = keys[start:end]
        rows = conn.execute(
            "WITH k (guild_id, user_id, question_id) AS (VALUES "
            + typed_value_rows(len(chunk), ("BIGINT", "BIGINT", "BIGINT"))
            + f") SELECT c.guild_id, c.user_id, c.question_id, {_CARD_COLUMNS} FROM k "
            "JOIN srs_cards c ON c.guild_id = k.guild_id AND c.user_id = k.user_id "
            "AND c.question_id = k.question_id",
            [v for key in chunk for v in key],
        ).fetchall()
        for row in rows:
            cards[(row[0], row[1], row[2])] = _card(row)
    # key -> (the card after the grades so far, the first grade, the last grade); a new card
    # is introduced by its first grade (an existing card keeps its introduced_* columns)
    out: dict[tuple[int, int, int], tuple[CardState, CardGrade, CardGrade]] = {}
    for g in grades:
        key = (g.guild_id, g.user_id, g.question_id)
        card, first = (out[key][0], out[key][1]) if key in out else (cards.get(key), g)
        out[key] = (review(card, Rating(g.rating), g.when), first, g)
    insert_rows(
        conn,
        f"INSERT INTO srs_cards (guild_id, user_id, question_id, {_CARD_COLUMNS}, introduced_at, "
        "introduced_by)",
        [
            (*key, *_card_values(card, last.when, last.when_text), first.when_text, first.source)
            for key, (card, first, last) in out.items()
        ],
        "ON CONFLICT (guild_id, user_id, question_id) DO UPDATE SET state = excluded.state, "
        "step = excluded.step, stability = excluded.stability, difficulty = excluded.difficulty, "
        "due = excluded.due, last_review = excluded.last_review, reps = excluded.reps, "
        "lapses = excluded.lapses",
    )


def _card_values(
    card: CardState, when: datetime | None = None, when_text: str | None = None
) -> tuple[Any, ...]:
    """The stored columns of a card; ``when_text`` (``to_db(when)``) is reused for a last
    review at ``when``, as a grade's is."""
    if card.last_review is None:
        last = None
    elif when_text is not None and card.last_review == when:
        last = when_text
    else:
        last = to_db(card.last_review)
    return (
        card.state,
        card.step,
        card.stability,
        card.difficulty,
        to_db(card.due),
        last,
        card.reps,
        card.lapses,
    )


#: why /review in a server does not ask a question (``SrsStore.graded_card``)
NotReviewable = Literal["question removed", "deck removed", "deck off"]


@dataclass(frozen=True)
class ReviewSettings:
    #: the zone the member's days and reminders follow: their own, or the server's
    timezone: str
    new_per_day: int
    remind_time: str | None
    remind_next: datetime | None
    remind_off_reason: str | None
    #: the member chose no zone: ``timezone`` is the server's, and follows it when it changes
    follows_server: bool = False


@dataclass(frozen=True)
class StoredCard:
    question_id: int
    card: CardState
    introduced_at: datetime
    introduced_by: str


@dataclass(frozen=True)
class ReviewSession:
    id: int
    guild_id: int
    user_id: int
    deck_id: int | None
    started_at: datetime
    #: when a newer review of the member in that server replaced this one; None: current
    ended_at: datetime | None


@dataclass(frozen=True)
class DeckDue:
    """How many of a member's cards are due in one deck. Decks are told apart by id: two
    decks may share a name (a server's own and a built-in one, or two of the server's)."""

    deck_id: int
    name: str
    slug: str
    builtin: bool
    due: int


@dataclass(frozen=True)
class Reminder:
    guild_id: int
    user_id: int
    timezone: str
    remind_time: str
    due_at: datetime
    #: ``timezone`` is the server's, which the member follows (they set none of their own)
    follows_server: bool = False


class SrsStore(DeckStore):
    # -- settings --------------------------------------------------------------------------

    async def review_settings(self, guild_id: int, user_id: int) -> ReviewSettings:
        row = await self._fetchone(
            "SELECT timezone, new_per_day, remind_time, remind_next, remind_off_reason FROM srs_members "
            "WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        if row is None or row["timezone"] is None:
            # A member who never chose a zone follows the server's.
            zone, follows = (await self.settings_for(guild_id)).timezone, True
        else:
            zone, follows = row["timezone"], False
        if row is None:
            return ReviewSettings(zone, DEFAULT_NEW_PER_DAY, None, None, None, follows)
        return ReviewSettings(
            zone,
            row["new_per_day"],
            row["remind_time"],
            from_db(row["remind_next"]) if row["remind_next"] else None,
            row["remind_off_reason"],
            follows,
        )

    async def set_review_settings(
        self,
        guild_id: int,
        user_id: int,
        *,
        timezone: str | None = None,
        follow_server: bool = False,
        new_per_day: int | None = None,
        remind_time: str | None = None,
        remind_off: bool = False,
        off_reason: str | None = None,
        clear_reason: bool = False,
    ) -> ReviewSettings:
        """Change a member's review settings; the next reminder is recomputed when the
        reminder time or the member's zone changes, and kept as it was otherwise.

        ``timezone`` makes that zone the member's own; ``follow_server`` drops it, so the
        member follows the server's zone again; with neither, the zone stays as it was (the
        member's own, or the server's if they have none)."""
        now = self.clock.now()

        def change(conn: sqlite3.Connection) -> None:
            # Read and written in one transaction: a server zone changed meanwhile is either
            # seen here or moves this reminder after.
            row = conn.execute(
                "SELECT timezone, new_per_day, remind_time, remind_off_reason, remind_next "
                "FROM srs_members WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            ).fetchone()
            own: str | None = row[0] if row else None
            server_zone = settings_in(conn, guild_id).timezone
            was_zone = own or server_zone
            if timezone:
                own = timezone
            elif follow_server:
                own = None
            zone = own or server_zone
            per_day = (row[1] if row else DEFAULT_NEW_PER_DAY) if new_per_day is None else new_per_day
            when = remind_time if remind_time is not None else (row[2] if row else None)
            reason = row[3] if row else None
            if remind_off:
                when, reason = None, off_reason
            elif remind_time is not None or clear_reason:
                reason = None
            if not when:
                next_at = None
            elif row is not None and row[4] and zone == was_zone and remind_time in (None, row[2]):
                # Neither the time nor the zone changed (the time given again is the one set):
                # the next reminder stays as it was (today's not yet sent, or one waiting to be
                # tried again, is kept).
                next_at = row[4]
            else:
                next_at = to_db(next_reminder(when, zone, now))
            conn.execute(
                "INSERT INTO srs_members (guild_id, user_id, timezone, new_per_day, remind_time, remind_next, "
                "remind_off_reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO UPDATE SET timezone = excluded.timezone, "
                "new_per_day = excluded.new_per_day, remind_time = excluded.remind_time, "
                "remind_next = excluded.remind_next, remind_off_reason = excluded.remind_off_reason, "
                "updated_at = excluded.updated_at",
                (guild_id, user_id, own, per_day, when, next_at, reason, to_db(now)),
            )

        await self.write(change)
        return await self.review_settings(guild_id, user_id)

    async def set_server_timezone(self, guild_id: int, zone: str) -> int:
        """Set the server's time zone (``/settings timezone``) and, in the same transaction,
        move the next reminder of each member who follows it to their reminder time in the
        new zone. Returns how many members' reminders moved."""
        now = self.clock.now()
        moved = 0
        async with self.transaction() as db:
            await db.execute(SET_GUILD_SETTING, (guild_id, "timezone", zone, to_db(now)))
            async with db.execute(
                "SELECT user_id, remind_time FROM srs_members WHERE guild_id = ? "
                "AND timezone IS NULL AND remind_time IS NOT NULL",
                (guild_id,),
            ) as cur:
                followers = [(int(r[0]), str(r[1])) for r in await cur.fetchall()]
            for user_id, when in followers:
                await db.execute(
                    "UPDATE srs_members SET remind_next = ? WHERE guild_id = ? AND user_id = ?",
                    (to_db(next_reminder(when, zone, now)), guild_id, user_id),
                )
                moved += 1
        return moved

    # -- cards -----------------------------------------------------------------------------

    async def card(self, guild_id: int, user_id: int, question_id: int) -> CardState | None:
        row = await self._fetchone(
            f"SELECT {_CARD_COLUMNS} FROM srs_cards WHERE guild_id = ? AND user_id = ? AND question_id = ?",
            (guild_id, user_id, question_id),
        )
        return _card(row) if row else None

    async def cards(
        self,
        guild_id: int,
        user_id: int,
        *,
        reviewable: bool = False,
        deck_id: int | None = None,
    ) -> list[StoredCard]:
        """The member's cards, soonest due first; with ``reviewable`` only those /review can
        ask (see ``_REVIEWABLE``), and with ``deck_id`` too only those of that deck."""
        in_deck = " AND q.deck_id = ?" if reviewable and deck_id is not None else ""
        rows = await self._fetchall(
            f"SELECT c.question_id, {_card_columns('c')}, c.introduced_at, c.introduced_by "
            f"FROM srs_cards c {_REVIEWABLE + ' AND' if reviewable else 'WHERE'} "
            f"c.guild_id = ? AND c.user_id = ?{in_deck} ORDER BY c.due",
            (guild_id, user_id, *((deck_id,) if in_deck else ())),
        )
        return [
            StoredCard(r["question_id"], _card(r), from_db(r["introduced_at"]), r["introduced_by"])
            for r in rows
        ]

    async def graded_card(
        self, guild_id: int, user_id: int, question_id: int
    ) -> tuple[CardState | None, NotReviewable | None]:
        """What a grade in /review tells, in one query: the member's card of the question
        (None if they have none), and why /review in this server does not ask the question:
        ``question removed``, ``deck removed`` or ``deck off`` (switched off there); None
        when it does ask it (or there is no such question)."""
        row = await self._fetchone(
            f"SELECT c.question_id AS card_of, {_card_columns('c')}, "
            "q.removed_at AS question_removed, d.removed_at AS deck_removed, "
            "COALESCE(gd.enabled, 1) AS deck_on FROM questions q "
            "JOIN decks d ON d.id = q.deck_id "
            "LEFT JOIN guild_decks gd ON gd.deck_id = d.id AND gd.guild_id = ? "
            "LEFT JOIN srs_cards c ON c.question_id = q.id AND c.guild_id = ? AND c.user_id = ? "
            "WHERE q.id = ?",
            (guild_id, guild_id, user_id, question_id),
        )
        if row is None:
            return None, None
        card = _card(row) if row["card_of"] is not None else None
        if row["question_removed"] is not None:
            return card, "question removed"
        if row["deck_removed"] is not None:
            return card, "deck removed"
        return card, None if row["deck_on"] else "deck off"

    async def next_due(
        self,
        guild_id: int,
        user_id: int,
        now: datetime,
        *,
        deck_id: int | None = None,
        exclude: tuple[int, ...] = (),
    ) -> tuple[int, datetime] | None:
        """The member's most overdue card due now (optionally in one deck), or None."""
        sql = (
            f"SELECT c.question_id, c.due FROM srs_cards c {_REVIEWABLE} "
            "AND c.guild_id = ? AND c.user_id = ? AND c.due <= ?"
        )
        params: list[Any] = [guild_id, user_id, to_db(now)]
        if deck_id is not None:
            sql += " AND q.deck_id = ?"
            params.append(deck_id)
        if exclude:
            sql += f" AND c.question_id NOT IN ({','.join('?' * len(exclude))})"
            params.extend(exclude)
        row = await self._fetchone(sql + " ORDER BY c.due, c.question_id LIMIT 1", params)
        return (int(row[0]), from_db(row[1])) if row else None

    async def due_left(self, session_id: int, now: datetime) -> int:
        """How many cards due at ``now`` a review session has still to ask: those
        ``next_due`` gives it, the cards it answered left out."""
        row = await self._fetchone(
            "SELECT COUNT(*) FROM review_sessions s JOIN srs_cards c ON c.guild_id = s.guild_id "
            f"AND c.user_id = s.user_id {_REVIEWABLE} AND s.id = ? AND c.due <= ? "
            "AND (s.deck_id IS NULL OR q.deck_id = s.deck_id) AND NOT EXISTS (SELECT 1 FROM "
            "review_answers a WHERE a.session_id = s.id AND a.question_id = c.question_id)",
            (session_id, to_db(now)),
        )
        return int(row[0]) if row else 0

    async def new_question(
        self,
        guild_id: int,
        user_id: int,
        *,
        deck_id: int | None = None,
        exclude: tuple[int, ...] = (),
    ) -> int | None:
        """A question from this server's enabled decks the member has never graded.

        New cards take turns across the decks, each deck in its own order: the one asked is
        the first the member has not graded in each deck, whichever stands earliest in its
        deck (the 1st of each deck, then the 2nd, ...); at the same place the server's own
        decks come before the built-in ones, then the oldest deck first. Each deck's first
        new question is found walking ``questions_deck`` in order from where the member's
        last search in that deck found one (``srs_new_from``), and its place is counted
        over the index range before it: the cost grows with how far the member has got in
        each deck, not with the size of the decks, and the walk itself with the questions
        graded since that search."""
        unseen = (
            "q.deck_id = s.deck_id AND q.removed_at IS NULL AND q.id >= s.start "
            "AND NOT EXISTS (SELECT 1 FROM srs_cards c WHERE c.guild_id = ? AND c.user_id = ? "
            "AND c.question_id = q.id)"
        )
        first = f"(SELECT q.id FROM questions q WHERE {unseen} ORDER BY q.id LIMIT 1)"
        params: list[Any] = [user_id, guild_id, guild_id, guild_id]
        decks = (
            "SELECT d.id AS deck_id, d.builtin, COALESCE(f.question_id, 0) AS start "
            "FROM decks d LEFT JOIN srs_new_from f ON f.deck_id = d.id AND f.user_id = ? "
            "AND f.guild_id = ? LEFT JOIN guild_decks gd ON gd.deck_id = d.id AND gd.guild_id = ? "
            "WHERE d.removed_at IS NULL AND (d.guild_id = 0 OR d.guild_id = ?) "
            "AND COALESCE(gd.enabled, 1) = 1"
        )
        if deck_id is not None:
            decks += " AND d.id = ?"
            params.append(deck_id)
        params += [guild_id, user_id]
        picked, pick = "n.first", ""
        if exclude:
            # Questions left out here may have no card: they do not move the start.
            left_out = f" AND q.id NOT IN ({','.join('?' * len(exclude))}) ORDER BY"
            picked, pick = "n.pick", ", " + first.replace(" ORDER BY", left_out) + " AS pick"
            params += [guild_id, user_id, *exclude]
        # MATERIALIZED (SQLite 3.35+, PostgreSQL 12+): each deck's first new question is
        # looked for once, not again for each place the outer query names it.
        sql = (
            f"WITH s AS MATERIALIZED ({decks}), "
            f"n AS MATERIALIZED (SELECT s.deck_id, s.builtin, s.start, {first} AS first{pick} "
            "FROM s) "
            f"SELECT n.deck_id, n.first, {picked} AS pick, CASE WHEN n.first IS NULL THEN "
            "(SELECT q.id FROM questions q WHERE q.deck_id = n.deck_id AND q.removed_at IS NULL "
            "ORDER BY q.id DESC LIMIT 1) END AS last, "
            # The live question NEW_FROM_STEP places on from the start: before the first new
            # one, the search passed over that many.
            "(SELECT q.id FROM questions q WHERE q.deck_id = n.deck_id AND q.removed_at IS NULL "
            "AND q.id >= n.start ORDER BY q.id LIMIT 1 OFFSET ?) AS passed FROM n "
            f"ORDER BY {picked} IS NULL, CASE WHEN {picked} IS NULL THEN 0 ELSE "
            "(SELECT COUNT(*) FROM questions p WHERE p.deck_id = n.deck_id "
            f"AND p.removed_at IS NULL AND p.id <= {picked}) END, n.builtin, n.deck_id"
        )
        rows = await self._fetchall(sql, [*params, NEW_FROM_STEP - 1])
        moves = []
        for r in rows:
            if r["passed"] is None or (r["first"] is not None and r["passed"] >= r["first"]):
                continue  # fewer than NEW_FROM_STEP questions passed over
            # The first new question, or past every live question of the deck.
            found = int(r["first"]) if r["first"] is not None else int(r["last"]) + 1
            moves.append((int(r["deck_id"]), found))
        if moves:
            try:
                await self.write(lambda conn: _move_new_from(conn, guild_id, user_id, moves))
            except StoreError as exc:
                # Only a shortcut for the next search: the question found stands without it
                # (another process may hold the database's write lock for a while).
                log.info("where member %s's new card search starts stays: %s", user_id, exc)
        return int(rows[0]["pick"]) if rows and rows[0]["pick"] is not None else None

    async def new_questions_left(self, guild_id: int, user_id: int, *, limit: int) -> int:
        """How many questions ``new_question`` can still offer the member (of this server's
        enabled decks, never graded by them), counted up to ``limit``."""
        if limit <= 0:
            return 0
        row = await self._fetchone(
            "SELECT COUNT(*) FROM (SELECT 1 FROM decks d LEFT JOIN guild_decks gd "
            "ON gd.deck_id = d.id AND gd.guild_id = ? LEFT JOIN srs_new_from f "
            "ON f.deck_id = d.id AND f.user_id = ? AND f.guild_id = ? "
            "JOIN questions q ON q.deck_id = d.id AND q.removed_at IS NULL "
            "AND q.id >= COALESCE(f.question_id, 0) "
            "WHERE d.removed_at IS NULL AND (d.guild_id = 0 OR d.guild_id = ?) "
            "AND COALESCE(gd.enabled, 1) = 1 AND NOT EXISTS (SELECT 1 FROM srs_cards c "
            "WHERE c.guild_id = ? AND c.user_id = ? AND c.question_id = q.id) LIMIT ?) AS unseen",
            (guild_id, user_id, guild_id, guild_id, guild_id, user_id, limit),
        )
        return int(row[0]) if row else 0

    async def new_introduced_since(self, guild_id: int, user_id: int, since: datetime) -> int:
        """New cards the member took on in /review since an instant (their local midnight)."""
        row = await self._fetchone(
            "SELECT COUNT(*) FROM srs_cards WHERE guild_id = ? AND user_id = ? AND introduced_by = 'review' "
            "AND introduced_at >= ?",
            (guild_id, user_id, to_db(since)),
        )
        return int(row[0]) if row else 0

    async def due_counts(self, guild_id: int, user_id: int, *, until: datetime) -> list[DeckDue]:
        """Cards due up to ``until``, one entry per deck, the deck with most due first."""
        rows = await self._fetchall(
            f"SELECT d.id, d.name, d.slug, d.builtin, COUNT(*) FROM srs_cards c {_REVIEWABLE} "
            "AND c.guild_id = ? AND c.user_id = ? AND c.due <= ? "
            "GROUP BY d.id ORDER BY COUNT(*) DESC, d.name, d.builtin DESC, d.id",
            (guild_id, user_id, to_db(until)),
        )
        return [DeckDue(r[0], r[1], r[2], bool(r[3]), int(r[4])) for r in rows]

    async def first_due_after(self, guild_id: int, user_id: int, after: datetime) -> datetime | None:
        """When the member's first card /review can ask that is not due at ``after`` comes due."""
        row = await self._fetchone(
            f"SELECT MIN(c.due) FROM srs_cards c {_REVIEWABLE} "
            "AND c.guild_id = ? AND c.user_id = ? AND c.due > ?",
            (guild_id, user_id, to_db(after)),
        )
        return from_db(row[0]) if row and row[0] else None

    async def rebuild_cards(self, guild_id: int, user_id: int) -> int:
        """Recompute a member's cards from their stored grades; returns how many."""
        rows = await self._fetchall(
            "SELECT question_id, rating, created_at, source FROM attempts WHERE guild_id = ? AND user_id = ? "
            "AND rating IS NOT NULL ORDER BY id",
            (guild_id, user_id),
        )
        history: dict[int, list[tuple[Rating, datetime, str]]] = {}
        for r in rows:
            history.setdefault(r["question_id"], []).append(
                (Rating(r["rating"]), from_db(r["created_at"]), r["source"])
            )
        async with self.transaction() as db:
            for table in ("srs_cards", "srs_new_from"):
                await db.execute(
                    f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
                )
            for qid, grades in history.items():
                card = rebuild((rating, when) for rating, when, _ in grades)
                assert card is not None
                first = min(grades, key=lambda g: g[1])
                await db.execute(
                    f"INSERT INTO srs_cards (guild_id, user_id, question_id, {_CARD_COLUMNS}, introduced_at, "
                    "introduced_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (guild_id, user_id, qid, *_card_values(card), to_db(first[1]), first[2]),
                )
        return len(history)

    async def group_weakness(
        self, guild_id: int, question_ids: list[int]
    ) -> list[tuple[int, list[CardState]]]:
        """Cards of this server's members for some questions (for picking the group's weak spot)."""
        out: dict[int, list[CardState]] = {}
        for start in range(0, len(question_ids), 500):
            chunk = question_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self._fetchall(
                f"SELECT question_id, {_CARD_COLUMNS} FROM srs_cards WHERE guild_id = ? AND question_id IN ({marks})",
                (guild_id, *chunk),
            )
            for r in rows:
                out.setdefault(r["question_id"], []).append(_card(r))
        return list(out.items())

    # -- sessions --------------------------------------------------------------------------

    async def start_review_session(self, guild_id: int, user_id: int, deck_id: int | None) -> int:
        """A new review for a member; in the same transaction it ends the member's earlier
        reviews in that server, whose buttons then grade nothing."""
        now = self.now_text()
        async with self.transaction() as db:
            await db.execute(
                "UPDATE review_sessions SET ended_at = ? "
                "WHERE guild_id = ? AND user_id = ? AND ended_at IS NULL",
                (now, guild_id, user_id),
            )
            cur = await db.execute(
                "INSERT INTO review_sessions (id, guild_id, user_id, deck_id, started_at) "
                f"VALUES ({next_id('review_sessions')}, ?, ?, ?, ?)",
                (guild_id, user_id, deck_id, now),
            )
            return int(cur.lastrowid or 0)

    async def review_session(self, session_id: int) -> ReviewSession | None:
        row = await self._fetchone(
            "SELECT guild_id, user_id, deck_id, started_at, ended_at FROM review_sessions WHERE id = ?",
            (session_id,),
        )
        if row is None:
            return None
        return ReviewSession(
            session_id,
            row[0],
            row[1],
            row[2],
            from_db(row[3]),
            from_db(row[4]) if row[4] else None,
        )

    async def session_answers(self, session_id: int) -> list[tuple[int, int]]:
        rows = await self._fetchall(
            "SELECT question_id, rating FROM review_answers WHERE session_id = ? ORDER BY answered_at",
            (session_id,),
        )
        return [(int(r[0]), int(r[1])) for r in rows]

    # -- reminders -------------------------------------------------------------------------

    async def reminders_due(self, now: datetime) -> list[Reminder]:
        return await self._reminders(
            "SELECT guild_id, user_id, timezone, remind_time, remind_next FROM srs_members "
            "WHERE remind_next IS NOT NULL AND remind_next <= ? ORDER BY remind_next",
            (to_db(now),),
        )

    async def member_reminders(self, user_id: int) -> list[Reminder]:
        """A member's reminders in every server they set one in, the oldest server first."""
        return await self._reminders(
            "SELECT guild_id, user_id, timezone, remind_time, remind_next FROM srs_members "
            "WHERE remind_next IS NOT NULL AND user_id = ? AND remind_time IS NOT NULL "
            "ORDER BY guild_id",
            (user_id,),
        )

    async def _reminders(self, sql: str, params: tuple[Any, ...]) -> list[Reminder]:
        """Reminders read by ``sql``, each in the zone the member's days follow there."""
        rows = await self._fetchall(sql, params)
        # A member with no zone of their own follows the server's (read once a server).
        server_zone: dict[int, str] = {}
        for r in rows:
            if r[2] is None and r[0] not in server_zone:
                server_zone[r[0]] = (await self.settings_for(r[0])).timezone
        return [
            Reminder(r[0], r[1], r[2] or server_zone[r[0]], r[3], from_db(r[4]), r[2] is None)
            for r in rows
        ]

    async def next_reminder_at(self) -> datetime | None:
        row = await self._fetchone(
            "SELECT MIN(remind_next) FROM srs_members WHERE remind_next IS NOT NULL"
        )
        return from_db(row[0]) if row and row[0] else None

    async def reminder_retry(self, reminder: Reminder, at: datetime) -> None:
        """Try a reminder again at ``at``, once (a second call for the same one does nothing)."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE srs_members SET remind_next = ? WHERE guild_id = ? AND user_id = ? "
                "AND remind_next = ?",
                (to_db(at), reminder.guild_id, reminder.user_id, to_db(reminder.due_at)),
            )

    async def reminder_done(self, reminder: Reminder, now: datetime) -> None:
        """Move a reminder to its next day, once (a second call for the same one does nothing)."""
        nxt = next_reminder(reminder.remind_time, reminder.timezone, max(now, reminder.due_at))
        async with self.transaction() as db:
            await db.execute(
                "UPDATE srs_members SET remind_next = ? WHERE guild_id = ? AND user_id = ? AND remind_next = ?",
                (to_db(nxt), reminder.guild_id, reminder.user_id, to_db(reminder.due_at)),
            )
