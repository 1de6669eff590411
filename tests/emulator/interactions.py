"""Interactions a member starts (commands, clicks, modal submits) and what the bot answered."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .commands import (
    CHAT_INPUT,
    MESSAGE_COMMAND,
    USER_COMMAND,
    CommandError,
    Resolved,
    build_options,
    check_availability,
)
from .models import DM, VIEW_CHANNEL, Channel, Member, Message, Modal, Role, User

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
# Callback (response) types.
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


@dataclass(eq=False)
class InteractionRecord:
    """One interaction sent to the bot and everything it answered with."""

    id: int
    token: str
    type: int
    user: User
    member: Member | None
    channel: Channel
    data: dict[str, Any]
    payload: dict[str, Any] = field(repr=False)
    created_at: float = field(repr=False)
    source_message: Message | None = field(default=None, repr=False)
    response_type: int | None = None
    responded_at: float | None = field(default=None, repr=False)
    errors: list[tuple[int, str]] = field(default_factory=list)
    original: Message | None = field(default=None, repr=False)
    followups: list[Message] = field(default_factory=list, repr=False)
    modal: Modal | None = field(default=None, repr=False)
    choices: list[dict[str, Any]] | None = None
    callbacks: list[dict[str, Any]] = field(default_factory=list, repr=False)
    #: the bot edited a message through this interaction's token (its original response)
    edited: bool = field(default=False, repr=False)

    @property
    def name(self) -> str:
        return str(self.data.get("name") or self.data.get("custom_id"))


class InteractionResult:
    """What a member sees after an interaction: the response, followups, modal, errors."""

    def __init__(self, emu: DiscordEmulator, record: InteractionRecord) -> None:
        self.emu = emu
        self.interaction = record

    def __repr__(self) -> str:
        r = self.interaction
        return (f"<InteractionResult {r.name!r} response_type={r.response_type} "
                f"content={self.content!r} errors={r.errors}>")

    @property
    def acknowledged(self) -> bool:
        return self.interaction.response_type is not None

    @property
    def response_type(self) -> int | None:
        return self.interaction.response_type

    @property
    def deferred(self) -> bool:
        return self.interaction.response_type in (DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE)

    @property
    def error_codes(self) -> list[int]:
        """Discord error codes the bot's acknowledgement attempts got (10062 late, 40060...)."""
        return [code for code, _ in self.interaction.errors]

    @property
    def message(self) -> Message | None:
        """The response message (for clicks answered with an update: the clicked message)."""
        return self.interaction.original

    @property
    def ephemeral(self) -> bool:
        return self.message is not None and self.message.ephemeral

    @property
    def content(self) -> str | None:
        return self.message.content if self.message else None

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.message.embeds if self.message else []

    @property
    def embed(self) -> dict[str, Any] | None:
        return self.embeds[0] if self.embeds else None

    @property
    def followups(self) -> list[Message]:
        return self.interaction.followups

    @property
    def messages(self) -> list[Message]:
        """Response message then followups."""
        first = [self.message] if self.message is not None else []
        return first + [m for m in self.followups if m is not self.message]

    @property
    def modal(self) -> Modal | None:
        return self.interaction.modal

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        return self.interaction.choices

    async def wait_for(
        self, predicate: Callable[[InteractionResult], Any], within: float = 5.0
    ) -> InteractionResult:
        """Wait until ``predicate(self)`` is true (followups, edits of the response...)."""
        await self.emu.wait_until(lambda: predicate(self), within=within)
        return self

    async def wait_for_followup(self, count: int = 1, within: float = 5.0) -> Message:
        """Wait for the ``count``-th followup and return it."""
        await self.wait_for(lambda r: len(r.followups) >= count, within=within)
        return self.followups[count - 1]

    @property
    def updated(self) -> bool:
        """Whether the bot's answer is complete: for a deferred update, once the clicked
        message was edited through this interaction or a followup sent; for a deferred
        message, once it is filled in; any other answer at once."""
        r = self.interaction
        if r.response_type == DEFERRED_UPDATE:
            return bool(r.followups) or r.edited
        if r.response_type == DEFERRED_CHANNEL_MESSAGE:
            return r.original is not None and not r.original.loading
        return r.response_type is not None

    async def settled(self, within: float = 5.0) -> InteractionResult:
        """Wait until the answer is complete (see ``updated``); for a bot that answers a click
        first and edits the message or sends a followup once its work is done."""
        return await self.wait_for(lambda r: r.updated, within=within)

    @property
    def told(self) -> str | None:
        """What the member was told in a private message: the ephemeral response, or else
        the first ephemeral followup (None if neither)."""
        if self.response_type == CHANNEL_MESSAGE and self.ephemeral:
            return self.content
        private = [m for m in self.followups if m.ephemeral]
        return private[0].content if private else None

    async def wait_for_content(self, within: float = 5.0) -> Message:
        """Wait until a deferred response has been filled in."""
        await self.wait_for(
            lambda r: r.message is not None and not r.message.loading, within=within
        )
        assert self.message is not None
        return self.message


