"""The question bank on a real SQLite file: imports all or nothing, the malformed corpus leaves
the database byte-for-byte unchanged, and export -> import through storage keeps a deck."""

from __future__ import annotations

import asyncio
import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from test_exporters import PROPERTY_SETTINGS, question_lists

import bot.store.bank as bank_store
from bot.bank import BankService, ImportRefused
from bot.clock import FixedClock
from bot.errors import NamedError, UserError
from bot.exporters import EXPORT_EXTENSIONS, export_questions
from bot.questions import Question
from bot.store import AttemptRequest, Store

MALFORMED = Path(__file__).parent / "data" / "malformed"
GUILD = 42

GOOD_YAML = b"""\
questions:
  - prompt: What is WSGI?
    answer: A calling convention between web servers and Python apps.
  - prompt: What is ASGI?
    answer: The asynchronous successor of WSGI.
    tags: [async]
"""


async def db_hash(store: Store) -> str:
    """The database file's bytes after a full checkpoint (nothing left in the WAL)."""
    async with store._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cur:
        row = await cur.fetchone()
    assert row is not None and row[0] == 0  # not busy
    return await asyncio.to_thread(_file_hash, store.path)


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes())
    wal = Path(str(path) + "-wal")
    if wal.exists():
        digest.update(wal.read_bytes())
    return digest.hexdigest()


@pytest.fixture
async def store(tmp_path: Path):
    s = await Store.open(tmp_path / "bank.sqlite3")
    try:
        yield s
    finally:
        await s.close()


async def test_every_malformed_file_is_refused_and_the_database_is_unchanged(store: Store):
    service = BankService(store)
    deck = await store.create_custom_deck(GUILD, "Corpus", "", 1)
    await store.insert_questions(deck.id, [Question(id="x", prompt="Kept?", answer="Yes.")])
    entries: list[dict[str, Any]] = yaml.safe_load((MALFORMED / "manifest.yaml").read_text())
    assert len(entries) >= 50
    before = await db_hash(store)
    for entry in entries:
        path = MALFORMED / entry["file"]
        with pytest.raises(ImportRefused) as refused:
            await service.preview_import(
                guild_id=GUILD, deck=deck, user_id=1, data=path.read_bytes(), filename=path.name
            )
        message = str(refused.value)
        assert message.startswith("Nothing was imported") or "too big" in message, entry["file"]
        assert entry["error"].lower() in message.lower() or any(
            entry["error"].lower() in e.lower() for e in refused.value.errors
        ), (entry["file"], message)
        if entry["line"] is not None:
            assert f"line {entry['line']}" in message, (entry["file"], message)
        assert await db_hash(store) == before, f"{entry['file']} changed the database"


async def test_import_session_is_all_or_nothing(store: Store, monkeypatch: pytest.MonkeyPatch):
    service = BankService(store)
    deck = await store.create_custom_deck(GUILD, "Atomic", "", 1)
    preview = await service.preview_import(
        guild_id=GUILD, deck=deck, user_id=7, data=GOOD_YAML, filename="two.yaml"
    )
    assert [q.prompt for q in preview.questions] == ["What is WSGI?", "What is ASGI?"]
    real = bank_store._upsert_questions
    calls = 0

    async def failing(db: Any, deck_id: int, questions: Any, now: str, **kw: Any) -> Any:
        nonlocal calls
        calls += 1
        await real(db, deck_id, questions, now, **kw)  # rows written inside the transaction...
        raise OSError("disk went away")  # ...then a failure: everything is rolled back

    monkeypatch.setattr(bank_store, "_upsert_questions", failing)
    before = await db_hash(store)
    with pytest.raises(OSError):
        await store.finish_import_session(preview.session_id, 7, accept=True)
    assert calls == 1
    assert await db_hash(store) == before
    session = await store.import_session(preview.session_id)
    assert session is not None and session.state == "pending"

    monkeypatch.setattr(bank_store, "_upsert_questions", real)
    with pytest.raises(UserError, match="Only the moderator who uploaded"):
        await store.finish_import_session(preview.session_id, 8, accept=True)
    placed = await store.finish_import_session(preview.session_id, 7, accept=True)
    assert len(placed.questions) == 2
    assert len(await store.questions_in_deck(deck.id)) == 2
    with pytest.raises(UserError, match="already imported"):
        await store.finish_import_session(preview.session_id, 7, accept=True)


