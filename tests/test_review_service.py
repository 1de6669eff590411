"""What a review reminder says about the decks cards are due in, and the Anki export."""

import asyncio
import io
import json
import re
import sqlite3
import tempfile
import zipfile
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import genanki
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.clock import FixedClock, to_db
from bot.decks import load_deck_text
from bot.errors import OptionGone
from bot.questions import Option, Question
from bot.quiz import Rating, option_fingerprint
from bot.review_service import (
    OPTION_CHANGED,
    DueToday,
    ReviewService,
    Summary,
    day_zone,
    due_by_deck,
    other_zones_text,
    reminder_text,
)
from bot.schedule import ScheduleSpec, slot_for_date
from bot.store import AttemptRequest, DeckDue, Reminder, Store

#: the line that ends every reminder
STOP = "\n-# To stop these reminders, run `/review remind time:off` there."


def test_each_deck_is_named_once_with_its_count() -> None:
    counts = [DeckDue(3, "Flask", "flask", True, 4), DeckDue(9, "SQL basics", "sql", False, 1)]
    assert due_by_deck(counts) == "4 in Flask, 1 in SQL basics"


def test_decks_sharing_a_name_are_told_apart_by_slug_and_kind() -> None:
    counts = [
        DeckDue(12, "Python", "python", False, 3),
        DeckDue(2, "Python", "python", True, 2),
        DeckDue(15, "Python", "python-2", False, 2),
        DeckDue(9, "SQL", "sql", False, 1),
    ]
    assert due_by_deck(counts) == (
        "3 in Python (`python`), 2 in Python (built-in, `python`), "
        "2 in Python (`python-2`), 1 in SQL"
    )


def test_names_that_differ_only_in_case_or_spacing_count_as_the_same() -> None:
    counts = [DeckDue(1, "Python ", "py", False, 1), DeckDue(2, "python", "python", False, 1)]
    assert due_by_deck(counts) == "1 in Python (`py`), 1 in python (`python`)"


def test_a_built_in_deck_whose_slug_the_server_took_is_named_by_its_key() -> None:
    """The slug ``python`` picks the server's own deck, so the built-in one is named by the
    key members can pick it by."""
    counts = [DeckDue(12, "Python", "python", False, 3), DeckDue(2, "Python", "python", True, 2)]
    assert due_by_deck(counts, {12: "python", 2: "2"}) == (
        "3 in Python (`python`), 2 in Python (built-in, `2`)"
    )


def test_deck_names_go_through_the_given_escape_but_keys_do_not() -> None:
    counts = [DeckDue(12, "*x*", "x", False, 3), DeckDue(2, "*X*", "x", True, 2)]
    assert due_by_deck(counts, {12: "x", 2: "2"}, escape=lambda s: s.replace("*", "\\*")) == (
        "3 in \\*x\\* (`x`), 2 in \\*X\\* (built-in, `2`)"
    )


def test_decks_beyond_the_room_given_are_counted_not_cut() -> None:
    counts = [DeckDue(i, name, f"d{i}", False, 1) for i, name in enumerate(["A", "B", "C" * 20])]
    assert due_by_deck(counts, limit=41) == "1 in A, 1 in B, 1 in " + "C" * 20
    assert due_by_deck(counts, limit=35) == "1 in A, 1 in B, and 1 more deck"
    assert due_by_deck(counts, limit=30) == "1 in A, and 2 more decks"
    assert due_by_deck(counts, limit=5) == "3 more decks"


def test_a_reminder_says_which_cards_are_due_now_and_when_the_others_come_due() -> None:
    counts = [DeckDue(1, "Flask", "flask", True, 3), DeckDue(2, "SQL", "sql", True, 2)]
    later = datetime(2026, 3, 2, 19, 30, tzinfo=UTC)
    mark = f"<t:{int(later.timestamp())}:t>"
    assert reminder_text(DueToday(counts, 5, None), " on Club", "3 in Flask, 2 in SQL", "UTC") == (
        "📚 5 cards are due on Club: 3 in Flask, 2 in SQL. Run `/review start` there to go "
        "over them." + STOP
    )
    assert reminder_text(
        DueToday(counts, 2, later), " on Club", "3 in Flask, 2 in SQL", "Europe/Paris"
    ) == (
        "📚 5 cards are due on Club by midnight in Europe/Paris: 3 in Flask, 2 in SQL. 2 of them "
        "now, the others "
        f"from {mark}: run `/review start` there to go over them." + STOP
    )
    assert reminder_text(
        DueToday(counts, 0, later), " on Club", "3 in Flask, 2 in SQL", day_zone("UTC", True)
    ) == (
        "📚 5 cards come due on Club by midnight in UTC, the server's zone: 3 in Flask, "
        "2 in SQL. The first is due at "
        f"{mark}: run `/review start` there from then." + STOP
    )


