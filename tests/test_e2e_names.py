"""Names members chose (decks, uploaded files, servers) show as typed wherever Recall puts
them in text Discord reads as Markdown: message text, embed titles, descriptions and fields.
Where Discord shows text as it is (embed authors and footers, button labels, modal titles,
autocomplete choices) they are left alone.

One server walks through every command that names a deck or a file; each step's messages
(responses, edits, channel posts, DMs) are checked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
import pytest

from cogs import ui
from tests.test_e2e_bank import deck_list

pytestmark = pytest.mark.e2e

MANAGE = discord.Permissions(manage_guild=True).value

#: a deck name with every kind of Markdown a name may hold (80 characters at most)
NAME = "# *Team* __flask__ `x` ~~y~~ ||z|| \\ > [l](http://evil.example)"
#: a file name Discord keeps as uploaded
FILE = "__team__*v2*.csv"
CSV = b"question,answer\nWhat does flask.g hold?,Data for one app context.\n"


def markdown_texts(body: dict[str, Any]) -> list[str]:
    """The parts of a message body Discord renders as Markdown."""
    out = [body.get("content") or ""]
    for embed in body.get("embeds") or []:
        out += [embed.get("title") or "", embed.get("description") or ""]
        for f in embed.get("fields") or []:
            out += [f.get("name") or "", f.get("value") or ""]
    return out


def plain_texts(body: dict[str, Any]) -> list[str]:
    """The parts of a message body Discord shows as they are."""
    out = []
    for embed in body.get("embeds") or []:
        out += [
            (embed.get("author") or {}).get("name") or "",
            (embed.get("footer") or {}).get("text") or "",
        ]
    for row in body.get("components") or []:
        out += [c.get("label") or "" for c in row.get("components") or []]
    return out


Step = Callable[[Any], Awaitable[Any]]


def test_the_names_hold_markdown() -> None:
    assert len(NAME) <= 80
    for text in (NAME, FILE):
        assert ui.name(text) != text
        assert text not in ui.name(text)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("<@123456789012345678>", "\\<@\u200b123456789012345678>"),
        ("<@&42>", "\\<@&42>"),
        ("<#123456789012345678>", "\\<#123456789012345678>"),
        ("</quiz:123456789012345678>", "\\</quiz:123456789012345678>"),
        ("<t:1700000000:R>", "\\<t:1700000000:R>"),
        ("@here", "@\u200bhere"),
        ("a < b <:py:1>", "a < b <:py:1>"),
    ],
)
def test_names_that_discord_would_draw_as_mentions_or_dates_show_as_typed(typed, shown) -> None:
    assert ui.name(typed) == shown


@pytest.mark.parametrize(
    ("server", "shown"),
    [
        ("Study *group*", "[Study \\*group\\*](https://discord.com/channels/7)"),
        # A square bracket would end the link's text early: the link follows the name.
        ("Study [group", "Study [group (<https://discord.com/channels/7>)"),
        ("[A] B", "[A] B (<https://discord.com/channels/7>)"),
    ],
)
def test_a_server_linked_shows_its_name_as_typed(server, shown) -> None:
    assert ui.server_link(7, server) == shown


async def test_names_show_as_typed(recall, emulator, monkeypatch) -> None:
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    alice = guild.add_member("alice")
    review = guild.add_channel("review")
    bodies: list[dict[str, Any]] = []
    check = emulator._check_message_body

    def recording(body: dict[str, Any]) -> None:
        bodies.append(body)
        check(body)

    monkeypatch.setattr(emulator, "_check_message_body", recording)

    async with recall.running() as bot:
        state: dict[str, Any] = {}

        async def create(_: Any) -> None:
            await mod.run("/deck create", name=NAME)
            [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin]
            state["slug"], state["id"] = deck.slug, deck.id
            await mod.run("/settings review-channel", options={"channel": review})

        async def add(_: Any) -> None:
            opened = await mod.run("/question add", deck=state["slug"])
            assert opened.modal is not None, opened
            assert opened.modal.title == ui.clip(f"New question: {NAME}", 45)
            await mod.submit(opened.modal, prompt="What is g?", answer="A namespace.")

        async def import_(accept: bool) -> None:
            file = emulator.attachment(FILE, CSV)
            asked = await mod.run("/question import", file=file, deck=state["slug"])
            preview = await asked.wait_for_followup()
            await mod.click(preview, "Import" if accept else "Cancel")

        async def refused(data: bytes) -> None:
            file = emulator.attachment(FILE, data)
            asked = await mod.run("/question import", file=file, deck=state["slug"])
            if asked.deferred:
                await asked.wait_for_followup()

        async def export(_: Any) -> None:
            asked = await mod.run("/question export", deck=state["slug"])
            await asked.wait_for_followup()

        async def remove_question(_: Any) -> None:
            [sq, *_rest] = await bot.store.questions_in_deck(state["id"])
            asked = await mod.run("/question remove", id=sq.id)
            await mod.click(asked.message, "Remove")

        async def suggest(action: str) -> None:
            opened = await alice.run("/suggest question", deck=state["slug"])
            assert opened.modal is not None, opened
            n = len(emulator.channel_messages(review))
            await alice.submit(opened.modal, prompt=f"Suggested {n}?", answer="An answer.")
            posted = emulator.channel_messages(review)[-1]
            if action == "approve":
                await mod.click(posted, "Approve")
            else:
                form = (await mod.click(posted, "Reject")).modal
                await mod.submit(form, reason="Covered already.")
            await emulator.wait_until(lambda: len(emulator.dms(alice)) > n)

        steps: list[tuple[str, Step, Any]] = [
            ("deck create", create, None),
            ("deck list", lambda _: deck_list(alice), None),  # the deck is on page 2
            ("deck info", lambda _: alice.run("/deck info", deck=state["slug"]), None),
            ("deck disable", lambda _: mod.run("/deck disable", deck=state["slug"]), None),
            ("quiz, deck off", lambda _: alice.run("/quiz", deck=state["slug"]), None),
            ("deck disable again", lambda _: mod.run("/deck disable", deck=state["slug"]), None),
            ("deck enable", lambda _: mod.run("/deck enable", deck=state["slug"]), None),
            ("deck remove (asked)", lambda _: mod.run("/deck remove", deck=state["slug"]), None),
            ("question add", add, None),
            ("question list", lambda _: alice.run("/question list", deck=state["slug"]), None),
            ("question import, cancelled", import_, False),
            ("question import", import_, True),
            ("question import, refused", refused, CSV.replace(b"g hold?", b"")),
            ("question import, too big", refused, b"x" * (1024 * 1024 + 1)),
            ("question export", export, None),
            ("question remove", remove_question, None),
            ("suggest, approved", suggest, "approve"),
            ("suggest, rejected", suggest, "reject"),
            ("suggest status", lambda _: alice.run("/suggest status"), None),
            (
                "qotd setup",
                lambda _: mod.run(
                    "/qotd setup",
                    options={
                        "channel": guild.general,
                        "time": "09:00",
                        "timezone": "UTC",
                        "deck": state["slug"],
                    },
                ),
                None,
            ),
        ]
        problems = []
        for label, step, arg in steps:
            bodies.clear()
            await step(arg)
            await emulator.settle(0.01)
            shown = [t for b in bodies for t in markdown_texts(b)]
            plain = [t for b in bodies for t in plain_texts(b)]
            if "refused" in label or "too big" in label:
                names = [FILE]  # the deck is not named
            else:
                names = [NAME] + ([FILE] if "import" in label else [])
            for name in names:
                if any(name in t for t in shown):
                    problems.append(f"{label}: {name!r} reads as Markdown")
                # Lists clip a deck's name to 40 characters.
                escaped = (ui.name(name), ui.name(ui.clip(name, 40)))
                if not any(e in t for t in shown for e in escaped):
                    problems.append(f"{label}: {name!r} not shown escaped: {shown!r:.300}")
            if any(ui.name(NAME) in t for t in plain):
                problems.append(f"{label}: escaped where Discord shows text as it is")
        assert not problems, "\n".join(problems)


#: a display name that turns the text after it right to left (U+202E, RIGHT-TO-LEFT OVERRIDE)
REVERSING = "\u202emallory"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (REVERSING, "\u2068\u202emallory\u2069"),
        # RIGHT-TO-LEFT ISOLATE left open: closed too, or the isolate's own U+2069 closes
        # it and the isolate the name is kept in runs on to the end of the line
        ("a\u2067b", "\u2068a\u2067b\u2069\u2069"),
        ("\u202ea\u2067b", "\u2068\u202ea\u2067b\u2069\u2069"),
        # a U+2069 closing nothing in the name would close the isolate, and the override
        # after it run on: it goes (alone, it does nothing)
        ("a\u2069\u202eb", "\u2068a\u202eb\u2069"),
        ("\u2066a\u2069\u2069\u202eb", "\u2068\u2066a\u2069\u202eb\u2069"),
        ("\u05e9\u05e8\u05d4", "\u05e9\u05e8\u05d4"),  # Hebrew letters need nothing
        ("alice", "alice"),
    ],
)
def test_a_name_holding_direction_controls_is_kept_to_itself(typed, shown) -> None:
    """A direction override or isolate in a name would turn the rest of its line around
    ("#1 with 6 points" read as "stniop 6 htiw 1#"): such a name is shown inside an isolate
    (U+2068 ... U+2069), which ends whatever it opened; other names are left as they are."""
    assert ui.name(typed) == shown
    assert ui.isolated(typed) == shown
    if shown != typed:
        assert _isolate_ends_at_end(shown), repr(shown)


def _isolate_ends_at_end(text: str) -> bool:
    """Whether the isolate ``text`` opens with its first character ends with its last one:
    each U+2069 closes the nearest isolate still open before it (Unicode's bidi algorithm,
    BD9), and embeddings and overrides opened inside an isolate end with it (X6a)."""
    open_ = 0
    for i, ch in enumerate(text):
        if ch in "\u2066\u2067\u2068":
            open_ += 1
        elif ch == "\u2069" and open_:
            open_ -= 1
            if open_ == 0 and i != len(text) - 1:
                return False
    return open_ == 0


async def test_a_name_that_reverses_text_does_not_turn_its_line_around(recall, emulator) -> None:
    guild = emulator.add_guild("Study group")
    mallory = guild.add_member(REVERSING)
    shown = "\u2068\u202emallory\u2069"
    async with recall.running():
        posted = await mallory.run("/quiz", channel=guild.general, deck="flask")
        msg = posted.message
        assert msg.embeds[0]["footer"]["text"] == f"Asked by {shown} · 0 members answered"
        if "Reveal answer" in [b.label for b in msg.buttons]:
            revealed = await mallory.click(msg, "Reveal answer")
            await mallory.click(revealed.message, "Good")
        else:
            await mallory.click(msg, msg.buttons[0].label)
        board = (await mallory.run("/leaderboard show")).message
        assert board.embeds[0]["description"].startswith(f"🥇 **{shown}** · "), board.embeds
        assert board.embeds[0]["footer"]["text"].startswith(f"{shown}: #1 with "), board.embeds