async def test_expired_preview_and_removed_deck(tmp_path: Path):
    from datetime import UTC, datetime

    clock = FixedClock(datetime(2025, 3, 1, 12, tzinfo=UTC))
    store = await Store.open(tmp_path / "x.sqlite3", clock=clock)
    try:
        service = BankService(store)
        deck = await store.create_custom_deck(GUILD, "Later", "", 1)
        first = await service.preview_import(
            guild_id=GUILD, deck=deck, user_id=7, data=GOOD_YAML, filename="a.yaml"
        )
        clock.advance(hours=25)
        with pytest.raises(UserError, match="expired"):
            await store.finish_import_session(first.session_id, 7, accept=True)
        second = await service.preview_import(
            guild_id=GUILD, deck=deck, user_id=7, data=GOOD_YAML, filename="a.yaml"
        )
        # The expired session lost its questions when the new one was made; its id stays taken.
        expired = await store.import_session(first.session_id)
        assert expired is not None and expired.state == "expired" and expired.questions == []
        assert second.session_id != first.session_id
        # Marked expired by then, it says so as before it was marked, with what to do.
        with pytest.raises(UserError, match=r"^This preview has expired; nothing was imported\. Upload"):
            await store.finish_import_session(first.session_id, 7, accept=True)
        assert await store.remove_deck(GUILD, deck.id)
        with pytest.raises(UserError, match="removed"):
            await store.finish_import_session(second.session_id, 7, accept=True)
        assert await store.questions_in_deck(deck.id) == []
    finally:
        await store.close()


async def test_removed_questions_keep_their_row_and_id(store: Store):
    deck = await store.create_custom_deck(GUILD, "Keep", "", 1)
    q = Question(id="wsgi", prompt="What is WSGI?", answer="A protocol.")
    qid = await store.add_question(deck.id, q)
    assert await store.remove_question(qid)
    assert not await store.remove_question(qid)
    # The same prompt may come back, as a new question with a new id: history stays apart.
    again = await store.add_question(deck.id, q)
    assert again != qid
    old, new = await store.question(qid), await store.question(again)
    assert old is not None and old.removed and old.question.id == "wsgi"
    assert new is not None and not new.removed and new.question.id == "wsgi-2"


async def test_an_edit_starts_from_the_question_as_saved_and_a_refused_one_writes_nothing(
    store: Store,
):
    deck = await store.create_custom_deck(GUILD, "Edits", "", 1)
    q = Question(id="wsgi", prompt="What is WSGI?", answer="A protocol.", tags=["web", "py"])
    qid = await store.add_question(deck.id, q)
    await store.update_question(qid, q.model_copy(update={"why": "Servers speak it."}))
    seen: list[Question] = []

    def change(current: Question) -> Question:
        seen.append(current)
        return current.model_copy(update={"answer": "A calling convention."})

    written = await store.edit_question(qid, change)
    assert seen == [q.model_copy(update={"why": "Servers speak it.", "tags": ["web", "py"]})]
    after = await store.question(qid)
    assert after is not None and after.question == written
    assert written.answer == "A calling convention." and written.why == "Servers speak it."

    def refuse(current: Question) -> Question:
        raise UserError("no")

    before = await db_hash(store)
    with pytest.raises(UserError):
        await store.edit_question(qid, refuse)
    assert await db_hash(store) == before