def test_a_reminder_of_one_card_due_speaks_of_it_not_them() -> None:
    counts = [DeckDue(1, "Flask", "flask", True, 1)]
    assert reminder_text(DueToday(counts, 1, None), " on Club", "1 in Flask", "UTC") == (
        "📚 1 card is due on Club: 1 in Flask. Run `/review start` there to go over it." + STOP
    )


def test_a_reminder_counts_thousands_of_cards_by_thousands() -> None:
    """A backlog of 1200 cards read "📚 1200 cards are due ... 1000 of them now": every count
    in a reminder is grouped by thousands."""
    counts = [DeckDue(1, "Flask", "flask", True, 1000), DeckDue(2, "SQL", "sql", True, 200)]
    assert due_by_deck(counts) == "1,000 in Flask, 200 in SQL"
    later = datetime(2026, 3, 2, 19, 30, tzinfo=UTC)
    text = reminder_text(DueToday(counts, 1000, later), " on Club", "decks", "UTC")
    assert text.startswith("📚 1,200 cards are due on Club by midnight in UTC: decks. 1,000 of ")
    assert reminder_text(DueToday(counts, 1200, None), "", "decks", "UTC").startswith(
        "📚 1,200 cards are due: decks."
    )
    assert reminder_text(DueToday(counts, 0, later), "", "decks", "UTC").startswith(
        "📚 1,200 cards come due by midnight"
    )


ZONES = [
    "UTC",
    "Europe/London",
    "America/New_York",
    "America/Santiago",  # midnight skipped when summer time starts
    "Australia/Lord_Howe",  # half-hour shift
    "Asia/Kathmandu",
    "Pacific/Apia",  # a whole day skipped in 2011
]


