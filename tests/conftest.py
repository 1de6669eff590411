"""Shared pytest fixtures."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket
from emulator import DiscordEmulator, ErrorLogGuard

from bot.client import RecallBot
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.decks import load_builtin_decks
from bot.questions import Deck
from bot.store import Store

# ---------------------------------------------------------------------------
# Generic: error-log guard and the loopback Discord emulator
# ---------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "allow_error_logs: do not fail the test on ERROR log records"
    )


@pytest.fixture(autouse=True)
def error_logs(request: pytest.FixtureRequest) -> Iterator[list[logging.LogRecord]]:
    """ERROR+ log records of the test; the test fails if any remain at teardown.

    Tests expecting an error either clear this list or use ``@pytest.mark.allow_error_logs``.
    """
    guard = ErrorLogGuard()
    guard.install()
    try:
        yield guard.records
    finally:
        guard.uninstall()
    if guard.records and request.node.get_closest_marker("allow_error_logs") is None:
        pytest.fail(f"ERROR log records during the test:\n{guard.report()}", pytrace=False)


@contextlib.asynccontextmanager
async def emulator_running(mp: pytest.MonkeyPatch) -> AsyncIterator[DiscordEmulator]:
    """A started emulator with discord.py's REST base and gateway pointed at it (through
    ``mp``), stopped on exit."""
    emu = DiscordEmulator()
    await emu.start()
    mp.setattr(discord.http.Route, "BASE", emu.api_base)
    mp.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(emu.gateway_url))
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def emulator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordEmulator]:
    """A started emulator with discord.py's REST base and gateway pointed at it.

    Fails at teardown when ``emulator.violations`` is not empty (clear it if expected).
    """
    async with emulator_running(monkeypatch) as emu:
        yield emu
    if emu.violations:
        report = "\n".join(str(v) for v in emu.violations)
        pytest.fail(f"requests Discord would reject:\n{report}", pytrace=False)


# ---------------------------------------------------------------------------
# Recall: the real bot on a real SQLite file, connected to the emulator
# ---------------------------------------------------------------------------


@functools.cache
def builtin_decks() -> tuple[Deck, ...]:
    """The built-in decks, read from their files once per test process (a deck is frozen)."""
    return tuple(load_builtin_decks())


class TestRecallBot(RecallBot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5-second pause before a re-IDENTIFY on loopback."""


class Recall:
    """Starts and restarts Recall against the emulator, always on the same database file."""

    def __init__(self, emu: DiscordEmulator, db: Path):
        self.emu = emu
        self.db = db
        self.clock: Clock = SystemClock()
        self.seed = 1234
        self.bot: RecallBot | None = None
        self.store: Store | None = None

    def settings(self) -> Settings:
        return Settings(DISCORD_TOKEN=self.emu.bot_token, database=self.db)

    @contextlib.asynccontextmanager
    async def running(self, *, sync: bool = True, scheduler: bool = False) -> AsyncIterator[RecallBot]:
        store = await Store.open(self.db, clock=self.clock)
        await store.sync_builtin_decks(builtin_decks())
        bot = TestRecallBot(
            self.settings(), store, clock=self.clock, guild_ready_timeout=0.1, run_scheduler=scheduler
        )
        self.bot, self.store = bot, store
        try:
            async with self.emu.run_client(bot):
                quiz = bot.get_cog("Quiz")
                if quiz is not None:
                    quiz.count_delay = 0.05  # type: ignore[attr-defined]
                    quiz.quiz.rng = random.Random(self.seed)  # type: ignore[attr-defined]
                if sync:
                    await bot.tree.sync()
                qotd = bot.get_cog("Qotd")
                if qotd is not None:
                    await asyncio.wait_for(qotd.caught_up.wait(), 10)  # type: ignore[attr-defined]
                yield bot
        finally:
            await store.close()
            self.bot = self.store = None


    async def across_an_outage(
        self,
        guild: Any,
        when: str,
        prepare: Callable[[RecallBot], Awaitable[None]],
        check: Callable[[RecallBot], Awaitable[None]],
        *,
        restart_at: datetime,
    ) -> None:
        """``prepare(bot)``, then ``guild`` goes into a Discord outage and ``check(bot)``
        runs: on the same bot (``when`` "mid-session"), or on Recall restarted during it at
        ``restart_at`` ("at-start"), when the bot knows only the guild's id."""
        async with self.running() as bot:
            await prepare(bot)
            if when == "mid-session":
                await self.emu.start_outage(guild)
                await check(bot)
        if when == "at-start":
            await self.emu.start_outage(guild)
            self.clock.set(restart_at)  # type: ignore[attr-defined]
            async with self.running(sync=False) as bot:
                await check(bot)


@pytest.fixture
def recall(emulator: DiscordEmulator, tmp_path: Path) -> Recall:
    return Recall(emulator, tmp_path / "recall.sqlite3")


def button_labels(message: Any) -> list[str]:
    return [b.label for b in message.buttons]
