"""Importing questions: articles, Recall YAML/JSON, CSV, limits and the malformed corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.importers import (
    IMPORT_MAX_BYTES,
    IMPORT_MAX_QUESTIONS,
    ImportIssue,
    ImportResult,
    dedupe_against,
    detect_format,
    parse_import,
    slug_for_prompt,
    validate_file,
)
from bot.questions import Question

DATA = Path(__file__).parent / "data"
IMPORTS = DATA / "imports"
MALFORMED = DATA / "malformed"


def load(name: str) -> ImportResult:
    path = IMPORTS / name
    return parse_import(path.read_bytes(), name)


def prompts(result: ImportResult) -> list[str]:
    return [q.prompt for q in result.questions]


def by_prompt(result: ImportResult, start: str) -> Question:
    matches = [q for q in result.questions if q.prompt.startswith(start)]
    assert len(matches) == 1, prompts(result)
    return matches[0]


def warning_texts(result: ImportResult) -> list[str]:
    return [str(w) for w in result.warnings]


# --- articles ---------------------------------------------------------------------------------


def test_flask_article_finds_each_question_once() -> None:
    result = load("flask_interview.md")
    assert result.errors == []
    assert result.format == "markdown"
    assert prompts(result) == [
        "What is Flask, and how is it different from Django?",
        "What is the application context?",
        "How do blueprints help structure a project?",
        "How would you handle configuration for several environments?",
    ]
    first = result.questions[0]
    assert first.why.startswith("Interviewers open with this")
    assert "micro-framework\nleaves" not in first.why  # wrapped lines are joined
    assert first.key_points == [
        "Describe Flask as a small WSGI framework built on Werkzeug and Jinja",
        "Contrast it with Django's batteries-included approach",
        "Mention when you would pick each one",
    ]
    assert first.answer.startswith("Flask gives you routing")
    assert first.answer.endswith("an ORM from day one.")
    # the advert between questions 2 and 3 is not part of any answer
    assert all("mock interviewer" not in q.answer for q in result.questions)


def test_flask_article_skips_faq_with_a_warning() -> None:
    result = load("flask_interview.md")
    texts = warning_texts(result)
    assert any("skipped the FAQ section (2 questions)" in t for t in texts), texts
    assert all("Flask still worth" not in p for p in prompts(result))
    # neither the "Related articles" links nor the tips become questions or warnings
    assert len(result.warnings) == 1


def test_python_article_headings_with_emoji_restart_and_curly_quotes() -> None:
    result = load("python_interview.md")
    assert result.errors == []
    assert prompts(result) == [
        "What is the difference between a list and a tuple?",
        "What does the `with` statement do?",
        "How does the GIL affect multithreaded code?",
        "What is a metaclass?",
    ]
    tuple_q = by_prompt(result, "What is the difference between a list")
    assert tuple_q.answer == (
        "A list is a mutable sequence, so I use it for collections that grow or change. A tuple "
        "is immutable, which makes it hashable when its items are, so it can be a dictionary "
        "key.\n\nI also use tuples for small fixed records, like a pair of coordinates."
    )
    with_q = by_prompt(result, "What does the `with`")
    assert with_q.key_points[0] == "Mention `__enter__` and `__exit__`"  # "•" bullets
    gil = by_prompt(result, "How does the GIL")
    assert gil.key_points[2] == "CPU-bound work needs processes or native extensions"  # "1)"
    assert "don’t speed up" in gil.answer  # &#8217;
    assert "loops.\nFor I/O-bound" in gil.answer  # <br>
    meta = by_prompt(result, "What is a metaclass")
    assert "newsletter" not in meta.answer
    texts = warning_texts(result)
    assert any(":53: answer: 'What is a virtual environment?' has no example" in t for t in texts)
    assert any("skipped the FAQ section (2 questions)" in t for t in texts)


def test_sql_plain_text_with_question_n_and_repeated_toc() -> None:
    result = load("sql_interview.txt")
    assert result.format == "text"
    assert result.errors == []
    assert prompts(result) == [
        "What is a primary key?",
        "What is the difference between WHERE and HAVING?",
        "What is an index and when would you add one?",
    ]
    key = result.questions[0]
    assert key.key_points == [
        "Define it as the column or columns that identify each row",
        "Say that it must be unique and not null",
        "Mention natural versus surrogate keys",
    ]
    assert key.answer.startswith("A primary key uniquely identifies")
    assert not key.answer.startswith('"')
    assert [str(w) for w in result.warnings] == [
        "sql_interview.txt:66: skipped the FAQ section (1 question): FAQ answers are not "
        "imported as interview questions"
    ]


def test_behavioral_article_bold_questions_inline_labels_and_duplicates() -> None:
    result = load("behavioral_interview.md")
    assert result.errors == []
    assert prompts(result) == [
        "Tell me about yourself.",
        "Describe a time you disagreed with a teammate.",
    ]
    intro = result.questions[0]
    assert intro.why.startswith("It is the usual opener")
    assert intro.key_points[0] == "Start with your current role; one line on what you do day to day"
    # two quoted paragraphs; the commentary and the advert after them are left out
    assert intro.answer.endswith("which is what drew me here.")
    assert "\n\nI'm looking for a team" in intro.answer
    assert "This answer works" not in intro.answer
    texts = warning_texts(result)
    assert any(":49: prompt: the same question as on line 10" in t for t in texts), texts
    assert any("'What is your greatest weakness?' has no example answer" in t for t in texts)
    assert any("skipped the FAQ section (2 questions)" in t for t in texts)


def test_scraped_html_article() -> None:
    result = load("rest_api_scraped.md")
    assert result.errors == []
    assert prompts(result) == [
        'What does "stateless" mean in REST?',
        "When would you use PUT instead of PATCH?",
        "How should an API report errors?",
    ]
    stateless = result.questions[0]
    assert stateless.key_points[1] == "The server keeps no client session between requests"
    assert stateless.answer.startswith("Stateless means")  # &ldquo; ... &rdquo; removed
    assert "requests.\nEvery request" in stateless.answer
    errors_q = result.questions[2]
    assert '```json\n{"error": "invalid_email"' in errors_q.answer  # code block kept as is
    assert "a `<div>` never shows up" in errors_q.answer  # tags in code spans survive
    assert "Sign up" not in errors_q.answer
    assert result.warnings == []


def test_git_article_labels_inside_list_items() -> None:
    result = load("git_interview.md")
    assert result.errors == []
    assert prompts(result) == [
        "What is the difference between merge and rebase?",
        "How do you undo a commit that was already pushed?",
        "What is a detached HEAD?",
    ]
    merge = result.questions[0]
    assert merge.why == (
        "Teams have strong opinions on history, and they want to know you understand both "
        "options."
    )
    assert merge.key_points[2] == "Never rebase commits others have already pulled"
    assert merge.answer.endswith("and merge shared branches.")
    assert "free Git course" not in merge.answer
    undo = result.questions[1]
    assert undo.answer.startswith("On a shared branch I run `git revert <sha>`")
    assert "cheat sheet" not in undo.answer
    assert result.warnings == []


def test_docker_plain_numbered_list_with_numbered_steps_and_restart() -> None:
    result = load("docker_interview.md")
    assert result.errors == []
    assert prompts(result) == [
        "What is the difference between an image and a container?",
        "Why should a Dockerfile copy requirements before the rest of the code?",
        "How do containers on the same network find each other?",
        "Tell me about a time a container worked locally but failed in production.",
    ]
    image = result.questions[0]
    assert image.key_points == [
        "An image is a read-only template made of layers",
        "A container is a running (or stopped) instance of an image",
        "Many containers can start from one image",
    ]
    assert image.answer.startswith("An image is the packaged filesystem")


def test_generated_ids_are_stable_and_unique() -> None:
    first = load("flask_interview.md")
    again = load("flask_interview.md")
    assert [q.id for q in first.questions] == [q.id for q in again.questions]
    assert first.questions[1].id == slug_for_prompt("What is the application context?")
    assert first.questions[1].id.startswith("what-is-the-application-context-")
    ids = [q.id for q in first.questions]
    assert len(set(ids)) == len(ids)


def test_generated_ids_never_clash_with_given_ids() -> None:
    taken = slug_for_prompt("What is a list?")
    text = (
        "questions:\n"
        f"  - id: {taken}\n    prompt: Something else\n    answer: x\n"
        "  - prompt: What is a list?\n    answer: y\n"
    )
    result = parse_import(text.encode(), "d.yaml")
    assert result.errors == []
    assert result.questions[0].id == taken
    assert result.questions[1].id == taken + "-2"


def test_article_faq_only_is_refused_with_a_hint() -> None:
    text = "# Python FAQ\n\n## FAQ\n\nQ: Is Python slow?\nA: Sometimes.\n"
    result = parse_import(text.encode(), "faq.md")
    assert result.questions == []
    assert "no interview questions found" in result.errors[0].message
    assert any("FAQ" in w.message for w in result.warnings)


def test_faq_with_answer_labels_is_still_skipped() -> None:
    text = (
        "## 1. What is Flask?\n\n**Example answer:**\n\n\"A small framework.\"\n\n"
        "## Frequently Asked Questions\n\n### 1. Is Flask free?\n\n**Answer:** Yes, BSD licensed.\n"
    )
    result = parse_import(text.encode(), "a.md")
    assert prompts(result) == ["What is Flask?"]
    assert "skipped the FAQ section (1 question)" in result.warnings[0].message


def test_article_metadata_sections() -> None:
    text = (
        "### 1. Which HTTP method is idempotent?\n\n"
        "Difficulty: Beginner\n\n"
        "**Example answer:**\n\nPUT is idempotent.\n\n"
        "**Options:**\n\n- [ ] POST\n- [x] PUT\n\n"
        "**Tags:** http, #rest\n\n"
        "**ID:** http-idempotent\n"
    )
    result = parse_import(text.encode(), "a.md")
    assert result.errors == []
    q = result.questions[0]
    assert q.id == "http-idempotent"
    assert q.difficulty == "easy"
    assert q.tags == ["http", "rest"]
    assert [(o.text, o.correct) for o in q.options] == [("POST", False), ("PUT", True)]


@pytest.mark.parametrize(
    ("line", "tags"),
    [
        ("#python #flask", ["python", "flask"]),
        ("#python #web #c++, sql", ["python", "web", "c++", "sql"]),
        ("python, machine learning", ["python", "machine-learning"]),
    ],
)
def test_article_hashtags_are_each_a_tag(line: str, tags: list[str]) -> None:
    """Notes written with hashtags ("#python #flask") give a tag each, not one tag
    "python-#flask"; words after a comma stay one tag, as everywhere."""
    text = f"## 1. What is WSGI?\n\n**Example answer:** A standard.\n\n**Tags:** {line}\n"
    result = parse_import(text.encode(), "a.md")
    assert result.errors == []
    assert result.questions[0].tags == tags


def test_article_backslash_escapes_of_markdown_converters_are_read_as_the_character() -> None:
    """Converters from web pages and Google Docs write Markdown with backslash escapes
    (``1\\.``, ``\\*``, ``\\_``, ``\\(``): the question reads as the article showed it, without
    its number and without the backslashes, which stay inside code spans and code blocks."""
    paragraphs = [
        "# Python interview questions",
        "## 1\\. What does `*args` do in a\\_function?",
        "**Why you might get asked this:**",
        "It checks \\*basics\\* such as C:\\\\Users and `a\\_b`.",
        "**How to answer:**",
        "- Mention \\*args\n- \\[optional\\] name the tuple",
        "**Example answer:**",
        '"It collects extra positional arguments into a tuple \\(see the docs\\)."',
        "**2\\. Why use a virtual environment?**",
        "**Example answer:**",
        "To keep each project's packages apart:",
        "```\npython -m venv .venv \\\n  --prompt x\n```\n",
    ]
    text = "\n\n".join(paragraphs)
    result = parse_import(text.encode(), "python.md")
    assert result.errors == [] and result.warnings == []
    first, second = result.questions
    assert first.prompt == "What does `*args` do in a_function?"
    assert first.why == "It checks *basics* such as C:\\Users and `a\\_b`."
    assert first.key_points == ["Mention *args", "[optional] name the tuple"]
    assert first.answer == "It collects extra positional arguments into a tuple (see the docs)."
    assert second.prompt == "Why use a virtual environment?"
    assert second.answer.endswith("```\npython -m venv .venv \\\n  --prompt x\n```")


def test_article_key_points_from_a_paragraph() -> None:
    text = (
        "Question 1: Why do you want this job?\n\n"
        "How to answer:\n"
        "Connect your experience to the role. Show that you researched the company.\n\n"
        "Example answer:\n"
        "“I have built payment systems for five years, and your team is building one.”\n"
    )
    result = parse_import(text.encode(), "a.txt")
    assert result.errors == []
    q = result.questions[0]
    assert q.prompt == "Why do you want this job?"
    assert q.key_points == [
        "Connect your experience to the role. Show that you researched the company."
    ]
    assert q.answer.startswith("I have built")


# --- YAML and JSON ----------------------------------------------------------------------------

DECK_YAML = """\
slug: python-basics
name: Python basics
description: Warm-up questions.
questions:
  - id: list-vs-tuple
    prompt: What is the difference between a list and a tuple?
    why: Mutability.
    key_points: [Lists change, Tuples do not]
    answer: Lists are mutable; tuples are immutable.
    tags: [python]
    difficulty: Easy
  - prompt: Which keyword defines a function?
    answer: def
    options:
      - {text: def, correct: true}
      - {text: fun}
"""


def test_yaml_deck_schema() -> None:
    result = parse_import(DECK_YAML.encode(), "deck.yaml")
    assert result.errors == []
    assert result.format == "yaml"
    assert (result.deck_slug, result.deck_name) == ("python-basics", "Python basics")
    assert result.deck_description == "Warm-up questions."
    first, second = result.questions
    assert first.id == "list-vs-tuple"
    assert first.difficulty == "easy"
    assert second.id == slug_for_prompt("Which keyword defines a function?")
    assert second.correct_index == 0


def test_yaml_list_and_questions_only_mapping() -> None:
    as_list = "- prompt: A?\n  answer: a\n- prompt: B?\n  answer: b\n"
    only = "questions:\n  - prompt: A?\n    answer: a\n"
    assert prompts(parse_import(as_list.encode(), "l.yml")) == ["A?", "B?"]
    result = parse_import(only.encode(), "q.yaml")
    assert prompts(result) == ["A?"]
    assert result.deck_slug is None


def test_json_deck_and_list() -> None:
    deck = {"slug": "s", "name": "N", "questions": [{"prompt": "A?", "answer": "a"}]}
    result = parse_import(json.dumps(deck).encode(), "d.json")
    assert result.errors == [] and prompts(result) == ["A?"]
    result = parse_import(json.dumps([{"prompt": "B?", "answer": "b"}]).encode(), "d.json")
    assert prompts(result) == ["B?"]


def test_yaml_errors_name_line_and_field() -> None:
    text = "questions:\n  - prompt: A?\n    answer: a\n  - prompt: B?\n    answer: ''\n"
    result = parse_import(text.encode(), "deck.yaml")
    assert result.questions == []
    assert [str(e) for e in result.errors] == [
        "deck.yaml:5:13: questions[1].answer: must not be empty"
    ]


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        # A quote never closed: YAML notices at the end of the file, lines below.
        (
            'questions:\n  - prompt: "What is a list?\n    answer: a\n'
            "  - prompt: B?\n    answer: b\n",
            (2, 13),
            "the quoted text that starts here is never closed: add the closing '\"'",
        ),
        # A key without its colon: YAML notices on the next line.
        (
            "questions:\n  - prompt: A?\n    answer a\n    tags: x\n",
            (3, 5),
            "no ':' after the key on this line",
        ),
        # A colon inside an unquoted text.
        (
            "questions:\n  - prompt: A?\n    answer: Use this: not that\n",
            (3, 21),
            "': ' here starts a key: put the whole text in quotes if it belongs to the text",
        ),
        # A flow list never closed: YAML notices where the next question starts.
        (
            "questions:\n  - prompt: A?\n    answer: a\n    tags: [x, y\n"
            "  - prompt: B?\n    answer: b\n",
            (4, 11),
            "the '[' here is never closed: add the ']'",
        ),
    ],
)
def test_yaml_syntax_errors_name_the_line_to_fix(
    text: str, where: tuple[int, int], says: str
) -> None:
    result = parse_import(text.encode(), "deck.yaml")
    [error] = result.errors
    assert (error.line, error.column) == where, str(error)
    assert says in error.message, str(error)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("questions:\n\t- prompt: A?\n\t  answer: a\n", (2, 1)),
        ("questions:\n  - prompt:\tA?\n    answer: a\n", (2, 12)),
    ],
)
def test_yaml_tabs_are_named_as_tabs(text: str, where: tuple[int, int]) -> None:
    [error] = parse_import(text.encode(), "deck.yaml").errors
    assert (error.line, error.column) == where, str(error)
    assert "a tab: YAML takes spaces only, to indent and after ':'; replace the tab with spaces" in (
        error.message
    ), str(error)


@pytest.mark.parametrize(("odd", "code"), [("\x0c", "000C"), ("\x7f", "007F"), ("\x9b", "009B")])
def test_a_yaml_character_yaml_refuses_is_named_with_its_line(odd: str, code: str) -> None:
    """A form feed or other control character (pasted from a PDF, say) was refused as
    'unacceptable character #x000c ... in "<unicode string>", position 52', no line."""
    text = f"questions:\n  - prompt: What is WSGI?\n    answer: A{odd} protocol.\n"
    [error] = parse_import(text.encode(), "deck.yaml").errors
    assert (error.line, error.column) == (3, 14), str(error)
    assert error.message == (
        f"the character U+{code} is not allowed in YAML (it does not show: it may have come "
        "with text pasted from a PDF or a document): remove it"
    )


def test_yaml_dates_are_told_to_be_quoted() -> None:
    text = "questions:\n  - prompt: When was Python 3.0 released?\n    answer: 2008-12-03\n"
    [error] = parse_import(text.encode(), "deck.yaml").errors
    assert str(error) == (
        "deck.yaml:3:13: questions[0].answer: must be text, not a date: put it in quotes to "
        "keep it as text"
    )


def test_yaml_text_cut_short_by_a_comment_is_warned_about() -> None:
    """In YAML a `` #`` outside quotes starts a comment: "Use a list # or a tuple" is read as
    "Use a list". The import says so, with the line, instead of dropping the rest silently."""
    text = (
        "slug: demo   # a comment after the deck's slug is fine\n"
        "questions:\n"
        "  - prompt: What does C# add over C?\n"  # no space before #: not a comment
        "    answer: Use a list # or a tuple\n"
        "    key_points:\n"
        "      - first   # second\n"
        "      - 'quoted # kept'\n"
        "    options:\n"
        "      - text: a # b\n"
        "        correct: true\n"
        "      - text: c\n"
        "    difficulty: easy  # easy, medium or hard\n"
    )
    result = parse_import(text.encode(), "d.yaml")
    assert result.errors == []
    [q] = result.questions
    assert q.prompt == "What does C# add over C?"
    assert q.answer == "Use a list" and q.key_points == ["first", "quoted # kept"]
    assert [str(w) for w in result.warnings] == [
        f"d.yaml:{line}:{column}: {field}: ' #' starts a YAML comment, so the text after it "
        "was left out; put the whole text in quotes to keep it"
        for line, column, field in [
            (4, 24, "questions[0].answer"),
            (6, 17, "questions[0].key_points[0]"),
            (9, 17, "questions[0].options[0].text"),
        ]
    ]


def test_all_or_nothing() -> None:
    text = "- prompt: Fine?\n  answer: yes\n- prompt: Broken?\n"
    result = parse_import(text.encode(), "d.yaml")
    assert result.errors and result.questions == []
    assert not result.ok


def test_duplicate_prompts_warn_and_keep_the_first() -> None:
    text = (
        "- prompt: What is a list?\n  answer: first\n"
        "- prompt: what is a LIST\n  answer: second\n"
    )
    result = parse_import(text.encode(), "d.yaml")
    assert result.errors == []
    assert [q.answer for q in result.questions] == ["first"]
    assert str(result.warnings[0]).startswith("d.yaml:3: prompt: the same question as on line 1")


def test_a_nul_character_escaped_in_json_or_yaml_is_refused_naming_the_field() -> None:
    """A raw NUL makes a file binary and is refused; JSON's "\\u0000" and YAML's "\\0" bring
    one in all the same. No text of a question may hold one (PostgreSQL's text cannot, and a
    CSV or Markdown export could not carry it back): the field is named."""
    data = b'{"questions": [{"prompt": "What is a\\u0000b?", "answer": "x"}]}'
    [error] = parse_import(data, "d.json").errors
    assert error.field == "questions[0].prompt"
    assert "NUL character" in error.message and "remove it" in error.message, error.message
    text = 'questions:\n  - prompt: "A?"\n    answer: x\n    key_points: ["one\\0"]\n'
    [error] = parse_import(text.encode(), "d.yaml").errors
    assert error.field == "questions[0].key_points[0]", error.field
    assert "NUL character" in error.message
    with pytest.raises(ValueError, match="NUL character"):
        Question(id="q", prompt="A?", answer="x", options=[
            {"text": "a\x00", "correct": True}, {"text": "b"}])


def test_a_file_not_in_utf8_shows_the_text_to_find_and_how_to_save_it() -> None:
    """Excel's plain "CSV" saves in the Windows code page: the error shows the line's text
    around the byte (a moderator cannot search for 0xe9) and the Excel choice that fixes it."""
    data = "question,answer\nWhat is a caf\u00e9 racer?,A motorcycle\n".encode("cp1252")
    [error] = parse_import(data, "bikes.csv").errors
    assert (error.line, error.column) == (2, 14)
    assert error.message == (
        "not valid UTF-8 (byte 0xe9) in \u201cWhat is a caf\ufffd racer?,A motorcycle\u201d: "
        "save the file with UTF-8 encoding (in Excel: Save As, CSV UTF-8)"
    )
    text = "questions:\n  - prompt: Caf\u00e9?\n    answer: x\n"
    [error] = parse_import(text.encode("utf-16"), "d.yaml").errors
    assert error.message == (
        "not valid UTF-8: the file is saved as UTF-16 (\u201cUnicode\u201d); save it with "
        "UTF-8 encoding"
    )
    for encoding in ("utf-32", "utf-32-be"):
        data = text.encode(encoding)
        if encoding == "utf-32-be":
            data = b"\x00\x00\xfe\xff" + data
        [error] = parse_import(data, "d.yaml").errors
        assert error.message == (
            "not valid UTF-8: the file is saved as UTF-32; save it with UTF-8 encoding"
        ), encoding


def _zipped(name: str) -> bytes:
    """An Office Open XML / OpenDocument file's start: a ZIP archive."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("filename", "data", "says"),
    [
        ("questions.xlsx", _zipped("xl/workbook.xml"),
         "this is a spreadsheet file, not text: save it as CSV UTF-8 (in Excel: "
         "Save As, CSV UTF-8; in LibreOffice or Google Sheets: CSV) and import that file"),
        ("questions.ods", _zipped("content.xml"),
         "this is a spreadsheet file, not text: save it as CSV UTF-8 (in Excel: "
         "Save As, CSV UTF-8; in LibreOffice or Google Sheets: CSV) and import that file"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
         "this is a spreadsheet file, not text: save it as CSV UTF-8 (in Excel: "
         "Save As, CSV UTF-8; in LibreOffice or Google Sheets: CSV) and import that file"),
        ("notes.docx", _zipped("word/document.xml"),
         "this is a document file, not text: save it as plain text (.txt) or "
         "Markdown (.md) in UTF-8 and import that file"),
        ("notes.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
         "this is a PDF, not text: copy its questions into a plain text (.txt) or "
         "Markdown (.md) file and import that"),
        ("deck.zip", _zipped("deck.yaml"),
         "this is a compressed (ZIP) file, not text: import the deck file inside it"),
    ],
)
def test_a_spreadsheet_document_or_archive_says_what_to_save_it_as(
    filename: str, data: bytes, says: str
) -> None:
    """An .xlsx uploaded as it is was refused as "not valid UTF-8 (byte 0x..)" or as having
    a NUL character, which does not tell a moderator that Recall wants CSV."""
    [error] = parse_import(data, filename).errors
    assert error.message == says
    assert str(error) == f"{filename}: {says}"


