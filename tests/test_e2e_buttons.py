"""Every button Recall sends, clicked after a restart of the bot, twice at once.

Recall keeps no button state in memory: each custom_id carries its keys and the rest is in
the database, so a message from before a restart still works, and a double click (two
interactions racing) does its work once. One row a button: ``prepare`` runs in the first
process and returns who clicks what; the bot restarts; two clicks race; ``check`` looks at
both answers and at what was written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord
import pytest

from bot.questions import Question

pytestmark = pytest.mark.e2e

MANAGE = discord.Permissions(manage_guild=True).value

OPEN = Question(
    id="open-1",
    prompt="What does the application context hold?",
    why="Where `current_app` and `g` live.",
    key_points=["current_app", "g"],
    answer="The application context holds `current_app` and `g`.",
    tags=["contexts"],
)
MC = Question(
    id="mc-1",
    prompt="Which converter matches a path with slashes?",
    key_points=["path accepts slashes"],
    answer="`path` is like `string` but also accepts slashes.",
    options=[{"text": "string"}, {"text": "path", "correct": True}],
    tags=["routing"],
)


@dataclass
class World:
    emulator: Any
    guild: Any
    mod: Any
    alice: Any
    data: dict[str, Any]


@dataclass
class Click:
    who: Any
    message: Any
    label: str


async def only_deck(bot, guild_id: int, questions: list[Question]) -> int:
    deck_id = await bot.store.create_deck(guild_id, "testing", "Testing deck", "For tests")
    await bot.store.add_questions(deck_id, questions)
    for deck in await bot.store.decks_for_guild(guild_id):
        if deck.id != deck_id:
            await bot.store.set_deck_enabled(guild_id, deck.id, False)
    return deck_id


def split(first, second, ok: Callable[[Any], bool]):
    """The reply that did the work and the other one; exactly one did it."""
    done = [r for r in (first, second) if ok(r)]
    assert len(done) == 1, (first, second)
    return done[0], second if done[0] is first else first


async def deferred_split(w: World, first, second, title: str):
    """For a confirm button that answers at once (deferred) and writes after: the click
    whose write changed the message to ``title``, and what the other one was told."""

    def settled() -> bool:
        refused = [r for r in (first, second) if r.told is not None]
        changed = [r for r in (first, second) if r.response_type == 6 and not r.followups]
        return (
            len(refused) == 1
            and len(changed) == 1
            and changed[0].message.embeds[0]["title"] == title
            and not changed[0].message.buttons
        )

    await w.emulator.wait_until(settled)
    done, late = split(first, second, lambda r: r.told is None)
    assert done.response_type == 6 and done.message.buttons == [], done
    return done, late.told


# -- rows ------------------------------------------------------------------------------------


async def remove_deck(w: World, bot) -> Click:
    await w.mod.run("/deck create", name="Team Flask", description="Ours")
    asked = await w.mod.run("/deck remove", deck="team-flask")
    return Click(w.mod, asked.message, "Remove deck")


async def remove_deck_done(w: World, bot, first, second) -> None:
    _, late = await deferred_split(w, first, second, "Deck removed")
    assert late == "That deck was already removed."
    assert all(d.slug != "team-flask" for d in await bot.store.decks_for_guild(w.guild.id))


async def keep_deck(w: World, bot) -> Click:
    await w.mod.run("/deck create", name="Team Flask", description="Ours")
    asked = await w.mod.run("/deck remove", deck="team-flask")
    return Click(w.mod, asked.message, "Keep it")


async def keep_deck_done(w: World, bot, first, second) -> None:
    for r in (first, second):
        assert r.response_type == 7 and r.message.embeds[0]["title"] == "Kept", r
    assert any(d.slug == "team-flask" for d in await bot.store.decks_for_guild(w.guild.id))


async def remove_question(w: World, bot) -> Click:
    deck_id = await bot.store.create_deck(w.guild.id, "team", "Team deck")
    await bot.store.add_questions(deck_id, [OPEN])
    [qid] = [
        r[0]
        for r in await bot.store._fetchall("SELECT id FROM questions WHERE deck_id = ?", (deck_id,))
    ]
    w.data["qid"] = qid
    asked = await w.mod.run("/question remove", id=qid)
    return Click(w.mod, asked.message, "Remove")


async def remove_question_done(w: World, bot, first, second) -> None:
    # One click removes it; the other is told it is already gone, whichever read first
    # (refused at once, or after answering first).
    _, late = await deferred_split(w, first, second, "Question removed")
    assert late == f"Question #{w.data['qid']} has been removed."
    row = await bot.store._fetchone(
        "SELECT removed_at FROM questions WHERE id = ?", (w.data["qid"],)
    )
    assert row[0] is not None


async def import_file(w: World, bot) -> Click:
    await w.mod.run("/deck create", name="Team Flask", description="Ours")
    yaml = (
        "questions:\n"
        "  - prompt: What is a blueprint for?\n"
        "    answer: It groups routes an app registers.\n"
        "    key_points: [groups routes]\n"
    )
    file = w.emulator.attachment("deck.yaml", yaml.encode())
    preview = await w.mod.run("/question import", file=file, deck="team-flask")
    msg = await preview.wait_for_followup()
    w.data["before"] = (await bot.store.counts())["questions"]
    return Click(w.mod, msg, "Import")


async def import_file_done(w: World, bot, first, second) -> None:
    done, late = await deferred_split(w, first, second, "Imported")
    assert "Imported **1 question**" in done.message.embeds[0]["description"]
    assert late == "This import was already imported."
    assert (await bot.store.counts())["questions"] == w.data["before"] + 1


async def cancel_import(w: World, bot) -> Click:
    click = await import_file(w, bot)
    return Click(click.who, click.message, "Cancel")


async def cancel_import_done(w: World, bot, first, second) -> None:
    _, late = await deferred_split(w, first, second, "Import cancelled")
    assert late == "This import was already cancelled."
    assert (await bot.store.counts())["questions"] == w.data["before"]


async def keep_question(w: World, bot) -> Click:
    click = await remove_question(w, bot)
    return Click(click.who, click.message, "Keep it")


async def keep_question_done(w: World, bot, first, second) -> None:
    for r in (first, second):
        assert r.response_type == 7 and r.message.embeds[0]["title"] == "Kept", r
    row = await bot.store._fetchone(
        "SELECT removed_at FROM questions WHERE id = ?", (w.data["qid"],)
    )
    assert row[0] is None


async def board_page(w: World, bot) -> Click:
    await only_deck(bot, w.guild.id, [OPEN])
    for i in range(11):
        m = w.guild.add_member(f"m{i}")
        posted = await m.run("/quiz", channel=w.guild.general, private=True)
        shown = await m.click(posted.message, "Reveal answer")
        await m.click(shown.message, "Good")
    w.data["last"] = m  # equal points, reached last: #11, on page 2
    board = await w.alice.run("/leaderboard show")
    return Click(w.alice, board.message, "Next")


async def board_page_done(w: World, bot, first, second) -> None:
    for r in (first, second):
        assert r.response_type == 7 and "Page 2 of 2" in r.message.embeds[0]["footer"]["text"], r


async def my_rank(w: World, bot) -> Click:
    board = await board_page(w, bot)
    return Click(w.data["last"], board.message, "My rank")


async def my_rank_done(w: World, bot, first, second) -> None:
    for r in (first, second):
        assert r.ephemeral and "Page 2 of 2" in r.message.embeds[0]["footer"]["text"], r
        assert r.message.embeds[0]["description"].endswith("← you"), r


async def hint(w: World, bot) -> Click:
    await only_deck(bot, w.guild.id, [OPEN])
    posted = await w.alice.run("/quiz", channel=w.guild.general)
    return Click(w.alice, posted.message, "Hint")


async def hint_done(w: World, bot, first, second) -> None:
    for r in (first, second):
        assert r.ephemeral and r.embed["description"] == OPEN.why, r


async def list_page(w: World, bot) -> Click:
    # The longest tag and search /question list takes ride in the buttons' custom_ids.
    tag, search = "t" * 32, "é" * 30
    deck_id = await bot.store.create_deck(w.guild.id, "team", "Team deck")
    many = [
        Question(
            id=f"q{i}", prompt=f"Question {i} {search}?", key_points=["k"], answer="A.", tags=[tag]
        )
        for i in range(12)
    ]
    await bot.store.add_questions(deck_id, many)
    listed = await w.alice.run("/question list", tag=tag, search=search)
    assert listed.embed["footer"]["text"].startswith("Page 1/2 · 12 questions"), listed
    return Click(w.alice, listed.message, "Next ▶")


async def list_page_done(w: World, bot, first, second) -> None:
    for r in (first, second):
        assert r.response_type == 7, r
        assert r.message.embeds[0]["footer"]["text"].startswith("Page 2/2")


async def qotd_status(w: World, bot) -> Click:
    deck_id = await bot.store.create_deck(w.guild.id, "daily", "Daily deck")
    await bot.store.add_questions(deck_id, [OPEN])
    for i in range(11):
        chan = w.guild.add_channel(f"room-{i:02d}")
        await w.mod.run(
            "/qotd setup",
            channel=chan,
            options={"channel": chan, "time": "09:00", "timezone": "UTC", "deck": "daily"},
        )
    status = await w.mod.run("/qotd status")
    return Click(w.mod, status.message, "Next ▶")


async def qotd_status_done(w: World, bot, first, second) -> None:
    for r in (first, second):
        assert r.response_type == 7, r
        assert r.message.embeds[0]["footer"]["text"].startswith("Page 2 of 2")


async def reset_cancel(w: World, bot) -> Click:
    asked = await w.mod.run("/leaderboard reset")
    return Click(w.mod, asked.message, "Cancel")


async def reset(w: World, bot) -> Click:
    asked = await w.mod.run("/leaderboard reset")
    return Click(w.mod, asked.message, "Start season 2")


async def reset_done(w: World, bot, first, second) -> None:
    await deferred_split(w, first, second, "Season 2 has begun")
    late = first.told or second.told
    assert late == "The leaderboard was already reset: season 2 is running."
    assert (await bot.store.current_season(w.guild.id)).number == 2


async def privacy_cancel(w: World, bot) -> Click:
    await w.alice.run("/privacy hide")  # something to erase: the name the boards know
    asked = await w.alice.run("/privacy delete")
    return Click(w.alice, asked.message, "Cancel")


async def cancelled(w: World, bot, first, second) -> None:
    for r in (first, second):
        assert r.response_type == 7, r
    assert (await bot.store.current_season(w.guild.id)).number == 1


async def privacy_erase(w: World, bot) -> Click:
    await only_deck(bot, w.guild.id, [OPEN])
    posted = await w.alice.run("/quiz", channel=w.guild.general)
    shown = await w.alice.click(posted.message, "Reveal answer")
    await w.alice.click(shown.message, "Good")
    asked = await w.alice.run("/privacy delete")
    return Click(w.alice, asked.message, "Erase my data")


async def privacy_erase_done(w: World, bot, first, second) -> None:
    _, late = await deferred_split(w, first, second, "Your data in this server is erased")
    assert late is not None and "nothing to erase" in late
    assert (await bot.store.activity(w.guild.id, w.alice.id)).answered == 0


async def quiz_option(w: World, bot) -> Click:
    await only_deck(bot, w.guild.id, [MC])
    posted = await w.alice.run("/quiz", channel=w.guild.general)
    return Click(w.alice, posted.message, "B. path")


async def quiz_option_done(w: World, bot, first, second) -> None:
    _, late = split(
        first, second, lambda r: r.embed["description"].startswith("✅ Right: **B. path**")
    )
    assert late.ephemeral and late.embed["description"].startswith(
        "✅ You already answered this one. Right: **B. path**\nIt earned 3 points."
    )
    [(n, points)] = await bot.store._fetchall("SELECT COUNT(*), SUM(points) FROM attempts")
    assert (n, points) == (1, 3)


async def quiz_next(w: World, bot) -> Click:
    await only_deck(bot, w.guild.id, [OPEN, MC])
    posted = await w.alice.run("/quiz", channel=w.guild.general, tag="contexts")
    return Click(w.alice, posted.message, "Next question")


async def quiz_next_done(w: World, bot, first, second) -> None:
    for r in (first, second):
        assert r.ephemeral and r.embed is not None, r
    # one new question, given to both clicks
    assert first.embed == second.embed
    [(n,)] = await bot.store._fetchall("SELECT COUNT(*) FROM posts")
    assert n == 2


async def review_option(w: World, bot) -> Click:
    await only_deck(bot, w.guild.id, [MC])
    started = await w.alice.run("/review start", channel=w.guild.general)
    return Click(w.alice, started.message, "B. path")


async def review_option_done(w: World, bot, first, second) -> None:
    for r in (first, second):
        assert r.response_type == 7, r
    [card] = await bot.store.cards(w.guild.id, w.alice.id)
    assert card.card.reps == 1


async def review_show(w: World, bot) -> Click:
    await only_deck(bot, w.guild.id, [OPEN])
    started = await w.alice.run("/review start", channel=w.guild.general)
    return Click(w.alice, started.message, "Reveal answer")


async def review_show_done(w: World, bot, first, second) -> None:
    for r in (first, second):
        assert r.response_type == 7, r
        assert [b.label for b in r.message.buttons] == ["Again", "Hard", "Good", "Easy"]


async def review_next(w: World, bot) -> Click:
    await only_deck(bot, w.guild.id, [MC, OPEN])
    started = await w.alice.run("/review start", channel=w.guild.general)
    label = "B. path" if "B. path" in [b.label for b in started.message.buttons] else None
    if label:
        answered = await w.alice.click(started.message, label)
    else:
        shown = await w.alice.click(started.message, "Reveal answer")
        answered = await w.alice.click(shown.message, "Good")
        answered = await w.alice.click(answered.message, "B. path")
    return Click(w.alice, answered.message, "Next")


async def review_next_done(w: World, bot, first, second) -> None:
    for r in (first, second):
        assert r.response_type == 7, r
    assert len(await bot.store.cards(w.guild.id, w.alice.id)) == 1


async def suggestion(w: World, bot, label: str) -> Click:
    review = w.guild.add_channel("review")
    await w.mod.run("/deck create", name="Team Flask")
    await w.mod.run("/settings review-channel", options={"channel": review})
    opened = await w.alice.run("/suggest question")
    await w.alice.submit(
        opened.modal,
        prompt="What does flask.g hold?",
        answer="Data for one application context.",
        key_points="per app context",
        tags="contexts",
    )
    [posted] = w.emulator.channel_messages(review)
    w.data["before"] = (await bot.store.counts())["questions"]
    return Click(w.mod, posted, label)


async def approve(w: World, bot) -> Click:
    return await suggestion(w, bot, "Approve")


async def approve_done(w: World, bot, first, second) -> None:
    done, late = await deferred_split(w, first, second, "Suggestion #1 for Team Flask")
    assert "✅ Approved by" in done.message.embeds[0]["fields"][-1]["value"]
    assert late == "This suggestion was already approved."
    assert (await bot.store.counts())["questions"] == w.data["before"] + 1


async def reject(w: World, bot) -> Click:
    return await suggestion(w, bot, "Reject")


async def edit_approve(w: World, bot) -> Click:
    return await suggestion(w, bot, "Edit and approve")


async def form_opened(w: World, bot, first, second) -> None:
    for r in (first, second):
        assert r.modal is not None, r
    assert (await bot.store.counts())["questions"] == w.data["before"]


Prepare = Callable[[World, Any], Awaitable[Click]]
Check = Callable[[World, Any, Any, Any], Awaitable[None]]
ROWS: dict[str, tuple[Prepare, Check]] = {
    "rb:drm ok (Remove deck)": (remove_deck, remove_deck_done),
    "rb:drm no (Keep it)": (keep_deck, keep_deck_done),
    "rb:qrm ok (Remove question)": (remove_question, remove_question_done),
    "rb:imp ok (Import)": (import_file, import_file_done),
    "rb:imp no (Cancel import)": (cancel_import, cancel_import_done),
    "rb:qrm no (Keep it)": (keep_question, keep_question_done),
    "lb:next (leaderboard page)": (board_page, board_page_done),
    "lb:m (leaderboard My rank)": (my_rank, my_rank_done),
    "rq:hint (Hint)": (hint, hint_done),
    "rb:ql (question list page)": (list_page, list_page_done),
    "qotd:status (status page)": (qotd_status, qotd_status_done),
    "lb:reset (Start season)": (reset, reset_done),
    "rc:cancel (leaderboard reset)": (reset_cancel, cancelled),
    "rc:cancel (privacy delete)": (privacy_cancel, cancelled),
    "pv:erase (Erase my data)": (privacy_erase, privacy_erase_done),
    "rq:mc (quiz option)": (quiz_option, quiz_option_done),
    "rq:next (Next question)": (quiz_next, quiz_next_done),
    "rv:mc (review option)": (review_option, review_option_done),
    "rv:show (review Reveal answer)": (review_show, review_show_done),
    "rv:next (review Next)": (review_next, review_next_done),
    "rb:sg ok (Approve)": (approve, approve_done),
    "rb:sg no (Reject)": (reject, form_opened),
    "rb:sg edit (Edit and approve)": (edit_approve, form_opened),
}


@pytest.mark.parametrize("row", list(ROWS))
async def test_a_button_clicked_twice_at_once_after_a_restart(recall, emulator, row):
    prepare, check = ROWS[row]
    guild = emulator.add_guild("Study group")
    w = World(
        emulator, guild, guild.add_member("mod", permissions=MANAGE), guild.add_member("alice"), {}
    )
    async with recall.running() as bot:
        click = await prepare(w, bot)
        custom_ids = [b.custom_id for b in click.message.buttons]
        assert all(len(c) <= 100 for c in custom_ids), custom_ids
    async with recall.running(sync=False) as bot:
        first, second = await asyncio.gather(
            click.who.click(click.message, click.label), click.who.click(click.message, click.label)
        )
        for r in (first, second):
            assert r.acknowledged and not r.error_codes, r
        await check(w, bot, first, second)
