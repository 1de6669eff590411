"""State records of the emulated Discord: users, guilds, channels, roles, messages, files.

Records hold the emulator's truth. ``payload()`` methods render them as Discord API JSON.
Tests read them (``message.content``, ``message.button("Next")``) and act through members
(``await alice.click(message, "Next")``).
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import discord

if TYPE_CHECKING:
    from .emulator import DiscordEmulator
    from .results import InteractionResult

DISCORD_EPOCH_MS = 1420070400000

# Channel types (subset of discord.ChannelType values).
GUILD_TEXT = 0
DM = 1
GUILD_CATEGORY = 4
GUILD_ANNOUNCEMENT = 5
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
GUILD_FORUM = 15
THREAD_TYPES = frozenset({10, PUBLIC_THREAD, PRIVATE_THREAD})

# Message flags.
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7

ALL_PERMISSIONS = discord.Permissions.all().value
ADMINISTRATOR = discord.Permissions(administrator=True).value
VIEW_CHANNEL = discord.Permissions(view_channel=True).value

DEFAULT_EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    read_message_history=True,
    use_application_commands=True,
    use_external_emojis=True,
    change_nickname=True,
    connect=True,
    speak=True,
).value

DEFAULT_BOT_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    create_private_threads=True,
    manage_threads=True,
    manage_messages=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    read_message_history=True,
    use_external_emojis=True,
    mention_everyone=True,
).value


class SnowflakeFactory:
    """Produces increasing snowflakes whose timestamps are the current time."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def __call__(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (1 << 17) | (next(self._counter) & 0xFFF)


def iso(ts: dt.datetime) -> str:
    return ts.isoformat()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------------------
# Users, roles, members
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class User:
    emu: DiscordEmulator = field(repr=False)
    id: int
    name: str
    bot: bool = False
    global_name: str | None = None
    dms_open: bool = True

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.global_name or self.name,
            "discriminator": "0",
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass(eq=False)
class Role:
    guild: Guild = field(repr=False)
    id: int
    name: str
    permissions: int = 0
    position: int = 1
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None,
                       "tertiary_color": None},
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data

    def set_permissions(self, permissions: int) -> None:
        """Change the role's permissions and tell the bot (GUILD_ROLE_UPDATE)."""
        self.permissions = permissions
        self.guild.emu.dispatch(
            "GUILD_ROLE_UPDATE", {"guild_id": str(self.guild.id), "role": self.payload()}
        )

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass
class Overwrite:
    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0

    def payload(self) -> dict[str, Any]:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow),
                "deny": str(self.deny)}