@pytest.mark.parametrize(
    ("filename", "data", "kind"),
    [
        ("shot.png", b"\x89PNG\r\n\x1a\n" + bytes(24), "PNG"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + bytes(24), "JPEG"),
        ("anim.gif", b"GIF89a" + bytes(24), "GIF"),
        ("pic.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(24), "WebP"),
        ("questions.txt", b"\x89PNG\r\n\x1a\n" + bytes(24), "PNG"),  # whatever its name
    ],
)
def test_an_image_says_it_is_an_image_and_what_to_import_instead(
    filename: str, data: bytes, kind: str
) -> None:
    """A screenshot of questions was refused as "not valid UTF-8 ... save the file with
    UTF-8 encoding", as if saving it again would help."""
    [error] = parse_import(data, filename).errors
    assert error.message == (
        f"this is an image ({kind}), not text: type or paste its questions into a plain "
        "text (.txt) or Markdown (.md) file and import that"
    )


def test_a_text_file_that_starts_like_an_image_is_read_as_text() -> None:
    """Only bytes that are not text are taken for an image: an article that opens with
    "GIF89a" is read as the text it is."""
    text = (
        "GIF89a and GIF87a: image formats\n\n"
        "## 1. GIF89a vs GIF87a?\n\n**Example answer:**\n\n89a adds animation.\n"
    )
    result = parse_import(text.encode(), "gif.md")
    assert result.errors == [] and [q.prompt for q in result.questions] == ["GIF89a vs GIF87a?"]


def test_bom_and_crlf_are_fine() -> None:
    text = "\ufeffquestions:\r\n  - prompt: A?\r\n    answer: |\r\n      one\r\n      two\r\n"
    result = parse_import(text.encode(), "d.yaml")
    assert result.errors == []
    assert result.questions[0].answer == "one\ntwo"


# --- CSV --------------------------------------------------------------------------------------


def test_csv_basic() -> None:
    text = (
        "Question,Answer,Key Points,Tags,Difficulty,Options,ID,Why\r\n"
        'What is SQL?,A query language.,"Declarative | Standardised",'
        '"sql, databases",hard,,sql-what,Basics.\r\n'
        'Pick the join,LEFT JOIN,,,,"INNER JOIN\n*LEFT JOIN\n=CROSS JOIN",,\r\n'
    )
    result = parse_import(text.encode(), "q.csv")
    assert result.errors == []
    sql, join = result.questions
    assert sql.id == "sql-what"
    assert sql.key_points == ["Declarative", "Standardised"]
    assert sql.tags == ["sql", "databases"]
    assert sql.difficulty == "hard"
    assert sql.why == "Basics."
    assert [(o.text, o.correct) for o in join.options] == [
        ("INNER JOIN", False), ("LEFT JOIN", True), ("=CROSS JOIN", False),
    ]


def test_csv_formula_cells_are_restored() -> None:
    text = "question,answer\n'=1+1 is what?,'-2 is wrong; ''=x stays quoted\n"
    q = parse_import(text.encode(), "q.csv").questions[0]
    assert q.prompt == "=1+1 is what?"
    assert q.answer == "-2 is wrong; ''=x stays quoted"  # only a leading apostrophe goes


def test_csv_errors_name_the_record_start_line_and_column() -> None:
    text = (
        "question,answer,tags\n"
        '"A question\nover two lines?",fine,ok\n'
        "Second?,fine,\"bad tag!\"\n"
    )
    result = parse_import(text.encode(), "deck.csv")
    assert [str(e) for e in result.errors] == [
        "deck.csv:4:3: tags: tag 'bad tag!' must be 1-32 characters of a-z (no accents), "
        "0-9 and - . _ + #, starting with a letter or a digit"
    ]


def test_csv_missing_required_headers_named() -> None:
    result = parse_import(b"prompt,why\nA?,b\n", "d.csv")
    assert "needs the column answer" in str(result.errors[0])
    result = parse_import(b"why,tags\nA?,b\n", "d.csv")
    assert "needs the columns question, answer" in str(result.errors[0])


# --- format detection -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "text", "fmt"),
    [
        ("x.yml", "", "yaml"),
        ("x.JSON", "", "json"),
        ("x.markdown", "", "markdown"),
        ("upload", '{"questions": []}', "json"),
        ("upload", "[{}]", "json"),
        ("upload", "question,answer\nA,b\n", "csv"),
        ("upload", "# comment\nquestions:\n  - prompt: a\n", "yaml"),
        ("upload", "- prompt: a\n  answer: b\n", "yaml"),
        ("upload", "# Title\n\n## 1. What?\n", "markdown"),
        ("upload", "[link](https://x.y) and text", "markdown"),
        ("upload.dat", "Question 1: What?\nExample answer: x\n", "text"),
    ],
)
def test_detect_format(filename: str, text: str, fmt: str) -> None:
    assert detect_format(filename, text) == fmt


