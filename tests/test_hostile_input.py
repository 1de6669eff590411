"""Hostile input, end to end: every slash command's free-text options and every modal field,
fuzzed with Hypothesis through the real discord.py bot and the loopback emulator.

Values mix unicode edge cases (combining marks, zero-width and right-to-left characters,
emoji sequences, control characters), mentions (``@everyone``, ``@here``, ``<@123>``,
``<@&123>``), markdown that breaks embeds (unclosed fences, huge headers) and fields of up to
4,000 characters. Whatever is typed:

* nothing crashes: no ERROR log record, and every interaction is answered;
* nothing pings: every message body the bot sends suppresses the mentions in its content;
* every reply fits Discord's limits: the emulator checks each body (content 2000, embeds 6000
  in all, field and title lengths, components) and records what Discord would reject.

One bot and one server serve the whole module.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import discord
import pytest
import pytest_asyncio
from conftest import Recall, emulator_running
from discord import app_commands
from emulator import DiscordEmulator, Guild, InteractionResult, Member, limits
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.client import RecallBot
from bot.importers import model_strip
from bot.questions import WHY_MAX, Question
from bot.store import Store

pytestmark = pytest.mark.e2e
#: async tests share the module's loop, where the bot runs
on_bot_loop = pytest.mark.asyncio(loop_scope="module")

MANAGE = discord.Permissions(manage_guild=True).value

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# -- hostile text -------------------------------------------------------------------------------

NASTY = [
    "@everyone", "@here", "<@123>", "<@!123>", "<@&123>", "<#123>", "</quiz:1>",
    "```", "```py\n", "`", "# ", "### ", "-# ", "**", "__", "||", "~~", "> ", ">>> ", "- ",
    "[link](https://example.com)", "https://discord.gg/abc", "<t:0:R>", ":smile:",
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202e",
    "\u2066", "\u2067", "\u2069", "\ufeff", "\u00ad", "\u034f", "\u2028", "\u0085",
    "e\u0301", "Z\u0337\u0327\u031b\u0316", "👨‍👩‍👧‍👦", "🏳️‍🌈", "𝕏", "ﷺ", "\U0001f600", "ß", "İ",
    "\n", "\r\n", "\t", "\x00", "\x1b[31m", "\\", "'", '"', ":", "#", "*", "%s", "{0}",
    "' OR 1=1 --", "<script>",
]  # fmt: skip
BIG = ["x", "@everyone ", "```", "# " + "H" * 50 + "\n", "\u200b", "👨‍👩‍👧‍👦", "e\u0301", "<@&123>"]


def _fit(text: str, max_size: int, min_size: int) -> str:
    text = text[:max_size]
    if len(text) < min_size:
        text += "x" * (min_size - len(text))
    return text


def short_hostile(max_fragments: int = 10) -> st.SearchStrategy[str]:
    fragment = st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=12))
    return st.lists(fragment, min_size=1, max_size=max_fragments).map("".join)


def hostile_text(max_size: int = 4000, min_size: int = 1) -> st.SearchStrategy[str]:
    """Text a hostile or careless member might type, within ``min_size..max_size``."""
    short = short_hostile()
    huge = st.builds(lambda s, n: s * n, st.sampled_from(BIG), st.integers(50, 4000))
    mixed = st.builds(lambda a, b: a + b, huge, short)
    return st.one_of(short, short, huge, mixed).map(lambda t: _fit(t, max_size, min_size))


def form_text(field: str, max_size: int, min_size: int) -> st.SearchStrategy[str]:
    """Hostile text for one field of the question form, often shaped the way the field is
    parsed (lines of key points, comma-separated tags, options with one marked right), so
    that hostile questions get saved and shown, not only refused."""
    words = short_hostile(4).map(lambda t: t.replace(",", " ").replace("\n", " ").strip() or "w")
    shaped: st.SearchStrategy[str] | None = None
    if field == "key_points":
        point = short_hostile(6).map(lambda t: " ".join(t.split())[:200] or "p")
        shaped = st.lists(point, min_size=1, max_size=8).map("\n".join)
    elif field == "tags":
        tag = st.sampled_from(["flask", "c++", "c#", "a.b", "x_y", "9-lives"]) | words
        shaped = st.lists(tag.map(lambda t: t[:24]), min_size=1, max_size=5).map(", ".join)
    elif field == "options":
        line = short_hostile(5).map(lambda t: " ".join(t.split()).lstrip("*\\") or "o")
        shaped = st.builds(
            lambda right, wrong: "\n".join([f"* {right[:70]}", *(w[:70] for w in wrong)]),
            line,
            st.lists(line, min_size=1, max_size=3),
        )
    plain = hostile_text(max_size, min_size)
    if shaped is None:
        return plain
    return st.one_of(shaped, shaped, plain).map(lambda t: _fit(t, max_size, min_size))


# -- one bot for the module, every message body recorded ----------------------------------------


@dataclass
class Bed:
    emu: DiscordEmulator
    bot: RecallBot
    store: Store
    bodies: list[dict[str, Any]] = field(default_factory=list)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bed(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Bed]:
    with pytest.MonkeyPatch.context() as mp:
        async with emulator_running(mp) as emu:
            recall = Recall(emu, tmp_path_factory.mktemp("hostile") / "recall.sqlite3")
            recall.seed = 11
            bodies: list[dict[str, Any]] = []
            check = emu._check_message_body

            def recording(body: dict[str, Any]) -> None:
                bodies.append(body)
                check(body)

            # Every message the bot creates or edits (responses, followups, channel posts, DMs).
            mp.setattr(emu, "_check_message_body", recording)
            async with recall.running() as bot:
                assert recall.store is not None
                yield Bed(emu, bot, recall.store, bodies)


QUESTIONS = [
    Question(
        id=f"hq-{i}",
        prompt=f"Hostile-input question {i}?",
        why="To see hints render.",
        answer=f"Answer {i}.",
        key_points=[f"point {i}"],
        tags=["fuzz"],
    )
    for i in range(1, 4)
]


@dataclass
class Server:
    bed: Bed
    guild: Guild
    manage: Member
    plain: Member
    review: Any
    question_id: int
    fuzz_deck: str = "fuzz"
    members: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def emu(self) -> DiscordEmulator:
        return self.bed.emu

    def new_member(self) -> Member:
        return self.guild.add_member(f"member{next(self.members)}")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server(bed: Bed) -> Server:
    """The module's server: a moderator, a member, decks, a review channel, a schedule."""
    n = next(bed.counter)
    emu, bot, store = bed.emu, bed.bot, bed.store
    guild = emu.add_guild(f"Hostile {n}")
    review = guild.add_channel("review")
    manage = guild.add_member(f"manager{n}", permissions=MANAGE)
    plain = guild.add_member(f"plain{n}")
    await emu.wait_until(lambda: bot.get_guild(guild.id) is not None)
    await emu.settle()
    deck = await store.create_custom_deck(guild.id, "Team", "Our questions", None)
    qid = await store.add_question(deck.id, QUESTIONS[0])
    for q in QUESTIONS[1:]:
        await store.add_question(deck.id, q)
    await store.create_custom_deck(guild.id, "Fuzz", "Questions typed by the fuzzer", None)
    await store.set_guild_settings(guild.id, {"review_channel_id": str(review.id)})
    done = await manage.run(
        "/qotd setup",
        options={"channel": guild.general, "time": "09:00", "timezone": "UTC", "deck": "team"},
    )
    assert "is set up" in done.embed["title"], done
    bed.bodies.clear()
    bed.emu.violations.clear()
    return Server(bed, guild, manage, plain, review, qid)