@settings(max_examples=40, deadline=None)
@given(
    due_minutes=st.integers(0, 60 * 24 * 365 * 16),
    zone=st.sampled_from(ZONES),
    remind_minute=st.integers(0, 24 * 60 - 1),
)
def test_the_reminder_of_the_day_a_card_comes_due_tells_of_it(
    due_minutes: int, zone: str, remind_minute: int
) -> None:
    """Whatever the reminder's time and the member's zone (DST days too), the reminder on the
    local day a card comes due counts it, due now or later that day, and the day before's
    does not: no card waits a day past its due time for its reminder."""
    tz = ZoneInfo(zone)
    due = datetime(2010, 1, 1, tzinfo=UTC) + timedelta(minutes=due_minutes)
    spec = ScheduleSpec(
        local_time=time(remind_minute // 60, remind_minute % 60), days=range(7), zone=zone
    )
    day = due.astimezone(tz).date()
    today, before = slot_for_date(spec, day), slot_for_date(spec, day - timedelta(days=1))
    assume(today is not None and before is not None)
    assert today is not None and before is not None

    async def told() -> tuple[DueToday, DueToday]:
        with tempfile.TemporaryDirectory() as tmp:
            store = await Store.open(Path(tmp) / "r.sqlite3", clock=FixedClock(due))
            try:
                deck_id = await store.create_deck(7, "mine", "Mine")
                await store.add_questions(deck_id, [Question(id="q", prompt="P?", answer="A.")])
                [stored] = await store.questions_in_deck(deck_id)
                await store.write(
                    lambda conn: conn.execute(
                        "INSERT INTO srs_cards (guild_id, user_id, question_id, state, step, "
                        "stability, difficulty, due, last_review, reps, lapses, introduced_at, "
                        "introduced_by) VALUES (7, 5, ?, 2, NULL, 3.0, 5.0, ?, ?, 1, 0, ?, 'quiz')",
                        (stored.id, to_db(due), to_db(due - timedelta(days=3)), to_db(due)),
                    )
                )
                service = ReviewService(store)
                return (
                    await service.due_today(7, 5, zone, today.at_utc),
                    await service.due_today(7, 5, zone, before.at_utc),
                )
            finally:
                await store.close()

    on_the_day, day_before = asyncio.run(told())
    assert on_the_day.total == 1 and day_before.total == 0
    if due <= today.at_utc:
        assert on_the_day.due_now == 1 and on_the_day.first_later is None
    else:
        assert on_the_day.due_now == 0 and on_the_day.first_later == due


# --- the Anki export ---------------------------------------------------------------------------


CLOCK = FixedClock(datetime(2026, 3, 2, tzinfo=UTC))

DEMO = """\
slug: demo
name: Demo
questions:
  - id: q1
    prompt: First?
    answer: One.
  - id: q2
    prompt: Second?
    answer: Two.
"""


def _anki_notes(data: bytes, tmp_path: Path) -> list[tuple[str, list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as apkg:
        (tmp_path / "collection.anki2").write_bytes(apkg.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        rows = conn.execute("SELECT guid, flds FROM notes ORDER BY id").fetchall()
    finally:
        conn.close()
    return [(str(g), str(f).split("\x1f")) for g, f in rows]


async def _graded(store: Store, deck_id: int) -> None:
    for stored in await store.questions_in_deck(deck_id):
        await store.record_attempt(
            AttemptRequest(7, 5, "alice", None, stored.id, "review", 3, False, False)
        )


async def _exported_fields(tmp_path: Path, question: Question) -> list[str]:
    """The Anki fields of a question graded by a member and exported."""
    store = await Store.open(tmp_path / "r.sqlite3", clock=CLOCK)
    try:
        deck_id = await store.create_deck(7, "mine", "Mine")
        await store.add_questions(deck_id, [question])
        await _graded(store, deck_id)
        data = await ReviewService(store).export_apkg(7, 5, "Study group")
    finally:
        await store.close()
    [(_, fields)] = _anki_notes(data, tmp_path)
    return fields


async def test_anki_notes_carry_why_and_keep_line_breaks(tmp_path: Path) -> None:
    question = Question(
        id="q",
        prompt="What does `a < b & c` do?",
        why="Checks <precedence> & operators.\nAnd a second line.",
        key_points=["first point", "second point\n  goes on here", "a <tag> & more"],
        answer="It compares.\nThen it ands.",
        options=[{"text": "x < y", "correct": True}, {"text": "y & z"}],
    )
    front, answer, points, deck = await _exported_fields(tmp_path, question)
    assert front.startswith("What does <code>a &lt; b &amp; c</code> do?")
    assert "<li>x &lt; y</li><li>y &amp; z</li>" in front
    assert answer.startswith("<b>x &lt; y</b><br><br>It compares.<br>Then it ands.")
    # "Why it is asked" is on the back, escaped, its line breaks kept
    assert "Checks &lt;precedence&gt; &amp; operators.<br>And a second line." in answer
    # a key point's continuation line stays a line of its own
    assert points == (
        "<ul><li>first point</li><li>second point<br>  goes on here</li>"
        "<li>a &lt;tag&gt; &amp; more</li></ul>"
    )
    assert deck == "Mine"


async def test_anki_notes_keep_code_blocks_and_their_indentation(tmp_path: Path) -> None:
    """Code as Discord shows it (fenced blocks, `spans`) stays code in Anki: a block keeps
    its indentation, which HTML would otherwise fold away, and loses its fence lines."""
    question = Question(
        id="q",
        prompt="What does this print?\n```python\nfor i in range(2):\n    print(i < 1)\n```",
        answer="It prints `True` then ``False``.\n~~~\n  a\n~~~\nNot ```code``` here.",
    )
    front, answer, _, _ = await _exported_fields(tmp_path, question)
    assert front == (
        "What does this print?<pre><code>for i in range(2):\n    print(i &lt; 1)</code></pre>"
    )
    assert answer == (
        "It prints <code>True</code> then <code>False</code>."
        "<pre><code>  a</code></pre>Not <code>code</code> here."
    )


async def test_a_server_name_with_double_colons_is_one_anki_deck(tmp_path: Path) -> None:
    """Anki makes "A::B" a deck B inside a deck A: the export's deck keeps one level."""
    store = await Store.open(tmp_path / "r.sqlite3", clock=CLOCK)
    try:
        deck_id = await store.create_deck(7, "mine", "Mine")
        await store.add_questions(deck_id, [Question(id="q", prompt="P?", answer="A.")])
        await _graded(store, deck_id)
        data = await ReviewService(store).export_apkg(7, 5, "Maths::Algebra:::Groups")
        with zipfile.ZipFile(io.BytesIO(data)) as apkg:
            (tmp_path / "collection.anki2").write_bytes(apkg.read("collection.anki2"))
        conn = sqlite3.connect(tmp_path / "collection.anki2")
        try:
            [(decks,)] = conn.execute("SELECT decks FROM col").fetchall()
        finally:
            conn.close()
        names = {d["name"] for d in json.loads(decks).values()}
        assert "Recall — Maths:Algebra:Groups" in names, names
        assert not any("::" in n for n in names), names
    finally:
        await store.close()


async def test_anki_notes_of_decks_sharing_a_slug_and_ids_are_kept_apart(tmp_path: Path) -> None:
    """A server's own deck with a built-in deck's slug and its questions (an export of the
    built-in deck imported into it): Anki takes notes with the same guid for one note, so
    every card needs a guid of its own. The built-in deck's notes keep theirs."""
    store = await Store.open(tmp_path / "r.sqlite3", clock=CLOCK)
    try:
        deck = load_deck_text(DEMO, "demo.yaml")
        await store.sync_builtin_decks([deck])
        [builtin] = await store.decks_for_guild(7)
        mine = await store.create_deck(7, "demo", "My demo")
        await store.add_questions(mine, deck.questions)
        await _graded(store, builtin.id)
        await _graded(store, mine)
        data = await ReviewService(store).export_apkg(7, 5, "Study group")
        notes = _anki_notes(data, tmp_path)
        assert len(notes) == 4
        assert len({guid for guid, _ in notes}) == 4
        by_deck = {(fields[0], fields[3]): guid for guid, fields in notes}
        assert by_deck[("First?", "Demo")] == genanki.guid_for("recall", "demo", "q1")
        assert by_deck[("Second?", "Demo")] == genanki.guid_for("recall", "demo", "q2")
        # the same again: a second export updates the same notes in Anki
        assert _anki_notes(await ReviewService(store).export_apkg(7, 5, "x"), tmp_path) == notes
    finally:
        await store.close()


async def test_a_card_whose_question_was_removed_is_not_shown_again(tmp_path: Path) -> None:
    """After a click on out-of-date buttons the card is shown again as it now is, unless its
    question has been removed since: the review then goes on to its next card."""
    store = await Store.open(tmp_path / "r.sqlite3", clock=CLOCK)
    try:
        deck_id = await store.create_deck(7, "mine", "Mine")
        await store.add_questions(deck_id, [Question(id="q", prompt="P?", answer="A.")])
        [stored] = await store.questions_in_deck(deck_id)
        service = ReviewService(store)
        session = await store.start_review_session(7, 5, None)
        assert await service.current(session, 5, stored.id) is not None
        assert await store.remove_question(stored.id)
        assert await service.current(session, 5, stored.id) is None
    finally:
        await store.close()


# --- a multiple-choice grade is checked in the write that records it ---------------------------


async def test_an_option_edited_away_just_before_the_grade_is_written_is_not_graded(
    tmp_path: Path, monkeypatch
) -> None:
    """A moderator's edit saved after the click was read but before its grade is written:
    the option is checked against the question as read in the grade's own write, so the
    click is refused (OptionGone, nothing written) instead of graded against options the
    question no longer has."""
    store = await Store.open(tmp_path / "r.sqlite3", clock=CLOCK)
    try:
        deck_id = await store.create_deck(7, "mine", "Mine")
        mc = Question(
            id="mc",
            prompt="Which converter matches a path with slashes?",
            answer="`path`.",
            options=[{"text": "string"}, {"text": "path", "correct": True}],
        )
        await store.add_questions(deck_id, [mc])
        [stored] = await store.questions_in_deck(deck_id)
        service = ReviewService(store)
        session = await store.start_review_session(7, 5, None)
        edited = mc.model_copy(
            update={"options": [Option(text="string", correct=True), Option(text="any")]}
        )

        write = store.write_batched

        async def edit_then_write(apply, item):
            # The edit lands between the service's reads and the grade's write.
            monkeypatch.setattr(store, "write_batched", write)
            await store.update_question(stored.id, edited)
            return await write(apply, item)

        monkeypatch.setattr(store, "write_batched", edit_then_write)
        with pytest.raises(OptionGone) as refused:
            await service.grade(
                session,
                5,
                "alice",
                stored.id,
                Rating.good,
                option=1,
                fingerprint=option_fingerprint("path"),
            )
        assert str(refused.value) == OPTION_CHANGED and refused.value.redraw
        assert (await store._fetchone("SELECT COUNT(*) FROM attempts"))[0] == 0
        assert await store.card(7, 5, stored.id) is None
        assert await store.session_answers(session) == []

        # The button drawn for the question as it now is grades.
        result, question = await service.grade(
            session,
            5,
            "alice",
            stored.id,
            Rating.good,
            option=0,
            fingerprint=option_fingerprint("string"),
        )
        assert result.new and result.correct and result.option_index == 0
        assert [o.text for o in question.question.options] == ["string", "any"]
    finally:
        await store.close()


def test_other_zones_name_whole_servers_and_count_those_beyond_the_room_given() -> None:
    def reminder(guild_id: int) -> Reminder:
        return Reminder(guild_id, 5, "Europe/Paris", "07:00", datetime(2026, 2, 2, tzinfo=UTC))

    assert other_zones_text([], 500) == ""
    two = other_zones_text([("A", reminder(1)), ("B", reminder(2))], 500)
    assert "on **A** (07:00 Europe/Paris) and **B** (07:00 Europe/Paris) still follow" in two
    many = other_zones_text([(f"Server {i}", reminder(i)) for i in range(60)], 500)
    assert len(many) <= 500
    assert many.startswith("Your review settings are per server, and your reminders on **Server 0**")
    assert re.search(r"\(07:00 Europe/Paris\), and \d+ more servers still follow those zones", many)


def test_a_reminder_with_one_card_not_due_yet_speaks_of_it_alone() -> None:
    counts = [DeckDue(1, "Flask", "flask", True, 2)]
    later = datetime(2026, 3, 2, 19, 30, tzinfo=UTC)
    mark = f"<t:{int(later.timestamp())}:t>"
    assert reminder_text(DueToday(counts, 1, later), " on Club", "2 in Flask", "UTC") == (
        f"📚 2 cards are due on Club by midnight in UTC: 2 in Flask. 1 of them now, the other at {mark}: "
        "run `/review start` there to go over them." + STOP
    )


def test_every_reminder_says_how_to_stop_reminders() -> None:
    counts = [DeckDue(1, "Flask", "flask", True, 2)]
    later = datetime(2026, 3, 2, 19, 30, tzinfo=UTC)
    for due in (DueToday(counts, 2, None), DueToday(counts, 1, later), DueToday(counts, 0, later)):
        text = reminder_text(due, " on Club", "2 in Flask", "UTC")
        assert text.endswith("\n-# To stop these reminders, run `/review remind time:off` there."), text


def test_one_card_due_in_the_other_decks_is_spoken_of_as_it() -> None:
    from cogs.review import summary_message

    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    for elsewhere, told in (
        (1, "1 card is due now in your other decks: `/review start` goes over it."),
        (2, "2 cards are due now in your other decks: `/review start` goes over them."),
    ):
        summary = Summary(1, 0, None, one_deck=True, due_elsewhere=elsewhere)
        text = summary_message(summary, now).description or ""
        assert text.endswith("\n" + told), text


def test_a_card_come_due_during_the_review_is_not_called_one_the_member_answered() -> None:
    """The earliest card due is due now, but none of those answered in the session is (one
    came due while the member reviewed): it is not "a card you answered"."""
    from cogs.review import summary_message

    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    for due_again, told in (
        (0, "More cards came due while you reviewed: run `/review start` to go over them."),
        (1, "A card you answered is due again now: run `/review start` to go over it."),
    ):
        summary = Summary(1, 0, now - timedelta(minutes=1), due_again=due_again)
        text = summary_message(summary, now).description or ""
        assert text.endswith("\n" + told), text
