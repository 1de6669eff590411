"""What a review reminder says about the decks cards are due in."""

from bot.review_service import due_by_deck
from bot.store import DeckDue


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
