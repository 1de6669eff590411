"""The question form (modal text -> Question), deck slugs and placing questions in a deck."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import assume, given
from test_exporters import PROPERTY_SETTINGS, questions

from bot.bank import (
    FORM_MAX,
    ImportRefused,
    QuestionForm,
    check_upload_size,
    deck_slug_for,
    edited_question,
    export_summary,
    form_from_question,
    format_key_points,
    parse_key_points,
    parse_options,
    place_questions,
    question_from_form,
    refusal_text,
)
from bot.errors import UserError
from bot.questions import KEY_POINT_MAX, KEY_POINTS_MAX, Difficulty, Question


def make(**fields: str) -> Question:
    base = {"prompt": "What is a blueprint?", "answer": "A group of routes."}
    return question_from_form(QuestionForm(**{**base, **fields}), question_id="bp")


def test_open_question_from_the_form() -> None:
    q = make(
        key_points="- groups routes\n\n• has a url_prefix\n2. registered late\n",
        tags="Flask, #Structure,,",
    )
    assert q.key_points == ["groups routes", "has a url_prefix", "registered late"]
    assert q.tags == ["flask", "structure"]
    assert q.options == [] and q.difficulty.value == "medium"


def test_options_marked_with_a_star() -> None:
    q = make(options="string\r\n*  path\n\n\\*args\n\\\\x")
    assert [(o.text, o.correct) for o in q.options] == [
        ("string", False),
        ("path", True),
        ("*args", False),
        ("\\x", False),
    ]
    assert q.correct_index == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("a\nb", "mark exactly one option as right by starting its line with `*`; found 0"),
        ("*a\n*b\nc", "found 2 (lines 1, 2)"),
        ("*only one", "Options: 1 line; a multiple-choice question needs 2 to 5"),
        ("*a\nb\nc\nd\ne\nf", "Options: 6 lines"),
        ("*a\n*\nb", "Options, line 2: a lone `*`"),
        (
            "*a\n" + "b" * 81,
            "Options, line 2: 81 characters; an option is a button label of at most 80",
        ),
        ("*Same\nsame!", "Options: multiple-choice options must differ from each other."),
    ],
)
def test_option_mistakes_name_the_field_and_line(options: str, message: str) -> None:
    with pytest.raises(UserError) as err:
        make(options=options)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"prompt": "   "}, "Question: must not be empty."),
        ({"answer": ""}, "Model answer: must not be empty."),
        ({"prompt": "x" * 1001}, "Question: 1,001 characters; the limit is 1,000."),
        ({"tags": "ok, not a/tag"}, "Tags: tag 'not a/tag' must be 1-32 characters"),
        # A letter with an accent is not one a tag takes: said so, with the tag it could be.
        (
            {"tags": "ok, Réseau"},
            "Tags: tag 'Réseau' must be 1-32 characters of a-z (no accents), 0-9 and "
            "- . _ + #, starting with a letter or a digit: 'reseau' would do.",
        ),
        ({"tags": "数据库"}, "Tags: tag '数据库' must be 1-32 characters of a-z (no accents), "),
        ({"tags": "-x"}, "starting with a letter or a digit."),
        ({"key_points": "\n".join("p" for _ in range(9))}, "Key points: 9 lines; at most 8"),
        ({"key_points": "fine\n" + "k" * 301}, "Key points, line 2: 301 characters"),
    ],
)
def test_form_mistakes(fields: dict[str, str], message: str) -> None:
    with pytest.raises(UserError) as err:
        make(**fields)
    assert message in str(err.value)


def test_parsers_alone() -> None:
    assert parse_options("  \n ") == []
    assert parse_key_points("* a\n-b") == ["a", "-b"]  # a bullet needs its space
    # An indented line goes on with the point above; a point may start like a bullet.
    assert parse_key_points("- one:\n  two\n- - three\n  \n   four") == ["one:\ntwo", "- three\n\n four"]
    points = ["config per app:\ntests get their own", "- a dash", "1. numbered", "x\n\ty"]
    assert parse_key_points(format_key_points(points)) == points
    # A list indented as a whole (pasted, or typed so) is still one point a line.
    assert parse_key_points("  - groups routes\n  - has a prefix\n\n  - late") == [
        "groups routes", "has a prefix", "late"]
    assert parse_key_points("    one\n    two") == ["one", "two"]
    assert parse_key_points("\t1. one\n\t2. two\n\t   more") == ["one", "two\n more"]


def test_the_edit_form_of_any_valid_question_fits_its_box() -> None:
    point = "a" * 149 + "\n" + "b" * (KEY_POINT_MAX - 150)
    q = Question(
        id="bp", prompt="What is a blueprint?", answer="A group of routes.",
        key_points=[point.replace("a", chr(ord("a") + i), 1) for i in range(KEY_POINTS_MAX)],
    )
    form = form_from_question(q)
    assert len(form.key_points) <= FORM_MAX["key_points"] <= 4000
    back = question_from_form(form, question_id=q.id, difficulty=q.difficulty)
    assert back == q
    # Hundreds of line breaks cannot fit: refused with what to do, not sent broken.
    crowded = q.model_copy(update={"key_points": ["a\n" * 140 + "b"] * KEY_POINTS_MAX})
    with pytest.raises(UserError, match="the form holds 4,000"):
        form_from_question(crowded)


@PROPERTY_SETTINGS
@given(q=questions(allow_cr=False))
def test_form_round_trip(q: Question) -> None:
    """Filling the form with a question and reading it back gives the same question: key
    points may span lines (further lines are indented) or start like a bullet; options must
    fit on one line without surrounding blanks (the form has one a line)."""
    assume(all("\n" not in o.text and o.text == o.text.strip() for o in q.options))
    form = form_from_question(q)
    back = question_from_form(form, question_id=q.id, difficulty=q.difficulty)
    assert back == q


def test_deck_slugs() -> None:
    assert deck_slug_for("Team Flask!") == "team-flask"
    assert deck_slug_for("Déjà vu — SQL") == "deja-vu-sql"
    assert deck_slug_for("???") == "deck"
    assert len(deck_slug_for("x" * 100)) == 40
    # digits alone would read as a deck's number
    assert deck_slug_for("2024") == "deck-2024"
    assert deck_slug_for("  12 ") == "deck-12"
    assert deck_slug_for("1" * 60) == "deck-" + "1" * 35
    assert deck_slug_for("CS 101") == "cs-101"


def test_place_questions_skips_duplicates_and_renames_taken_ids() -> None:
    a = Question(id="a", prompt="What is WSGI?", answer="A protocol.")
    b = Question(id="b", prompt="What is ASGI?", answer="The async one.")
    c = Question(id="c", prompt="what is wsgi", answer="Again.")
    placed = place_questions([a, b, c], active_prompts=["WHAT is ASGI"], taken_ids=["a", "a-2"])
    assert [q.id for q in placed.questions] == ["a-3"]
    assert placed.duplicates == ["What is ASGI?", "what is wsgi"]
    assert placed.notes() == [
        "already in the deck, skipped: What is ASGI?",
        "already in the deck, skipped: what is wsgi",
        "id 'a' is taken in the deck; imported as 'a-3'",
    ]


def test_refusal_text_is_short_and_counts_the_rest() -> None:
    text = refusal_text("big.csv", [f"line {n}: answer: must not be empty" for n in range(200)])
    assert text.startswith("Nothing was imported: **big.csv** has 200 problems. Fix them")
    assert len(text) < 2000
    assert "… and" in text and "more" in text


def test_a_refusal_counts_thousands_of_problems_by_thousands() -> None:
    """A file with 1200 problems was refused as having "1200 problems ... and 1180 more":
    the counts are grouped by thousands, as every number members read."""
    text = refusal_text("big.csv", [f"line {n}: answer: must not be empty" for n in range(1200)])
    assert text.startswith("Nothing was imported: **big.csv** has 1,200 problems. Fix them")
    assert text.endswith(" more (`python -m bot deck validate FILE` lists all).")
    assert "… and 1," in text


def test_form_counts_of_thousands_are_grouped_by_thousands() -> None:
    """A key point or an option pasted thousands of characters long was refused naming its
    length as a run of digits."""
    with pytest.raises(UserError, match="Key points, line 1: 1,200 characters; "):
        make(key_points="k" * 1200)
    with pytest.raises(UserError, match="Options, line 2: 1,200 characters; "):
        make(options="* right\n" + "o" * 1200)
    with pytest.raises(UserError, match="Key points: 1,200 lines; at most 8"):
        make(key_points="\n".join("p" for _ in range(1200)))
    with pytest.raises(UserError, match="Options: 1,200 lines; "):
        make(options="* right\n" + "\n".join("o" for _ in range(1199)))


def test_an_edit_takes_only_the_fields_its_form_changed() -> None:
    opened = Question(
        id="bp", prompt="What is a blueprint?", answer="A group of routes.",
        key_points=["groups routes"], tags=["flask"], why="Every app has some.",
    )
    shown = form_from_question(opened)
    # Saved by someone else since the form opened.
    current = opened.model_copy(update={
        "answer": "Routes, templates and static files.", "why": "Apps grow.",
        "difficulty": Difficulty.hard,
    })

    def edit(sent: QuestionForm, difficulty: str = "medium") -> Question:
        return edited_question(
            current, shown, sent, shown_difficulty=opened.difficulty, difficulty=difficulty
        )

    assert edit(shown) == current
    # Other line ends and surrounding blanks are the text as shown.
    assert edit(replace(shown, prompt=" What is a blueprint?\r\n")) == current
    changed = edit(replace(shown, key_points="groups routes\n- has a prefix", tags="flask, bp"))
    assert changed == current.model_copy(
        update={"key_points": ["groups routes", "has a prefix"], "tags": ["flask", "bp"]}
    )
    assert edit(replace(shown, why="")).why == ""
    assert edit(shown, difficulty="easy").difficulty is Difficulty.easy
    # A change is read and checked as the form is: a mistake names the field.
    with pytest.raises(UserError, match="Options: mark exactly one option"):
        edit(replace(shown, options="a\nb"))
    with pytest.raises(UserError, match="Question: must not be empty"):
        edit(replace(shown, prompt="  "))


def test_an_upload_too_big_is_refused_naming_the_file_and_sizes_that_differ() -> None:
    check_upload_size(1024 * 1024, filename="ok.yaml")  # exactly the limit is fine
    with pytest.raises(ImportRefused) as just_over:
        check_upload_size(1024 * 1024 + 16, filename="big.csv")
    assert str(just_over.value) == (
        "Nothing was imported: **big.csv** is 1,048,592 bytes, and an import may be at most "
        "1,048,576 bytes (1.0 MiB). Split the file into smaller ones."
    )
    with pytest.raises(ImportRefused) as far_over:
        check_upload_size(3 * 1024 * 1024, filename="deck.yaml")
    assert str(far_over.value) == (
        "Nothing was imported: **deck.yaml** is 3.0 MiB, and an import may be at most "
        "1.0 MiB. Split the file into smaller ones."
    )


def _mark(text: str) -> str:
    """A stand-in for the cogs' Markdown escape: shows where it was applied."""
    return f"<{text}>"


