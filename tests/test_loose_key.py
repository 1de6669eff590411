"""Duplicate detection keeps apart prompts and deck names that differ in code symbols
(``i++`` and ``i--``, ``==`` and ``===``, C++ and C#), while case, accents, spacing and
sentence punctuation still do not count. Option fingerprints and generated ids of prompts
without code symbols stay what they were."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.bank import find_deck, place_questions
from bot.importers import dedupe_against, parse_import, slug_for_prompt
from bot.questions import Question, loose_key, option_key
from bot.quiz import option_fingerprint

CODE_PAIRS = [
    ("What does i++ do?", "What does i-- do?"),
    ("`==` vs `===`", "`==` vs `!=`"),
    ("== vs ===", "= vs =="),
    ("C++ interview", "C# interview"),
    ("C++ interview", "C interview"),
    ("What does x && y return?", "What does x || y return?"),
    ("What is a << 2?", "What is a >> 2?"),
    ("What is 7 % 2?", "What is 7 / 2?"),
    ("What does *args collect?", "What does args collect?"),
    ("What does @app.route do?", "What does app.route do?"),
    ("What is $HOME?", "What is HOME?"),
    ("What does ~x give?", "What does ^x give?"),
    ("What does !x give?", "What does x give?"),
]

SAME_PAIRS = [
    ("What is Flask?", "what is flask"),
    ("What is Flask?", "What is Flask!"),
    ("What is Flask?", "  What   is  FLASK ? "),
    ("Qu'est-ce qu'un élan ?", "qu est ce qu un elan"),
    ("What does `i++` do?", "What does i++ do?"),
    ("What does i++ do?", "what does i ++ do"),
    ("a+b", "a + b"),
    ("Why use an application factory?", "why use an Application Factory?"),
    ("What is a built-in function?", "What is a built in function?"),
    ("Flask - what is it?", "Flask: what is it?"),
    ("Why (and when) use g?", "Why, and when, use g."),
]


def test_code_symbols_keep_prompts_and_names_apart() -> None:
    for a, b in CODE_PAIRS:
        assert loose_key(a) != loose_key(b), (a, b)


def test_sentence_punctuation_case_accents_and_spacing_still_fold() -> None:
    for a, b in SAME_PAIRS:
        assert loose_key(a) == loose_key(b), (a, b)


words = st.lists(st.from_regex(r"[A-Za-zÀ-ÿ0-9_]{1,8}", fullmatch=True), min_size=1, max_size=6)
symbols = st.text(alphabet="+-*/%=<>!&|^~#@$.,;:?'\"()[]{}` \t", max_size=3)


@given(st.lists(st.tuples(st.from_regex(r"\w{1,8}", fullmatch=True), symbols), max_size=8))
def test_the_key_is_finer_than_the_option_key(parts: list[tuple[str, str]]) -> None:
    """Two texts the new key calls the same were the same before too: stored decks hold
    no new duplicates, and nothing that was told apart is merged."""
    text = "".join(w + s for w, s in parts)
    tokens = [t for t in loose_key(text).split() if re.fullmatch(r"\w+", t)]
    assert " ".join(tokens) == option_key(text)


@given(words, st.sampled_from(["?", ".", "", " ?", "!", "..."]), st.booleans())
def test_case_spacing_and_a_closing_mark_do_not_count(
    parts: list[str], end: str, upper: bool
) -> None:
    text = " ".join(parts) + end
    other = "  ".join(p.upper() if upper else p.lower() for p in parts)
    assert loose_key(text) == loose_key(other)


@given(words)
def test_text_without_code_symbols_keys_as_before(parts: list[str]) -> None:
    text = "; ".join(parts) + "?"
    assert loose_key(text) == option_key(text)


def test_generated_ids_of_prompts_without_code_symbols_are_unchanged() -> None:
    assert slug_for_prompt("What is Flask?") == "what-is-flask-a068c7"
    assert slug_for_prompt("Why use an application factory?") == (
        "why-use-an-application-factory-a69b30"
    )
    assert slug_for_prompt("Qu'est-ce qu'un élan ?") == "qu-est-ce-qu-un-elan-647727"
    # Prompts that differ only in code symbols get ids of their own.
    assert slug_for_prompt("What does i++ do?") != slug_for_prompt("What does i-- do?")


def test_option_fingerprints_are_unchanged() -> None:
    """Buttons already posted carry these marks; they must keep meaning the same option."""
    assert option_fingerprint("i++") == "e66c3671"
    assert option_fingerprint("app.register_blueprint") == "f5f70b51"
    assert option_fingerprint("== vs ===") == "f1b0ec09"
    assert option_fingerprint("C#") == "06b9df6f"


IMPORT_CSV = """\
question,answer
What does i++ do?,Increments i after use.
What does i-- do?,Decrements i after use.
`==` vs `===`?,=== does not coerce types.
== vs ==,Same thing.
What is Flask?,A micro framework.
what is flask,A micro framework again.
"""


def test_import_keeps_prompts_that_differ_in_code_and_skips_true_duplicates() -> None:
    result = parse_import(IMPORT_CSV.encode(), "q.csv")
    assert result.errors == []
    prompts = [q.prompt for q in result.questions]
    assert prompts == [
        "What does i++ do?",
        "What does i-- do?",
        "`==` vs `===`?",
        "== vs ==",
        "What is Flask?",
    ]
    assert len({q.id for q in result.questions}) == len(prompts)
    [warning] = result.warnings
    assert "the same question" in warning.message and "what is flask" in warning.message


def test_import_against_a_deck_compares_code_symbols() -> None:
    new = [
        Question(id="a", prompt="What does i-- do?", answer="Decrements."),
        Question(id="b", prompt="what does I++ do", answer="Increments."),
    ]
    kept, warnings = dedupe_against(new, ["What does i++ do?"])
    assert [q.id for q in kept] == ["a"]
    assert len(warnings) == 1
    placed = place_questions(new, ["What does i++ do?"], [])
    assert [q.id for q in placed.questions] == ["a"]
    assert placed.duplicates == ["what does I++ do"]


def test_multiple_choice_options_still_differ_as_their_fingerprints_do() -> None:
    """Options are told apart on buttons by their fingerprint, so two options must still
    differ in it."""
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="options must differ"):
        Question(
            id="x",
            prompt="Which one increments?",
            answer="i++",
            options=[{"text": "i++", "correct": True}, {"text": "i--"}],
        )


def test_deck_names_with_code_symbols_are_told_apart() -> None:
    from types import SimpleNamespace

    decks = [
        SimpleNamespace(slug="c-interview", id=1, name="C++ interview", builtin=False),
        SimpleNamespace(slug="c-interview-2", id=2, name="C# interview", builtin=False),
    ]
    assert find_deck(decks, "c# INTERVIEW").id == 2  # type: ignore[arg-type]
    assert find_deck(decks, "C++ interview").id == 1  # type: ignore[arg-type]
    assert find_deck(decks, "C interview") is None  # type: ignore[arg-type]


def test_a_slug_of_digits_wins_over_the_number_of_another_deck() -> None:
    """A deck made when a slug could be digits alone is offered by that slug: the deck
    whose number it is does not take it over (that one is still named by its number)."""
    from types import SimpleNamespace

    decks = [
        SimpleNamespace(slug="0-start", id=7, name="0 start", builtin=False),
        SimpleNamespace(slug="7", id=8, name="7", builtin=False),
    ]
    assert find_deck(decks, "7").id == 8  # type: ignore[arg-type]
    assert find_deck(decks, "0-start").id == 7  # type: ignore[arg-type]
    assert find_deck(decks, "8").id == 8  # type: ignore[arg-type]


def test_markdown_emphasis_is_not_a_code_symbol() -> None:
    """Discord shows **Flask** as a bold Flask: the same question, and the same generated id
    as before symbols counted. Marks that are code keep counting."""
    for text in (
        "What is **Flask**?",
        "What is *Flask*?",
        "What is ~~Flask~~?",
        "***What*** is Flask",
    ):
        assert loose_key(text) == loose_key("What is Flask?"), text
        assert slug_for_prompt(text) == "what-is-flask-a068c7", text
    assert loose_key("What does **`i++`** do?") == loose_key("What does i++ do?")
    assert loose_key("**bold *and* italic**") == "bold and italic"
    for a, b in (
        ("What do *args and **kwargs collect?", "What do args and kwargs collect?"),
        ("What is a*b*c?", "What is abc?"),
        ("What is 2 ** 3 ** 2?", "What is 2 3 2?"),
        ("What do `*` and `*` mean?", "What do and mean?"),
    ):
        assert loose_key(a) != loose_key(b), (a, b)
