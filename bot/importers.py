"""Importing questions from files people upload: Recall YAML/JSON decks, CSV sheets and
interview-prep articles (Markdown or plain text).

Everything here is plain Python (no Discord). The entry point is :func:`parse_import`; an
import is all or nothing: when ``errors`` is not empty, ``questions`` is empty.

Rules shared by every format
----------------------------
* The file must be UTF-8 (a leading BOM is dropped); CRLF and lone CR line breaks are read
  as LF. A NUL byte means the file is binary and is refused.
* At most :data:`IMPORT_MAX_BYTES` bytes and :data:`IMPORT_MAX_QUESTIONS` questions.
* Field limits are the ones of :class:`bot.questions.Question`; a breach is an error that names
  the line and the field.
* A question without an ``id`` gets one made from its prompt (first words plus a short hash),
  unique within the import.
* The same prompt twice (compared with :func:`bot.questions.loose_key`) is a warning and the
  later copy is skipped. The same explicit id on two different questions is an error.

CSV
---
Header row with ``question, answer`` (required) and optionally ``key_points, tags, difficulty,
options, id, why`` (case and spacing in header names do not matter; ``prompt`` is accepted for
``question``). List cells (``key_points``, ``options``) hold one item per line; a cell without
a line break may separate items with `` | `` instead. A line that starts with whitespace
continues the item above it (the first two spaces of it are dropped). In ``options`` the right
answer starts with ``*``; a leading backslash protects a literal ``*`` or ``\\`` at the start of
an option. ``tags`` are comma separated.

Spreadsheet formula neutralisation: on export, a cell whose text starts with ``=``, ``+``,
``-``, ``@``, a tab or a CR - possibly after a run of apostrophes - gets one extra leading
apostrophe. On import a cell that matches ``'+`` followed by one of those characters loses
exactly one apostrophe. A real value such as ``'=x`` therefore exports as ``''=x`` and comes
back unchanged, and ``'quoted'`` (an apostrophe not followed by a trigger) is never touched.

Articles (Markdown or plain text)
---------------------------------
Questions are numbered headings, bold lines or list items (or
``Question 3:`` lines) that are followed by labelled sections: "Why you might get asked
this:", "How to answer:" (bullets become key points) and "Example answer:" (the answer; a
surrounding pair of quotes is removed). "Options:", "Tags:" (comma separated, or hashtags:
``#python #flask``), "Difficulty:" and "ID:" sections are read too. A question without an example answer is skipped with a warning. An FAQ section
("FAQ", "Frequently asked questions") is not imported; a warning says it was skipped.
HTML tags are removed (outside backtick code spans), HTML entities are decoded, a line ending
in ``<br>`` keeps its line break, other lines of a paragraph are joined with a space.
A backslash before ASCII punctuation is Markdown's escape, as converters from web pages and
documents write it (``1\\.``, ``\\*``, ``a\\_b``): the character is kept, the backslash dropped,
except inside code spans and code blocks.
"""

from __future__ import annotations

import bisect
import csv
import datetime
import functools
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from html.entities import html5 as _HTML5_ENTITIES
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from bot.decks import DeckError, _node_at, field_path, parse_yaml_document
from bot.questions import (
    KEY_POINT_MAX,
    QUESTION_ID_MAX,
    Deck,
    Question,
    loose_key,
)
from bot.text import count, grouped, one_line, plural

# --- limits ---------------------------------------------------------------------------------

IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_MAX_QUESTIONS = 500
# Mappings and lists nested deeper than this are refused (a deck needs 5 levels).
IMPORT_MAX_DEPTH = 20

Format = Literal["yaml", "json", "csv", "markdown", "text"]
FORMATS: tuple[Format, ...] = ("yaml", "json", "csv", "markdown", "text")

EXTENSIONS: dict[str, Format] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".csv": "csv",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".txt": "text",
    ".text": "text",
}

CSV_COLUMNS = ("id", "question", "why", "key_points", "answer", "options", "tags", "difficulty")
CSV_REQUIRED = ("question", "answer")
_CSV_ALIASES = {"prompt": "question", "keypoints": "key_points", "key_point": "key_points"}

_PLACEHOLDER_ID = "placeholder-id"


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportIssue:
    """One problem (error or warning) found in an uploaded file."""

    message: str
    line: int | None = None
    column: int | None = None
    field: str | None = None
    source: str = ""

    def __str__(self) -> str:
        where = self.source or "<upload>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        fld = f" {self.field}:" if self.field else ""
        return f"{where}:{fld} {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "text": str(self),
        }


@dataclass
class ImportResult:
    """What an import found. With errors there are no questions (all or nothing)."""

    format: Format
    questions: list[Question] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    source: str = ""
    deck_slug: str | None = None
    deck_name: str | None = None
    deck_description: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "format": self.format,
            "ok": self.ok,
            "deck": {
                "slug": self.deck_slug,
                "name": self.deck_name,
                "description": self.deck_description,
            },
            "questions": [q.model_dump(mode="json") for q in self.questions],
            "warnings": [w.to_dict() for w in self.warnings],
            "errors": [e.to_dict() for e in self.errors],
        }


