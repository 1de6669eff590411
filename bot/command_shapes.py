"""Whether the slash commands installed on Discord are this version's.

Compares the JSON of each command as the bot would send it with what Discord lists, after
both are brought to one shape: Discord adds ids and versions, leaves out what is at its
default (``required: false``, no choices) and gives null for what was never set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: interaction context types: a server, the bot's DMs, other DMs and group DMs
ALL_CONTEXTS = [0, 1, 2]
CHAT_INPUT = 1
#: the option fields compared as given (absent and null are the same)
LIMITS = ("min_value", "max_value", "min_length", "max_length")


def option_shape(data: dict[str, Any]) -> dict[str, Any]:
    """An option, subcommand or group, with Discord's defaults filled in."""
    return {
        "type": data.get("type"),
        "name": data.get("name"),
        "description": data.get("description") or "",
        "name_localizations": data.get("name_localizations") or {},
        "description_localizations": data.get("description_localizations") or {},
        "required": bool(data.get("required", False)),
        "choices": [
            {
                "name": c.get("name"),
                "value": c.get("value"),
                "name_localizations": c.get("name_localizations") or {},
            }
            for c in data.get("choices") or []
        ],
        "channel_types": sorted(data.get("channel_types") or []),
        "autocomplete": bool(data.get("autocomplete", False)),
        **{key: data.get(key) for key in LIMITS},
        "options": [option_shape(o) for o in data.get("options") or []],
    }


def _contexts(data: dict[str, Any]) -> list[int] | None:
    """Where the command may be used; None for everywhere, however that was said: no
    contexts (Discord's default), all of them, or the older ``dm_permission``."""
    contexts = data.get("contexts")
    if contexts is None:
        return [0] if data.get("dm_permission") is False else None
    listed = sorted(set(contexts))
    return None if listed == ALL_CONTEXTS else listed


def command_shape(data: dict[str, Any], *, in_guild: bool) -> dict[str, Any]:
    """A top-level command as Discord would list it, without what Discord adds (id,
    application_id, version, guild_id). Where it may be used counts only for a global
    command: Discord ignores it for a command installed in one server."""
    permissions = data.get("default_member_permissions")
    shape = {
        "type": data.get("type") or CHAT_INPUT,
        "name": data.get("name"),
        "description": data.get("description") or "",
        "name_localizations": data.get("name_localizations") or {},
        "description_localizations": data.get("description_localizations") or {},
        "default_member_permissions": None if permissions is None else str(int(permissions)),
        "nsfw": bool(data.get("nsfw", False)),
        "options": [option_shape(o) for o in data.get("options") or []],
    }
    if not in_guild:
        shape["contexts"] = _contexts(data)
    return shape


def _label(data: dict[str, Any]) -> str:
    name = str(data.get("name"))
    return f"/{name}" if (data.get("type") or CHAT_INPUT) == CHAT_INPUT else name


@dataclass(frozen=True)
class CommandsDiff:
    """How the commands installed differ from this version's, by command label."""

    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    #: installed, but no longer in this version
    extra: list[str] = field(default_factory=list)
    #: whether Discord had no command at all
    none_installed: bool = False

    def __bool__(self) -> bool:
        return bool(self.missing or self.changed or self.extra)

    def describe(self) -> str:
        """``missing: /a; changed: /b; not in this version: /c``"""
        parts = [
            f"{what}: {', '.join(names)}"
            for what, names in (
                ("missing", self.missing),
                ("changed", self.changed),
                ("not in this version", self.extra),
            )
            if names
        ]
        return "; ".join(parts)


def compare_commands(
    wanted: list[dict[str, Any]], installed: list[dict[str, Any]], *, in_guild: bool
) -> CommandsDiff:
    """What is missing, changed or extra in ``installed`` (Discord's listing) against
    ``wanted`` (the commands as the bot sends them)."""

    def keyed(commands: list[dict[str, Any]]) -> dict[tuple[int, str], dict[str, Any]]:
        return {(c.get("type") or CHAT_INPUT, str(c.get("name"))): c for c in commands}

    want, have = keyed(wanted), keyed(installed)
    changed = [
        _label(want[key])
        for key in want.keys() & have.keys()
        if command_shape(want[key], in_guild=in_guild)
        != command_shape(have[key], in_guild=in_guild)
    ]
    return CommandsDiff(
        missing=sorted(_label(want[key]) for key in want.keys() - have.keys()),
        changed=sorted(changed),
        extra=sorted(_label(have[key]) for key in have.keys() - want.keys()),
        none_installed=not installed,
    )
