"""Exporting questions as YAML, JSON, CSV or a Markdown article that :mod:`bot.importers`
reads back unchanged.

Round trip: ``parse_import(export_questions(qs, fmt), "x." + ext).questions == qs`` for any
list of valid questions with distinct ids and distinct prompts (as ``loose_key`` sees them).
A deck can grow past what one import takes (:data:`bot.importers.IMPORT_MAX_QUESTIONS`,
:data:`bot.importers.IMPORT_MAX_BYTES`) through several imports: :func:`export_parts` then
splits it into files that each import, in order, and :func:`message_batches` groups those
files into Discord messages.
What each format carries:

* YAML and JSON: everything, in the built-in deck schema (``slug``, ``name``, ``description``,
  ``questions``).
* CSV: everything except carriage returns inside texts - a CR (alone or before LF) comes back
  as a plain line break, because the importer reads every CR/CRLF as LF. Cells are
  neutralised against spreadsheet formulas (see :func:`bot.importers.neutralise_cell`); list
  cells hold one item per line, continuation lines of an item are indented by two spaces, and
  the right option starts with ``*``.
* Markdown: everything, as an interview-prep article::

      # Deck name

      Description.

      ## 1. The prompt

      **Why you might get asked this:**

      The why paragraph.

      **How to answer:**

      - one key point per bullet

      **Example answer:**

      "The answer, in quotes."

      **Options:**        (multiple choice only)

      - [ ] a wrong option
      - [x] the right option

      **Tags:** python, flask

      **Difficulty:** medium

      **ID:** the-question-id

  Texts are written as article paragraphs: ``&``, ``<`` and a backslash before ASCII
  punctuation, at the end or before an entity (which the reader would take for a Markdown
  escape) become HTML entities, a line break becomes ``<br>`` at the end of the line,
  whitespace at either end of a line becomes a numeric entity, and a line that the reader
  would take for structure (a heading, list item, label, quote, ...) has its first character
  written as an entity.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from bot.importers import (
    IMPORT_MAX_BYTES,
    IMPORT_MAX_QUESTIONS,
    format_option_item,
    join_list_cell,
    neutralise_cell,
    plain_markdown_line,
)
from bot.questions import Question

ExportFormat = Literal["yaml", "json", "csv", "markdown"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("yaml", "json", "csv", "markdown")
EXPORT_EXTENSIONS: dict[ExportFormat, str] = {
    "yaml": ".yaml",
    "json": ".json",
    "csv": ".csv",
    "markdown": ".md",
}
# Discord takes at most 10 files on a message and 10 MiB of them from a bot in a server
# without boosts; a batch keeps a margin below the bytes.
MESSAGE_FILES_MAX = 10
MESSAGE_FILES_BYTES_MAX = 8 * 1024 * 1024

CSV_EXPORT_COLUMNS = (
    "question",
    "answer",
    "key_points",
    "tags",
    "difficulty",
    "options",
    "id",
    "why",
)


def export_questions(
    questions: Sequence[Question],
    fmt: str,
    *,
    deck_name: str = "Questions",
    deck_slug: str = "questions",
    description: str = "",
) -> bytes:
    """Questions as a file in ``fmt`` (yaml, json, csv or markdown), UTF-8 encoded."""
    if fmt == "yaml":
        return _export_yaml(questions, deck_name, deck_slug, description)
    if fmt == "json":
        return _export_json(questions, deck_name, deck_slug, description)
    if fmt == "csv":
        return _export_csv(questions)
    if fmt in ("markdown", "md"):
        return _export_markdown(questions, deck_name, description)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")


# --- exports one import takes ---------------------------------------------------------------


@dataclass(frozen=True)
class ExportPart:
    """One file of an export: its name, its bytes and how many questions it holds."""

    filename: str
    data: bytes
    count: int


def export_parts(
    questions: Sequence[Question],
    fmt: str,
    *,
    deck_name: str = "Questions",
    deck_slug: str = "questions",
    description: str = "",
    stem: str | None = None,
    max_bytes: int = IMPORT_MAX_BYTES,
    max_questions: int = IMPORT_MAX_QUESTIONS,
) -> list[ExportPart]:
    """Questions as one file ``<stem><ext>`` when one import takes it (at most
    ``max_questions`` questions and ``max_bytes`` bytes), else as files
    ``<stem>-1-of-N<ext>`` ... each within those limits, keeping the deck's order. Every part
    is a whole file of its format (deck name and description, CSV header). ``stem`` defaults
    to the deck's slug. A question too big for ``max_bytes`` alone (the import limits leave
    room for the largest valid question) still gets a file of its own."""

    def export(qs: Sequence[Question]) -> bytes:
        return export_questions(
            qs, fmt, deck_name=deck_name, deck_slug=deck_slug, description=description
        )

    whole = export(questions)  # a ValueError for an unknown format
    ext = EXPORT_EXTENSIONS["markdown" if fmt == "md" else fmt]  # type: ignore[index]
    stem = deck_slug if stem is None else stem
    if len(questions) <= max_questions and len(whole) <= max_bytes:
        return [ExportPart(stem + ext, whole, len(questions))]
    chunks = _split(questions, export, max_bytes, max_questions)
    n = len(chunks)
    return [
        ExportPart(f"{stem}-{i}-of-{n}{ext}", data, len(chunk))
        for i, (chunk, data) in enumerate(chunks, 1)
    ]


# Bytes a question may take in a file beyond its size exported alone (a longer number in a
# Markdown heading, a JSON comma).
_PART_SLACK = 16


def _split(
    questions: Sequence[Question],
    export: Callable[[Sequence[Question]], bytes],
    max_bytes: int,
    max_questions: int,
) -> list[tuple[Sequence[Question], bytes]]:
    """Greedy parts from each question's size exported alone (less the file's own head),
    each checked by exporting it, and made shorter in the rare case it is still too big."""
    alone = [len(export([q])) for q in questions]
    head = max(0, alone[0] + alone[1] - len(export(questions[:2]))) if len(questions) > 1 else 0
    out: list[tuple[Sequence[Question], bytes]] = []
    start = 0
    while start < len(questions):
        end, size = start, head
        while (
            end < len(questions)
            and end - start < max_questions
            and (end == start or size + alone[end] - head + _PART_SLACK <= max_bytes)
        ):
            size += alone[end] - head + _PART_SLACK
            end += 1
        data = export(questions[start:end])
        while len(data) > max_bytes and end - start > 1:
            end -= 1
            data = export(questions[start:end])
        out.append((questions[start:end], data))
        start = end
    return out


def message_batches(
    parts: Sequence[ExportPart],
    *,
    max_files: int = MESSAGE_FILES_MAX,
    max_bytes: int = MESSAGE_FILES_BYTES_MAX,
) -> list[list[ExportPart]]:
    """The parts in order, grouped into messages of at most ``max_files`` files and
    ``max_bytes`` bytes (a part bigger than that alone gets a message of its own)."""
    batches: list[list[ExportPart]] = []
    size = 0
    for part in parts:
        if not batches or len(batches[-1]) >= max_files or size + len(part.data) > max_bytes:
            batches.append([])
            size = 0
        batches[-1].append(part)
        size += len(part.data)
    return batches


# --- YAML / JSON ----------------------------------------------------------------------------


def _question_dict(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"id": q.id, "prompt": q.prompt}
    if q.why:
        out["why"] = q.why
    if q.key_points:
        out["key_points"] = list(q.key_points)
    out["answer"] = q.answer
    if q.options:
        out["options"] = [{"text": o.text, "correct": o.correct} for o in q.options]
    if q.tags:
        out["tags"] = list(q.tags)
    out["difficulty"] = q.difficulty.value
    return out


def _deck_dict(
    questions: Sequence[Question], name: str, slug: str, description: str
) -> dict[str, Any]:
    deck: dict[str, Any] = {"slug": slug, "name": name}
    if description:
        deck["description"] = description
    deck["questions"] = [_question_dict(q) for q in questions]
    return deck


class _Dumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks when YAML allows it (the emitter falls back to a
    quoted style when it does not)."""


