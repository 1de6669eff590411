"""Storage on real SQLite files: migrations, pragmas, deck sync, transactions."""

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock, to_db
from bot.decks import load_builtin_decks, load_deck_text
from bot.store import (
    AttemptRequest,
    DeckDue,
    ShownMessage,
    Store,
    StoreError,
    latest_version,
    migrations,
)

DECK = """\
slug: demo
name: Demo
questions:
  - id: q1
    prompt: First?
    answer: One.
    tags: [a, b]
  - id: q2
    prompt: Second?
    answer: Two.
    options: [{text: x, correct: true}, {text: y}]
"""


def schema(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    finally:
        conn.close()
    return [(n, s) for n, s in rows]


async def test_fresh_database_is_migrated_with_wal_and_foreign_keys(tmp_path):
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        assert await store.version() == latest_version() >= 1
        rows = await store._fetchall("PRAGMA journal_mode")
        assert rows[0][0] == "wal"
        rows = await store._fetchall("PRAGMA foreign_keys")
        assert rows[0][0] == 1
        rows = await store._fetchall("PRAGMA busy_timeout")
        assert rows[0][0] >= 1000
        # WAL with synchronous=NORMAL on the writer: a commit appends to the WAL without an
        # fsync (durable at the next checkpoint); FULL would fsync every group commit.
        async with store._writer.execute("PRAGMA synchronous") as cur:
            row = await cur.fetchone()
        assert row is not None and row[0] == 1
    finally:
        await store.close()


@pytest.mark.parametrize("start", range(0, latest_version()))
async def test_every_earlier_version_migrates_to_the_same_schema(tmp_path, start):
    fresh = tmp_path / "fresh.sqlite3"
    store = await Store.open(fresh)
    await store.close()

    old = tmp_path / "old.sqlite3"
    store = await Store.open(old, migrate=False)
    assert await store.migrate(target=start) == (0, start)
    assert await store.version() == start
    await store.close()

    store = await Store.open(old)
    assert await store.version() == latest_version()
    await store.close()
    assert schema(old) == schema(fresh)


async def test_a_failing_migration_changes_nothing(tmp_path):
    mig = tmp_path / "migrations"
    mig.mkdir()
    first = migrations()[0]
    (mig / first.path.name).write_text(first.sql())
    (mig / "0002_broken.sql").write_text(
        "CREATE TABLE fine (x INTEGER);\nCREATE TABLE decks (y);\n"
    )
    store = await Store.open(tmp_path / "r.sqlite3", migrate=False)
    try:
        await store.migrate(mig, target=1)
        with pytest.raises(StoreError, match="already exists"):
            await store.migrate(mig)
        assert await store.version() == 1
        assert not await store._fetchall("SELECT name FROM sqlite_master WHERE name = 'fine'")
    finally:
        await store.close()


async def test_a_newer_database_is_refused(tmp_path):
    path = tmp_path / "r.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this Recall"):
        await Store.open(path)


async def test_a_damaged_file_is_explained(tmp_path):
    path = tmp_path / "r.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="damaged or not an SQLite file"):
        await Store.open(path)
    assert path.read_bytes() == b"this is not a database" * 100


