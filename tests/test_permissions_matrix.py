"""Who may run which moderator command and press which moderator button, end to end.

Every moderator command and button is tried by a plain member, a member with the server's
quiz-moderator role (``/settings mod-role``) and a member with Manage Server, through the real
discord.py invocation path. Commands hidden by their default permissions are exposed to
everyone first (Server Settings → Integrations), so the run-time check is what decides.

A refusal must be a clear ephemeral message that changes nothing; an allowed action must not
be refused and must do what it says. The table is checked against the bot's own command tree
and buttons, so a new moderator command or button fails here until it is added.

One bot serves the whole module; every case gets a fresh server.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import discord
import pytest
import pytest_asyncio
from conftest import Recall, emulator_running
from discord import app_commands
from emulator import DiscordEmulator, Guild, InteractionResult, Member, Message, Role

from bot.client import RecallBot
from bot.questions import Question
from bot.store import Store
from cogs.checks import MOD_REFUSAL, moderator_check

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

MANAGE = discord.Permissions(manage_guild=True).value
MANAGE_REFUSAL = "Only members with the **Manage Server** permission"
ROLES = ("plain", "modrole", "manage")
A, D = "allow", "deny"

QUESTIONS = [
    Question(
        id=f"perm-{i}",
        prompt=f"Permission question {i}?",
        answer=f"Answer {i}.",
        key_points=[f"point {i}"],
        tags=["perm"],
    )
    for i in range(1, 4)
]

DECK_YAML = b"""\
questions:
  - prompt: What does an imported question look like?
    answer: Like this one.
    tags: [imported]
"""


# -- one bot for the module -------------------------------------------------------------------


@dataclass
class Bed:
    emu: DiscordEmulator
    bot: RecallBot
    store: Store
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bed(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Bed]:
    with pytest.MonkeyPatch.context() as mp:
        async with emulator_running(mp) as emu:
            recall = Recall(emu, tmp_path_factory.mktemp("permissions") / "recall.sqlite3")
            recall.seed = 7
            async with recall.running() as bot:
                assert recall.store is not None
                yield Bed(emu, bot, recall.store)


@pytest.fixture(autouse=True)
def no_violations(bed: Bed) -> Any:
    """Requests Discord would reject fail the case that made them."""
    bed.emu.violations.clear()
    yield
    found = list(bed.emu.violations)
    bed.emu.violations.clear()
    assert not found, "requests Discord would reject:\n" + "\n".join(map(str, found))


# -- a fresh server per case ------------------------------------------------------------------


@dataclass
class World:
    bed: Bed
    guild: Guild
    mod_role: Role
    members: dict[str, Member]
    review: Any  # the review channel
    deck_slug: str = "team"
    question_id: int = 0

    @property
    def manage(self) -> Member:
        return self.members["manage"]

    @property
    def store(self) -> Store:
        return self.bed.store


async def new_world(bed: Bed) -> World:
    n = next(bed.counter)
    emu, bot = bed.emu, bed.bot
    guild = emu.add_guild(f"Server {n}")
    review = guild.add_channel("review")
    role = guild.add_role("Quiz mods")
    members = {
        "plain": guild.add_member(f"plain{n}"),
        "modrole": guild.add_member(f"modrole{n}", roles=[role]),
        "manage": guild.add_member(f"manager{n}", permissions=MANAGE),
    }
    # Commands whose default permissions hide them: exposed, so the run-time check decides.
    guild.expose_command("settings")
    guild.expose_command("qotd")
    await emu.wait_until(
        lambda: (
            (g := bot.get_guild(guild.id)) is not None
            and all(g.get_role(r.id) is not None for r in guild.roles.values())
        )
    )
    await bed.store.set_guild_settings(guild.id, {"mod_role_id": str(role.id)})
    world = World(bed, guild, role, members, review)
    deck = await bed.store.create_custom_deck(guild.id, "Team", "Our questions", None)
    world.deck_slug = deck.slug
    world.question_id = await bed.store.add_question(deck.id, QUESTIONS[0])
    await bed.store.add_question(deck.id, QUESTIONS[1])
    return world


async def with_schedule(w: World) -> None:
    done = await w.manage.run(
        "/qotd setup",
        options={"channel": w.guild.general, "time": "09:00", "timezone": "UTC", "deck": "team"},
    )
    assert "Question of the day is set up" in done.embed["title"], done


async def with_paused_schedule(w: World) -> None:
    await with_schedule(w)
    paused = await w.manage.run("/qotd pause")
    assert paused.content.startswith("Paused schedule #"), paused


async def with_eleven_schedules(w: World) -> None:
    """More schedules than one page of /qotd status shows."""
    for i in range(11):
        channel = w.guild.add_channel(f"daily-{i}")
        done = await w.manage.run(
            "/qotd setup",
            options={"channel": channel, "time": "09:00", "timezone": "UTC", "deck": "team"},
        )
        assert "Question of the day is set up" in done.embed["title"], done


async def with_deck_off(w: World) -> None:
    done = await w.manage.run("/deck disable", options={"deck": w.deck_slug})
    assert done.embed["title"] == "Team is off", done


async def with_question_removed(w: World) -> None:
    assert await w.store.remove_question(w.question_id)


async def with_review_channel(w: World) -> None:
    await w.store.set_guild_settings(w.guild.id, {"review_channel_id": str(w.review.id)})


async def suggestion_message(w: World, n: int) -> Message:
    """A pending suggestion from the plain member, posted in the review channel."""
    opened = await w.members["plain"].run("/suggest question")
    assert opened.modal is not None, opened
    sent = await w.members["plain"].submit(
        opened.modal, prompt=f"Suggested question {n}?", answer="A suggested answer."
    )
    assert "is waiting for review" in sent.content, sent
    return w.bed.emu.channel_messages(w.review)[-1]


async def db_digest(store: Store) -> str:
    """A fingerprint of every row of every table but ``form_drafts``: what was kept for an
    open form (the command that opened it) goes once the form is handled, saved or refused."""
    h = hashlib.sha256()
    tables = await store._fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'form_drafts' "
        "ORDER BY name"
    )
    for t in tables:
        rows = await store._fetchall(f'SELECT * FROM "{t[0]}"')
        h.update(t[0].encode())
        for row in rows:
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def seen(result: InteractionResult) -> str:
    """Everything the member saw: content, embeds, a modal's title."""
    parts = []
    for message in result.messages:
        parts.append(message.content or "")
        parts.append(str(message.embeds))
    if result.modal is not None:
        parts.append(f"modal: {result.modal.title}")
    return "\n".join(parts)


