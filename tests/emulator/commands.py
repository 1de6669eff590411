"""Synced application commands and the option checks the Discord client does for users."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .models import Attachment, Channel, Member, Role, User

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = (
    3, 4, 5, 6, 7, 8, 9, 10, 11)
OPTION_TYPE_NAMES = {
    STRING: "string", INTEGER: "integer", BOOLEAN: "boolean", USER: "user",
    CHANNEL: "channel", ROLE: "role", MENTIONABLE: "mentionable", NUMBER: "number",
    ATTACHMENT: "attachment",
}
CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND = 1, 2, 3


class CommandError(AssertionError):
    """The Discord client would not send this interaction (unknown command, bad option...)."""


@dataclass
class Resolved:
    users: dict[str, Any] = field(default_factory=dict)
    members: dict[str, Any] = field(default_factory=dict)
    roles: dict[str, Any] = field(default_factory=dict)
    channels: dict[str, Any] = field(default_factory=dict)
    attachments: dict[str, Any] = field(default_factory=dict)
    messages: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v}

    def add_user(self, target: Member | User, channel: Channel | None) -> None:
        user = target.user if isinstance(target, Member) else target
        self.users[str(user.id)] = user.payload()
        if isinstance(target, Member):
            self.members[str(user.id)] = target.payload(with_user=False, channel=channel)

    def add_channel(self, target: Channel, member: Member | None) -> None:
        data = target.payload(for_user=member)
        data.setdefault("permissions", str(member.permissions_in(target) if member else 0))
        self.channels[str(target.id)] = data


class CommandStore:
    """Commands the bot synced, global and per guild. Ids survive re-syncs."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self._ids: dict[tuple[int | None, str, int], int] = {}
        self._version = 0

    def _stamp(self, guild_id: int | None, cmd: dict[str, Any]) -> dict[str, Any]:
        ctype = cmd.get("type", CHAT_INPUT)
        key = (guild_id, cmd["name"], ctype)
        cid = self._ids.setdefault(key, self.emu.snowflake())
        self._version += 1
        out = {
            "type": ctype,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            **cmd,
            "id": str(cid),
            "application_id": str(self.emu.application_id),
            "version": str(self.emu.snowflake()),
        }
        if guild_id is not None:
            out["guild_id"] = str(guild_id)
        return out

    def replace(self, guild_id: int | None, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        stamped = [self._stamp(guild_id, c) for c in commands]
        if guild_id is None:
            self.global_commands = stamped
        else:
            self.guild_commands[guild_id] = stamped
        return stamped

    def upsert(self, guild_id: int | None, command: dict[str, Any]) -> dict[str, Any]:
        current = self.listing(guild_id)
        stamped = self._stamp(guild_id, command)
        rest = [c for c in current if not (c["name"] == stamped["name"]
                                           and c["type"] == stamped["type"])]
        self.replace(guild_id, [*rest, stamped])
        return stamped

    def listing(self, guild_id: int | None) -> list[dict[str, Any]]:
        if guild_id is None:
            return self.global_commands
        return self.guild_commands.get(guild_id, [])

    def find(self, guild_id: int | None, name: str, ctype: int = CHAT_INPUT) -> dict[str, Any]:
        """Guild commands shadow global ones, as in the Discord client."""
        scopes = [self.listing(guild_id)] if guild_id is not None else []
        scopes.append(self.global_commands)
        for scope in scopes:
            for cmd in scope:
                if cmd["name"] == name and cmd.get("type", CHAT_INPUT) == ctype:
                    return cmd
        synced = sorted({c["name"] for s in scopes for c in s})
        raise CommandError(f"command {name!r} is not synced here; synced: {synced}")


def check_availability(cmd: dict[str, Any], member: Member | None, dm: bool) -> None:
    """Commands a user could not see: DM-disabled ones in DMs, permission-gated ones."""
    if dm:
        contexts = cmd.get("contexts")
        if cmd.get("guild_id") or cmd.get("dm_permission") is False or (
            contexts is not None and 1 not in contexts
        ):
            raise CommandError(f"/{cmd['name']} is not available in DMs")
        return
    contexts = cmd.get("contexts")
    if contexts is not None and 0 not in contexts:
        raise CommandError(f"/{cmd['name']} is not available in guilds")
    required = cmd.get("default_member_permissions")
    if member is not None and cmd["name"] in member.guild.exposed_commands:
        return
    if required is not None and member is not None:
        need = int(required)
        have = member.guild.base_permissions(member)
        if have & need != need or (need == 0 and member.id != member.guild.owner_id
                                   and not have & (1 << 3)):
            raise CommandError(f"{member.name} cannot see /{cmd['name']} (permissions)")


def _check_value(
    opt: dict[str, Any], value: Any, *, member: Member | None, channel: Channel | None,
    resolved: Resolved,
) -> Any:
    """Validate one option value; returns the JSON value Discord would send."""
    otype = opt["type"]
    name = opt["name"]

    def fail(why: str) -> CommandError:
        return CommandError(f"option {name!r}: {why} (got {value!r})")

    if otype == STRING:
        if not isinstance(value, str):
            raise fail("expected a string")
        if "min_length" in opt and len(value) < opt["min_length"]:
            raise fail(f"shorter than min_length {opt['min_length']}")
        if "max_length" in opt and len(value) > opt["max_length"]:
            raise fail(f"longer than max_length {opt['max_length']}")
        if len(value) > 6000:
            raise fail("longer than 6000")
    elif otype in (INTEGER, NUMBER):
        ok = int if otype == INTEGER else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok):
            raise fail(f"expected {OPTION_TYPE_NAMES[otype]}")
        if opt.get("min_value") is not None and value < opt["min_value"]:
            raise fail(f"below min_value {opt['min_value']}")
        if opt.get("max_value") is not None and value > opt["max_value"]:
            raise fail(f"above max_value {opt['max_value']}")
    elif otype == BOOLEAN:
        if not isinstance(value, bool):
            raise fail("expected a boolean")
    elif otype == USER or (otype == MENTIONABLE and isinstance(value, Member | User)):
        if not isinstance(value, Member | User):
            raise fail("expected a member or user")
        resolved.add_user(value, channel)
        return str(value.id)
    elif otype == ROLE or (otype == MENTIONABLE and isinstance(value, Role)):
        if not isinstance(value, Role):
            raise fail("expected a role")
        resolved.roles[str(value.id)] = value.payload()
        return str(value.id)
    elif otype == MENTIONABLE:
        raise fail("expected a member, user or role")
    elif otype == CHANNEL:
        if not isinstance(value, Channel) or value.deleted:
            raise fail("expected an existing channel")
        types = opt.get("channel_types")
        if types and value.type not in types:
            raise fail(f"channel type {value.type} not in {types}")
        if member is not None and value.guild is not member.guild:
            raise fail("channel of another guild")
        resolved.add_channel(value, member)
        return str(value.id)
    elif otype == ATTACHMENT:
        if not isinstance(value, Attachment):
            raise fail("expected an attachment (emu.attachment(...))")
        resolved.attachments[str(value.id)] = value.payload()
        return str(value.id)
    else:
        raise fail(f"unsupported option type {otype}")
    choices = opt.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise fail(f"not one of the choices {[c['value'] for c in choices]}")
    return value