async def test_a_missing_folder_is_explained(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        await Store.open(tmp_path / "nope" / "r.sqlite3")


async def test_deck_sync_is_idempotent_and_keeps_history(tmp_path):
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        deck = load_deck_text(DECK, "demo.yaml")
        first = await store.sync_builtin_decks([deck])
        assert (first.added, first.updated, first.removed) == (2, 0, 0)
        again = await store.sync_builtin_decks([deck])
        assert (again.added, again.updated, again.removed) == (0, 0, 0)

        decks = await store.decks_for_guild(1)
        assert [(d.slug, d.questions, d.builtin) for d in decks] == [("demo", 2, True)]
        stored = await store.questions_in_deck(decks[0].id)
        ids = {s.question.id: s.id for s in stored}
        assert stored[0].question.tags == ["a", "b"]
        assert stored[1].question.correct_index == 0

        edited = load_deck_text(
            DECK.replace("Second?", "Second, edited?").replace(
                "  - id: q1\n    prompt: First?\n    answer: One.\n    tags: [a, b]\n", ""
            ),
            "demo.yaml",
        )
        change = await store.sync_builtin_decks([edited])
        assert (change.added, change.updated, change.removed) == (0, 1, 1)
        left = await store.questions_in_deck(decks[0].id)
        assert [s.question.prompt for s in left] == ["Second, edited?"]
        assert left[0].id == ids["q2"]  # same row: grades stay attached
        removed = await store.question(ids["q1"])
        assert removed is not None and removed.removed
    finally:
        await store.close()


async def test_transaction_rolls_back_on_error(tmp_path):
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        with pytest.raises(RuntimeError):
            async with store.transaction() as db:
                await db.execute(
                    "INSERT INTO guild_settings (guild_id, key, value, updated_at) VALUES (1, 'k', 'v', 'now')"
                )
                raise RuntimeError("boom")
        assert await store.guild_settings(1) == {}
        await store.set_guild_settings(1, {"timezone": "Europe/Paris"})
        await store.set_guild_settings(1, {"timezone": "Asia/Tokyo", "other": None})
        assert await store.guild_settings(1) == {"timezone": "Asia/Tokyo"}
    finally:
        await store.close()


async def test_concurrent_writes_are_serialised(tmp_path):
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        await asyncio.gather(*(store.set_guild_settings(g, {"k": str(g)}) for g in range(50)))
        for g in range(50):
            assert await store.guild_settings(g) == {"k": str(g)}
    finally:
        await store.close()


async def test_backup_is_a_consistent_copy(tmp_path):
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        await store.sync_builtin_decks(load_builtin_decks())
        await store.backup(tmp_path / "copy.sqlite3")
    finally:
        await store.close()
    copy = await Store.open(tmp_path / "copy.sqlite3", migrate=False)
    try:
        assert await copy.integrity_check() == []
        assert await copy.version() == latest_version()
        assert (await copy.counts())["questions"] >= 40
    finally:
        await copy.close()


async def test_migration_7_keeps_totals_cards_and_attempt_rules(tmp_path):
    """0007 rebuilds score_totals and srs_cards keyed for the write path: every row survives,
    the upsert keys still hold, and one grade per member per post is still enforced."""
    path = tmp_path / "r.sqlite3"
    store = await Store.open(path, migrate=False)
    await store.migrate(target=6)
    await store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(
        """
        INSERT INTO decks (id, slug, name, created_at) VALUES (1, 'd', 'D', 't');
        INSERT INTO questions (id, deck_id, ext_id, prompt, answer, difficulty, created_at,
            updated_at) VALUES (1, 1, 'q', 'p', 'a', 'easy', 't', 't');
        INSERT INTO posts (id, kind, guild_id, channel_id, question_id, created_at)
            VALUES (1, 'quiz', 7, 1, 1, 't');
        INSERT INTO score_totals VALUES (7, 'all', 'all', 5, 10, 2, 'r1');
        INSERT INTO score_totals VALUES (7, 'quiz', 'week:2026-03-02', 5, 4, 1, 'r2');
        INSERT INTO score_totals VALUES (7, 'all', 'all', 6, 3, 1, 'r3');
        INSERT INTO srs_cards (guild_id, user_id, question_id, state, step, stability,
            difficulty, due, last_review, reps, lapses, introduced_at, introduced_by)
            VALUES (7, 5, 1, 2, NULL, 3.5, 5.1, 'd1', 'l1', 3, 1, 'i1', 'quiz');
        INSERT INTO attempts (guild_id, user_id, question_id, post_id, source, local_day,
            created_at) VALUES (7, 5, 1, 1, 'quiz', '2026-03-02', 't'),
            (7, 5, 1, NULL, 'review', '2026-03-02', 't'),
            (7, 5, 1, NULL, 'review', '2026-03-02', 't');
        """
    )
    totals = conn.execute("SELECT * FROM score_totals ORDER BY user_id, board").fetchall()
    cards = conn.execute("SELECT * FROM srs_cards").fetchall()
    conn.close()

    store = await Store.open(path, migrate=False)
    try:
        assert await store.migrate(target=7) == (6, 7)
        after = await store._fetchall("SELECT * FROM score_totals ORDER BY user_id, board")
        assert [tuple(r) for r in after] == totals
        assert [tuple(r) for r in await store._fetchall("SELECT * FROM srs_cards")] == cards
        ddl = {
            r[0]: r[1]
            for r in await store._fetchall(
                "SELECT name, sql FROM sqlite_master WHERE name IN ('score_totals', 'srs_cards')"
            )
        }
        assert all("WITHOUT ROWID" in sql for sql in ddl.values()) and len(ddl) == 2
        async with store.transaction() as db:
            with pytest.raises(sqlite3.IntegrityError):
                await db.execute("INSERT INTO score_totals VALUES (7, 'all', 'all', 5, 1, 1, 'r9')")
            with pytest.raises(sqlite3.IntegrityError):
                await db.execute(
                    "INSERT INTO attempts (guild_id, user_id, question_id, post_id, source, "
                    "local_day, created_at) VALUES (7, 5, 1, 1, 'quiz', '2026-03-03', 't')"
                )
            # Grades with no post (reviews) are not limited by the per-post rule.
            await db.execute(
                "INSERT INTO attempts (guild_id, user_id, question_id, post_id, source, "
                "local_day, created_at) VALUES (7, 5, 1, NULL, 'review', '2026-03-03', 't')"
            )
    finally:
        await store.close()


async def test_migration_8_keeps_lifetime_rows_only_where_they_are_read(tmp_path):
    """0008 drops the lifetime rows grades no longer keep: those of the per-source boards,
    and the all board's of servers still in their first season (their season 1 rows stand
    for them). A server past a reset keeps its lifetime rows, and every read is unchanged."""
    path = tmp_path / "r.sqlite3"
    store = await Store.open(path, migrate=False)
    await store.migrate(target=7)
    await store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    rows = [
        # server 7: season 1 only
        (7, "all", "all", 5, 10, 2, "r1"), (7, "all", "season:1", 5, 10, 2, "r1"),
        (7, "quiz", "all", 5, 10, 2, "r1"), (7, "quiz", "season:1", 5, 10, 2, "r1"),
        # server 8: in season 2
        (8, "all", "all", 5, 12, 3, "r4"), (8, "all", "season:1", 5, 10, 2, "r1"),
        (8, "all", "season:2", 5, 2, 1, "r4"), (8, "qotd", "all", 5, 12, 3, "r4"),
    ]  # fmt: skip
    conn.executemany("INSERT INTO score_totals VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("INSERT INTO seasons (guild_id, number, started_at, started_by) "
                 "VALUES (8, 2, 'r2', 1)")  # fmt: skip
    conn.close()

    store = await Store.open(path)
    try:
        assert await store.version() == latest_version()
        left = {tuple(r) for r in await store._fetchall("SELECT * FROM score_totals")}
        assert left == set(rows) - {rows[0], rows[2], rows[7]}
        lifetime_7 = await store.standing(7, "all", "all", 5)
        lifetime_8 = await store.standing(8, "all", "all", 5)
        assert lifetime_7 is not None and (lifetime_7.points, lifetime_7.rank) == (10, 1)
        assert lifetime_8 is not None and (lifetime_8.points, lifetime_8.rank) == (12, 1)
    finally:
        await store.close()


async def test_migration_10_leaves_each_member_one_current_review(tmp_path):
    """0010: of the reviews started before it, each member's latest in a server stays
    current and the earlier ones end when the next one started."""
    path = tmp_path / "r.sqlite3"
    store = await Store.open(path, migrate=False)
    await store.migrate(target=9)
    await store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executemany(
        "INSERT INTO review_sessions (id, guild_id, user_id, deck_id, started_at) "
        "VALUES (?, ?, ?, NULL, ?)",
        [(1, 7, 5, "t1"), (2, 7, 6, "t2"), (3, 7, 5, "t3"), (4, 8, 5, "t4"), (5, 7, 5, "t5")],
    )
    conn.close()

    store = await Store.open(path)
    try:
        rows = await store._fetchall("SELECT id, ended_at FROM review_sessions ORDER BY id")
        assert [tuple(r) for r in rows] == [(1, "t3"), (2, None), (3, "t5"), (4, None), (5, None)]
    finally:
        await store.close()


async def test_migration_12_lets_members_with_the_servers_zone_follow_it(tmp_path):
    """0012: a member's review zone equal to their server's (UTC for a server that set none)
    becomes unset, so it follows the server from then on; any other zone stays theirs."""
    path = tmp_path / "z.sqlite3"
    next_at = to_db(datetime(2026, 2, 2, 9, tzinfo=UTC))
    store = await Store.open(path, migrate=False)
    await store.migrate(target=11)
    await store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "INSERT INTO guild_settings (guild_id, key, value, updated_at) "
        "VALUES (7, 'timezone', 'Asia/Tokyo', 't')"
    )
    conn.executemany(
        "INSERT INTO srs_members (guild_id, user_id, timezone, new_per_day, remind_time, "
        "remind_next, updated_at) VALUES (?, ?, ?, 4, '18:00', ?, 't')",
        [
            (g, u, zone, next_at)
            for g, u, zone in [
                (7, 1, "Asia/Tokyo"), (7, 2, "Europe/Paris"), (8, 1, "UTC"), (8, 2, "Asia/Tokyo")
            ]
        ],
    )
    conn.close()

    store = await Store.open(path)
    try:
        rows = await store._fetchall(
            "SELECT guild_id, user_id, timezone, new_per_day, remind_time, remind_next "
            "FROM srs_members ORDER BY guild_id, user_id"
        )
        assert [tuple(r) for r in rows] == [
            (7, 1, None, 4, "18:00", next_at),
            (7, 2, "Europe/Paris", 4, "18:00", next_at),
            (8, 1, None, 4, "18:00", next_at),
            (8, 2, "Asia/Tokyo", 4, "18:00", next_at),
        ]
        followed = await store.review_settings(7, 1)
        assert (followed.timezone, followed.follows_server) == ("Asia/Tokyo", True)
        own = await store.review_settings(8, 2)
        assert (own.timezone, own.follows_server) == ("Asia/Tokyo", False)
    finally:
        await store.close()


