"""Confirmations whose write can take long are answered first, then show their outcome.

Erasing a member, starting a season, importing a file or approving a suggestion writes an
amount that grows with the member's, the deck's or the server's data, and under load a write
also waits for the ones queued before it. Discord refuses an answer later than 3 s after the
click ("This interaction failed") even when the write went through, so these buttons (and
forms, and ``/settings timezone``) acknowledge the click at once and fill in the outcome
when the write is done.

A slow write is made for real: another connection holds SQLite's write lock while the member
clicks. The store waits at most its busy timeout (``BUSY_TIMEOUT_MS``, 2 s) for such a lock
before answering "busy", so the lock is held for less than that and the emulator's deadline
for an answer is cut to 1 s: the write ends after the deadline, as a long one would after 3 s.
Held for longer than the busy timeout, the write fails: the member is told so, privately,
after the click was answered, and the same button works once the lock is gone. A form opened
by a command (``/question add`` and ``edit``, ``/suggest question``) is answered "thinking",
privately; when its write fails, what was typed comes back attached, as for a refused form.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from test_e2e_buttons import (
    MANAGE,
    OPEN,
    Click,
    World,
    import_file,
    privacy_erase,
    remove_deck,
    remove_question,
    suggestion,
)

from bot.client import STORAGE_REPLIES
from bot.store.base import BUSY_TIMEOUT_MS

pytestmark = pytest.mark.e2e

#: the emulator's deadline for answering a click in these tests (Discord's is 3 s)
DEADLINE = 1.0
#: how long the write lock is held: past the deadline, within the store's busy timeout
SLOW = 1.6
#: held this long, the store gives up waiting and answers "busy"
TOO_LONG = BUSY_TIMEOUT_MS / 1000 + 0.8


@contextlib.asynccontextmanager
async def write_lock_held(db: Path, seconds: float) -> AsyncIterator[None]:
    """Another connection takes SQLite's write lock on ``db`` and keeps it ``seconds``
    (counted from when it has it); the block runs while it is held, and the exit waits
    until it is released."""
    locked = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(db, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            locked.set()
            time.sleep(seconds)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    holder = asyncio.create_task(asyncio.to_thread(hold))
    assert await asyncio.to_thread(locked.wait, 10)
    try:
        yield
    finally:
        await holder


@dataclass
class Row:
    """``act`` does, while the lock is held, what ``prepare`` readied; ``outcome`` says
    whether what the member sees shows the write done; ``written`` checks the database;
    ``told`` whether the suggestion's author got the outcome by DM."""

    prepare: Callable[[World, Any], Awaitable[Any]]
    act: Callable[[World, Any], Awaitable[Any]]
    outcome: Callable[[World, Any], bool]
    written: Callable[[World, Any], Awaitable[bool]]
    told: bool = False


async def click(w: World, ready: Click) -> Any:
    return await ready.who.click(ready.message, ready.label)


def titled(title: str) -> Callable[[World, Any], bool]:
    def outcome(w: World, r) -> bool:
        message = r.message
        return bool(message.embeds) and message.embeds[0]["title"] == title and not message.buttons

    return outcome


async def erased(w: World, bot) -> bool:
    return (await bot.store.activity(w.guild.id, w.alice.id)).answered == 0


async def deck_gone(w: World, bot) -> bool:
    return all(d.slug != "team-flask" for d in await bot.store.decks_for_guild(w.guild.id))


async def question_gone(w: World, bot) -> bool:
    row = await bot.store._fetchone(
        "SELECT removed_at FROM questions WHERE id = ?", (w.data["qid"],)
    )
    return row[0] is not None


async def imported(w: World, bot) -> bool:
    return (await bot.store.counts())["questions"] == w.data["before"] + 1


async def start_season(w: World, bot) -> Click:
    asked = await w.mod.run("/leaderboard reset")
    return Click(w.mod, asked.message, "Start season 2")


async def season_two(w: World, bot) -> bool:
    return (await bot.store.current_season(w.guild.id)).number == 2


async def approve(w: World, bot):
    return await suggestion(w, bot, "Approve")


def decided(mark: str) -> Callable[[World, Any], bool]:
    def outcome(w: World, r) -> bool:
        embeds = r.message.embeds
        return bool(embeds) and mark in embeds[0]["fields"][-1]["value"] and not r.message.buttons

    return outcome


async def state_is(w: World, bot, state: str) -> bool:
    s = await bot.store.suggestion(1)
    return s is not None and s.state == state


