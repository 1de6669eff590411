"""Uploads to /question import at the size limit: CPU time to read each, hostile ones included.

An import is read in a thread off the bot's event loop, but Python runs one thread at a time
and a regular expression holds the interpreter until it finishes: a parser that is quadratic
on some input (a long run of backticks or spaces, thousands of unclosed HTML comments, tens
of thousands of blank lines or unknown keys) would stop the whole bot, heartbeats included,
for minutes. Each file below is as large as one import may be (``IMPORT_MAX_BYTES``), or as
many items as fit in it, and is read with ``parse_import`` as /question import reads it;
the figure is the CPU time of that one call (``time.process_time``), the best of
``--repeat`` runs. The last rows are ordinary exports of 500 questions (the most one import
takes) in each format, read back.

Each file is also read as the bot reads it, in a thread (``asyncio.to_thread``) while the
event loop runs a task that wakes every 5 ms: the longest it waited past its time is how
long the bot would have stopped answering (Discord wants an interaction acknowledged within
3 s, and a heartbeat every 41 s).

Targets: the event loop never held up more than ``TARGET_STALL_S`` seconds by a read, and
every file read in at most ``TARGET_CPU_S`` seconds of CPU.

Run: ``python -m bench.imports`` (a minute or two).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.common import machine, table
from bot.decks import load_builtin_decks
from bot.exporters import export_questions
from bot.importers import IMPORT_MAX_BYTES, IMPORT_MAX_QUESTIONS, parse_import
from bot.questions import Question

TARGET_STALL_S = 0.25
TARGET_CPU_S = 10.0
MAX = IMPORT_MAX_BYTES
TICK = 0.005


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    make: Callable[[], bytes]


def _fill(unit: bytes, head: bytes = b"", tail: bytes = b"") -> bytes:
    """``head``, then ``unit`` as many times as fits in one import, then ``tail``."""
    room = MAX - len(head) - len(tail)
    return head + unit * (room // len(unit)) + tail


def _keys() -> bytes:
    lines, size, i = [], 0, 0
    while True:
        line = f"k{i}: v\n".encode()
        if size + len(line) > MAX:
            return b"".join(lines)
        lines.append(line)
        size += len(line)
        i += 1


def _questions() -> list[Question]:
    """IMPORT_MAX_QUESTIONS questions from the built-in decks, each prompt made unique."""
    pool = [q for deck in load_builtin_decks() for q in deck.questions]
    out = []
    for i in range(IMPORT_MAX_QUESTIONS):
        q = pool[i % len(pool)]
        out.append(q.model_copy(update={"id": f"q{i}", "prompt": f"{q.prompt} ({i})"}))
    return out


def _export(fmt: str) -> Callable[[], bytes]:
    return lambda: export_questions(_questions(), fmt, deck_name="Bench", deck_slug="bench")


CASES = [
    Case("unclosed HTML comments", "comments.md", lambda: _fill(b"<!--")),
    Case("a heading's run of spaces", "heading.md", lambda: _fill(b" ", b"# a", b"b\n")),
    Case("backticks in a heading", "ticks.md", lambda: _fill(b"`", b"## 1. What is ")),
    Case(
        "backticks in an answer",
        "ticks.md",
        lambda: _fill(b"`", b"## 1. What is x?\n\n**Example answer:**\n\nA "),
    ),
    Case("backticks in an HTML line", "ticks.md", lambda: _fill(b"`", b"<b>a ")),
    Case("a line of quote marks", "quotes.md", lambda: _fill(b"> ", b"", b"x\n")),
    Case("blank lines", "blank.txt", lambda: _fill(b"\n", b"x", b"y\n")),
    Case("blank lines with spaces", "blank.txt", lambda: _fill(b" \n", b"x", b"y\n")),
    Case("unknown keys (YAML)", "keys.yaml", _keys),
    Case("500 questions, YAML", "bench.yaml", _export("yaml")),
    Case("500 questions, JSON", "bench.json", _export("json")),
    Case("500 questions, CSV", "bench.csv", _export("csv")),
    Case("500 questions, Markdown", "bench.md", _export("markdown")),
]


async def stall_while_read(data: bytes, filename: str) -> float:
    """Seconds the event loop was held up, at most, while a thread read the file."""
    worst = 0.0
    done = False

    async def ticker() -> None:
        nonlocal worst
        while not done:
            due = time.perf_counter() + TICK
            await asyncio.sleep(TICK)
            worst = max(worst, time.perf_counter() - due)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    try:
        await asyncio.to_thread(parse_import, data, filename)
    finally:
        done = True
        await task
    return worst


def measure(case: Case, repeat: int) -> tuple[int, float, float, str]:
    """(size in bytes, best CPU seconds, worst event-loop stall, what the import made of it)."""
    data = case.make()
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        result = parse_import(data, case.filename)
        best = min(best, time.process_time() - start)
    stall = asyncio.run(stall_while_read(data, case.filename))
    if result.errors:
        outcome = f"refused ({len(result.errors):,} error{'s' if len(result.errors) > 1 else ''})"
    else:
        outcome = f"{len(result.questions)} questions"
    return len(data), best, stall, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.imports", description=__doc__.split("\n\n")[0] if __doc__ else ""
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each file (best kept)")
    args = parser.parse_args([] if argv is None and __name__ != "__main__" else argv)
    rows, missed = [], 0
    for case in CASES:
        size, seconds, stall, outcome = measure(case, max(1, args.repeat))
        mark = "" if seconds <= TARGET_CPU_S and stall <= TARGET_STALL_S else "MISSED"
        missed += bool(mark)
        rows.append([
            case.name, f"{size / 1024:,.0f} KiB", f"{seconds:.2f} s", f"{stall * 1000:,.0f} ms",
            outcome, mark,
        ])  # fmt: skip
    print(f"Machine: {machine()}\n")
    print(table(rows, ["file", "size", "CPU", "loop held up", "read as", ""]))
    print(
        f"\ntargets: the event loop held up at most {TARGET_STALL_S * 1000:g} ms, and every "
        f"file read in at most {TARGET_CPU_S:g} s of CPU; {missed} missed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
