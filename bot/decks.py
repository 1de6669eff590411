"""Loading deck files (YAML or JSON) with errors that name the file, the line and the field."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.paths import DATA_DIR
from bot.questions import Deck

BUILTIN_DECKS_DIR = DATA_DIR / "decks"

# A deck file larger than this is refused before parsing.
DECK_FILE_MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class DeckProblem:
    """One thing wrong with a deck file."""

    source: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class DeckError(Exception):
    """A deck that cannot be loaded; ``problems`` says every place at fault."""

    def __init__(self, problems: Sequence[DeckProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class _SafeLineLoader(yaml.SafeLoader):
    """Safe loader that refuses alias bombs: anchors and aliases are not part of the format."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "aliases (*name) are not allowed in deck files", event.start_mark
            )
        return super().compose_node(parent, index)


def field_path(loc: Iterable[int | str]) -> str:
    """('questions', 3, 'options', 0, 'text') -> 'questions[3].options[0].text'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


#: each mapping's value nodes by key, worked out once a mapping (see _value_nodes)
_VALUE_NODES: weakref.WeakKeyDictionary[yaml.MappingNode, dict[str, yaml.Node]] = (
    weakref.WeakKeyDictionary()
)


def _value_nodes(node: yaml.MappingNode) -> dict[str, yaml.Node]:
    """A mapping's value nodes by key (the first, for a key given twice): going through
    its keys for each error's location made thousands of unknown keys quadratic."""
    index = _VALUE_NODES.get(node)
    if index is None:
        index = {}
        for key, value in node.value:
            name = getattr(key, "value", None)
            if isinstance(name, str):
                index.setdefault(name, value)
        _VALUE_NODES[node] = index
    return index