async def test_a_review_grades_nothing_once_a_newer_one_started(tmp_path):
    """Starting a review ends the member's earlier ones in that server, and a grade in an
    ended review writes nothing, even when it reaches the store after the replacement."""
    from bot.store import AttemptRequest

    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        await store.sync_builtin_decks([load_deck_text(DECK, "demo.yaml")])
        [qid] = [r[0] for r in await store._fetchall("SELECT id FROM questions WHERE ext_id = 'q1'")]
        old = await store.start_review_session(7, 5, None)
        elsewhere = await store.start_review_session(8, 5, None)  # another server
        theirs = await store.start_review_session(7, 6, None)  # another member
        new = await store.start_review_session(7, 5, None)

        def grade(session: int, guild: int = 7, user: int = 5) -> AttemptRequest:
            return AttemptRequest(guild, user, "m", None, qid, "review", 3, False, True,
                                  review_session_id=session)

        refused = await store.record_attempt(grade(old))
        assert not refused.new
        assert await store._fetchall("SELECT * FROM attempts") == []
        assert await store.card(7, 5, qid) is None
        assert await store._fetchall("SELECT * FROM review_answers") == []

        for session, guild, user in ((new, 7, 5), (elsewhere, 8, 5), (theirs, 7, 6)):
            assert (await store.record_attempt(grade(session, guild, user))).new
        assert not (await store.record_attempt(grade(new))).new  # a repeated click
        card = await store.card(7, 5, qid)
        assert card is not None and card.reps == 1
        ended = {s: await store.review_session(s) for s in (old, elsewhere, theirs, new)}
        assert [s for s, row in ended.items() if row and row.ended_at] == [old]
    finally:
        await store.close()


