"""Storage: leaderboard pages and ranks, seasons, privacy, and what /stats reads.

Boards are read from ``score_totals`` (kept in step with the attempts in the same
transaction), straight from the ``score_totals_order`` index: a page is an index range, a rank
is two index counts, each read in one snapshot and one trip to the reader's thread. The table
itself is keyed by member first (guild, member, board, period), so that the rows one grade
updates share a page and a member's rows are erased as one range. Hidden members are left out
of pages and ranks; they are few, so their rows are subtracted rather than every row being
checked.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from bot.clock import to_db
from bot.leaderboard import Score, page_of_rank, season_key
from bot.quiz import LIFETIME
from bot.schedule import local_day
from bot.store.base import keep_last_id
from bot.store.decks import settings_in
from bot.store.qotd import qotd_days
from bot.store.quiz import QuizStore

#: tables holding a member's own rows in a server, keyed by (guild_id, user_id); erased by
#: ``erase_member``. Areas that add such tables list them here.
MEMBER_TABLES: tuple[str, ...] = (
    "attempts",
    "members",
    "srs_cards",
    "srs_new_from",
    "srs_members",
    "suggestions",
    "form_drafts",  # the `why` typed with a command whose form is still open
    "import_sessions",  # a moderator's upload previews: their file name and questions
    "shown_names",  # the board and /stats messages in a channel that name them
)

#: (table, column) naming the moderator who did something in a server: the row stays (the
#: deck, schedule, season or decision is the server's), the member's id goes.
MODERATOR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("decks", "created_by"),
    ("qotd_schedules", "created_by"),
    ("seasons", "started_by"),
    ("suggestions", "reviewer_id"),
)


@dataclass(frozen=True)
class ShownMessage:
    """A message in a channel that names members: a leaderboard page (``board``, ``period``
    and ``page`` say which, ``asker_id`` who asked: 0 once they erased their data) or a
    /stats reply (``asker_id``: the member it is about)."""

    message_id: int
    guild_id: int
    channel_id: int
    kind: str  # "board" or "stats"
    asker_id: int
    board: str = ""
    period: str = ""
    page: int = 0
    #: how many times it was marked to be drawn again (see :meth:`shown_to_redraw`)
    redraw: int = 0


_SHOWN_COLUMNS = "message_id, guild_id, channel_id, kind, asker_id, board, period, page, redraw"

# Messages naming a member, to be drawn again without them; parameters (guild, member).
_MARK_SHOWN = (
    "UPDATE shown_messages SET redraw = redraw + 1 WHERE message_id IN "
    "(SELECT message_id FROM shown_names WHERE guild_id = ? AND user_id = ?)"
)


@dataclass(frozen=True)
class Season:
    number: int
    started_at: str | None  # None: season 1, which began with the server's first grade


@dataclass(frozen=True)
class BoardRow:
    rank: int
    user_id: int
    name: str
    points: int
    reached_at: str


@dataclass(frozen=True)
class BoardPage:
    rows: list[BoardRow]
    page: int  # 0-based
    total: int  # visible members on the board


@dataclass(frozen=True)
class Standing:
    points: int
    answered: int
    rank: int | None  # None when the member is hidden
    hidden: bool


@dataclass(frozen=True)
class BoardView:
    """What one page of a board shows, read in one snapshot: the page, the asker's standing
    on the board (None: no points there), the name the boards know them by (None: none
    yet, or erased) and whether they are hidden from the boards (points or not)."""

    page: BoardPage
    mine: Standing | None
    name: str | None
    hidden: bool = False


@dataclass(frozen=True)
class QotdRecord:
    """A member's QOTD days (see ``bot.leaderboard.qotd_streak``)."""

    days: list[str]  # the server's days with a QOTD post that reached a channel, oldest first
    answered: frozenset[str]  # the days on which the member answered one of them
    open_days: frozenset[str]  # the days that can still be answered (see ``qotd_record``)


@dataclass(frozen=True)
class Activity:
    answered: int
    questions: int
    self_grades: dict[int, int] = field(default_factory=dict)  # rating -> count
    mc_total: int = 0
    mc_right: int = 0
    tag_results: list[tuple[str, bool]] = field(default_factory=list)


