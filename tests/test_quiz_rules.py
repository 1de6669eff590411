"""Quiz rules without Discord: points, caps, question choice."""

import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.guild_settings import GuildSettings, ScoringRules
from bot.quiz import (
    Candidate,
    Rating,
    Seen,
    award,
    mc_rating,
    option_clicked,
    option_fingerprint,
    period_keys,
    pick_question,
)

RULES = ScoringRules()
T0 = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_ratings_match_fsrs_and_mc_maps_right_to_good():
    assert [int(r) for r in Rating] == [1, 2, 3, 4]
    assert mc_rating(True) is Rating.good and mc_rating(False) is Rating.again


def test_self_grades_all_earn_the_same():
    points = {
        award(
            RULES,
            "quiz",
            multiple_choice=False,
            correct=c,
            already_scored_today=False,
            quiz_points_today=0,
        ).points
        for c in (True, False)
    }
    assert points == {RULES.quiz_self}


def test_multiple_choice_right_earns_more_than_wrong():
    right = award(
        RULES,
        "quiz",
        multiple_choice=True,
        correct=True,
        already_scored_today=False,
        quiz_points_today=0,
    )
    wrong = award(
        RULES,
        "quiz",
        multiple_choice=True,
        correct=False,
        already_scored_today=False,
        quiz_points_today=0,
    )
    assert (right.points, wrong.points) == (RULES.quiz_right, RULES.quiz_wrong)
    assert right.points > wrong.points


def test_second_attempt_on_a_day_does_not_score():
    a = award(
        RULES,
        "quiz",
        multiple_choice=True,
        correct=True,
        already_scored_today=True,
        quiz_points_today=0,
    )
    assert (a.scored, a.points) == (False, 0)
    assert "already scored" in a.reason


def test_closed_and_review_attempts_do_not_score():
    closed = award(
        RULES,
        "qotd",
        multiple_choice=False,
        correct=True,
        already_scored_today=False,
        quiz_points_today=0,
        closed=True,
    )
    review = award(
        RULES,
        "review",
        multiple_choice=False,
        correct=True,
        already_scored_today=False,
        quiz_points_today=0,
    )
    assert not closed.scored and not review.scored


@given(st.lists(st.booleans(), max_size=60), st.integers(0, 50))
def test_quiz_points_never_pass_the_daily_cap(answers, cap):
    rules = ScoringRules(quiz_daily_cap=cap)
    today = 0
    for correct in answers:
        a = award(
            rules,
            "quiz",
            multiple_choice=True,
            correct=correct,
            already_scored_today=False,
            quiz_points_today=today,
        )
        assert a.points >= 0
        today += a.points
        assert today <= cap


def test_qotd_points_are_not_capped_by_the_quiz_cap():
    rules = ScoringRules(quiz_daily_cap=0)
    a = award(
        rules,
        "qotd",
        multiple_choice=False,
        correct=True,
        already_scored_today=False,
        quiz_points_today=99,
    )
    assert a.points == rules.qotd_self


def test_the_cap_reason_reads_right_for_a_cap_of_one_point():
    """A server may set the daily /quiz cap to 1 with /settings scoring."""
    for cap, text in ((1, "1 point"), (4, "4 points"), (10_000, "10,000 points")):
        a = award(
            ScoringRules(quiz_daily_cap=cap),
            "quiz",
            multiple_choice=True,
            correct=True,
            already_scored_today=False,
            quiz_points_today=cap,
        )
        assert (a.scored, a.points) == (True, 0)
        assert a.reason == f"daily /quiz cap of {text} reached; it resets at midnight UTC"


def test_period_keys_use_monday_weeks_and_months():
    assert period_keys(date(2026, 11, 29)) == ("all", "week:2026-11-23", "month:2026-11")
    assert period_keys(date(2026, 12, 1)) == ("all", "week:2026-11-30", "month:2026-12")


def cands(n: int, tags=lambda i: ("t",)) -> list[Candidate]:
    return [Candidate(i, tags(i)) for i in range(n)]


