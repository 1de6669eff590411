"""Shared pieces of the benchmarks: the emulator, a bot in its own process, small reports.

A benchmark keeps the emulator (the "Discord" side) in its own process and starts the bot
under test in a child process with :class:`BotProcess`, so the child's CPU clock counts the
bot's work only. The child is this module run as ``python -m bench.common serve SPEC``; it
builds the bot with a factory named in the spec (``"package.module:function"``), connects
it to the emulator, syncs the command tree, prints ``ready`` and then answers one-line
requests on stdin: ``cpu`` (its ``time.process_time()``, all threads) and ``quit``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import os
import platform
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import discord  # noqa: E402
from emulator import DiscordEmulator  # noqa: E402

__all__ = [
    "ROOT",
    "BotProcess",
    "BotSpec",
    "DiscordEmulator",
    "cancel_all",
    "machine",
    "percentile",
    "quiet_emulator_logs",
    "say",
    "stdin_reader",
    "table",
    "wait_ready",
]


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------


def machine() -> str:
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    cpu = platform.processor() or platform.machine()
    return (
        f"{usable} usable cores ({cores} online), {cpu}, Python {platform.python_version()} "
        f"({platform.python_implementation()}), discord.py {discord.__version__}, "
        f"{platform.system()} {platform.release()}; reference task {reference_task_ms():.0f} ms"
    )


def reference_task_ms() -> float:
    """Milliseconds for a fixed piece of CPU work (Python and in-memory SQLite, one core), the
    best of three: the same machine can run at different speeds from one hour to the next
    (virtual machines whose host is busy), and the figures of a run are read against it."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE t (a INTEGER, b TEXT, c INTEGER)")
        conn.execute("CREATE INDEX t_b ON t (b, c)")
        rows = [(i, f"key-{(i * 7919) % 20_000:05d}", i % 97) for i in range(20_000)]
        conn.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
        conn.execute("SELECT b, SUM(c) FROM t GROUP BY b ORDER BY 2 DESC LIMIT 10").fetchall()
        conn.close()
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by the nearest-rank method; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    cols = len(header)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(cols)]

    def line(cells: Sequence[str]) -> str:
        out = [str(cells[0]).ljust(widths[0])]
        out += [str(c).rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def quiet_emulator_logs() -> None:
    """The emulator logs each rejected request; benchmarks count them instead."""
    logging.getLogger("emulator").setLevel(logging.ERROR)
    logging.getLogger("emulator.emulator").setLevel(logging.ERROR)


# ---------------------------------------------------------------------------
# A bot in a child process
# ---------------------------------------------------------------------------


@dataclass
class BotSpec:
    """What the child needs to build and connect a bot (JSON on its command line)."""

    factory: str
    api_base: str
    gateway_url: str
    token: str
    db: str = ""
    guild_id: int = 0
    options: dict[str, Any] = field(default_factory=dict)


Cleanup = Callable[[], Awaitable[None]]
Factory = Callable[[BotSpec], Awaitable[tuple[discord.Client, Cleanup]]]


class BotProcess:
    """The bot under test, running in a child process connected to ``emu``."""

    def __init__(self, spec: BotSpec) -> None:
        self.spec = spec
        self.proc: asyncio.subprocess.Process | None = None
        #: lines the child printed before anyone asked for them, kept in order
        self._backlog: list[list[str]] = []

    @classmethod
    def for_emulator(
        cls, emu: DiscordEmulator, factory: str, *, db: Path | None = None, guild_id: int = 0,
        **options: Any,
    ) -> BotProcess:
        return cls(BotSpec(factory, emu.api_base, emu.gateway_url, emu.bot_token,
                           str(db or ""), guild_id, options))

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self, within: float = 60.0) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.common", "serve", json.dumps(asdict(self.spec)),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=str(ROOT),
            limit=1 << 20,
        )
        try:
            await self.expect("ready", within)
        except BaseException:
            await self.stop()
            raise

    async def expect(self, word: str, within: float) -> list[str]:
        """The next line from the child starting with ``word`` (without it); lines starting
        with another word are kept for whoever expects them, whatever their order."""
        for i, parts in enumerate(self._backlog):
            if parts[0] == word:
                del self._backlog[i]
                return parts[1:]
        assert self.proc is not None and self.proc.stdout is not None
        async with asyncio.timeout(within):
            while True:
                raw = await self.proc.stdout.readline()
                if not raw:
                    code = await self.proc.wait()
                    raise RuntimeError(f"bot process exited with {code} before {word!r}")
                parts = raw.decode().split()
                if parts and parts[0] == word:
                    return parts[1:]
                if parts:
                    self._backlog.append(parts)

    async def _ask(self, request: str, within: float = 10.0) -> list[str]:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(f"{request}\n".encode())
        await self.proc.stdin.drain()
        return await self.expect(request, within)

    def rss_mb(self) -> float:
        """The child's resident memory now, in MB (Linux)."""
        return _status_kb(self.pid, "VmRSS") / 1024

    def peak_mb(self) -> float:
        """The child's peak resident memory so far, in MB (Linux)."""
        return _status_kb(self.pid, "VmHWM") / 1024

    async def cpu(self) -> float:
        """The child's CPU time so far (user + system, every thread), in seconds."""
        return float((await self._ask("cpu"))[0])

    async def stop(self, within: float = 15.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.returncode is not None:
            return
        with contextlib.suppress(ConnectionError):
            assert proc.stdin is not None
            proc.stdin.write(b"quit\n")
            await proc.stdin.drain()
        try:
            await asyncio.wait_for(proc.wait(), within)
        except TimeoutError:
            proc.kill()
            await proc.wait()

    async def __aenter__(self) -> BotProcess:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def _status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise LookupError(key)


def _resolve(name: str) -> Factory:
    module, _, attr = name.partition(":")
    factory: Factory = getattr(importlib.import_module(module), attr)
    return factory


async def _serve(spec: BotSpec) -> None:
    import yarl
    from discord.ext import commands
    from discord.gateway import DiscordWebSocket

    discord.http.Route.BASE = spec.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(spec.gateway_url)
    client, cleanup = await _resolve(spec.factory)(spec)
    task = asyncio.create_task(client.start(spec.token))
    try:
        await wait_ready(client, task)
        if isinstance(client, commands.Bot):
            await client.tree.sync()
        reader = await stdin_reader()
        say("ready")
        while raw := await reader.readline():
            request = raw.decode().strip()
            if request == "cpu":
                say(f"cpu {time.process_time()!r}")
            elif request == "quit":
                break
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError, discord.DiscordException):
            await asyncio.wait_for(task, 5)
        await cleanup()


async def wait_ready(client: discord.Client, task: asyncio.Task[None], within: float = 30.0) -> None:
    """Wait (in the child) until ``client``, started as ``task``, is ready."""
    deadline = time.monotonic() + within
    while not client.is_ready():
        if task.done():
            task.result()
            raise RuntimeError("the bot stopped before it was ready")
        if time.monotonic() > deadline:
            raise TimeoutError("the bot was not ready in time")
        await asyncio.sleep(0.01)


async def stdin_reader() -> asyncio.StreamReader:
    """The child's standard input, where the parent's requests arrive, as a stream."""
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    return reader


async def cancel_all(tasks: Sequence[asyncio.Task[Any]]) -> None:
    """Cancel ``tasks`` and wait for each to finish."""
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def say(line: str) -> None:
    """One line to the parent, at once."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _child(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "serve":
        print("usage: python -m bench.common serve SPEC_JSON", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr,
                        format="bot %(levelname)s %(name)s: %(message)s")
    logging.getLogger("discord.client").setLevel(logging.ERROR)  # no voice-support notices
    asyncio.run(_serve(BotSpec(**json.loads(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