@dataclass(frozen=True)
class ErasedSuggestion:
    """An erased suggestion whose review message still shows its author and text."""

    id: int
    deck_name: str
    channel_id: int
    message_id: int
    question_id: int | None  # the question an approved one became (it stays in the deck)


@dataclass(frozen=True)
class Erased:
    attempts: int
    totals: int
    posts: int
    rows: int = 0  # every row deleted or stripped of the member, all tables together
    #: open public posts whose message still shows them, to be redrawn: those they started
    #: (their name; a post no one has clicked yet has no message id stored: its message is
    #: looked for) and those they answered (the count of members who answered)
    shown_posts: tuple[int, ...] = ()
    #: they had hidden from the boards, and stay hidden
    hidden: bool = False
    #: their suggestions' review messages, to be redrawn without their name and text
    suggestion_posts: tuple[ErasedSuggestion, ...] = ()


# A board's rows: members with points on it. A scored grade worth 0 points (a server's
# choice, or the /quiz cap) still keeps a row, but puts no one on a board.
_BOARD = "s.guild_id = ? AND s.board = ? AND s.period = ? AND s.points > 0"
# Hidden members with a row on a board; parameters (guild, board, period). CROSS JOIN keeps the
# hidden members (few, from a partial index) as the outer loop whatever the statistics say:
# starting from the board instead would read every row of it.
_HIDDEN_JOIN = (
    "FROM members m CROSS JOIN score_totals s WHERE m.guild_id = ? AND m.hidden = 1 "
    "AND s.guild_id = m.guild_id AND s.user_id = m.user_id AND s.board = ? AND s.period = ? "
    "AND s.points > 0"
)
_AHEAD = (
    "(s.points > ? OR (s.points = ? AND (s.reached_at < ? "
    "OR (s.reached_at = ? AND s.user_id < ?))))"
)


