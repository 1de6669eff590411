"""The question bank in plain Python: the question form, deck names, placing new questions in
a deck, and the import flow (parse, preview, confirm). The cogs only render and ask.

The question form is what the ``/question add`` modal (and ``/suggest``) holds: five texts,
the most a Discord modal may show. *Why it is asked* has no room there: ``/question add`` and
``/question edit`` take it as an option, and the form carries it along.

* **Question** and **Model answer**: free text.
* **Key points**: one a line; a leading ``-``, ``*`` or ``•`` bullet is dropped.
* **Tags**: comma separated (a leading ``#`` is dropped).
* **Options**: empty for an open question; else one option a line, the right one starting
  with ``*``. A backslash protects a literal ``*`` or ``\\`` at the start of an option.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from bot.errors import UserError
from bot.importers import (
    IMPORT_MAX_BYTES,
    IMPORT_MAX_QUESTIONS,
    MODEL_WHITESPACE,
    ImportIssue,
    format_option_item,
    model_strip,
    parse_import,
    parse_option_item,
    slug_for_prompt,
    unique_question_id,
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
    TAG_MAX,
    TAGS_MAX,
    WHY_MAX,
    Difficulty,
    Question,
    folded,
    loose_key,
    refuse_nul,
    typed_tag,
)
from bot.text import count, grouped, one_line

if TYPE_CHECKING:
    from bot.store import DeckRow, Store, StoredQuestion

# -- the question form --------------------------------------------------------------------

FORM_LABELS = {
    "prompt": "Question",
    "answer": "Model answer",
    "key_points": "Key points (one a line)",
    "tags": "Tags (comma separated)",
    "options": "Options: one a line, right one starts *",
}
# What each text input accepts (Discord allows 4000 at most).
FORM_MAX = {
    "prompt": PROMPT_MAX,
    "answer": ANSWER_MAX,
    # Room for the points, their bullets and the indent of a point's further lines.
    "key_points": 4000,
    "tags": TAGS_MAX * (TAG_MAX + 2),
    "options": OPTIONS_MAX * (OPTION_MAX + 4),
}
_FIELD_NAMES = {
    "prompt": "Question",
    "answer": "Model answer",
    "key_points": "Key points",
    "tags": "Tags",
    "options": "Options",
    "why": "Why it is asked",
    "difficulty": "Difficulty",
}
_BULLET = re.compile(r"^(?:[-*•·]|\d{1,2}[.)])[ \t]+")


@dataclass(frozen=True)
class QuestionForm:
    """The five texts of the question modal, and *why it is asked*, which is given with the
    command (the modal has no room for a sixth text)."""

    prompt: str = ""
    answer: str = ""
    key_points: str = ""
    tags: str = ""
    options: str = ""
    why: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "prompt": self.prompt,
            "answer": self.answer,
            "key_points": self.key_points,
            "tags": self.tags,
            "options": self.options,
            "why": self.why,
        }


def check_why(text: str, *, can_clear: bool = False) -> str:
    """*Why it is asked* as given with a command, stripped as the question keeps it. Blank
    or too long is a UserError saying what to fix (``can_clear``: the command also has a
    ``clear_why`` option, the way to remove it)."""
    why = model_strip(text)
    if not why:
        other = " (`clear_why` removes the question's)" if can_clear else ""
        raise UserError(
            f"`why` is blank: write why the question is asked, or leave the option out{other}."
        )
    refuse_nul("`why`", why)
    if len(why) > WHY_MAX:
        raise UserError(
            f"`why` has {grouped(len(why))} characters; it may have at most {grouped(WHY_MAX)}. Shorten it."
        )
    return why


def _form_lines(text: str) -> list[tuple[int, str]]:
    return [
        (n, line.strip())
        for n, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1)
        if line.strip()
    ]


def parse_key_points(text: str) -> list[str]:
    """Key points, one a line (a leading bullet such as ``-`` or ``1.`` is dropped). An
    indented line goes on with the point above it, so a point may span lines."""
    found: list[tuple[int, list[str]]] = []  # (first line, its lines)
    raw = _dedented(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    for n, line in enumerate(raw, 1):
        if line[:1] in (" ", "\t") and found:
            found[-1][1].append(line[2:] if line.startswith("  ") else line.lstrip())
            continue
        # A line's end stays as typed: it may be followed by more lines of the point.
        point = _BULLET.sub("", line.lstrip(MODEL_WHITESPACE), count=1)
        if model_strip(point):
            found.append((n, [point]))
    points: list[str] = []
    for n, lines in found:
        point = model_strip("\n".join(lines))
        if len(point) > KEY_POINT_MAX:
            raise UserError(
                f"Key points, line {n}: {grouped(len(point))} characters; a key point may have at most "
                f"{KEY_POINT_MAX}. Split it over two lines."
            )
        points.append(point)
    if len(points) > KEY_POINTS_MAX:
        raise UserError(
            f"Key points: {grouped(len(points))} lines; at most {KEY_POINTS_MAX} key points are "
            "allowed."
        )
    return points


def _dedented(lines: list[str]) -> list[str]:
    """Lines without the indent all the non-blank ones share (a list pasted or typed
    indented is still one point a line); a blank line loses as much of it as it has."""
    indents = [line[: len(line) - len(line.lstrip(" \t"))] for line in lines if line.strip()]
    common = indents[0] if indents else ""
    for indent in indents[1:]:
        while not indent.startswith(common):
            common = common[:-1]
    if not common:
        return lines
    return [
        line[len(common) :] if line.startswith(common) else line.lstrip(" \t") for line in lines
    ]


def format_key_points(points: Sequence[str]) -> str:
    """Key points as the form shows them, one a line, so that ``parse_key_points`` reads
    back the same points: a point's further lines are indented, and a ``- `` goes before
    a point only where it is needed (one that itself starts like a bullet)."""
    out = []
    for point in points:
        needs_bullet = bool(_BULLET.match(point)) or point[:1] in (" ", "\t")
        out.append(("- " if needs_bullet else "") + point.replace("\n", "\n  "))
    return "\n".join(out)


def parse_tags(text: str) -> list[str]:
    return [t.strip().lstrip("#").strip() for t in text.split(",") if t.strip().lstrip("#").strip()]


def parse_options(text: str) -> list[dict[str, Any]]:
    """Options, one a line, the right one starting with ``*``; [] for an open question."""
    lines = _form_lines(text)
    if not lines:
        return []
    options: list[dict[str, Any]] = []
    for n, line in lines:
        option = parse_option_item(line)
        if not option["text"]:
            raise UserError(f"Options, line {n}: a lone `*`; write the option's text after it.")
        if len(option["text"]) > OPTION_MAX:
            raise UserError(
                f"Options, line {n}: {grouped(len(option['text']))} characters; an option is a button "
                f"label of at most {OPTION_MAX}."
            )
        options.append(option)
    if not 2 <= len(options) <= OPTIONS_MAX:
        raise UserError(
            f"Options: {count(len(options), 'line')}; a multiple-choice "
            f"question needs 2 to {OPTIONS_MAX} (or leave Options empty for an open question)."
        )
    right = [n for (n, _), o in zip(lines, options, strict=True) if o["correct"]]
    if len(right) != 1:
        where = f" (lines {', '.join(map(str, right))})" if right else ""
        raise UserError(
            f"Options: mark exactly one option as right by starting its line with `*`; "
            f"found {grouped(len(right))}{where}."
        )
    return options


def question_from_form(
    form: QuestionForm,
    *,
    question_id: str,
    difficulty: Difficulty | str = Difficulty.medium,
) -> Question:
    """The form as a validated question; a problem is a UserError naming the field."""
    data: dict[str, Any] = {
        "id": question_id,
        "prompt": form.prompt,
        "answer": form.answer,
        "key_points": parse_key_points(form.key_points),
        "tags": parse_tags(form.tags),
        "options": parse_options(form.options),
        "difficulty": difficulty,
        "why": form.why,
    }
    try:
        return Question.model_validate(data)
    except ValidationError as exc:
        raise UserError(_form_error(exc)) from None


def _as_typed(text: str) -> str:
    """A form's text as compared to what the form showed: line ends and surrounding blanks
    do not count."""
    return model_strip(text.replace("\r\n", "\n").replace("\r", "\n"))


_FORM_READERS: dict[str, Callable[[str], Any]] = {
    "prompt": str,
    "answer": str,
    "key_points": parse_key_points,
    "tags": parse_tags,
    "options": parse_options,
    "why": str,
}


def edited_question(
    current: Question,
    shown: QuestionForm,
    sent: QuestionForm,
    *,
    shown_difficulty: Difficulty | str,
    difficulty: Difficulty | str,
) -> Question:
    """``current``, the question as saved now, with what a moderator changed in the edit
    form: each text of ``sent`` that differs from the one the form ``shown`` held when it
    opened, and ``difficulty`` when it differs from ``shown_difficulty``. What was left as
    it was keeps ``current``'s value, so a change someone else saved while the form was open
    is not undone. A problem is a UserError naming the field."""
    before, after = shown.as_dict(), sent.as_dict()
    data = current.model_dump()
    for name, read in _FORM_READERS.items():
        if _as_typed(after[name]) != _as_typed(before[name]):
            data[name] = read(after[name])
    if Difficulty(difficulty) != Difficulty(shown_difficulty):
        data["difficulty"] = difficulty
    try:
        return Question.model_validate(data)
    except ValidationError as exc:
        raise UserError(_form_error(exc)) from None


def _form_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = err.get("loc") or ()
    name = _FIELD_NAMES.get(str(loc[0]), str(loc[0])) if loc else "Question"
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "string_too_short":
        return f"{name}: must not be empty."
    if kind == "string_too_long":
        value = err.get("input")
        size = grouped(len(value)) if isinstance(value, str) else "too many"
        limit = ctx.get("max_length")
        limit = grouped(limit) if isinstance(limit, int) else limit
        return f"{name}: {size} characters; the limit is {limit}. Shorten it."
    if kind == "too_long":
        return f"{name}: at most {ctx.get('max_length')} are allowed."
    message = str(err["msg"]).removeprefix("Value error, ")
    if not loc:
        return f"Options: {message}."
    return f"{name}: {message}."


def form_from_question(question: Question) -> QuestionForm:
    """The form filled in with a question, so that reading it back gives the same question
    (an option written over several lines comes back on one). Key points with hundreds of
    line breaks may not fit the form's box: refused, clearly."""
    key_points = format_key_points(question.key_points)
    if len(key_points) > FORM_MAX["key_points"]:
        raise UserError(
            f"This question's key points take {grouped(len(key_points))} characters in the form, with "
            f"their line breaks; the form holds {grouped(FORM_MAX['key_points'])}. Remove the question "
            "and add it again with fewer line breaks in its key points."
        )
    return QuestionForm(
        prompt=question.prompt,
        answer=question.answer,
        key_points=key_points,
        tags=", ".join(question.tags),
        # One option a line: a line break inside an option (imports allow one) would read
        # back as another option, so the form shows it as a space.
        options="\n".join(
            format_option_item(re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", o.text), o.correct)
            for o in question.options
        ),
        why=question.why,
    )


#: what the reply to a form not saved says of the texts attached, when no command opens the
#: form as it was
TYPED_NOTE = " What you typed is attached: open the form again and paste it in."


def typed_note(again: str, *, with_why: bool) -> str:
    """What the reply to a form not saved (refused, or sent after a restart) says of the
    texts attached (see :func:`typed_text`): ``again`` is the command that opens the form as
    it was (its options, such as the difficulty, are not in the form); ``with_why``, whether
    the *why it is asked* given with that command is attached too."""
    if not again:
        return TYPED_NOTE
    if with_why:
        return (
            " What you typed is attached, with the `why` you gave the command (why it is "
            f"asked): run {again} again with the `why` attached and paste the rest into the "
            "form."
        )
    return f" What you typed is attached: run {again} again and paste it into the form."


#: what the text of a form field, or of an option given with the command that opened the
#: form, is headed by in the file given back (the form's own labels, not the field's key)
TYPED_HEADINGS = {
    **FORM_LABELS,
    "why": "Why it is asked (the command's why option)",
    "reason": "Reason (sent to the member)",
}


def typed_text(fields: Iterable[tuple[str, str]]) -> str:
    """The texts of a form not saved, as attached to paste in again: each under its field's
    label, those left empty left out."""
    return "\n\n".join(
        f"## {TYPED_HEADINGS.get(name, name)}\n{value}" for name, value in fields if value
    )


# -- decks -------------------------------------------------------------------------------


def deck_slug_for(name: str) -> str:
    """A deck slug from its name: ASCII lower case, digits and dashes, at most 40.

    Never digits alone: a deck is also named by its number, so a deck called "12" would
    share its slug with the deck numbered 12; it is ``deck-12``."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:40].strip("-")
    if slug.isdigit():
        slug = f"deck-{slug}"[:40]
    return slug or "deck"


def check_deck_name(name: str, description: str) -> tuple[str, str]:
    """A deck's name and description as given to ``/deck create``, as the deck keeps them
    (spacing of the name collapsed, the description stripped); a UserError says what to
    fix."""
    return _deck_name(name), _deck_description(description)


def _deck_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError("Give the deck a name.")
    # Letters, digits, symbols and punctuation show; spaces, marks alone and format
    # characters (zero-width spaces, direction marks) do not.
    if all(unicodedata.category(ch)[0] in "CMZ" for ch in name):
        raise UserError(
            "That deck name shows nothing (it is made of invisible characters): give it a "
            "name with a letter, a digit or a symbol."
        )
    if len(name) > DECK_NAME_MAX:
        raise UserError(f"A deck name may have at most {DECK_NAME_MAX} characters.")
    refuse_nul("The deck name", name)
    return name


def _deck_description(description: str) -> str:
    description = description.strip()
    if len(description) > DECK_DESCRIPTION_MAX:
        raise UserError(f"A deck description may have at most {DECK_DESCRIPTION_MAX} characters.")
    refuse_nul("The deck description", description)
    return description


def check_deck_edit(
    name: str | None, description: str | None, *, clear_description: bool = False
) -> tuple[str | None, str | None]:
    """What ``/deck edit`` changes, checked as ``/deck create`` checks a new deck: the new
    name and description (None: kept; "" for the description: removed). Nothing to change,
    or a description both given and cleared, is a UserError saying what to give."""
    if description is not None and clear_description:
        raise UserError(
            "Give `description` or `clear_description`, not both. Nothing was changed."
        )
    if name is None and description is None and not clear_description:
        raise UserError(
            "Give a new `name` or `description` (or `clear_description`) to change; nothing "
            "was changed."
        )
    if description is not None:
        description = _deck_description(description)
        if not description:
            raise UserError(
                "`description` is blank: write the deck's new description, or use "
                "`clear_description` to remove it."
            )
    return (
        _deck_name(name) if name is not None else None,
        "" if clear_description else description,
    )


def deck_key(deck: DeckRow, decks: Sequence[DeckRow]) -> str:
    """What names ``deck`` among a server's ``decks`` for ``find_deck``: its slug, or its row
    id for a built-in deck whose slug one of the server's own decks also has (the slug names
    the server's deck)."""
    if deck.builtin and any(d.slug == deck.slug and not d.builtin for d in decks):
        return str(deck.id)
    return deck.slug


def deck_matches(deck: DeckRow, typed: str) -> bool:
    """Whether a deck is a choice for what was typed so far in a deck option: text in its
    name (case, accents and spacing do not count, as for :func:`find_deck`) or its slug."""
    needle = _search_form(typed)
    return not needle or needle in _search_form(deck.name) or needle in deck.slug


#: how many choices Discord shows for an option
CHOICES_MAX = 25


def decks_offered(
    decks: Sequence[DeckRow],
    typed: str,
    *,
    custom_only: bool = False,
    enabled: bool | None = None,
) -> list[DeckRow]:
    """The decks a deck option offers for what was typed so far (see :func:`deck_matches`),
    in order, at most :data:`CHOICES_MAX`: with ``custom_only`` only the server's own, with
    ``enabled`` only those switched on (True) or off (False). A deck's number typed whole
    offers that deck first (a built-in deck whose slug the server's own deck has is named by
    its number)."""
    number = typed.strip()
    offered = [
        d
        for d in decks
        if not (custom_only and d.builtin)
        and (enabled is None or d.enabled == enabled)
        and (deck_matches(d, typed) or number == str(d.id))
    ]
    offered.sort(key=lambda d: number != str(d.id))  # stable: the rest keep their order
    return offered[:CHOICES_MAX]


async def tags_offered(
    store: Store,
    guild_id: int,
    deck_text: str | None,
    typed: str,
    *,
    include_disabled: bool = False,
    difficulty: str | None = None,
) -> list[tuple[str, int]]:
    """The tags a tag option offers for what was typed so far, with their number of
    questions, at most :data:`CHOICES_MAX`: those of the deck named in ``deck_text`` (when it
    names one the option's command takes), else of every deck; of the decks switched on,
    or of all with ``include_disabled``; of the questions of ``difficulty`` if it is one."""
    deck_id = None
    if deck_text:
        deck = find_deck(await store.decks_for_guild(guild_id, include_disabled=True), deck_text)
        if deck is not None and (deck.enabled or include_disabled):
            deck_id = deck.id
    tags = await store.tags_for_guild(
        guild_id,
        deck_id,
        include_disabled=include_disabled,
        difficulty=difficulty if difficulty in Difficulty.__members__ else None,
    )
    needle = typed_tag(typed)  # as tags are stored: "Background Jobs" finds background-jobs
    return [(tag, n) for tag, n in tags if needle in tag][:CHOICES_MAX]


@functools.lru_cache(maxsize=1024)
def _search_form(text: str) -> str:
    """``text`` as deck autocomplete compares it: folded, spacing collapsed. Kept for the
    deck names and the text typed, which every keystroke compares again."""
    return folded(" ".join(text.split()))


def find_deck(decks: Sequence[DeckRow], text: str) -> DeckRow | None:
    """A deck named by slug, row id or name (compared loosely). An exact slug or id wins over
    a name (the value autocomplete offers is a slug). The server's own decks come first: a
    built-in deck shipped later with the same slug or name does not hide one."""
    wanted = text.strip()
    key = loose_key(wanted)
    ordered = sorted(decks, key=lambda d: d.builtin)
    # A slug before a number: a deck made before slugs could not be digits alone ("12") is
    # offered by that slug, which another deck's number must not take over.
    for deck in ordered:
        if wanted == deck.slug:
            return deck
    for deck in ordered:
        if wanted == str(deck.id):
            return deck
    for deck in ordered:
        if key and key == loose_key(deck.name):
            return deck
    return None


# -- placing questions in a deck ---------------------------------------------------------


def new_question_id(prompt: str, taken: set[str]) -> str:
    """A stable id for a new question: a slug of its prompt, unique in the deck."""
    return unique_question_id(slug_for_prompt(prompt), taken)


@dataclass
class Placement:
    """Questions ready to insert into a deck, and what was skipped or renamed on the way."""

    questions: list[Question] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)

    def notes(self) -> list[str]:
        out = [f"already in the deck, skipped: {one_line(p)}" for p in self.duplicates]
        out += [
            f"id {old!r} is taken in the deck; imported as {new!r}" for old, new in self.renamed
        ]
        return out