def refused(text: str) -> bool:
    return MOD_REFUSAL in text or MANAGE_REFUSAL in text or "Only moderators" in text


# -- the table ----------------------------------------------------------------------------------

Mark = Callable[[], Awaitable[None]]
#: ``act(world, role, mark)`` tries the action as ``role``; it awaits ``mark()`` right before
#: the interaction under test, once any setup of its own is done
Act = Callable[[World, str, Mark], Awaitable[InteractionResult]]
Prepare = Callable[[World], Awaitable[Any]]


@dataclass(frozen=True)
class Case:
    """One moderator action: how a member tries it, and who may."""

    name: str
    act: Act
    expect: dict[str, str]
    #: text (content, embeds, modal title) an allowed try shows
    ok: str
    prepare: tuple[Prepare, ...] = ()
    #: the refusal a denied member sees, when it is not the moderator refusal
    refusal: str = MOD_REFUSAL


def cmd(command: str, **options: Any) -> Act:
    async def act(w: World, role: str, mark: Mark) -> InteractionResult:
        values = {k: (v(w) if callable(v) else v) for k, v in options.items()}
        await mark()
        return await w.members[role].run(command, options=values)

    return act


MOD_ONLY = {"plain": D, "modrole": A, "manage": A}
MANAGE_ONLY = {"plain": D, "modrole": D, "manage": A}


async def own_button(
    w: World, role: str, mark: Mark, command: str, label: str, options: dict[str, Any]
) -> InteractionResult:
    """Press a button on one's own confirmation. A plain member can't be shown one, so they
    ask while holding the quiz-moderator role and press after it was taken away: the button
    checks again. (Pressing another member's button is the test further down.)"""
    member = w.members[role]
    with role_while_asking(w, member):
        asked = await member.run(command, options=options)
        assert asked.message is not None and asked.message.buttons, asked
    await mark()
    return await member.click(asked.message, label)


@contextlib.contextmanager
def role_while_asking(w: World, member: Member) -> Iterator[None]:
    """A plain member holds the quiz-moderator role inside the block only."""
    plain = member is w.members["plain"]
    if plain:
        member.roles.append(w.mod_role)
    try:
        yield
    finally:
        if plain:
            member.roles.remove(w.mod_role)