async def test_names_in_import_and_export_texts_go_through_the_callers_escape(tmp_path) -> None:
    """bot/ builds these texts without Discord: a file's or a deck's name, or what a member
    typed for a deck, is passed through ``escape`` (the cogs give Discord's Markdown escape),
    and left as it is without one (the command line)."""
    from bot.bank import BankService, read_upload
    from bot.quiz_service import QuizService
    from bot.store import Store

    name = "__team__*v2*.csv"
    with pytest.raises(ImportRefused) as big:
        check_upload_size(3 * 1024 * 1024, filename=name, escape=_mark)
    assert f"**<{name}>** is 3.0 MiB" in str(big.value)
    assert refusal_text(name, ["line 2: bad"], escape=_mark).startswith(f"Nothing was imported: **<{name}>** has")
    assert refusal_text(name, ["line 2: bad"]).startswith(f"Nothing was imported: **{name}** has")
    assert export_summary("*Deck*", 3, "yaml", 1, escape=_mark).startswith("**<*Deck*>**: 3 questions")
    assert export_summary("Deck", 1, "json", 1) == "**Deck**: 1 question as JSON."
    with pytest.raises(ImportRefused) as broken:
        await read_upload(b"question,answer\n,\n", name, active_prompts=[], taken_ids=[], escape=_mark)
    assert f"**<{name}>**" in str(broken.value)

    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        deck = await store.create_custom_deck(42, "# *Team*", "Ours", 1)
        with pytest.raises(UserError) as nowhere:
            await BankService(store, escape=_mark).deck(42, "*nope*")
        assert "There is no deck called “<*nope*>” here." in str(nowhere.value)
        quiz = QuizService(store, escape=_mark)
        with pytest.raises(UserError) as unknown:
            await quiz.resolve_deck(42, "*nope*")
        assert "There is no deck called “<*nope*>”." in str(unknown.value)
        assert "**<# *Team*>**" in str(unknown.value)
        await store.set_deck_enabled(42, deck.id, False)
        with pytest.raises(UserError) as off:
            await quiz.resolve_deck(42, deck.slug)
        assert "The deck **<# *Team*>** is switched off" in str(off.value)
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("csv_text", "says"),
    [
        (
            "question,answer\nWhat is WSGI?,A standard\n",
            "Nothing to import: the question in **q.csv** is already in the deck.",
        ),
        (
            "question,answer\nWhat is WSGI?,A standard\nWhat is ASGI?,Async\n",
            "Nothing to import: both questions in **q.csv** are already in the deck.",
        ),
        (
            "question,answer\nWhat is WSGI?,A\nWhat is ASGI?,B\nWhat is a view?,C\n",
            "Nothing to import: all 3 questions in **q.csv** are already in the deck.",
        ),
    ],
)
async def test_a_file_whose_questions_are_all_in_the_deck_says_how_many(
    csv_text: str, says: str
) -> None:
    from bot.bank import read_upload

    with pytest.raises(ImportRefused) as refused:
        await read_upload(
            csv_text.encode(),
            "q.csv",
            active_prompts=["What is WSGI?", "What is ASGI?", "What is a view?"],
            taken_ids=[],
        )
    assert str(refused.value) == says