class _Issues:
    """Collects issues for one source file."""

    def __init__(self, source: str):
        self.source = source
        self.errors: list[ImportIssue] = []
        self.warnings: list[ImportIssue] = []

    def error(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> None:
        self.errors.append(ImportIssue(message, line, column, field or None, self.source))

    def warn(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> None:
        self.warnings.append(ImportIssue(message, line, column, field or None, self.source))


# --- generated ids ----------------------------------------------------------------------------


def slug_for_prompt(prompt: str) -> str:
    """A stable id for a prompt: its first words (ASCII, lower case) plus a short hash of its
    :func:`loose_key` (for a prompt without code symbols, the same hash as before symbols
    counted; prompts that differ only in code symbols get different hashes)."""
    digest = hashlib.sha1(loose_key(prompt).encode("utf-8")).hexdigest()[:6]
    folded = unicodedata.normalize("NFKD", prompt)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = re.findall(r"[a-z0-9]+", folded.lower())
    head = ""
    for word in words[:6]:
        candidate = f"{head}-{word}" if head else word
        if len(candidate) > 40:
            break
        head = candidate
    if not head:
        head = words[0][:40] if words else "q"
    return f"{head}-{digest}"


def unique_question_id(base: str, taken: set[str]) -> str:
    """``base`` as a question id (cut to the longest one allowed) not in ``taken``: with
    "-2", "-3", ... when it is."""
    base = base[:QUESTION_ID_MAX]
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: QUESTION_ID_MAX - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1


# --- validation shared by every format -------------------------------------------------------

# Where a field of one question sits: (line, column, field name for messages).
Locator = Callable[[tuple[int | str, ...]], tuple[int | None, int | None, str]]

_FIELD_HINTS = {
    "question": "prompt",
    "text": "prompt",
    "keypoints": "key_points",
    "key-points": "key_points",
    "tag": "tags",
    "choices": "options",
    "explanation": "why",
    "level": "difficulty",
}


def _type_name(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime.date):
        return "a date"
    return type(value).__name__


def _friendly(err: Any) -> str:
    """A pydantic error as a sentence that says what to fix."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    loc = err.get("loc") or ()
    name = str(loc[-1]) if loc and isinstance(loc[-1], str) else ""
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        hint = _FIELD_HINTS.get(name.lower())
        allowed = ", ".join(Question.model_fields)
        if hint:
            return f"unknown field {name!r}; did you mean {hint!r}?"
        return f"unknown field {name!r}; a question may have: {allowed}"
    if kind == "string_too_long":
        size = grouped(len(value)) if isinstance(value, str) else "too many"
        limit = ctx.get("max_length")
        limit = grouped(limit) if isinstance(limit, int) else limit
        return f"is {size} characters long; the limit is {limit}. Shorten it"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_long":
        return f"has {ctx.get('actual_length')} items; at most {ctx.get('max_length')} are allowed"
    if kind == "too_short":
        least = ctx.get("min_length")
        return f"needs at least {count(least, 'item') if isinstance(least, int) else least}"
    if kind == "string_pattern_mismatch" and name == "slug":
        return f"{value!r} is not a valid slug: use lower-case letters, digits and '-'"
    if kind == "string_pattern_mismatch":
        return (
            f"{value!r} is not a valid id: use lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    if kind == "string_type":
        if isinstance(value, bool | int | float | datetime.date):
            # YAML reads yes, no, on, off, 3.12, 2024-01-31 as such: quoted, they stay text.
            return f"must be text, not {_type_name(value)}: put it in quotes to keep it as text"
        return f"must be text, not {_type_name(value)}"
    if kind == "list_type":
        return f"must be a list, not {_type_name(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a mapping, not {_type_name(value)}"
    if kind == "bool_type" or kind == "bool_parsing":
        return f"must be true or false, not {value!r}"
    if kind == "enum":
        return f"must be one of easy, medium, hard (not {value!r})"
    return str(err["msg"]).removeprefix("Value error, ")


def _prepare(data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Fill a placeholder id when none is given; tidy the difficulty's case."""
    data = dict(data)
    explicit = True
    raw_id = data.get("id")
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
        data["id"] = _PLACEHOLDER_ID
        explicit = False
    diff = data.get("difficulty")
    if isinstance(diff, str):
        data["difficulty"] = diff.strip().lower() or "medium"
    elif diff is None and "difficulty" in data:
        del data["difficulty"]
    return data, explicit


@dataclass
class _Candidate:
    question: Question
    line: int | None
    explicit_id: bool
    id_locator: tuple[int | None, int | None, str]


def _validate_one(
    data: dict[str, Any], line: int | None, locate: Locator, issues: _Issues
) -> _Candidate | None:
    prepared, explicit = _prepare(data)
    try:
        question = Question.model_validate(prepared)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            eline, ecol, efield = locate(loc)
            msg = _friendly(err)
            if not loc and "option" in msg:
                eline, ecol, efield = locate(("options",))
            issues.error(msg, eline if eline is not None else line, ecol, efield)
        return None
    return _Candidate(question, line, explicit, locate(("id",)))


def _finalise(
    candidates: Sequence[_Candidate], issues: _Issues, max_questions: int
) -> list[Question]:
    """Drop duplicate prompts (warning), refuse duplicate ids, give ids to the rest."""
    kept: list[_Candidate] = []
    prompts: dict[str, _Candidate] = {}
    for cand in candidates:
        key = loose_key(cand.question.prompt)
        first = prompts.get(key)
        if first is not None:
            where = f" on line {first.line}" if first.line else ""
            issues.warn(
                f"the same question as{where} ({one_line(cand.question.prompt)!r}); skipped",
                cand.line,
                field="prompt",
            )
            continue
        prompts[key] = cand
        kept.append(cand)
    if len(kept) > max_questions:
        extra = kept[max_questions]
        issues.error(
            f"{count(len(kept), 'question')}; one import holds at most {grouped(max_questions)}. "
            "Split the file into smaller ones",
            extra.line,
        )
        return []
    ids: dict[str, _Candidate] = {}
    for cand in kept:
        if not cand.explicit_id:
            continue
        other = ids.get(cand.question.id)
        if other is not None:
            eline, ecol, efield = cand.id_locator
            where = f" on line {other.line}" if other.line else ""
            issues.error(
                f"id {cand.question.id!r} is already used by the question{where}; "
                "give each question its own id",
                eline if eline is not None else cand.line,
                ecol,
                efield or "id",
            )
        else:
            ids[cand.question.id] = cand
    taken = set(ids)
    out: list[Question] = []
    for cand in kept:
        question = cand.question
        if not cand.explicit_id:
            new_id = unique_question_id(slug_for_prompt(question.prompt), taken)
            taken.add(new_id)
            question = question.model_copy(update={"id": new_id})
        out.append(question)
    return out


def dedupe_against(
    questions: Sequence[Question], existing_prompts: Iterable[str]
) -> tuple[list[Question], list[ImportIssue]]:
    """Drop questions whose prompt (compared loosely) is already in a deck.

    Returns the questions to keep and one warning per question dropped.
    """
    existing = {loose_key(p) for p in existing_prompts}
    kept: list[Question] = []
    warnings: list[ImportIssue] = []
    for question in questions:
        if loose_key(question.prompt) in existing:
            warnings.append(
                ImportIssue(
                    f"already in the deck ({one_line(question.prompt)!r}); skipped",
                    field="prompt",
                )
            )
            continue
        kept.append(question)
    return kept, warnings


# --- decoding and format detection ------------------------------------------------------------


#: what a file that is no text is made as instead, by its first bytes and its extension
_ZIP, _OLE2, _PDF = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"%PDF-"
_SPREADSHEETS = {".xlsx", ".xlsm", ".xls", ".ods", ".numbers"}
_DOCUMENTS = {".docx", ".doc", ".odt", ".pages"}
_TO_CSV = (
    "this is a spreadsheet file, not text: save it as CSV UTF-8 (in Excel: Save As, CSV "
    "UTF-8; in LibreOffice or Google Sheets: CSV) and import that file"
)


def _image_kind(data: bytes) -> str | None:
    """The kind of image a file's first bytes say it is (PNG, JPEG, GIF, WebP), or None;
    a file that is valid UTF-8 with no NUL byte early on is text, whatever it starts with
    ("GIF89a vs GIF87a")."""
    if b"\x00" not in data[:512]:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "WebP"
    return None


def _not_text(data: bytes, suffix: str) -> str | None:
    """What to do with a spreadsheet, document, PDF, image or archive uploaded as it is,
    which would otherwise be refused as not valid UTF-8, saying nothing of what Recall
    reads."""
    image = _image_kind(data)
    if image is not None:
        return (
            f"this is an image ({image}), not text: type or paste its questions into a plain "
            "text (.txt) or Markdown (.md) file and import that"
        )
    if data.startswith(_PDF):
        return (
            "this is a PDF, not text: copy its questions into a plain text (.txt) or "
            "Markdown (.md) file and import that"
        )
    if not data.startswith((_ZIP, _OLE2)):
        return None
    if suffix in _SPREADSHEETS:
        return _TO_CSV
    if suffix in _DOCUMENTS:
        return (
            "this is a document file, not text: save it as plain text (.txt) or Markdown "
            "(.md) in UTF-8 and import that file"
        )
    if data.startswith(_ZIP):
        return "this is a compressed (ZIP) file, not text: import the deck file inside it"
    return None


def _decode(data: bytes, issues: _Issues, fmt: Format) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        issues.error(
            "not valid UTF-8: the file is saved as UTF-32; save it with UTF-8 encoding", 1, 1
        )
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        issues.error(
            "not valid UTF-8: the file is saved as UTF-16 (\u201cUnicode\u201d); save it with "
            "UTF-8 encoding",
            1,
            1,
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - start + 1
        bad = data[exc.start : exc.start + 1].hex()
        # The text around the byte on its line, so that the place can be found in an editor.
        end = data.find(b"\n", exc.start)
        end = min(end if end >= 0 else len(data), exc.start + 40)
        near = data[max(start, exc.start - 40) : end].decode("utf-8", "replace")
        near = " ".join(near.split())
        hint = " (in Excel: Save As, CSV UTF-8)" if fmt == "csv" else ""
        issues.error(
            f"not valid UTF-8 (byte 0x{bad}) in \u201c{near}\u201d: save the file with "
            f"UTF-8 encoding{hint}",
            line,
            column,
        )
        return None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        issues.error("contains a NUL character; this looks like a binary file, not text", line)
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


_YAML_START = re.compile(
    r"^(?:---\s*$|%YAML|(?:slug|name|description|questions)\s*:|-\s+(?:id|prompt|answer)\s*:)"
)


def _table_header(text: str) -> bool:
    """Whether the first line is the header row of a table of questions: a "question" and
    an "answer" column, separated by commas, or by the tabs or semicolons a spreadsheet may
    save with (read as CSV, which then says to use commas)."""
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    for delimiter in (",", "\t", ";"):
        try:
            header = [_csv_name(h) for h in next(csv.reader([first], delimiter=delimiter), [])]
        except csv.Error:
            continue
        if "answer" in header and "question" in header:
            return True
    return False


def detect_format(filename: str, text: str) -> Format:
    """The format from the file extension, or from the content when the extension says
    nothing, or says text (a spreadsheet saves a table as .txt or .tsv too)."""
    suffix = Path(filename).suffix.lower()
    if suffix in EXTENSIONS:
        return "csv" if EXTENSIONS[suffix] == "text" and _table_header(text) else EXTENSIONS[suffix]
    stripped = text.lstrip()
    if stripped.startswith("{") or (
        stripped.startswith("[") and not re.match(r"\[[^\]\n]*\]\(", stripped)
    ):
        return "json"
    if _table_header(text):
        return "csv"
    lines = [ln for ln in text.split("\n") if ln.strip()]
    for line in lines:
        if line.lstrip().startswith("#"):
            continue  # a YAML comment or a Markdown heading: look further
        if _YAML_START.match(line):
            return "yaml"
        break
    if any(re.match(r"\s{0,3}(#{1,6}\s|\*\*|[-*+]\s)", ln) for ln in lines) or re.search(
        r"\[[^\]\n]+\]\([^)\s]+\)", text
    ):
        return "markdown"
    return "text"


# --- entry points -----------------------------------------------------------------------------


def parse_import(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = IMPORT_MAX_BYTES,
    max_questions: int = IMPORT_MAX_QUESTIONS,
) -> ImportResult:
    """Read an uploaded file into questions, warnings and errors (see the module docs)."""
    source = Path(filename).name or filename
    issues = _Issues(source)
    suffix = Path(filename).suffix.lower()
    guess: Format = EXTENSIONS.get(suffix, "text")
    if len(data) > max_bytes:
        issues.error(
            f"the file is {_size(len(data))}; an import may be at most {_size(max_bytes)}. "
            "Split it into smaller files"
        )
        return _result(guess, [], issues)
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        issues.error("the file is empty; it needs at least one question", 1)
        return _result(guess, [], issues)
    not_text = _not_text(data, suffix)
    if not_text is not None:
        issues.error(not_text)
        return _result(guess, [], issues)
    text = _decode(data, issues, guess)
    if text is None:
        return _result(guess, [], issues)
    fmt = detect_format(filename, text)
    meta: dict[str, str] = {}
    if fmt in ("yaml", "json"):
        candidates = _parse_structured(text, fmt, issues, max_questions, meta)
    elif fmt == "csv":
        candidates = _parse_csv(text, issues, max_questions)
    else:
        candidates = _parse_article(text, issues)
    questions = _finalise(candidates, issues, max_questions) if not issues.errors else []
    if not issues.errors and not questions:
        issues.error(_nothing_found(fmt, text), None)
    result = _result(fmt, questions, issues)
    result.deck_slug = meta.get("slug")
    result.deck_name = meta.get("name")
    result.deck_description = meta.get("description")
    return result


def _nothing_found(fmt: Format, text: str) -> str:
    if fmt in ("markdown", "text"):
        msg = (
            "no interview questions found: expected numbered questions, each followed by an "
            "'Example answer:' section"
        )
        # Spaces before "Q" on its line only: \s* from each line start would search the
        # blank lines after it too (quadratic in them), and finds no other line.
        if re.search(r"^[^\S\n]*(?:\*\*)?Q\s*:", text, re.M | re.I):
            msg += " ('Q:'/'A:' FAQ pairs are not imported)"
        return msg
    return "no questions to import"


def _result(fmt: Format, questions: list[Question], issues: _Issues) -> ImportResult:
    return ImportResult(
        format=fmt,
        questions=questions if not issues.errors else [],
        warnings=issues.warnings,
        errors=issues.errors,
        source=issues.source,
    )


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.0f} KiB"
    return f"{n} bytes"


def validate_file(
    path: str | Path,
    *,
    max_bytes: int = IMPORT_MAX_BYTES,
    max_questions: int = IMPORT_MAX_QUESTIONS,
) -> dict[str, Any]:
    """Check a file as an import would; a JSON-ready report (format, questions, issues)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            data = b""
            issue = ImportIssue(
                f"the file is {_size(size)}; an import may be at most {_size(max_bytes)}. "
                "Split it into smaller files",
                source=path.name,
            )
            result = ImportResult(
                EXTENSIONS.get(path.suffix.lower(), "text"), errors=[issue], source=path.name
            )
            return result.to_dict()
        data = path.read_bytes()
    except OSError as exc:
        issue = ImportIssue(f"cannot read the file: {exc.strerror}", source=path.name)
        return ImportResult("text", errors=[issue], source=path.name).to_dict()
    return parse_import(data, path.name, max_bytes=max_bytes, max_questions=max_questions).to_dict()


# --- YAML and JSON ----------------------------------------------------------------------------


def _mark_position(mark: Any) -> tuple[int | None, int | None]:
    if mark is None:
        return None, None
    return int(mark.line) + 1, int(mark.column) + 1


def _yaml_precheck(text: str, issues: _Issues) -> bool:
    """Refuse aliases and deep nesting by streaming parser events (no recursion)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                line, column = _mark_position(event.start_mark)
                issues.error(
                    "aliases (*name) are not allowed; write the value out in full", line, column
                )
                return False
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > IMPORT_MAX_DEPTH:
                    line, column = _mark_position(event.start_mark)
                    issues.error(
                        f"nested more than {IMPORT_MAX_DEPTH} levels deep; a deck needs 5",
                        line,
                        column,
                    )
                    return False
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.reader.ReaderError as exc:
        # A character YAML refuses anywhere in a file: named by its place in the text.
        at = exc.position
        issues.error(
            f"the character U+{exc.character:04X} is not allowed in YAML (it does not show: "
            "it may have come with text pasted from a PDF or a document): remove it",
            text.count("\n", 0, at) + 1,
            at - text.rfind("\n", 0, at),
        )
        return False
    except yaml.YAMLError:
        return True  # the full parse reports it with its line
    return True


def _json_depth_check(text: str, issues: _Issues) -> bool:
    depth = 0
    in_string = False
    escaped = False
    line = 1
    for ch in text:
        if ch == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > IMPORT_MAX_DEPTH:
                issues.error(
                    f"nested more than {IMPORT_MAX_DEPTH} levels deep; a deck needs 5", line
                )
                return False
        elif ch in "]}":
            depth -= 1
    return True


def _json_mistake(text: str, exc: json.JSONDecodeError) -> tuple[str, int]:
    """What is wrong in words for the usual slips (JSON's own message otherwise), and the
    offset to point at: a trailing comma is named where it is, not at the bracket after it."""
    at = exc.pos
    ahead = text[at : at + 2]
    if ahead[:1] in ("]", "}"):
        comma = len(text[:at].rstrip())
        if comma and text[comma - 1] == ",":
            return f"a comma before '{ahead[0]}' is not allowed in JSON: remove it", comma - 1
    if ahead[:1] == "'":
        return 'JSON puts texts and keys in double quotes ("), not single quotes', at
    if ahead in ("//", "/*"):
        return "JSON has no comments: remove it", at
    if not text[at:].strip() and exc.msg.startswith("Expecting"):
        return "the file ends before the JSON does: a closing ']' or '}' is missing", at
    return exc.msg, at


def _json_object(twice: list[str], pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as json.loads builds it, noting keys given twice in ``twice``."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            twice.append(key)
        out[key] = value
    return out


def _duplicate_keys(node: yaml.Node | None, issues: _Issues) -> None:
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        issues.error(
                            f"the key {key.value!r} appears twice in the same mapping; keep one",
                            key.start_mark.line + 1,
                            key.start_mark.column + 1,
                            key.value,
                        )
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


# Texts a `` #`` would cut short without a word: a question's texts, options, key points,
# the deck's name and description (an id, slug, tag or difficulty fails or is checked).
_TEXT_FIELDS = frozenset({"name", "description", "prompt", "why", "answer", "text"})
_COMMENT_AFTER_RE = re.compile(r"[ \t]+#")


def _comments_cutting_texts(root: yaml.Node | None, issues: _Issues) -> None:
    """Warn where a comment (`` #`` after an unquoted text) ends a text early: YAML drops
    the rest of the line, and a moderator pasting "Use a list # or a tuple" means it all."""
    found: list[tuple[int, int, str]] = []
    stack: list[tuple[tuple[int | str, ...], yaml.Node]] = [((), root)] if root else []
    while stack:
        path, node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = getattr(key, "value", None)
                if isinstance(name, str):
                    stack.append(((*path, name), value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(((*path, i), item) for i, item in enumerate(node.value))
        elif isinstance(node, yaml.ScalarNode) and node.style is None and path:
            last = path[-1]
            in_points = isinstance(last, int) and len(path) > 1 and path[-2] == "key_points"
            end = node.end_mark
            if (last in _TEXT_FIELDS or in_points) and isinstance(end.buffer, str):
                match = _COMMENT_AFTER_RE.match(end.buffer, end.pointer)
                if match:
                    column = end.column + (match.end() - end.pointer)
                    found.append((end.line + 1, column, field_path(path)))
    for line, column, fpath in sorted(found):
        issues.warn(
            "' #' starts a YAML comment, so the text after it was left out; "
            "put the whole text in quotes to keep it",
            line,
            column,
            fpath,
        )


#: characters YAML does not take in a file (JSON takes them inside a string)
_YAML_REFUSED = yaml.reader.Reader.NON_PRINTABLE


def _node_line(node: yaml.Node | None) -> tuple[int | None, int | None]:
    if node is None:
        return None, None
    return node.start_mark.line + 1, node.start_mark.column + 1


def _parse_structured(
    text: str, fmt: Format, issues: _Issues, max_questions: int, meta: dict[str, str]
) -> list[_Candidate]:
    root: yaml.Node | None
    if fmt == "yaml":
        if not _yaml_precheck(text, issues):
            return []
        try:
            data, root = parse_yaml_document(text, issues.source)
        except DeckError as exc:
            for p in exc.problems:
                msg = p.message
                if p.line is not None and "nested" not in msg and "alias" not in msg:
                    msg = f"not valid YAML: {msg} (check the indentation and quotes)"
                issues.error(msg, p.line, p.column, p.field)
            return []
    else:
        if not _json_depth_check(text, issues):
            return []
        twice: list[str] = []
        try:
            data = json.loads(text, object_pairs_hook=functools.partial(_json_object, twice))
        except json.JSONDecodeError as exc:
            message, at = _json_mistake(text, exc)
            issues.error(
                f"not valid JSON: {message}",
                text.count("\n", 0, at) + 1,
                at - text.rfind("\n", 0, at),
            )
            return []
        except RecursionError:
            issues.error("nested too deeply")
            return []
        try:
            # Lines and columns come from reading the JSON as YAML. A tab in valid JSON is
            # whitespace between tokens (a string cannot hold one raw), which YAML refuses
            # as indentation; a character YAML refuses in a file (DEL, a C1 control,
            # U+FFFE...) can only be inside a string. A space in their place keeps every
            # line and column.
            as_yaml = _YAML_REFUSED.sub(" ", text.replace("\t", " "))
            _, root = parse_yaml_document(as_yaml, issues.source)
        except (DeckError, RecursionError):
            root = None
        if root is None:
            for key in twice:  # without a line, but never taken silently
                issues.error(f"the key {key!r} appears twice in the same object; keep one")
    _duplicate_keys(root, issues)
    if issues.errors:
        return []
    if fmt == "yaml":
        _comments_cutting_texts(root, issues)

    def locate_path(path: tuple[int | str, ...]) -> tuple[int | None, int | None, str]:
        node = _node_at(root, path) if root is not None else None
        line, column = _node_line(node)
        return line, column, field_path(path)

    if data is None:
        issues.error("the file holds no questions", 1)
        return []
    base: tuple[int | str, ...]
    if isinstance(data, list):
        items: Any = data
        base = ()
    elif isinstance(data, dict):
        allowed = {"slug", "name", "description", "questions"}
        key_lines = _key_lines(root)
        for key in data:
            if key not in allowed:
                line, column, _ = locate_path(())
                key_line = key_lines.get(key)
                issues.error(
                    f"unknown key {key!r}; a deck has slug, name, description and questions",
                    key_line if key_line is not None else line,
                    None,
                    str(key),
                )
        if "questions" not in data:
            issues.error("no 'questions' list; put the questions under 'questions:'", 1)
            return []
        _check_deck_meta(data, issues, locate_path, meta)
        items = data["questions"]
        base = ("questions",)
    else:
        issues.error(
            f"expected a list of questions or a mapping with 'questions', not {_type_name(data)}",
            1,
            1,
        )
        return []
    if not isinstance(items, list):
        line, column, _ = locate_path(base)
        issues.error(
            f"must be a list of questions, not {_type_name(items)}", line, column, "questions"
        )
        return []
    if len(items) > max_questions:
        line, column, _ = locate_path((*base, max_questions))
        issues.error(
            f"{count(len(items), 'question')}; one import holds at most {grouped(max_questions)}. "
            "Split the file into smaller ones",
            line,
            column,
        )
        return []
    candidates: list[_Candidate] = []
    for index, item in enumerate(items):
        path = (*base, index)
        line, column, fpath = locate_path(path)
        if not isinstance(item, dict):
            issues.error(
                f"each question must be a mapping with prompt and answer, not {_type_name(item)}",
                line,
                column,
                fpath,
            )
            continue

        def locate(loc: tuple[int | str, ...], path: tuple[int | str, ...] = path) -> Any:
            return locate_path((*path, *loc))

        cand = _validate_one(item, line, locate, issues)
        if cand is not None:
            candidates.append(cand)
    return candidates


def _key_lines(root: yaml.Node | None) -> dict[str, int]:
    """The line of each key of the top mapping (the first, for a key given twice)."""
    lines: dict[str, int] = {}
    if isinstance(root, yaml.MappingNode):
        for knode, _ in root.value:
            if isinstance(knode.value, str):
                lines.setdefault(knode.value, int(knode.start_mark.line) + 1)
    return lines


def _check_deck_meta(
    data: dict[str, Any], issues: _Issues, locate_path: Locator, meta: dict[str, str]
) -> None:
    present = {k: data[k] for k in ("slug", "name", "description") if k in data}
    try:
        Deck.model_validate({**present, "questions": []})
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            if not loc or loc[0] == "questions" or err["type"] == "missing":
                continue
            line, column, fpath = locate_path(loc)
            issues.error(_friendly(err), line, column, fpath)
    for key, value in present.items():
        if isinstance(value, str):
            meta[key] = value.strip()


# --- CSV --------------------------------------------------------------------------------------

_CSV_TRIGGERS = "=+-@\t\r"
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise_cell(value: str) -> str:
    """Make a cell safe for spreadsheets: see the module docs for the exact rule."""
    if re.match(r"^'*[=+\-@\t\r]", value):
        return "'" + value
    return value


def restore_cell(value: str) -> str:
    """Undo :func:`neutralise_cell`."""
    if _NEUTRALISED.match(value):
        return value[1:]
    return value


# What the model trims from texts (Unicode White_Space), which differs from str.strip().
MODEL_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def model_strip(text: str) -> str:
    return text.strip(MODEL_WHITESPACE)


def split_list_cell(cell: str) -> list[str]:
    """Items of a key_points/options cell: one per line (a line starting with whitespace
    continues the item above, minus two spaces of indent) or, in a one-line cell, ``a | b``."""
    if "\n" not in cell:
        return [model_strip(p) for p in cell.split(" | ") if model_strip(p)]
    items: list[str] = []
    for line in cell.split("\n"):
        if line[:1] in MODEL_WHITESPACE and line and items:
            cont = line[2:] if line.startswith("  ") else line[1:]
            items[-1] += "\n" + cont
        else:
            items.append(line)
    return [model_strip(item) for item in items if model_strip(item)]


def join_list_cell(items: Sequence[str]) -> str:
    """The inverse of :func:`split_list_cell` for items without surrounding whitespace."""
    lines = [item.replace("\n", "\n  ") for item in items]
    cell = "\n".join(lines)
    if len(items) == 1 and " | " in cell and "\n" not in cell:
        cell += "\n"
    return cell


def parse_option_item(item: str) -> dict[str, Any]:
    correct = item.startswith("*")
    if correct:
        item = model_strip(item[1:])
    if item.startswith("\\") and item[1:2] in ("*", "\\"):
        item = item[1:]
    return {"text": item, "correct": correct}


def format_option_item(text: str, correct: bool) -> str:
    if text.startswith(("*", "\\")):
        text = "\\" + text
    return ("*" if correct else "") + text


def _csv_name(header: str) -> str:
    name = re.sub(r"[\s\-]+", "_", header.strip().lower().lstrip("\ufeff"))
    return _CSV_ALIASES.get(name, name)


def _parse_csv(text: str, issues: _Issues, max_questions: int) -> list[_Candidate]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    columns: dict[str, int] = {}
    candidates: list[_Candidate] = []
    count = 0
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "field larger" in str(exc):
                issues.error(
                    "a cell is far longer than any field may be; check for a missing quote",
                    start,
                )
            elif "end of data" in str(exc):
                issues.error(
                    "a quoted cell that starts here is never closed: add the missing '\"'",
                    start,
                )
            else:
                issues.error(
                    f"broken quoting ({exc}); a cell with commas, quotes or line breaks must be "
                    "wrapped in double quotes, with each quote inside it doubled",
                    reader.line_num,
                )
            break
        if not any(model_strip(cell) for cell in row):
            continue
        if header is None:
            # Spreadsheets often end every row with a comma: empty cells at the end of the
            # header name no column (a value under one is then an extra cell, refused).
            while len(row) > 1 and not model_strip(row[-1]):
                row = row[:-1]
            header = [_csv_name(h) for h in row]
            unknown = [
                (i, raw)
                for i, (raw, name) in enumerate(zip(row, header, strict=True))
                if name not in CSV_COLUMNS
            ]
            for i, raw in unknown:
                hint = ""
                if ";" in raw or "\t" in raw:
                    hint = " (separate the columns with commas, not semicolons or tabs)"
                issues.error(
                    f"unknown column {raw.strip()!r}; the columns are {', '.join(CSV_COLUMNS)}"
                    + hint,
                    start,
                    i + 1,
                    raw.strip() or f"column {i + 1}",
                )
            missing = [c for c in CSV_REQUIRED if c not in header]
            if missing:
                issues.error(
                    f"the header row needs the {plural(len(missing), 'column')} "
                    + ", ".join(missing)
                    + f" (found: {', '.join(h for h in row if h.strip()) or 'nothing'})",
                    start,
                )
            for i, name in enumerate(header):
                if name in columns:
                    issues.error(f"the column {name!r} appears twice", start, i + 1, name)
                columns.setdefault(name, i)
            if issues.errors:
                return []
            continue
        count += 1
        if count > max_questions:
            issues.error(
                f"more than {max_questions} questions; one import holds at most "
                f"{max_questions}. Split the file into smaller ones",
                start,
            )
            return []
        if len(row) != len(header):
            extra_empty = len(row) > len(header) and not any(
                model_strip(c) for c in row[len(header) :]
            )
            if not extra_empty:
                issues.error(
                    f"this row has {len(row)} {plural(len(row), 'cell')} but the header has {len(header)}; "
                    "check for a missing or extra comma or an unquoted comma in a cell",
                    start,
                )
                continue
        cells = {name: restore_cell(row[i]) for name, i in columns.items()}
        item: dict[str, Any] = {
            "prompt": cells["question"],
            "answer": cells["answer"],
        }
        if model_strip(cells.get("id", "")):
            item["id"] = model_strip(cells["id"])
        if "why" in cells:
            item["why"] = cells["why"]
        if model_strip(cells.get("key_points", "")):
            item["key_points"] = split_list_cell(cells["key_points"])
        if model_strip(cells.get("options", "")):
            item["options"] = [parse_option_item(o) for o in split_list_cell(cells["options"])]
        if model_strip(cells.get("tags", "")):
            item["tags"] = cells["tags"]
        if model_strip(cells.get("difficulty", "")):
            item["difficulty"] = cells["difficulty"]

        def locate(loc: tuple[int | str, ...], start: int = start) -> Any:
            name = str(loc[0]) if loc else "question"
            column = {"prompt": "question"}.get(name, name)
            index = columns.get(column)
            label = column
            if len(loc) > 1 and isinstance(loc[1], int):
                label += f" (item {loc[1] + 1})"
            return start, (index + 1 if index is not None else None), label

        cand = _validate_one(item, start, locate, issues)
        if cand is not None:
            candidates.append(cand)
    if header is None:
        issues.error("the file has no header row; the first row must name the columns", 1)
    return candidates


# --- articles (Markdown and plain text) ---------------------------------------------------------

_LABELS: dict[str, tuple[str, ...]] = {
    "why": (
        r"why (?:you might|you may|you(?:'|’)ll|they might|they may|they(?:'|’)ll|you could|"
        r"employers might|employers may|interviewers might|interviewers may|an interviewer might)"
        r" (?:get |be )?(?:asked|ask you|ask) (?:this|that)(?: question)?",
        r"why (?:interviewers|employers|hiring managers|recruiters|companies) ask (?:this|that)"
        r"(?: question)?",
        r"why (?:this|that) question (?:is asked|gets asked|matters)",
        r"why (?:it(?:'|’)s|it is) asked",
        r"why it matters",
        r"what (?:they(?:'|’)re|they are|the interviewer is|interviewers are|employers are) "
        r"(?:looking for|(?:really )?asking|trying to (?:learn|find out))",
        r"what the interviewer wants(?: to know| to hear)?",
        r"purpose",
    ),
    "how": (
        r"how to (?:answer|approach|respond(?: to)?|tackle)(?: (?:this|that|it)(?: question)?)?",
        r"(?:tips|strategy) for answering(?: (?:this|that|it))?(?: question)?",
        r"answer(?:ing)? tips",
        r"key points(?: to (?:cover|mention|include))?",
        r"what to (?:include|mention|cover)(?: in your answer)?",
        r"points to (?:cover|mention)",
    ),
    "example": (
        r"(?:example|sample|model|suggested|possible|ideal)"
        r" (?:answer|response|reply)(?: for (?:this|that) question)?",
        r"how you (?:might|could|can) answer",
        r"answer",
        r"example",
    ),
    "options": (r"options", r"choices", r"multiple[- ]choice(?: options)?"),
    "tags": (r"tags",),
    "difficulty": (r"difficulty(?: level)?", r"level"),
    "id": (r"id", r"question id"),
}
_LABEL_RES = {
    kind: re.compile(r"^(?:" + "|".join(pats) + r")$", re.I) for kind, pats in _LABELS.items()
}
# Inside a list item only the unmistakable labels count ("Example: ..." may be a key point).
_STRICT_LABEL_KINDS = ("why", "how", "example")
_WEAK_LABELS = re.compile(r"^(?:answer|example|purpose|level|id)$", re.I)

_NOISE_HEADING = re.compile(
    r"^(?:related(?: articles| posts| reading| resources| questions| guides)?|read more|"
    r"see also|you (?:may|might) also like|further reading|more resources|"
    r"(?:table of )?contents|in this (?:article|guide|post)|share(?: this(?: article| post)?)?|"
    r"about the author|conclusion|final thoughts|wrapping up|summary|"
    r"other tips.*|(?:more |final |bonus )?tips.*|how to prepare.*|next steps)\s*:?$",
    re.I,
)
_FAQ_HEADING = re.compile(
    r"^(?:faqs?|frequently asked questions(?: \(faqs?\))?|common questions|"
    r"faq: .*|.*frequently asked questions about .*)\s*:?$",
    re.I,
)
_CTA = re.compile(
    r"(?:sign up|signup|register now|free trial|try (?:it|us|\w+) (?:for )?free|"
    r"start (?:for )?free|get started|click here|subscribe|download (?:our|the|your)|"
    r"book a (?:demo|call)|join (?:our|thousands)|enrol|enroll|our (?:free )?course|"
    r"ace your (?:next )?interview|land your dream job|learn more|→|👉|limited time|"
    r"use code|discount|newsletter)",
    re.I,
)

_OPEN_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "‘": "’", "'": "'", "「": "」", "”": "”"}

# A heading's closing hashes are taken off by _heading_text: in the pattern, they made every
# space of a long run try a closing "#" after each later one (quadratic).
_HEADING_RE = re.compile(r"^(#{1,6})(?:\s+(.*))?$")
_HR_RE = re.compile(r"^(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|={3,})$")
_FENCE_RE = re.compile(r"^(`{3,}|~{3,})")
_BULLET_RE = re.compile(r"^([-*+•·▪◦‣–—✓✔✅➤►▶])[ \t]+(.*)$", re.S)
_NUMBERED_RE = re.compile(r"^(?:(\d{1,3})[.)]|\((\d{1,3}|[a-z])\)|([a-z])\))[ \t]+(.*)$", re.S)
_IMAGE_RE = re.compile(r"^(?:!\[[^\]]*\]\([^)]*\)\s*)+$")
_LINK_ONLY_RE = re.compile(r"^(?:\[[^\]]*\]\([^)]*\)|<?https?://\S+>?)[\s.,;:!|·•-]*$")
_BOLD_LINE_RE = re.compile(r"^(\*\*\*?|__)(.+?)\1\s*:?$", re.S)
_QUESTION_N_RE = re.compile(
    r"^(?:\*\*|__)?(?:question|q)\s*#?\s*(\d{1,3})\s*[.:)\-–—]\s*(?:\*\*|__)?\s*(.*)$",
    re.I | re.S,
)
_NUMBER_PREFIX_RE = re.compile(
    r"^(?:\*\*|__)?(?:(?:question|q)\s*#?\s*\d{1,3}\s*\\?[.:)\-–—]|#?\d{1,3}\s*\\?[.):\-–—](?=[\s*_]))"
    r"(?:\*\*|__)?[ \t]*",
    re.I,
)
#: the marks of a quote (nested ones too) and the spaces after them
_QUOTE_MARKS_RE = re.compile(r">[> \t]*")
_BR_END_RE = re.compile(r"<br\s*/?>$", re.I)
_BR_RE = re.compile(r"<br\s*/?>", re.I)
_IMPERATIVE = re.compile(
    r"^(?:tell me|describe|explain|walk me through|give (?:me )?an example|share|talk about|"
    r"what|why|how|when|where|which|who|can you|could you|have you|do you|would you|is|are)\b",
    re.I,
)

# HTML handling (outside code spans).
_HTAG_OPEN_RE = re.compile(r"<h([1-6])(?:\s[^<>]*)?>", re.I)
_LI_RE = re.compile(r"<li(?:\s[^<>]*)?>", re.I)
_BLOCK_TAG_RE = re.compile(
    r"</?(?:p|div|section|article|header|footer|nav|aside|main|ul|ol|h[1-6]|table|thead|tbody|"
    r"tr|td|th|blockquote|figure|figcaption|dl|dt|dd)(?:\s[^<>]*)?/?>|</li>",
    re.I,
)
_STRONG_RE = re.compile(r"</?(?:strong|b)(?:\s[^<>]*)?>", re.I)
_CODE_TAG_RE = re.compile(r"</?code(?:\s[^<>]*)?>", re.I)
_INLINE_TAG_RE = re.compile(
    r"</?(?:span|em|i|u|a|small|mark|sup|sub|font|abbr|cite|time|label|button|svg|path|"
    r"picture|source|noscript|script|style|iframe)(?:\s[^<>]*)?/?>|<img(?:\s[^<>]*)?/?>",
    re.I,
)
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")


def decode_entities(text: str) -> str:
    """Decode HTML character references in one pass (numeric ones exactly, ``&nbsp;`` as a
    plain space)."""

    def repl(m: re.Match[str]) -> str:
        body = m.group(1)
        if body.startswith("#"):
            num = int(body[2:-1], 16) if body[1] in "xX" else int(body[1:-1])
            if num > 0x10FFFF or 0xD800 <= num <= 0xDFFF:
                return m.group(0)
            return chr(num)
        if body == "nbsp;":
            return " "
        return _HTML5_ENTITIES.get(body, m.group(0))

    return _ENTITY_RE.sub(repl, text)


_BACKTICKS_RE = re.compile(r"`+")


class _Backticks:
    """The code spans of a text, as the pattern ``(`+).+?\\1`` (``.`` taking line breaks
    too) finds one from a backtick: the longest opening that has a closing run of as many
    backticks after at least one character, closed at the nearest such run. The pattern
    tried every shorter opening against the rest of the text from every backtick of a run
    (quadratic, holding the interpreter); here each is worked out from the runs."""

    def __init__(self, text: str):
        self.text = text
        self.runs = [(m.start(), m.end()) for m in _BACKTICKS_RE.finditer(text)]
        self.starts = [start for start, _ in self.runs]
        # longest[i]: the longest run from the i-th on
        self.longest = [0] * (len(self.runs) + 1)
        for i in range(len(self.runs) - 1, -1, -1):
            start, end = self.runs[i]
            self.longest[i] = max(self.longest[i + 1], end - start)

    def span_end(self, at: int) -> int | None:
        """Where the code span opened by the backtick at ``at`` ends, if one does."""
        i = bisect.bisect_right(self.starts, at) - 1
        run = self.runs[i][1] - at
        # An opening of n backticks closes in its own run when the run has 2n + 1, or at
        # the first later run of n or more.
        size = max(min(run, self.longest[i + 1]), (run - 1) // 2)
        if size == 0:
            return None
        if 2 * size + 1 <= run:
            return at + 2 * size + 1
        return self.text.find("`" * size, self.runs[i][1]) + size

    def spans(self) -> Iterator[tuple[int, int]]:
        """Where each code span starts and ends, one after the other."""
        at = self.text.find("`")
        while at >= 0:
            end = self.span_end(at)
            if end is not None:
                yield at, end
            at = self.text.find("`", at + 1 if end is None else end)


def _clean_html(segment: str) -> list[str]:
    """Strip HTML tags from one physical line outside code spans; block tags split it."""
    if "<" not in segment:
        return [segment]
    parts: list[str] = []
    pos = 0
    for start, end in _Backticks(segment).spans():
        parts.append(_strip_tags(segment[pos:start]))
        parts.append(segment[start:end])
        pos = end
    parts.append(_strip_tags(segment[pos:]))
    return "".join(parts).split("\n")


def _strip_tags(text: str) -> str:
    text = _HTAG_OPEN_RE.sub(lambda m: "\n" + "#" * int(m.group(1)) + " ", text)
    text = _LI_RE.sub("\n- ", text)
    text = _BLOCK_TAG_RE.sub("\n", text)
    text = _STRONG_RE.sub("**", text)
    text = _CODE_TAG_RE.sub("`", text)
    return _INLINE_TAG_RE.sub("", text)


@dataclass
class _Tok:
    kind: str  # blank heading hr code text bullet numbered image link table
    line: int
    text: str = ""
    level: int = 0
    indent: int = 0
    br: bool = False
    quoted: bool = False


def _without_comments(text: str) -> str:
    """``text`` without its HTML comments (``<!--`` to the first ``-->``), each one's line
    breaks kept. A search, not a regular expression: ``<!--.*?-->`` looks for the end from
    every ``<!--`` of a file that has none, holding the interpreter for minutes on 1 MiB."""
    out: list[str] = []
    at = 0
    while (start := text.find("<!--", at)) >= 0 and (end := text.find("-->", start + 4)) >= 0:
        out += [text[at:start], "\n" * text.count("\n", start, end)]
        at = end + 3
    out.append(text[at:])
    return "".join(out)


def _tokenise(text: str) -> list[_Tok]:
    text = _without_comments(text)
    toks: list[_Tok] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        raw = lines[i]
        lineno = i + 1
        fence = _FENCE_RE.match(raw.strip())
        if fence:
            marker = fence.group(1)
            body = [raw.strip()]
            j = i + 1
            while j < len(lines):
                body.append(lines[j].rstrip())
                if (
                    lines[j].strip().startswith(marker[0] * len(marker))
                    and lines[j].strip().strip(marker[0]) == ""
                ):
                    break
                j += 1
            toks.append(_Tok("code", lineno, "\n".join(body)))
            i = j + 1
            continue
        for segment in _clean_html(raw):
            toks.append(classify_line(segment, lineno))
        i += 1
    return toks


def _heading_text(text: str) -> str:
    """The text of a heading after its opening hashes, without the closing ones (``##``
    after a space: ``C# ##`` is ``C#``) and the spaces around it."""
    text = text.rstrip()
    opened = text.rstrip("#")
    if opened != text and opened[-1:].isspace():
        text = opened
    return text.strip()


def classify_line(segment: str, lineno: int = 0) -> _Tok:
    """What one line of an article is (heading, list item, text, ...)."""
    expanded = segment.expandtabs(4)
    indent = len(expanded) - len(expanded.lstrip())
    stripped = segment.strip()
    br = False
    if _BR_END_RE.search(stripped):
        br = True
        stripped = _BR_END_RE.sub("", stripped)
        if not stripped.strip():
            return _Tok("text", lineno, "", indent=indent, br=True)
    if not stripped.strip():
        return _Tok("blank", lineno)
    quoted = False
    marks = _QUOTE_MARKS_RE.match(stripped)
    if marks:
        quoted = True
        stripped = stripped[marks.end() :]
        if not stripped:
            return _Tok("blank", lineno)
    m = _HEADING_RE.match(stripped)
    if m:
        return _Tok("heading", lineno, _heading_text(m.group(2) or ""), level=len(m.group(1)), br=br)
    if _HR_RE.match(stripped):
        return _Tok("hr", lineno)
    if _FENCE_RE.match(stripped):
        return _Tok("code", lineno, stripped)
    if stripped.startswith("|"):
        return _Tok("table", lineno, stripped)
    if _IMAGE_RE.match(stripped):
        return _Tok("image", lineno, stripped)
    if _LINK_ONLY_RE.match(stripped):
        return _Tok("link", lineno, stripped)
    if not stripped.startswith("**"):
        m = _BULLET_RE.match(stripped)
        if m:
            return _Tok("bullet", lineno, m.group(2), indent=indent, br=br, quoted=quoted)
    m = _NUMBERED_RE.match(stripped)
    if m:
        number = m.group(1) or m.group(2) or m.group(3)
        kind = "numbered" if number and number.isdigit() else "bullet"
        return _Tok(kind, lineno, m.group(4), indent=indent, br=br, quoted=quoted)
    return _Tok("text", lineno, stripped, indent=indent, br=br, quoted=quoted)


_LEADING_SYMBOLS = re.compile(r"^[\W_]*?(?=[\w\"“‘'(\[*])", re.S)


def _strip_decoration(text: str) -> str:
    """Drop leading emoji/symbols and whole-line emphasis around a heading or label."""
    text = text.strip()
    for _ in range(3):
        before = text
        m = re.match(r"^(\*\*\*?|__|\*|_)(.+)\1$", text, re.S)
        if m and m.group(2).strip():
            text = m.group(2).strip()
        if text and not (text[0].isalnum() or text[0] in "\"“‘'([*_&`"):
            cut = 0
            while cut < len(text) and not (text[cut].isalnum() or text[cut] in "\"“‘'([*_&`"):
                cut += 1
            text = text[cut:].strip()
        if text == before:
            break
    return text


_LABEL_LINE_RE = re.compile(
    r"^(\*\*|__)?\s*([^*_:：]{1,80})\s*([:：])?\s*(\*\*|__)?\s*([:：])?(.*)$", re.S
)


def label_of(text: str, strict: bool = False) -> tuple[str, str] | None:
    """If a line is a section label ("How to answer:"), its kind and any text after it."""
    body = text.strip()
    # "**Label:** rest" or "**Label**: rest" or "Label: rest" or "### Label"
    m = _LABEL_LINE_RE.match(body)
    if not m:
        return None
    name = _strip_decoration(m.group(2)).strip().rstrip(".?!")
    colon = bool(m.group(3) or m.group(5))
    rest = m.group(6).strip()
    opened, closed = m.group(1), m.group(4)
    if opened and not closed:
        return None
    if rest and not colon:
        return None
    for kind, regex in _LABEL_RES.items():
        if regex.match(name):
            if strict and kind not in _STRICT_LABEL_KINDS:
                return None
            if (strict or not colon) and _WEAK_LABELS.match(name) and not (opened or not rest):
                return None
            if strict and _WEAK_LABELS.match(name):
                return None
            return kind, rest
    return None


def _heading_label(tok: _Tok) -> tuple[str, str] | None:
    if tok.kind == "heading":
        return label_of(tok.text)
    if tok.kind == "text":
        bold = _BOLD_LINE_RE.match(tok.text)
        if bold:
            return label_of(bold.group(2))
        return label_of(tok.text)
    if tok.kind == "bullet":
        return label_of(tok.text, strict=True)
    return None


def _prompt_from(text: str) -> str:
    text = _strip_decoration(text)
    m = _NUMBER_PREFIX_RE.match(text)
    if m:
        text = text[m.end() :]
        m2 = re.match(r"^(\*\*\*?|__)(.+)\1$", text.strip(), re.S)
        if m2 and m2.group(2).strip():
            text = m2.group(2)
    return text.strip()


def _question_text(tok: _Tok) -> str | None:
    """The prompt if this line could start a question (before looking at what follows)."""
    if tok.kind == "heading":
        return _prompt_from(tok.text) or None
    if tok.kind == "text":
        bold = _BOLD_LINE_RE.match(tok.text)
        if bold:
            inner = _strip_decoration(bold.group(2))
            if _NUMBER_PREFIX_RE.match(inner) or inner.rstrip().endswith("?"):
                return _prompt_from(inner) or None
            return None
        m = _QUESTION_N_RE.match(_strip_decoration(tok.text))
        if m and m.group(2).strip():
            return _prompt_from(m.group(2)) or None
        return None
    if tok.kind == "numbered":
        return _prompt_from(tok.text) or None
    return None


def _is_faq_start(tok: _Tok) -> bool:
    if tok.kind == "heading":
        return bool(_FAQ_HEADING.match(_strip_decoration(tok.text)))
    if tok.kind == "text":
        return bool(_FAQ_HEADING.match(_strip_decoration(tok.text)))
    return False


def _is_noise_label(tok: _Tok) -> bool:
    if tok.kind in ("heading", "text"):
        text = _strip_decoration(tok.text)
        return bool(_NOISE_HEADING.match(text)) and len(text) < 80
    return False


@dataclass
class _Draft:
    prompt: str
    line: int
    sections: dict[str, list[_Tok]] = field(default_factory=dict)
    label_lines: dict[str, int] = field(default_factory=dict)
    section: str | None = None


_HAZARD_FIRST = frozenset("#>|![*_`~\"“”„‘’'«»「<-+•·=")
_SAFE_FIRST = frozenset("(\\$%.,;:?/)]}{^")


def plain_markdown_line(text: str) -> bool:
    """True when the article reader takes this line as ordinary text wherever it appears,
    so an exporter can write it without escaping its first character."""
    if not text or text != text.strip():
        return False
    tok = classify_line(text)
    if tok.kind != "text" or tok.br or tok.quoted:
        return False
    first = text[0]
    if first == "&":
        return True  # an entity (every literal "&" is written as "&amp;")
    if first in _HAZARD_FIRST or not (first.isalnum() or first in _SAFE_FIRST):
        return False
    if _BR_RE.search(text):
        return False
    if _heading_label(tok) or label_of(text) or _is_faq_start(tok) or _is_noise_label(tok):
        return False
    return not (_question_text(tok) or _QUESTION_N_RE.match(text))


class _ArticleReader:
    def __init__(self, toks: list[_Tok], issues: _Issues):
        self.toks = toks
        self.issues = issues
        self.drafts: list[_Draft] = []
        self.cur: _Draft | None = None
        self.unanswered: list[tuple[str, int]] = []
        self.faq_level: int | None = None
        self.faq_line = 0
        self.faq_count = 0

    # -- lookahead --
    def _candidate_like(self, j: int) -> bool:
        tok = self.toks[j]
        if tok.kind == "heading":
            return _heading_label(tok) is None
        if tok.kind == "numbered":
            return True
        if tok.kind == "text":
            if _heading_label(tok) is not None:
                return False
            return _question_text(tok) is not None or self._rule_e(j, lookahead=True)
        return False

    def _has_body(self, i: int) -> bool:
        for j in range(i + 1, len(self.toks)):
            tok = self.toks[j]
            lab = _heading_label(tok)
            if lab is not None and lab[0] in ("why", "how", "example"):
                return True
            if _is_faq_start(tok) or self._candidate_like(j):
                return False
        return False

    def _next_label(self, i: int) -> str | None:
        for j in range(i + 1, len(self.toks)):
            tok = self.toks[j]
            if tok.kind == "blank":
                continue
            lab = _heading_label(tok)
            return lab[0] if lab else None
        return None

    def _rule_e(self, i: int, lookahead: bool = False) -> bool:
        """A lone line such as "Tell me about yourself." right before a why/how label."""
        tok = self.toks[i]
        if tok.kind != "text" or tok.br or tok.quoted:
            return False
        prev_blank = i == 0 or self.toks[i - 1].kind in ("blank", "hr", "heading")
        if not prev_blank:
            return False
        text = _strip_decoration(tok.text)
        if not (text.endswith("?") or _IMPERATIVE.match(text)) or len(text) > 300:
            return False
        if self._next_label(i) not in ("why", "how"):
            return False
        if lookahead:
            return True
        cur = self.cur
        if cur is None or cur.section in (None, "closed", "options", "tags", "difficulty", "id"):
            return True
        return cur.section == "example" and any(
            t.kind != "blank" for t in cur.sections.get("example", [])
        )

    # -- state --
    def _finish(self) -> None:
        if self.cur is not None:
            self.drafts.append(self.cur)
            self.cur = None

    def _open(self, prompt: str, line: int) -> None:
        self._finish()
        self.cur = _Draft(prompt, line)

    def _section(self, kind: str, rest: str, tok: _Tok) -> None:
        cur = self.cur
        if cur is None:
            return
        cur.section = kind
        cur.label_lines.setdefault(kind, tok.line)
        items = cur.sections.setdefault(kind, [])
        if items:
            items.append(_Tok("blank", tok.line))
        if rest:
            items.append(classify_line(rest, tok.line))

    def _add(self, tok: _Tok) -> None:
        cur = self.cur
        if cur is None or cur.section in (None, "closed"):
            return
        cur.sections.setdefault(cur.section, []).append(tok)

    def _faq_tok(self, tok: _Tok) -> None:
        text = tok.text.strip()
        if (
            re.match(r"^(?:\*\*)?Q\d*\s*[:.]", text, re.I)
            or (tok.kind in ("heading", "numbered") and text.rstrip("*").endswith("?"))
            or (_BOLD_LINE_RE.match(text) and text.rstrip("*: ").endswith("?"))
        ):
            self.faq_count += 1

    def _end_faq(self) -> None:
        if self.faq_level is not None:
            n = self.faq_count
            what = count(n, "question") if n else "its entries"
            self.issues.warn(
                f"skipped the FAQ section ({what}): FAQ answers are not imported as "
                "interview questions",
                self.faq_line,
            )
        self.faq_level = None
        self.faq_count = 0

    def run(self) -> list[_Draft]:
        for i, tok in enumerate(self.toks):
            if tok.kind == "blank":
                self._add(tok)
                continue
            if self.faq_level is not None:
                if (
                    tok.kind == "heading"
                    and (tok.level <= self.faq_level or self.faq_level == 7)
                    and not _is_faq_start(tok)
                ):
                    self._end_faq()
                else:
                    self._faq_tok(tok)
                    continue
            if _is_faq_start(tok):
                self._finish()
                self.faq_level = tok.level if tok.kind == "heading" else 7
                self.faq_line = tok.line
                continue
            lab = _heading_label(tok)
            if lab is not None:
                if self.cur is not None:
                    self._section(lab[0], lab[1], tok)
                continue
            if tok.kind == "heading":
                self._finish()
                if _is_noise_label(tok):
                    continue
                self._consider(i, tok)
                continue
            if tok.kind == "numbered":
                cur = self.cur
                in_list = cur is not None and cur.section in ("why", "how", "options")
                ends_q = _prompt_from(tok.text).endswith("?")
                if (not in_list or ends_q) and self._has_body(i):
                    self._consider(i, tok)
                else:
                    if cur is None or cur.section is None:
                        self._note_unanswered(tok)
                    self._add(tok)
                continue
            if tok.kind == "text":
                if _is_noise_label(tok):
                    if self.cur is not None:
                        self.cur.section = "closed"
                    continue
                if _question_text(tok) is not None and self._has_body(i):
                    self._finish()
                    self._consider(i, tok)
                    continue
                if _question_text(tok) is not None and (
                    self.cur is None or self.cur.section is None
                ):
                    self._note_unanswered(tok)
                    continue
                if self._rule_e(i):
                    self._open(_prompt_from(tok.text), tok.line)
                    continue
                self._add(tok)
                continue
            if tok.kind == "hr":
                if self.cur is not None and self.cur.section is not None:
                    self.cur.section = "closed"
                continue
            if tok.kind in ("image", "link", "table"):
                continue
            self._add(tok)  # bullet, code
        self._finish()
        self._end_faq()
        return self.drafts

    def _consider(self, i: int, tok: _Tok) -> None:
        prompt = _question_text(tok)
        if prompt is None:
            return
        if self._has_body(i):
            self._open(prompt, tok.line)
        else:
            self._note_unanswered(tok)

    def _note_unanswered(self, tok: _Tok) -> None:
        """Remember a numbered question that has no body (a table of contents entry, or a
        question whose answer is missing); warned about unless found elsewhere."""
        prompt = _question_text(tok)
        numbered = tok.kind == "numbered" or bool(
            _NUMBER_PREFIX_RE.match(_strip_decoration(_BOLD_LINE_RE.sub(r"\2", tok.text)))
        )
        if prompt and numbered and _finish_text(prompt).rstrip("*_ ").endswith("?"):
            self.unanswered.append((prompt, tok.line))


# A backslash before ASCII punctuation (outside a code span) shows the character itself, as
# Markdown converters write ``1\.``, ``\*`` or ``\_``; a code span is left as it is.
_ESCAPE_OR_TICK_RE = re.compile(r"\\[!-/:-@\[-`{-~]|`")


def unescape_markdown(text: str) -> str:
    r"""Text without Markdown's backslash escapes outside code spans (``a\_b`` is ``a_b``)."""
    out: list[str] = []
    done = 0
    ticks: _Backticks | None = None
    found = _ESCAPE_OR_TICK_RE.search(text)
    while found:
        at = found.start()
        if found.group() == "`":
            ticks = ticks or _Backticks(text)
            end = ticks.span_end(at)
            after = at + 1 if end is None else end
        else:
            out += [text[done:at], found.group()[1]]
            done = after = found.end()
        found = _ESCAPE_OR_TICK_RE.search(text, after)
    out.append(text[done:])
    return "".join(out)


def _finish_text(text: str) -> str:
    return decode_entities(unescape_markdown(_BR_RE.sub("\n", text)))


def _join_lines(toks: Sequence[_Tok]) -> str:
    out = ""
    for n, tok in enumerate(toks):
        out += tok.text
        if n < len(toks) - 1:
            out += "\n" if tok.br else " "
    return out


def _blocks(items: Sequence[_Tok]) -> list[tuple[str, list[_Tok]]]:
    """Group section lines into paragraphs, list items (with continuation lines) and code."""
    blocks: list[tuple[str, list[_Tok]]] = []
    for tok in items:
        if tok.kind == "blank":
            blocks.append(("blank", []))
        elif tok.kind in ("bullet", "numbered"):
            blocks.append(("item", [tok]))
        elif tok.kind == "code":
            blocks.append(("code", [tok]))
        elif tok.kind in ("text", "heading"):
            if blocks and blocks[-1][0] in ("para", "item"):
                blocks[-1][1].append(tok)
            else:
                blocks.append(("para", [tok]))
    return blocks


def _block_text(kind: str, toks: Sequence[_Tok]) -> str:
    if kind == "code":
        return toks[0].text
    text = _finish_text(_join_lines(toks).strip())
    if kind == "item":
        return "- " + text
    return text


def _paragraphs(items: Sequence[_Tok]) -> list[tuple[str, list[_Tok]]]:
    return [b for b in _blocks(items) if b[0] != "blank"]


def _join_blocks(blocks: Sequence[tuple[str, list[_Tok]]]) -> str:
    out = ""
    prev = ""
    for kind, toks in blocks:
        text = _block_text(kind, toks)
        if out:
            out += "\n" if (kind == "item" and prev == "item") else "\n\n"
        out += text
        prev = kind
    return out


def _join_texts(pairs: Sequence[tuple[str, str]]) -> str:
    out = ""
    prev = ""
    for kind, text in pairs:
        if not text:
            continue
        if out:
            out += "\n" if (kind == "item" and prev == "item") else "\n\n"
        out += text
        prev = kind
    return out


def _build_answer(items: Sequence[_Tok]) -> str:
    """The example answer: a quoted span (quotes removed, possibly over several paragraphs,
    ending at the closing quote), or else the paragraphs up to the first advert."""
    blocks = [
        (kind, model_strip(_block_text(kind, toks)) if kind != "code" else toks[0].text)
        for kind, toks in _blocks(items)
        if kind != "blank"
    ]
    if not blocks:
        return ""
    first_kind, first_text = blocks[0]
    if first_kind != "para" or first_text[:1] not in _OPEN_QUOTES:
        kept: list[tuple[str, str]] = []
        for n, (kind, text) in enumerate(blocks):
            if n > 0 and kind == "para" and _CTA.search(text):
                break
            kept.append((kind, text))
        return _join_texts(kept)
    taken: list[tuple[str, str]] = []
    closer = ""
    closed = True
    for kind, text in blocks:
        if closed:
            # Start (or restart) a quoted span: only a paragraph opening with a quote may.
            if taken and not (kind == "para" and text[:1] in _OPEN_QUOTES):
                break
            closer = _OPEN_QUOTES[text[:1]]
            text = text[1:]
            closed = False
        if kind == "para" and text.endswith(closer):
            text = text[: -len(closer)]
            closed = True
        taken.append((kind, text))
    return _join_texts(taken)


def _build_key_points(items: Sequence[_Tok]) -> tuple[list[str], list[int]]:
    blocks = _paragraphs(items)
    bullets = [b for b in blocks if b[0] == "item"]
    points: list[str] = []
    lines: list[int] = []
    if bullets:
        base = min(b[1][0].indent for b in bullets)
        for _, toks in bullets:
            text = _finish_text(_join_lines(toks).strip())
            if toks[0].indent > base + 1 and points:
                points[-1] += "; " + text
            else:
                points.append(text)
                lines.append(toks[0].line)
        return points, lines
    for kind, toks in blocks:
        if kind != "para":
            continue
        text = _finish_text(_join_lines(toks).strip())
        if text.endswith(":"):
            continue
        if len(text) > KEY_POINT_MAX:
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"“])", text):
                if sentence.strip():
                    points.append(sentence.strip())
                    lines.append(toks[0].line)
        else:
            points.append(text)
            lines.append(toks[0].line)
    return points, lines


_TASK_RE = re.compile(r"^\[([ xX✓✔])\][ \t]?(.*)$", re.S)


def _build_options(items: Sequence[_Tok]) -> tuple[list[dict[str, Any]], list[int], bool]:
    options: list[dict[str, Any]] = []
    lines: list[int] = []
    marked = True
    for kind, toks in _paragraphs(items):
        if kind != "item":
            continue
        text = _join_lines(toks)
        m = _TASK_RE.match(text)
        if m:
            options.append({"text": _finish_text(m.group(2).strip()), "correct": m.group(1) != " "})
        else:
            marked = False
            options.append({"text": _finish_text(text.strip()), "correct": False})
        lines.append(toks[0].line)
    return options, lines, marked


def _single_value(items: Sequence[_Tok]) -> str:
    paras = _paragraphs(items)
    if not paras:
        return ""
    return _finish_text(_join_lines(paras[0][1]).strip())


_DIFFICULTY_WORDS = {
    "easy": "easy",
    "beginner": "easy",
    "basic": "easy",
    "entry": "easy",
    "entry-level": "easy",
    "junior": "easy",
    "medium": "medium",
    "intermediate": "medium",
    "moderate": "medium",
    "mid": "medium",
    "mid-level": "medium",
    "hard": "hard",
    "advanced": "hard",
    "expert": "hard",
    "difficult": "hard",
    "senior": "hard",
}


_HASHTAGS_RE = re.compile(r"#\S+(?:\s+#\S+)+")


def _article_tags(value: str) -> list[str]:
    """Tags are comma separated; "#python #flask" (hashtags) is a tag each."""
    tags: list[str] = []
    for part in (p.strip() for p in value.split(",")):
        words = part.split() if _HASHTAGS_RE.fullmatch(part) else [part]
        tags += [w.lstrip("#") for w in words if w.lstrip("#")]
    return tags


def _draft_to_item(draft: _Draft, issues: _Issues) -> tuple[dict[str, Any], dict[str, int]] | None:
    lines: dict[str, int] = {"prompt": draft.line}
    answer = _build_answer(draft.sections.get("example", []))
    prompt = _finish_text(draft.prompt.strip())
    if not answer:
        issues.warn(
            f"{one_line(prompt)!r} has no example answer (an 'Example answer:' section); skipped",
            draft.line,
            field="answer",
        )
        return None
    item: dict[str, Any] = {"prompt": prompt, "answer": answer}
    lines["answer"] = draft.label_lines.get("example", draft.line)
    why_items = draft.sections.get("why", [])
    if why_items:
        item["why"] = _join_blocks(_paragraphs(why_items))
        lines["why"] = draft.label_lines["why"]
    points, point_lines = _build_key_points(draft.sections.get("how", []))
    if points:
        item["key_points"] = points
        lines["key_points"] = draft.label_lines["how"]
        for n, ln in enumerate(point_lines):
            lines[f"key_points.{n}"] = ln
    if "options" in draft.sections:
        options, option_lines, marked = _build_options(draft.sections["options"])
        lines["options"] = draft.label_lines["options"]
        for n, ln in enumerate(option_lines):
            lines[f"options.{n}"] = ln
        if options and not marked:
            issues.error(
                "mark each option with '[x]' (the right one) or '[ ]'",
                lines["options"],
                field="options",
            )
            return None
        if options:
            item["options"] = options
    if "tags" in draft.sections:
        value = _single_value(draft.sections["tags"])
        lines["tags"] = draft.label_lines["tags"]
        item["tags"] = _article_tags(value)
    if "difficulty" in draft.sections:
        value = _single_value(draft.sections["difficulty"])
        lines["difficulty"] = draft.label_lines["difficulty"]
        word = value.strip().strip("*_ .").lower()
        if word:
            mapped = _DIFFICULTY_WORDS.get(word)
            if mapped is None:
                issues.warn(
                    f"difficulty {value!r} is not easy, medium or hard; using medium",
                    lines["difficulty"],
                    field="difficulty",
                )
            else:
                item["difficulty"] = mapped
    if "id" in draft.sections:
        value = _single_value(draft.sections["id"]).strip("`")
        lines["id"] = draft.label_lines["id"]
        if value:
            item["id"] = value
    return item, lines


def _parse_article(text: str, issues: _Issues) -> list[_Candidate]:
    reader = _ArticleReader(_tokenise(text), issues)
    drafts = reader.run()
    candidates: list[_Candidate] = []
    found: set[str] = set()
    for draft in drafts:
        found.add(loose_key(_finish_text(draft.prompt)))
        built = _draft_to_item(draft, issues)
        if built is None:
            continue
        item, lines = built

        def locate(
            loc: tuple[int | str, ...], lines: dict[str, int] = lines, draft: _Draft = draft
        ) -> tuple[int | None, int | None, str]:
            name = str(loc[0]) if loc else "prompt"
            key = f"{name}.{loc[1]}" if len(loc) > 1 else name
            line = lines.get(key, lines.get(name, draft.line))
            return line, None, field_path(loc) or "question"

        cand = _validate_one(item, draft.line, locate, issues)
        if cand is not None:
            candidates.append(cand)
    warned: set[str] = set()
    for prompt, line in reader.unanswered:
        key = loose_key(_finish_text(prompt))
        if key in found or key in warned:
            continue
        warned.add(key)
        issues.warn(
            f"{one_line(_finish_text(prompt))!r} has no example answer (an 'Example answer:' "
            "section); skipped",
            line,
            field="answer",
        )
    return candidates