async def test_an_edit_that_keeps_the_prompt_is_not_refused_for_a_question_alike_since(
    store: Store,
):
    """Two questions of a deck that were told apart when added, and that duplicate
    detection now takes for one (it came to ignore Markdown emphasis): an edit of one's
    answer keeps its prompt, so it is saved; changing a prompt into the other's is refused."""
    deck = await store.create_custom_deck(GUILD, "Alike", "", 1)
    plain = Question(id="plain", prompt="What is Flask?", answer="A framework.")
    bold = Question(id="bold", prompt="What is **Flask**?", answer="A micro framework.")
    other = Question(id="other", prompt="What is WSGI?", answer="A protocol.")
    # As an older version, which counted the asterisks, stored them: no check on the way.
    await store.add_questions(deck.id, [plain, bold, other])
    ids = {sq.question.id: sq.id for sq in await store.questions_in_deck(deck.id)}

    written = await store.edit_question(
        ids["bold"], lambda current: current.model_copy(update={"answer": "A WSGI framework."})
    )
    assert written.answer == "A WSGI framework." and written.prompt == "What is **Flask**?"
    with pytest.raises(UserError, match="already asks that"):
        await store.edit_question(
            ids["other"], lambda current: current.model_copy(update={"prompt": "What is Flask"})
        )


async def test_a_restored_question_is_the_same_row_with_its_history(store: Store):
    """/question restore brings back the row /question remove marked: same id, same
    grades; a question not removed, or whose deck was removed, is not written."""
    deck = await store.create_custom_deck(GUILD, "Restore", "", 1)
    wsgi = Question(id="wsgi", prompt="What is WSGI?", answer="A.")
    qid = await store.add_question(deck.id, wsgi)
    await store.record_attempt(AttemptRequest(GUILD, 5, "m", None, qid, "review", 3, False, True))
    assert await store.remove_question(qid)
    before = await db_hash(store)
    assert await store.restore_question(qid)
    back = await store.question(qid)
    assert back is not None and not back.removed and back.question.id == "wsgi"
    assert [sq.id for sq in await store.questions_in_deck(deck.id)] == [qid]
    graded = await store._fetchone("SELECT COUNT(*) FROM attempts WHERE question_id = ?", (qid,))
    assert graded is not None and graded[0] == 1
    assert await db_hash(store) != before
    # Not removed (restored twice, say): nothing is written.
    before = await db_hash(store)
    assert not await store.restore_question(qid)
    assert await db_hash(store) == before
    # Its deck removed since: refused, nothing written.
    assert await store.remove_question(qid)
    assert await store.remove_deck(GUILD, deck.id)
    before = await db_hash(store)
    with pytest.raises(UserError, match="removed"):
        await store.restore_question(qid)
    assert await db_hash(store) == before


async def test_a_restore_is_refused_when_the_deck_asks_the_same_again(store: Store):
    """The deck's duplicate rule holds for a question coming back: one added since that asks
    the same (compared loosely) is named, and nothing is written."""
    deck = await store.create_custom_deck(GUILD, "Twice", "", 1)
    old = await store.add_question(
        deck.id, Question(id="wsgi", prompt="What is WSGI?", answer="A.")
    )
    assert await store.remove_question(old)
    new = await store.add_question(
        deck.id, Question(id="wsgi", prompt="what is  wsgi", answer="B.")
    )
    before = await db_hash(store)
    with pytest.raises(NamedError) as refused:
        await store.restore_question(old)
    assert f"Question #{new} of this deck already asks that (“what is wsgi”)" in str(refused.value)
    assert refused.value.name == "what is wsgi"  # shown escaped where Markdown applies
    assert await db_hash(store) == before
    assert await store.remove_question(new)
    assert await store.restore_question(old)


async def test_removed_questions_are_searched_newest_removed_first(tmp_path: Path):
    """What /question restore offers: removed questions of the server's own live decks, the
    one removed last first; not built-in ones, another server's, or a removed deck's."""
    from datetime import UTC, datetime

    clock = FixedClock(datetime(2026, 3, 1, 12, tzinfo=UTC))
    store = await Store.open(tmp_path / "removed.sqlite3", clock=clock)
    try:
        await _removed_questions_are_searched(store, clock)
    finally:
        await store.close()


