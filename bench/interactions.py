"""Interaction cost of /quiz: CPU per interaction against a bare discord.py bot, and a burst.

Setup. The emulator (REST + gateway on 127.0.0.1) runs in this process and plays Discord and
the members; the bot under test runs in a child process (``bench.common.BotProcess``), so
the child's ``time.process_time()`` (user + system time of all its threads, the SQLite
threads included) is the bot's CPU and nothing of the emulator's. On a 2-core machine each
side gets a core, much as a real bot does not share its CPU with Discord.

1. CPU per interaction. Each bot runs ``ROUNDS`` rounds of post -> reveal -> grade: a member
   runs ``/quiz`` in #general, clicks **Reveal answer** on the public message and **Good**
   on the private answer. The rounds are played phase by phase (every post, then every
   reveal, then every grade), one interaction at a time, and the child's CPU clock is read
   between phases, so each kind gets its own figure with no per-interaction probe. After
   the grades the bench waits for Recall's batched edit of the public "N members answered"
   count, which belongs to the cost of a grade; the bare bot gets the same wait. A warm-up
   of ``WARMUP`` rounds comes first. Every round uses a member who has not graded yet, so
   every Recall grade scores (the costly path). Both bots run side by side (each with its
   own emulator) and their measured rounds alternate in ``BLOCKS`` blocks, so that another
   busy process on the machine weighs on both figures alike.

   The bare bot is a minimal ``commands.Bot`` answering the same shape with no database:
   ``/quiz`` sends the question embed with Reveal / Hint / Next buttons, Reveal answers
   privately with the answer embed and 4 grade buttons plus Next, and a grade edits that
   message (buttons disabled). Its buttons are ``DynamicItem``s whose custom_ids carry the
   post (and member) ids, as Recall's do: that is what any bot whose buttons survive a
   restart needs, so the comparison isolates Recall's own work (storage, rendering).

2. Burst. ``BURST`` fresh members each click **Reveal answer** on one public quiz message
   and then a grade on their private answer; their first clicks start evenly spread over
   ``SPREAD`` seconds. The ack latency is the emulator's: interaction created (just before
   INTERACTION_CREATE is sent) to callback received. An ack later than Discord's 3 s is
   rejected by the emulator (10062); it is counted as late here, not treated as a crash.
   The scored grades are counted in the bot's SQLite file afterwards.

Run alone with ``python -m bench.interactions`` (about a minute), or with every benchmark
through ``python -m bench``. Targets missed are marked MISSED; the exit code stays 0.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import re
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bench.common import (
    BotProcess,
    BotSpec,
    Cleanup,
    DiscordEmulator,
    machine,
    percentile,
    quiet_emulator_logs,
    table,
)

ROUNDS = 300
WARMUP = 20
BLOCKS = 3  # measured rounds alternate between the bots in this many blocks
BURST = 1000
SPREAD = 1.0  # seconds over which the burst's first clicks start
COUNT_SETTLE = 1.6  # seconds: Recall edits the public count about 1 s after a grade

TARGET_CPU_RATIO = 1.3
TARGET_P99 = 1.5

DECK_SLUG = "bench"
DECK_NAME = "Bench deck"
PROMPT = "What does the application context hold?"
WHY = "It shows whether you know where `current_app` and `g` live."
KEY_POINTS = ["current_app", "g", "pushed per request and per CLI command"]
ANSWER = (
    "The application context holds `current_app` and `g` for the length of a request or "
    "command."
)
TAGS = ["contexts", "flask"]
GRADES = ("Again", "Hard", "Good", "Easy")


# ---------------------------------------------------------------------------
# The bots (built in the child process)
# ---------------------------------------------------------------------------


async def recall_bot(spec: BotSpec) -> tuple[discord.Client, Cleanup]:
    """Recall as shipped, on a fresh SQLite file, with a one-question deck for the guild."""
    from bot.client import RecallBot
    from bot.config import Settings
    from bot.decks import load_builtin_decks
    from bot.questions import Question
    from bot.store import Store

    class BenchRecall(RecallBot):
        async def before_identify_hook(
            self, shard_id: int | None, *, initial: bool = False
        ) -> None:
            """No pause before a re-IDENTIFY on loopback."""

    db = Path(spec.db)
    store = await Store.open(db)
    await store.sync_builtin_decks(load_builtin_decks())
    deck_id = await store.create_deck(spec.guild_id, DECK_SLUG, DECK_NAME, "Benchmark deck")
    question = Question(
        id="bench-1", prompt=PROMPT, why=WHY, key_points=KEY_POINTS, answer=ANSWER,
        tags=TAGS, difficulty="medium",
    )
    await store.add_questions(deck_id, [question])
    settings = Settings(DISCORD_TOKEN=spec.token, database=db)
    bot = BenchRecall(settings, store, guild_ready_timeout=0.1)
    return bot, store.close


def _bare_question_embed(asker: str) -> discord.Embed:
    embed = discord.Embed(title="Quiz", description=PROMPT, colour=discord.Colour.blurple())
    embed.set_author(name=DECK_NAME)
    embed.add_field(name="Difficulty", value="🟡 medium", inline=True)
    embed.add_field(name="Tags", value=", ".join(f"`{t}`" for t in TAGS), inline=True)
    embed.set_footer(text=f"Asked by {asker} · 0 members answered")
    return embed


def _bare_answer_embed(verdict: str) -> discord.Embed:
    embed = discord.Embed(title=PROMPT, colour=discord.Colour.green())
    embed.add_field(name="Key points", value="\n".join(f"• {p}" for p in KEY_POINTS),
                    inline=False)
    embed.description = f"{verdict}\n\n**Model answer**\n{ANSWER}"
    return embed


def _button(label: str, custom_id: str, style: discord.ButtonStyle, *,
            emoji: str | None = None, disabled: bool = False) -> discord.ui.Button[Any]:
    return discord.ui.Button(label=label, custom_id=custom_id, style=style, emoji=emoji,
                             disabled=disabled)


class BareReveal(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"bq:rv:(?P<post>\d+)"):
    def __init__(self, post_id: int) -> None:
        super().__init__(_button("Reveal answer", f"bq:rv:{post_id}",
                                 discord.ButtonStyle.primary, emoji="👀"))
        self.post_id = post_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
        match: re.Match[str], /,
    ) -> BareReveal:
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message(
            embed=_bare_answer_embed("How well did you know it? Grade yourself:"),
            view=_bare_grade_view(self.post_id, interaction.user.id, None),
            ephemeral=True,
        )


class BareHint(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"bq:hint:(?P<post>\d+)"):
    def __init__(self, post_id: int) -> None:
        super().__init__(_button("Hint", f"bq:hint:{post_id}", discord.ButtonStyle.secondary,
                                 emoji="💡"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
        match: re.Match[str], /,
    ) -> BareHint:
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message(WHY, ephemeral=True)


class BareNext(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"bq:next:(?P<post>\d+)"):
    def __init__(self, post_id: int, row: int | None = None) -> None:
        super().__init__(_button("Next question", f"bq:next:{post_id}",
                                 discord.ButtonStyle.secondary, emoji="➡️"), row=row)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
        match: re.Match[str], /,
    ) -> BareNext:
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("No more questions.", ephemeral=True)


class BareGrade(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"bq:g:(?P<post>\d+):(?P<user>\d+):(?P<rating>[1-4])",
):
    STYLES = (discord.ButtonStyle.danger, discord.ButtonStyle.secondary,
              discord.ButtonStyle.success, discord.ButtonStyle.primary)

    def __init__(self, post_id: int, user_id: int, rating: int, chosen: int | None = None
                 ) -> None:
        style = (self.STYLES[rating - 1] if chosen in (None, rating)
                 else discord.ButtonStyle.secondary)
        super().__init__(_button(GRADES[rating - 1], f"bq:g:{post_id}:{user_id}:{rating}", style,
                                 disabled=chosen is not None))
        self.post_id, self.user_id, self.rating = post_id, user_id, rating

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
        match: re.Match[str], /,
    ) -> BareGrade:
        return cls(int(match["post"]), int(match["user"]), int(match["rating"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        verdict = f"You graded yourself **{GRADES[self.rating - 1]}**\n**+2 points**"
        await interaction.response.edit_message(
            embed=_bare_answer_embed(verdict),
            view=_bare_grade_view(self.post_id, self.user_id, self.rating),
        )


def _bare_grade_view(post_id: int, user_id: int, chosen: int | None) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for rating in range(1, 5):
        view.add_item(BareGrade(post_id, user_id, rating, chosen))
    view.add_item(BareNext(post_id, row=1))
    return view


async def bare_bot(spec: BotSpec) -> tuple[discord.Client, Cleanup]:
    """A minimal discord.py bot with the same messages and buttons and no storage."""

    class Bare(commands.Bot):
        async def setup_hook(self) -> None:
            self.add_dynamic_items(BareReveal, BareHint, BareNext, BareGrade)

        async def before_identify_hook(
            self, shard_id: int | None, *, initial: bool = False
        ) -> None:
            """No pause before a re-IDENTIFY on loopback."""

    bot = Bare(command_prefix=commands.when_mentioned, intents=discord.Intents(guilds=True),
               help_command=None, guild_ready_timeout=0.1,
               allowed_mentions=discord.AllowedMentions.none())
    posts = itertools.count(1)

    @bot.tree.command(name="quiz", description="Ask a question in this channel.")
    @app_commands.guild_only()
    @app_commands.describe(deck="Which deck", tag="A tag", private="Only you see it")
    async def quiz(interaction: discord.Interaction[Any], deck: str | None = None,
                   tag: str | None = None, private: bool = False) -> None:
        post_id = next(posts)
        view = discord.ui.View(timeout=None)
        view.add_item(BareReveal(post_id))
        view.add_item(BareHint(post_id))
        view.add_item(BareNext(post_id))
        await interaction.response.send_message(
            embed=_bare_question_embed(interaction.user.display_name), view=view,
            ephemeral=private,
        )

    async def nothing() -> None:
        return None

    return bot, nothing


BOTS = {"Recall": "bench.interactions:recall_bot", "bare discord.py": "bench.interactions:bare_bot"}


# ---------------------------------------------------------------------------
# Driving the emulator
# ---------------------------------------------------------------------------


@dataclass
class CpuFigures:
    post: float  # microseconds of bot CPU per interaction
    reveal: float
    grade: float
    wall: float  # seconds for all measured rounds
    problems: int  # interactions not answered as expected
    rest: dict[str, float] = field(default_factory=dict)  # REST requests per round, by kind

    @property
    def mean(self) -> float:
        return (self.post + self.reveal + self.grade) / 3


@dataclass
class Click:
    latency: float | None  # seconds, interaction sent -> callback received (or rejected)
    acked: bool  # acknowledged within the ack deadline
    late: bool  # the bot answered after the deadline (rejected with 10062)
    result: Any = None


@dataclass
class BurstFigures:
    members: int
    reveals: list[Click] = field(default_factory=list)
    grades: list[Click] = field(default_factory=list)
    wall: float = 0.0
    bot_cpu: float = 0.0
    emulator_cpu: float = 0.0
    scored: int | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def clicks(self) -> list[Click]:
        return self.reveals + self.grades

    @property
    def latencies(self) -> list[float]:
        return [c.latency for c in self.clicks if c.latency is not None]


async def timed_click(emu: DiscordEmulator, member: Any, message: Any, label: str) -> Click:
    try:
        result = await member.click(message, label)
    except AssertionError:  # no answer at all within the deadline plus 2 s
        return Click(None, acked=False, late=False)
    record = result.interaction
    if record.response_type is not None:
        return Click(record.responded_at - record.created_at, acked=True, late=False,
                     result=result)
    return Click(emu.now() - record.created_at, acked=False, late=10062 in result.error_codes,
                 result=result)


async def play_rounds(bot: BotProcess, members: list[Any], channel: Any, *, measure: bool
                      ) -> tuple[list[float], int]:
    """One round per member, phase by phase; the bot's CPU seconds per phase when measured,
    and how many interactions were not answered as expected."""
    problems = 0
    marks = [await bot.cpu()] if measure else []
    posted = [await m.run("/quiz", channel=channel, deck=DECK_SLUG) for m in members]
    marks += [await bot.cpu()] if measure else []
    revealed: list[Any] = []
    for m, p in zip(members, posted, strict=True):
        if p.message is None or p.ephemeral:
            problems += 1
            revealed.append(None)
            continue
        revealed.append(await m.click(p.message, "Reveal answer"))
    marks += [await bot.cpu()] if measure else []
    for m, r in zip(members, revealed, strict=True):
        if r is None or not r.ephemeral:
            problems += 1
            continue
        graded = await m.click(r.message, "Good")
        if graded.response_type != 7:
            problems += 1
    await asyncio.sleep(COUNT_SETTLE)
    marks += [await bot.cpu()] if measure else []
    return [b - a for a, b in itertools.pairwise(marks)], problems


@dataclass
class Subject:
    """One bot under test with its own emulator, guild and members."""

    name: str
    factory: str
    emu: DiscordEmulator
    proc: BotProcess
    channel: Any
    members: list[Any]
    db: Path | None
    used: int = 0
    phases: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    measured: int = 0
    requests: dict[str, int] = field(default_factory=dict)
    problems: int = 0
    wall: float = 0.0

    def take(self, n: int) -> list[Any]:
        batch = self.members[self.used:self.used + n]
        self.used += n
        return batch

    async def rounds(self, n: int, *, measure: bool) -> None:
        started = time.monotonic()
        logged = len(self.emu.requests)
        deltas, problems = await play_rounds(self.proc, self.take(n), self.channel,
                                             measure=measure)
        self.problems += problems
        if measure:
            for entry in self.emu.requests[logged:]:
                kind = rest_kind(entry.method, entry.path)
                self.requests[kind] = self.requests.get(kind, 0) + 1
            self.wall += time.monotonic() - started - COUNT_SETTLE
            self.measured += n
            self.phases = [t + d for t, d in zip(self.phases, deltas, strict=True)]

    def cpu(self) -> CpuFigures:
        per = [t / max(1, self.measured) * 1e6 for t in self.phases]
        rest = {k: v / max(1, self.measured) for k, v in sorted(self.requests.items())}
        return CpuFigures(per[0], per[1], per[2], self.wall, self.problems, rest)

    def violations(self) -> list[str]:
        codes: dict[int, int] = {}
        for v in self.emu.violations:
            codes[v.code] = codes.get(v.code, 0) + 1
        return [f"{code}×{count}" for code, count in sorted(codes.items())]


def rest_kind(method: str, path: str) -> str:
    """A REST request's kind for the report: interaction callbacks apart from the rest."""
    if "/interactions/" in path and path.endswith("/callback"):
        return "interaction callback"
    if method == "PATCH" and "/channels/" in path and "/messages/" in path:
        return "message edit"
    return f"{method} other"


