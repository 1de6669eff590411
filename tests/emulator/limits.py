"""Discord's payload limits. Each check returns ``(field path, message)`` problems."""

from __future__ import annotations

import re
from typing import Any

Problem = tuple[str, str]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
ROW_BUTTONS_MAX = 5
LABEL_MAX = 80
CUSTOM_ID_MAX = 100
SELECT_OPTIONS_MAX = 25
MODAL_TITLE_MAX = 45
MODAL_INPUTS_MAX = 5
TEXT_INPUT_MAX = 4000
CHOICES_MAX = 25
ATTACHMENTS_MAX = 10  # files on one message
UPLOAD_MAX_BYTES = 10 * 1024 * 1024  # a bot's upload in a server without boosts


def _too_long(path: str, value: Any, limit: int, out: list[Problem]) -> int:
    """Record a problem when ``value`` is longer than ``limit``; returns its length."""
    if value is None:
        return 0
    length = len(str(value))
    if length > limit:
        out.append((path, f"Must be {limit} or fewer in length."))
    return length


def check_embeds(embeds: list[dict[str, Any]], out: list[Problem]) -> None:
    if len(embeds) > EMBEDS_MAX:
        out.append(("embeds", f"Must be {EMBEDS_MAX} or fewer in length."))
    total = 0
    for i, embed in enumerate(embeds):
        p = f"embeds.{i}"
        total += _too_long(f"{p}.title", embed.get("title"), 256, out)
        total += _too_long(f"{p}.description", embed.get("description"), 4096, out)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            out.append((f"{p}.fields", "Must be 25 or fewer in length."))
        for j, fld in enumerate(fields):
            if not fld.get("name") or not fld.get("value"):
                out.append((f"{p}.fields.{j}", "This field is required"))
            total += _too_long(f"{p}.fields.{j}.name", fld.get("name"), 256, out)
            total += _too_long(f"{p}.fields.{j}.value", fld.get("value"), 1024, out)
        footer = embed.get("footer") or {}
        total += _too_long(f"{p}.footer.text", footer.get("text"), 2048, out)
        author = embed.get("author") or {}
        total += _too_long(f"{p}.author.name", author.get("name"), 256, out)
    if total > EMBED_TOTAL_MAX:
        out.append(("embeds", f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}"))


def _check_component(comp: dict[str, Any], path: str, ids: set[str], out: list[Problem]) -> None:
    ctype = comp.get("type")
    custom_id = comp.get("custom_id")
    if custom_id is not None:
        _too_long(f"{path}.custom_id", custom_id, CUSTOM_ID_MAX, out)
        if custom_id in ids:
            out.append((f"{path}.custom_id", "Component custom id cannot be duplicated"))
        ids.add(custom_id)
    if ctype == 2:
        _too_long(f"{path}.label", comp.get("label"), LABEL_MAX, out)
        style = comp.get("style", 1)
        if style == 5 and not comp.get("url"):
            out.append((f"{path}.url", "This field is required"))
        if style not in (5, 6) and not custom_id:
            out.append((f"{path}.custom_id", "This field is required"))
    elif ctype == 3:
        options = comp.get("options") or []
        if not options or len(options) > SELECT_OPTIONS_MAX:
            out.append((f"{path}.options", f"Must be between 1 and {SELECT_OPTIONS_MAX}"))
        for k, opt in enumerate(options):
            _too_long(f"{path}.options.{k}.label", opt.get("label"), 100, out)
            _too_long(f"{path}.options.{k}.value", opt.get("value"), 100, out)
        if comp.get("max_values", 1) > max(len(options), 1):
            out.append((f"{path}.max_values", "Must be less than or equal to options"))
    if ctype in (3, 5, 6, 7, 8):
        _too_long(f"{path}.placeholder", comp.get("placeholder"), 150, out)
    for key in ("components",):
        for k, child in enumerate(comp.get(key) or []):
            _check_component(child, f"{path}.{key}.{k}", ids, out)
    for key in ("accessory", "component"):
        if isinstance(comp.get(key), dict):
            _check_component(comp[key], f"{path}.{key}", ids, out)


def check_components(components: list[dict[str, Any]], flags: int, out: list[Problem]) -> None:
    ids: set[str] = set()
    v2 = bool(flags & (1 << 15))
    if not v2 and len(components) > ACTION_ROWS_MAX:
        out.append(("components", f"Must be {ACTION_ROWS_MAX} or fewer in length."))
    for i, row in enumerate(components):
        path = f"components.{i}"
        if not v2:
            if row.get("type") != 1:
                out.append((f"{path}.type", "Top-level components must be action rows"))
            children = row.get("components") or []
            buttons = [c for c in children if c.get("type") == 2]
            if len(buttons) > ROW_BUTTONS_MAX or len(children) > ROW_BUTTONS_MAX:
                out.append((f"{path}.components",
                            f"Must be {ROW_BUTTONS_MAX} or fewer in length."))
            if len(children) > 1 and any(c.get("type") != 2 for c in children):
                out.append((f"{path}.components", "A select menu must be alone in its row"))
        _check_component(row, path, ids, out)


def check_message(payload: dict[str, Any], out: list[Problem]) -> None:
    """Limits of a message create/edit body (also interaction responses and followups)."""
    _too_long("content", payload.get("content"), CONTENT_MAX, out)
    if payload.get("embeds"):
        check_embeds(payload["embeds"], out)
    if payload.get("components"):
        check_components(payload["components"], payload.get("flags") or 0, out)


def check_modal(data: dict[str, Any], out: list[Problem]) -> None:
    _too_long("data.title", data.get("title"), MODAL_TITLE_MAX, out)
    if not data.get("title"):
        out.append(("data.title", "This field is required"))
    _too_long("data.custom_id", data.get("custom_id"), CUSTOM_ID_MAX, out)
    rows = data.get("components") or []
    if not rows or len(rows) > MODAL_INPUTS_MAX:
        out.append(("data.components", f"Must be between 1 and {MODAL_INPUTS_MAX} in length."))
    ids: set[str] = set()
    for i, row in enumerate(rows):
        path = f"data.components.{i}"
        if row.get("type") == 18:
            _too_long(f"{path}.label", row.get("label"), 45, out)
            children = [row.get("component") or {}]
        elif row.get("type") == 1:
            children = row.get("components") or []
            if len(children) != 1:
                out.append((f"{path}.components", "Must be 1 in length."))
        else:
            children = [row]
        for k, comp in enumerate(children):
            cpath = f"{path}.components.{k}"
            cid = comp.get("custom_id")
            if cid in ids:
                out.append((f"{cpath}.custom_id", "Component custom id cannot be duplicated"))
            if cid is not None:
                ids.add(cid)
                _too_long(f"{cpath}.custom_id", cid, CUSTOM_ID_MAX, out)
            if comp.get("type") == 4:
                _too_long(f"{cpath}.label", comp.get("label"), 45, out)
                _too_long(f"{cpath}.value", comp.get("value"), TEXT_INPUT_MAX, out)
                _too_long(f"{cpath}.placeholder", comp.get("placeholder"), 100, out)
                for key in ("min_length", "max_length"):
                    v = comp.get(key)
                    if v is not None and not 0 <= v <= TEXT_INPUT_MAX:
                        out.append((f"{cpath}.{key}",
                                    f"int value should be less than or equal to {TEXT_INPUT_MAX}."))


def check_choices(choices: list[dict[str, Any]], out: list[Problem]) -> None:
    if len(choices) > CHOICES_MAX:
        out.append(("data.choices", f"Must be {CHOICES_MAX} or fewer in length."))
    for i, choice in enumerate(choices):
        name = choice.get("name")
        if not name:
            out.append((f"data.choices.{i}.name", "This field is required"))
        _too_long(f"data.choices.{i}.name", name, 100, out)
        if isinstance(choice.get("value"), str):
            _too_long(f"data.choices.{i}.value", choice["value"], 100, out)


def form_errors(problems: list[Problem]) -> dict[str, Any]:
    """Nest ``a.0.b`` problem paths the way Discord's 50035 ``errors`` object does."""
    root: dict[str, Any] = {}
    for path, message in problems:
        node = root
        for part in path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": "BASE_TYPE_INVALID", "message": message})
    return root


# -- mentions ----------------------------------------------------------------------------------

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_EVERYONE = re.compile(r"@(everyone|here)")


def pings(payload: dict[str, Any]) -> list[str]:
    """Who a message body would notify, as Discord reads ``content`` and ``allowed_mentions``:
    ``"@everyone"``/``"@here"``, ``"user:ID"`` and ``"role:ID"``. Embeds never ping.

    Without ``allowed_mentions`` every kind of mention in the content pings (a role only when
    it is mentionable or the sender may mention everyone: counted here either way)."""
    content = payload.get("content") or ""
    if not content:
        return []
    allowed = payload.get("allowed_mentions")
    parse = {"everyone", "users", "roles"} if allowed is None else set(allowed.get("parse") or [])
    users = set() if allowed is None else {str(u) for u in allowed.get("users") or []}
    roles = set() if allowed is None else {str(r) for r in allowed.get("roles") or []}
    out: list[str] = []
    if "everyone" in parse:
        out += [f"@{m}" for m in _EVERYONE.findall(content)]
    out += [f"user:{u}" for u in _USER_MENTION.findall(content) if "users" in parse or u in users]
    out += [f"role:{r}" for r in _ROLE_MENTION.findall(content) if "roles" in parse or r in roles]
    return out