def confirm(command: str, label: str, **options: Any) -> Act:
    async def act(w: World, role: str, mark: Mark) -> InteractionResult:
        values = {k: (v(w) if callable(v) else v) for k, v in options.items()}
        return await own_button(w, role, mark, command, label, values)

    return act


def import_button(label: str) -> Act:
    async def act(w: World, role: str, mark: Mark) -> InteractionResult:
        member = w.members[role]
        with role_while_asking(w, member):
            asked = await member.run(
                "/question import",
                options={"file": w.bed.emu.attachment("d.yaml", DECK_YAML), "deck": w.deck_slug},
            )
            preview = await asked.wait_for_followup()
            assert preview.buttons, preview
        await mark()
        return await member.click(preview, label)

    return act


def review_button(label: str) -> Act:
    async def act(w: World, role: str, mark: Mark) -> InteractionResult:
        message = await suggestion_message(w, ROLES.index(role))
        await mark()
        return await w.members[role].click(message, label)

    return act


def review_form(label: str, **values: str) -> Act:
    """A review form (reject reason, edit and approve), submitted as ``role``; a plain member
    opens it while holding the quiz-moderator role and submits after losing it."""

    async def act(w: World, role: str, mark: Mark) -> InteractionResult:
        message = await suggestion_message(w, ROLES.index(role))
        member = w.members[role]
        with role_while_asking(w, member):
            opened = await member.click(message, label)
            assert opened.modal is not None, opened
        await mark()
        return await member.submit(opened.modal, **values)

    return act


async def form_after_losing_role(w: World, role: str, mark: Mark) -> InteractionResult:
    """The question form is checked again on submit: a plain member who held the
    quiz-moderator role when the form opened, and lost it before submitting, is refused."""
    member = w.members[role]
    with role_while_asking(w, member):
        opened = await member.run("/question add", deck=w.deck_slug)
        assert opened.modal is not None, opened
    await mark()
    return await member.submit(
        opened.modal, prompt=f"A new question from {role}?", answer="Its answer."
    )