class LeaderboardStore(QuizStore):
    # -- seasons -----------------------------------------------------------------------------

    async def current_season(self, guild_id: int) -> Season:
        row = await self._fetchone(
            "SELECT number, started_at FROM seasons WHERE guild_id = ? ORDER BY number DESC LIMIT 1",
            (guild_id,),
        )
        if row is None:
            return Season(1, None)
        return Season(int(row["number"]), row["started_at"])

    async def start_season(
        self, guild_id: int, started_by: int, *, after: int | None = None
    ) -> Season | None:
        """Start the next leaderboard season now; earlier seasons' totals stay stored.

        ``after``: the season the moderator saw running; if another one has begun since (a
        double click, two moderators), nothing is started and None is returned.
        """
        async with self.transaction() as db:
            # Taken under the write lock: every grade written before this has an earlier
            # time, so a recomputation from the attempts puts each in the same season.
            now = self.now_text()
            async with db.execute(
                "SELECT COALESCE(MAX(number), 1) FROM seasons WHERE guild_id = ?", (guild_id,)
            ) as cur:
                row = await cur.fetchone()
            current = int(row[0]) if row else 1
            if after is not None and current != after:
                return None
            number = current + 1
            await db.execute(
                "INSERT INTO seasons (guild_id, number, started_at, started_by) VALUES (?, ?, ?, ?)",
                (guild_id, number, now, started_by),
            )
            if number == 2:
                # Lifetime totals are kept from season 2 on; until now they were season 1's.
                await db.execute(
                    "DELETE FROM score_totals WHERE guild_id = ? AND board = 'all' AND period = ?",
                    (guild_id, LIFETIME),
                )
                await db.execute(
                    "INSERT INTO score_totals (guild_id, board, period, user_id, points, "
                    "answered, reached_at) SELECT guild_id, board, ?, user_id, points, answered, "
                    "reached_at FROM score_totals WHERE guild_id = ? AND board = 'all' AND period = ?",
                    (LIFETIME, guild_id, season_key(1)),
                )
        return Season(number, now)

    # -- boards ------------------------------------------------------------------------------

    async def board_size(self, guild_id: int, board: str, period: str) -> int:
        """Members on a board, hidden ones left out."""
        return await self.read(
            lambda conn: _board_size(conn, guild_id, board, _stored_period(conn, guild_id, period))[0]
        )

    async def board_page(
        self, guild_id: int, board: str, period: str, page: int, page_size: int
    ) -> BoardPage:
        """One page of a board (0-based; past the end gives the last page), in one snapshot.

        The page is read from the order index alone, skipping hidden members by id (they are
        few); names are looked up for the page's rows only.
        """
        return await self.read(
            lambda conn: _board_page(conn, guild_id, board, period, page, page_size)
        )

    async def board_view(
        self,
        guild_id: int,
        board: str,
        period: str,
        page: int | None,
        page_size: int,
        asker_id: int,
    ) -> BoardView:
        """A page of a board with the asker's standing and name, in one snapshot: a grade
        stored meanwhile can't make the foot disagree with the page. ``page`` None: the page
        with the asker's line (the first when they have no place on the board)."""

        def load(conn: sqlite3.Connection) -> BoardView:
            name, hidden = _member_of(conn, guild_id, asker_id)
            mine = _standing(conn, guild_id, board, period, asker_id)
            if page is not None:
                shown = page
            elif mine is not None and mine.rank is not None:
                shown = page_of_rank(mine.rank, page_size)
            else:
                shown = 0
            return BoardView(
                _board_page(conn, guild_id, board, period, shown, page_size), mine, name, hidden
            )

        return await self.read(load)

    async def standing(
        self, guild_id: int, board: str, period: str, user_id: int
    ) -> Standing | None:
        """A member's points and rank on a board; None when they have no points there."""
        return await self.read(lambda conn: _standing(conn, guild_id, board, period, user_id))

    async def all_scores(self, guild_id: int, board: str, period: str) -> list[Score]:
        """Every visible member's score on a board (for checks and exports; boards page)."""

        def load(conn: sqlite3.Connection) -> list[Score]:
            rows = conn.execute(
                "SELECT s.user_id, s.points, s.reached_at FROM score_totals s LEFT JOIN members m "
                "ON m.guild_id = s.guild_id AND m.user_id = s.user_id "
                f"WHERE {_BOARD} AND COALESCE(m.hidden, 0) = 0",
                (guild_id, board, _stored_period(conn, guild_id, period)),
            ).fetchall()
            return [Score(int(r[0]), int(r[1]), r[2]) for r in rows]

        return await self.read(load)

    async def weekly_points(
        self, guild_id: int, user_id: int, week_keys: list[str], board: str = "all"
    ) -> dict[str, int]:
        if not week_keys:
            return {}
        marks = ",".join("?" * len(week_keys))
        rows = await self._fetchall(
            f"SELECT period, points FROM score_totals WHERE guild_id = ? AND board = ? "
            f"AND period IN ({marks}) AND user_id = ?",
            (guild_id, board, *week_keys, user_id),
        )
        return {r[0]: int(r[1]) for r in rows}

    # -- privacy -----------------------------------------------------------------------------

    async def member_hidden(self, guild_id: int, user_id: int) -> bool:
        row = await self._fetchone(
            "SELECT hidden FROM members WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return bool(row and row[0])

    async def has_answered(self, guild_id: int, user_id: int) -> bool:
        """Whether the member has any graded attempt in the server (one index probe)."""
        row = await self._fetchone(
            "SELECT 1 FROM attempts WHERE guild_id = ? AND user_id = ? LIMIT 1",
            (guild_id, user_id),
        )
        return row is not None

    async def set_hidden(
        self, guild_id: int, user_id: int, display_name: str, hidden: bool
    ) -> bool:
        """Take a member off the boards (or put them back); returns whether anything changed.

        A member whose data was erased while hidden keeps a row with no name, for that choice
        alone: putting them back removes it, leaving nothing of theirs."""
        now = self.now_text()
        async with self.transaction() as db:
            async with db.execute(
                "SELECT hidden, display_name FROM members WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            ) as cur:
                row = await cur.fetchone()
            if row is not None and bool(row[0]) == hidden:
                return False
            if row is None and not hidden:
                return False
            if row is not None and not hidden and not row[1]:
                await db.execute(
                    "DELETE FROM members WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
                )
                return True
            await db.execute(
                "INSERT INTO members (guild_id, user_id, display_name, hidden, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) "
                "DO UPDATE SET hidden = excluded.hidden, updated_at = excluded.updated_at",
                (guild_id, user_id, display_name, int(hidden), now),
            )
            if hidden:
                # The boards and /stats already posted that name them are drawn again
                # without them (see :meth:`shown_to_redraw`).
                await db.execute(_MARK_SHOWN, (guild_id, user_id))
        return True

    async def holds_member_data(self, guild_id: int, user_id: int) -> bool:
        """Whether :meth:`erase_member` would find anything of the member's in the server.
        A hidden member whose data was erased keeps only their choice to stay hidden."""

        def load(conn: sqlite3.Connection) -> bool:
            key = (guild_id, user_id)
            checks = [
                f"SELECT 1 FROM {table} WHERE guild_id = ? AND user_id = ?"
                for table in ("score_totals", "review_sessions", *MEMBER_TABLES)
                if table != "members"
            ]
            checks += [
                "SELECT 1 FROM members WHERE guild_id = ? AND user_id = ? "
                "AND (hidden = 0 OR display_name <> '')",
                "SELECT 1 FROM posts WHERE guild_id = ? AND author_id = ?",
                # a board they asked for in a channel: its buttons carry their id
                "SELECT 1 FROM shown_messages WHERE guild_id = ? AND asker_id = ?",
                *(
                    f"SELECT 1 FROM {table} WHERE guild_id = ? AND {column} = ?"
                    for table, column in MODERATOR_COLUMNS
                ),
            ]
            return any(conn.execute(f"{sql} LIMIT 1", key).fetchone() for sql in checks)

        return await self.read(load)

    async def erase_member(self, guild_id: int, user_id: int) -> Erased:
        """Erase everything of one member in one server, in one transaction.

        Their grades, score totals and member row go (of a member hidden from the boards,
        only the name: they stay hidden); posts they started stay for the other members who
        answered them, with the author's id and name removed, and the post a Next question
        of theirs was pressed under (``shown_posts`` lists the
        public ones whose message should be redrawn without the name); so do the decks,
        schedules and seasons they set up as a moderator and the suggestions they decided,
        without their id.
        """
        async with self.transaction() as db:
            # score_totals is keyed by member first: their rows on every board and period
            # are one range.
            cur2 = await db.execute(
                "DELETE FROM score_totals WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            totals = max(0, cur2.rowcount)
            rows = totals
            cur2 = await db.execute(
                "DELETE FROM review_answers WHERE session_id IN "
                "(SELECT id FROM review_sessions WHERE guild_id = ? AND user_id = ?)",
                (guild_id, user_id),
            )
            rows += max(0, cur2.rowcount)
            # Erased rows may be the newest: the highest number given is remembered, so that
            # a new review, suggestion or import preview does not take one whose message
            # (and its buttons) still exists.
            for table in ("review_sessions", "suggestions", "import_sessions"):
                await db.execute(keep_last_id(table))
            cur2 = await db.execute(
                "DELETE FROM review_sessions WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            rows += max(0, cur2.rowcount)
            async with db.execute(
                "SELECT hidden FROM members WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            ) as cur:
                row = await cur.fetchone()
            hidden = bool(row and row[0])
            if hidden:
                # Their choice to stay off the boards outlives their data: only the name goes,
                # so that answering again does not put them back on the boards.
                cur2 = await db.execute(
                    "UPDATE members SET display_name = '' "
                    "WHERE guild_id = ? AND user_id = ? AND display_name <> ''",
                    (guild_id, user_id),
                )
                rows += max(0, cur2.rowcount)
            async with db.execute(
                "SELECT s.id, COALESCE(d.name, ''), s.channel_id, s.message_id, s.question_id "
                "FROM suggestions s LEFT JOIN decks d ON d.id = s.deck_id "
                "WHERE s.guild_id = ? AND s.user_id = ? AND s.message_id IS NOT NULL "
                "ORDER BY s.id",
                (guild_id, user_id),
            ) as cur:
                suggestion_posts = tuple(
                    ErasedSuggestion(
                        int(r[0]),
                        str(r[1]),
                        int(r[2]),
                        int(r[3]),
                        None if r[4] is None else int(r[4]),
                    )
                    for r in await cur.fetchall()
                )
            # Their review posts are cleared after the erase: which ones is kept until it
            # is done, so that a stop or Discord failing the edits only delays it.
            await db.executemany(
                "INSERT INTO review_posts_to_clear (message_id, guild_id, channel_id, "
                "suggestion_id, deck_name, question_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (message_id) DO NOTHING",
                [
                    (p.message_id, guild_id, p.channel_id, p.id, p.deck_name, p.question_id,
                     to_db(self.clock.now()))
                    for p in suggestion_posts
                ],
            )  # fmt: skip
            # Open public posts they answered count them among the members who answered.
            async with db.execute(
                "SELECT DISTINCT p.id FROM attempts a JOIN posts p ON p.id = a.post_id "
                "WHERE a.guild_id = ? AND a.user_id = ? AND p.private = 0 "
                "AND p.closed_at IS NULL",
                (guild_id, user_id),
            ) as cur:
                answered_posts = {int(r[0]) for r in await cur.fetchall()}
            # Boards and /stats posted in a channel that name them are drawn again without
            # them; the id of the member who asked for a board goes from it (its buttons
            # then show the board to each clicker privately).
            await db.execute(_MARK_SHOWN, (guild_id, user_id))
            cur2 = await db.execute(
                "UPDATE shown_messages SET asker_id = 0, redraw = redraw + 1 "
                "WHERE guild_id = ? AND asker_id = ?",
                (guild_id, user_id),
            )
            rows += max(0, cur2.rowcount)
            attempts = 0
            for table in MEMBER_TABLES:
                if table == "members" and hidden:
                    continue
                cur2 = await db.execute(
                    f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
                )
                rows += max(0, cur2.rowcount)
                if table == "attempts":
                    attempts = max(0, cur2.rowcount)
            async with db.execute(
                "SELECT id FROM posts WHERE guild_id = ? AND author_id = ? AND private = 0 "
                "AND closed_at IS NULL ORDER BY id",
                (guild_id, user_id),
            ) as cur:
                shown = tuple(
                    sorted(answered_posts | {int(r[0]) for r in await cur.fetchall()})
                )
            # Their messages are drawn again without them: which ones is kept here too, so
            # that a bot stopping before the edits makes them on its next start.
            await db.executemany(
                "UPDATE posts SET redraw = redraw + 1 WHERE id = ?", [(p,) for p in shown]
            )
            # The link from a post made with Next question to the one it was pressed under
            # goes too: kept, it would chain their private questions to a post of theirs
            # that Discord still shows as run by them.
            cur2 = await db.execute(
                "UPDATE posts SET author_id = NULL, author_name = NULL, next_of = NULL "
                "WHERE guild_id = ? AND author_id = ?",
                (guild_id, user_id),
            )
            posts = max(0, cur2.rowcount)
            for table, column in MODERATOR_COLUMNS:
                cur2 = await db.execute(
                    f"UPDATE {table} SET {column} = NULL WHERE guild_id = ? AND {column} = ?",
                    (guild_id, user_id),
                )
                rows += max(0, cur2.rowcount)
        return Erased(
            attempts=attempts,
            totals=totals,
            posts=posts,
            rows=rows + posts,
            shown_posts=shown,
            hidden=hidden,
            suggestion_posts=suggestion_posts,
        )

    async def review_posts_to_clear(self) -> list[ErasedSuggestion]:
        """Review posts of erased members' suggestions not cleared yet (see erase_member)."""
        rows = await self._fetchall(
            "SELECT suggestion_id, deck_name, channel_id, message_id, question_id "
            "FROM review_posts_to_clear ORDER BY created_at, message_id"
        )
        return [
            ErasedSuggestion(
                int(r[0]), str(r[1]), int(r[2]), int(r[3]), None if r[4] is None else int(r[4])
            )
            for r in rows
        ]

    async def review_post_cleared(self, message_id: int) -> None:
        """A review post was cleared, or can never be: it stops waiting."""
        async with self.transaction() as db:
            await db.execute(
                "DELETE FROM review_posts_to_clear WHERE message_id = ?", (message_id,)
            )

    # -- messages naming members -------------------------------------------------------------

    async def record_shown(self, message: ShownMessage, names: frozenset[int]) -> bool:
        """Remember a channel message and the members it names as just drawn. A message
        read by :meth:`shown_to_redraw` and drawn again stops waiting for it, unless it was
        marked again since (its ``redraw`` no longer the one read), or it names a member
        who is hidden by now, or (other than its asker) erased (who hid or erased their data
        while it was being drawn and sent). Returns whether the message waits to be drawn
        again."""
        now = self.now_text()

        def work(conn: sqlite3.Connection) -> bool:
            m = message
            conn.execute(
                "INSERT INTO shown_messages (message_id, guild_id, channel_id, kind, asker_id, "
                "board, period, page, created_at, redraw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0) "
                "ON CONFLICT (message_id) DO UPDATE SET board = excluded.board, "
                "period = excluded.period, page = excluded.page, "
                "redraw = CASE WHEN shown_messages.redraw = ? THEN 0 "
                "ELSE shown_messages.redraw END",
                (
                    m.message_id,
                    m.guild_id,
                    m.channel_id,
                    m.kind,
                    m.asker_id,
                    m.board,
                    m.period,
                    m.page,
                    now,
                    # a message drawn afresh (not read to be drawn again) leaves the mark
                    m.redraw or -1,
                ),
            )
            conn.execute("DELETE FROM shown_names WHERE message_id = ?", (m.message_id,))
            conn.executemany(
                "INSERT INTO shown_names (guild_id, user_id, message_id) VALUES (?, ?, ?)",
                [(m.guild_id, user_id, m.message_id) for user_id in sorted(names)],
            )
            # A member who hid or erased their data after the message was read but before it
            # was noted here was marked on no message: one naming them waits to be drawn
            # again all the same. Erased, a member has no row left (a hidden one keeps theirs);
            # the asker may have none without erasing (they never answered), and /stats check
            # their member themselves.
            conn.execute(
                "UPDATE shown_messages SET redraw = 1 WHERE message_id = ? AND redraw = 0 "
                "AND EXISTS (SELECT 1 FROM shown_names n LEFT JOIN members mb "
                "ON mb.guild_id = n.guild_id AND mb.user_id = n.user_id "
                "WHERE n.message_id = ? AND (mb.hidden = 1 "
                "OR (mb.user_id IS NULL AND n.user_id <> shown_messages.asker_id)))",
                (m.message_id, m.message_id),
            )
            row = conn.execute(
                "SELECT redraw FROM shown_messages WHERE message_id = ?", (m.message_id,)
            ).fetchone()
            return bool(row and row[0] > 0)

        return await self.write(work)

    async def shown_to_redraw(self, limit: int = 50) -> list[ShownMessage]:
        """Messages that still name a member who has since hidden or erased their data,
        oldest first."""

        def load(conn: sqlite3.Connection) -> list[ShownMessage]:
            rows = conn.execute(
                f"SELECT {_SHOWN_COLUMNS} FROM shown_messages WHERE redraw > 0 "
                "ORDER BY message_id LIMIT ?",
                (limit,),
            ).fetchall()
            # the columns in the order of ShownMessage's fields
            return [ShownMessage(*r) for r in rows]

        return await self.read(load)

    async def mark_shown(self, message_id: int) -> None:
        """Leave a message waiting to be drawn again (see :meth:`shown_to_redraw`)."""
        await self.write(
            lambda conn: conn.execute(
                "UPDATE shown_messages SET redraw = redraw + 1 WHERE message_id = ?",
                (message_id,),
            )
        )

    async def forget_shown(self, message_id: int) -> None:
        """A message that is gone (deleted, or out of the bot's reach), or that names no one
        any more: it is not looked after again."""
        # Its names go with it (shown_names cascades on delete).
        await self.write(
            lambda conn: conn.execute(
                "DELETE FROM shown_messages WHERE message_id = ?", (message_id,)
            )
        )

    # -- stats -------------------------------------------------------------------------------

    async def member_name(self, guild_id: int, user_id: int) -> str | None:
        return await self.read(lambda conn: _member_name(conn, guild_id, user_id))

    async def qotd_record(self, guild_id: int, user_id: int) -> QotdRecord:
        """The server's QOTD days (those of posts that reached a channel: one whose send
        failed was never seen and breaks no streak), the days the member answered on, and
        the days that can still be answered: those with a question still open (a schedule
        may keep several open at once), and the newest while it is not over yet in the
        server's zone (a later question that day still counts for it). An answer given after
        its question closed (its answer was public) counts for no day."""
        now = self.clock.now()

        def load(conn: sqlite3.Connection) -> QotdRecord:
            zone = settings_in(conn, guild_id).zone
            posts = qotd_days(conn, guild_id, zone)
            today = local_day(now, zone).isoformat()
            done = {
                int(r[0])
                for r in conn.execute(
                    "SELECT DISTINCT a.post_id FROM attempts a JOIN posts p ON p.id = a.post_id "
                    "WHERE a.guild_id = ? AND a.user_id = ? AND p.kind = 'qotd' "
                    "AND (p.closed_at IS NULL OR a.created_at <= p.closed_at)",
                    (guild_id, user_id),
                )
            }
            days = sorted({d for _, d, _ in posts})
            return QotdRecord(
                days=days,
                answered=frozenset(d for p, d, _ in posts if p in done),
                open_days=frozenset(
                    [d for _, d, o in posts if o] + [d for d in days[-1:] if d >= today]
                ),
            )

        return await self.read(load)

    async def activity(self, guild_id: int, user_id: int) -> Activity:
        summary = await self._fetchone(
            "SELECT COUNT(*), COUNT(DISTINCT question_id), "
            "COALESCE(SUM(CASE WHEN option_index IS NOT NULL THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN option_index IS NOT NULL AND correct = 1 THEN 1 ELSE 0 END), 0) "
            "FROM attempts WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        grades = await self._fetchall(
            "SELECT rating, COUNT(*) FROM attempts WHERE guild_id = ? AND user_id = ? "
            "AND option_index IS NULL AND rating IS NOT NULL GROUP BY rating",
            (guild_id, user_id),
        )
        tags = await self._fetchall(
            "SELECT t.tag, a.rating, a.option_index, a.correct FROM attempts a "
            "JOIN question_tags t ON t.question_id = a.question_id "
            "WHERE a.guild_id = ? AND a.user_id = ?",
            (guild_id, user_id),
        )
        from bot.stats import success

        return Activity(
            answered=int(summary[0]) if summary else 0,
            questions=int(summary[1]) if summary else 0,
            self_grades={int(r[0]): int(r[1]) for r in grades},
            mc_total=int(summary[2]) if summary else 0,
            mc_right=int(summary[3]) if summary else 0,
            tag_results=[
                (r[0], success(r[1], r[2], None if r[3] is None else bool(r[3]))) for r in tags
            ],
        )


def _board_size(
    conn: sqlite3.Connection, guild_id: int, board: str, period: str
) -> tuple[int, list[int]]:
    """(visible members on a board, the hidden members who have a row on it)."""
    hidden = [
        int(r[0])
        for r in conn.execute(f"SELECT s.user_id {_HIDDEN_JOIN}", (guild_id, board, period))
    ]
    row = conn.execute(
        f"SELECT COUNT(*) FROM score_totals s WHERE {_BOARD}", (guild_id, board, period)
    ).fetchone()
    return (int(row[0]) if row else 0) - len(hidden), hidden


def _stored_period(conn: sqlite3.Connection, guild_id: int, period: str) -> str:
    """The period key a board is stored under. A server still in its first season keeps no
    lifetime rows (see ``bot.quiz.score_rows``): its season 1 rows are its lifetime."""
    if period != LIFETIME:
        return period
    started = conn.execute("SELECT 1 FROM seasons WHERE guild_id = ? LIMIT 1", (guild_id,))
    return period if started.fetchone() else season_key(1)


def _board_page(
    conn: sqlite3.Connection, guild_id: int, board: str, period: str, page: int, page_size: int
) -> BoardPage:
    period = _stored_period(conn, guild_id, period)
    total, hidden = _board_size(conn, guild_id, board, period)
    last = max(0, (total - 1) // page_size)
    page = min(max(0, page), last)
    offset = page * page_size
    skip = f"AND s.user_id NOT IN ({','.join('?' * len(hidden))})" if hidden else ""
    rows = conn.execute(
        "SELECT p.user_id, p.points, p.reached_at, COALESCE(m.display_name, '') AS name "
        "FROM (SELECT s.user_id, s.points, s.reached_at FROM score_totals s "
        f"WHERE {_BOARD} {skip} "
        "ORDER BY s.points DESC, s.reached_at, s.user_id LIMIT ? OFFSET ?) AS p "
        "LEFT JOIN members m ON m.guild_id = ? AND m.user_id = p.user_id "
        "ORDER BY p.points DESC, p.reached_at, p.user_id",
        (guild_id, board, period, *hidden, page_size, offset, guild_id),
    ).fetchall()
    return BoardPage(
        rows=[
            BoardRow(
                rank=offset + i + 1,
                user_id=int(r[0]),
                name=r[3],
                points=int(r[1]),
                reached_at=r[2],
            )
            for i, r in enumerate(rows)
        ],
        page=page,
        total=total,
    )


def _member_name(conn: sqlite3.Connection, guild_id: int, user_id: int) -> str | None:
    return _member_of(conn, guild_id, user_id)[0]


def _member_of(conn: sqlite3.Connection, guild_id: int, user_id: int) -> tuple[str | None, bool]:
    """A member's name on the boards (None: none yet, or erased) and whether they hide."""
    row = conn.execute(
        "SELECT display_name, hidden FROM members WHERE guild_id = ? AND user_id = ?",
        (guild_id, user_id),
    ).fetchone()
    if row is None:
        return None, False
    return (str(row[0]) if row[0] else None), bool(row[1])  # '': erased, kept hidden


def _standing(
    conn: sqlite3.Connection, guild_id: int, board: str, period: str, user_id: int
) -> Standing | None:
    period = _stored_period(conn, guild_id, period)
    row = conn.execute(
        "SELECT s.points, s.answered, s.reached_at, COALESCE(m.hidden, 0) AS hidden "
        "FROM score_totals s LEFT JOIN members m "
        "ON m.guild_id = s.guild_id AND m.user_id = s.user_id "
        f"WHERE {_BOARD} AND s.user_id = ?",
        (guild_id, board, period, user_id),
    ).fetchone()
    if row is None:
        return None
    points, answered, reached, hidden = int(row[0]), int(row[1]), row[2], row[3]
    if hidden:
        return Standing(points, answered, None, True)
    above = conn.execute(
        f"SELECT (SELECT COUNT(*) FROM score_totals s WHERE {_BOARD} AND s.points > ?) + "
        f"(SELECT COUNT(*) FROM score_totals s WHERE {_BOARD} AND s.points = ? "
        "AND (s.reached_at < ? OR (s.reached_at = ? AND s.user_id < ?))) - "
        f"(SELECT COUNT(*) {_HIDDEN_JOIN} AND {_AHEAD})",
        (
            guild_id, board, period, points,
            guild_id, board, period, points, reached, reached, user_id,
            guild_id, board, period, points, points, reached, reached, user_id,
        ),
    ).fetchone()  # fmt: skip
    rank = (int(above[0]) if above else 0) + 1
    return Standing(points, answered, rank, False)