# --- limits -----------------------------------------------------------------------------------


def test_huge_file_is_refused_before_parsing() -> None:
    data = b"question,answer\n" + b"x" * (20 * 1024 * 1024)
    result = parse_import(data, "huge.csv")
    assert "the file is 20.0 MiB; an import may be at most 1.0 MiB" in result.errors[0].message
    assert len(data) > IMPORT_MAX_BYTES


def test_max_bytes_can_be_lowered() -> None:
    result = parse_import(DECK_YAML.encode(), "d.yaml", max_bytes=100)
    assert "at most 100 bytes" in result.errors[0].message


def _many_yaml(n: int) -> bytes:
    return "".join(f"- prompt: Question {i}?\n  answer: A{i}\n" for i in range(n)).encode()


def test_thousands_of_yaml_questions() -> None:
    result = parse_import(_many_yaml(3000), "many.yaml")
    error = result.errors[0]
    assert "3,000 questions; one import holds at most 500" in error.message
    assert error.line == 2 * IMPORT_MAX_QUESTIONS + 1  # where question 501 starts


def test_thousands_of_csv_rows() -> None:
    rows = "".join(f"Question {i}?,A{i}\n" for i in range(3000))
    result = parse_import(("question,answer\n" + rows).encode(), "many.csv")
    assert "more than 500 questions" in result.errors[0].message
    assert result.errors[0].line == 502


