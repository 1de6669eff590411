"""Questions and decks: the validated model shared by built-in decks, imports and storage.

Field limits are chosen so that every field can be rendered inside Discord's limits
(embed description 4096, field value 1024, button label 80). Rendering may still trim
long answers with a pointer to ``/question show``; the model caps are the hard stop.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from bot.errors import UserError

# Hard limits for one question. They are what a deck file, an import or a modal may hold.
PROMPT_MAX = 1000
WHY_MAX = 1000
KEY_POINT_MAX = 300
KEY_POINTS_MAX = 8
ANSWER_MAX = 4000
OPTION_MAX = 80  # a button label
OPTIONS_MIN = 2
OPTIONS_MAX = 5  # one row of buttons
TAG_MAX = 32
TAGS_MAX = 10
QUESTION_ID_MAX = 64
DECK_NAME_MAX = 80
DECK_DESCRIPTION_MAX = 500

QUESTION_ID_RE = r"^[a-z0-9][a-z0-9._-]*$"
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9+#._-]*$")

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Difficulty(StrEnum):
    easy = "easy"
    medium = "medium"
    hard = "hard"


#: why a text with a NUL character is refused, after what holds it
NUL_REFUSED = "contains a NUL character (\\0), which no text may hold: remove it"


def no_nul(text: str) -> str:
    """``text``, refused if it holds a NUL character: PostgreSQL's text cannot store one, and
    CSV and Markdown exports could not carry it back (a file with one is binary)."""
    if "\x00" in text:
        raise ValueError(NUL_REFUSED)
    return text


def refuse_nul(what: str, text: str) -> None:
    """A UserError naming ``what`` (a text typed with a command) when ``text`` holds a NUL
    character, as :func:`no_nul` refuses one in a question."""
    if "\x00" in text:
        raise UserError(f"{what} {NUL_REFUSED}.")


NoNul = AfterValidator(no_nul)


class Option(BaseModel):
    """One multiple-choice option."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=OPTION_MAX), NoNul
    ]
    correct: bool = False


def normalize_tag(tag: str) -> str:
    """Tags are lower case, with spaces turned into dashes."""
    return re.sub(r"\s+", "-", tag.strip().lower())


def typed_tag(text: str) -> str:
    """A tag as a member typed it to find one: as tags are stored (:func:`normalize_tag`),
    without a leading "#" ("#Python" is python), which no tag starts with."""
    return normalize_tag(text).lstrip("#")