def build_options(
    cmd: dict[str, Any],
    path: list[str],
    values: dict[str, Any],
    *,
    member: Member | None,
    channel: Channel | None,
    focused: tuple[str, str] | None = None,
) -> tuple[list[dict[str, Any]], Resolved]:
    """Interaction ``data.options`` for ``/cmd *path`` with ``values``, checked like Discord.

    ``focused`` is ``(option name, typed text)`` for an autocomplete interaction, where the
    client sends what is filled so far and does not enforce required options.
    """
    resolved = Resolved()
    schema: list[dict[str, Any]] = cmd.get("options") or []
    chain: list[dict[str, Any]] = []
    for token in path:
        sub = next((o for o in schema if o["name"] == token
                    and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)), None)
        if sub is None:
            names = [o["name"] for o in schema if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)]
            raise CommandError(f"/{cmd['name']} has no subcommand {token!r}; has {names}")
        chain.append(sub)
        schema = sub.get("options") or []
    if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in schema):
        names = [o["name"] for o in schema]
        raise CommandError(f"/{' '.join([cmd['name'], *path])} needs a subcommand: {names}")

    by_name = {o["name"]: o for o in schema}
    for key in values:
        if key not in by_name:
            raise CommandError(f"/{cmd['name']} has no option {key!r}; options: {list(by_name)}")
    leaf: list[dict[str, Any]] = []
    for opt in schema:
        name = opt["name"]
        if focused is not None and name == focused[0]:
            if not opt.get("autocomplete"):
                raise CommandError(f"option {name!r} has no autocomplete")
            leaf.append({"type": opt["type"], "name": name, "value": focused[1],
                         "focused": True})
            continue
        value = values.get(name)
        if value is None:
            if opt.get("required") and focused is None:
                raise CommandError(f"/{cmd['name']}: required option {name!r} missing")
            continue
        if opt.get("autocomplete") and opt["type"] == STRING and isinstance(value, str):
            json_value: Any = value  # free text is allowed with autocomplete
        else:
            json_value = _check_value(opt, value, member=member, channel=channel,
                                      resolved=resolved)
        leaf.append({"type": opt["type"], "name": name, "value": json_value})
    if focused is not None and focused[0] not in by_name:
        raise CommandError(f"/{cmd['name']} has no option {focused[0]!r}")

    options = leaf
    for sub in reversed(chain):
        options = [{"type": sub["type"], "name": sub["name"], "options": options}]
    return options, resolved