async def open_subject(name: str, factory: str, workdir: Path) -> Subject:
    emu = DiscordEmulator()
    await emu.start()
    guild = emu.add_guild("Bench")
    members = [guild.add_member(f"m{i}") for i in range(WARMUP + ROUNDS + BURST + 1)]
    db = workdir / "recall.sqlite3" if name == "Recall" else None
    proc = BotProcess.for_emulator(emu, factory, db=db, guild_id=guild.id)
    try:
        await proc.start()
    except BaseException:
        await emu.stop()
        raise
    return Subject(name, factory, emu, proc, guild.general, members, db)


async def close_subject(subject: Subject) -> None:
    try:
        await subject.proc.stop()
    finally:
        await subject.emu.stop()


async def burst(emu: DiscordEmulator, bot: BotProcess, poster: Any, members: list[Any],
                channel: Any, db: Path | None) -> BurstFigures:
    figures = BurstFigures(len(members))
    posted = await poster.run("/quiz", channel=channel, deck=DECK_SLUG)
    message = posted.message
    loop = asyncio.get_running_loop()
    n = len(members)

    async def member_plays(i: int, member: Any) -> None:
        await asyncio.sleep(max(0.0, start + i * SPREAD / n - loop.time()))
        try:
            reveal = await timed_click(emu, member, message, "Reveal answer")
            figures.reveals.append(reveal)
            if reveal.acked and reveal.result.ephemeral:
                figures.grades.append(
                    await timed_click(emu, member, reveal.result.message, "Good"))
        except Exception as exc:
            figures.errors.append(repr(exc))

    bot_cpu0, emu_cpu0 = await bot.cpu(), time.process_time()
    start = loop.time() + 0.05
    await asyncio.gather(*(member_plays(i, m) for i, m in enumerate(members)))
    figures.wall = loop.time() - start
    figures.bot_cpu = await bot.cpu() - bot_cpu0
    figures.emulator_cpu = time.process_time() - emu_cpu0
    if db is not None:
        await asyncio.sleep(COUNT_SETTLE)
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM attempts a JOIN posts p ON p.id = a.post_id "
                "WHERE p.message_id = ? AND a.scored = 1",
                (message.id,),
            ).fetchone()
        conn.close()
        figures.scored = int(row[0])
    return figures


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def cpu_report(cpu: dict[str, CpuFigures]) -> list[str]:
    recall, bare = cpu.get("Recall"), cpu.get("bare discord.py")
    rounds = ROUNDS
    lines = [f"Bot CPU per interaction, µs (bot in its own process; {rounds} rounds after "
             f"{WARMUP} warm-up)"]
    rows = []
    for kind in ("post", "reveal", "grade", "mean"):
        r = getattr(recall, kind) if recall else float("nan")
        b = getattr(bare, kind) if bare else float("nan")
        ratio = r / b if b else float("inf")
        mark = "MISSED" if kind == "mean" and not ratio <= TARGET_CPU_RATIO else ""
        label = {"post": "/quiz post", "reveal": "Reveal answer", "grade": "grade (Good)",
                 "mean": "mean of the three"}[kind]
        rows.append([label, f"{r:.0f}", f"{b:.0f}", f"{ratio:.2f}×", mark])
    lines.append(table(rows, ["interaction", "Recall", "bare", "ratio", ""]))
    lines.append(f"target: Recall ≤ {TARGET_CPU_RATIO}× bare (mean)")
    lines.append("wall for the measured rounds: " + ", ".join(
        f"{name} {f.wall:.1f} s ({f.problems} unexpected answers)" for name, f in cpu.items()))
    # The work is only comparable if the REST traffic is: Recall's extra requests (the live
    # "N members answered" count on the public message) are real cost, counted in its figures.
    lines.append("REST requests per round (post + reveal + grade): " + "; ".join(
        f"{name} {sum(f.rest.values()):.2f} ("
        + ", ".join(f"{kind} {n:.2f}" for kind, n in f.rest.items()) + ")"
        for name, f in cpu.items()))
    return lines