async def reject_form(w: World, bot):
    ready = await suggestion(w, bot, "Reject")
    opened = await ready.who.click(ready.message, "Reject")
    assert opened.modal is not None
    return opened


async def send_reject(w: World, opened) -> Any:
    return await w.mod.submit(opened.modal, reason="Covered by question #3.")


async def edit_form(w: World, bot):
    ready = await suggestion(w, bot, "Edit and approve")
    opened = await ready.who.click(ready.message, "Edit and approve")
    assert opened.modal is not None
    return opened


async def send_edits(w: World, opened) -> Any:
    values = {t.custom_id: t.value or "" for t in opened.modal.text_inputs}
    return await w.mod.submit(opened.modal, **{**values, "answer": "Edited while busy."})


#: what the member types into a question form (``/question add``, ``/suggest question``)
TYPED = {
    "prompt": "What does flask.g hold?",
    "answer": "Data for one application context.",
    "key_points": "per app context",
    "tags": "contexts",
}


def said(start: str) -> Callable[[World, Any], bool]:
    """The form's private reply is filled in and starts with ``start``."""

    def outcome(w: World, r) -> bool:
        message = r.message
        return (
            message is not None
            and message.ephemeral
            and not message.loading
            and (message.content or "").startswith(start)
        )

    return outcome


async def add_form(w: World, bot):
    await w.mod.run("/deck create", name="Team Flask")
    opened = await w.mod.run("/question add", deck="team-flask")
    assert opened.modal is not None
    w.data["before"] = (await bot.store.counts())["questions"]
    return opened


async def send_new_question(w: World, opened) -> Any:
    w.data["typed"] = TYPED["answer"]
    return await w.mod.submit(opened.modal, **TYPED)


async def question_edit_form(w: World, bot):
    deck_id = await bot.store.create_deck(w.guild.id, "team", "Team deck")
    await bot.store.add_questions(deck_id, [OPEN])
    [(qid,)] = await bot.store._fetchall("SELECT id FROM questions WHERE deck_id = ?", (deck_id,))
    w.data["qid"] = qid
    opened = await w.mod.run("/question edit", id=qid)
    assert opened.modal is not None
    return opened


async def send_question_edits(w: World, opened) -> Any:
    w.data["typed"] = "Edited while busy."
    return await w.mod.submit(opened.modal, answer=w.data["typed"])


async def question_edited(w: World, bot) -> bool:
    sq = await bot.store.question(w.data["qid"])
    return sq is not None and sq.question.answer == "Edited while busy."


async def suggest_form(w: World, bot):
    review = w.guild.add_channel("review")
    await w.mod.run("/deck create", name="Team Flask")
    await w.mod.run("/settings review-channel", options={"channel": review})
    opened = await w.alice.run("/suggest question")
    assert opened.modal is not None
    return opened


async def send_suggestion(w: World, opened) -> Any:
    w.data["typed"] = TYPED["answer"]
    return await w.alice.submit(opened.modal, **TYPED)


async def suggested(w: World, bot) -> bool:
    return await bot.store.suggestion(1) is not None


async def timezone(w: World, bot):
    return None


async def set_timezone(w: World, _ready) -> Any:
    return await w.mod.run("/settings timezone", zone="Europe/Paris")


def zone_said(w: World, r) -> bool:
    message = r.message
    return (
        message is not None
        and message.ephemeral
        and (message.content or "").startswith("Time zone set to **Europe/Paris**")
    )


async def zone_set(w: World, bot) -> bool:
    return (await bot.store.settings_for(w.guild.id)).timezone == "Europe/Paris"


ROWS: dict[str, Row] = {
    "Erase my data": Row(
        privacy_erase, click, titled("Your data in this server is erased"), erased
    ),
    "Remove deck": Row(remove_deck, click, titled("Deck removed"), deck_gone),
    "Remove question": Row(remove_question, click, titled("Question removed"), question_gone),
    "Import": Row(import_file, click, titled("Imported"), imported),
    "Start season": Row(start_season, click, titled("Season 2 has begun"), season_two),
    "Approve": Row(
        approve,
        click,
        decided("✅ Approved by"),
        lambda w, bot: state_is(w, bot, "approved"),
        told=True,
    ),
    "Reject (form)": Row(
        reject_form,
        send_reject,
        decided("❌ Rejected by"),
        lambda w, bot: state_is(w, bot, "rejected"),
        told=True,
    ),
    "Edit and approve (form)": Row(
        edit_form,
        send_edits,
        decided("✅ Approved with edits by"),
        lambda w, bot: state_is(w, bot, "approved"),
        told=True,
    ),
    "/settings timezone": Row(timezone, set_timezone, zone_said, zone_set),
    "/question add (form)": Row(
        add_form, send_new_question, said("Added question **#"), imported
    ),
    "/question edit (form)": Row(
        question_edit_form, send_question_edits, said("Saved question **#"), question_edited
    ),
    "/suggest question (form)": Row(
        suggest_form, send_suggestion, said("Thanks! Suggestion #1 "), suggested
    ),
}