@pytest.fixture(autouse=True)
def fresh_checks(bed: Bed) -> None:
    """Each test answers for what happens during it only."""
    bed.bodies.clear()
    bed.emu.violations.clear()


async def answered(result: InteractionResult) -> InteractionResult:
    """Every interaction gets a response; a deferred one is filled in."""
    assert result.acknowledged, result
    if result.deferred and result.response_type == 5:
        await result.wait_for_content()
    return result


async def assert_clean(s: Server, error_logs: list[logging.LogRecord]) -> None:
    """No crash, no ping, nothing Discord would reject, since the last check."""
    await s.emu.settle(0.01)
    problems = []
    if error_logs:
        problems.append("ERROR logs: " + "; ".join(r.getMessage() for r in error_logs))
    if s.emu.violations:
        problems.append("rejected by Discord: " + "; ".join(map(str, s.emu.violations)))
    for body in s.bed.bodies:
        if found := limits.pings(body):
            problems.append(f"pings {found}: {body.get('content')!r:.200}")
    error_logs.clear()
    s.emu.violations.clear()
    s.bed.bodies.clear()
    assert not problems, "\n".join(problems)


# -- every free-text option of every slash command ------------------------------------------------

#: (command, its string options); checked against the synced commands below
STRING_OPTIONS: dict[str, tuple[str, ...]] = {
    "quiz": ("deck", "tag"),
    "deck create": ("name", "description"),
    "deck edit": ("deck", "name", "description"),
    "deck info": ("deck",),
    "deck remove": ("deck",),
    "deck enable": ("deck",),
    "deck disable": ("deck",),
    "question add": ("deck", "why"),
    "question edit": ("why",),
    "question list": ("deck", "tag", "search"),
    "question import": ("deck",),
    "question export": ("deck",),
    "qotd setup": ("time", "timezone", "days", "deck", "tag", "answer_after"),
    "qotd edit": ("schedule", "time", "timezone", "days", "deck", "tag", "answer_after"),
    "qotd post-now": ("schedule",),
    "qotd skip": ("schedule",),
    "qotd pause": ("schedule",),
    "qotd resume": ("schedule",),
    "qotd remove": ("schedule",),
    "settings timezone": ("zone",),
    "review start": ("deck",),
    "review settings": ("timezone",),
    "review remind": ("time", "timezone"),
    "suggest question": ("deck", "why"),
}
#: options of other types a command needs
OTHER_REQUIRED: dict[str, dict[str, Any]] = {
    "qotd setup": {"channel": lambda s: s.guild.general},
    "question edit": {"id": lambda s: s.question_id},
    "question import": {
        "file": lambda s: s.emu.attachment("d.csv", b"question,answer\nWhat is it?,This.\n")
    },
}