CASES: list[Case] = [
    # /settings (hidden by default permissions, checked again at run time)
    Case("/settings timezone (show)", cmd("/settings timezone"), MOD_ONLY, "time zone is"),
    Case(
        "/settings timezone (set)",
        cmd("/settings timezone", zone="Europe/Paris"),
        MOD_ONLY,
        "Time zone set to **Europe/Paris**",
    ),
    Case("/settings scoring (show)", cmd("/settings scoring"), MOD_ONLY, "Scoring in this server"),
    Case(
        "/settings scoring (set)",
        cmd("/settings scoring", quiz_self=3),
        MOD_ONLY,
        "Scoring updated",
    ),
    Case(
        "/settings mod-role (show)", cmd("/settings mod-role"), MOD_ONLY, "quiz-moderator role is"
    ),
    Case(
        "/settings mod-role (set)",
        cmd("/settings mod-role", role=lambda w: w.guild.add_role("New mods")),
        MANAGE_ONLY,
        "can now run the moderator commands",
        refusal=MANAGE_REFUSAL,
    ),
    Case(
        "/settings mod-role (clear)",
        cmd("/settings mod-role", clear=True),
        MANAGE_ONLY,
        "Quiz-moderator role cleared",
        refusal=MANAGE_REFUSAL,
    ),
    Case(
        "/settings review-channel (show)",
        cmd("/settings review-channel"),
        MOD_ONLY,
        "No review channel is set",
    ),
    Case(
        "/settings review-channel (set)",
        cmd("/settings review-channel", channel=lambda w: w.review),
        MOD_ONLY,
        "Suggestions will be posted in",
    ),
    # /qotd (hidden by default permissions; the group checks every subcommand)
    Case(
        "/qotd setup",
        cmd(
            "/qotd setup",
            channel=lambda w: w.guild.general,
            time="10:30",
            timezone="UTC",
            deck="team",
        ),
        MOD_ONLY,
        "Question of the day is set up",
    ),
    Case(
        "/qotd edit",
        cmd("/qotd edit", schedule=lambda w: f"<#{w.guild.general.id}>", time="10:30"),
        MOD_ONLY,
        "Question of the day updated",
        (with_schedule,),
    ),
    Case("/qotd status", cmd("/qotd status"), MOD_ONLY, "1 schedule", (with_schedule,)),
    Case(
        "/qotd post-now",
        cmd("/qotd post-now"),
        MOD_ONLY,
        "Posted [question of the day #1]",
        (with_schedule,),
    ),
    Case("/qotd skip", cmd("/qotd skip"), MOD_ONLY, "Skipped the question of", (with_schedule,)),
    Case("/qotd pause", cmd("/qotd pause"), MOD_ONLY, "Paused schedule #", (with_schedule,)),
    Case(
        "/qotd resume", cmd("/qotd resume"), MOD_ONLY, "Resumed schedule #", (with_paused_schedule,)
    ),
    Case("/qotd remove", cmd("/qotd remove"), MOD_ONLY, "Removed schedule #", (with_schedule,)),
    # /deck: a group open to everyone with moderator subcommands
    Case("/deck create", cmd("/deck create", name="Fresh deck"), MOD_ONLY, "is ready"),
    Case("/deck edit", cmd("/deck edit", deck="team", name="Renamed"), MOD_ONLY, "Deck updated"),
    Case("/deck remove", cmd("/deck remove", deck="team"), MOD_ONLY, "Remove Team?"),
    Case("/deck disable", cmd("/deck disable", deck="team"), MOD_ONLY, "Team is off"),
    Case(
        "/deck enable", cmd("/deck enable", deck="team"), MOD_ONLY, "Team is on", (with_deck_off,)
    ),
    # /question: a group open to everyone with moderator subcommands
    Case("/question add", cmd("/question add", deck="team"), MOD_ONLY, "modal: New question"),
    Case(
        "/question edit",
        cmd("/question edit", id=lambda w: w.question_id),
        MOD_ONLY,
        "modal: Edit question #",
    ),
    Case(
        "/question remove",
        cmd("/question remove", id=lambda w: w.question_id),
        MOD_ONLY,
        "Remove question #",
    ),
    Case(
        "/question restore",
        cmd("/question restore", id=lambda w: w.question_id),
        MOD_ONLY,
        "Restored question **#",
        (with_question_removed,),
    ),
    Case(
        "/question import",
        cmd(
            "/question import",
            file=lambda w: w.bed.emu.attachment("d.yaml", DECK_YAML),
            deck="team",
        ),
        MOD_ONLY,
        "Import preview",
    ),
    Case("/leaderboard reset", cmd("/leaderboard reset"), MOD_ONLY, "Start season 2?"),
    # Buttons and forms
    Case(
        "leaderboard reset: Start season 2",
        confirm("/leaderboard reset", "Start season 2"),
        MOD_ONLY,
        "Season 2 has begun",
    ),
    Case(
        "deck remove: Remove deck",
        confirm("/deck remove", "Remove deck", deck="team"),
        MOD_ONLY,
        "Deck removed",
    ),
    Case(
        "deck remove: Keep it",
        confirm("/deck remove", "Keep it", deck="team"),
        MOD_ONLY,
        "Nothing was changed",
    ),
    Case(
        "question remove: Remove",
        confirm("/question remove", "Remove", id=lambda w: w.question_id),
        MOD_ONLY,
        "Question removed",
    ),
    Case(
        "question remove: Keep it",
        confirm("/question remove", "Keep it", id=lambda w: w.question_id),
        MOD_ONLY,
        "Nothing was changed",
    ),
    Case(
        "qotd status: Next page",
        confirm("/qotd status", "Next ▶"),
        MOD_ONLY,
        "Page 2 of 2",
        (with_eleven_schedules,),
    ),
    Case("import preview: Import", import_button("Import"), MOD_ONLY, "Imported **1 question**"),
    Case("import preview: Cancel", import_button("Cancel"), MOD_ONLY, "Import cancelled"),
    Case(
        "suggestion: Approve",
        review_button("Approve"),
        MOD_ONLY,
        "✅ Approved by",
        (with_review_channel,),
    ),
    Case(
        "suggestion: Edit and approve",
        review_button("Edit and approve"),
        MOD_ONLY,
        "modal: Edit suggestion #",
        (with_review_channel,),
    ),
    Case(
        "suggestion: Reject",
        review_button("Reject"),
        MOD_ONLY,
        "modal: Reject suggestion #",
        (with_review_channel,),
    ),
    Case(
        "suggestion: Reject form",
        review_form("Reject", reason="Covered by question #1 already."),
        MOD_ONLY,
        "❌ Rejected by",
        (with_review_channel,),
    ),
    Case(
        "suggestion: Edit and approve form",
        review_form("Edit and approve", answer="An edited answer."),
        MOD_ONLY,
        "✅ Approved with edits by",
        (with_review_channel,),
    ),
    Case(
        "question form: submitted after losing the role",
        form_after_losing_role,
        MOD_ONLY,
        "Added question **#",
    ),
]

