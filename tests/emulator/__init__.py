"""Loopback Discord emulator: drive the real discord.py client against 127.0.0.1.

Only ``discord.http.Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY`` are pointed at the
emulator (the ``emulator`` fixture in ``tests/conftest.py`` does it)::

    guild = emu.add_guild("Study group")             # #general, @everyone, the bot member
    chan = guild.add_channel("qotd")
    alice = guild.add_member("alice", permissions=discord.Permissions(manage_guild=True).value)
    async with emu.run_client(bot):                  # start, wait for on_ready, close on exit
        await bot.tree.sync()                        # the emulator stores the schema
        r = await alice.run("/quiz", channel=chan, deck="flags")
        r2 = await alice.click(r.message, "Reveal answer")
        r3 = await alice.submit((await alice.run("/add")).modal, question="?")

Test clients should be built with a small ``guild_ready_timeout`` (e.g. ``0.1``) so that
``on_ready`` fires right after the last GUILD_CREATE, and may override
``before_identify_hook`` to skip discord.py's 5 s wait before a re-IDENTIFY.

Anything the real Discord would reject is answered as Discord does and appended to
``emu.violations``; the fixture fails the test when violations are left over.
"""

from .commands import CommandError
from .emulator import ApiError, DiscordEmulator, RequestLog, Violation
from .faults import Fault, FaultSet
from .interactions import InteractionRecord, InteractionResult
from .logguard import ErrorLogGuard
from .models import (
    Attachment,
    Button,
    Channel,
    Guild,
    Member,
    Message,
    Modal,
    Role,
    Select,
    TextInput,
    User,
)

__all__ = [
    "ApiError",
    "Attachment",
    "Button",
    "Channel",
    "CommandError",
    "DiscordEmulator",
    "ErrorLogGuard",
    "Fault",
    "FaultSet",
    "Guild",
    "InteractionRecord",
    "InteractionResult",
    "Member",
    "Message",
    "Modal",
    "RequestLog",
    "Role",
    "Select",
    "TextInput",
    "User",
    "Violation",
]