def synced_options(emu: DiscordEmulator, guild_id: int, command: str) -> list[dict[str, Any]]:
    name, *path = command.split()
    schema = emu.commands.find(guild_id, name).get("options") or []
    for part in path:
        schema = next(o for o in schema if o["name"] == part).get("options") or []
    return schema


@on_bot_loop
async def test_string_option_table_matches_the_commands(bed: Bed, server: Server) -> None:
    found: dict[str, tuple[str, ...]] = {}

    def walk(cmd: Any) -> None:
        if isinstance(cmd, app_commands.Group):
            for sub in cmd.commands:
                walk(sub)
        elif isinstance(cmd, app_commands.Command):
            names = tuple(
                p.name
                for p in cmd.parameters
                if p.type is discord.AppCommandOptionType.string and not p.choices
            )
            if names:
                found[cmd.qualified_name] = names

    for cmd in bed.bot.tree.get_commands():
        walk(cmd)
    assert found == STRING_OPTIONS


@on_bot_loop
@pytest.mark.parametrize("command", sorted(STRING_OPTIONS))
@FUZZ
@given(data=st.data())
async def test_slash_command_text_options(
    server: Server, error_logs: list[logging.LogRecord], command: str, data: st.DataObject
) -> None:
    schema = {o["name"]: o for o in synced_options(server.emu, server.guild.id, command)}
    options: dict[str, Any] = {k: v(server) for k, v in OTHER_REQUIRED.get(command, {}).items()}
    for name in STRING_OPTIONS[command]:
        opt = schema[name]
        text = hostile_text(opt.get("max_length", 6000), max(1, opt.get("min_length", 1)))
        value = data.draw(text if opt.get("required") else st.none() | text, label=name)
        if value is not None:
            options[name] = value
    if command == "deck edit" and data.draw(st.booleans(), label="a deck there is"):
        options["deck"] = "fuzz"  # so that a name or description typed is saved
    result = await answered(await server.manage.run(f"/{command}", options=options))
    if result.modal is not None:
        # A form opened: it must be one Discord accepts (the emulator checked it).
        assert result.modal.text_inputs
    saved = {"deck create": "Deck created", "deck edit": "Deck updated"}.get(command)
    if result.embed and result.embed["title"] == saved:
        # The new name is shown wherever decks are listed.
        slug = result.embed["description"].split("(`")[1].split("`)")[0]
        await answered(await server.plain.run("/deck list"))
        await answered(await server.plain.run("/deck info", deck=slug))
        await answered(await server.plain.run("/question list", deck=slug))
        await server.plain.autocomplete("/quiz", "deck", "")
    await assert_clean(server, error_logs)