def test_thousands_of_article_questions() -> None:
    text = "".join(
        f"## {i}. What is thing number {i}?\n\n**Example answer:**\n\nThing {i}.\n\n"
        for i in range(1, 1201)
    )
    result = parse_import(text.encode(), "many.md")
    assert "1,200 questions; one import holds at most 500" in result.errors[0].message


def test_an_article_of_unclosed_html_comments_is_refused_as_holding_no_question() -> None:
    """Each "<!--" with no "-->" after it was searched to the end of the file, holding the
    interpreter meanwhile: a 1 MiB file of them stopped the bot for many minutes (how long
    such files take now is measured by bench.imports)."""
    data = b"<!--" * (64 * 1024)  # 256 KiB
    result = parse_import(data, "comments.md")
    assert "no interview questions found" in result.errors[0].message


def test_a_heading_with_a_long_run_of_spaces_is_refused_as_holding_no_question() -> None:
    """The heading pattern tried a closing '#' after every space of such a run, from every
    space of it: 128 KiB of spaces in a heading held the interpreter for minutes (see
    bench.imports for the time now)."""
    data = b"# a" + b" " * (64 * 1024) + b"b\n"
    result = parse_import(data, "heading.md")
    assert "no interview questions found" in result.errors[0].message


@pytest.mark.parametrize(
    ("heading", "prompt"),
    [
        ("## 1. What is WSGI?", "What is WSGI?"),
        ("## 1. What is WSGI? ##", "What is WSGI?"),
        ("## 1. What is WSGI?\t#  ", "What is WSGI?"),
        ("## 1. What is C#?", "What is C#?"),
        ("## 1. What is C# ## #", "What is C# ##"),
        ("##   1. What is WSGI?   ", "What is WSGI?"),
    ],
)
def test_a_headings_closing_hashes_are_left_out(heading: str, prompt: str) -> None:
    text = f"{heading}\n\n**Example answer:**\n\nA protocol.\n"
    assert [q.prompt for q in parse_import(text.encode(), "a.md").questions] == [prompt]


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        # a heading's text is unescaped
        ("## 1. What is " + "`" * 16_000, "no interview questions found"),
        (
            "## 1. What is x?\n\n**Example answer:**\n\nA " + "`" * 16_000,
            "is 16,002 characters long; the limit is 4,000",
        ),
        # code spans are kept out of HTML tag removal
        ("<b>a " + "`" * 16_000, "no interview questions found"),
    ],
)
def test_a_long_run_of_backticks_is_refused_for_what_it_is(text: str, refused: str) -> None:
    """Code spans were found with (`+).+?\\1: from each backtick of a run, every shorter
    opening was tried against the rest of the text. 16,000 backticks took half a minute,
    holding the interpreter (bench.imports measures such files now)."""
    [error] = parse_import(text.encode(), "ticks.md").errors
    assert refused in error.message, error.message


