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
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

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


class Option(BaseModel):
    """One multiple-choice option."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=OPTION_MAX)
    ]
    correct: bool = False


def normalize_tag(tag: str) -> str:
    """Tags are lower case, with spaces turned into dashes."""
    return re.sub(r"\s+", "-", tag.strip().lower())


def folded(text: str) -> str:
    """Text for searching: case and accents do not count ("élan" finds "Élan", "Elan")."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def loose_key(text: str) -> str:
    """A loose form of a prompt for duplicate detection: case, accents, punctuation and
    spacing do not count."""
    text = re.sub(r"[^\w]+", " ", folded(text))
    return " ".join(text.split())


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
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=PROMPT_MAX)
    ]
    why: Annotated[str, StringConstraints(strip_whitespace=True, max_length=WHY_MAX)] = ""
    key_points: list[
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=KEY_POINT_MAX)
        ]
    ] = Field(default_factory=list, max_length=KEY_POINTS_MAX)
    answer: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ANSWER_MAX)
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
                raise ValueError(
                    f"tag {raw!r} must be 1-{TAG_MAX} characters of letters, digits, - . _ + #"
                )
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
                    f"a multiple-choice question needs exactly one correct option, found {correct}"
                )
            texts = [loose_key(o.text) for o in self.options]
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
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=DECK_NAME_MAX)
    ]
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=DECK_DESCRIPTION_MAX)
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
