"""Helpers for the fault tests: Recall in a child process, and checks on its database.

:class:`RecallProcess` runs the real bot in its own process against the test's emulator, the
way ``bench.common.BotProcess`` runs a bot under benchmark (same spec, same line protocol on
stdin/stdout), so that a test can kill it with SIGKILL and start it again on the same file.
The child is this file run as a script (``python tests/faultkit.py serve SPEC``): it opens
the store, connects, waits for the question-of-the-day catch-up, prints ``ready`` and then
waits for ``quit``. Its log (WARNING and up) goes to a file the test reads afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import sys
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
for _path in (str(ROOT), str(TESTS)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from bench.common import BotProcess, BotSpec, say, stdin_reader, wait_ready  # noqa: E402
from bot.quiz import period_keys  # noqa: E402

# ---------------------------------------------------------------------------
# The parent side
# ---------------------------------------------------------------------------


class RecallProcess(BotProcess):
    """Recall in a child process connected to ``emu``, on the database file ``db``.

    ``clock`` fixes the bot's clock (an aware datetime); without it the bot uses real time.
    The child's scheduler is off: what it posts on its own is the start-up catch-up.
    """

    def __init__(self, emu: Any, db: Path, log: Path, *, clock: datetime | None = None) -> None:
        super().__init__(
            BotSpec(
                "faultkit", emu.api_base, emu.gateway_url, emu.bot_token, str(db),
                options={"clock": clock.isoformat() if clock else None},
            )
        )
        self.log = log

    async def start(self, within: float = 60.0) -> None:
        with self.log.open("ab") as sink:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, str(Path(__file__)), "serve", json.dumps(asdict(self.spec)),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=sink,
                cwd=str(ROOT),
            )
        try:
            await self.expect("ready", within)
        except BaseException:
            await self.stop()
            raise

    async def kill(self) -> int:
        """SIGKILL: no clean-up of any kind runs in the child. Returns its exit status."""
        proc, self.proc = self.proc, None
        assert proc is not None and proc.returncode is None, "the bot is not running"
        os.kill(proc.pid, signal.SIGKILL)
        return await proc.wait()

    def logged(self, level: str = "ERROR") -> list[str]:
        """Lines the child logged at ``level`` (and tracebacks, whatever their level)."""
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return [ln for ln in lines if ln.startswith(f"{level} ") or ln.startswith("Traceback")]


# ---------------------------------------------------------------------------
# The child side
# ---------------------------------------------------------------------------


async def _serve(spec: BotSpec) -> None:
    import discord
    import yarl
    from discord.gateway import DiscordWebSocket

    from bot.client import RecallBot
    from bot.clock import Clock, FixedClock, SystemClock
    from bot.config import Settings
    from bot.decks import load_builtin_decks
    from bot.store import Store

    class ChildRecall(RecallBot):
        async def before_identify_hook(
            self, shard_id: int | None, *, initial: bool = False
        ) -> None:
            """No pause before a re-IDENTIFY on loopback."""

    discord.http.Route.BASE = spec.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(spec.gateway_url)
    fixed = spec.options.get("clock")
    clock: Clock = FixedClock(datetime.fromisoformat(fixed)) if fixed else SystemClock()
    db = Path(spec.db)
    store = await Store.open(db, clock=clock)
    await store.sync_builtin_decks(load_builtin_decks())
    bot = ChildRecall(
        Settings(DISCORD_TOKEN=spec.token, database=db), store, clock=clock,
        guild_ready_timeout=0.1, run_scheduler=False,
    )
    task = asyncio.create_task(bot.start(spec.token))
    try:
        await wait_ready(bot, task)
        qotd = bot.get_cog("Qotd")
        if qotd is not None:
            await asyncio.wait_for(qotd.caught_up.wait(), 30)  # type: ignore[attr-defined]
        reader = await stdin_reader()
        say("ready")
        while raw := await reader.readline():
            if raw.decode().strip() == "quit":
                break
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError, discord.DiscordException):
            await asyncio.wait_for(task, 5)
        await store.close()


def _child(argv: list[str]) -> int:
    import logging

    if len(argv) != 2 or argv[0] != "serve":
        print("usage: python tests/faultkit.py serve SPEC_JSON", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("discord").setLevel(logging.ERROR)  # reconnect and rate-limit notices
    asyncio.run(_serve(BotSpec(**json.loads(argv[1]))))
    return 0


# ---------------------------------------------------------------------------
# Checks on a database file (plain sqlite3, read only)
# ---------------------------------------------------------------------------


def _connect(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn


def integrity(db: Path) -> list[str]:
    """``PRAGMA integrity_check`` of the file: ``["ok"]`` when sound."""
    conn = _connect(db)
    try:
        return [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = _connect(db)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


Totals = dict[tuple[int, str, str, int], tuple[int, int, str]]


def stored_totals(db: Path) -> Totals:
    """The leaderboard as stored: (guild, board, period, member) -> (points, answered,
    reached_at)."""
    rows = query(db, "SELECT guild_id, board, period, user_id, points, answered, reached_at "
                     "FROM score_totals")
    return {(g, b, p, u): (pts, n, reached) for g, b, p, u, pts, n, reached in rows}


def recomputed_totals(db: Path) -> Totals:
    """The leaderboard recomputed from the attempts table alone.

    Every scored attempt adds its points to its source's board and to "all", in each period
    of its local day (week, month, season, and all time on the "all" board once the server
    is past its first season: see ``bot.quiz.score_rows``); ``reached_at`` is the time of
    the last attempt that added points (the first attempt's when none did).
    """
    seasons: dict[int, list[tuple[str, int]]] = {}
    for guild, number, started in query(db, "SELECT guild_id, number, started_at FROM seasons"):
        seasons.setdefault(guild, []).append((started, number))
    totals: Totals = {}
    attempts = query(
        db, "SELECT guild_id, user_id, source, points, local_day, created_at FROM attempts "
            "WHERE scored = 1 ORDER BY id")
    for guild, user, source, points, day, created in attempts:
        season = max((n for started, n in seasons.get(guild, []) if started <= created),
                     default=1)
        started = guild in seasons
        for board in (source, "all"):
            for period in period_keys(date.fromisoformat(day), season):
                if period == "all" and (board != "all" or not started):
                    continue
                key = (guild, board, period, user)
                old = totals.get(key)
                if old is None:
                    totals[key] = (points, 1, created)
                else:
                    totals[key] = (old[0] + points, old[1] + 1,
                                   created if points > 0 else old[2])
    return totals


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