@dataclass(eq=False)
class Channel:
    emu: DiscordEmulator = field(repr=False)
    id: int
    type: int
    name: str
    guild: Guild | None = field(default=None, repr=False)
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    recipient: User | None = field(default=None, repr=False)
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    deleted: bool = False
    starter_message_id: int | None = None

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def parent(self) -> Channel | None:
        return self.emu.channels.get(self.parent_id) if self.parent_id else None

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def messages(self) -> list[Message]:
        """Messages currently in the channel (oldest first), deleted ones left out."""
        return self.emu.channel_messages(self)

    def payload(self, *, for_user: Member | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"id": str(self.id), "type": self.type, "flags": 0}
        if self.type == DM:
            assert self.recipient is not None
            data.update(recipients=[self.recipient.payload()], last_message_id=None)
            return data
        assert self.guild is not None
        data.update(
            guild_id=str(self.guild.id),
            name=self.name,
            position=self.position,
            parent_id=str(self.parent_id) if self.parent_id else None,
            nsfw=False,
            rate_limit_per_user=0,
            last_message_id=None,
        )
        if self.is_thread:
            data.update(
                owner_id=str(self.owner_id or self.emu.bot_user.id),
                message_count=len(self.messages()),
                member_count=1,
                total_message_sent=len(self.messages()),
                thread_metadata={
                    "archived": self.archived,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": iso(utcnow()),
                    "locked": self.locked,
                    "invitable": True,
                    "create_timestamp": iso(utcnow()),
                },
            )
        else:
            data.update(
                topic=self.topic,
                permission_overwrites=[o.payload() for o in self.overwrites.values()],
            )
        if for_user is not None:
            data["permissions"] = str(self.guild.permissions_for(for_user, self))
        return data

    def set_thread_state(self, *, archived: bool, locked: bool | None = None) -> None:
        """Archive or unarchive the thread (and lock or unlock it) as a member, a moderator
        or Discord's auto-archive does, and tell the bot (THREAD_UPDATE)."""
        assert self.is_thread
        self.archived = archived
        if locked is not None:
            self.locked = locked
        self.emu.dispatch("THREAD_UPDATE", self.payload())

    def set_permissions(
        self, target: Role | Member, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Set a permission overwrite and tell the bot (CHANNEL_UPDATE); allow=deny=0 removes."""
        kind = 0 if isinstance(target, Role) else 1
        if allow == 0 and deny == 0:
            self.overwrites.pop(target.id, None)
        else:
            self.overwrites[target.id] = Overwrite(target.id, kind, allow, deny)
        self.emu.dispatch("CHANNEL_UPDATE", self.payload())

    def revoke_bot_permission(self, permission: int) -> None:
        """Deny the bot a permission in this channel via a member overwrite."""
        assert self.guild is not None
        me = self.guild.me
        current = self.overwrites.get(me.id)
        allow = (current.allow if current else 0) & ~permission
        deny = (current.deny if current else 0) | permission
        self.set_permissions(me, allow=allow, deny=deny)


@dataclass(eq=False)
class Guild:
    emu: DiscordEmulator = field(repr=False)
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict, repr=False)
    channels: dict[int, Channel] = field(default_factory=dict, repr=False)
    members: dict[int, Member] = field(default_factory=dict, repr=False)
    locale: str = "en-US"
    #: commands a server admin opened to everyone in Integrations settings
    exposed_commands: set[str] = field(default_factory=set, repr=False)

    # -- builders ----------------------------------------------------------

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    @property
    def me(self) -> Member:
        return self.members[self.emu.bot_user.id]

    @property
    def general(self) -> Channel:
        return next(c for c in self.channels.values() if c.type == GUILD_TEXT)

    def expose_command(self, name: str) -> None:
        """What a server admin does in Server Settings → Integrations: let everyone use a
        command whose default permissions would hide it."""
        self.exposed_commands.add(name)

    def add_channel(
        self,
        name: str,
        *,
        type: int = GUILD_TEXT,
        topic: str | None = None,
        category: Channel | None = None,
    ) -> Channel:
        channel = Channel(
            self.emu, self.emu.snowflake(), type, name, guild=self,
            position=len(self.channels), topic=topic,
            parent_id=category.id if category else None,
        )
        self.channels[channel.id] = channel
        self.emu.channels[channel.id] = channel
        self.emu.dispatch("CHANNEL_CREATE", channel.payload())
        return channel

    def add_role(
        self, name: str, *, permissions: int = 0, color: int = 0, mentionable: bool = False
    ) -> Role:
        role = Role(self, self.emu.snowflake(), name, permissions, position=len(self.roles),
                    color=color, mentionable=mentionable)
        self.roles[role.id] = role
        self.emu.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(self.id), "role": role.payload()})
        return role

    def delete_role(self, role: Role) -> None:
        """A server admin deletes a role: members lose it, the bot is told (GUILD_ROLE_DELETE)."""
        self.roles.pop(role.id, None)
        for member in self.members.values():
            if role in member.roles:
                member.roles.remove(role)
        self.emu.dispatch(
            "GUILD_ROLE_DELETE", {"guild_id": str(self.id), "role_id": str(role.id)}
        )

    def add_member(
        self,
        user: str | User,
        *,
        roles: list[Role] | None = None,
        permissions: int | None = None,
        nick: str | None = None,
    ) -> Member:
        """Add a member; ``permissions`` are granted through a role of their own."""
        if isinstance(user, str):
            user = self.emu.add_user(user)
        member_roles = list(roles or [])
        if permissions:
            member_roles.append(self.add_role(f"{user.name} permissions", permissions=permissions))
        member = Member(user, self, member_roles, nick=nick)
        self.members[user.id] = member
        if self.emu.intents_include(discord.Intents(members=True).value):
            self.emu.dispatch("GUILD_MEMBER_ADD", {**member.payload(), "guild_id": str(self.id)})
        return member

    def member(self, name: str) -> Member:
        return next(m for m in self.members.values() if m.user.name == name)

    def channel(self, name: str) -> Channel:
        return next(c for c in self.channels.values() if c.name == name and not c.deleted)

    # -- permissions -------------------------------------------------------

    def base_permissions(self, member: Member) -> int:
        if member.id == self.owner_id:
            return ALL_PERMISSIONS
        perms = self.everyone.permissions
        for role in member.roles:
            perms |= role.permissions
        if perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        return perms

    def permissions_for(self, member: Member, channel: Channel | None = None) -> int:
        """Discord's permission algorithm: roles, then channel overwrites (threads use parent)."""
        perms = self.base_permissions(member)
        if perms == ALL_PERMISSIONS or channel is None:
            return perms
        target = channel.parent if channel.is_thread and channel.parent else channel
        ows = target.overwrites
        if (ow := ows.get(self.id)) is not None:
            perms = (perms & ~ow.deny) | ow.allow
        allow = deny = 0
        for role in member.roles:
            if (ow := ows.get(role.id)) is not None:
                allow |= ow.allow
                deny |= ow.deny
        perms = (perms & ~deny) | allow
        if (ow := ows.get(member.id)) is not None:
            perms = (perms & ~ow.deny) | ow.allow
        if not perms & VIEW_CHANNEL:
            return 0
        return perms

    # -- payloads ----------------------------------------------------------

    def payload(self, *, include_members: bool) -> dict[str, Any]:
        members = list(self.members.values()) if include_members else [self.me]
        text_channels = [
            c for c in self.channels.values() if not c.deleted and not c.is_thread
        ]
        threads = [c for c in self.channels.values() if not c.deleted and c.is_thread]
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "features": [],
            "member_count": len(self.members),
            "large": False,
            "unavailable": False,
            "joined_at": iso(utcnow()),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": str(self.general.id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": self.locale,
            "max_members": 500000,
            "vanity_url_code": None,
            "roles": [r.payload() for r in self.roles.values()],
            "channels": [{k: v for k, v in c.payload().items() if k != "guild_id"}
                         for c in text_channels],
            "threads": [c.payload() for c in threads],
            "members": [m.payload() for m in members],
            "emojis": [],
            "stickers": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


@dataclass(eq=False)
class Member:
    """A person (or the bot) in a guild. Test helpers act as this member."""

    user: User
    guild: Guild = field(repr=False)
    roles: list[Role] = field(default_factory=list, repr=False)
    nick: str | None = None
    joined_at: dt.datetime = field(default_factory=utcnow, repr=False)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def mention(self) -> str:
        return self.user.mention

    @property
    def emu(self) -> DiscordEmulator:
        return self.guild.emu

    def permissions_in(self, channel: Channel | None = None) -> int:
        return self.guild.permissions_for(self, channel)

    def payload(self, *, with_user: bool = True, channel: Channel | None = None
                ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r.id) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        if channel is not None:
            data["permissions"] = str(self.permissions_in(channel))
        return data

    def add_role(self, role: Role) -> None:
        self.roles.append(role)
        self.emu.dispatch(
            "GUILD_MEMBER_UPDATE", {**self.payload(), "guild_id": str(self.guild.id)}
        )

    # -- acting like a person in the Discord client -----------------------

    async def run(
        self,
        command: str,
        *,
        channel: Channel | None = None,
        dm: bool = False,
        options: dict[str, Any] | None = None,
        within: float | None = None,
        **kwargs: Any,
    ) -> InteractionResult:
        """Type a slash command (``"/qotd setup"``) with options; returns once acknowledged.

        ``channel`` is where the command is typed (default: the guild's first text channel);
        options whose names clash with these parameters go in ``options``.
        """
        return await self.emu.interactions.run_command(
            self, command, channel=channel, dm=dm, options={**(options or {}), **kwargs},
            within=within,
        )

    async def run_user_command(
        self, name: str, target: Member, *, channel: Channel | None = None
    ) -> InteractionResult:
        """Use a user context-menu command on ``target``."""
        return await self.emu.interactions.run_context_menu(
            self, name, target=target, channel=channel
        )

    async def run_message_command(self, name: str, target: Message) -> InteractionResult:
        """Use a message context-menu command on ``target``."""
        return await self.emu.interactions.run_context_menu(self, name, target=target)

    async def autocomplete(
        self, command: str, option: str, typed: str, *, channel: Channel | None = None,
        **kwargs: Any,
    ) -> list[dict[str, Any]]:
        """Type ``typed`` into ``option`` of ``command``; returns the bot's choices."""
        return await self.emu.interactions.autocomplete(
            self, command, option, typed, channel=channel, options=kwargs
        )

    async def click(
        self, message: Message, label: str | None = None, *, custom_id: str | None = None,
        within: float | None = None,
    ) -> InteractionResult:
        """Click a button on a message this member can see (by label or custom_id)."""
        return await self.emu.interactions.click(
            self, message, label=label, custom_id=custom_id, within=within
        )

    async def forge_click(
        self, message: Message, custom_id: str, *, within: float | None = None
    ) -> InteractionResult:
        """Send a click no honest client could (another member's button, any custom_id)."""
        return await self.emu.interactions.forge_click(self, message, custom_id, within=within)

    async def select(
        self, message: Message, values: list[Any], *, custom_id: str | None = None,
        placeholder: str | None = None, within: float | None = None,
    ) -> InteractionResult:
        """Pick ``values`` in a select menu (string values, or members/roles/channels)."""
        return await self.emu.interactions.select(
            self, message, values, custom_id=custom_id, placeholder=placeholder, within=within
        )

    async def submit(
        self, modal: Modal | None, values: dict[str, str] | None = None,
        within: float | None = None, **kwargs: str,
    ) -> InteractionResult:
        """Fill in and submit a modal that was shown to this member."""
        if modal is None:
            raise AssertionError("no modal was shown")
        return await self.emu.interactions.submit(
            self, modal, {**(values or {}), **kwargs}, within=within
        )

    async def say(self, channel: Channel, content: str) -> Message:
        """Post a plain message (dispatches MESSAGE_CREATE)."""
        return self.emu.post_user_message(self, channel, content)


# ---------------------------------------------------------------------------
# Messages, attachments, components, modals
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class Attachment:
    id: int
    filename: str
    data: bytes = field(repr=False)
    url: str
    content_type: str | None = None
    description: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": self.size,
            "url": self.url,
            "proxy_url": self.url,
        }
        if self.content_type:
            data["content_type"] = self.content_type
        if self.description:
            data["description"] = self.description
        return data

    @property
    def text(self) -> str:
        return self.data.decode()


