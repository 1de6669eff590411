"""Where /review's search for a member's next new card starts (``srs_new_from``): it skips
what the member has graded without ever skipping a question they have not."""

import asyncio
import sqlite3
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

import bot.store.srs as srs_store
from bot.decks import load_deck_text
from bot.questions import Question
from bot.store import AttemptRequest, Store


def _deck(slug: str, numbers: list[int]) -> str:
    body = "".join(f"  - id: {slug}{n}\n    prompt: {slug} {n}?\n    answer: \"{n}.\"\n" for n in numbers)
    return f"slug: {slug}\nname: {slug.title()}\nquestions:\n{body}"


async def _sync(store: Store, decks: dict[str, list[int]]) -> None:
    """The built-in decks as given: a question left out is removed, one given again is back."""
    await store.sync_builtin_decks(
        [load_deck_text(_deck(slug, numbers), f"{slug}.yaml") for slug, numbers in decks.items()]
    )


async def _ids(store: Store) -> dict[str, int]:
    return {r[1]: r[0] for r in await store._fetchall("SELECT id, ext_id FROM questions")}


async def _grade(store: Store, user: int, question_id: int) -> None:
    await store.record_attempt(
        AttemptRequest(7, user, "m", None, question_id, "review", 3, False, True)
    )


async def _steps(store: Store, call) -> int:
    """How many SQLite virtual machine steps (in thousands) the reader runs for ``call``."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    await store._reader.set_progress_handler(count, 1000)
    try:
        await call()
    finally:
        await store._reader.set_progress_handler(None, 1000)
    return steps


async def test_a_member_through_a_large_deck_is_not_walked_through_it_again(tmp_path: Path):
    """A member who has graded all 2,000 questions of a deck: the first search for a new
    card looks at each of them, the ones after it start past them, and still find a
    question added to the deck later, and what remains in another deck."""
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        await _sync(store, {"big": list(range(2000)), "small": [1, 2]})
        ids = await _ids(store)
        for n in range(2000):
            await _grade(store, 5, ids[f"big{n}"])
        big = next(d.id for d in await store.decks_for_guild(7) if d.slug == "big")

        async def ask() -> None:
            assert await store.new_question(7, 5, deck_id=big) is None

        first = await _steps(store, ask)
        again = await _steps(store, ask)
        assert first > 20 * max(again, 1), (first, again)
        left = await _steps(store, lambda: store.new_questions_left(7, 5, limit=10))
        assert first > 20 * max(left, 1), (first, left)
        assert await store.new_questions_left(7, 5, limit=10) == 2
        assert await store.new_question(7, 5) == ids["small1"]

        await _sync(store, {"big": list(range(2001)), "small": [1, 2]})
        assert await store.new_question(7, 5, deck_id=big) == (await _ids(store))["big2000"]
        assert await store.new_questions_left(7, 5, limit=10) == 3
        # Another member's search in the same deck starts at its beginning.
        assert await store.new_question(7, 6, deck_id=big) == ids["big0"]
        assert await store.new_question(8, 5, deck_id=big) == ids["big0"]
    finally:
        await store.close()


async def test_a_question_back_in_its_deck_or_a_rebuild_is_searched_again(tmp_path: Path):
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        await _sync(store, {"big": list(range(100))})
        ids = await _ids(store)
        await _sync(store, {"big": [n for n in range(100) if n != 40]})  # big40 removed
        for n in range(100):
            if n != 40:
                await _grade(store, 5, ids[f"big{n}"])
        assert await store.new_question(7, 5) is None  # the search now starts past them all
        await _sync(store, {"big": list(range(100))})  # big40 is back, below that start
        assert await store.new_question(7, 5) == ids["big40"]
        await _grade(store, 5, ids["big40"])
        assert await store.new_question(7, 5) is None
        # A question graded, then its grade gone: back once the member's cards are rebuilt.
        async with store.transaction() as db:
            await db.execute("DELETE FROM attempts WHERE question_id = ?", (ids["big10"],))
        await store.rebuild_cards(7, 5)
        assert await store.new_question(7, 5) == ids["big10"]
    finally:
        await store.close()


async def test_a_move_decided_before_a_question_came_back_is_refused(tmp_path: Path):
    """The start only moves past questions that all have the member's card when the move is
    written: a search that read the deck before a question came back does not skip it."""
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        await _sync(store, {"big": [n for n in range(50) if n != 20]})
        ids = await _ids(store)
        for n in range(50):
            if n != 20:
                await _grade(store, 5, ids[f"big{n}"])
        assert await store.new_question(7, 5) is None
        [(deck, start)] = await store._fetchall(
            "SELECT deck_id, question_id FROM srs_new_from WHERE guild_id = 7 AND user_id = 5"
        )
        assert start == ids["big49"] + 1
        await _sync(store, {"big": list(range(50))})
        ids = await _ids(store)
        # Reset to the question that came back; a stale search's move past it is refused.
        await store.write(lambda c: srs_store._move_new_from(c, 7, 5, [(deck, start)]))
        assert await store.new_question(7, 5) == ids["big20"]
        [(_, now_from)] = await store._fetchall("SELECT deck_id, question_id FROM srs_new_from")
        assert now_from == ids["big20"]
    finally:
        await store.close()


async def test_erasing_a_member_erases_where_their_search_starts(tmp_path: Path):
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        await _sync(store, {"big": list(range(40))})
        ids = await _ids(store)
        for n in range(40):
            await _grade(store, 5, ids[f"big{n}"])
        assert await store.new_question(7, 5) is None
        assert await store._fetchall("SELECT 1 FROM srs_new_from WHERE user_id = 5")
        await store.erase_member(7, 5)
        assert not await store._fetchall("SELECT 1 FROM srs_new_from WHERE user_id = 5")
        assert await store.new_question(7, 5) == ids["big0"]
    finally:
        await store.close()


# -- against the rule itself ------------------------------------------------------------

ops = st.lists(
    st.one_of(
        st.tuples(st.just("grade"), st.sampled_from("ab"), st.integers(0, 11)),
        st.tuples(st.just("review"), st.integers(1, 8)),
        st.tuples(st.just("remove"), st.sampled_from("ab"), st.integers(0, 11)),
        st.tuples(st.just("restore"), st.sampled_from("ab"), st.integers(0, 11)),
        st.tuples(st.just("ask"), st.sampled_from(["", "a", "b"]), st.sets(st.integers(0, 11), max_size=4)),
    ),
    max_size=40,
)


@settings(max_examples=25, deadline=None)
@given(ops=ops, step=st.integers(1, 4))
def test_the_new_card_asked_is_the_one_the_rule_names(ops, step):
    """Any mix of grades, questions removed and back, and searches (of one deck or all,
    leaving some questions out) gives the new card a search of every question would: the
    first ungraded live question of each deck, earliest place first, then the older deck;
    and ``new_questions_left`` counts what is left."""
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(srs_store, "NEW_FROM_STEP", step):
        asyncio.run(_play(Path(tmp) / "r.sqlite3", ops))


async def _play(path: Path, ops) -> None:
    store = await Store.open(path)
    try:
        live = {"a": set(range(12)), "b": set(range(12))}
        graded: set[tuple[str, int]] = set()
        await _sync(store, {d: sorted(n) for d, n in live.items()})
        ids = await _ids(store)
        decks = {d.slug: d.id for d in await store.decks_for_guild(7)}
        for op in ops:
            if op[0] == "review":  # grade the new cards /review gives, in its order
                for _ in range(op[1]):
                    got = await store.new_question(7, 5)
                    if got is None:
                        break
                    await _grade(store, 5, got)
                    graded.add(next((d, n) for d in "ab" for n in range(12) if ids[f"{d}{n}"] == got))
            elif op[0] == "grade":
                _, deck, n = op
                if n in live[deck]:
                    await _grade(store, 5, ids[f"{deck}{n}"])
                    graded.add((deck, n))
            elif op[0] in ("remove", "restore"):
                _, deck, n = op
                if op[0] == "remove" and live[deck] == {n}:
                    continue  # a deck keeps a question
                (live[deck].discard if op[0] == "remove" else live[deck].add)(n)
                await _sync(store, {d: sorted(v) for d, v in live.items()})
            else:
                _, only, left_out = op
                exclude = tuple(ids[f"{d}{n}"] for d in "ab" for n in left_out)
                firsts = []
                for d in [only] if only else ["a", "b"]:
                    new = [n for n in sorted(live[d]) if (d, n) not in graded and n not in left_out]
                    if new:
                        place = sum(1 for n in live[d] if n <= new[0])
                        firsts.append((place, decks[d], ids[f"{d}{new[0]}"]))
                want = min(firsts)[2] if firsts else None
                got = await store.new_question(
                    7, 5, deck_id=decks[only] if only else None, exclude=exclude
                )
                assert got == want, (op, got, want)
                unseen = sum(1 for d in "ab" for n in live[d] if (d, n) not in graded)
                assert await store.new_questions_left(7, 5, limit=100) == unseen
    finally:
        await store.close()


async def test_a_move_is_written_once_sixteen_questions_were_passed_over(tmp_path: Path):
    """Not for a member who has graded nothing (a deck whose first question has a large
    id), nor for one whose deck's ids are spread out by other servers' questions: the
    start moves once the search passed over 16 questions, not 16 ids."""
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        await _sync(store, {"early": list(range(30)), "late": list(range(30))})
        assert await store.new_question(7, 5) is not None
        assert not await store._fetchall("SELECT 1 FROM srs_new_from")
        mine = await store.create_deck(7, "mine", "Mine")
        theirs = await store.create_deck(8, "theirs", "Theirs")
        for n in range(20):  # another server's questions between each two of ours
            await store.add_questions(mine, [_question(f"m{n}")])
            await store.add_questions(theirs, [_question(f"t{n}-{k}") for k in range(20)])
        ids = await _ids(store)
        for n in range(15):
            await _grade(store, 5, ids[f"m{n}"])
        assert await store.new_question(7, 5, deck_id=mine) == ids["m15"]
        assert not await store._fetchall("SELECT 1 FROM srs_new_from")
        await _grade(store, 5, ids["m15"])
        assert await store.new_question(7, 5, deck_id=mine) == ids["m16"]
        assert [tuple(r) for r in await store._fetchall(
            "SELECT deck_id, question_id FROM srs_new_from")] == [(mine, ids["m16"])]
    finally:
        await store.close()


async def test_a_search_answers_while_another_process_holds_the_write_lock(tmp_path: Path):
    """Moving the start is only a shortcut: with the database's write lock held elsewhere
    (a deck import run from the command line), the search still answers."""
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        await _sync(store, {"big": list(range(40))})
        ids = await _ids(store)
        for n in range(30):
            await _grade(store, 5, ids[f"big{n}"])
        other = sqlite3.connect(tmp_path / "r.sqlite3", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            assert await store.new_question(7, 5) == ids["big30"]
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert await store.new_question(7, 5) == ids["big30"]
        assert await store._fetchall("SELECT 1 FROM srs_new_from")
    finally:
        await store.close()


def _question(ext_id: str):
    return load_deck_text(_deck("x", [0]), "x.yaml").questions[0].model_copy(update={"id": ext_id})


async def test_a_restored_question_is_a_new_card_again_for_a_member_past_it(tmp_path: Path):
    """/question restore brings a removed question of a server's own deck back: a member
    who graded the rest of the deck meanwhile, whose search now starts past it, is given it."""
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        deck = await store.create_custom_deck(7, "Mine", "", 1)
        await store.add_questions(
            deck.id, [Question(id=f"m{n}", prompt=f"Mine {n}?", answer="A.") for n in range(40)]
        )
        ids = await _ids(store)
        assert await store.remove_question(ids["m10"])
        for n in range(40):
            if n != 10:
                await _grade(store, 5, ids[f"m{n}"])
        assert await store.new_question(7, 5) is None
        [(start,)] = await store._fetchall("SELECT question_id FROM srs_new_from")
        assert start > ids["m10"]
        assert await store.restore_question(ids["m10"])
        assert await store.new_questions_left(7, 5, limit=10) == 1
        assert await store.new_question(7, 5) == ids["m10"]
        assert await store.new_question(7, 5, deck_id=deck.id) == ids["m10"]
    finally:
        await store.close()