async def _removed_questions_are_searched(store: Store, clock: FixedClock) -> None:
    deck = await store.create_custom_deck(GUILD, "Mine", "", 1)
    gone = await store.create_custom_deck(GUILD, "Gone", "", 1)
    theirs = await store.create_custom_deck(GUILD + 1, "Theirs", "", 1)
    ids = [
        await store.add_question(deck.id, Question(id=f"q{n}", prompt=f"Mine {n}?", answer="A."))
        for n in range(3)
    ]
    other = await store.add_question(theirs.id, Question(id="t", prompt="Theirs?", answer="A."))
    lost = await store.add_question(gone.id, Question(id="g", prompt="Gone?", answer="A."))
    for qid in (ids[1], other, lost, ids[0]):
        assert await store.remove_question(qid)
        clock.advance(minutes=1)
    assert await store.remove_deck(GUILD, gone.id)
    page = await store.search_questions(GUILD, removed=True)
    assert [sq.id for sq in page.questions] == [ids[0], ids[1]] and page.total == 2
    assert all(sq.removed for sq in page.questions)
    found = await store.search_questions(GUILD, removed=True, search="mine 1")
    assert [sq.id for sq in found.questions] == [ids[1]]
    builtin = await store.create_deck(0, "flask", "Flask interview prep")
    async with store.transaction() as db:  # as the built-in decks' files make them
        await db.execute("UPDATE decks SET builtin = 1 WHERE id = ?", (builtin,))
    await store.add_questions(builtin, [Question(id="b", prompt="Built in?", answer="A.")])
    clock.advance(minutes=1)
    async with store.transaction() as db:  # removed from its file since
        await db.execute(
            "UPDATE questions SET removed_at = ? WHERE deck_id = ?", (store.now_text(), builtin)
        )
    assert [sq.id for sq in (await store.search_questions(GUILD, removed=True)).questions] == [
        ids[0],
        ids[1],
    ]


async def test_a_deck_edit_keeps_its_slug_and_writes_only_a_change(store: Store):
    deck = await store.create_custom_deck(GUILD, "Team Flsak", "Our own", 1)
    other = await store.create_custom_deck(GUILD, "Backend", "", 1)
    edit = await store.edit_custom_deck(GUILD, deck.id, name="Team Flask")
    assert (edit.old_name, edit.name, edit.description, edit.slug) == (
        "Team Flsak", "Team Flask", "Our own", "team-flsak"
    )
    assert edit.changed
    [row] = [d for d in await store.decks_for_guild(GUILD) if d.id == deck.id]
    assert (row.name, row.slug, row.description) == ("Team Flask", "team-flsak", "Our own")
    # The same values again: nothing is written.
    before = await db_hash(store)
    same = await store.edit_custom_deck(GUILD, deck.id, name="Team Flask", description="Our own")
    assert not same.changed
    assert await db_hash(store) == before
    # Another deck's name (compared loosely) is refused, naming it; nothing is written.
    with pytest.raises(NamedError) as taken:
        await store.edit_custom_deck(GUILD, deck.id, name="backend!")
    assert taken.value.name == "Backend" and "`backend`" in str(taken.value)
    assert await db_hash(store) == before
    # Its own name in other case is a change; the description can be cleared.
    edit = await store.edit_custom_deck(GUILD, other.id, name="BACKEND", description="")
    assert edit.changed and (edit.name, edit.old_name) == ("BACKEND", "Backend")
    edit = await store.edit_custom_deck(GUILD, deck.id, description="")
    assert (edit.name, edit.description, edit.old_description) == ("Team Flask", "", "Our own")
    # Another server's deck, a built-in one or a removed one: refused, nothing written.
    before = await db_hash(store)
    with pytest.raises(UserError):
        await store.edit_custom_deck(GUILD + 1, deck.id, name="Mine now")
    builtin = await store.create_deck(0, "flask", "Flask interview prep")
    async with store.transaction() as db:  # as the built-in decks' files make them
        await db.execute("UPDATE decks SET builtin = 1 WHERE id = ?", (builtin,))
    with pytest.raises(UserError, match="built-in"):
        await store.edit_custom_deck(GUILD, builtin, name="Mine now")
    assert await store.remove_deck(GUILD, other.id)
    after_remove = await db_hash(store)
    with pytest.raises(UserError, match="removed"):
        await store.edit_custom_deck(GUILD, other.id, name="Back")
    assert await db_hash(store) == after_remove != before