class InteractionEngine:
    """Builds interaction payloads the way the Discord client would, and tracks them."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self.records: list[InteractionRecord] = []
        self.by_id: dict[int, InteractionRecord] = {}
        self.by_token: dict[str, InteractionRecord] = {}
        # Interactions a member is waiting on: woken when the bot answers that one.
        self._waiting: dict[int, asyncio.Event] = {}

    def changed(self, record: InteractionRecord) -> None:
        """The bot answered (or tried to answer) ``record``."""
        event = self._waiting.get(record.id)
        if event is not None:
            event.set()

    # -- shared ------------------------------------------------------------

    def _where(
        self, actor: Member, channel: Channel | None, dm: bool
    ) -> tuple[Channel, Member | None]:
        if dm or (channel is not None and channel.type == DM):
            return self.emu.dm_channel(actor.user), None
        if actor.guild.id not in self.emu.guilds:
            raise CommandError(f"{self.emu.bot_user.name} is not in {actor.guild.name}")
        if actor.guild.id in self.emu.outages:
            raise CommandError(f"{actor.guild.name} is unavailable (an outage)")
        channel = channel or actor.guild.general
        if channel.deleted:
            raise CommandError(f"#{channel.name} was deleted")
        if channel.guild is not actor.guild:
            raise CommandError(f"#{channel.name} is not in {actor.guild.name}")
        if not actor.permissions_in(channel) & VIEW_CHANNEL:
            raise CommandError(f"{actor.name} cannot see #{channel.name}")
        return channel, actor

    def _create(
        self,
        kind: int,
        actor: Member,
        channel: Channel,
        member: Member | None,
        data: dict[str, Any],
        message: Message | None = None,
    ) -> InteractionRecord:
        emu = self.emu
        iid = emu.snowflake()
        token = f"itk-{iid}-{secrets.token_hex(8)}"
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(emu.application_id),
            "type": kind,
            "token": token,
            "version": 1,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "locale": "en-US",
            "entitlements": [],
            "data": data,
        }
        if member is not None:
            guild = member.guild
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": guild.locale, "features": []},
                guild_locale=guild.locale,
                channel=channel.payload(for_user=member),
                channel_id=str(channel.id),
                member=member.payload(channel=channel),
                app_permissions=str(guild.permissions_for(guild.me, channel)),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            payload.update(
                user=actor.user.payload(),
                channel=channel.payload(),
                channel_id=str(channel.id),
                app_permissions=str(emu.dm_permissions),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        if message is not None:
            payload["message"] = message.payload()
        record = InteractionRecord(
            id=iid, token=token, type=kind, user=actor.user, member=member, channel=channel,
            data=data, payload=payload, created_at=emu.now(), source_message=message,
        )
        self.records.append(record)
        self.by_id[iid] = record
        self.by_token[token] = record
        return record

    async def _deliver(self, record: InteractionRecord, within: float | None
                       ) -> InteractionResult:
        emu = self.emu
        if not emu.bot_connected:
            raise AssertionError("no bot is connected to the emulator")
        wait = within if within is not None else emu.ack_deadline + 2.0
        # Woken by this interaction's own callbacks only: with many members clicking at once,
        # re-checking every waiter on every request would cost more than the requests.
        event = self._waiting[record.id] = asyncio.Event()
        emu.dispatch("INTERACTION_CREATE", record.payload)
        try:
            # An unknown-interaction answer is final; other rejected attempts may be retried.
            async with asyncio.timeout(wait):
                while not (record.response_type is not None
                           or any(code == 10062 for code, _ in record.errors)):
                    event.clear()
                    await event.wait()
        except TimeoutError:
            if record.errors:
                return InteractionResult(emu, record)
            raise AssertionError(
                f"the bot did not acknowledge interaction {record.name!r} within {wait:.1f}s"
            ) from None
        finally:
            self._waiting.pop(record.id, None)
        result = InteractionResult(emu, record)
        settles = record.response_type == DEFERRED_UPDATE or (
            record.response_type == DEFERRED_CHANNEL_MESSAGE and record.type == MODAL_SUBMIT
        )
        if settles and emu.settle_deferred_updates:
            # The member sees the message change (or a private followup, or the "thinking"
            # reply filled in) once the bot's work is done: that is the click's result.
            with contextlib.suppress(TimeoutError):
                await result.settled(within=emu.settle_within)
        return result

    # -- slash commands ----------------------------------------------------

    def _command_data(self, cmd: dict[str, Any], options: list[dict[str, Any]],
                      resolved: Resolved, guild_scoped: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": cmd["id"], "name": cmd["name"], "type": cmd.get("type", CHAT_INPUT),
            "options": options,
        }
        if resolved.payload():
            data["resolved"] = resolved.payload()
        if guild_scoped:
            data["guild_id"] = cmd["guild_id"]
        return data

    def _lookup(self, actor: Member, command: str, in_dm: bool, ctype: int = CHAT_INPUT
                ) -> tuple[dict[str, Any], list[str]]:
        name, *path = command.lstrip("/").split() if ctype == CHAT_INPUT else [command]
        guild_id = None if in_dm else actor.guild.id
        cmd = self.emu.commands.find(guild_id, name, ctype)
        check_availability(cmd, None if in_dm else actor, in_dm)
        return cmd, path

    async def run_command(
        self, actor: Member, command: str, *, channel: Channel | None, dm: bool,
        options: dict[str, Any], within: float | None,
    ) -> InteractionResult:
        where, member = self._where(actor, channel, dm)
        cmd, path = self._lookup(actor, command, member is None)
        opts, resolved = build_options(cmd, path, options, member=member, channel=where)
        data = self._command_data(cmd, opts, resolved, "guild_id" in cmd)
        record = self._create(APPLICATION_COMMAND, actor, where, member, data)
        return await self._deliver(record, within)

    async def run_context_menu(
        self, actor: Member, name: str, *, target: Member | Message,
        channel: Channel | None = None,
    ) -> InteractionResult:
        resolved = Resolved()
        if isinstance(target, Message):
            ctype, where = MESSAGE_COMMAND, target.channel
            resolved.messages[str(target.id)] = target.payload()
        else:
            ctype, where = USER_COMMAND, channel or actor.guild.general
            resolved.add_user(target, where)
        where, member = self._where(actor, where, False)
        cmd, _ = self._lookup(actor, name, member is None, ctype)
        data = self._command_data(cmd, [], resolved, "guild_id" in cmd)
        data["target_id"] = str(target.id)
        record = self._create(APPLICATION_COMMAND, actor, where, member, data)
        return await self._deliver(record, None)

    async def autocomplete(
        self, actor: Member, command: str, option: str, typed: str, *,
        channel: Channel | None, options: dict[str, Any],
    ) -> list[dict[str, Any]]:
        where, member = self._where(actor, channel, False)
        cmd, path = self._lookup(actor, command, member is None)
        filled = {k: v for k, v in options.items() if v is not None}
        opts, resolved = build_options(cmd, path, filled, member=member, channel=where,
                                       focused=(option, typed))
        data = self._command_data(cmd, opts, resolved, "guild_id" in cmd)
        record = self._create(AUTOCOMPLETE, actor, where, member, data)
        result = await self._deliver(record, None)
        if result.response_type != AUTOCOMPLETE_RESULT:
            raise AssertionError(f"autocomplete answered with {result.response_type}, "
                                 f"errors {record.errors}")
        return list(record.choices or [])

    # -- components ----------------------------------------------------------

    def _visible(self, actor: Member, message: Message) -> tuple[Channel, Member | None]:
        if message.deleted:
            raise CommandError("the message was deleted")
        if message.ephemeral and message.visible_to != actor.id:
            raise CommandError(f"{actor.name} cannot see this ephemeral message")
        if message.channel.type == DM:
            if message.channel.recipient is not actor.user:
                raise CommandError(f"{actor.name} cannot see another user's DM")
            return message.channel, None
        return self._where(actor, message.channel, False)

    async def click(
        self, actor: Member, message: Message, *, label: str | None, custom_id: str | None,
        within: float | None,
    ) -> InteractionResult:
        where, member = self._visible(actor, message)
        try:
            button = message.button(label, custom_id=custom_id)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        if button.disabled:
            raise CommandError(f"button {button.label or button.custom_id!r} is disabled")
        if button.custom_id is None:
            raise CommandError("link and premium buttons do not send interactions")
        data = {"custom_id": button.custom_id, "component_type": 2}
        record = self._create(MESSAGE_COMPONENT, actor, where, member, data, message)
        return await self._deliver(record, within)

    async def forge_click(
        self, actor: Member, message: Message, custom_id: str, *, within: float | None
    ) -> InteractionResult:
        """A click a tampered client could send: any custom_id, on a message the actor may not
        see. For tests of the bot's own ownership checks."""
        channel = message.channel
        if channel.type == DM:
            where, member = channel, None
        else:
            where, member = self._where(actor, channel, False)
        data = {"custom_id": custom_id, "component_type": 2}
        record = self._create(MESSAGE_COMPONENT, actor, where, member, data, message)
        return await self._deliver(record, within)

    async def select(
        self, actor: Member, message: Message, values: list[Any], *,
        custom_id: str | None, placeholder: str | None, within: float | None,
    ) -> InteractionResult:
        where, member = self._visible(actor, message)
        menus = [s for s in message.selects
                 if (custom_id is None or s.custom_id == custom_id)
                 and (placeholder is None or s.placeholder == placeholder)]
        if not menus:
            raise CommandError(f"no select menu {custom_id or placeholder!r} on the message")
        menu = menus[0]
        if menu.disabled:
            raise CommandError("the select menu is disabled")
        if not menu.min_values <= len(values) <= menu.max_values:
            raise CommandError(f"pick between {menu.min_values} and {menu.max_values} values")
        data: dict[str, Any] = {"custom_id": menu.custom_id, "component_type": menu.type}
        if menu.type == 3:
            allowed = [o["value"] for o in menu.options]
            bad = [v for v in values if v not in allowed]
            if bad:
                raise CommandError(f"{bad} not among the options {allowed}")
            data["values"] = list(values)
        else:
            resolved = Resolved()
            for v in values:
                if isinstance(v, Member | User):
                    resolved.add_user(v, where)
                elif isinstance(v, Role):
                    resolved.roles[str(v.id)] = v.payload()
                elif isinstance(v, Channel):
                    resolved.add_channel(v, member)
                else:
                    raise CommandError(f"cannot select {v!r}")
            data["values"] = [str(v.id) for v in values]
            data["resolved"] = resolved.payload()
        record = self._create(MESSAGE_COMPONENT, actor, where, member, data, message)
        return await self._deliver(record, within)

    # -- modals ----------------------------------------------------------------

    async def submit(
        self, actor: Member, modal: Modal, values: dict[str, str], *, within: float | None
    ) -> InteractionResult:
        if modal.user_id != actor.id:
            raise CommandError(f"the modal {modal.title!r} was not shown to {actor.name}")
        if modal.submitted:
            raise CommandError(f"the modal {modal.title!r} was already submitted")
        inputs = modal.text_inputs
        by_key: dict[str, str] = {}
        for key, value in values.items():
            match = next((t for t in inputs if key in (t.custom_id, t.label)), None)
            if match is None:
                known = [t.label or t.custom_id for t in inputs]
                raise CommandError(f"modal has no text input {key!r}; inputs: {known}")
            by_key[match.custom_id] = value
        rows: list[dict[str, Any]] = []
        for top in modal.components:
            kids = [top["component"]] if top.get("type") == 18 else top.get("components", [])
            submitted: list[dict[str, Any]] = []
            for comp in kids:
                if comp.get("type") != 4:
                    continue
                cid = comp["custom_id"]
                value = by_key.get(cid, comp.get("value") or "")
                required = comp.get("required", True)
                if required and not value:
                    raise CommandError(f"text input {cid!r} is required")
                if value:
                    lo, hi = comp.get("min_length"), comp.get("max_length")
                    if lo is not None and len(value) < lo:
                        raise CommandError(f"text input {cid!r} shorter than {lo}")
                    if len(value) > (hi if hi is not None else 4000):
                        raise CommandError(f"text input {cid!r} longer than {hi or 4000}")
                submitted.append({"type": 4, "custom_id": cid, "value": value})
            if top.get("type") == 18 and submitted:
                rows.append({"type": 18, "component": submitted[0]})
            elif submitted:
                rows.append({"type": 1, "components": submitted})
        source: InteractionRecord = modal.source
        member = source.member
        data = {"custom_id": modal.custom_id, "components": rows}
        record = self._create(MODAL_SUBMIT, actor, source.channel, member, data,
                              source.source_message)
        modal.submitted = True
        return await self._deliver(record, within)