def folded(text: str) -> str:
    """Text for searching: case and accents do not count ("élan" finds "Élan", "Elan")."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def option_key(text: str) -> str:
    """The loose form of a multiple-choice option: case, accents, every punctuation mark and
    symbol, and spacing do not count. Option buttons carry a hash of it (see
    :func:`bot.quiz.option_fingerprint`), so it must never change, and the options of a
    question must differ in it."""
    text = re.sub(r"[^\w]+", " ", folded(text))
    return " ".join(text.split())


# Characters that carry meaning in code: ``i++`` is not ``i--``, ``==`` is not ``===``, C++ is
# not C#. Every other mark (. , ; : ? ' " ( ) [ ] { } backticks, dashes, ...) is sentence
# punctuation for :func:`loose_key`.
CODE_SYMBOLS = frozenset("+-*/%=<>!&|^~#@$\\")
_TOKEN_RE = re.compile(r"\w+|[^\w\s]+")
_WORD_RE = re.compile(r"\w")
# "!" closing a run of marks, before any sentence marks ("!", "?!", "===!)") but not inside
# a code span ("`a!`").
_EXCLAIMED_RE = re.compile(r"!+[^\w\s`+\-*/%=<>!&|^~#@$\\]*$")
# Markdown emphasis around text ("**Flask**", "*Flask*", "~~Flask~~"): Discord shows the
# text, so the marks are punctuation. A mark opens after a space or sentence mark (not a word,
# code symbol or backtick) before a non-space, and closes the same mark after a non-space
# before none of those, so "*args and **kwargs", "a*b*c" and "`*` or `*`" keep their symbols.
_EMPHASIS_MARK_RE = re.compile(r"\*+|~+")
_NOT_BEFORE_OPENING = frozenset("`") | CODE_SYMBOLS


def _without_emphasis(text: str) -> str:
    openers: list[tuple[str, int]] = []  # (mark, start) of marks that may open
    dropped: list[tuple[int, int]] = []
    for match in _EMPHASIS_MARK_RE.finditer(text):
        mark, start, end = match.group(), match.start(), match.end()
        if mark not in ("*", "**", "***", "~~"):
            continue
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isspace() or before in "*~" or _WORD_RE.match(after) or after in "`*~"):
            at = next((i for i in range(len(openers) - 1, -1, -1) if openers[i][0] == mark), -1)
            if at >= 0:
                dropped += [(openers[at][1], openers[at][1] + len(mark)), (start, end)]
                del openers[at:]
                continue
        if (
            not _WORD_RE.match(before)
            and before not in _NOT_BEFORE_OPENING
            and not (after.isspace() or after in "*~")
        ):
            openers.append((mark, start))
    if not dropped:
        return text
    out, at = [], 0
    for start, end in sorted(dropped):
        out.append(text[at:start])
        at = end
    out.append(text[at:])
    return "".join(out)


def _code_symbols(token: str) -> str:
    return "".join(ch for ch in token if ch in CODE_SYMBOLS)


def loose_key(text: str) -> str:
    """A loose form of a prompt or deck name for duplicate detection: case, accents, spacing
    and sentence punctuation do not count, symbols that carry meaning in code do
    ("What is Flask?" is "what is flask", "What does i++ do?" is not "What does i-- do?").

    The key is the words, with each run of code symbols between them as a word of its own
    (so ``a+b`` is ``a + b`` and `` `i++` `` is ``i++``). Three marks made of code symbols
    count as sentence punctuation: ``!`` (or ``!?`` ...) ending a word or a run of code
    symbols before a space or the end ("Flask!", "``===``!"), a lone hyphen joining two
    words (``built-in``) and a lone hyphen between spaces used as a dash.
    Markdown emphasis around text (``**Flask**``, ``*Flask*``, ``~~Flask~~``) does not count
    either. Dropping the symbol runs gives :func:`option_key`, so texts with no code symbols
    keep their key, and two texts with the same key had the same key before symbols counted."""
    text = _without_emphasis(folded(text))
    out: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        token = match.group()
        if _WORD_RE.match(token):
            out.append(token)
            continue
        start, end = match.span()
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        word_before = bool(_WORD_RE.match(before))
        if token == "-" and (
            (word_before and _WORD_RE.match(after)) or (before.isspace() and after.isspace())
        ):
            continue  # a hyphen joining two words, or a dash
        exclaimed = _EXCLAIMED_RE.search(token)
        if exclaimed and after.isspace():  # "Flask!", "== and ===!": the sentence's "!"
            head = _code_symbols(token[: exclaimed.start()])
            if head or word_before:
                token = head
        symbols = _code_symbols(token)
        if symbols:
            out.append(symbols)
    return " ".join(out)


def _tag_refusal(raw: str, tag: str) -> str:
    """Why ``raw`` is no tag, with the tag it could be when only accents (or letters
    written as others, such as "ß") keep it from being one."""
    text = (
        f"tag {raw!r} must be 1-{TAG_MAX} characters of a-z (no accents), 0-9 and - . _ + #, "
        "starting with a letter or a digit"
    )
    plain = normalize_tag(folded(raw))
    if plain != tag and len(plain) <= TAG_MAX and TAG_RE.match(plain):
        text += f": {plain!r} would do"
    return text


class Question(BaseModel):
    """A question with what a good answer needs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=QUESTION_ID_MAX, pattern=QUESTION_ID_RE
        ),
    ]
    prompt: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=PROMPT_MAX), NoNul
    ]
    why: Annotated[str, StringConstraints(strip_whitespace=True, max_length=WHY_MAX), NoNul] = ""
    key_points: list[
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=KEY_POINT_MAX),
            NoNul,
        ]
    ] = Field(default_factory=list, max_length=KEY_POINTS_MAX)
    answer: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ANSWER_MAX), NoNul
    ]
    options: list[Option] = Field(default_factory=list, max_length=OPTIONS_MAX)
    tags: list[str] = Field(default_factory=list, max_length=TAGS_MAX)
    difficulty: Difficulty = Difficulty.medium

    @field_validator("tags", mode="before")
    @classmethod
    def _split_tags(cls, value: object) -> object:
        if isinstance(value, str):
            return [t for t in value.split(",") if t.strip()]
        return value

    @field_validator("tags")
    @classmethod
    def _check_tags(cls, tags: list[str]) -> list[str]:
        out: list[str] = []
        for raw in tags:
            tag = normalize_tag(raw)
            if not tag or len(tag) > TAG_MAX or not TAG_RE.match(tag):
                raise ValueError(_tag_refusal(raw, tag))
            if tag not in out:
                out.append(tag)
        return out

    @model_validator(mode="after")
    def _check_options(self) -> Question:
        if self.options:
            if len(self.options) < OPTIONS_MIN:
                raise ValueError(
                    f"a multiple-choice question needs {OPTIONS_MIN} to {OPTIONS_MAX} options"
                )
            correct = sum(1 for o in self.options if o.correct)
            if correct != 1:
                raise ValueError(
                    f"a multiple-choice question needs exactly one correct option, found "
                    f"{correct}: mark only the right one, with `correct: true` (YAML, JSON) or "
                    "a leading `*` (CSV)"
                )
            texts = [option_key(o.text) for o in self.options]
            if len(set(texts)) != len(texts):
                raise ValueError("multiple-choice options must differ from each other")
        return self

    @property
    def is_multiple_choice(self) -> bool:
        return bool(self.options)

    @property
    def correct_index(self) -> int | None:
        for i, option in enumerate(self.options):
            if option.correct:
                return i
        return None


class Deck(BaseModel):
    """A deck file: a named list of questions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$"
        ),
    ]
    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=DECK_NAME_MAX),
        NoNul,
    ]
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=DECK_DESCRIPTION_MAX), NoNul
    ] = ""
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Deck:
        seen: dict[str, int] = {}
        prompts: dict[str, int] = {}
        for i, q in enumerate(self.questions):
            if q.id in seen:
                raise ValueError(
                    f"question id {q.id!r} is used twice (questions {seen[q.id]} and {i})"
                )
            seen[q.id] = i
            key = loose_key(q.prompt)
            if key in prompts:
                raise ValueError(f"questions {prompts[key]} and {i} ask the same thing")
            prompts[key] = i
        return self