def test_a_line_of_a_thousand_quote_marks_is_refused_as_holding_no_question() -> None:
    """Each '>' of a quote was taken off by copying the rest of the line (bench.imports
    measures the time of such a line now)."""
    data = b"> " * (IMPORT_MAX_BYTES // 2 - 8) + b"x\n"
    result = parse_import(data, "quotes.md")
    assert "no interview questions found" in result.errors[0].message


@pytest.mark.parametrize("blank", ["\n", " \n", "\r\n"])
def test_a_file_of_blank_lines_is_refused(blank: str) -> None:
    """Looking for 'Q:' lines to say why nothing was found, every line start searched the
    blank lines after it: 20,000 of them took seconds, a 1 MiB file of them hours (see
    bench.imports for the time now)."""
    data = ("x" + blank * 40_000 + "y\n").encode()
    [error] = parse_import(data, "blank.txt").errors
    assert error.message.startswith("no interview questions found") and "FAQ" not in error.message
    # A 'Q:' line after them is still found, indented or in bold.
    for q in ("Q: What?", " \t**Q : What?**", "q: what?"):
        [error] = parse_import(data + f"{q}\nA: This.\n".encode(), "blank.txt").errors
        assert error.message.endswith("('Q:'/'A:' FAQ pairs are not imported)"), q


@pytest.mark.parametrize(
    "head",
    [
        "",  # keys a deck does not have
        "questions:\n  - prompt: What is WSGI?\n    answer: A protocol.\n",  # nor a question
    ],
)
def test_thousands_of_unknown_keys_are_each_named_with_their_line(
    head: str,
) -> None:
    """Each unknown key was found in its mapping by going through all its keys again
    (bench.imports measures a file of them now)."""
    indent = "    " if head else ""
    text = head + "".join(f"{indent}k{i}: v\n" for i in range(25_000))
    errors = parse_import(text.encode(), "keys.yaml").errors
    first = 4 if head else 1
    assert [e.line for e in errors[:3]] == [first, first + 1, first + 2], errors[:3]
    assert "unknown " in errors[0].message and "'k0'" in errors[0].message
    assert len(errors) == 25_000 + (0 if head else 1)  # and no 'questions' list


def test_html_comments_are_left_out_of_an_article_keeping_its_lines() -> None:
    text = (
        "<!-- a note\nover two lines -->## 1. What is WSGI?<!---->\n\n"
        "**Example answer:**\n\nA protocol <!-- <!-- nested --> -->.\n\n"
        "## 2. What is ASGI?\n\n**Example answer:**\n\nIts async successor<!-- never closed\n"
    )
    result = parse_import(text.encode(), "notes.md")
    assert [(q.prompt, q.answer) for q in result.questions] == [
        ("What is WSGI?", "A protocol  -->."),
        ("What is ASGI?", "Its async successor<!-- never closed"),
    ]
    assert result.errors == [] and result.warnings == []


def test_limit_is_exact() -> None:
    assert parse_import(_many_yaml(5), "d.yaml", max_questions=5).errors == []
    assert parse_import(_many_yaml(6), "d.yaml", max_questions=5).errors


# --- storage helpers and reports --------------------------------------------------------------


def test_dedupe_against_existing_prompts() -> None:
    result = load("flask_interview.md")
    kept, warnings = dedupe_against(
        result.questions, ["what is the APPLICATION context", "Unrelated?"]
    )
    assert [q.prompt for q in kept] == [
        p for p in prompts(result) if p != "What is the application context?"
    ]
    assert len(warnings) == 1
    assert "already in the deck" in warnings[0].message
    assert warnings[0].field == "prompt"


def test_a_prompt_cut_in_a_warning_ends_as_every_cut_text_does() -> None:
    """A long prompt quoted in a warning is cut as prompts are in the bot's messages: on one
    line, with no space left before the "…" where the cut falls after a word."""
    prompt = "Why " + "x" * 54 + " does the application context end here?"
    question = Question(id="q", prompt=prompt, answer="A.")
    _kept, [warning] = dedupe_against([question], [prompt])
    cut = "Why " + "x" * 54 + "…"
    assert warning.message == f"already in the deck ({cut!r}); skipped"


def test_issue_str() -> None:
    issue = ImportIssue("bad tag", line=12, column=3, field="tags", source="deck.csv")
    assert str(issue) == "deck.csv:12:3: tags: bad tag"
    assert str(ImportIssue("too big", source="x.md")) == "x.md: too big"


def test_validate_file_report(tmp_path: Path) -> None:
    report = validate_file(IMPORTS / "sql_interview.txt")
    json.dumps(report)
    assert report["ok"] is True
    assert report["format"] == "text"
    assert report["questions"][0]["prompt"] == "What is a primary key?"
    assert set(report["questions"][0]) == {
        "id", "prompt", "why", "key_points", "answer", "options", "tags", "difficulty",
    }
    assert report["warnings"][0]["line"] == 66
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions:\n  - prompt: A?\n")
    report = validate_file(bad)
    assert report["ok"] is False
    assert report["errors"][0]["line"] == 2
    assert report["errors"][0]["field"] == "questions[0].answer"
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * (IMPORT_MAX_BYTES + 1))
    assert "at most 1.0 MiB" in validate_file(big)["errors"][0]["message"]
    missing = validate_file(tmp_path / "nope.csv")
    assert "cannot read the file" in missing["errors"][0]["message"]