def place_questions(
    questions: Iterable[Question], active_prompts: Iterable[str], taken_ids: Iterable[str]
) -> Placement:
    """Skip questions whose prompt (compared loosely) is already in the deck, and give a fresh
    id to a question whose id another question of the deck (even a removed one) holds."""
    seen = {loose_key(p) for p in active_prompts}
    taken = set(taken_ids)
    out = Placement()
    for question in questions:
        key = loose_key(question.prompt)
        if key in seen:
            out.duplicates.append(question.prompt)
            continue
        seen.add(key)
        if question.id in taken:
            new_id = unique_question_id(question.id, taken)
            out.renamed.append((question.id, new_id))
            question = question.model_copy(update={"id": new_id})
        taken.add(question.id)
        out.questions.append(question)
    return out


def questions_to_json(questions: Sequence[Question]) -> str:
    return json.dumps([q.model_dump(mode="json") for q in questions], ensure_ascii=False)


def questions_from_json(text: str) -> list[Question]:
    return [Question.model_validate(item) for item in json.loads(text)]


# -- imports -----------------------------------------------------------------------------

IMPORT_SESSION_TTL = timedelta(hours=24)
#: what Import says on a preview past its time
IMPORT_EXPIRED = "This preview has expired; nothing was imported. Upload the file again."