@dataclass
class Button:
    label: str | None
    custom_id: str | None
    style: int
    disabled: bool
    url: str | None = None
    emoji: dict[str, Any] | None = None


@dataclass
class Select:
    type: int
    custom_id: str
    options: list[dict[str, Any]]
    placeholder: str | None
    min_values: int
    max_values: int
    disabled: bool


def walk_components(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every component in a tree (action rows, containers, sections, labels)."""
    for comp in components:
        yield comp
        for key in ("components",):
            if isinstance(comp.get(key), list):
                yield from walk_components(comp[key])
        for key in ("accessory", "component"):
            if isinstance(comp.get(key), dict):
                yield from walk_components([comp[key]])


SELECT_TYPES = frozenset({3, 5, 6, 7, 8})


@dataclass(eq=False)
class Message:
    emu: DiscordEmulator = field(repr=False)
    id: int
    channel: Channel = field(repr=False)
    author: User = field(repr=False)
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list, repr=False)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    created_at: dt.datetime = field(default_factory=utcnow, repr=False)
    edited_at: dt.datetime | None = field(default=None, repr=False)
    history: list[dict[str, Any]] = field(default_factory=list, repr=False)
    deleted: bool = False
    thread: Channel | None = field(default=None, repr=False)
    webhook_id: int | None = field(default=None, repr=False)
    interaction_metadata: dict[str, Any] | None = field(default=None, repr=False)
    message_reference: dict[str, Any] | None = field(default=None, repr=False)
    visible_to: int | None = field(default=None, repr=False)  # ephemeral: that user only

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & FLAG_EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & FLAG_LOADING)

    @property
    def embed(self) -> dict[str, Any] | None:
        return self.embeds[0] if self.embeds else None

    @property
    def buttons(self) -> list[Button]:
        return [
            Button(c.get("label"), c.get("custom_id"), c.get("style", 1),
                   bool(c.get("disabled")), c.get("url"), c.get("emoji"))
            for c in walk_components(self.components) if c.get("type") == 2
        ]

    @property
    def selects(self) -> list[Select]:
        return [
            Select(c["type"], c["custom_id"], c.get("options", []), c.get("placeholder"),
                   c.get("min_values", 1), c.get("max_values", 1), bool(c.get("disabled")))
            for c in walk_components(self.components) if c.get("type") in SELECT_TYPES
        ]

    def button(self, label: str | None = None, *, custom_id: str | None = None) -> Button:
        for b in self.buttons:
            if (label is not None and b.label == label) or (
                custom_id is not None and b.custom_id == custom_id
            ):
                return b
        labels = [b.label or b.custom_id for b in self.buttons]
        raise LookupError(f"no button {label or custom_id!r} on message; buttons: {labels}")

    @property
    def edits(self) -> list[dict[str, Any]]:
        """Previous states (content, embeds, components, flags), oldest first."""
        return self.history

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy({
            "content": self.content, "embeds": self.embeds, "components": self.components,
            "flags": self.flags, "attachments": [a.filename for a in self.attachments],
        })

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel.id),
            "author": self.author.payload(),
            "content": self.content,
            "timestamp": iso(self.created_at),
            "edited_timestamp": iso(self.edited_at) if self.edited_at else None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [a.payload() for a in self.attachments],
            "embeds": copy.deepcopy(self.embeds),
            "components": copy.deepcopy(self.components),
            "pinned": False,
            "type": self.type,
            "flags": self.flags,
        }
        if self.channel.guild is not None:
            data["guild_id"] = str(self.channel.guild.id)
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
            data["application_id"] = str(self.emu.application_id)
        if self.interaction_metadata is not None:
            data["interaction_metadata"] = self.interaction_metadata
        if self.message_reference is not None:
            data["message_reference"] = self.message_reference
        if self.thread is not None and not self.thread.deleted:
            data["thread"] = self.thread.payload()
        return data


@dataclass
class TextInput:
    custom_id: str
    label: str | None
    style: int
    required: bool
    min_length: int | None
    max_length: int | None
    value: str | None
    placeholder: str | None


@dataclass(eq=False)
class Modal:
    """A modal the bot showed to ``user_id`` in answer to an interaction."""

    custom_id: str
    title: str
    components: list[dict[str, Any]] = field(repr=False)
    user_id: int
    source: Any = field(repr=False)  # InteractionRecord that opened it
    submitted: bool = False

    @property
    def text_inputs(self) -> list[TextInput]:
        inputs: list[TextInput] = []
        for top in self.components:
            if top.get("type") == 18:  # label wrapping one component
                children, label = [top.get("component", {})], top.get("label")
            else:
                children, label = top.get("components", []), None
            for c in children:
                if c.get("type") == 4:
                    inputs.append(TextInput(
                        c["custom_id"], label or c.get("label"), c.get("style", 1),
                        c.get("required", True), c.get("min_length"), c.get("max_length"),
                        c.get("value"), c.get("placeholder"),
                    ))
        return inputs