#: (command, its autocompleted options); checked against the synced commands below
AUTOCOMPLETE: dict[str, tuple[str, ...]] = {
    "quiz": ("deck", "tag"),
    "deck edit": ("deck",),
    "deck info": ("deck",),
    "deck remove": ("deck",),
    "deck enable": ("deck",),
    "deck disable": ("deck",),
    "question add": ("deck",),
    "question edit": ("id",),
    "question remove": ("id",),
    "question restore": ("id",),
    "question show": ("id",),
    "question list": ("deck", "tag"),
    "question import": ("deck",),
    "question export": ("deck",),
    "qotd setup": ("timezone", "days", "deck", "tag"),
    "qotd edit": ("schedule", "timezone", "days", "deck", "tag"),
    "qotd post-now": ("schedule",),
    "qotd skip": ("schedule",),
    "qotd pause": ("schedule",),
    "qotd resume": ("schedule",),
    "qotd remove": ("schedule",),
    "settings timezone": ("zone",),
    "review start": ("deck",),
    "review settings": ("timezone",),
    "review remind": ("timezone",),
    "suggest question": ("deck",),
}


@on_bot_loop
async def test_autocomplete_table_matches_the_commands(bed: Bed, server: Server) -> None:
    found: dict[str, tuple[str, ...]] = {}
    for cmd in bed.emu.commands.listing(None) + bed.emu.commands.listing(server.guild.id):
        stack = [(cmd["name"], cmd.get("options") or [])]
        while stack:
            name, options = stack.pop()
            subs = [o for o in options if o["type"] in (1, 2)]
            for sub in subs:
                stack.append((f"{name} {sub['name']}", sub.get("options") or []))
            names = tuple(o["name"] for o in options if o.get("autocomplete"))
            if names:
                found[name] = names
    assert found == AUTOCOMPLETE


@on_bot_loop
@pytest.mark.parametrize("command", sorted(AUTOCOMPLETE))
@settings(FUZZ, max_examples=10)
@given(data=st.data())
async def test_autocomplete_with_hostile_typing(
    server: Server, error_logs: list[logging.LogRecord], command: str, data: st.DataObject
) -> None:
    """Whatever is typed, the suggestions come back and fit (25 choices, names of 100)."""
    for option in AUTOCOMPLETE[command]:
        typed = data.draw(hostile_text(100, 0), label=option)
        choices = await server.manage.autocomplete(f"/{command}", option, typed)
        assert len(choices) <= 25
    await assert_clean(server, error_logs)


# -- names members chose --------------------------------------------------------------------------