def test_stored_times_read_back_the_same_either_way():
    """clock.to_db writes with isoformat and clock.from_db reads with fromisoformat: the text
    must be what strftime of the stored format writes, read back as the same aware UTC
    instant as strptime gives, and text of any other shape is refused."""
    from datetime import UTC, datetime, timedelta, timezone

    from bot.clock import from_db, to_db

    for other in ("2026-01-01T10:00:00.000000", "2026-01-01 10:00:00.000000Z",
                  "2026-01-01T10:00:00Z", "2026-01-01T10:00:00.000000+00:00"):
        with pytest.raises(ValueError):
            from_db(other)

    start = datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    for i in range(2000):
        when = (start + timedelta(days=i * 7.3, microseconds=i * 12345)).astimezone(
            timezone(timedelta(hours=(i % 27) - 12))
        )
        text = to_db(when)
        assert text == when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        fast = from_db(text)
        reference = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        assert fast == reference == when
        assert fast.utcoffset() == timedelta(0)


async def test_due_counts_keep_decks_with_the_same_name_apart(tmp_path):
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    store = await Store.open(tmp_path / "r.sqlite3", clock=FixedClock(start))
    try:
        deck = load_deck_text(DECK, "demo.yaml")
        await store.sync_builtin_decks([deck])  # a built-in "Demo" with slug demo
        [builtin] = await store.decks_for_guild(7)
        # the server's own decks: one with the built-in's slug, both with its name
        mine = await store.create_deck(7, "demo", "Demo")
        again = await store.create_deck(7, "demo-2", "Demo")
        await store.add_questions(mine, deck.questions)
        await store.add_questions(again, deck.questions)
        await store.create_deck(8, "demo-3", "Demo")  # another server's: never counted here
        graded = [(builtin.id, 1), (mine, 2), (again, 1)]
        for deck_id, how_many in graded:
            for stored in (await store.questions_in_deck(deck_id))[:how_many]:
                await store.record_attempt(
                    AttemptRequest(7, 5, "alice", None, stored.id, "review", 3, False, False)
                )
        assert await store.due_counts(7, 5, until=start) == []  # nothing due yet
        later = start + timedelta(days=400)
        assert await store.due_counts(7, 5, until=later) == [
            DeckDue(mine, "Demo", "demo", False, 2),
            DeckDue(builtin.id, "Demo", "demo", True, 1),
            DeckDue(again, "Demo", "demo-2", False, 1),
        ]
        assert await store.due_counts(7, 6, until=later) == []  # another member
    finally:
        await store.close()