def import_finished(state: str) -> str:
    """Why Import or Cancel does nothing on an import session no longer pending: it was
    imported or cancelled, or it expired (marked so when a later preview was made)."""
    if state == "expired":
        return IMPORT_EXPIRED
    return f"This import was already {state}."


PREVIEW_QUESTIONS = 3


@dataclass(frozen=True)
class ImportPreview:
    """What an upload will add to a deck, waiting for Import or Cancel."""

    session_id: int
    deck_id: int
    deck_name: str
    filename: str
    format: str
    questions: list[Question]
    warnings: list[str]

    @property
    def multiple_choice(self) -> int:
        return sum(1 for q in self.questions if q.options)


class ImportRefused(UserError):
    """An upload that cannot be imported; the message lists where and why."""

    def __init__(self, message: str, errors: Sequence[str] = ()):
        super().__init__(message)
        self.errors = list(errors)


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.0f} KiB"
    return f"{n} bytes"


#: Turns a name a member chose (a deck's, a file's) into text that shows as typed in the
#: caller's Markdown; the cogs pass Discord's escape, the command line none.
Escape = Callable[[str], str]


def export_summary(
    deck_name: str, questions: int, fmt: str, files: int, *, escape: Escape = str
) -> str:
    """What a moderator reads above an export of ``questions`` questions in ``files`` files."""
    label = "Markdown" if fmt == "markdown" else fmt.upper()
    text = f"**{escape(deck_name)}**: {count(questions, 'question')} as {label}"
    if files > 1:
        text += (
            f", in {files} files: one import takes at most {IMPORT_MAX_QUESTIONS} questions "
            f"and {size_text(IMPORT_MAX_BYTES)}, so import the files one after the other."
        )
    else:
        text += "."
    if fmt == "csv":
        text += " Spreadsheet formulas are neutralised."
    return text


