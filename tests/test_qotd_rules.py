"""Question-of-the-day rules without Discord: cycles through a deck, answer delays."""

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import UserError
from bot.qotd import choose_next, describe_answer_after, parse_answer_after


def run_cycles(candidates: list[int], posts: int, seed: int) -> list[tuple[int, int]]:
    """(cycle, question) for each post, following the rules the store applies."""
    rng = random.Random(seed)
    cycle, asked, last, out = 1, set(), None, []
    for _ in range(posts):
        choice = choose_next(candidates, asked, last, rng)
        assert choice is not None
        if choice.new_cycle:
            cycle, asked = cycle + 1, set()
        asked.add(choice.question_id)
        last = choice.question_id
        out.append((cycle, choice.question_id))
    return out


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 12), st.integers(1, 40), st.integers(0, 10_000))
def test_no_repeats_within_a_cycle_and_every_question_once_per_cycle(n, posts, seed):
    candidates = list(range(100, 100 + n))
    history = run_cycles(candidates, posts, seed)
    by_cycle: dict[int, list[int]] = {}
    for cycle, qid in history:
        by_cycle.setdefault(cycle, []).append(qid)
    for cycle, qids in by_cycle.items():
        assert len(qids) == len(set(qids)), "a question repeated inside a cycle"
        if cycle < max(by_cycle):
            assert sorted(qids) == candidates, "a cycle ended before the deck was exhausted"


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 12), st.integers(0, 10_000))
def test_a_new_cycle_never_starts_with_the_question_that_ended_the_last(n, seed):
    history = run_cycles(list(range(n)), n * 4, seed)
    for (c1, q1), (c2, q2) in itertools.pairwise(history):
        if c2 != c1:
            assert q1 != q2


def test_a_one_question_deck_repeats_it():
    assert [q for _, q in run_cycles([7], 3, 1)] == [7, 7, 7]


def test_questions_added_mid_cycle_join_it():
    rng = random.Random(3)
    choice = choose_next([1, 2, 3], {1, 2}, 2, rng)
    assert choice is not None and (choice.question_id, choice.new_cycle) == (3, False)
    assert choose_next([], set(), None, rng) is None


@pytest.mark.parametrize(
    ("text", "minutes"),
    [(None, None), ("next", None), ("30m", 30), ("12h", 720), ("1d", 1440), (" 2 H ", 120)],
)
def test_answer_after(text, minutes):
    assert parse_answer_after(text) == minutes


@pytest.mark.parametrize("text", ["soon", "0m", "8d", "-1h", "12"])
def test_answer_after_refuses_with_the_expected_form(text):
    with pytest.raises(UserError, match="answer_after"):
        parse_answer_after(text)


def test_describe_answer_after():
    assert describe_answer_after(None) == "when the next question is posted"
    assert describe_answer_after(720) == "12 hour(s) after posting"
    assert describe_answer_after(2880) == "2 day(s) after posting"