@on_bot_loop
@FUZZ
@given(name=hostile_text(32), nick=st.none() | hostile_text(32))
async def test_hostile_member_names(
    server: Server, error_logs: list[logging.LogRecord], name: str, nick: str | None
) -> None:
    """Names are shown on quiz posts, boards, stats and schedules: they must not ping or
    break the layout either."""
    member = server.guild.add_member(server.emu.add_user(name), nick=nick)
    posted = await answered(await member.run("/quiz", deck="team"))
    assert posted.message is not None
    revealed = await answered(await member.click(posted.message, "Reveal answer"))
    await answered(await member.click(revealed.message, "Good"))
    await answered(await member.run("/leaderboard show"))
    await answered(await server.plain.run("/leaderboard show", period="all time"))
    await answered(await server.plain.run("/stats", member=member))
    await answered(await member.run("/stats"))
    await answered(await member.run("/review status"))
    await assert_clean(server, error_logs)


# -- every modal field ------------------------------------------------------------------------------

QUESTION_FIELDS = ("prompt", "answer", "key_points", "tags", "options")


def form_values(data: st.DataObject, modal: Any) -> dict[str, str]:
    values = {}
    for t in modal.text_inputs:
        text = form_text(t.custom_id, t.max_length or 4000, max(1, t.min_length or 1))
        value = data.draw(text if t.required else st.just("") | text, label=t.custom_id)
        values[t.custom_id] = value
    return values


async def open_form(
    s: Server, flow: str, why: str | None = None
) -> tuple[Member, InteractionResult]:
    """Open the form of one flow; returns who fills it in and the opening result. ``why``
    goes with the commands that take it."""
    given = {} if why is None else {"why": why}
    if flow == "question add":
        return s.manage, await s.manage.run("/question add", deck=s.fuzz_deck, **given)
    if flow == "question edit":
        return s.manage, await s.manage.run("/question edit", id=s.question_id, **given)
    if flow == "suggest question":
        member = s.new_member()
        return member, await member.run("/suggest question", deck="team", **given)
    # Review flows: a fresh suggestion from a new member, then a moderator's button. The
    # review post shows the suggestion's "why" (one the command refuses is left out).
    if why is not None and (not model_strip(why) or "\x00" in why):
        given = {}
    member = s.new_member()
    opened = await member.run("/suggest question", deck="team", **given)
    assert opened.modal is not None, opened
    n = next(s.members)
    sent = await member.submit(opened.modal, prompt=f"Suggested {n}?", answer="An answer.")
    assert "waiting for review" in (sent.content or ""), sent
    message = s.emu.channel_messages(s.review)[-1]
    label = "Edit and approve" if flow == "suggestion edit" else "Reject"
    return s.manage, await s.manage.click(message, label)


#: flows whose command takes a "why" (the form has no room for it)
TAKES_WHY = ("question add", "question edit", "suggest question")

MODAL_FLOWS = {
    "question add": "QuestionModal",
    "question edit": "QuestionModal",
    "suggest question": "QuestionModal",
    "suggestion edit": "QuestionModal",
    "suggestion reject": "RejectModal",
}


@on_bot_loop
async def test_modal_table_covers_every_modal() -> None:
    import cogs.decks
    import cogs.questions
    import cogs.suggest  # noqa: F401  (every cog with a form is imported)

    modals = {cls.__name__ for cls in discord.ui.Modal.__subclasses__()
              if cls.__module__.startswith("cogs.")}  # fmt: skip
    assert modals == set(MODAL_FLOWS.values())