def check_upload_size(
    size: int, max_bytes: int = IMPORT_MAX_BYTES, *, filename: str, escape: Escape = str
) -> None:
    """Refuse an attachment that is too big before downloading it, naming the file."""
    if size > max_bytes:
        have, limit = size_text(size), size_text(max_bytes)
        if have == limit:  # "1.0 MiB, at most 1.0 MiB" would not say what is wrong
            have, limit = f"{grouped(size)} bytes", f"{grouped(max_bytes)} bytes ({limit})"
        raise ImportRefused(
            f"Nothing was imported: **{escape(filename)}** is {have}, and an import may be at most "
            f"{limit}. Split the file into smaller ones."
        )


def refusal_text(
    filename: str, errors: Sequence[str], limit: int = 1500, *, escape: Escape = str
) -> str:
    head = (
        f"Nothing was imported: **{escape(filename)}** has {count(len(errors), 'problem')}. Fix "
    )
    head += "it" if len(errors) == 1 else "them"
    head += " and upload the file again.\n"
    body = ""
    shown = 0
    for error in errors:
        line = f"• {error}\n"
        if len(body) + len(line) > limit:
            break
        body += line
        shown += 1
    if shown < len(errors):
        body += (
            f"… and {grouped(len(errors) - shown)} more "
            "(`python -m bot deck validate FILE` lists all)."
        )
    return head + body.rstrip()