async def test_a_member_has_at_most_one_current_review_per_server(tmp_path):
    """The database itself refuses a second current review of a member in a server (two
    started at once on a database that does not serialise writes); ended ones may pile up."""
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        await store.start_review_session(7, 5, None)
        await store.start_review_session(7, 5, None)  # ends the first
        with pytest.raises(sqlite3.IntegrityError):
            async with store.transaction() as db:
                await db.execute(
                    "INSERT INTO review_sessions (guild_id, user_id, deck_id, started_at) "
                    "VALUES (7, 5, NULL, '2026-01-01T00:00:00.000000Z')"
                )
        rows = await store._fetchall(
            "SELECT COUNT(*), COUNT(ended_at) FROM review_sessions WHERE guild_id = 7"
        )
        assert tuple(rows[0]) == (2, 1)
    finally:
        await store.close()


def _deck_yaml(slug: str, ids: list[str]) -> str:
    body = "".join(f"  - id: {i}\n    prompt: {i}?\n    answer: {i}.\n" for i in ids)
    return f"slug: {slug}\nname: {slug.title()}\nquestions:\n{body}"


async def test_new_review_cards_take_turns_across_the_enabled_decks(tmp_path):
    """/review's new cards: the 1st question of each enabled deck, then the 2nd, ...; each
    deck in its own order, the server's own decks first at each turn, a removed question
    not counted, another server's deck and a switched-off one never asked."""
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        await store.sync_builtin_decks(
            [
                load_deck_text(_deck_yaml("alpha", ["a1", "a2", "a3"]), "alpha.yaml"),
                load_deck_text(_deck_yaml("beta", ["b1", "b2"]), "beta.yaml"),
                load_deck_text(_deck_yaml("gamma", ["g1"]), "gamma.yaml"),
            ]
        )
        gamma = next(d for d in await store.decks_for_guild(7) if d.slug == "gamma")
        await store.set_deck_enabled(7, gamma.id, False)
        mine = await store.create_deck(7, "mine", "Mine")
        await store.add_questions(
            mine, load_deck_text(_deck_yaml("mine", ["m1", "m2", "m3"]), "m.yaml").questions
        )
        theirs = await store.create_deck(8, "theirs", "Theirs")
        await store.add_questions(
            theirs, load_deck_text(_deck_yaml("theirs", ["t1"]), "t.yaml").questions
        )
        ids = {r[1]: r[0] for r in await store._fetchall("SELECT id, ext_id FROM questions")}
        names = {v: k for k, v in ids.items()}
        await store.remove_question(ids["m2"])

        async def order(user: int, **kw) -> list[str]:
            asked = []
            while (qid := await store.new_question(7, user, **kw)) is not None:
                asked.append(names[qid])
                await store.record_attempt(
                    AttemptRequest(7, user, "m", None, qid, "review", 3, False, True)
                )
            return asked

        assert await store.new_question(7, 5, exclude=(ids["m1"],)) == ids["a1"]
        assert await order(5) == ["m1", "a1", "b1", "m3", "a2", "b2", "a3"]
        assert await order(6, deck_id=mine) == ["m1", "m3"]
        # A member who already knows the start of a deck (from /quiz) gets the others first.
        for ext in ("a1", "a2"):
            await store.record_attempt(AttemptRequest(7, 9, "m", None, ids[ext], "quiz", 3, False, True))
        assert await order(9) == ["m1", "b1", "m3", "b2", "a3"]
    finally:
        await store.close()


