"""Question-of-the-day fan-out: every server due in the same minute, under Discord's global limit.

Setup. The emulator runs in this process with Discord's global REST limit switched on
(``global_rate_limit = 50`` requests in any second; a request over it is answered 429 with
``retry_after`` and ``X-RateLimit-Global``, as Discord does). It serves ``SERVERS`` guilds.
Each guild gets one schedule, saved through ``Store.save_schedule`` exactly as ``/qotd setup``
saves it, every one due at the same UTC minute (spread over several time zones whose local
times all fall on that minute). The bot runs in a child process (``bench.common``) with its
real APScheduler jobs, on a clock shifted so that the slot comes ``LEAD`` seconds after the
child starts: the start-up catch-up and the job rebuild happen before the slot, and the
slot is posted by the scheduler, as in production.

Measured:

* fan-out time: slot time to the last request of the last post (message, and its thread
  when ``thread`` is on: the ``/qotd setup`` default), against the rate-limit floor, which
  is the bot's requests bound by the global limit in that window divided by the limit.
  The floor for one request a post (``SERVERS / 50``) is printed too.
* exactly once: every channel holds one question-of-the-day message, and the database one
  ``posted`` slot and one post with that message's id per schedule, nothing left claimed.
* 429 answers (each counts toward Discord's 10,000 invalid requests in 10 minutes).
* memory per schedule: RSS of the bot with ``SERVERS`` schedules minus the RSS of the same
  bot, same guilds, with none, divided by ``SERVERS`` (both read once start-up and the
  catch-up are done and the jobs are in place).

Run alone with ``python -m bench.qotd_fanout`` (about two minutes at 2,000 servers), or
through ``python -m bench``; ``--servers 200`` for a quick run. Wall-clock figures depend on
the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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

SERVERS = 2000
RATE = 50  # Discord's global limit, requests a second
LEAD = 20.0  # seconds from the child's start to the slot
TARGET_FACTOR = 1.2
ZONES = ("UTC", "Europe/London", "Europe/Berlin", "America/New_York", "Asia/Tokyo",
         "Asia/Kolkata", "Australia/Sydney", "America/Los_Angeles")
TITLE = "Question of the day"

POST_RE = re.compile(r"^/channels/(\d+)/messages$")
THREAD_RE = re.compile(r"^/channels/(\d+)/messages/(\d+)/threads$")


# ---------------------------------------------------------------------------
# The bot (built in the child process)
# ---------------------------------------------------------------------------


class OffsetClock:
    """The wall clock shifted by a fixed number of seconds."""

    def __init__(self, offset: float) -> None:
        self.offset = timedelta(seconds=offset)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


async def schedule_jobs_in_place(bot: discord.Client, expected: int) -> int:
    """Wait (in the child) until the start-up catch-up ran and at least ``expected``
    schedules have their scheduler job; the number of schedule jobs."""
    cog: Any = bot.get_cog("Qotd")
    await cog.caught_up.wait()
    while True:
        scheduler = cog.engine.scheduler
        jobs = [j for j in scheduler.get_jobs() if j.id.startswith("qotd-")] if scheduler else []
        schedules = sum(1 for j in jobs if j.id[5:].isdigit())
        if schedules >= expected:
            return schedules
        await asyncio.sleep(0.05)


async def recall_bot(spec: BotSpec) -> tuple[discord.Client, Cleanup]:
    """Recall as shipped, following its schedules in real time on a shifted clock. Prints
    ``qotd-ready JOBS`` once the start-up catch-up ran and every schedule has its job."""
    from bot.client import RecallBot
    from bot.config import Settings
    from bot.store import Store

    class BenchRecall(RecallBot):
        async def before_identify_hook(
            self, shard_id: int | None, *, initial: bool = False
        ) -> None:
            """No pause before a re-IDENTIFY on loopback."""

    clock = OffsetClock(float(spec.options["offset"]))
    db = Path(spec.db)
    store = await Store.open(db, clock=clock)
    settings = Settings(DISCORD_TOKEN=spec.token, database=db)
    bot = BenchRecall(settings, store, clock=clock, guild_ready_timeout=0.1, run_scheduler=True)
    expected = int(spec.options["schedules"])

    async def announce() -> None:
        say(f"qotd-ready {await schedule_jobs_in_place(bot, expected)}")

    watchers: list[asyncio.Task[None]] = []

    async def on_ready() -> None:
        if not watchers:
            watchers.append(asyncio.get_running_loop().create_task(announce()))

    bot.add_listener(on_ready, "on_ready")

    async def cleanup() -> None:
        await cancel_all(watchers)
        await store.close()

    return bot, cleanup


# ---------------------------------------------------------------------------
# The world: guilds in the emulator, schedules in the database
# ---------------------------------------------------------------------------


async def make_db(path: Path, emu: DiscordEmulator, guilds: list[Any], slot: datetime,
                  *, thread: bool, schedules: bool) -> None:
    """Built-in decks and, when asked, one schedule per guild saved the way ``/qotd setup``
    saves it (a fixed clock two minutes before the slot stamps the rows)."""
    from bot.clock import FixedClock
    from bot.decks import load_builtin_decks
    from bot.schedule import ScheduleSpec, parse_days, parse_time, parse_zone
    from bot.store import Store

    store = await Store.open(path, clock=FixedClock(slot - timedelta(minutes=2)))
    try:
        await store.sync_builtin_decks(load_builtin_decks())
        if not schedules:
            return
        if not await store.candidates(guilds[0].id, deck_id=None, tag=None):
            raise RuntimeError("no question to ask: the built-in decks are missing")
        for i, guild in enumerate(guilds):
            zone = ZONES[i % len(ZONES)]
            local = slot.astimezone(parse_zone(zone))
            spec = ScheduleSpec(local_time=parse_time(f"{local:%H:%M}"), days=parse_days("daily"),
                                zone=parse_zone(zone).key)
            await store.save_schedule(
                guild_id=guild.id, channel_id=guild.general.id, spec=spec, deck_id=None,
                tag=None, ping_role_id=None, thread=thread, answer_after_minutes=None,
                created_by=emu.owner.id,
            )
    finally:
        await store.close()


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


@dataclass
class Fanout:
    servers: int
    thread: bool
    lead_used: float = 0.0  # seconds from "jobs in place" to the slot (negative: overran)
    elapsed: float = float("nan")  # slot -> last request of the last post
    first: float = float("nan")  # slot -> first post
    marks: list[float] = field(default_factory=list)  # slot -> 25, 50, 75, 90 % of posts
    posts: int = 0
    threads: int = 0
    bound: int = 0  # bot requests bound by the global limit, slot -> end (429s excluded)
    limited: int = 0  # 429 answers in that window
    other: Counter[str] = field(default_factory=Counter)
    timed_out: bool = False
    cpu: float = 0.0
    rss_idle: float = 0.0
    rss_after: float = 0.0
    peak: float = 0.0
    rss_empty: float = 0.0
    channel_counts: Counter[int] = field(default_factory=Counter)  # messages -> channels
    db_posted: Counter[int] = field(default_factory=Counter)  # posted slots -> schedules
    db_posts: int = 0
    db_ids_match: bool = False
    db_other_states: dict[str, int] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)

    @property
    def floor_one(self) -> float:
        return self.servers / RATE

    @property
    def floor(self) -> float:
        return self.bound / RATE

    @property
    def per_schedule_kb(self) -> float:
        return (self.rss_idle - self.rss_empty) * 1024 / max(1, self.servers)


def _bound(emu: DiscordEmulator, path: str) -> bool:
    return not path.startswith(("/interactions/", f"/webhooks/{emu.application_id}/"))


async def watch(emu: DiscordEmulator, start: int, slot_at: float, result: Fanout,
                within: float) -> None:
    """Follow the request log until every post (and thread) is in, or ``within`` seconds."""
    seen = start
    posts = threads = 0
    last = slot_at
    first: float | None = None
    times: list[float] = []
    deadline = time.monotonic() + within
    while True:
        entries = emu.requests[seen:]
        seen += len(entries)
        for q in entries:
            if q.status == 0 or not _bound(emu, q.path):
                continue
            if q.method == "POST" and q.status == 200 and POST_RE.match(q.path):
                posts += 1
                times.append(q.at - slot_at)
                first = q.at if first is None else first
                last = max(last, q.at)
            elif q.method == "POST" and q.status in (200, 201) and THREAD_RE.match(q.path):
                threads += 1
                last = max(last, q.at)
        done = posts >= result.servers and (threads >= result.servers or not result.thread)
        if done or time.monotonic() > deadline:
            result.timed_out = not done
            break
        await asyncio.sleep(0.1)
    result.posts, result.threads = posts, threads
    result.elapsed = last - slot_at
    result.first = (first - slot_at) if first is not None else float("nan")
    times.sort()
    result.marks = [times[min(len(times) - 1, int(len(times) * q))] for q in (0.25, 0.5, 0.75, 0.9)
                    ] if times else []
    window = [q for q in emu.requests[start:] if slot_at <= q.at <= last and _bound(emu, q.path)]
    result.limited = sum(1 for q in window if q.status == 429)
    result.bound = sum(1 for q in window if q.status != 429)
    for q in window:
        if q.status != 429 and not (POST_RE.match(q.path) or THREAD_RE.match(q.path)):
            result.other[f"{q.method} {re.sub(r'[0-9]+', '{id}', q.path)}"] += 1


def check_emulator(emu: DiscordEmulator, guilds: list[Any], result: Fanout) -> set[int]:
    """Question-of-the-day messages per channel; returns their ids."""
    channels = {g.general.id for g in guilds}
    per: Counter[int] = Counter()
    ids: set[int] = set()
    for m in emu.messages.values():
        if m.channel.id in channels and not m.deleted and m.author is emu.bot_user and (
            m.embeds and str(m.embeds[0].get("title", "")).startswith(TITLE)
        ):
            per[m.channel.id] += 1
            ids.add(m.id)
    result.channel_counts = Counter(per.get(c, 0) for c in channels)
    return ids


def check_db(path: Path, message_ids: set[int], result: Fanout) -> None:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        posted = dict(conn.execute(
            "SELECT schedule_id, COUNT(*) FROM qotd_slots WHERE state = 'posted' "
            "GROUP BY schedule_id").fetchall())
        schedules = [r[0] for r in conn.execute("SELECT id FROM qotd_schedules")]
        result.db_posted = Counter(posted.get(s, 0) for s in schedules)
        result.db_other_states = dict(conn.execute(
            "SELECT state, COUNT(*) FROM qotd_slots WHERE state <> 'posted' GROUP BY state"
        ).fetchall())
        rows = conn.execute(
            "SELECT message_id FROM posts WHERE kind = 'qotd' AND message_id IS NOT NULL"
        ).fetchall()
    result.db_posts = len(rows)
    result.db_ids_match = {int(r[0]) for r in rows} == message_ids and len(rows) == len(
        message_ids)


async def run(servers: int, *, thread: bool, lead: float, baseline: bool = True) -> Fanout:
    """One fan-out; ``baseline`` also starts the bot with no schedule, for memory."""
    quiet_emulator_logs()
    result = Fanout(servers, thread)
    slot = (datetime.now(UTC) + timedelta(days=1)).replace(hour=9, minute=0, second=0,
                                                          microsecond=0)
    emu = DiscordEmulator()
    emu.global_rate_limit = RATE
    await emu.start()
    try:
        guilds = [emu.add_guild(f"Server {i}") for i in range(servers)]
        with tempfile.TemporaryDirectory(prefix="recall-fanout-") as tmp:
            empty_db, db = Path(tmp) / "empty.sqlite3", Path(tmp) / "recall.sqlite3"
            if baseline:
                await make_db(empty_db, emu, guilds, slot, thread=thread, schedules=False)
            await make_db(db, emu, guilds, slot, thread=thread, schedules=True)

            if baseline:  # the same bot and guilds with no schedule: the memory baseline
                far = (slot - timedelta(hours=1) - datetime.now(UTC)).total_seconds()
                empty = BotProcess.for_emulator(emu, "bench.qotd_fanout:recall_bot", db=empty_db,
                                           offset=far, schedules=0)
                await empty.start(within=120)
                try:
                    await empty.expect("qotd-ready", 120)
                    await asyncio.sleep(1.0)
                    result.rss_empty = empty.rss_mb()
                finally:
                    await empty.stop()

            launched_wall, launched = time.time(), time.monotonic()
            offset = (slot - datetime.fromtimestamp(launched_wall + lead, UTC)).total_seconds()
            slot_at = launched + lead
            start = len(emu.requests)
            bot = BotProcess.for_emulator(emu, "bench.qotd_fanout:recall_bot", db=db, offset=offset,
                                     schedules=servers)
            await bot.start(within=lead + 120)
            try:
                await bot.expect("qotd-ready", lead + 120)
                result.lead_used = slot_at - time.monotonic()
                await asyncio.sleep(max(0.0, min(1.0, slot_at - time.monotonic() - 0.5)))
                result.rss_idle = bot.rss_mb()
                cpu0 = await bot.cpu()
                timeout = max(0.0, slot_at - time.monotonic()) + max(120.0, 4 * servers / RATE)
                await watch(emu, start, slot_at, result, timeout)
                result.cpu = await bot.cpu() - cpu0
                await asyncio.sleep(1.0)
                result.rss_after, result.peak = bot.rss_mb(), bot.peak_mb()
            finally:
                await bot.stop()
            ids = check_emulator(emu, guilds, result)
            check_db(db, ids, result)
            codes = Counter(v.code for v in emu.violations)
            result.violations = [f"{c}×{n}" for c, n in sorted(codes.items())]
    finally:
        await emu.stop()
    return result


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def report(r: Fanout) -> str:
    n = r.servers
    per_post = "message + thread" if r.thread else "message"
    target = TARGET_FACTOR * r.floor
    once_channels = r.channel_counts.get(1, 0)
    once_db = r.db_posted.get(1, 0)
    lines = [
        f"Machine: {machine()}",
        f"{n} servers, one schedule each, all due at the same minute; global limit {RATE} "
        f"requests/s; each post is a {per_post}. Wall-clock figures are noisy on a shared "
        "machine.",
        "",
    ]
    ok_time = not r.timed_out and r.elapsed <= target
    rows = [
        ["fan-out: slot -> last post done", f"{r.elapsed:.1f} s",
         f"≤ {target:.1f} s (1.2 × floor)", "MET" if ok_time else "MISSED"],
        ["  floor: bound requests / limit", f"{r.floor:.1f} s",
         f"{r.bound} requests / {RATE} per s", ""],
        ["  floor at one request a post", f"{r.floor_one:.1f} s",
         f"1.2 × = {TARGET_FACTOR * r.floor_one:.1f} s", ""],
        ["  first post after the slot", f"{r.first:.2f} s", "", ""],
        ["  25 / 50 / 75 / 90 % of posts by", " / ".join(f"{m:.1f}" for m in r.marks) + " s",
         "", ""],
        ["posts / threads seen", f"{r.posts} / {r.threads}",
         f"{n} / {n if r.thread else 0}",
         "MET" if r.posts == n and r.threads == (n if r.thread else r.threads) else "MISSED"],
        ["channels with exactly one post", f"{once_channels}", f"{n}",
         "MET" if once_channels == n else "MISSED"],
        ["schedules with one posted slot (DB)", f"{once_db}", f"{n}",
         "MET" if once_db == n and not r.db_other_states else "MISSED"],
        ["posts rows = emulator messages", f"{r.db_posts}", f"{n}, same ids",
         "MET" if r.db_ids_match and r.db_posts == n else "MISSED"],
        ["429 answers during the fan-out", f"{r.limited}", "", ""],
        ["bot CPU during the fan-out", f"{r.cpu:.1f} s", "", ""],
        ["RSS with 0 schedules", f"{r.rss_empty:.1f} MB", "", ""],
        [f"RSS with {n} schedules (before / after)", f"{r.rss_idle:.1f} / {r.rss_after:.1f} MB",
         f"peak {r.peak:.1f} MB", ""],
        ["memory per schedule", f"{r.per_schedule_kb:.1f} KB", "", ""],
    ]
    lines.append(table(rows, ["check", "measured", "target", ""]))
    if r.lead_used < 0:
        lines.append(f"note: start-up overran the lead by {-r.lead_used:.1f} s; the slot was "
                     "posted by the start-up catch-up, not by the scheduler")
    else:
        lines.append(f"jobs were in place {r.lead_used:.1f} s before the slot")
    if r.other:
        lines.append("other bound requests in the window: " + ", ".join(
            f"{k} ×{v}" for k, v in r.other.most_common(5)))
    if set(r.channel_counts) - {1}:
        lines.append(f"posts per channel (posts: channels): {dict(sorted(r.channel_counts.items()))}")
    if r.db_other_states:
        lines.append(f"slots not posted: {r.db_other_states}")
    if r.violations:
        lines.append(f"requests the emulator rejected (code×count): {', '.join(r.violations)}")
    if r.timed_out:
        lines.append("timed out waiting for every post")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.qotd_fanout",
                                     description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--servers", type=int, default=SERVERS, help="servers (schedules)")
    parser.add_argument("--lead", type=float, default=LEAD,
                        help="seconds from the bot's start to the slot")
    parser.add_argument("--thread", action=argparse.BooleanOptionalAction, default=True,
                        help="open a discussion thread for each post (the /qotd setup default)")
    args = parser.parse_args([] if argv is None and __name__ != "__main__" else argv)
    result = asyncio.run(run(max(1, args.servers), thread=args.thread, lead=args.lead))
    print(report(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