#: moderator commands in the table, by qualified name
TABLE_COMMANDS = {c.name.split(" (")[0].lstrip("/") for c in CASES if c.name.startswith("/")}
#: the buttons the table presses, by class name
TABLE_BUTTONS = {
    "ResetButton",
    "RemoveDeckButton",
    "ConfirmRemoveButton",
    "ImportButton",
    "ReviewButton",
    "StatusPageButton",
}
#: every other slash command: anyone in the server may run it
MEMBER_COMMANDS = {
    "help", "quiz", "stats",
    "deck list", "deck info",
    "question show", "question list", "question export",
    "leaderboard show",
    "privacy hide", "privacy show", "privacy delete",
    "review start", "review status", "review settings", "review remind", "review export",
    "suggest question", "suggest status",
}  # fmt: skip


@pytest.mark.parametrize(
    ("case", "role"),
    [pytest.param(c, r, id=f"{c.name} · {r} · {c.expect[r]}") for c in CASES for r in ROLES],
)
async def test_permissions_matrix(bed: Bed, case: Case, role: str) -> None:
    w = await new_world(bed)
    for prepare in case.prepare:
        await prepare(w)
    state: dict[str, Any] = {}

    def posted() -> set[int]:
        return {m.id for ch in w.guild.channels.values() for m in bed.emu.channel_messages(ch)}

    async def mark() -> None:
        state["db"] = await db_digest(bed.store)
        state["posted"] = posted()

    result = await case.act(w, role, mark)
    assert state, "the case never marked the state before its interaction"
    assert result.acknowledged, result
    if result.deferred:
        await result.settled()
    text = seen(result)
    if case.expect[role] == D:
        assert result.ephemeral, f"{case.name}: the refusal must be ephemeral: {result}"
        refusal = MOD_REFUSAL if role == "plain" else case.refusal
        if refusal == MOD_REFUSAL:
            # The server has a quiz-moderator role: the refusal names it.
            refusal = (
                "Only moderators can do this: you need the **Manage Server** permission or "
                f"the {w.mod_role.mention} role, this server's quiz-moderator role."
            )
        assert refusal in (result.content or ""), f"{case.name} by {role}: {text}"
        assert result.modal is None
        # Nothing changed: the database and the channels are as they were.
        await bed.emu.settle()
        assert await db_digest(bed.store) == state["db"], f"{case.name} by {role} changed data"
        assert posted() <= state["posted"], f"{case.name} by {role} posted a message"
    else:
        assert not refused(text), f"{case.name} was refused to {role}: {text}"
        assert case.ok in text, f"{case.name} by {role}: expected {case.ok!r} in {text}"


# -- the table covers every moderator command and button ----------------------------------------


def leaf_commands(bot: RecallBot) -> list[tuple[app_commands.Command[Any, ..., Any], list[Any]]]:
    out: list[tuple[app_commands.Command[Any, ..., Any], list[Any]]] = []

    def walk(cmd: Any, parents: list[Any]) -> None:
        if isinstance(cmd, app_commands.Group):
            for sub in cmd.commands:
                walk(sub, [*parents, cmd])
        elif isinstance(cmd, app_commands.Command):
            out.append((cmd, parents))

    for cmd in bot.tree.get_commands():
        walk(cmd, [])
    return out


def moderator_guarded(cmd: app_commands.Command[Any, ..., Any], parents: list[Any]) -> bool:
    """A moderator check on the command, or a group interaction_check, or default permissions
    that hide it from members."""
    if any(getattr(check, "__func__", check) is moderator_check for check in cmd.checks):
        return True
    for group in parents:
        if type(group).interaction_check is not app_commands.Group.interaction_check:
            return True
        perms = group.default_permissions
        if perms is not None and perms.value:
            return True
    return bool(cmd.default_permissions and cmd.default_permissions.value)


