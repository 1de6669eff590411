"""Exports and the round trip export -> import for every format."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.exporters import (
    EXPORT_EXTENSIONS,
    EXPORT_FORMATS,
    MESSAGE_FILES_BYTES_MAX,
    MESSAGE_FILES_MAX,
    ExportPart,
    export_parts,
    export_questions,
    message_batches,
)
from bot.importers import (
    IMPORT_MAX_BYTES,
    IMPORT_MAX_QUESTIONS,
    neutralise_cell,
    parse_import,
    restore_cell,
)
from bot.questions import (
    ANSWER_MAX,
    DECK_DESCRIPTION_MAX,
    DECK_NAME_MAX,
    KEY_POINT_MAX,
    KEY_POINTS_MAX,
    OPTION_MAX,
    OPTIONS_MAX,
    PROMPT_MAX,
    QUESTION_ID_MAX,
    TAG_MAX,
    TAGS_MAX,
    WHY_MAX,
    Question,
    loose_key,
    option_key,
)

# --- generated questions ----------------------------------------------------------------------

AWKWARD = [
    "=", "-", "+", "@", "=SUM(A1:A9)", "-1", "+44", "@here", "'", "'=", "''+", '"', "“", "”",
    "‘", "’", "«", "»", "*", "**", "_", "__", "#", "##", "# ", ">", "> ", "|", " | ", "1. ",
    "2) ", "- ", "* ", "• ", "<br>", "<p>", "</div>", "&amp;", "&", "&#35;", "&nbsp;", "<", "`",
    "```", "~~~", "---", "***", "\n", "\n\n", "\n\n\n", "\n  ", " ", "  ", "\t", ",", ";",
    "Why you might get asked this:", "How to answer:", "Example answer:", "Answer:",
    "Options:", "Tags:", "ID:", "Q: ", "Question 3: ", "FAQ", "Related articles", "[x] ", "[ ] ",
    "![img](a.png)", "[link](https://e.com)", "https://e.com", "\\", "\\*", "é", "ß", "🚀",
    "中文", "\u2028", "\x85", "\u00a0", "\x0b", "\x0c", "\x1f", "\ufeff", "?", "Tell me ",
    "Sign up for our free course", "→", "Flask", "What is ", "\u200d",
]


def _text(*, allow_cr: bool, max_parts: int = 8) -> st.SearchStrategy[str]:
    excluded = "\x00" if allow_cr else "\x00\r"
    plain = st.text(
        alphabet=st.characters(exclude_categories=["Cs"], exclude_characters=excluded),
        max_size=10,
    )
    parts = [st.sampled_from(AWKWARD), plain]
    if allow_cr:
        parts.append(st.sampled_from(["\r", "\r\n", "a\rb"]))
    return st.lists(st.one_of(*parts), max_size=max_parts).map("".join)


WORDS = ["Flask", "SQL", "déjà vu", "x", "42", "naïve", "Ωmega", "C#", "e.g.", "it's"]


def _filled(*, allow_cr: bool, max_parts: int = 6) -> st.SearchStrategy[str]:
    """Awkward text around a word, so that it is never blank."""
    text = _text(allow_cr=allow_cr, max_parts=max_parts)
    return st.tuples(text, st.sampled_from(WORDS), text).map("".join)


@st.composite
def questions(draw: st.DrawFn, allow_cr: bool = True) -> Question:
    text = _filled(allow_cr=allow_cr)
    qid = draw(st.from_regex(r"[a-z0-9][a-z0-9._-]{0,12}", fullmatch=True))
    prompt = draw(text)
    answer = draw(text)
    why = draw(st.one_of(st.just(""), text))
    key_points = draw(st.lists(text, max_size=4))
    tags = draw(
        st.lists(st.from_regex(r"[a-z0-9][a-z0-9+#._-]{0,8}", fullmatch=True), max_size=3)
    )
    difficulty = draw(st.sampled_from(["easy", "medium", "hard"]))
    options: list[dict[str, object]] = []
    if draw(st.booleans()):
        option_text = _filled(allow_cr=allow_cr, max_parts=2).map(lambda t: t[:60])
        texts = draw(st.lists(option_text, min_size=2, max_size=4, unique_by=option_key))
        right = draw(st.integers(0, len(texts) - 1))
        options = [{"text": t, "correct": i == right} for i, t in enumerate(texts)]
    try:
        return Question(
            id=qid,
            prompt=prompt,
            why=why,
            key_points=key_points,
            answer=answer,
            options=options,
            tags=tags,
            difficulty=difficulty,
        )
    except ValidationError:
        assume(False)
        raise


def distinct(
    each: st.SearchStrategy[Question], *, min_size: int = 1, max_size: int = 4
) -> st.SearchStrategy[list[Question]]:
    """Lists of questions with distinct ids and prompts, as a deck holds them."""
    return st.lists(
        each,
        min_size=min_size,
        max_size=max_size,
        unique_by=(lambda q: q.id, lambda q: loose_key(q.prompt)),
    )


def question_lists(allow_cr: bool) -> st.SearchStrategy[list[Question]]:
    return distinct(questions(allow_cr=allow_cr))


PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


def _round_trip(qs: list[Question], fmt: str, description: str = "") -> None:
    data = export_questions(
        qs, fmt, deck_name="Round trip", deck_slug="round-trip", description=description
    )
    result = parse_import(data, "deck" + EXPORT_EXTENSIONS[fmt])  # type: ignore[index]
    assert result.errors == [], (result.errors, data.decode("utf-8"))
    assert result.warnings == []
    assert result.questions == qs, data.decode("utf-8")


@pytest.mark.parametrize("fmt", ["yaml", "json", "markdown"])
@PROPERTY_SETTINGS
@given(qs=question_lists(allow_cr=True), description=_text(allow_cr=True, max_parts=4))
@example(
    qs=[Question(id="a", prompt="What is Flask?", answer="Flask", key_points=["Flask\\\x1f"])],
    description="",
)
def test_round_trip(fmt: str, qs: list[Question], description: str) -> None:
    _round_trip(qs, fmt, description.strip()[:400])


@PROPERTY_SETTINGS
@given(qs=question_lists(allow_cr=False))
def test_round_trip_csv(qs: list[Question]) -> None:
    # CSV cannot carry a carriage return inside a text (documented in bot.exporters).
    _round_trip(qs, "csv")


# --- texts at the limits, and what YAML reads as something else ------------------------------

#: whole texts YAML 1.1 reads as a boolean, null, number, date, or as syntax
YAML_WORDS = [
    "yes", "No", "on", "OFF", "y", "n", "true", "False", "null", "~", "Null", "1e3", "1_000",
    "0x1F", "0o17", "017", ".inf", "-.Inf", ".nan", "3.12", "12:30", "1:20:30", "2026-12-04",
    "2026-12-04 10:00:00", ":", "a: b", "- a", "? a", "!", "!!str", "&a", "*a", "%YAML 1.1",
    "{a: 1}", "[a, b]", "|", ">", "---", "...", "<<", "=", "'a'", '"a"', "@a", "`a`", "#a",
    "a #b", "a: #b",
]


def _at_limit(limit: int, *, allow_cr: bool) -> st.SearchStrategy[str]:
    """Awkward text, or a YAML word, or awkward text repeated to ``limit`` characters."""
    pieces = st.one_of(st.sampled_from(AWKWARD + YAML_WORDS + WORDS), _text(allow_cr=allow_cr))
    base = st.lists(pieces, min_size=1, max_size=6).map("".join)

    def fill(text: str) -> str:
        text = "x" + text
        return (text * (limit // len(text) + 1))[:limit]

    return st.one_of(st.sampled_from(YAML_WORDS), base, base.map(fill))


@st.composite
def full_questions(draw: st.DrawFn, allow_cr: bool) -> Question:
    def text(limit: int) -> str:
        return draw(_at_limit(limit, allow_cr=allow_cr))

    options: list[dict[str, object]] = []
    if draw(st.booleans()):
        texts = draw(
            st.lists(
                _at_limit(OPTION_MAX, allow_cr=allow_cr),
                min_size=2,
                max_size=OPTIONS_MAX,
                unique_by=option_key,
            )
        )
        right = draw(st.integers(0, len(texts) - 1))
        options = [{"text": t, "correct": i == right} for i, t in enumerate(texts)]
    try:
        return Question(
            id=draw(st.from_regex(rf"[a-z0-9][a-z0-9._-]{{0,{QUESTION_ID_MAX - 1}}}", fullmatch=True)),
            prompt=text(PROMPT_MAX),
            why=draw(st.one_of(st.just(""), _at_limit(WHY_MAX, allow_cr=allow_cr))),
            key_points=[text(KEY_POINT_MAX) for _ in range(draw(st.integers(0, KEY_POINTS_MAX)))],
            answer=text(ANSWER_MAX),
            options=options,
            tags=draw(
                st.lists(
                    st.from_regex(rf"[a-z0-9][a-z0-9+#._-]{{0,{TAG_MAX - 1}}}", fullmatch=True),
                    max_size=TAGS_MAX,
                    unique=True,
                )
            ),
            difficulty=draw(st.sampled_from(["easy", "medium", "hard"])),
        )
    except ValidationError:
        assume(False)
        raise


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_round_trip_at_the_limits(fmt: str, data: st.DataObject) -> None:
    """Every field as long as the model takes, or a whole text YAML would read as a boolean,
    null, number, date or syntax; the deck's name and description (as /deck create keeps
    them) come back too from YAML and JSON, which carry them."""
    qs = data.draw(distinct(full_questions(allow_cr=fmt != "csv"), max_size=3))
    name = data.draw(
        _at_limit(DECK_NAME_MAX, allow_cr=True)
        .map(lambda t: " ".join(t.split())[:DECK_NAME_MAX].strip())
        .filter(bool)
    )
    description = data.draw(
        st.one_of(st.just(""), _at_limit(DECK_DESCRIPTION_MAX, allow_cr=True).map(str.strip))
    )
    exported = export_questions(
        qs, fmt, deck_name=name, deck_slug="limits", description=description
    )
    result = parse_import(exported, "deck" + EXPORT_EXTENSIONS[fmt])  # type: ignore[index]
    assert result.errors == [] and result.warnings == [], (result.errors, result.warnings)
    assert result.questions == qs
    if fmt in ("yaml", "json"):
        assert (result.deck_slug, result.deck_name) == ("limits", name)
        assert (result.deck_description or "") == description


# --- damaged exports ---------------------------------------------------------------------------

#: what an edit by hand may slip in: a structural character, a quote, a line break, a tab
SLIPS = ["", ":", "-", " ", "\t", '"', "'", ",", "\n", "{", "}", "[", "]", "#", "*", "&", "!",
         "|", ">", "\\", "é", "\x7f"]


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv"])
@PROPERTY_SETTINGS
@given(qs=question_lists(allow_cr=False), data=st.data())
def test_a_damaged_export_is_refused_naming_the_line_of_each_error(
    fmt: str, qs: list[Question], data: st.DataObject
) -> None:
    """An export edited by hand with a slip or two (a character put in, taken out or
    replaced) imports whole, or is refused with every error naming its line, importing
    nothing."""
    text = export_questions(qs, fmt, deck_name="D", deck_slug="d", description="x").decode()
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(at, min(len(text), at + 3)))
        text = text[:at] + data.draw(st.sampled_from(SLIPS)) + text[cut:]
    result = parse_import(text.encode(), "deck" + EXPORT_EXTENSIONS[fmt])  # type: ignore[index]
    if result.errors:
        assert result.questions == []
        assert [e for e in result.errors if e.line is None] == [], text


# --- examples ---------------------------------------------------------------------------------

SAMPLE = [
    Question(
        id="flask-what",
        prompt="What is Flask?",
        why="Checks that you know the basics.",
        key_points=["A micro framework", "Built on Werkzeug and Jinja"],
        answer="Flask is a small WSGI web framework.",
        tags=["flask", "python"],
        difficulty="easy",
    ),
    Question(
        id="sql-join",
        prompt="Which join keeps every row of the left table?",
        answer="LEFT JOIN",
        options=[
            {"text": "INNER JOIN", "correct": False},
            {"text": "LEFT JOIN", "correct": True},
            {"text": "=CROSS JOIN", "correct": False},
        ],
    ),
]


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_sample_round_trip(fmt: str) -> None:
    _round_trip(SAMPLE, fmt, "Two sample questions.")


def test_yaml_is_the_deck_schema() -> None:
    data = yaml.safe_load(
        export_questions(SAMPLE, "yaml", deck_name="Web", deck_slug="web", description="d")
    )
    assert list(data) == ["slug", "name", "description", "questions"]
    assert data["slug"] == "web"
    assert data["questions"][1]["options"][1] == {"text": "LEFT JOIN", "correct": True}


def test_json_is_the_deck_schema() -> None:
    data = json.loads(export_questions(SAMPLE, "json", deck_name="Web", deck_slug="web"))
    assert data["name"] == "Web"
    assert data["questions"][0]["key_points"] == SAMPLE[0].key_points


def test_csv_header_and_neutralised_cells() -> None:
    raw = export_questions(SAMPLE, "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert rows[0] == [
        "question", "answer", "key_points", "tags", "difficulty", "options", "id", "why",
    ]
    options = rows[2][5]
    assert options == "INNER JOIN\n*LEFT JOIN\n=CROSS JOIN"  # '=' not at the cell start
    q = SAMPLE[0].model_copy(update={"answer": "=HYPERLINK(\"x\")", "why": "-1 means none"})
    rows = list(csv.reader(io.StringIO(export_questions([q], "csv").decode("utf-8-sig"))))
    assert rows[1][1] == "'=HYPERLINK(\"x\")"
    assert rows[1][7] == "'-1 means none"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-x", "'-x"),
        ("@sum", "'@sum"),
        ("\tx", "'\tx"),
        ("'=x", "''=x"),
        ("''-x", "'''-x"),
        ("'quoted'", "'quoted'"),
        ("plain", "plain"),
        ("a=b", "a=b"),
    ],
)
def test_neutralise_and_restore(value: str, cell: str) -> None:
    assert neutralise_cell(value) == cell
    assert restore_cell(cell) == value


def test_markdown_reads_like_an_article() -> None:
    text = export_questions(SAMPLE, "markdown", deck_name="Web basics").decode("utf-8")
    assert text.startswith("# Web basics\n")
    assert "## 1. What is Flask?" in text
    assert "**Why you might get asked this:**" in text
    assert "**How to answer:**\n\n- A micro framework\n" in text
    assert '**Example answer:**\n\n"Flask is a small WSGI web framework."' in text
    assert "- [x] LEFT JOIN" in text
    assert "**Tags:** flask, python" in text
    assert "**ID:** sql-join" in text


def test_markdown_escapes_structure_inside_texts() -> None:
    q = Question(
        id="tricky",
        prompt="**Bold** start",
        answer="Line one\n## not a heading\n- not a bullet\nExample answer: not a label",
    )
    text = export_questions([q], "markdown").decode("utf-8")
    assert "\n## not a heading" not in text
    assert "&#35;# not a heading" in text
    assert "&#45; not a bullet" in text
    assert parse_import(text.encode(), "t.md").questions == [q]


def test_markdown_keeps_backslashes_the_reader_would_take_for_escapes() -> None:
    q = Question(
        id="paths",
        prompt=r"What does C:\Users\* match in a\_b?",
        answer="Ends with a backslash \\",
        options=[{"text": r"\(x\)", "correct": True}, {"text": "y", "correct": False}],
    )
    text = export_questions([q], "markdown").decode("utf-8")
    assert r"C:\Users&#92;* match in a&#92;_b?" in text
    assert parse_import(text.encode(), "t.md").questions == [q]


# A backslash before whitespace that ends a line (written as an entity, so that the reader
# does not trim it): a space or tab before a line break, or a character that str.strip() takes
# for whitespace and the model keeps at the end of a text (U+001C to U+001F).
BACKSLASH_BEFORE_LINE_END = ["Flask\\\x1f", "x\\\x1c", "Flask\\ \nnext", "a\\\t\nb", "a\\\u3000\nb"]


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
@pytest.mark.parametrize("text", BACKSLASH_BEFORE_LINE_END)
def test_a_backslash_before_whitespace_at_a_line_end_comes_back(fmt: str, text: str) -> None:
    q = Question(
        id="slash",
        prompt="What is " + text,
        why=text,
        key_points=[text, "plain"],
        answer=text,
        options=[{"text": text.split("\n")[0], "correct": True}, {"text": "y", "correct": False}],
    )
    _round_trip([q], fmt)


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export_questions(SAMPLE, "xml")


# --- exports within the import limits ---------------------------------------------------------


def _many(n: int, answer_size: int = 40) -> list[Question]:
    return [
        Question(
            id=f"q-{i}",
            prompt=f"Question number {i}: what does x<{i}> & y do?",
            answer=f"Answer {i} " + "<&x" * (answer_size // 3),
            key_points=[f"point {i}"],
            tags=["t"],
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
@pytest.mark.parametrize(("count", "max_questions", "max_bytes"), [(7, 3, 100_000), (12, 50, 0)])
def test_export_parts_each_import_back_within_the_limits(
    fmt: str, count: int, max_questions: int, max_bytes: int
) -> None:
    """A deck larger than one import takes is exported as several files, each of which an
    import takes; read back in turn they give the deck again."""
    qs = _many(count, answer_size=300)
    if not max_bytes:  # small enough that bytes, not the count, split the deck
        max_bytes = len(export_questions(qs, fmt, deck_name="Big", deck_slug="big")) // 3
    parts = export_parts(
        qs, fmt, deck_name="Big", deck_slug="big", max_bytes=max_bytes, max_questions=max_questions
    )
    assert len(parts) >= 3
    ext = EXPORT_EXTENSIONS[fmt]  # type: ignore[index]
    assert [p.filename for p in parts] == [
        f"big-{i}-of-{len(parts)}{ext}" for i in range(1, len(parts) + 1)
    ]
    back: list[Question] = []
    for part in parts:
        assert len(part.data) <= max_bytes
        result = parse_import(
            part.data, part.filename, max_bytes=max_bytes, max_questions=max_questions
        )
        assert result.errors == [] and result.warnings == []
        assert part.count == len(result.questions) <= max_questions
        back += result.questions
    assert back == qs


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_parts_of_awkward_questions_each_import_within_the_limits(
    fmt: str, data: st.DataObject
) -> None:
    """Split at any limit, every part of any deck imports alone within it (a question too
    big for it alone gets a file of its own), and the parts read in turn give the deck."""
    qs = data.draw(distinct(questions(allow_cr=fmt != "csv"), min_size=2, max_size=8))
    whole = len(export_questions(qs, fmt, deck_name="Parts", deck_slug="parts"))
    max_bytes = data.draw(st.integers(whole // 4, whole))
    max_questions = data.draw(st.integers(1, len(qs)))
    parts = export_parts(
        qs, fmt, deck_name="Parts", deck_slug="parts", description="Split.",
        max_bytes=max_bytes, max_questions=max_questions,
    )
    back: list[Question] = []
    for part in parts:
        assert part.count <= max_questions
        assert len(part.data) <= max_bytes or part.count == 1
        result = parse_import(
            part.data, part.filename, max_bytes=max(max_bytes, len(part.data)),
            max_questions=max_questions,
        )
        assert result.errors == [] and result.warnings == [], result.errors
        assert len(result.questions) == part.count
        back += result.questions
    assert back == qs


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_a_deck_within_the_limits_is_one_file_as_before(fmt: str) -> None:
    qs = _many(IMPORT_MAX_QUESTIONS)
    [part] = export_parts(qs, fmt, deck_name="Big", deck_slug="big")
    assert part.filename == "big" + EXPORT_EXTENSIONS[fmt]  # type: ignore[index]
    assert part.data == export_questions(qs, fmt, deck_name="Big", deck_slug="big")
    assert part.count == IMPORT_MAX_QUESTIONS


def test_a_deck_over_the_default_limits_splits_by_count_and_size() -> None:
    parts = export_parts(_many(IMPORT_MAX_QUESTIONS + 1), "json", deck_name="B", deck_slug="b")
    assert [p.count for p in parts] == [IMPORT_MAX_QUESTIONS, 1]
    heavy = _many(400, answer_size=3900)
    assert len(export_questions(heavy, "markdown")) > IMPORT_MAX_BYTES
    parts = export_parts(heavy, "markdown", deck_name="B", deck_slug="b")
    assert len(parts) > 1
    assert all(len(p.data) <= IMPORT_MAX_BYTES for p in parts)
    assert sum(p.count for p in parts) == 400


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, IMPORT_MAX_BYTES), min_size=1, max_size=25))
def test_message_batches_keep_discords_attachment_limits(sizes: list[int]) -> None:
    parts = [ExportPart(f"f{i}", bytes(s), 1) for i, s in enumerate(sizes)]
    batches = message_batches(parts)
    assert [p for b in batches for p in b] == parts
    for batch in batches:
        assert 1 <= len(batch) <= MESSAGE_FILES_MAX
        assert sum(len(p.data) for p in batch) <= MESSAGE_FILES_BYTES_MAX
