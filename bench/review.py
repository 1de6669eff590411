"""How fast /review finds a member's next due card in a large database.

Fills an SQLite file (through Recall's migrations) with 1,000,000 FSRS cards: one member with
10,000 cards and 99,000 others with 10 each, spread over 100 servers, due dates over a year
around "now", and a member beside the big one with all but the deck's last 10 questions.
Then times ``Store.next_due`` (the query /review runs before every card) for the big member
and for random members, the next new card (``Store.new_question``: the first search after
such a member's grades, which walks the deck once, then the searches after it), the new
cards left (``Store.new_questions_left``) and the daily new-card count.
Target: p99 under 5 ms.

Run: ``python -m bench.review`` (``--cards N`` to change the size).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import machine, percentile, table
from bot.clock import FixedClock, to_db
from bot.store import Store

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
BIG_GUILD, BIG_USER = 1, 1
NEAR_USER = 2  # in the big member's server, every question but the last 10 graded
TARGET_MS = 5.0


def fill(path: Path, cards: int, seed: int = 7) -> tuple[int, list[tuple[int, int]]]:
    """Write the cards straight through sqlite3 (the schema comes from the migrations)."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    now = to_db(NOW)
    conn.execute(
        "INSERT INTO decks (guild_id, slug, name, builtin, created_at) VALUES (0, 'bench', 'Bench', 1, ?)", (now,)
    )
    questions = 10_000
    conn.executemany(
        "INSERT INTO questions (id, deck_id, ext_id, prompt, answer, difficulty, created_at, updated_at) "
        "VALUES (?, 1, ?, ?, 'a', 'medium', ?, ?)",
        ((q, f"q{q}", f"Question {q}?", now, now) for q in range(1, questions + 1)),
    )

    def due() -> str:
        return to_db(NOW + timedelta(minutes=rng.randint(-180 * 1440, 180 * 1440)))

    def rows():
        for q in range(1, questions + 1):  # the big member: every question
            yield (BIG_GUILD, BIG_USER, q, 2, None, 5.0, 5.0, due(), now, 3, 0, now, "quiz")
        for q in range(1, questions - 9):  # one near the end: all but the last 10
            yield (BIG_GUILD, NEAR_USER, q, 2, None, 5.0, 5.0, due(), now, 3, 0, now, "quiz")
        others = (cards - questions) // 10
        for u in range(others):
            guild = 1 + u % 100
            user = 1000 + u
            for q in rng.sample(range(1, questions + 1), 10):
                yield (guild, user, q, 2, None, 5.0, 5.0, due(), now, 3, 0, now, "quiz")

    conn.executemany(
        "INSERT INTO srs_cards (guild_id, user_id, question_id, state, step, stability, difficulty, due, "
        "last_review, reps, lapses, introduced_at, introduced_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    conn.commit()
    total = conn.execute("SELECT COUNT(*) FROM srs_cards").fetchone()[0]
    sample = conn.execute(
        "SELECT guild_id, user_id FROM srs_cards WHERE user_id NOT IN (?, ?) "
        "GROUP BY guild_id, user_id LIMIT 2000",
        (BIG_USER, NEAR_USER),
    ).fetchall()
    conn.execute("ANALYZE")
    conn.close()
    return int(total), [(int(g), int(u)) for g, u in sample]


async def measure(path: Path, others: list[tuple[int, int]], rounds: int) -> list[list[str]]:
    store = await Store.open(path, clock=FixedClock(NOW))
    rng = random.Random(3)
    results = []
    try:
        async def timed(label: str, call, times: int = rounds) -> None:
            samples = []
            for i in range(times):
                start = time.perf_counter()
                await call(i)
                samples.append((time.perf_counter() - start) * 1000)
            p99 = percentile(samples, 99)
            results.append(
                [
                    label,
                    f"{percentile(samples, 50):.2f}",
                    f"{percentile(samples, 95):.2f}",
                    f"{p99:.2f}" + ("" if p99 < TARGET_MS else " MISSED"),
                    f"{max(samples):.2f}",
                ]
            )

        await timed("next due, member with 10,000 cards", lambda i: store.next_due(BIG_GUILD, BIG_USER, NOW))
        await timed(
            "next due, 10,000 cards, 20 done this session",
            lambda i: store.next_due(BIG_GUILD, BIG_USER, NOW, exclude=tuple(range(1, 21))),
        )
        await timed("next due, random member (10 cards)", lambda i: store.next_due(*rng.choice(others), NOW))
        # The first search after the member's grades walks the whole deck once and notes
        # where the next one starts (srs_new_from); the ones after start there.
        await timed(
            "new card, member with 10,000 cards, first search (once)",
            lambda i: store.new_question(BIG_GUILD, BIG_USER),
            1,
        )
        await timed(
            "new card, member with 10,000 cards (none left)",
            lambda i: store.new_question(BIG_GUILD, BIG_USER),
        )
        await timed(
            "new card, member with 9,990 of 10,000 (first search once)",
            lambda i: store.new_question(BIG_GUILD, NEAR_USER),
            1,
        )
        await timed(
            "new card, member with 9,990 of 10,000",
            lambda i: store.new_question(BIG_GUILD, NEAR_USER),
        )
        await timed(
            "new cards left, member with 10,000 cards",
            lambda i: store.new_questions_left(BIG_GUILD, BIG_USER, limit=10),
        )
        await timed("new card, random member (10 cards)", lambda i: store.new_question(*rng.choice(others)))
        await timed(
            "new cards today, member with 10,000 cards",
            lambda i: store.new_introduced_since(BIG_GUILD, BIG_USER, NOW - timedelta(hours=12)),
        )
    finally:
        await store.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "review.sqlite3"
        asyncio.run(_migrate(path))
        started = time.perf_counter()
        total, others = fill(path, args.cards)
        print(f"Machine: {machine()}")
        print(f"filled {total:,} cards in {time.perf_counter() - started:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB)")
        rows = asyncio.run(measure(path, others, args.rounds))
    print(table(rows, ["query", "p50 ms", "p95 ms", "p99 ms", "max ms"]))
    print(f"target: p99 under {TARGET_MS:.0f} ms")
    return 0


async def _migrate(path: Path) -> None:
    store = await Store.open(path)
    await store.close()


if __name__ == "__main__":
    raise SystemExit(main())