@dataclass(frozen=True)
class Parsed:
    """An upload read and placed against a deck, before anything is written."""

    questions: list[Question]
    warnings: list[str]
    format: str
    deck_name: str | None
    #: the deck's description a YAML or JSON deck file carries (an export does)
    deck_description: str | None = None


async def read_upload(
    data: bytes,
    filename: str,
    *,
    active_prompts: Iterable[str],
    taken_ids: Iterable[str],
    max_bytes: int = IMPORT_MAX_BYTES,
    max_questions: int = IMPORT_MAX_QUESTIONS,
    escape: Escape = str,
) -> Parsed:
    """Parse an upload and place it against a deck; ImportRefused when nothing can be added."""
    result = await asyncio.to_thread(
        parse_import, data, filename, max_bytes=max_bytes, max_questions=max_questions
    )
    if result.errors:
        raise ImportRefused(
            refusal_text(
                result.source or filename,
                [_issue_text(e) for e in result.errors],
                escape=escape,
            ),
            [str(e) for e in result.errors],
        )
    placement = place_questions(result.questions, active_prompts, taken_ids)
    warnings = [_issue_text(w) for w in result.warnings] + placement.notes()
    if not placement.questions:
        n = len(result.questions)
        which = {1: "the question", 2: "both questions"}.get(n, f"all {count(n, 'question')}")
        raise ImportRefused(
            f"Nothing to import: {which} in **{escape(filename)}** "
            f"{'is' if n == 1 else 'are'} already in the deck."
        )
    return Parsed(
        placement.questions, warnings, result.format, result.deck_name, result.deck_description
    )