def _node_at(root: yaml.Node, loc: Sequence[int | str]) -> yaml.Node:
    """The deepest YAML node along a pydantic error location."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            found = _value_nodes(node).get(part)
            if found is None:
                return node
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                node = node.value[part]
            else:
                return node
        else:
            return node
    return node


def _mark_problem(source: str, mark: Any, message: str, field: str = "") -> DeckProblem:
    if mark is None:
        return DeckProblem(source, None, None, field, message)
    return DeckProblem(source, mark.line + 1, mark.column + 1, field, message)


def _syntax_error(exc: yaml.MarkedYAMLError) -> tuple[Any, str]:
    """Where a YAML syntax error is to be fixed, and what to do. YAML notices an unclosed
    quote at the end of the file, a key without its colon on the line below, an unclosed
    ``[`` or ``{`` where the next item starts: those point back at where the text began."""
    context = exc.context or ""
    start, found = exc.context_mark, exc.problem_mark
    if start is not None and found is not None and start.line < found.line:
        opener = start.buffer[start.pointer] if isinstance(start.buffer, str) else ""
        if context.startswith("while scanning a quoted scalar") and opener in "\"'":
            return start, (
                f"the quoted text that starts here is never closed: add the closing "
                f"'{opener}' (the rest of the file was read as part of it)"
            )
        if context.startswith("while scanning a simple key"):
            return start, "no ':' after the key on this line: write `key: value`"
        if context.startswith("while parsing a flow") and opener in "[{":
            closer = "]" if opener == "[" else "}"
            return start, (
                f"the '{opener}' here is never closed: add the '{closer}' (or quote the "
                f"text if the '{opener}' belongs to it)"
            )
    if (exc.problem or "").startswith("mapping values are not allowed"):
        return found or start, (
            "': ' here starts a key: put the whole text in quotes if it belongs to the text, "
            "or indent the key as the others are"
        )
    if "character '\\t'" in (exc.problem or ""):
        return found or start, (
            "a tab: YAML takes spaces only, to indent and after ':'; replace the tab with spaces"
        )
    message = " ".join(filter(None, [context, exc.problem])) or "not valid YAML"
    return found or start, message


def parse_yaml_document(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    """Parse one YAML (or JSON, a subset) document safely, keeping its node tree for lines."""
    try:
        loader = _SafeLineLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark, message = _syntax_error(exc)
        raise DeckError([_mark_problem(source, mark, message)]) from None
    except yaml.YAMLError as exc:
        raise DeckError([DeckProblem(source, None, None, "", f"not valid YAML: {exc}")]) from None
    except RecursionError:
        raise DeckError([DeckProblem(source, None, None, "", "nested too deeply")]) from None
    return data, node


def validate_deck_data(data: Any, root: yaml.Node | None, source: str) -> Deck:
    """Validate parsed data as a deck; every error names its line (when known) and field."""
    if not isinstance(data, dict):
        raise DeckError(
            [DeckProblem(source, 1, 1, "", "a deck is a mapping with slug, name and questions")]
        )
    try:
        return Deck.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            if len(loc) == 2 and loc[0] == "questions" and "option" in msg:
                # A question's options at fault as a whole (none or two marked correct, too
                # few, the same twice): named at its options, as an import names them.
                loc = (*loc, "options")
            node = _node_at(root, loc) if root is not None else None
            mark = node.start_mark if node is not None else None
            problems.append(_mark_problem(source, mark, msg, field_path(loc)))
        raise DeckError(problems) from None


def load_deck_text(text: str, source: str) -> Deck:
    data, root = parse_yaml_document(text, source)
    return validate_deck_data(data, root, source)


def _fast_yaml_document(text: str) -> tuple[Any, yaml.Node | None] | None:
    """The document parsed by libyaml (many times quicker than PyYAML's own parser), or None
    when libyaml is missing, the text is not valid YAML or it holds an alias: then the strict
    parser above is the one to read it and to say what is wrong."""
    c_loader = getattr(yaml, "CSafeLoader", None)
    if c_loader is None:
        return None
    try:
        loader = c_loader(text)
        try:
            node = loader.get_single_node()
            if node is not None and _has_alias(node):
                return None
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError):
        return None
    return data, node


def _has_alias(root: yaml.Node) -> bool:
    """Whether a composed tree reaches one node twice, as an alias (*name) makes it do."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return False


def load_deck_file(path: Path, *, fast: bool = False) -> Deck:
    """The deck in ``path``. ``fast`` (for the built-in decks, read at every start) parses
    with libyaml when it can; any problem is found and reported by the strict parser."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DeckError(
            [DeckProblem(source, None, None, "", f"cannot read: {exc.strerror}")]
        ) from None
    if len(raw) > DECK_FILE_MAX_BYTES:
        raise DeckError(
            [DeckProblem(source, None, None, "", f"larger than {DECK_FILE_MAX_BYTES // 1024} KiB")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DeckError([DeckProblem(source, line, None, "", "not valid UTF-8")]) from None
    parsed = _fast_yaml_document(text) if fast else None
    if parsed is not None:
        with contextlib.suppress(DeckError):
            return validate_deck_data(*parsed, source)
    return load_deck_text(text, source)


def builtin_deck_paths(directory: Path = BUILTIN_DECKS_DIR) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in {".yaml", ".yml", ".json"})


def load_builtin_decks(directory: Path = BUILTIN_DECKS_DIR) -> list[Deck]:
    """Every built-in deck; a problem in any of them raises DeckError listing all of them."""
    decks: list[Deck] = []
    problems: list[DeckProblem] = []
    slugs: dict[str, str] = {}
    for path in builtin_deck_paths(directory):
        try:
            deck = load_deck_file(path, fast=True)
        except DeckError as exc:
            problems.extend(exc.problems)
            continue
        if deck.slug in slugs:
            problems.append(
                DeckProblem(
                    str(path),
                    None,
                    None,
                    "slug",
                    f"{deck.slug!r} is also used by {slugs[deck.slug]}",
                )
            )
            continue
        slugs[deck.slug] = str(path)
        decks.append(deck)
    if problems:
        raise DeckError(problems)
    return decks