def test_pick_from_nothing_is_none():
    assert pick_question([], [], random.Random(1)) is None


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 30), st.integers(0, 60), st.integers(0, 10_000))
def test_pick_avoids_the_most_recent_questions(n, seen_count, seed):
    rng = random.Random(seed)
    candidates = cands(n)
    history = [Seen(rng.randrange(n), ("t",), T0 + timedelta(minutes=i)) for i in range(seen_count)]
    choice = pick_question(candidates, history, rng)
    assert choice is not None
    if history:
        last = max(history, key=lambda s: s.when).question_id
        assert choice.question_id != last  # never the same question twice in a row


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 12), st.lists(st.integers(0, 40), max_size=60), st.integers(0, 10_000))
def test_questions_outside_the_candidates_do_not_use_up_the_window(n, seen_ids, seed):
    """Quizzes on another tag or deck in between do not let a question seen under these
    filters come back while one not seen as recently is left."""
    history = [Seen(q, ("t",), T0 + timedelta(minutes=i)) for i, q in enumerate(seen_ids)]
    recent: list[int] = []
    for q in reversed(seen_ids):
        if q < n and q not in recent:
            recent.append(q)
    choice = pick_question(cands(n), history, random.Random(seed))
    assert choice is not None
    assert choice.question_id not in recent[: n - 1]


def test_walking_a_deck_visits_every_question_before_repeating():
    rng = random.Random(7)
    candidates = cands(12)
    history: list[Seen] = []
    for i in range(12):
        choice = pick_question(candidates, history, rng)
        assert choice is not None
        history.append(Seen(choice.question_id, choice.tags, T0 + timedelta(minutes=i)))
    assert sorted(s.question_id for s in history) == list(range(12))


def test_tags_practised_least_come_first():
    candidates = [
        Candidate(1, ("routing",)),
        Candidate(2, ("routing",)),
        Candidate(3, ("testing",)),
    ]
    history = [Seen(9, ("routing",), T0), Seen(8, ("routing",), T0 + timedelta(minutes=1))]
    for seed in range(20):
        choice = pick_question(candidates, history, random.Random(seed))
        assert choice is not None and choice.question_id == 3


def test_guild_settings_defaults_and_bad_rows():
    s = GuildSettings.from_rows({})
    assert s.timezone == "UTC" and s.scoring == ScoringRules()
    s = GuildSettings.from_rows({"timezone": "Mars/Olympus", "scoring.quiz_right": "7"})
    assert s.timezone == "UTC"  # a bad stored value falls back, the rest is kept
    assert s.scoring.quiz_right == 7
    s = GuildSettings.from_rows({"timezone": "Asia/Tokyo", "scoring.quiz_daily_cap": "-3"})
    assert s.timezone == "Asia/Tokyo" and s.scoring == ScoringRules()


def test_an_option_click_means_the_text_on_its_button():
    texts = ["string", "path", "any"]
    marks = [option_fingerprint(t) for t in texts]
    assert len(set(marks)) == 3 and all(len(m) == 8 for m in marks)
    assert [option_clicked(texts, i, m) for i, m in enumerate(marks)] == [0, 1, 2]
    moved = ["path", "any", "string"]
    assert [option_clicked(moved, i, m) for i, m in enumerate(marks)] == [2, 0, 1]
    assert option_clicked(["path", "string"], 2, marks[2]) is None  # "any" is gone
    assert option_clicked(["path ", "x"], 1, marks[1]) == 0  # spacing does not count
    # Nor case, accents or punctuation: fixing those keeps an option's buttons.
    assert option_clicked(["String.", "PATH", "âny"], 1, marks[1]) == 1
    assert option_clicked(["x", "y", "Any!"], 0, marks[2]) == 2
    # Buttons made before marks existed mean their place.
    assert option_clicked(moved, 1, None) == 1 and option_clicked(moved, 5, None) is None