async def test_create_and_edit_refuse_a_name_a_deck_option_would_take_for_another_deck(
    store: Store,
):
    """A deck's name must not read as another deck's slug or name (compared loosely), of
    the server's or a built-in one: `deck:Python` and `deck:python` would name two decks.
    /deck create and /deck edit apply the one rule; nothing is written."""
    builtin = await store.create_deck(0, "python", "Python interview prep")
    async with store.transaction() as db:  # as the built-in decks' files make them
        await db.execute("UPDATE decks SET builtin = 1 WHERE id = ?", (builtin,))
    deck = await store.create_custom_deck(GUILD, "Team Flask", "", 1)
    servers = await store.create_custom_deck(GUILD, "Backend", "", 1)
    await store.edit_custom_deck(GUILD, servers.id, name="Servers")
    before = await db_hash(store)
    for name, other in [
        ("Python", "Python interview prep"),
        ("backend!", "Servers"),
        ("PYTHON INTERVIEW PREP", "Python interview prep"),
        ("servers", "Servers"),
    ]:
        with pytest.raises(NamedError) as edited:
            await store.edit_custom_deck(GUILD, deck.id, name=name)
        with pytest.raises(NamedError) as created:
            await store.create_custom_deck(GUILD, name, "", 1)
        for refused in (edited.value, created.value):
            assert f"**{other}**" in str(refused), str(refused)
    assert await db_hash(store) == before
    # Markdown in the names is escaped where the message is shown.
    await store.edit_custom_deck(GUILD, servers.id, name="__Servers__")
    with pytest.raises(NamedError) as refused:
        await store.edit_custom_deck(GUILD, deck.id, name="*Backend*")
    assert refused.value.shown(lambda s: re.sub(r"([*_])", r"\\\1", s)) == (
        r"A deck called **\*Backend\*** could be mistaken for the deck **\_\_Servers\_\_**, "
        "whose slug is `backend`. Choose another name."
    )
    # Its own name or slug, and another server's decks, do not count.
    assert (await store.edit_custom_deck(GUILD, deck.id, name="team-flask!")).changed
    assert (await store.create_custom_deck(GUILD + 1, "Backend", "", 1)).slug == "backend"


# -- export -> import through storage ---------------------------------------------------------


def _round_trip_through_storage(qs: list[Question], fmt: str) -> None:
    async def main() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            store = await Store.open(Path(tmp) / "rt.sqlite3")
            try:
                source = await store.create_custom_deck(GUILD, "Source", "From a test", 1)
                await store.insert_questions(source.id, qs)
                stored = [sq.question for sq in await store.questions_in_deck(source.id)]
                data = export_questions(
                    stored,
                    fmt,
                    deck_name=source.name,
                    deck_slug=source.slug,  # type: ignore[arg-type]
                    description=source.description,
                )
                target = await store.create_custom_deck(GUILD, "Target", "", 1)
                preview = await BankService(store).preview_import(
                    guild_id=GUILD,
                    deck=target,
                    user_id=1,
                    data=data,
                    filename="deck" + EXPORT_EXTENSIONS[fmt],  # type: ignore[index]
                )
                assert preview.warnings == []
                await store.finish_import_session(preview.session_id, 1, accept=True)
                copied = [sq.question for sq in await store.questions_in_deck(target.id)]
                assert copied == stored
            finally:
                await store.close()

    asyncio.run(main())


#: The formats' own round trips (test_exporters) take 40 examples each, with the same
#: questions; through storage, 20 a format (80 in all) is plenty for what the store adds.
STORAGE_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=20)


@pytest.mark.parametrize("fmt", ["yaml", "json", "markdown"])
@STORAGE_SETTINGS
@given(qs=question_lists(allow_cr=True))
def test_round_trip_through_storage(fmt: str, qs: list[Question]) -> None:
    _round_trip_through_storage(qs, fmt)


