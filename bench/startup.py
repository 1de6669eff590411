"""Start-up time and memory with 10,000 servers.

Setup. The emulator (in this process) serves ``SERVERS`` guilds: READY lists them all as
unavailable and a GUILD_CREATE for each follows, as Discord does for a bot without the
members intent (no member chunking; Recall asks for no privileged intent). Every guild has
settings rows (time zone, scoring) and a question-of-the-day schedule in the database, made
through the store's own methods. The bot runs in a child process started the way
``recall run`` starts it: open the store, sync the built-in decks, ``RecallBot(settings,
store)`` with discord.py's defaults (so ``guild_ready_timeout`` is its 2 s), then the
benchmark harness syncs the command tree (one request; a real start does not) and a member
runs ``/quiz``.

Measured, from the moment the child process is spawned:

* ``on_ready``: every GUILD_CREATE handled and discord.py's ``guild_ready_timeout`` passed;
* first interaction answered: ``/quiz`` in one server, the question posted;
* question-of-the-day catch-up done and one job per schedule in place;
* RSS of the bot once all of that is done (and its peak).

Sharding: Discord requires a bot in 2,500 guilds or more to shard (IDENTIFY without a
``shard`` is closed with 4011, "sharding required"); Recall runs a plain ``commands.Bot``
(``bot/client.py``), one connection. The emulator does not enforce that and has one
session, so this measures one process holding every guild, as an ``AutoShardedBot`` with
all its shards in one process would; the report says so.

Run alone with ``python -m bench.startup`` or through ``python -m bench``;
``--servers 1000`` for a quick run. Wall-clock figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord

from bench.common import (
    BotProcess,
    BotSpec,
    Cleanup,
    DiscordEmulator,
    cancel_all,
    machine,
    quiet_emulator_logs,
    say,
    table,
)
from bench.qotd_fanout import schedule_jobs_in_place

SERVERS = 10_000
SHARD_GUILDS = 2500  # Discord: sharding is required from this many guilds on one connection
# Budgets of this benchmark (the issue asks for the figures and sets none): serving within
# a minute of the process starting, and start-up memory that fits a 1 GB host.
TARGET_READY = 60.0  # seconds, process start -> first interaction answered
TARGET_RSS = 1024.0  # MB after start-up
ZONES = ("UTC", "Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney")


# ---------------------------------------------------------------------------
# The bot (built in the child process)
# ---------------------------------------------------------------------------


async def recall_bot(spec: BotSpec) -> tuple[discord.Client, Cleanup]:
    """Recall started as ``recall run`` starts it. Prints ``on-ready T`` and ``qotd-ready T
    JOBS`` (``time.monotonic()``, the same clock in every process of the machine)."""
    from bot.client import RecallBot
    from bot.config import Settings
    from bot.decks import load_builtin_decks
    from bot.store import Store

    db = Path(spec.db)
    store = await Store.open(db)
    await store.sync_builtin_decks(load_builtin_decks())
    bot = RecallBot(Settings(DISCORD_TOKEN=spec.token, database=db), store)
    expected = int(spec.options["schedules"])
    watchers: list[asyncio.Task[None]] = []

    async def qotd_ready() -> None:
        jobs = await schedule_jobs_in_place(bot, expected)
        say(f"qotd-ready {time.monotonic()!r} {jobs}")

    async def on_ready() -> None:
        if not watchers:
            say(f"on-ready {time.monotonic()!r} {len(bot.guilds)}")
            watchers.append(asyncio.get_running_loop().create_task(qotd_ready()))

    bot.add_listener(on_ready, "on_ready")

    async def cleanup() -> None:
        await cancel_all(watchers)
        await store.close()

    return bot, cleanup


# ---------------------------------------------------------------------------
# The world
# ---------------------------------------------------------------------------


async def make_db(path: Path, emu: DiscordEmulator, guilds: list[Any]) -> None:
    """Built-in decks; per guild a time zone, a scoring change and a daily schedule at 09:00
    local time (not due during the run)."""
    from bot.decks import load_builtin_decks
    from bot.guild_settings import GuildSettings
    from bot.schedule import ScheduleSpec, parse_days, parse_time, parse_zone
    from bot.store import Store

    store = await Store.open(path)
    try:
        await store.sync_builtin_decks(load_builtin_decks())
        for i, guild in enumerate(guilds):
            zone = ZONES[i % len(ZONES)]
            await store.set_guild_settings(
                guild.id, {"timezone": zone, **GuildSettings.scoring_rows(quiz_daily_cap=40)}
            )
            await store.save_schedule(
                guild_id=guild.id, channel_id=guild.general.id,
                spec=ScheduleSpec(local_time=parse_time("09:00"), days=parse_days("mon-fri"),
                                  zone=parse_zone(zone).key),
                deck_id=None, tag=None, ping_role_id=None, thread=True,
                answer_after_minutes=None, created_by=emu.owner.id,
            )
    finally:
        await store.close()


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


@dataclass
class Startup:
    servers: int
    guilds_seen: int = 0
    setup: float = 0.0  # seconds to build the database (not part of start-up)
    ready: float = float("nan")  # spawn -> on_ready
    serving: float = float("nan")  # spawn -> first interaction answered
    interaction: float = float("nan")  # that interaction alone
    qotd: float = float("nan")  # spawn -> catch-up done, every job in place
    jobs: int = 0
    rss: float = 0.0
    peak: float = 0.0
    rss_one: float = 0.0  # the same start-up with one server
    answered: bool = False
    violations: int = 0


async def baseline_rss() -> float:
    """RSS of the same start-up with one server (nothing else in the database)."""
    emu = DiscordEmulator()
    await emu.start()
    try:
        guilds = [emu.add_guild("Server 0")]
        with tempfile.TemporaryDirectory(prefix="recall-startup-") as tmp:
            db = Path(tmp) / "recall.sqlite3"
            await make_db(db, emu, guilds)
            bot = BotProcess.for_emulator(emu, "bench.startup:recall_bot", db=db, schedules=1)
            await bot.start(within=120)
            try:
                await bot.expect("qotd-ready", 120)
                await asyncio.sleep(2.0)
                return bot.rss_mb()
            finally:
                await bot.stop()
    finally:
        await emu.stop()


async def run(servers: int) -> Startup:
    quiet_emulator_logs()
    result = Startup(servers)
    result.rss_one = await baseline_rss()
    emu = DiscordEmulator()
    await emu.start()
    try:
        guilds = [emu.add_guild(f"Server {i}") for i in range(servers)]
        member = guilds[0].add_member("alice")
        with tempfile.TemporaryDirectory(prefix="recall-startup-") as tmp:
            db = Path(tmp) / "recall.sqlite3"
            started = time.monotonic()
            await make_db(db, emu, guilds)
            result.setup = time.monotonic() - started

            spawned = time.monotonic()
            bot = BotProcess.for_emulator(emu, "bench.startup:recall_bot", db=db, schedules=servers)
            await bot.start(within=600)
            try:
                before = time.monotonic()
                r = await member.run("/quiz", channel=guilds[0].general)
                done = time.monotonic()
                result.answered = r.message is not None and not r.ephemeral
                result.interaction = done - before
                result.serving = done - spawned
                ready = await bot.expect("on-ready", 60)
                result.ready = float(ready[0]) - spawned
                result.guilds_seen = int(ready[1])
                qotd = await bot.expect("qotd-ready", 600)
                result.qotd, result.jobs = float(qotd[0]) - spawned, int(qotd[1])
                await asyncio.sleep(2.0)
                result.rss, result.peak = bot.rss_mb(), bot.peak_mb()
            finally:
                await bot.stop()
            result.violations = len(emu.violations)
    finally:
        await emu.stop()
    return result


def report(r: Startup) -> str:
    ok_serving = r.answered and r.serving <= TARGET_READY
    rows = [
        ["guilds received (GUILD_CREATE)", f"{r.guilds_seen}", f"{r.servers}",
         "MET" if r.guilds_seen == r.servers else "MISSED"],
        ["spawn -> on_ready", f"{r.ready:.1f} s", "", ""],
        ["spawn -> first /quiz answered", f"{r.serving:.1f} s", f"≤ {TARGET_READY:.0f} s",
         "MET" if ok_serving else "MISSED"],
        ["  that /quiz alone", f"{r.interaction * 1000:.0f} ms", "", ""],
        ["spawn -> QOTD caught up, jobs in place", f"{r.qotd:.1f} s",
         f"{r.servers} jobs", "MET" if r.jobs == r.servers else "MISSED"],
        ["RSS after start-up", f"{r.rss:.0f} MB", f"≤ {TARGET_RSS:.0f} MB",
         "MET" if r.rss <= TARGET_RSS else "MISSED"],
        ["  peak RSS", f"{r.peak:.0f} MB", "", ""],
        ["  with one server", f"{r.rss_one:.0f} MB", "", ""],
        ["  per server beyond the first",
         f"{(r.rss - r.rss_one) * 1024 / max(1, r.servers - 1):.1f} KB", "", ""],
    ]
    lines = [
        f"Machine: {machine()}",
        f"{r.servers} servers, each with settings and a schedule; no privileged intents (no "
        "member chunking); guild_ready_timeout at discord.py's default 2 s. Wall-clock "
        "figures are noisy on a shared machine.",
        "",
        table(rows, ["check", "measured", "target", ""]),
        f"(building the database beforehand took {r.setup:.1f} s; not part of start-up)",
    ]
    if r.servers >= SHARD_GUILDS:
        lines.append(
            f"note: Discord requires sharding from {SHARD_GUILDS} guilds (close code 4011 "
            f"otherwise); Recall is a plain commands.Bot on one connection, so {r.servers} "
            "servers need AutoShardedBot (or shard ids) first. The emulator has one session "
            "and does not enforce this: the figures are for one process holding every guild.")
    if r.violations:
        lines.append(f"requests the emulator rejected: {r.violations}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup",
                                     description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--servers", type=int, default=SERVERS, help="servers (guilds)")
    args = parser.parse_args([] if argv is None and __name__ != "__main__" else argv)
    print(report(asyncio.run(run(max(1, args.servers)))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