@on_bot_loop
@pytest.mark.parametrize("flow", sorted(MODAL_FLOWS))
@FUZZ
@given(data=st.data())
async def test_modal_fields(
    server: Server, error_logs: list[logging.LogRecord], flow: str, data: st.DataObject
) -> None:
    # Every flow: the review flows send it with the suggestion their post shows.
    why = data.draw(st.none() | hostile_text(WHY_MAX), label="why")
    member, opened = await open_form(server, flow, why)
    if opened.modal is None and why is not None and flow in TAKES_WHY:
        # A blank "why", or one with a NUL character, is refused before the form opens,
        # privately, with what was typed.
        nul = "\x00" in why and model_strip(why)
        refusal = "`why` contains a NUL character" if nul else "`why` is blank"
        assert opened.ephemeral and refusal in (opened.content or ""), opened
        await assert_clean(server, error_logs)
        return
    assert opened.modal is not None, opened
    values = form_values(data, opened.modal)
    submitted = await answered(await member.submit(opened.modal, values))
    text = submitted.content or ""
    if flow == "question add" and text.startswith("Added question **#"):
        # The question is in the bank now: show it, quiz on it, reveal, grade, hint.
        qid = int(text.split("#")[1].split("*")[0])
        await answered(await server.plain.run("/question show", id=qid))
        quiz = await answered(await server.plain.run("/quiz", deck=server.fuzz_deck))
        if quiz.message is not None and quiz.message.buttons:
            if any(b.label == "Hint" for b in quiz.message.buttons):
                await answered(await server.plain.click(quiz.message, "Hint"))
            first = quiz.message.buttons[0]
            pressed = await answered(await server.plain.click(quiz.message, first.label))
            if pressed.message is not None and any(
                b.label == "Good" for b in pressed.message.buttons
            ):
                await answered(await server.plain.click(pressed.message, "Good"))
        await answered(await server.plain.run("/question list", deck=server.fuzz_deck))
        review = await answered(await server.plain.run("/review start", deck=server.fuzz_deck))
        if review.message is not None and review.message.buttons:
            shown = await answered(
                await server.plain.click(review.message, review.message.buttons[0].label)
            )
            if any(b.label == "Good" for b in shown.message.buttons):
                await answered(await server.plain.click(shown.message, "Good"))
    if flow == "question edit" and text.startswith("Saved question **#"):
        await answered(await server.plain.run("/question show", id=server.question_id))
    if flow == "suggest question" and "waiting for review" in text:
        posted = server.emu.channel_messages(server.review)[-1]
        await answered(await server.manage.click(posted, "Approve"))
        await answered(await member.run("/suggest status"))
    await assert_clean(server, error_logs)


# -- uploaded files -------------------------------------------------------------------------------


def upload(fmt: str, rows: list[dict[str, Any]]) -> tuple[str, bytes]:
    """A question file in one of the import formats."""
    if fmt == "json":
        return "deck.json", json.dumps({"questions": rows}).encode()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["question", "answer", "key_points", "tags", "why"])
        for r in rows:
            writer.writerow(
                [
                    r["prompt"],
                    r["answer"],
                    "\n".join(r["key_points"]),
                    ", ".join(r["tags"]),
                    r["why"],
                ]
            )
        return "deck.csv", out.getvalue().encode()
    lines = ["# Interview questions", ""]
    for i, r in enumerate(rows, 1):
        lines += [f"## {i}. {r['prompt']}", "", "Why you might get asked this:", r["why"], ""]
        lines += ["How to answer:", *(f"- {k}" for k in r["key_points"]), ""]
        lines += ["Example answer:", r["answer"], ""]
    return "deck.md", "\n".join(lines).encode()


ROW = st.fixed_dictionaries(
    {
        "prompt": hostile_text(1000),
        "answer": hostile_text(4000),
        "why": form_text("key_points", 300, 1),
        "key_points": st.lists(form_text("key_points", 300, 1), max_size=4),
        "tags": st.lists(form_text("tags", 32, 1), max_size=3),
    }
)


