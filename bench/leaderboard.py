"""Leaderboard scale: board reads and grade writes on a year of a thousand servers.

Fills a database with 1,000,000 graded attempts from 100,000 members across 1,000 servers
over a year (server sizes follow a long tail, as real servers do; each server has its own
time zone), with score_totals built from those attempts. Then, through the bot's own Store:

* reads: the week board's first page, the month board, the all-time (season) board, a deep
  page of the largest server, and one member's rank, each timed many times (p50, p99, max);
* writes: graded attempts through ``record_attempt``, every board kept exact, in three runs:
  grades arriving at a fixed rate (``--rate``, 2,000 a second by default) whatever the
  store's pace, as members' clicks do, with latency counted from each grade's arrival; then
  at twice that rate, more than the store takes, so that the grades stored a second are the
  most it can write; then a fixed number of grades in flight (``--writers``), each waiting
  for the one before. Then a check that the boards touched still agree with a
  recomputation from the attempts.

    .venv/bin/python -m bench.leaderboard [--db PATH] [--attempts N] [--members N]
        [--guilds N] [--reads N] [--write-seconds S] [--rate N] [--writers N] [--keep]

An existing database at --db with the same figures is reused (filling takes a few minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import machine
from bot.clock import FixedClock, from_db, to_db
from bot.decks import load_builtin_decks
from bot.leaderboard import PAGE_SIZE, month_key, season_key, week_key
from bot.quiz import score_rows
from bot.schedule import local_day
from bot.store import AttemptRequest, Store

ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Pacific/Auckland",
]
END = datetime(2026, 3, 1, 12, tzinfo=UTC)
START = END - timedelta(days=365)
GUILD_BASE = 10_000_000
USER_BASE = 50_000_000


def guild_sizes(members: int, guilds: int, rng: random.Random) -> list[int]:
    """Members per server: a long tail (Zipf-like), every server at least 5 members."""
    weights = [1 / (i + 1) ** 0.9 for i in range(guilds)]
    total = sum(weights)
    sizes = [max(5, round(members * w / total)) for w in weights]
    # Trim or pad the biggest servers so the sum is exact.
    diff = members - sum(sizes)
    i = 0
    while diff != 0:
        step = 1 if diff > 0 else -1
        if sizes[i % guilds] + step >= 5:
            sizes[i % guilds] += step
            diff -= step
        i += 1
    return sizes


def fill(path: Path, *, attempts: int, members: int, guilds: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-262144")
    question_ids = [r[0] for r in db.execute("SELECT id FROM questions ORDER BY id")]
    sizes = guild_sizes(members, guilds, rng)
    per_member = attempts / members
    span = (END - START).total_seconds()
    made = 0
    user = USER_BASE
    started = time.perf_counter()
    for g, size in enumerate(sizes):
        guild_id = GUILD_BASE + g
        zone_name = ZONES[g % len(ZONES)]
        zone = ZoneInfo(zone_name)
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO guild_settings (guild_id, key, value, updated_at) VALUES (?, 'timezone', ?, ?)",
            (guild_id, zone_name, to_db(START)),
        )
        # Attempts for this server: activity per member is skewed (a few keen members).
        budget = (
            round(per_member * size) if g < guilds - 1 else attempts - made
        )  # the last server takes the rounding
        keen = [rng.paretovariate(1.5) for _ in range(size)]
        total_keen = sum(keen)
        rows: list[tuple[Any, ...]] = []
        totals: dict[tuple[str, str, int], list[Any]] = {}
        names: list[tuple[Any, ...]] = []
        for m in range(size):
            user += 1
            count = max(1, round(budget * keen[m] / total_keen))
            used: set[tuple[int, str]] = set()
            times = sorted(START.timestamp() + rng.random() * span for _ in range(count))
            for ts in times:
                when = datetime.fromtimestamp(ts, UTC)
                day = when.astimezone(zone).date()
                qid = rng.choice(question_ids)
                scored = (qid, day.isoformat()) not in used
                used.add((qid, day.isoformat()))
                source = "qotd" if rng.random() < 0.2 else "quiz"
                mc = rng.random() < 0.3
                correct = mc and rng.random() < 0.7
                if source == "qotd":
                    points = (6 if correct else 2) if mc else 5
                else:
                    points = (3 if correct else 1) if mc else 2
                points = points if scored else 0
                created = to_db(when)
                rows.append(
                    (
                        guild_id,
                        user,
                        qid,
                        source,
                        (3 if correct else 1) if mc else rng.randint(1, 4),
                        rng.randrange(4) if mc else None,
                        int(correct) if mc else None,
                        int(scored),
                        points,
                        day.isoformat(),
                        created,
                    )
                )
                if scored:
                    for board, period in score_rows(source, day, 1):
                        t = totals.get((board, period, user))
                        if t is None:
                            totals[(board, period, user)] = [points, 1, created]
                        else:
                            t[0] += points
                            t[1] += 1
                            if points > 0:
                                t[2] = created
            names.append((guild_id, user, f"member{user}", to_db(END)))
        rows.sort(key=lambda r: r[10])
        db.executemany(
            "INSERT INTO attempts (guild_id, user_id, question_id, source, rating, option_index, "
            "correct, scored, points, local_day, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.executemany(
            "INSERT INTO members (guild_id, user_id, display_name, updated_at) VALUES (?, ?, ?, ?)",
            names,
        )
        db.executemany(
            "INSERT INTO score_totals (guild_id, board, period, user_id, points, answered, reached_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            # In key order (member first), as a bulk load should be.
            sorted(
                ((guild_id, b, p, u, *v) for (b, p, u), v in totals.items()),
                key=lambda r: (r[3], r[1], r[2]),
            ),
        )
        db.execute("COMMIT")
        made += len(rows)
        if g % 100 == 99:
            print(
                f"  filled {g + 1} servers, {made:,} attempts ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    db.execute(
        "INSERT OR REPLACE INTO app_meta (key, value) VALUES ('bench', ?)",
        (f"{attempts}:{members}:{guilds}",),
    )
    db.execute("ANALYZE")
    db.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def timed(
    label: str, runs: int, make: Callable[[int], Awaitable[Any]], results: dict[str, Any]
) -> None:
    samples: list[float] = []
    for i in range(runs):
        t0 = time.perf_counter()
        await make(i)
        samples.append((time.perf_counter() - t0) * 1000)
    results[label] = samples
    print(
        f"  {label:<38} p50 {statistics.median(samples):6.2f} ms   p99 {pct(samples, 0.99):6.2f} ms"
        f"   max {max(samples):6.2f} ms",
        flush=True,
    )


async def run(args: argparse.Namespace) -> int:
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench.sqlite3"
    clock = FixedClock(END)
    figures = f"{args.attempts}:{args.members}:{args.guilds}"
    store = await Store.open(path, clock=clock)
    meta = await store._fetchone("SELECT value FROM app_meta WHERE key = 'bench'")
    if meta is None or meta[0] != figures:
        await store.sync_builtin_decks(load_builtin_decks())
        await store.close()
        print(
            f"Filling {path}: {args.attempts:,} attempts, {args.members:,} members, "
            f"{args.guilds:,} servers over a year ...",
            flush=True,
        )
        t0 = time.perf_counter()
        await asyncio.to_thread(
            fill, path, attempts=args.attempts, members=args.members, guilds=args.guilds
        )
        print(f"  filled in {time.perf_counter() - t0:.0f} s", flush=True)
        store = await Store.open(path, clock=clock)
    print(f"Machine: {machine()}")
    counts = await store.counts()
    totals = await store._fetchone("SELECT COUNT(*) FROM score_totals")
    size_mb = path.stat().st_size / 1e6
    print(
        f"Database: {counts['attempts']:,} attempts, {counts['members']:,} members, "
        f"{totals[0] if totals else 0:,} score_totals rows, {size_mb:.0f} MB"
    )

    rng = random.Random(11)
    guild_ids = [GUILD_BASE + g for g in range(args.guilds)]
    biggest = GUILD_BASE
    big_size = await store.board_size(biggest, "all", season_key(1))
    print(f"Largest server: {big_size:,} members on its all-time board")
    members_of: dict[int, list[int]] = defaultdict(list)
    for r in await store._fetchall("SELECT guild_id, user_id FROM members"):
        members_of[r[0]].append(r[1])
    zones = {g: (await store.settings_for(g)).zone for g in guild_ids[:50]}
    today_of = {g: local_day(END, z) for g, z in zones.items()}

    def pick_guild(i: int) -> int:
        # Half the reads hit the 50 biggest servers, half any server.
        return guild_ids[i % 50] if i % 2 == 0 else rng.choice(guild_ids)

    def keys(g: int) -> tuple[str, str]:
        today = today_of.get(g) or local_day(END, ZoneInfo("UTC"))
        return week_key(today), month_key(today)

    for g in guild_ids:
        if g not in today_of:
            today_of[g] = local_day(END, (await store.settings_for(g)).zone)

    results: dict[str, Any] = {}
    n = args.reads
    print(f"Reads ({n} each, p99 target under 10 ms):")

    async def week_page(i: int) -> None:
        g = pick_guild(i)
        await store.board_page(g, "all", keys(g)[0], 0, PAGE_SIZE)

    async def month_page(i: int) -> None:
        g = pick_guild(i)
        await store.board_page(g, rng.choice(("all", "quiz", "qotd")), keys(g)[1], 0, PAGE_SIZE)

    async def all_time(i: int) -> None:
        g = pick_guild(i)
        await store.board_page(g, "all", season_key(1), rng.randrange(3), PAGE_SIZE)

    async def deep_page(i: int) -> None:
        page = rng.randrange(max(1, big_size // PAGE_SIZE))
        await store.board_page(biggest, "all", season_key(1), page, PAGE_SIZE)

    async def rank(i: int) -> None:
        g = pick_guild(i)
        await store.standing(g, "all", season_key(1), rng.choice(members_of[g]))

    async def whole_command(i: int) -> None:
        # What /leaderboard show reads: settings, season, the page and the asker's rank.
        g = pick_guild(i)
        await store.settings_for(g)
        await store.current_season(g)
        key = keys(g)[0]
        await store.board_page(g, "all", key, 0, PAGE_SIZE)
        await store.standing(g, "all", key, rng.choice(members_of[g]))

    await timed("week board, first page", n, week_page, results)
    await timed("month board (any board), first page", n, month_page, results)
    await timed("all-time board, pages 1-3", n, all_time, results)
    await timed(f"all-time board, any page of {big_size:,}", n, deep_page, results)
    await timed("one member's all-time rank", n, rank, results)
    await timed("/leaderboard show, every read", n, whole_command, results)

    # -- writes ------------------------------------------------------------------------------
    question_ids = [r[0] for r in await store._fetchall("SELECT id FROM questions")]
    touched: set[int] = set()
    wr = random.Random(5)
    # A database reused from an earlier run holds its grades: start a day after them, or
    # these would repeat that day's questions past the daily cap and score nothing (a
    # lighter write than a member's first grades of a day).
    latest = await store._fetchone("SELECT MAX(created_at) FROM attempts")
    if latest and latest[0] and from_db(latest[0]) >= clock.now():
        clock.set(from_db(latest[0]) + timedelta(days=1))

    def next_grade() -> AttemptRequest:
        g = guild_ids[wr.randrange(50)] if wr.random() < 0.5 else wr.choice(guild_ids)
        u = wr.choice(members_of[g])
        clock.advance(milliseconds=1)
        touched.add(g)
        return AttemptRequest(
            g, u, f"member{u}", None, wr.choice(question_ids), "quiz", 3, False, False
        )

    def report(
        label: str, latencies: list[float], scored: int, elapsed: float, *, target: bool
    ) -> None:
        done = len(latencies)
        latencies = latencies or [0.0]  # --write-seconds 0: fill and read only
        print(
            f"  {label}: {done:,} grades in {elapsed:.1f} s: {done / elapsed:,.0f} grades/s"
            f"{' (target 2,000)' if target else ''}; "
            f"latency p50 {statistics.median(latencies):.1f} ms, "
            f"p99 {pct(latencies, 0.99):.1f} ms; {scored / max(1, done):.0%} scored"
        )

    # Offered load: grades arrive at a fixed rate a second whatever the store's pace, as clicks
    # do (each member's grade is its own interaction); latency counts from each grade's arrival.
    # At --rate the store should keep up; at twice --rate it cannot, grades queue, and the
    # grades stored a second are what the store can write at most (target 2,000).
    print(
        f"Writes: record_attempt, every board kept exact; {args.write_seconds} s at "
        f"{args.rate:,} grades/s offered, {args.write_seconds} s at {2 * args.rate:,}/s "
        f"offered (to find the most it stores), then {args.write_seconds} s with "
        f"{args.writers} in flight at most ..."
    )

    async def offered_run(rate: int) -> tuple[list[float], int, float]:
        arrivals = int(rate * args.write_seconds)
        latencies: list[float] = []
        scored = 0
        tasks: list[asyncio.Task[None]] = []

        async def one(req: AttemptRequest, due: float) -> None:
            nonlocal scored
            result = await store.record_attempt(req)
            latencies.append((time.perf_counter() - due) * 1000)
            scored += result.scored

        t0 = time.perf_counter()
        sent = 0
        while sent < arrivals:
            now = time.perf_counter()
            while sent < arrivals and t0 + sent / rate <= now:
                tasks.append(asyncio.ensure_future(one(next_grade(), t0 + sent / rate)))
                sent += 1
            await asyncio.sleep(0.002)
        await asyncio.gather(*tasks)
        return latencies, scored, (time.perf_counter() - t0) or 1.0

    latencies, scored, elapsed = await offered_run(args.rate)
    report(f"offered {args.rate:,}/s", latencies, scored, elapsed, target=False)
    if latencies and max(latencies) > 1000:
        print(
            f"    the store fell behind: the slowest grade was stored "
            f"{max(latencies) / 1000:.1f} s after it arrived"
        )
    latencies, scored, elapsed = await offered_run(2 * args.rate)
    report(f"offered {2 * args.rate:,}/s, the most stored", latencies, scored, elapsed, target=True)

    # Closed loop: a fixed number of grades in flight, each writer waiting for its grade.
    closed: list[float] = []
    closed_scored = 0
    deadline = time.perf_counter() + args.write_seconds

    async def writer() -> None:
        nonlocal closed_scored
        while time.perf_counter() < deadline:
            t1 = time.perf_counter()
            result = await store.record_attempt(next_grade())
            closed.append((time.perf_counter() - t1) * 1000)
            closed_scored += result.scored

    t0 = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(args.writers)))
    report(
        f"{args.writers} in flight", closed, closed_scored, time.perf_counter() - t0, target=False
    )
    print("  (not scored: a member repeating a question the same day; attempt and card only)")

    # -- exactness: the boards touched agree with a recomputation from the attempts -----------
    checked = 0
    for g in sorted(touched)[:20]:
        week = week_key(local_day(clock.now(), (await store.settings_for(g)).zone))
        board = await store.all_scores(g, "all", week)
        want = await store._fetchall(
            "SELECT user_id, SUM(points) FROM attempts WHERE guild_id = ? AND scored = 1 "
            "AND local_day >= ? AND local_day < date(?, '+7 days') GROUP BY user_id",
            (g, week[5:], week[5:]),
        )
        got = {s.user_id: s.points for s in board}
        assert got == {r[0]: r[1] for r in want}, f"server {g}: board and attempts disagree"
        checked += 1
    print(f"  exact: {checked} week boards written to agree with their attempts")
    await store.close()
    if not args.keep and not args.db:
        path.unlink(missing_ok=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run with options (``python -m bench.leaderboard --help``); without, the defaults."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.leaderboard", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--db", help="database file to fill or reuse (default: a temporary one)")
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--guilds", type=int, default=1_000)
    parser.add_argument("--reads", type=int, default=2_000)
    parser.add_argument("--write-seconds", type=float, default=15.0)
    parser.add_argument(
        "--rate", type=int, default=2_000, help="grades offered a second in the first write run"
    )
    parser.add_argument(
        "--writers",
        type=int,
        default=8,
        help="grades in flight at once (members clicking at the same moment)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    return asyncio.run(run(parser.parse_args([] if argv is None else argv)))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