async def test_table_covers_every_moderator_command(bed: Bed) -> None:
    guarded, open_ = set(), set()
    for cmd, parents in leaf_commands(bed.bot):
        (guarded if moderator_guarded(cmd, parents) else open_).add(cmd.qualified_name)
    assert guarded, "no moderator command found: the walk is broken"
    assert guarded == TABLE_COMMANDS, (
        f"moderator commands missing from the table: {sorted(guarded - TABLE_COMMANDS)}; "
        f"in the table but not moderator-only: {sorted(TABLE_COMMANDS - guarded)}"
    )
    assert open_ == MEMBER_COMMANDS, (
        f"unclassified commands: {sorted(open_ - MEMBER_COMMANDS)}; "
        f"gone: {sorted(MEMBER_COMMANDS - open_)}"
    )


async def test_table_covers_every_moderator_button(bed: Bed) -> None:
    store = bed.bot._connection._view_store
    dynamic = set(store._dynamic_items.values())
    assert dynamic, "no buttons registered: the lookup is broken"
    moderator = {
        cls.__name__ for cls in dynamic if "ensure_moderator" in inspect.getsource(cls.callback)
    }
    assert moderator == TABLE_BUTTONS, (
        f"moderator buttons missing from the table: {sorted(moderator - TABLE_BUTTONS)}; "
        f"no longer moderator buttons: {sorted(TABLE_BUTTONS - moderator)}"
    )


# -- someone else's buttons ----------------------------------------------------------------------


async def test_someone_elses_buttons_are_refused(bed: Bed) -> None:
    """Grade, review, erase, cancel and confirm buttons belong to the member they were made for;
    another member (even a moderator) pressing them by a tampered client is refused."""
    w = await new_world(bed)
    alice, bob = w.members["plain"], w.members["modrole"]
    store = bed.store

    async def refused_to(member: Member, message: Message, custom_id: str, text: str) -> None:
        before = await db_digest(store)
        got = await member.forge_click(message, custom_id)
        assert got.ephemeral and text in (got.content or ""), got
        assert await db_digest(store) == before, f"{custom_id} changed the database"

    # /quiz, private: alice's grade buttons.
    quiz = await alice.run("/quiz", deck="team", private=True)
    revealed = await alice.click(quiz.message, "Reveal answer")
    for button in revealed.message.buttons:
        if button.label in ("Again", "Hard", "Good", "Easy"):
            assert button.custom_id is not None
            await refused_to(bob, revealed.message, button.custom_id, "belong to another member")
    graded = await alice.click(revealed.message, "Good")
    assert "You graded yourself **Good**" in graded.message.embeds[0]["description"]

    # /review: alice's session.
    session = await alice.run("/review start", deck="team")
    shown = session.message.button("Reveal answer").custom_id
    assert shown is not None
    await refused_to(bob, session.message, shown, "This review belongs to another member")
    answer = await alice.click(session.message, "Reveal answer")
    good = answer.message.button("Good").custom_id
    assert good is not None
    await refused_to(bob, answer.message, good, "This review belongs to another member")

    # /privacy delete: alice's erase and cancel.
    asked = await alice.run("/privacy delete")
    erase = asked.message.button("Erase my data").custom_id
    cancel = asked.message.button("Cancel").custom_id
    assert erase is not None and cancel is not None
    await refused_to(bob, asked.message, erase, "Only the member whose data this is")
    await refused_to(bob, asked.message, cancel, "Only the member who asked")
    assert (await store.activity(w.guild.id, alice.id)).answered == 1

    # Moderator confirmations: another moderator can't confirm them.
    manage = w.manage
    for command, label, options, text in (
        ("/leaderboard reset", "Start season 2", {}, "Only the moderator who asked"),
        ("/leaderboard reset", "Cancel", {}, "Only the member who asked"),
        ("/deck remove", "Remove deck", {"deck": "team"}, "Only the moderator who asked"),
        ("/question remove", "Remove", {"id": w.question_id}, "Only the moderator who asked"),
    ):
        asked = await manage.run(command, options=options)
        custom_id = asked.message.button(label).custom_id
        assert custom_id is not None
        await refused_to(bob, asked.message, custom_id, text)

    asked = await manage.run(
        "/question import",
        options={"file": bed.emu.attachment("d.yaml", DECK_YAML), "deck": w.deck_slug},
    )
    preview = await asked.wait_for_followup()
    custom_id = preview.button("Import").custom_id
    assert custom_id is not None
    await refused_to(bob, preview, custom_id, "Only the moderator who uploaded this file")