#: forms opened by a command: a refused or failed submit gives back what was typed
COMMAND_FORMS = ["/question add (form)", "/question edit (form)", "/suggest question (form)"]


def world(emulator) -> World:
    guild = emulator.add_guild("Study group")
    return World(
        emulator, guild, guild.add_member("mod", permissions=MANAGE), guild.add_member("alice"), {}
    )


@pytest.mark.parametrize("row", list(ROWS))
async def test_a_slow_write_is_answered_in_time_and_shows_its_outcome(recall, emulator, row):
    r = ROWS[row]
    w = world(emulator)
    async with recall.running() as bot:
        ready = await r.prepare(w, bot)
        emulator.ack_deadline = DEADLINE
        emulator.settle_deferred_updates = False  # the click returns once it is answered
        async with write_lock_held(recall.db, SLOW):
            answered = await r.act(w, ready)
            # Answered in time, while the write still waits for the lock.
            assert answered.acknowledged and not answered.error_codes, answered
            assert answered.deferred, answered
            assert not await r.written(w, bot)
        # Once the lock is gone, the write is done and the member sees its outcome.
        await answered.wait_for(lambda a: r.outcome(w, a), within=5)
        assert await r.written(w, bot)
        if answered.response_type == 6:  # a click or a form on a message: no reply besides
            assert answered.followups == [], [m.content for m in answered.followups]
        if r.told:
            await emulator.wait_until(lambda: emulator.dms(w.alice))


@pytest.mark.parametrize("row", ["Erase my data", "Start season", "Approve", "/settings timezone"])
async def test_a_write_that_fails_after_the_answer_is_explained_privately(
    recall, emulator, error_logs, row
):
    r = ROWS[row]
    w = world(emulator)
    async with recall.running() as bot:
        ready = await r.prepare(w, bot)
        emulator.ack_deadline = DEADLINE
        emulator.settle_deferred_updates = False  # the click returns once it is answered
        async with write_lock_held(recall.db, TOO_LONG):
            answered = await r.act(w, ready)
            assert answered.acknowledged and not answered.error_codes, answered
            await answered.wait_for(lambda a: a.followups, within=5)
        [reply] = answered.followups
        assert reply.ephemeral and reply.content == STORAGE_REPLIES["busy"], reply.content
        assert not r.outcome(w, answered) and not await r.written(w, bot)
        assert len(error_logs) == 1 and "is busy" in error_logs[0].getMessage()
        error_logs.clear()

        # The lock gone, the same button (or command) does it.
        if row != "/settings timezone":
            assert answered.message.buttons, "the confirmation keeps its buttons"
        again = await r.act(w, ready)
        await again.wait_for(lambda a: r.outcome(w, a), within=5)
        assert await r.written(w, bot)
        if r.told:
            await emulator.wait_until(lambda: emulator.dms(w.alice))


@pytest.mark.parametrize("row", COMMAND_FORMS)
async def test_a_form_whose_write_fails_gives_back_what_was_typed(
    recall, emulator, error_logs, row
):
    r = ROWS[row]
    w = world(emulator)
    async with recall.running() as bot:
        ready = await r.prepare(w, bot)
        emulator.ack_deadline = DEADLINE
        emulator.settle_deferred_updates = False  # the submit returns once it is answered
        async with write_lock_held(recall.db, TOO_LONG):
            answered = await r.act(w, ready)
            assert answered.acknowledged and not answered.error_codes, answered
            await answered.wait_for(lambda a: a.message is not None and not a.message.loading)
        reply = answered.message
        assert reply.ephemeral
        assert reply.content.startswith(STORAGE_REPLIES["busy"]), reply.content
        assert "What you typed is attached" in reply.content
        [typed] = reply.attachments
        assert w.data["typed"] in typed.data.decode()
        assert not r.outcome(w, answered) and not await r.written(w, bot)
        assert len(error_logs) == 1 and "is busy" in error_logs[0].getMessage()
        error_logs.clear()