async def test_tags_offered_for_a_deck_switched_off(tmp_path) -> None:
    """A tag option's choices after a deck switched off was chosen: /quiz (decks that are
    on) offers the tags of every deck that is on, /question list (every deck) that deck's."""
    from bot.bank import tags_offered
    from bot.store import Store

    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        off = await store.create_custom_deck(42, "Off deck", "", 1)
        on = await store.create_custom_deck(42, "On deck", "", 1)
        await store.add_questions(off.id, [make(tags="zz-off, zz-both")])
        hard = make(tags="zz-on, zz-both").model_copy(update={"difficulty": Difficulty.hard})
        await store.add_questions(on.id, [hard])
        await store.set_deck_enabled(42, off.id, False)
        assert await tags_offered(store, 42, off.slug, "zz") == [("zz-both", 1), ("zz-on", 1)]
        assert await tags_offered(store, 42, off.slug, "#ZZ", include_disabled=True) == [
            ("zz-both", 1),
            ("zz-off", 1),
        ]
        everywhere = await tags_offered(store, 42, "", "zz-", include_disabled=True)
        assert everywhere == [("zz-both", 2), ("zz-off", 1), ("zz-on", 1)]
        assert await tags_offered(store, 42, None, "zz", difficulty="easy") == []
        assert await tags_offered(store, 42, "no such deck", "zz", difficulty="hard") == [
            ("zz-both", 1),
            ("zz-on", 1),
        ]
    finally:
        await store.close()