def burst_report(bursts: dict[str, BurstFigures]) -> list[str]:
    lines = [f"Burst: {BURST} members click Reveal answer then Good on one public message, "
             f"first clicks spread over {SPREAD:.0f} s"]
    rows = []
    for name, f in bursts.items():
        lat = f.latencies
        total = 2 * f.members
        acked = sum(1 for c in f.clicks if c.acked)
        late = sum(1 for c in f.clicks if c.late)
        silent = len(f.clicks) - acked - late
        unsent = total - len(f.clicks)  # grades a member could not click (reveal failed)
        p50, p95, p99 = (percentile(lat, q) for q in (50, 95, 99))
        worst = max(lat) if lat else float("nan")
        is_recall = name == "Recall"
        rows.append([
            name,
            f"{acked}/{total}" + (" MISSED" if is_recall and acked < total else ""),
            str(late), str(silent), str(unsent),
            _ms(p50), _ms(p95),
            _ms(p99) + (" MISSED" if is_recall and not p99 < TARGET_P99 else ""),
            _ms(worst),
            ("-" if f.scored is None else
             f"{f.scored}" + (" MISSED" if f.scored != f.members else "")),
            f"{f.wall:.2f} s", f"{f.bot_cpu:.2f} s", f"{f.emulator_cpu:.2f} s",
        ])
    lines.append(table(rows, ["bot", "acked ≤3 s", "late", "no ack", "not sent", "p50", "p95", "p99",
                              "max", "scored", "wall", "bot CPU", "emu CPU"]))
    lines.append(f"targets (Recall): every interaction acked within 3 s, p99 < "
                 f"{TARGET_P99} s, exactly {BURST} scored grades stored")
    for name, f in bursts.items():
        if f.errors:
            lines.append(f"{name}: {len(f.errors)} members failed, first: {f.errors[0]}")
    return lines