async def test_a_message_noted_after_a_member_it_names_hid_waits_to_be_drawn_again(tmp_path):
    """A board read just before a member hid, and noted once Discord had taken it, just
    after: the hide found no message naming them to mark, so the board kept them for good."""
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        await store.set_hidden(1, 8, "eight", True)  # while the board was being sent
        board = ShownMessage(10, 1, 2, "board", 7, "all", "w:2026-11-30", 0)
        await store.record_shown(board, frozenset({7, 8}))
        [waiting] = await store.shown_to_redraw()
        assert waiting.message_id == 10 and waiting.redraw == 1
        await store.record_shown(waiting, frozenset({7}))  # drawn again without them
        assert not await store.shown_to_redraw()
        # the same id hidden in another server is another member
        await store.set_hidden(3, 9, "nine", True)
        await store.record_shown(ShownMessage(11, 1, 2, "stats", 9), frozenset({9}))
        assert not await store.shown_to_redraw()
    finally:
        await store.close()


async def _members(store: Store, guild_id: int, *user_ids: int) -> None:
    """Members on the boards (as a grade leaves them), named by the messages noted."""
    await store.write(
        lambda conn: conn.executemany(
            "INSERT INTO members (guild_id, user_id, display_name, hidden, updated_at) "
            "VALUES (?, ?, ?, 0, '2026-12-01T00:00:00+00:00')",
            [(guild_id, u, f"member{u}") for u in user_ids],
        )
    )


async def test_a_message_noted_after_a_member_it_names_erased_waits_to_be_drawn_again(
    tmp_path,
):
    """A board read just before a member on it erased their data, and noted once Discord had
    taken it: the erase found no message naming them to mark, so the board kept them for
    good. An asker who never answered has no member row either, and is no reason."""
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        await _members(store, 1, 7)  # 8 erased while the board was being sent
        board = ShownMessage(10, 1, 2, "board", 9, "all", "w:2026-11-30", 0)
        assert await store.record_shown(board, frozenset({7, 8, 9}))
        [waiting] = await store.shown_to_redraw()
        assert waiting.message_id == 10 and waiting.redraw == 1
        assert not await store.record_shown(waiting, frozenset({7, 9}))  # drawn without them
        assert not await store.shown_to_redraw()
    finally:
        await store.close()