# --- the malformed corpus ---------------------------------------------------------------------


def _manifest() -> list[dict[str, Any]]:
    entries = yaml.safe_load((MALFORMED / "manifest.yaml").read_text(encoding="utf-8"))
    assert isinstance(entries, list)
    return entries


def test_manifest_covers_every_file() -> None:
    listed = {e["file"] for e in _manifest()}
    present = {p.name for p in MALFORMED.iterdir()} - {"manifest.yaml"}
    assert listed == present
    assert len(listed) >= 50


@pytest.mark.parametrize("entry", _manifest(), ids=lambda e: e["file"])
def test_malformed_file_is_refused(entry: dict[str, Any]) -> None:
    path = MALFORMED / entry["file"]
    result = parse_import(path.read_bytes(), path.name)
    assert result.questions == []
    assert result.errors, f"{entry['file']} ({entry['checks']}) was accepted"
    fragment = entry["error"].lower()
    matching = [e for e in result.errors if fragment in str(e).lower()]
    assert matching, [str(e) for e in result.errors]
    if entry["line"] is not None:
        assert any(e.line == entry["line"] for e in matching), [str(e) for e in matching]
    for error in result.errors:
        assert len(error.message) > 10


# --- robustness -------------------------------------------------------------------------------

_PIECES = [
    "\n", "\n\n", "  ", "# ", "## 1. ", "### ", "**", "*", "- ", "• ", "1) ", "2. ", "> ", "```",
    "Question 4: ", "Q: ", "A: ", "FAQ\n", "Why you might get asked this:", "How to answer:",
    "Example answer:", "Options:", "- [x] ", "Tags: ", "Difficulty: ", "ID: ", '"', "“", "”",
    "<br>", "<p>", "</li>", "&amp;", "&#x1F600;", "---", "|", "[a](b)", "![i](j)", "What is it?",
    "Tell me about it.", "questions:", "- prompt: ", "answer: ", "{", "[", ",", "'", "&", "\t",
    "*x", "=", "Related articles", "Sign up free →",
]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    parts=st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=6)), max_size=40),
    ext=st.sampled_from([".md", ".txt", ".csv", ".yaml", ".json", ""]),
)
def test_never_crashes_on_odd_text(parts: list[str], ext: str) -> None:
    result = parse_import("".join(parts).encode("utf-8", "surrogatepass"), "f" + ext)
    assert result.questions == [] or result.errors == []
    if result.errors:
        assert result.questions == []


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300), ext=st.sampled_from([".md", ".csv", ".yaml", ".json"]))
def test_never_crashes_on_bytes(data: bytes, ext: str) -> None:
    result = parse_import(data, "f" + ext)
    assert result.ok or result.questions == []