def report(cpu: dict[str, CpuFigures], bursts: dict[str, BurstFigures],
           violations: dict[str, list[str]]) -> str:
    lines = [f"Machine: {machine()}", "", *cpu_report(cpu), "", *burst_report(bursts)]
    for name, v in violations.items():
        if v:
            lines.append(f"{name}: requests the emulator rejected (code×count): {', '.join(v)}")
    return "\n".join(lines)


async def run(only: str | None = None) -> str:
    """Both bots run side by side; their measured rounds alternate in BLOCKS blocks so that
    a busy neighbour on the machine weighs on both alike. The bursts run one bot at a time."""
    quiet_emulator_logs()
    chosen = {n: f for n, f in BOTS.items() if not only or only.lower() in n.lower()}
    subjects: list[Subject] = []
    with tempfile.TemporaryDirectory(prefix="recall-bench-") as tmp:
        try:
            for name, factory in chosen.items():
                subjects.append(await open_subject(name, factory, Path(tmp)))
            for sub in subjects:
                await sub.rounds(WARMUP, measure=False)
            per_block = [ROUNDS // BLOCKS + (1 if i < ROUNDS % BLOCKS else 0)
                         for i in range(BLOCKS)]
            for n in per_block:
                for sub in subjects:
                    if n:
                        await sub.rounds(n, measure=True)
            bursts: dict[str, BurstFigures] = {}
            for sub in subjects:
                bursts[sub.name] = await burst(sub.emu, sub.proc, sub.take(1)[0],
                                               sub.take(BURST), sub.channel, sub.db)
        finally:
            for sub in subjects:
                await close_subject(sub)
    return report({s.name: s.cpu() for s in subjects}, bursts,
                  {s.name: s.violations() for s in subjects})


def main(argv: list[str] | None = None) -> int:
    global ROUNDS, BURST
    parser = argparse.ArgumentParser(prog="python -m bench.interactions",
                                     description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--only", help="run one bot: 'recall' or 'bare'")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="measured CPU rounds")
    parser.add_argument("--burst", type=int, default=BURST, help="members in the burst")
    args = parser.parse_args([] if argv is None and __name__ != "__main__" else argv)
    ROUNDS, BURST = max(1, args.rounds), max(1, args.burst)
    print(asyncio.run(run(args.only)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