async def test_a_shown_message_marked_again_while_it_is_drawn_stays_waiting(tmp_path):
    """A member hiding while a message naming members is being drawn again (its names read
    before the change) leaves it waiting for another drawing; a fresh drawing of the
    message (a page click) clears no mark."""
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        await _members(store, 1, 7, 8, 9)
        board = ShownMessage(10, 1, 2, "board", 7, "all", "w:2026-11-30", 0)
        await store.record_shown(board, frozenset({7, 8}))
        assert not await store.shown_to_redraw()
        await store.set_hidden(1, 8, "eight", True)
        [waiting] = await store.shown_to_redraw()
        assert waiting.redraw == 1 and waiting.asker_id == 7
        await store.set_hidden(1, 7, "seven", True)  # while it is drawn without eight
        await store.record_shown(waiting, frozenset({7}))
        [still] = await store.shown_to_redraw()
        assert still.redraw == 2
        await store.record_shown(board, frozenset({9}))  # paged by its asker meanwhile
        assert [m.redraw for m in await store.shown_to_redraw()] == [2]
        await store.record_shown(still, frozenset({9}))
        assert not await store.shown_to_redraw()
        # another server's member of the same id is someone else: nothing is marked
        await store.set_hidden(3, 9, "nine", True)
        assert not await store.shown_to_redraw()
        await store.forget_shown(10)
        assert await store._fetchall("SELECT * FROM shown_names") == []
    finally:
        await store.close()


async def test_questions_are_read_together_in_the_order_asked(tmp_path):
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        deck_id = await store.create_deck(1, "d", "Deck")
        await store.add_questions(deck_id, load_deck_text(DECK, "demo.yaml").questions)
        ids = [r["id"] for r in await store._fetchall("SELECT id FROM questions ORDER BY id")]
        found = await store.questions([ids[1], 999_999, ids[0], ids[1]])
        assert [sq.id for sq in found] == [ids[1], ids[0]]
        one = [await store.question(i) for i in (ids[1], ids[0])]
        assert found == one  # the same as read one by one, tags and deck included
        assert found[1].question.tags == ["a", "b"] and found[0].deck_slug == "d"
        assert await store.questions([]) == []
    finally:
        await store.close()


async def test_a_members_posted_boards_are_found_by_an_index_when_they_erase(tmp_path):
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        for sql in (
            "SELECT 1 FROM shown_messages WHERE guild_id = 1 AND asker_id = 2",
            "UPDATE shown_messages SET asker_id = 0 WHERE guild_id = 1 AND asker_id = 2",
        ):
            plan = " ".join(str(tuple(r)) for r in await store._fetchall(f"EXPLAIN QUERY PLAN {sql}"))
            assert "shown_messages_asker" in plan, plan
    finally:
        await store.close()


async def test_tags_read_back_in_the_order_they_were_given(tmp_path):
    """Tags are shown, edited and exported in the order the moderator gave them (the first
    is usually the main topic), not alphabetically; an edit that reorders them keeps that."""
    from bot.questions import Question

    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        deck_id = await store.create_deck(1, "d", "D")
        given = Question(id="q", prompt="Which?", answer="That.", tags=["zeta", "alpha", "mid"])
        await store.add_questions(deck_id, [given])
        [stored] = await store.questions_in_deck(deck_id)
        assert stored.question.tags == ["zeta", "alpha", "mid"]
        assert (await store.questions([stored.id]))[0].question.tags == ["zeta", "alpha", "mid"]
        edited = await store.edit_question(
            stored.id, lambda q: q.model_copy(update={"tags": ["mid", "zeta"]})
        )
        assert edited.tags == ["mid", "zeta"]
        [again] = await store.questions_in_deck(deck_id)
        assert again.question.tags == ["mid", "zeta"]
    finally:
        await store.close()