def test_question_and_label_styles() -> None:
    text = (
        "# Top SQL questions\n\n"
        "**Question 1:** What is a view?\n\n"
        "**Why you might get asked this:** Views are everywhere.\n\n"
        "**Example answer:** A stored query you can select from like a table.\n\n"
        "## **Question 2:** What is normalisation?\n\n"
        "Why interviewers ask this: design skills.\n\n"
        "Sample answer:\n> Splitting data into tables so that each fact is stored once.\n\n"
        "### **3.** What does 1.5 mean?\nExample answer: nothing\n"
    )
    result = parse_import(text.encode(), "x.md")
    assert result.errors == [] and result.warnings == []
    assert [(q.prompt, q.answer) for q in result.questions] == [
        ("What is a view?", "A stored query you can select from like a table."),
        ("What is normalisation?", "Splitting data into tables so that each fact is stored once."),
        ("What does 1.5 mean?", "nothing"),
    ]
    assert result.questions[1].why == "design skills."


TWO_QUESTIONS = {
    "questions": [
        {"prompt": "What is WSGI?", "answer": "A protocol."},
        {"prompt": "What is ASGI?", "answer": ""},
    ]
}


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        # JSON notices a trailing comma at the bracket on the next line: the comma is named.
        (
            '{\n  "questions": [\n    {"prompt": "A?", "answer": "a"},\n  ]\n}\n',
            (3, 36),
            "a comma before ']' is not allowed in JSON: remove it",
        ),
        (
            '[\n  {"prompt": "A?",\n   "answer": "a",\n  }\n]\n',
            (3, 17),
            "a comma before '}' is not allowed in JSON: remove it",
        ),
        (
            '[{"prompt": \'A?\', "answer": "a"}]\n',
            (1, 13),
            "JSON puts texts and keys in double quotes (\"), not single quotes",
        ),
        (
            '[\n  // the first\n  {"prompt": "A?", "answer": "a"}\n]\n',
            (2, 3),
            "JSON has no comments: remove it",
        ),
        (
            '[\n  {"prompt": "A?", "answer": "a"}\n',
            (3, 1),
            "the file ends before the JSON does: a closing ']' or '}' is missing",
        ),
    ],
)
def test_json_syntax_errors_say_what_to_fix_where(
    text: str, where: tuple[int, int], says: str
) -> None:
    [error] = parse_import(text.encode(), "deck.json").errors
    assert (error.line, error.column) == where, str(error)
    assert error.message == "not valid JSON: " + says, str(error)