def test_what_a_form_not_saved_says_of_the_texts_attached() -> None:
    """Refused, or sent after a restart, a form's texts come back attached, with the same
    words either way: the command to run again, and, when the `why` given with it is
    attached too, that it is there (it is no field of the form)."""
    from bot.bank import typed_note, typed_text

    again = "`/question add deck:team difficulty:hard`"
    assert typed_note(again, with_why=True) == (
        " What you typed is attached, with the `why` you gave the command (why it is asked): "
        f"run {again} again with the `why` attached and paste the rest into the form."
    )
    assert typed_note(again, with_why=False) == (
        f" What you typed is attached: run {again} again and paste it into the form."
    )
    assert typed_note("", with_why=False) == (
        " What you typed is attached: open the form again and paste it in."
    )
    assert typed_text([("prompt", "A?"), ("tags", ""), ("why", "B.")]) == (
        "## Question\nA?\n\n## Why it is asked (the command's why option)\nB."
    )


def test_an_import_preview_counts_thousands_of_warnings_by_thousands() -> None:
    """An upload with 1200 warnings was previewed as "**1200 warnings**": grouped by
    thousands, as every count members read."""
    from bot.bank import ImportPreview
    from cogs.questions import preview_embed

    questions = [Question(id="q", prompt="Why?", answer="Because.")]
    warnings = [f"line {n}: skipped a blank row" for n in range(1200)]
    embed = preview_embed(ImportPreview(1, 1, "Deck", "f.csv", "CSV", questions, warnings))
    assert embed.description is not None
    assert "\n\n**1,200 warnings**\n" in embed.description, embed.description
    assert "… and 1,1" in embed.description, embed.description


def test_a_deck_name_or_description_with_a_nul_character_is_refused() -> None:
    """No text may hold a NUL character (PostgreSQL's text cannot): a deck's name or
    description with one is refused, saying which, before anything is stored."""
    from bot.bank import check_deck_name

    with pytest.raises(UserError, match="The deck name contains a NUL character"):
        check_deck_name("Team\x00Flask", "")
    with pytest.raises(UserError, match="The deck description contains a NUL character"):
        check_deck_name("Team Flask", "About\x00Flask")
    assert check_deck_name("Team  Flask", " About ") == ("Team Flask", "About")