@on_bot_loop
@FUZZ
@given(fmt=st.sampled_from(["json", "csv", "md"]), rows=st.lists(ROW, min_size=1, max_size=4))
async def test_hostile_uploads(
    server: Server, error_logs: list[logging.LogRecord], fmt: str, rows: list[dict[str, Any]]
) -> None:
    """A file of hostile questions: the preview, the refusal or the import, then the list."""
    name, data = upload(fmt, rows)
    asked = await answered(
        await server.manage.run(
            "/question import", file=server.emu.attachment(name, data), deck=server.fuzz_deck
        )
    )
    if asked.deferred:
        preview = await asked.wait_for_followup()
        if any(b.label == "Import" for b in preview.buttons):
            await answered(await server.manage.click(preview, "Import"))
            await answered(await server.plain.run("/question list", deck=server.fuzz_deck))
    await assert_clean(server, error_logs)


# -- the checks themselves ----------------------------------------------------------------------


def test_limits_catch_what_discord_rejects() -> None:
    """The emulator's checks, which the fuzzing relies on, do flag oversized bodies."""

    def problems(payload: dict[str, Any]) -> list[str]:
        out: list[limits.Problem] = []
        limits.check_message(payload, out)
        return [path for path, _ in out]

    assert problems({"content": "x" * 2000}) == []
    assert problems({"content": "x" * 2001}) == ["content"]
    full = {"title": "t" * 256, "description": "d" * 4096, "footer": {"text": "f" * 1648}}
    assert problems({"embeds": [full]}) == []
    assert problems({"embeds": [{**full, "footer": {"text": "f" * 1649}}]}) == ["embeds"]
    assert problems({"embeds": [{"title": "t" * 257}]}) == ["embeds.0.title"]
    assert problems({"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]}) == [
        "embeds.0.fields.0.value"
    ]
    assert problems({"embeds": [{"fields": [{"name": "n", "value": ""}]}]}) == ["embeds.0.fields.0"]
    assert problems({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}) == [
        "embeds.0.fields"
    ]
    button = {"type": 2, "style": 1, "label": "b", "custom_id": "c"}
    rows = [
        {"type": 1, "components": [{**button, "custom_id": f"c{r}.{i}"} for i in range(5)]}
        for r in range(6)
    ]
    assert problems({"components": rows}) == ["components"]
    wide = [{"type": 1, "components": [{**button, "custom_id": f"w{i}"} for i in range(6)]}]
    assert problems({"components": wide}) == ["components.0.components"]
    long_label = [{"type": 1, "components": [{**button, "label": "l" * 81}]}]
    assert problems({"components": long_label}) == ["components.0.components.0.label"]


def test_pings_reads_allowed_mentions_like_discord() -> None:
    text = "@everyone @here <@1> <@!2> <@&3>"
    assert limits.pings({"content": text}) == ["@everyone", "@here", "user:1", "user:2", "role:3"]
    assert limits.pings({"content": text, "allowed_mentions": {"parse": []}}) == []
    assert limits.pings(
        {"content": text, "allowed_mentions": {"parse": [], "roles": ["3"], "users": ["2"]}}
    ) == ["user:2", "role:3"]
    assert limits.pings({"content": "", "embeds": [{"description": text}]}) == []


@on_bot_loop
@pytest.mark.parametrize("typed", ["two\nlines", "tab\there", "colon: yes"])
async def test_list_pages_whatever_the_search(
    server: Server, error_logs: list[logging.LogRecord], typed: str
) -> None:
    """The page buttons carry the search in their custom_id; any text must page."""
    store = server.bed.store
    deck = next(d for d in await store.decks_for_guild(server.guild.id) if d.slug == "fuzz")
    await store.add_questions(
        deck.id,
        [
            Question(id=f"paging-{i}", prompt=f"Paging {i}: {typed}?", answer="Yes.")
            for i in range(12)
        ],
    )
    first = await answered(await server.plain.run("/question list", search=typed))
    assert first.embed["footer"]["text"].startswith("Page 1/2 · 12 questions"), first.embed
    second = await answered(await server.plain.click(first.message, "Next ▶"))
    assert second.message.embeds[0]["footer"]["text"].startswith("Page 2/2")
    await assert_clean(server, error_logs)