def test_json_indented_with_tabs_errors_name_the_line() -> None:
    data = json.dumps(TWO_QUESTIONS, indent="\t").encode()  # what many editors and JSON.stringify write
    result = parse_import(data, "deck.json")
    [error] = result.errors
    assert error.field == "questions[1].answer"
    assert error.line == 9, str(error)


# Characters a JSON text may hold as they are, which YAML (that finds the lines) does not
# take in a file: DEL, C1 controls, U+FFFE and U+FFFF.
@pytest.mark.parametrize("odd", ["\x7f", "\x80", "\x9f", "\ufffe", "\uffff"])
def test_json_errors_name_the_line_whatever_characters_the_texts_hold(odd: str) -> None:
    deck = {
        "questions": [
            {"prompt": f"What is WSGI{odd}?", "answer": "A protocol."},
            {"prompt": "What is ASGI?", "answer": ""},
        ]
    }
    data = json.dumps(deck, indent=2, ensure_ascii=False).encode()
    [error] = parse_import(data, "deck.json").errors
    assert (error.line, error.field) == (9, "questions[1].answer"), str(error)
    # A key given twice in such a file is named with its line too.
    twice = data.replace(b'"answer": "A protocol."', b'"answer": "A protocol.", "answer": "x"')
    [error] = parse_import(twice, "deck.json").errors
    assert error.line == 5 and "'answer' appears twice" in error.message, str(error)


def test_json_indented_with_tabs_duplicate_key_is_refused() -> None:
    text = (
        '{\n\t"questions": [\n\t\t{\n\t\t\t"prompt": "What is WSGI?",\n'
        '\t\t\t"answer": "A protocol.",\n\t\t\t"answer": "Something else."\n\t\t}\n\t]\n}\n'
    )
    result = parse_import(text.encode(), "deck.json")
    # With spaces instead of tabs this is refused: "the key 'answer' appears twice".
    assert result.errors, [q.answer for q in result.questions]


def test_csv_with_a_trailing_comma_on_every_row_imports() -> None:
    # Rows with trailing empty cells are accepted; a header with the same trailing comma
    # (as spreadsheets write it) is refused with "unknown column ''".
    data = b"question,answer,\nWhat is WSGI?,A protocol.,\n"
    result = parse_import(data, "sheet.csv")
    assert result.errors == [], [str(e) for e in result.errors]
    assert [q.answer for q in result.questions] == ["A protocol."]
    # A value under a column with no name is still refused, with its line.
    result = parse_import(b"question,answer,\nWhat is WSGI?,A protocol.,oops\n", "sheet.csv")
    [error] = result.errors
    assert error.line == 2 and "3 cells but the header has 2" in str(error)


async def test_a_new_builtin_deck_does_not_hide_a_servers_own_deck_of_that_slug(tmp_path) -> None:
    from bot.bank import BankService
    from bot.questions import Deck, Question
    from bot.store import Store

    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        mine = await store.create_custom_deck(42, "Python", "Ours", 1)
        assert mine.slug == "python"
        # A later Recall release ships a built-in deck with the same slug.
        q = Question(id="gil", prompt="What is the GIL?", answer="A lock.")
        await store.sync_builtin_decks([Deck(slug="python", name="Python prep", questions=[q])])
        # /question add deck:python (the value autocomplete offers for "Python") now
        # lands on the built-in deck and is refused as read-only.
        found = await BankService(store).deck(42, "python", custom=True)
        assert found.id == mine.id
    finally:
        await store.close()



@pytest.mark.parametrize(
    ("filename", "sep"),
    [
        ("questions.tsv", "\t"),  # Google Sheets' "Tab-separated values"
        ("questions.txt", "\t"),  # Excel's "Text (Tab delimited)"
        ("questions", ";"),
    ],
)
def test_a_table_saved_with_tabs_or_semicolons_is_told_to_use_commas(
    filename: str, sep: str
) -> None:
    """A table of questions saved as .tsv or .txt is read as the CSV it nearly is, so the
    moderator learns to separate its columns with commas, not that no interview questions
    were found in an article."""
    rows = [["question", "answer", "tags"], ["What does flask.g hold?", "Context data.", "flask"]]
    data = "\n".join(sep.join(row) for row in rows).encode()
    result = parse_import(data, filename)
    assert result.format == "csv" and result.questions == []
    assert any(
        e.line == 1 and "separate the columns with commas, not semicolons or tabs" in e.message
        for e in result.errors
    ), [str(e) for e in result.errors]