async def test_closing_waits_for_a_transaction_still_open(tmp_path):
    """Work still running as the bot stops (a form handled just then) finishes its write:
    the store is closed after it, not under it (which failed with a raw error)."""
    store = await Store.open(tmp_path / "r.sqlite3")
    entered, closing = asyncio.Event(), asyncio.Event()

    async def late_write() -> None:
        async with store.transaction() as db:
            entered.set()
            await closing.wait()
            await db.execute(
                "INSERT INTO form_drafts (token, guild_id, user_id, why, created_at) "
                "VALUES ('t', 1, 2, 'kept', '2026-01-01T00:00:00')"
            )

    writing = asyncio.create_task(late_write())
    await entered.wait()
    close = asyncio.create_task(store.close())
    await asyncio.sleep(0.05)
    closing.set()
    await writing
    await close
    with sqlite3.connect(tmp_path / "r.sqlite3") as conn:
        assert conn.execute("SELECT why FROM form_drafts").fetchall() == [("kept",)]
    conn.close()


async def test_a_full_disk_met_inside_a_transaction_is_explained_and_undone(tmp_path):
    """SQLite's 'database or disk is full' met by a statement inside ``transaction()`` (not
    at its COMMIT) comes out as the store's own error saying what to do, as it does from
    ``write``, and nothing of the transaction is kept."""
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        # The file may not grow past the pages it has: the next big insert fills it.
        [(pages,)] = await store._writer.execute_fetchall("PRAGMA page_count")
        await store._writer.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreError) as caught:
            async with store.transaction() as db:
                await db.execute(
                    "INSERT INTO form_drafts (token, guild_id, user_id, why, created_at) "
                    "VALUES ('small', 1, 2, 'x', '2026-01-01T00:00:00')"
                )
                await db.execute(
                    "INSERT INTO form_drafts (token, guild_id, user_id, why, created_at) "
                    "VALUES ('big', 1, 2, ?, '2026-01-01T00:00:00')",
                    ("x" * 1_000_000,),
                )
        assert caught.value.kind == "full"
        assert str(caught.value).endswith("is full: free some space")
        await store._writer.execute("PRAGMA max_page_count = 1073741823")
        assert await store._fetchall("SELECT token FROM form_drafts") == []
        async with store.transaction() as db:  # the writer is usable again
            await db.execute(
                "INSERT INTO form_drafts (token, guild_id, user_id, why, created_at) "
                "VALUES ('after', 1, 2, 'x', '2026-01-01T00:00:00')"
            )
    finally:
        await store.close()


async def test_a_graded_card_comes_with_why_review_no_longer_asks_it(tmp_path):
    """After a grade in /review, one read gives the member's card and why the question is
    not asked any more in that server: its question or deck removed, or the deck off there
    (in that server only)."""
    from bot.questions import Question

    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        deck = await store.create_deck(7, "mine", "Mine")
        await store.sync_builtin_decks([load_deck_text(DECK, "demo.yaml")])
        [q1, q2] = [
            r[0] for r in await store._fetchall("SELECT id FROM questions ORDER BY ext_id")
        ]
        session = await store.start_review_session(7, 5, None)
        graded = AttemptRequest(7, 5, "m", None, q1, "review", 3, False, True,
                                review_session_id=session)
        assert (await store.record_attempt(graded)).new
        card, why_not = await store.graded_card(7, 5, q1)
        assert card == await store.card(7, 5, q1) and card is not None and why_not is None
        assert await store.graded_card(7, 6, q1) == (None, None)  # another member: no card
        assert await store.graded_card(7, 5, 10**9) == (None, None)  # no such question

        [demo] = [d.id for d in await store.decks_for_guild(7) if d.slug == "demo"]
        await store.set_deck_enabled(7, demo, False)
        assert await store.graded_card(7, 5, q1) == (card, "deck off")
        assert (await store.graded_card(8, 5, q1))[1] is None  # on in another server
        assert await store.remove_question(q2)
        assert await store.graded_card(7, 5, q2) == (None, "question removed")

        await store.add_questions(deck, [Question(id="m", prompt="Mine?", answer="M.")])
        [mine] = [r[0] for r in await store._fetchall("SELECT id FROM questions WHERE ext_id = 'm'")]
        assert await store.remove_deck(7, deck)
        assert await store.graded_card(7, 5, mine) == (None, "deck removed")
    finally:
        await store.close()
