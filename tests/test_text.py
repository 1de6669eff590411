import re
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.qotd import CloseSummary
from bot.review_service import Summary
from bot.text import clip, count, grouped, one_line, percent, plural
from cogs.qotd import close_footer, closed_label
from cogs.review import summary_message


def test_plural_and_count():
    assert count(1, "day") == "1 day"
    assert count(0, "day") == "0 days"
    assert count(2, "schedule") == "2 schedules"
    assert plural(1, "point") == "point"
    assert plural(3, "point") == "points"
    assert count(2, "match", "matches") == "2 matches"


def test_one_line_and_clip():
    assert one_line("  What is\n a   blueprint?\t") == "What is a blueprint?"
    assert one_line("word " * 30, 11) == "word word…"
    assert len(one_line("x" * 100)) == 60 and one_line("x" * 100).endswith("…")
    assert clip("abcdef", 6) == "abcdef"
    assert clip("abcdef", 5, more="...") == "ab..."
    assert clip("abcdef", 2, more="...") == "..."


def test_numbers_members_read_are_grouped_by_thousands():
    """"1200 questions" and a daily cap of "10000" were long runs of digits to read: every
    number shown is grouped by thousands (12,400), as on the boards and in /stats."""
    assert grouped(0) == "0"
    assert grouped(999) == "999"
    assert grouped(1000) == "1,000"
    assert grouped(12400) == "12,400"
    assert grouped(1234567) == "1,234,567"
    assert grouped(-1200) == "-1,200"
    assert count(1200, "question") == "1,200 questions"
    assert count(10_000, "point") == "10,000 points"
    assert count(1001, "match", "matches") == "1,001 matches"


def test_a_share_reads_100_or_0_only_when_it_is_all_or_none():
    """199 right of 200 read "100% right", 1 of 201 "0%": a share shown is the nearest
    whole percent, except that only all reads 100% and only none 0%."""
    assert percent(199, 200) == 99
    assert percent(1, 201) == 1
    assert percent(200, 200) == 100 and percent(0, 200) == 0
    assert percent(1, 3) == 33 and percent(2, 3) == 67 and percent(1, 2) == 50
    for whole in range(1, 400):
        for part in range(whole + 1):
            shown = percent(part, whole)
            exact = Fraction(100 * part, whole)
            assert (shown == 100) == (part == whole) and (shown == 0) == (part == 0)
            if 0 < part < whole:
                nearest = int(exact + Fraction(1, 2))  # half up
                assert shown == min(99, max(1, nearest)), (part, whole)
    assert percent(0, 0) == 0


def test_closed_questions_and_review_summaries_do_not_round_to_all_or_none():
    """A question of the day 199 of 200 got right did not go to everyone; one Again in 200
    cards is not none."""
    assert closed_label(CloseSummary(answered=200, right=199, kept_streak=0)) == (
        "Closed · 200 answered · 99% got it"
    )
    assert closed_label(CloseSummary(answered=2, right=1, kept_streak=0)).endswith("50% got it")
    # Nobody answered: "0 answered · 0% got it" read as if everyone who tried got it wrong.
    assert closed_label(CloseSummary(answered=0, right=0, kept_streak=0)) == (
        "Closed · nobody answered"
    )
    text = summary_message(Summary(reviewed=200, again=1, next_due=None), None).description
    assert text is not None and "Again rate: **1%**." in text


@settings(max_examples=2000, deadline=None)
@given(text=st.text(alphabet="ab `\n", max_size=60), limit=st.integers(1, 40))
def test_one_line_fits_its_limit_and_leaves_no_code_span_open(text: str, limit: int) -> None:
    """Whatever the backticks, a one_line cut is one line within ``limit`` that leaves no code
    span open (one closed by the cut is closed with as many backticks as opened it, and not
    run on from backticks before them, which would make a longer run)."""
    out = one_line(text, limit)
    line = " ".join(text.split())
    assert len(out) <= limit
    if len(line) <= limit:
        assert out == line
    else:
        assert out.endswith("…")
        opened = ""
        for run in re.findall(r"`+", out):
            opened = "" if run == opened else opened or run
        assert not opened, out


def test_one_line_closes_the_code_span_it_cuts() -> None:
    assert one_line("Why is `app.config.from_prefixed_env` used?", 20) == "Why is `app.config`…"
    assert one_line("Use ``a`b`` here, and more", 12) == "Use ``a`b``…"
    assert one_line("What does `x` do in ```py code```", 21) == "What does `x` do in…"
    assert one_line("A\n  long\tline", 40) == "A long line"


def test_a_question_of_the_day_answered_by_thousands_counts_them_by_thousands():
    """A question of the day that 1200 members answered closed as "1200 answered": its label
    and footer group the numbers by thousands, as the boards do."""
    summary = CloseSummary(answered=1200, right=600, kept_streak=1001)
    assert closed_label(summary) == "Closed · 1,200 answered · 50% got it"
    assert close_footer(summary) == (
        "1,200 answered · 50% got it · 1,001 members kept their streak"
    )
    one = CloseSummary(answered=1, right=1, kept_streak=1)
    assert close_footer(one) == "1 answered · 100% got it · 1 member kept their streak"
    none = CloseSummary(answered=0, right=0, kept_streak=0)
    assert close_footer(none) == "Nobody answered · Answer each day's question to build a streak"


def test_a_review_of_thousands_of_cards_counts_them_by_thousands():
    summary = Summary(reviewed=1200, again=0, next_due=None, due_elsewhere=1001)
    text = summary_message(summary, None).description
    assert text is not None and text.startswith("Reviewed **1,200** cards."), text
    assert "1,001 cards are due now in your other decks" in text, text


def test_a_review_of_thousands_of_cards_counts_each_grade_by_thousands():
    """The summary's count of cards by grade reads "Good **1,100**", as its total does."""
    summary = Summary(reviewed=1200, again=100, next_due=None, ratings=(100, 0, 1100, 0))
    text = summary_message(summary, None).description
    assert text is not None and (
        "\nAgain **100** · Hard **0** · Good **1,100** · Easy **0**\n" in text
    ), text
