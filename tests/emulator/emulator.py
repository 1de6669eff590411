"""A loopback Discord (gateway + REST) for driving the real discord.py client in tests."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import math
import re
import secrets
import time
import zlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import discord
from aiohttp import BodyPartReader, WSMsgType, web

from . import limits
from .commands import CommandStore
from .faults import DROP, FaultSet
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    UPDATE_MESSAGE,
    InteractionEngine,
    InteractionRecord,
)
from .models import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    DM,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    GUILD_TEXT,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    Attachment,
    Channel,
    Guild,
    Member,
    Message,
    Modal,
    Overwrite,
    Role,
    SnowflakeFactory,
    User,
    utcnow,
)

log = logging.getLogger(__name__)

P = discord.Permissions
PERM_VIEW = P(view_channel=True).value
PERM_SEND = P(send_messages=True).value
PERM_SEND_THREADS = P(send_messages_in_threads=True).value
PERM_ATTACH = P(attach_files=True).value
PERM_EMBED = P(embed_links=True).value
PERM_HISTORY = P(read_message_history=True).value
PERM_MANAGE_MESSAGES = P(manage_messages=True).value
PERM_MANAGE_THREADS = P(manage_threads=True).value
PERM_CREATE_PUBLIC = P(create_public_threads=True).value
PERM_CREATE_PRIVATE = P(create_private_threads=True).value

INTENT_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15

# Editable message fields and which interaction responses may carry them.
MESSAGE_FIELDS = ("content", "embeds", "components", "flags")
ALLOWED_FLAGS = FLAG_EPHEMERAL | (1 << 2) | (1 << 12) | (1 << 15)


@dataclass
class Violation:
    """A request the real Discord would reject (or a route the emulator does not know)."""

    method: str
    path: str
    code: int
    message: str
    errors: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        detail = f" {json.dumps(self.errors)}" if self.errors else ""
        return f"{self.method} {self.path}: {self.code} {self.message}{detail}"


@dataclass
class RequestLog:
    method: str
    path: str
    status: int = 0
    #: ``time.monotonic()`` when the request arrived
    at: float = 0.0


class ApiError(Exception):
    """An error answer; ``violation`` marks the ones that reveal a bot bug."""

    def __init__(self, status: int, code: int, message: str, *, violation: bool = False,
                 errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.violation = violation
        self.errors = errors or {}

    @classmethod
    def invalid_form(cls, problems: list[limits.Problem]) -> ApiError:
        return cls(400, 50035, "Invalid Form Body", violation=True,
                   errors=limits.form_errors(problems))

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            data["errors"] = self.errors
        return data


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None
                  ) -> web.Response:
    """JSON with ``Content-Type: application/json`` exactly (no charset), as Discord sends."""
    hdrs = {"Content-Type": "application/json"}
    hdrs.update(headers or {})
    return web.Response(body=json.dumps(data).encode(), status=status, headers=hdrs)


@dataclass
class UploadedFile:
    filename: str
    data: bytes
    content_type: str | None


@dataclass
class Call:
    """One parsed REST request."""

    request: web.Request
    method: str
    path: str
    params: dict[str, str]
    body: Any
    files: dict[int, UploadedFile]

    def id(self, key: str) -> int:
        return int(self.params[key])

    @property
    def query(self) -> Any:
        return self.request.query


Handler = Callable[[Call], Awaitable[Any]]


# ---------------------------------------------------------------------------
# Gateway
# ---------------------------------------------------------------------------


class GatewayConnection:
    """One WebSocket; frames go out in order through a queue."""

    def __init__(self, ws: web.WebSocketResponse, compress: str | None) -> None:
        self.ws = ws
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.writer = asyncio.create_task(self._write())
        self.session: GatewaySession | None = None
        self.closed_by_server = False

    def send(self, payload: dict[str, Any]) -> None:
        self.queue.put_nowait(payload)

    async def _write(self) -> None:
        while True:
            payload = await self.queue.get()
            try:
                if payload is None or self.ws.closed:
                    return
                data = json.dumps(payload).encode()
                if self._zlib is not None:
                    frame = self._zlib.compress(data) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(frame)
                else:
                    await self.ws.send_str(data.decode())
            except ConnectionError:
                return
            finally:
                self.queue.task_done()

    async def close(self, code: int) -> None:
        self.closed_by_server = True
        self.queue.put_nowait(None)
        await self.ws.close(code=code)


@dataclass(eq=False)
class GatewaySession:
    id: str
    intents: int
    seq: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list)
    connection: GatewayConnection | None = None

    def push(self, event: str, data: Any) -> None:
        self.seq += 1
        payload = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.buffer.append(payload)
        if self.connection is not None:
            self.connection.send(payload)


# ---------------------------------------------------------------------------
# The emulator
# ---------------------------------------------------------------------------


class DiscordEmulator:
    """Discord on 127.0.0.1: one bot application, guilds, members, a REST API and a gateway."""

    def __init__(self, *, bot_name: str = "Recall", host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.snowflake = SnowflakeFactory()
        self.bot_user = User(self, self.snowflake(), bot_name, bot=True)
        # Shaped like a real token: base64 of the bot's id, a timestamp part, an HMAC part.
        bot_id_part = base64.urlsafe_b64encode(str(self.bot_user.id).encode()).decode().rstrip("=")
        self.bot_token = f"{bot_id_part}.{secrets.token_urlsafe(5)}.{secrets.token_urlsafe(27)}"
        self.application_id = self.bot_user.id
        self.owner = User(self, self.snowflake(), "owner")
        self.users: dict[int, User] = {self.bot_user.id: self.bot_user, self.owner.id: self.owner}
        #: the guilds the bot is in
        self.guilds: dict[int, Guild] = {}
        #: guilds the bot was removed from (kicked, or the server deleted), by id
        self.left_guilds: dict[int, Guild] = {}
        #: guilds in an outage (unavailable), by id: see ``start_outage``
        self.outages: set[int] = set()
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.attachments: dict[int, Attachment] = {}
        self.dm_channels: dict[int, Channel] = {}
        self.reactions: list[tuple[int, str]] = []
        self.commands = CommandStore(self)
        self.interactions = InteractionEngine(self)
        self.faults = FaultSet()
        self.violations: list[Violation] = []
        self.requests: list[RequestLog] = []
        # Behaviour knobs.
        self.ack_deadline = 3.0
        #: a click or form answered with a deferred update returns once the bot has edited
        #: the message or sent a followup (within ``settle_within`` s), not at the deferral;
        #: so does a form answered "thinking", once that message is filled in
        self.settle_deferred_updates = True
        self.settle_within = 10.0
        self.token_lifetime = 15 * 60.0
        self.global_rate_limit: int | None = None
        self.invalid_session_next = False
        self.heartbeat_interval_ms = 41250
        self.dm_permissions = P(view_channel=True, send_messages=True, embed_links=True,
                                attach_files=True, read_message_history=True).value
        self.clock_offset = 0.0
        # Runtime.
        self._runner: web.AppRunner | None = None
        self._sessions: dict[str, GatewaySession] = {}
        self._session: GatewaySession | None = None
        self._connections: set[GatewayConnection] = set()
        self._changed = asyncio.Event()
        self._recent: deque[float] = deque()
        self.connects = 0
        self.identifies = 0
        self.resumes = 0
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._install_routes()

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{aid}/{filename}", self._serve_attachment)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        for conn in list(self._connections):
            with contextlib.suppress(Exception):
                await conn.close(1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value (as a ``yarl.URL``) for ``DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://{self.host}:{self.port}/gateway"

    def now(self) -> float:
        """Clock for ack deadlines and token expiry; ``advance_time`` moves it forward."""
        return time.monotonic() + self.clock_offset

    def advance_time(self, seconds: float) -> None:
        self.clock_offset += seconds

    @contextlib.asynccontextmanager
    async def run_client(
        self, client: discord.Client, *, token: str | None = None, within: float = 10.0
    ) -> AsyncIterator[discord.Client]:
        """Start ``client`` against the emulator, wait for ``on_ready``, close it on exit."""
        task = asyncio.create_task(client.start(token or self.bot_token))
        deadline = time.monotonic() + within
        try:
            while not client.is_ready():
                if task.done():
                    task.result()  # login failure etc. is raised here
                    raise AssertionError("client stopped before it was ready")
                if time.monotonic() > deadline:
                    raise TimeoutError("client was not ready in time")
                await asyncio.sleep(0.01)
            yield client
        finally:
            await client.close()
            with contextlib.suppress(asyncio.CancelledError, discord.DiscordException):
                await asyncio.wait_for(task, 5)

    # -- waiting -------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], Any], within: float = 5.0) -> None:
        """Wait until ``predicate()`` is true; re-checked whenever the emulator's state changes."""
        async with asyncio.timeout(within):
            while not predicate():
                event = self._changed
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), 0.05)

    async def settle(self, delay: float = 0.05) -> None:
        """Let queued gateway events reach the client and be handled."""
        for conn in list(self._connections):
            await conn.queue.join()
        await asyncio.sleep(delay)

    # -- world building ------------------------------------------------------------

    def add_user(self, name: str, *, bot: bool = False) -> User:
        user = User(self, self.snowflake(), name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, *, bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
                  everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS) -> Guild:
        """A guild with @everyone, the bot's managed role, the bot member and #general."""
        guild = Guild(self, self.snowflake(), name, owner_id=self.owner.id)
        guild.roles[guild.id] = Role(guild, guild.id, "@everyone", everyone_permissions,
                                     position=0)
        bot_role = Role(guild, self.snowflake(), self.bot_user.name, bot_permissions,
                        position=1, managed=True, bot_id=self.bot_user.id)
        guild.roles[bot_role.id] = bot_role
        guild.members[self.bot_user.id] = Member(self.bot_user, guild, [bot_role])
        guild.members[self.owner.id] = Member(self.owner, guild, [])
        self.guilds[guild.id] = guild
        general = Channel(self, self.snowflake(), GUILD_TEXT, "general", guild=guild)
        guild.channels[general.id] = general
        self.channels[general.id] = general
        if self._session is not None:
            self.dispatch("GUILD_CREATE", self._guild_payload(guild))
        return guild

    def attachment(self, filename: str, data: bytes, content_type: str | None = None
                   ) -> Attachment:
        """A file a member uploads (for attachment options); served on the loopback URL."""
        return self._store_file(filename, data, content_type)

    def dm_channel(self, user: User) -> Channel:
        channel = self.dm_channels.get(user.id)
        if channel is None:
            channel = Channel(self, self.snowflake(), DM, "", recipient=user)
            self.dm_channels[user.id] = channel
            self.channels[channel.id] = channel
        return channel

    def close_dms(self, user: User | Member) -> None:
        """The user no longer accepts DMs: the bot's DM sends get 403 (code 50007)."""
        (user.user if isinstance(user, Member) else user).dms_open = False

    def open_dms(self, user: User | Member) -> None:
        (user.user if isinstance(user, Member) else user).dms_open = True

    async def delete_channel(self, channel: Channel) -> None:
        """Delete a channel (CHANNEL_DELETE); REST on it then answers 404 (code 10003)."""
        channel.deleted = True
        event = "THREAD_DELETE" if channel.is_thread else "CHANNEL_DELETE"
        self.dispatch(event, channel.payload())
        await self.settle()

    async def remove_bot(self, guild: Guild) -> None:
        """The bot kicked from ``guild``, or the server deleted: GUILD_DELETE without
        ``unavailable``. REST on the guild's channels then answers 403 Missing Access (code
        50001), its guild routes 404 Unknown Guild (10004); the bot hears nothing more of
        it, its DMs reach only users it still shares a guild with, and its commands cannot
        be run there."""
        if self.guilds.pop(guild.id, None) is None:
            raise AssertionError(f"the bot is not in {guild.name}")
        self.left_guilds[guild.id] = guild
        self.dispatch("GUILD_DELETE", {"id": str(guild.id)})
        await self.settle()

    async def add_bot(self, guild: Guild) -> None:
        """The bot added back to a guild it was removed from: GUILD_CREATE, as on joining."""
        if self.left_guilds.pop(guild.id, None) is None:
            raise AssertionError(f"the bot was not removed from {guild.name}")
        self.guilds[guild.id] = guild
        self.dispatch("GUILD_CREATE", self._guild_payload(guild))
        await self.settle()

    async def start_outage(self, guild: Guild) -> None:
        """``guild`` goes down on Discord's side (an outage): the bot stays in it. With the
        bot connected: GUILD_DELETE with ``unavailable: true`` (discord.py keeps the guild,
        marked unavailable, with what it had cached); before it connects: READY lists it,
        as every guild, unavailable, and its GUILD_CREATE is held back until
        ``end_outage``. Meanwhile no event of it reaches the bot, REST on its channels and
        guild routes answers 503 Service Unavailable (which discord.py raises at once as
        ``DiscordServerError``, where a 500 it retries for seconds) and its commands
        cannot be run."""
        if guild.id not in self.guilds:
            raise AssertionError(f"the bot is not in {guild.name}")
        if guild.id in self.outages:
            raise AssertionError(f"{guild.name} is already in an outage")
        self.dispatch("GUILD_DELETE", {"id": str(guild.id), "unavailable": True})
        self.outages.add(guild.id)
        await self.settle()

    async def end_outage(self, guild: Guild) -> None:
        """The outage of ``guild`` is over: GUILD_CREATE (``unavailable: false``) with the
        guild as it is now, what changed meanwhile included."""
        if guild.id not in self.outages:
            raise AssertionError(f"{guild.name} is not in an outage")
        self.outages.discard(guild.id)
        self.dispatch("GUILD_CREATE", self._guild_payload(guild))
        await self.settle()

    def shares_guild(self, user: User) -> bool:
        """Whether ``user`` is in a guild with the bot (what a bot's DM to them needs)."""
        return any(user.id in g.members for g in self.guilds.values())

    # -- records -------------------------------------------------------------------

    def channel_messages(self, channel: Channel) -> list[Message]:
        """Messages in the channel (latest state, oldest first), without ephemeral ones."""
        return [m for m in self.messages.values()
                if m.channel is channel and not m.deleted and not m.ephemeral]

    def dms(self, user: User | Member) -> list[Message]:
        """Messages in the DM channel with ``user``."""
        u = user.user if isinstance(user, Member) else user
        channel = self.dm_channels.get(u.id)
        return self.channel_messages(channel) if channel else []

    def ephemeral_messages(self, user: User | Member | None = None) -> list[Message]:
        uid = user.id if user is not None else None
        return [m for m in self.messages.values()
                if m.ephemeral and not m.deleted and (uid is None or m.visible_to == uid)]

    @property
    def threads(self) -> list[Channel]:
        return [c for c in self.channels.values() if c.is_thread]

    @property
    def files(self) -> list[Attachment]:
        return list(self.attachments.values())

    def last_message(self, channel: Channel) -> Message:
        msgs = self.channel_messages(channel)
        if not msgs:
            raise LookupError(f"no messages in #{channel.name}")
        return msgs[-1]

    def post_user_message(self, member: Member, channel: Channel, content: str) -> Message:
        msg = Message(self, self.snowflake(), channel, member.user, content=content)
        self.messages[msg.id] = msg
        self._dispatch_message("MESSAGE_CREATE", msg)
        self._notify()
        return msg

    # -- gateway dispatch --------------------------------------------------------

    @property
    def bot_connected(self) -> bool:
        return self._session is not None

    def intents_include(self, intent: int) -> bool:
        return self._session is not None and self._session.intents & intent == intent

    def dispatch(self, event: str, data: Any) -> None:
        """Send a gateway event to the bot's session (buffered while it is reconnecting);
        nothing of a guild the bot was removed from or that is in an outage."""
        if isinstance(data, dict):
            gid = int(data.get("guild_id") or 0)
            if gid in self.left_guilds or gid in self.outages:
                return
        if self._session is not None:
            self._session.push(event, data)

    def _dispatch_message(self, event: str, msg: Message) -> None:
        if msg.ephemeral or self._session is None:
            return
        dm = msg.channel.type == DM
        if not self.intents_include(INTENT_DIRECT_MESSAGES if dm else INTENT_GUILD_MESSAGES):
            return
        data = msg.payload()
        if msg.author is not self.bot_user and not dm and not self.intents_include(
            INTENT_MESSAGE_CONTENT
        ) and self.bot_user.mention not in msg.content:
            data.update(content="", embeds=[], components=[], attachments=[])
        if msg.channel.guild is not None and msg.author.id in msg.channel.guild.members:
            data["member"] = msg.channel.guild.members[msg.author.id].payload(with_user=False)
        self.dispatch(event, data)

    async def drop_gateway(self, *, wait: bool = True, within: float = 10.0) -> None:
        """Close the bot's WebSocket (code 4000) so it resumes; waits for it to be back."""
        session = self._session
        conn = session.connection if session else None
        if conn is None:
            raise AssertionError("no gateway connection to drop")
        before = self.connects
        await conn.close(4000)
        if wait:
            await self.wait_until(
                lambda: self.connects > before and self._session is not None
                and self._session.connection is not None, within=within)

    def _guild_payload(self, guild: Guild) -> dict[str, Any]:
        return guild.payload(include_members=self.intents_include(INTENT_MEMBERS))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(ws, request.query.get("compress"))
        self._connections.add(conn)
        conn.send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        try:
            async for msg in ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                raw = msg.data if isinstance(msg.data, str) else msg.data.decode()
                await self._gateway_op(conn, json.loads(raw))
        finally:
            self._connections.discard(conn)
            conn.queue.put_nowait(None)
            session = conn.session
            if session is not None and session.connection is conn:
                session.connection = None
                clean = not conn.closed_by_server and ws.close_code in (1000, 1001)
                if clean and self._session is session:
                    # A clean close ends the session; the next connect must IDENTIFY.
                    self._session = None
                    self._sessions.pop(session.id, None)
            self._notify()
        return ws

    async def _gateway_op(self, conn: GatewayConnection, msg: dict[str, Any]) -> None:
        op, data = msg.get("op"), msg.get("d") or {}
        if op == 1:
            conn.send({"op": 11})
        elif op == 2:
            await self._identify(conn, data)
        elif op == 6:
            self._resume(conn, data)
        elif op == 8:
            self._request_members(data)
        elif op in (3, 4):
            pass  # presence / voice state updates: accepted, nothing to do
        else:
            log.warning("gateway op %s not handled", op)

    async def _identify(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        if data.get("token") != self.bot_token:
            await conn.close(4004)
            return
        self.identifies += 1
        self.connects += 1
        if self._session is not None and self._session.connection is not None:
            self._session.connection = None
        session = GatewaySession(secrets.token_hex(16), int(data.get("intents", 0)))
        session.connection = conn
        conn.session = session
        self._sessions[session.id] = session
        self._session = session
        session.push("READY", {
            "v": 10,
            "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self.guilds.values()],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "shard": data.get("shard", [0, 1]),
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
        })
        for guild in self.guilds.values():
            if guild.id not in self.outages:  # held back until the outage ends
                session.push("GUILD_CREATE", self._guild_payload(guild))
        self._notify()

    def _resume(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        session = self._sessions.get(data.get("session_id", ""))
        if self.invalid_session_next or session is None or data.get("token") != self.bot_token:
            self.invalid_session_next = False
            if session is not None:
                self._sessions.pop(session.id, None)
                if self._session is session:
                    self._session = None
            conn.send({"op": 9, "d": False})
            return
        self.resumes += 1
        self.connects += 1
        session.connection = conn
        conn.session = session
        self._session = session
        last = int(data.get("seq") or 0)
        for payload in session.buffer:
            if payload["s"] > last:
                conn.send(payload)
        session.push("RESUMED", {})
        self._notify()

    def _request_members(self, data: dict[str, Any]) -> None:
        guild = self.guilds.get(int(data.get("guild_id", 0)))
        if guild is None:
            return
        self.dispatch("GUILD_MEMBERS_CHUNK", {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in guild.members.values()],
            "chunk_index": 0,
            "chunk_count": 1,
            "nonce": data.get("nonce"),
            "not_found": [],
        })

    # -- HTTP plumbing -----------------------------------------------------------

    def _violation(self, method: str, path: str, err: ApiError) -> None:
        violation = Violation(method, path, err.code, err.message, err.errors)
        self.violations.append(violation)
        log.warning("Discord would reject: %s", violation)

    async def _unknown(self, request: web.Request) -> web.Response:
        err = ApiError(404, 0, "404: Not Found")
        self._violation(request.method, request.path, err)
        return json_response(err.body(), 404)

    async def _serve_attachment(self, request: web.Request) -> web.Response:
        att = self.attachments.get(int(request.match_info["aid"]))
        if att is None or att.filename != request.match_info["filename"]:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=att.data,
                            content_type=att.content_type or "application/octet-stream")

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Register an API route; ``{name}`` segments become ``call.params``."""
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self._routes.append((method, re.compile(f"^{regex}$"), handler))

    def _match_route(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for route_method, regex, handler in self._routes:
            if route_method == method and (m := regex.match(path)):
                return handler, m.groupdict()
        return None

    def _rate_limited(self, fault_status: int, retry_after: float, global_: bool, path: str
                      ) -> web.Response:
        headers = {"Via": "1.1 google", "Retry-After": str(math.ceil(retry_after))}
        if global_:
            # The global limit is not a route's bucket: Discord sends no bucket headers.
            headers["X-RateLimit-Global"] = "true"
            headers["X-RateLimit-Scope"] = "global"
        else:
            headers.update({
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Bucket": f"emu{abs(hash(re.sub(r'[0-9]+', '', path))) % 10**8}",
                "X-RateLimit-Scope": "user",
            })
        body = {"message": "You are being rate limited.", "retry_after": retry_after,
                "global": global_, "code": 0}
        return json_response(body, fault_status, headers)

    def _global_limit(self, path: str) -> web.Response | None:
        """Discord's global limit: ``global_rate_limit`` requests in any one second, counted
        per bot; interaction endpoints (callbacks and the interaction-token webhooks) are
        not bound by it. Requests over the limit are answered 429 and not counted."""
        if not self.global_rate_limit or path.startswith(
            ("/interactions/", f"/webhooks/{self.application_id}/")
        ):
            return None
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.global_rate_limit:
            retry = max(0.01, 1.0 - (now - self._recent[0]))
            return self._rate_limited(429, round(retry, 3), True, path)
        self._recent.append(now)
        return None

    async def _parse(self, request: web.Request) -> tuple[Any, dict[int, UploadedFile]]:
        files: dict[int, UploadedFile] = {}
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            body: Any = {}
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                name = part.name or ""
                if name == "payload_json":
                    body = json.loads(await part.text())
                elif m := re.fullmatch(r"files\[(\d+)\]", name):
                    data = await part.read()
                    files[int(m.group(1))] = UploadedFile(
                        getattr(part, "filename", None) or f"file{m.group(1)}", bytes(data),
                        part.headers.get("Content-Type"))
            return body, files
        raw = await request.read()
        if not raw:
            return None, files
        return json.loads(raw), files

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        method = request.method
        path = "/" + request.match_info["tail"]
        entry = RequestLog(method, path, at=time.monotonic())
        self.requests.append(entry)
        response = await self._handle(request, method, path)
        entry.status = response.status
        self._notify()
        return response

    async def _handle(self, request: web.Request, method: str, path: str) -> web.StreamResponse:
        fault = self.faults.take(method, path)
        if fault is not None:
            if fault.status == DROP:
                # The connection is cut before any answer: the client sees a network error.
                if request.transport is not None:
                    request.transport.abort()
                return web.Response(status=499)
            if fault.status == 429:
                return self._rate_limited(429, fault.retry_after, fault.global_, path)
            return json_response({"message": f"{fault.status}: Server Error", "code": 0},
                                 fault.status)
        if (limited := self._global_limit(path)) is not None:
            return limited
        found = self._match_route(method, path)
        if found is None:
            err = ApiError(404, 0, "404: Not Found")
            self._violation(method, path, err)
            return json_response(err.body(), 404)
        handler, params = found
        token_free = path.startswith(("/interactions/", "/webhooks/"))
        if not token_free and request.headers.get("Authorization") != f"Bot {self.bot_token}":
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)
        try:
            body, files = await self._parse(request)
            result = await handler(Call(request, method, path, params, body, files))
        except ApiError as err:
            if err.violation:
                self._violation(method, path, err)
            return json_response(err.body(), err.status)
        if isinstance(result, web.StreamResponse):
            return result
        if result is None:
            return web.Response(status=204)
        return json_response(result)

    # -- shared REST logic --------------------------------------------------

    def _store_file(self, filename: str, data: bytes, content_type: str | None,
                    description: str | None = None) -> Attachment:
        aid = self.snowflake()
        att = Attachment(aid, filename, data, f"{self.base_url}/attachments/{aid}/{filename}",
                         content_type, description)
        self.attachments[aid] = att
        return att

    def _resolve_attachments(self, body: dict[str, Any], files: dict[int, UploadedFile],
                             existing: list[Attachment]) -> list[Attachment]:
        """New uploads (``attachments[].id`` = file index) plus kept attachments by id."""
        if sum(len(f.data) for f in files.values()) > limits.UPLOAD_MAX_BYTES:
            raise ApiError(413, 40005, "Request entity too large", violation=True)
        if "attachments" not in body:
            return self._check_attachment_count(
                existing + [self._store_file(f.filename, f.data, f.content_type)
                            for f in files.values()])
        out: list[Attachment] = []
        used: set[int] = set()
        for entry in body["attachments"] or []:
            aid = int(entry["id"])
            if aid in files and aid not in used:
                up = files[aid]
                used.add(aid)
                out.append(self._store_file(entry.get("filename") or up.filename, up.data,
                                            up.content_type, entry.get("description")))
            else:
                kept = next((a for a in existing if a.id == aid), None)
                if kept is None:
                    raise ApiError(400, 50035, "Invalid Form Body", violation=True,
                                   errors=limits.form_errors(
                                       [("attachments", f"Unknown attachment {aid}")]))
                out.append(kept)
        out += [self._store_file(f.filename, f.data, f.content_type)
                for i, f in files.items() if i not in used]
        return self._check_attachment_count(out)

    @staticmethod
    def _check_attachment_count(out: list[Attachment]) -> list[Attachment]:
        if len(out) > limits.ATTACHMENTS_MAX:
            raise ApiError.invalid_form(
                [("attachments", f"Must be {limits.ATTACHMENTS_MAX} or fewer in length.")])
        return out

    def _check_message_body(self, body: dict[str, Any]) -> None:
        problems: list[limits.Problem] = []
        limits.check_message(body, problems)
        if problems:
            raise ApiError.invalid_form(problems)

    def _new_message(
        self, channel: Channel, body: dict[str, Any] | None, files: dict[int, UploadedFile],
        *, interaction: InteractionRecord | None = None, ephemeral: bool = False,
        loading: bool = False,
    ) -> Message:
        body = body or {}
        self._check_message_body(body)
        attachments = self._resolve_attachments(body, files, [])
        has_content = (body.get("content") or body.get("embeds") or body.get("components")
                       or attachments or body.get("sticker_ids") or body.get("poll"))
        if not has_content and not loading:
            raise ApiError(400, 50006, "Cannot send an empty message", violation=True)
        flags = int(body.get("flags") or 0) & ALLOWED_FLAGS
        if ephemeral:
            flags |= FLAG_EPHEMERAL
        if loading:
            flags |= FLAG_LOADING
        msg = Message(
            self, self.snowflake(), channel, self.bot_user,
            content=body.get("content") or "",
            embeds=[{"type": "rich", **e} for e in body.get("embeds") or []],
            components=body.get("components") or [],
            attachments=attachments,
            flags=flags,
        )
        if body.get("message_reference"):
            msg.message_reference = body["message_reference"]
            msg.type = 19
        if interaction is not None:
            msg.webhook_id = self.application_id
            msg.type = 20 if interaction.type == APPLICATION_COMMAND else 0
            msg.interaction_metadata = {
                "id": str(interaction.id), "type": interaction.type,
                "user": interaction.user.payload(),
                "authorizing_integration_owners": interaction.payload.get(
                    "authorizing_integration_owners", {}),
            }
            if interaction.type == APPLICATION_COMMAND:
                msg.interaction_metadata["name"] = interaction.data.get("name")
            if msg.ephemeral:
                msg.visible_to = interaction.user.id
        self.messages[msg.id] = msg
        self._dispatch_message("MESSAGE_CREATE", msg)
        return msg

    def _edit_message(self, msg: Message, body: dict[str, Any] | None,
                      files: dict[int, UploadedFile]) -> Message:
        body = body or {}
        self._check_message_body(body)
        msg.history.append(msg.snapshot())
        if "content" in body:
            msg.content = body["content"] or ""
        if "embeds" in body:
            msg.embeds = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "components" in body:
            msg.components = body["components"] or []
        if "flags" in body and body["flags"] is not None:
            keep = msg.flags & FLAG_EPHEMERAL
            msg.flags = (int(body["flags"]) & ALLOWED_FLAGS & ~FLAG_EPHEMERAL) | keep
        if "attachments" in body or files:
            msg.attachments = self._resolve_attachments(body, files, msg.attachments)
        msg.flags &= ~FLAG_LOADING
        msg.edited_at = utcnow()
        self._dispatch_message("MESSAGE_UPDATE", msg)
        return msg

    def _delete_message(self, msg: Message) -> None:
        msg.deleted = True
        if not msg.ephemeral:
            data: dict[str, Any] = {"id": str(msg.id), "channel_id": str(msg.channel.id)}
            if msg.channel.guild is not None:
                data["guild_id"] = str(msg.channel.guild.id)
            intent = INTENT_DIRECT_MESSAGES if msg.channel.type == DM else INTENT_GUILD_MESSAGES
            if self.intents_include(intent):
                self.dispatch("MESSAGE_DELETE", data)

    def _channel(self, call: Call, key: str = "channel_id") -> Channel:
        channel = self.channels.get(call.id(key))
        if channel is None or channel.deleted:
            raise ApiError(404, 10003, "Unknown Channel")
        if channel.guild is not None and channel.guild.id not in self.guilds:
            raise ApiError(403, 50001, "Missing Access")  # the bot was removed from it
        if channel.guild is not None and channel.guild.id in self.outages:
            raise ApiError(503, 0, "503: Service Unavailable")
        return channel

    def _message(self, channel: Channel, mid: int) -> Message:
        msg = self.messages.get(mid)
        if msg is None or msg.deleted or msg.channel is not channel or msg.ephemeral:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    def _bot_perms(self, channel: Channel) -> int:
        if channel.guild is None:
            return self.dm_permissions
        return channel.guild.permissions_for(channel.guild.me, channel)

    def _require(self, channel: Channel, needed: int) -> None:
        perms = self._bot_perms(channel)
        if not perms & PERM_VIEW:
            raise ApiError(403, 50001, "Missing Access")
        if perms & needed != needed:
            raise ApiError(403, 50013, "Missing Permissions")

    # -- routes ------------------------------------------------------------------

    def _install_routes(self) -> None:
        r = self.route
        r("GET", "/gateway", self._get_gateway)
        r("GET", "/gateway/bot", self._get_gateway)
        r("GET", "/users/@me", self._get_me)
        r("GET", "/users/{user_id}", self._get_user)
        r("POST", "/users/@me/channels", self._create_dm)
        r("GET", "/oauth2/applications/@me", self._get_application)
        r("GET", "/applications/@me", self._get_application)
        for scope in ("/applications/{app_id}", "/applications/{app_id}/guilds/{guild_id}"):
            r("GET", f"{scope}/commands", self._list_commands)
            r("PUT", f"{scope}/commands", self._put_commands)
            r("POST", f"{scope}/commands", self._post_command)
            r("GET", f"{scope}/commands/{{command_id}}", self._get_command)
            r("PATCH", f"{scope}/commands/{{command_id}}", self._patch_command)
            r("DELETE", f"{scope}/commands/{{command_id}}", self._delete_command)
        r("GET", "/applications/{app_id}/guilds/{guild_id}/commands/permissions",
          self._empty_list)
        r("GET", "/applications/{app_id}/emojis", self._empty_items)
        r("POST", "/interactions/{interaction_id}/{token}/callback", self._callback)
        r("POST", "/webhooks/{app_id}/{token}", self._followup)
        for verb, h in (("GET", self._get_webhook_message), ("PATCH", self._edit_webhook_message),
                        ("DELETE", self._delete_webhook_message)):
            r(verb, "/webhooks/{app_id}/{token}/messages/{message_id}", h)
        r("GET", "/channels/{channel_id}", self._get_channel)
        r("PATCH", "/channels/{channel_id}", self._patch_channel)
        r("DELETE", "/channels/{channel_id}", self._delete_channel_rest)
        r("GET", "/channels/{channel_id}/messages", self._list_messages)
        r("POST", "/channels/{channel_id}/messages", self._post_message)
        r("GET", "/channels/{channel_id}/messages/{message_id}", self._get_message)
        r("PATCH", "/channels/{channel_id}/messages/{message_id}", self._patch_message)
        r("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_message_rest)
        r("POST", "/channels/{channel_id}/messages/{message_id}/threads", self._thread_from_msg)
        r("POST", "/channels/{channel_id}/threads", self._thread_without_msg)
        r("PUT", "/channels/{channel_id}/thread-members/@me", self._no_content)
        r("DELETE", "/channels/{channel_id}/thread-members/@me", self._no_content)
        r("POST", "/channels/{channel_id}/typing", self._no_content)
        r("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
          self._add_reaction)
        r("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
          self._no_content)
        r("PUT", "/channels/{channel_id}/pins/{message_id}", self._no_content)
        r("DELETE", "/channels/{channel_id}/pins/{message_id}", self._no_content)
        r("PUT", "/channels/{channel_id}/permissions/{target_id}", self._put_overwrite)
        r("DELETE", "/channels/{channel_id}/permissions/{target_id}", self._delete_overwrite)
        r("GET", "/guilds/{guild_id}", self._get_guild)
        r("GET", "/guilds/{guild_id}/channels", self._get_guild_channels)
        r("GET", "/guilds/{guild_id}/roles", self._get_guild_roles)
        r("GET", "/guilds/{guild_id}/members", self._get_guild_members)
        r("GET", "/guilds/{guild_id}/members/{user_id}", self._get_guild_member)

    async def _no_content(self, call: Call) -> None:
        self._channel(call)
        return None

    async def _empty_list(self, call: Call) -> list[Any]:
        return []

    async def _empty_items(self, call: Call) -> dict[str, Any]:
        return {"items": []}

    async def _get_gateway(self, call: Call) -> dict[str, Any]:
        return {"url": self.gateway_url, "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 1000,
                                        "reset_after": 0, "max_concurrency": 1}}

    # users / application

    async def _get_me(self, call: Call) -> dict[str, Any]:
        return {**self.bot_user.payload(), "verified": True, "mfa_enabled": False,
                "locale": "en-US"}

    async def _get_user(self, call: Call) -> dict[str, Any]:
        user = self.users.get(call.id("user_id"))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return user.payload()

    async def _get_application(self, call: Call) -> dict[str, Any]:
        return {
            "id": str(self.application_id), "name": self.bot_user.name, "icon": None,
            "description": "", "summary": "", "bot_public": True,
            "bot_require_code_grant": False, "verify_key": "0" * 64,
            "owner": self.owner.payload(), "team": None, "flags": 0,
            "interactions_endpoint_url": None, "bot": self.bot_user.payload(),
            "approximate_guild_count": len(self.guilds),
        }

    async def _create_dm(self, call: Call) -> dict[str, Any]:
        user = self.users.get(int(call.body["recipient_id"]))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return self.dm_channel(user).payload()

    # commands

    def _scope(self, call: Call) -> int | None:
        if call.id("app_id") != self.application_id:
            raise ApiError(403, 50001, "Missing Access")
        if "guild_id" in call.params:
            gid = call.id("guild_id")
            if gid not in self.guilds:
                raise ApiError(403, 50001, "Missing Access")
            return gid
        return None

    async def _list_commands(self, call: Call) -> list[dict[str, Any]]:
        return self.commands.listing(self._scope(call))

    async def _put_commands(self, call: Call) -> list[dict[str, Any]]:
        scope = self._scope(call)
        stamped = self.commands.replace(scope, call.body or [])
        self._notify()
        return stamped

    async def _post_command(self, call: Call) -> dict[str, Any]:
        return self.commands.upsert(self._scope(call), call.body)

    def _find_command(self, call: Call) -> dict[str, Any]:
        for cmd in self.commands.listing(self._scope(call)):
            if cmd["id"] == call.params["command_id"]:
                return cmd
        raise ApiError(404, 10063, "Unknown application command")

    async def _get_command(self, call: Call) -> dict[str, Any]:
        return self._find_command(call)

    async def _patch_command(self, call: Call) -> dict[str, Any]:
        cmd = self._find_command(call)
        return self.commands.upsert(self._scope(call), {**cmd, **call.body})

    async def _delete_command(self, call: Call) -> None:
        cmd = self._find_command(call)
        scope = self._scope(call)
        self.commands.replace(scope, [c for c in self.commands.listing(scope) if c is not cmd])

    # interactions

    def _interaction_for_token(self, call: Call) -> InteractionRecord:
        record = self.interactions.by_token.get(call.params["token"])
        if record is None or call.id("app_id") != self.application_id:
            raise ApiError(404, 10015, "Unknown Webhook", violation=True)
        if self.now() - record.created_at > self.token_lifetime:
            raise ApiError(401, 50027, "Invalid Webhook Token", violation=True)
        if record.response_type is None:
            raise ApiError(404, 10015, "Unknown Webhook", violation=True)
        return record

    async def _callback(self, call: Call) -> Any:
        record = self.interactions.by_id.get(call.id("interaction_id"))
        if record is None or record.token != call.params["token"]:
            raise ApiError(404, 10062, "Unknown interaction", violation=True)
        try:
            return self._acknowledge(record, call)
        except ApiError as err:
            record.errors.append((err.code, err.message))
            self._notify()
            raise
        finally:
            self.interactions.changed(record)

    def _acknowledge(self, record: InteractionRecord, call: Call) -> Any:
        body = call.body or {}
        record.callbacks.append(body)
        if record.response_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.",
                           violation=True)
        elapsed = self.now() - record.created_at
        if elapsed > self.ack_deadline:
            raise ApiError(404, 10062, f"Unknown interaction (acknowledged after "
                           f"{elapsed:.2f}s > {self.ack_deadline}s)", violation=True)
        rtype = body.get("type")
        data = body.get("data") or {}
        allowed = {
            APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL},
            MESSAGE_COMPONENT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE,
                                UPDATE_MESSAGE, MODAL},
            MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE,
                           UPDATE_MESSAGE},
            AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
        }[record.type]
        if rtype not in allowed or (
            rtype in (DEFERRED_UPDATE, UPDATE_MESSAGE) and record.source_message is None
        ):
            raise ApiError(400, 50035, "Invalid Form Body", violation=True,
                           errors=limits.form_errors([("type", f"Response type {rtype} is "
                                                       f"not valid for interaction type "
                                                       f"{record.type}")]))
        resource_message: Message | None = None
        if rtype in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            ephemeral = bool(int(data.get("flags") or 0) & FLAG_EPHEMERAL)
            if not ephemeral and record.channel.type != DM:
                self._check_interaction_channel(record)
            msg = self._new_message(record.channel, data, call.files, interaction=record,
                                    ephemeral=ephemeral,
                                    loading=rtype == DEFERRED_CHANNEL_MESSAGE)
            record.original = resource_message = msg
        elif rtype == DEFERRED_UPDATE:
            record.original = record.source_message
        elif rtype == UPDATE_MESSAGE:
            assert record.source_message is not None
            resource_message = self._edit_message(record.source_message, data, call.files)
            record.original = resource_message
        elif rtype == AUTOCOMPLETE_RESULT:
            problems: list[limits.Problem] = []
            limits.check_choices(data.get("choices") or [], problems)
            if problems:
                raise ApiError.invalid_form(problems)
            record.choices = data.get("choices") or []
        elif rtype == MODAL:
            problems = []
            limits.check_modal(data, problems)
            if problems:
                raise ApiError.invalid_form(problems)
            record.modal = Modal(data["custom_id"], data["title"], data.get("components") or [],
                                 record.user.id, record)
        record.response_type = rtype
        record.responded_at = self.now()
        self._notify()
        if call.query.get("with_response") not in ("1", "true", "True"):
            return None
        interaction: dict[str, Any] = {"id": str(record.id), "type": record.type}
        if resource_message is not None:
            interaction.update(
                response_message_id=str(resource_message.id),
                response_message_loading=resource_message.loading,
                response_message_ephemeral=resource_message.ephemeral,
            )
        resource: dict[str, Any] = {"type": rtype}
        if resource_message is not None:
            resource["message"] = resource_message.payload()
        return {"interaction": interaction, "resource": resource}

    def _check_interaction_channel(self, record: InteractionRecord) -> None:
        if record.channel.deleted:
            raise ApiError(404, 10003, "Unknown Channel")

    def _webhook_target(self, call: Call, record: InteractionRecord) -> Message:
        mid = call.params["message_id"]
        if mid == "@original":
            msg = record.original
            if msg is None:
                raise ApiError(404, 10008, "Unknown Message", violation=True)
            return msg
        msg = self.messages.get(int(mid))
        if msg is None or msg.deleted or (msg is not record.original
                                          and msg not in record.followups):
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    async def _followup(self, call: Call) -> Any:
        record = self._interaction_for_token(call)
        body = call.body or {}
        original = record.original
        if (record.response_type == DEFERRED_CHANNEL_MESSAGE and original is not None
                and original.loading and not original.deleted):
            # The first followup after a deferred response replaces the "thinking" message.
            msg = self._edit_message(original, body, call.files)
        else:
            ephemeral = bool(int(body.get("flags") or 0) & FLAG_EPHEMERAL)
            msg = self._new_message(record.channel, body, call.files, interaction=record,
                                    ephemeral=ephemeral)
        record.followups.append(msg)
        self._notify()
        if call.query.get("wait") in ("true", "1", "True"):
            return msg.payload()
        return None

    async def _get_webhook_message(self, call: Call) -> dict[str, Any]:
        record = self._interaction_for_token(call)
        return self._webhook_target(call, record).payload()

    async def _edit_webhook_message(self, call: Call) -> dict[str, Any]:
        record = self._interaction_for_token(call)
        msg = self._edit_message(self._webhook_target(call, record), call.body, call.files)
        record.edited = True
        self._notify()
        return msg.payload()

    async def _delete_webhook_message(self, call: Call) -> None:
        record = self._interaction_for_token(call)
        self._delete_message(self._webhook_target(call, record))
        self._notify()

    # channels and messages

    async def _get_channel(self, call: Call) -> dict[str, Any]:
        channel = self._channel(call)
        self._require(channel, 0)
        return channel.payload()

    async def _patch_channel(self, call: Call) -> dict[str, Any]:
        channel = self._channel(call)
        body = call.body or {}
        if channel.is_thread:
            self._check_thread_edit(channel, body)
        for key in ("name", "topic", "archived", "locked"):
            if key in body:
                setattr(channel, key, body[key])
        self.dispatch("THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE",
                      channel.payload())
        return channel.payload()

    def _check_thread_edit(self, thread: Channel, body: dict[str, Any]) -> None:
        """Modify Channel on a thread, as Discord's documentation of its thread parameters
        says: setting ``archived`` to false when ``locked`` is also false needs only Send
        Messages (as the page names it, not Send Messages in Threads); anything else needs
        Manage Threads (unarchiving a locked thread, archiving, locking, renaming); and the
        thread must be unarchived, or unarchived by the request itself."""
        self._require(thread, 0)
        if thread.archived and body.get("archived") is not False:
            raise ApiError(400, 50083, "Thread is archived")
        unarchive_only = (
            body.get("archived") is False
            and set(body) <= {"archived", "locked"}
            and not thread.locked
            and not body.get("locked", False)
        )
        perms = self._bot_perms(thread)
        if perms & PERM_MANAGE_THREADS or (unarchive_only and perms & PERM_SEND):
            return
        raise ApiError(403, 50013, "Missing Permissions")

    async def _delete_channel_rest(self, call: Call) -> dict[str, Any]:
        channel = self._channel(call)
        channel.deleted = True
        self.dispatch("THREAD_DELETE" if channel.is_thread else "CHANNEL_DELETE",
                      channel.payload())
        return channel.payload()

    async def _list_messages(self, call: Call) -> list[dict[str, Any]]:
        channel = self._channel(call)
        self._require(channel, 0)
        if not self._bot_perms(channel) & PERM_HISTORY:
            return []
        msgs = self.channel_messages(channel)
        q = call.query
        if "before" in q:
            msgs = [m for m in msgs if m.id < int(q["before"])]
        if "after" in q:
            msgs = [m for m in msgs if m.id > int(q["after"])]
        limit = int(q.get("limit", 50))
        if "after" in q:
            msgs = msgs[:limit]
        else:
            msgs = msgs[-limit:] if limit else []
        return [m.payload() for m in reversed(msgs)]

    async def _post_message(self, call: Call) -> dict[str, Any]:
        channel = self._channel(call)
        if channel.type == DM:
            assert channel.recipient is not None
            recipient = channel.recipient
            if not recipient.dms_open or recipient.bot or not self.shares_guild(recipient):
                raise ApiError(403, 50007, "Cannot send messages to this user")
        else:
            need = PERM_SEND_THREADS if channel.is_thread else PERM_SEND
            if call.files:
                need |= PERM_ATTACH
            self._require(channel, need)
            if channel.is_thread and (channel.archived or channel.locked):
                raise ApiError(400, 50083, "Thread is archived")
            if not self._bot_perms(channel) & PERM_EMBED and call.body:
                call.body.pop("embeds", None)  # Discord drops embeds without Embed Links
        msg = self._new_message(channel, call.body, call.files)
        self._notify()
        return msg.payload()

    async def _get_message(self, call: Call) -> dict[str, Any]:
        channel = self._channel(call)
        self._require(channel, PERM_HISTORY)
        return self._message(channel, call.id("message_id")).payload()

    async def _patch_message(self, call: Call) -> dict[str, Any]:
        channel = self._channel(call)
        if channel.guild is not None:
            # Losing Send Messages does not stop edits of one's own messages; losing View
            # Channel does (Missing Access), and the bot's token has no other way in.
            self._require(channel, 0)
            if channel.is_thread and channel.archived:
                # A message in an archived thread cannot be edited until it is unarchived.
                raise ApiError(400, 50083, "Thread is archived")
        msg = self._message(channel, call.id("message_id"))
        if msg.author is not self.bot_user:
            body = call.body or {}
            if set(body) - {"flags"}:
                raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        self._edit_message(msg, call.body, call.files)
        self._notify()
        return msg.payload()

    async def _delete_message_rest(self, call: Call) -> None:
        channel = self._channel(call)
        msg = self._message(channel, call.id("message_id"))
        if msg.author is not self.bot_user and channel.type != DM:
            self._require(channel, PERM_MANAGE_MESSAGES)
        self._delete_message(msg)
        self._notify()

    async def _add_reaction(self, call: Call) -> None:
        channel = self._channel(call)
        msg = self._message(channel, call.id("message_id"))
        self.reactions.append((msg.id, call.params["emoji"]))

    def _make_thread(self, parent: Channel, body: dict[str, Any], ttype: int,
                     thread_id: int | None = None) -> Channel:
        if parent.guild is None or parent.is_thread:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        self._require(parent, PERM_CREATE_PRIVATE if ttype == PRIVATE_THREAD
                      else PERM_CREATE_PUBLIC)
        name = body.get("name") or ""
        if not 1 <= len(name) <= 100:
            raise ApiError.invalid_form([("name", "Must be between 1 and 100 in length.")])
        thread = Channel(self, thread_id or self.snowflake(), ttype, name, guild=parent.guild,
                         parent_id=parent.id, owner_id=self.bot_user.id)
        parent.guild.channels[thread.id] = thread
        self.channels[thread.id] = thread
        self.dispatch("THREAD_CREATE", {**thread.payload(), "newly_created": True})
        self._notify()
        return thread

    async def _thread_from_msg(self, call: Call) -> dict[str, Any]:
        channel = self._channel(call)
        msg = self._message(channel, call.id("message_id"))
        if msg.thread is not None:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        # A thread started from a message has the message's id.
        thread = self._make_thread(channel, call.body or {}, PUBLIC_THREAD, thread_id=msg.id)
        thread.starter_message_id = msg.id
        msg.thread = thread
        return thread.payload()

    async def _thread_without_msg(self, call: Call) -> dict[str, Any]:
        channel = self._channel(call)
        body = call.body or {}
        ttype = int(body.get("type") or PRIVATE_THREAD)
        if ttype not in (PUBLIC_THREAD, PRIVATE_THREAD):
            raise ApiError.invalid_form([("type", "Invalid thread type")])
        thread = self._make_thread(channel, body, ttype)
        if body.get("message"):  # forum post
            self._new_message(thread, body["message"], call.files)
        return thread.payload()

    async def _put_overwrite(self, call: Call) -> None:
        channel = self._channel(call)
        body = call.body or {}
        target = call.id("target_id")
        channel.overwrites[target] = Overwrite(target, int(body.get("type", 0)),
                                               int(body.get("allow") or 0),
                                               int(body.get("deny") or 0))
        self.dispatch("CHANNEL_UPDATE", channel.payload())

    async def _delete_overwrite(self, call: Call) -> None:
        channel = self._channel(call)
        channel.overwrites.pop(call.id("target_id"), None)
        self.dispatch("CHANNEL_UPDATE", channel.payload())

    # guilds

    def _guild(self, call: Call) -> Guild:
        guild = self.guilds.get(call.id("guild_id"))
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        if guild.id in self.outages:
            raise ApiError(503, 0, "503: Service Unavailable")
        return guild

    async def _get_guild(self, call: Call) -> dict[str, Any]:
        data = self._guild(call).payload(include_members=False)
        for key in ("channels", "threads", "members", "voice_states", "presences"):
            data.pop(key, None)
        return data

    async def _get_guild_channels(self, call: Call) -> list[dict[str, Any]]:
        guild = self._guild(call)
        return [c.payload() for c in guild.channels.values()
                if not c.deleted and not c.is_thread]

    async def _get_guild_roles(self, call: Call) -> list[dict[str, Any]]:
        return [r.payload() for r in self._guild(call).roles.values()]

    async def _get_guild_members(self, call: Call) -> list[dict[str, Any]]:
        return [m.payload() for m in self._guild(call).members.values()]

    async def _get_guild_member(self, call: Call) -> dict[str, Any]:
        member = self._guild(call).members.get(call.id("user_id"))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return member.payload()