def _issue_text(issue: ImportIssue) -> str:
    """An issue for a member: "line 3, column 5: prompt: message" (no file name)."""
    where = ""
    if issue.line is not None:
        where = f"line {issue.line}"
        if issue.column is not None:
            where += f", column {issue.column}"
    parts = [p for p in (where, issue.field) if p]
    return ": ".join([*parts, issue.message])


#: what a command changing a question says when its deck was removed
_DECK_REMOVED = (
    "Question #{id} is in **{name}**, a deck that has been removed, so it can no longer be "
    "changed; `/question show` still shows it."
)

#: how many decks a refusal naming no deck lists
DECKS_LISTED = 25


class BankService:
    """The import flow over the store: preview into a session, then import or cancel."""

    def __init__(self, store: Store, *, escape: Escape = str):
        self.store = store
        #: names members chose (files, what they typed for a deck) as messages show them
        self.escape = escape

    async def preview_import(
        self,
        *,
        guild_id: int,
        deck: DeckRow,
        user_id: int,
        data: bytes,
        filename: str,
        max_bytes: int = IMPORT_MAX_BYTES,
    ) -> ImportPreview:
        """Read an upload and keep it as a pending import session. A refused upload writes
        nothing at all."""
        check_upload_size(len(data), max_bytes, filename=filename, escape=self.escape)
        prompts, ids = await self.store.deck_keys(deck.id)
        parsed = await read_upload(
            data,
            filename,
            active_prompts=prompts,
            taken_ids=ids,
            max_bytes=max_bytes,
            escape=self.escape,
        )
        now = self.store.clock.now()
        session_id = await self.store.create_import_session(
            guild_id=guild_id,
            deck_id=deck.id,
            user_id=user_id,
            filename=filename,
            fmt=parsed.format,
            questions=parsed.questions,
            warnings=parsed.warnings,
            expires_at=now + IMPORT_SESSION_TTL,
        )
        return ImportPreview(
            session_id,
            deck.id,
            deck.name,
            filename,
            parsed.format,
            parsed.questions,
            parsed.warnings,
        )

    async def deck(self, guild_id: int, text: str, *, custom: bool = False) -> DeckRow:
        """The deck a member named (slug, id or name), switched off or not; with ``custom``,
        refuse built-in decks (they are read-only)."""
        decks = await self.store.decks_for_guild(guild_id, include_disabled=True)
        deck = find_deck(decks, text)
        if deck is None:
            # As each can be named: a built-in deck whose slug the server's own deck has, by
            # its number (the slug picks the server's deck). The server's own first: a
            # mistyped name is most likely one of them.
            listed = sorted(decks, key=lambda d: d.builtin)
            names = ", ".join(f"`{deck_key(d, decks)}`" for d in listed[:DECKS_LISTED])
            if len(listed) > DECKS_LISTED:
                names += f", … and {grouped(len(listed) - DECKS_LISTED)} more"
            names = names or "none yet"
            raise UserError(
                f"There is no deck called “{self.escape(one_line(text, 80))}” here. Decks: {names}. "
                "A moderator can create one with `/deck create`."
            )
        if custom and deck.builtin:
            raise UserError(BUILTIN_READ_ONLY.format(name=deck.name))
        return deck

    async def question(
        self, guild_id: int, question_id: int, *, editable: bool = False
    ) -> StoredQuestion:
        """A question this server can see; with ``editable``, a live one in a custom deck."""
        found = await self.store.question(question_id)
        where = await self.store.deck_of_question(question_id)
        if found is None or where is None or where.guild_id not in (0, guild_id):
            raise UserError(
                f"There is no question #{question_id} here. Find ids with `/question list`."
            )
        if editable:
            if where.builtin:
                raise UserError(BUILTIN_READ_ONLY.format(name=found.deck_name))
            if found.removed:
                raise UserError(f"Question #{question_id} has been removed.")
            if where.removed:
                raise UserError(
                    _DECK_REMOVED.format(id=question_id, name=self.escape(found.deck_name))
                )
        if where.removed and not found.removed:
            return replace(found, deck_removed=True)
        return found

    async def restorable(self, guild_id: int, question_id: int) -> StoredQuestion:
        """A removed question ``/question restore`` may bring back: of a deck of this
        server's own that is not removed. Anything else is a UserError saying why."""
        found = await self.store.question(question_id)
        where = await self.store.deck_of_question(question_id)
        if found is None or where is None or where.guild_id not in (0, guild_id):
            raise UserError(
                f"There is no question #{question_id} here. Find ids with `/question list`."
            )
        if where.builtin:
            raise UserError(BUILTIN_READ_ONLY.format(name=found.deck_name))
        if where.removed:
            raise UserError(_DECK_REMOVED.format(id=question_id, name=self.escape(found.deck_name)))
        if not found.removed:
            raise UserError(
                f"Question #{question_id} is not removed, so there is nothing to restore."
            )
        return found


BUILTIN_DECK_FIXED = (
    "**{name}** is a built-in deck: its name and description come with Recall's deck file, "
    "which a new version of Recall replaces, so they can't be changed here. For a deck of "
    "your own under another name, `/deck create` one, `/question export` this deck and "
    "`/question import` the file into yours, then `/deck disable` this one."
)

BUILTIN_READ_ONLY = (
    "**{name}** is a built-in deck, and built-in decks are read-only (updates to Recall "
    "would overwrite changes). To change its questions, copy it into a deck of your own: "
    "`/deck create`, then `/question export` this deck and `/question import` the file "
    "into yours, then `/deck disable` this one, or its questions are asked twice."
)