@STORAGE_SETTINGS
@given(qs=question_lists(allow_cr=False))
def test_round_trip_through_storage_csv(qs: list[Question]) -> None:
    _round_trip_through_storage(qs, "csv")


async def test_a_withdrawn_suggestion_number_is_not_given_again(store: Store):
    """A review post whose sending failed may still have reached the channel: its buttons
    carry the number, so the next suggestion must not take it."""
    deck = await store.create_custom_deck(GUILD, "Ideas", "", 1)
    q = Question(id="wsgi", prompt="What is WSGI?", answer="A calling convention.")
    first = await store.create_suggestion(GUILD, 7, deck.id, q, 5)
    await store.withdraw_suggestion(first)
    assert await store.suggestion(first) is None
    again = await store.create_suggestion(GUILD, 7, deck.id, q, 5)
    assert again > first


async def test_a_suggestion_sent_twice_is_one_even_at_the_limit_and_a_lost_one_blocks_nothing(
    tmp_path: Path,
):
    """The second send of a form is told which suggestion it already is, also when it
    would be over the member's limit; a suggestion whose review post never went out (the
    bot stopped in between) neither blocks sending the question again nor counts, once a
    few minutes have passed."""
    from datetime import UTC, datetime

    from bot.errors import UserError

    clock = FixedClock(datetime(2025, 3, 1, 12, tzinfo=UTC))
    store = await Store.open(tmp_path / "s.sqlite3", clock=clock)
    try:
        deck = await store.create_custom_deck(GUILD, "Ideas", "", 1)
        mine = [Question(id=f"q{i}", prompt=f"Question {i}?", answer="A.") for i in range(3)]
        first = await store.create_suggestion(GUILD, 7, deck.id, mine[0], 2)
        await store.set_suggestion_message(first, 55, 66)
        second = await store.create_suggestion(GUILD, 7, deck.id, mine[1], 2)
        with pytest.raises(UserError, match=f"waiting for review as suggestion #{second}"):
            await store.create_suggestion(GUILD, 7, deck.id, mine[1], 2)  # at the limit
        with pytest.raises(UserError, match="suggestions waiting"):
            await store.create_suggestion(GUILD, 7, deck.id, mine[2], 2)
        # The second never got its review post; minutes later it holds up nothing.
        clock.advance(minutes=6)
        again = await store.create_suggestion(GUILD, 7, deck.id, mine[1], 2)
        assert again > second
    finally:
        await store.close()


async def test_a_form_draft_is_kept_for_its_member_until_taken_or_too_old(tmp_path: Path):
    """The `why` typed with /question add or edit is kept while the form is open: read back
    once, by the member who opened the form only; a draft never taken goes after `keep`."""
    from datetime import UTC, datetime, timedelta

    path = tmp_path / "drafts.sqlite3"
    clock = FixedClock(datetime(2025, 3, 1, 12, tzinfo=UTC))
    store = await Store.open(path, clock=clock)
    keep = timedelta(days=7)
    try:
        await store.save_form_draft("aaaa", GUILD, 7, "To see whether they split an app.", keep=keep)
        await store.save_form_draft("bbbb", GUILD, 8, "Another member's.", keep=keep)
        assert await store.take_form_draft("aaaa", 8) is None  # not theirs
        assert await store.take_form_draft("nope", 7) is None
    finally:
        await store.close()

    store = await Store.open(path, clock=clock)  # a restart: the drafts are in the file
    try:
        taken = await store.take_form_draft("aaaa", 7)
        assert taken is not None and taken.why == "To see whether they split an app."
        assert await store.take_form_draft("aaaa", 7) is None  # taken once
        await store.drop_form_draft("bbbb")  # its form was handled
        assert await store.take_form_draft("bbbb", 8) is None

        await store.save_form_draft("old", GUILD, 7, "Never sent.", keep=keep)
        clock.advance(days=7, seconds=1)
        await store.save_form_draft("new", GUILD, 7, "Sent later.", keep=keep)
        rows = await store._fetchall("SELECT token FROM form_drafts ORDER BY token")
        assert [r[0] for r in rows] == ["new"]
    finally:
        await store.close()