_YAML_ODD_BREAKS = ("\x85", "\u2028", "\u2029", "\r")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style: str | None = "|" if "\n" in value else None
    if any(ch in value for ch in _YAML_ODD_BREAKS):
        style = '"'  # YAML folds these breaks in other styles; escapes keep them
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _export_yaml(questions: Sequence[Question], name: str, slug: str, description: str) -> bytes:
    text = yaml.dump(
        _deck_dict(questions, name, slug, description),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return text.encode("utf-8")


def _export_json(questions: Sequence[Question], name: str, slug: str, description: str) -> bytes:
    text = json.dumps(_deck_dict(questions, name, slug, description), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


# --- CSV ------------------------------------------------------------------------------------


def _export_csv(questions: Sequence[Question]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_EXPORT_COLUMNS)
    for q in questions:
        row = {
            "question": q.prompt,
            "answer": q.answer,
            "key_points": join_list_cell(q.key_points),
            "tags": ", ".join(q.tags),
            "difficulty": q.difficulty.value,
            "options": join_list_cell([format_option_item(o.text, o.correct) for o in q.options]),
            "id": q.id,
            "why": q.why,
        }
        writer.writerow([neutralise_cell(row[c]) for c in CSV_EXPORT_COLUMNS])
    # The BOM lets spreadsheet programs recognise UTF-8; the importer drops it.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# --- Markdown -------------------------------------------------------------------------------


def _entity(ch: str) -> str:
    return f"&#{ord(ch)};"


# A backslash the reader would take for a Markdown escape: before ASCII punctuation, or at
# the end of a text (the answer's closing quote follows it).
_ESCAPING_BACKSLASH_RE = re.compile(r"\\(?=[!-/:-@\[-`{-~]|\Z)")


def _escape_inline(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace("\r", "&#13;")
    return _ESCAPING_BACKSLASH_RE.sub("&#92;", text)


def _protect_ends(line: str) -> str:
    """Whitespace at either end of a line would be trimmed by the reader: use entities (and
    for a backslash before them, which the reader would take for an escape of their ``&``)."""
    stripped = line.strip()
    if not stripped:
        return "".join(_entity(ch) for ch in line)
    start = line.index(stripped[0])
    end = start + len(stripped)
    head = "".join(_entity(ch) for ch in line[:start])
    tail = "".join(_entity(ch) for ch in line[end:])
    if tail and stripped.endswith("\\"):
        stripped = stripped[:-1] + _entity("\\")
    return head + stripped + tail


def markdown_text_lines(text: str, *, lead_safe: bool = False) -> list[str]:
    """A text as article lines: join them with ``<br>\\n`` and the reader gives the text back.

    With ``lead_safe`` the first line follows a marker on the same line (a list bullet or an
    opening quote), so only its later lines need guarding against being read as structure.
    """
    out: list[str] = []
    for n, part in enumerate(_escape_inline(text).split("\n")):
        line = _protect_ends(part)
        if line and not (n == 0 and lead_safe) and not plain_markdown_line(line):
            line = _entity(line[0]) + line[1:]
        out.append(line)
    return out


def _paragraph(text: str, *, lead_safe: bool = False) -> str:
    return "<br>\n".join(markdown_text_lines(text, lead_safe=lead_safe))


def _heading_text(text: str) -> str:
    escaped = _escape_inline(text)
    parts = [_protect_ends(p) for p in escaped.split("\n")]
    line = "<br>".join(parts)
    if line[:1] in ("*", "_"):
        line = _entity(line[0]) + line[1:]
    if line.endswith("#"):
        line = line[:-1] + _entity("#")
    return line


def _bullet(text: str) -> str:
    lines = markdown_text_lines(text)
    return "- " + "<br>\n".join(lines)


def _export_markdown(questions: Sequence[Question], name: str, description: str) -> bytes:
    title = _heading_text(" ".join(name.split()) or "Questions")
    if not plain_markdown_line(title):
        title = _entity(title[0]) + title[1:]
    out: list[str] = [f"# {title}", ""]
    if description.strip():
        out += [_paragraph(description.strip()), ""]
    for n, q in enumerate(questions, 1):
        out += [f"## {n}. {_heading_text(q.prompt)}", ""]
        if q.why:
            out += ["**Why you might get asked this:**", "", _paragraph(q.why), ""]
        if q.key_points:
            out += ["**How to answer:**", ""]
            out += [_bullet(point) for point in q.key_points]
            out.append("")
        out += ["**Example answer:**", "", '"' + _paragraph(q.answer, lead_safe=True) + '"', ""]
        if q.options:
            out += ["**Options:**", ""]
            for option in q.options:
                mark = "[x]" if option.correct else "[ ]"
                lines = markdown_text_lines(option.text, lead_safe=True)
                out.append(f"- {mark} " + "<br>\n".join(lines))
            out.append("")
        if q.tags:
            out += [f"**Tags:** {', '.join(q.tags)}", ""]
        out += [f"**Difficulty:** {q.difficulty.value}", "", f"**ID:** {q.id}", ""]
    return "\n".join(out).encode("utf-8")
