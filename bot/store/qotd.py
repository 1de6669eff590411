"""Storage: question-of-the-day schedules, slots (one row each: the exactly-once key), cycles."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import aiosqlite

from bot.bank import Escape
from bot.clock import from_db, to_db
from bot.errors import UserError
from bot.qotd import (
    MAX_FAILURES,
    POST_NOW_KEY,
    Choice,
    Claim,
    CloseSummary,
    ScheduleRow,
    Sent,
    checked_until_after_setup,
    choose_next,
    today_utc,
)
from bot.schedule import ScheduleSpec, Slot, format_time, local_day, slot_for_date
from bot.srs import weakest
from bot.store.decks import settings_in
from bot.store.quiz import QuizStore
from bot.store.srs import SrsStore

_SCHEDULE_COLUMNS = (
    "id, guild_id, channel_id, local_time, timezone, days, deck_id, tag, ping_role_id, thread, "
    "answer_after_minutes, paused, pause_reason, failures, last_error, cycle, number, "
    "checked_until, created_at, pick, removed_at"
)


def _schedule(row: sqlite3.Row) -> ScheduleRow:
    return ScheduleRow(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        spec=ScheduleSpec(local_time=row["local_time"], days=row["days"], zone=row["timezone"]),
        deck_id=row["deck_id"],
        tag=row["tag"],
        ping_role_id=row["ping_role_id"],
        thread=bool(row["thread"]),
        answer_after_minutes=row["answer_after_minutes"],
        paused=bool(row["paused"]),
        pause_reason=row["pause_reason"],
        failures=row["failures"],
        last_error=row["last_error"],
        cycle=row["cycle"],
        number=row["number"],
        checked_until=from_db(row["checked_until"]),
        created_at=from_db(row["created_at"]),
        pick=row["pick"],
        removed=row["removed_at"] is not None,
    )


@dataclass(frozen=True)
class SlotRecord:
    local_date: str
    local_time: str
    due_at: datetime
    state: str
    late: bool
    error: str | None
    post_id: int | None
    message_id: int | None
    #: the number of its post ("Question of the day #N")
    number: int | None = None


@dataclass(frozen=True)
class Progress:
    asked: int
    total: int
    cycle: int


#: posts (of a schedule) that show their answer when the next question is due: open, sent,
#: and with no close time of their own
_WAITING_FOR_NEXT = "closed_at IS NULL AND close_at IS NULL AND message_id IS NOT NULL"


#: the question a schedule asked last (to ask another next): that of its channel's latest
#: question of the day that did not fail (sent, or still being sent), its own or, before its
#: first, that of the channel's removed schedule it goes on from (see save_schedule).
#: Parameters: the schedule's server and channel.
_LAST_ASKED = (
    "SELECT question_id FROM posts WHERE guild_id = ? AND kind = 'qotd' AND channel_id = ? "
    "AND (message_id IS NOT NULL OR closed_at IS NULL) ORDER BY created_at DESC, id DESC LIMIT 1"
)


class QotdStore(QuizStore, SrsStore):
    # -- schedules -----------------------------------------------------------------------------

    async def save_schedule(
        self,
        *,
        guild_id: int,
        channel_id: int,
        spec: ScheduleSpec,
        deck_id: int | None,
        tag: str | None,
        ping_role_id: int | None,
        thread: bool,
        answer_after_minutes: int | None,
        created_by: int,
        pick: str = "cycle",
        schedule_id: int | None = None,
        keep_paused: bool = False,
        expect: ScheduleRow | None = None,
    ) -> tuple[int, bool]:
        """Create a schedule, or update the one this channel already has. (id, created).
        With ``schedule_id`` only that schedule is updated: one removed meanwhile is a
        UserError, and nothing is saved.
        Setting a paused schedule up again resumes it: the moderator has fixed what paused
        it, or means it to run as now set up; with ``keep_paused`` (an edit of some of its
        settings) it stays paused, and why and its failures are kept. A channel that already
        had its question of the day today (in the schedule's zone), from this schedule or
        from one removed since, gets none again today at a new, later time. A schedule created in a channel
        whose schedule was removed goes on from it: "Question of the day #N" and the cycle
        (no question repeats until the deck is exhausted) continue.
        With ``expect`` (the schedule as an edit read it) a schedule whose settings differ
        from it by now is a UserError, and nothing is saved: the edit would put back what
        was changed meanwhile.
        When it posts at the same times as before, a slot come since it last ran is still
        the engine's to post late or record missed (a run a moment late, or held after
        failing); at new times it takes up its slots from now."""
        now_at = self.clock.now()
        now = to_db(now_at)
        start, end = today_utc(spec, now_at)
        fields = (
            spec.time_text,
            spec.zone,
            spec.days_text,
            deck_id,
            tag,
            ping_role_id,
            int(thread),
            answer_after_minutes,
            pick,
        )
        async with self.transaction() as db:
            async with db.execute(
                f"SELECT {_SCHEDULE_COLUMNS} FROM qotd_schedules WHERE guild_id = ? "
                "AND channel_id = ? AND removed_at IS NULL",
                (guild_id, channel_id),
            ) as cur:
                row = await cur.fetchone()
            current = _schedule(row) if row is not None else None
            if schedule_id is not None and (current is None or current.id != schedule_id):
                raise UserError(f"Schedule #{schedule_id} was removed meanwhile; nothing was saved.")
            if expect is not None and current is not None and current.settings != expect.settings:
                raise UserError(
                    f"Schedule #{current.id} was changed meanwhile; nothing was saved. Run "
                    "`/qotd edit` again to change it as it is now."
                )
            # Today's question in this channel: from its schedule, or from one since removed.
            async with db.execute(
                "SELECT 1 FROM qotd_slots s JOIN qotd_schedules q ON q.id = s.schedule_id "
                "WHERE q.guild_id = ? AND q.channel_id = ? AND s.state IN ('claimed', 'posted') "
                "AND s.due_at >= ? AND s.due_at < ? AND s.local_time NOT LIKE ? LIMIT 1",
                (guild_id, channel_id, to_db(start), to_db(end), POST_NOW_KEY + "%"),
            ) as cur:
                posted_today = await cur.fetchone() is not None
            checked_at = checked_until_after_setup(spec, now_at, posted_today)
            if (
                current is not None
                and current.spec == spec
                and checked_at <= now_at
                # a paused schedule set up again resumes from now: its paused days are not due
                and (keep_paused or not current.paused)
            ):
                checked_at = min(checked_at, current.checked_until)
            checked = to_db(checked_at)
            if current is not None:
                if current.spec != spec:
                    await _carry_skips(db, current.id, spec, now_at)
                await db.execute(
                    "UPDATE qotd_schedules SET local_time = ?, timezone = ?, days = ?, deck_id = ?, tag = ?, "
                    "ping_role_id = ?, thread = ?, answer_after_minutes = ?, pick = ?, checked_until = ?"
                    + (
                        ""
                        if keep_paused
                        else ", paused = 0, pause_reason = NULL, failures = 0, last_error = NULL"
                    )
                    + " WHERE id = ?",
                    (*fields, checked, current.id),
                )
                return current.id, False
            # The channel's questions of the day go on from its last removed schedule, as
            # from a schedule set up again in place: its numbering, and the questions asked
            # in its cycle (whatever the deck and tag now: a question they no longer
            # include is simply not among those asked).
            async with db.execute(
                "SELECT id, cycle, number FROM qotd_schedules WHERE guild_id = ? AND channel_id = ? "
                "AND removed_at IS NOT NULL ORDER BY removed_at DESC, id DESC LIMIT 1",
                (guild_id, channel_id),
            ) as cur:
                before = await cur.fetchone()
            cycle, number = (int(before[1]), int(before[2])) if before is not None else (1, 0)
            cur2 = await db.execute(
                "INSERT INTO qotd_schedules (guild_id, channel_id, local_time, timezone, days, deck_id, tag, "
                "ping_role_id, thread, answer_after_minutes, pick, checked_until, created_by, created_at, "
                "cycle, number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (guild_id, channel_id, *fields, checked, created_by, now, cycle, number),
            )
            schedule_id = int(cur2.lastrowid or 0)
            if before is not None:
                await db.execute(
                    "INSERT INTO qotd_asked (schedule_id, cycle, question_id, asked_at) "
                    "SELECT ?, cycle, question_id, asked_at FROM qotd_asked WHERE schedule_id = ?",
                    (schedule_id, int(before[0])),
                )
            return schedule_id, True

    async def schedule(self, schedule_id: int, *, removed: bool = False) -> ScheduleRow | None:
        """A schedule; one since removed only with ``removed``."""
        row = await self._fetchone(
            f"SELECT {_SCHEDULE_COLUMNS} FROM qotd_schedules WHERE id = ?"
            + ("" if removed else " AND removed_at IS NULL"),
            (schedule_id,),
        )
        return _schedule(row) if row else None

    async def schedules_for_guild(self, guild_id: int) -> list[ScheduleRow]:
        rows = await self._fetchall(
            f"SELECT {_SCHEDULE_COLUMNS} FROM qotd_schedules WHERE guild_id = ? AND removed_at IS NULL ORDER BY id",
            (guild_id,),
        )
        return [_schedule(r) for r in rows]

    async def active_schedules(self) -> list[ScheduleRow]:
        rows = await self._fetchall(
            f"SELECT {_SCHEDULE_COLUMNS} FROM qotd_schedules WHERE removed_at IS NULL ORDER BY id"
        )
        return [_schedule(r) for r in rows]

    async def set_paused(self, schedule_id: int, paused: bool, reason: str | None = None) -> None:
        """Pause, or resume: a resumed schedule starts from now (paused days are not caught up),
        or later where it already was (its slot today, moved later after today's post, counts
        as done: resuming does not post a second question that day)."""
        now = self.now_text()
        async with self.transaction() as db:
            if paused:
                await db.execute(
                    "UPDATE qotd_schedules SET paused = 1, pause_reason = ? WHERE id = ?",
                    (reason, schedule_id),
                )
            else:
                await db.execute(
                    "UPDATE qotd_schedules SET paused = 0, pause_reason = NULL, failures = 0, last_error = NULL, "
                    "checked_until = CASE WHEN checked_until < ? THEN ? ELSE checked_until END "
                    "WHERE id = ?",
                    (now, now, schedule_id),
                )

    async def remove_schedule(self, schedule_id: int) -> int:
        """Remove a schedule (its posts and grades stay). A question of it still open that
        was waiting for the next one to show its answer closes now, since none will come;
        returns how many did."""
        now = self.now_text()
        async with self.transaction() as db:
            await db.execute(
                "UPDATE qotd_schedules SET removed_at = ? WHERE id = ?", (now, schedule_id)
            )
            cur = await db.execute(
                f"UPDATE posts SET close_at = ? WHERE schedule_id = ? AND {_WAITING_FOR_NEXT}",
                (now, schedule_id),
            )
            return max(0, cur.rowcount)

    async def set_checked_until(self, schedule_id: int, when: datetime) -> None:
        async with self.transaction() as db:
            await db.execute(
                "UPDATE qotd_schedules SET checked_until = ? WHERE id = ? AND checked_until < ?",
                (to_db(when), schedule_id, to_db(when)),
            )

    # -- slots ---------------------------------------------------------------------------------

    async def slot_state(self, schedule_id: int, slot: Slot) -> tuple[int, str] | None:
        row = await self._fetchone(
            "SELECT id, state FROM qotd_slots WHERE schedule_id = ? AND local_date = ? AND local_time = ?",
            (schedule_id, slot.local_date.isoformat(), format_time(slot.local_time)),
        )
        return (int(row[0]), str(row[1])) if row else None

    async def record_slots(self, schedule_id: int, slots: Sequence[Slot], state: str) -> None:
        """Record slots (missed or skipped); a slot that already has a row keeps it."""
        now = self.now_text()
        async with self.transaction() as db:
            await db.executemany(
                "INSERT INTO qotd_slots (schedule_id, local_date, local_time, due_at, state, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (schedule_id, local_date, local_time) DO NOTHING",
                [
                    (
                        schedule_id,
                        s.local_date.isoformat(),
                        format_time(s.local_time),
                        to_db(s.at_utc),
                        state,
                        now,
                        now,
                    )
                    for s in slots
                ],
            )

    async def claim_slot(
        self,
        schedule: ScheduleRow,
        slot: Slot,
        *,
        late: bool,
        rng: random.Random,
        key_time: str | None = None,
        escape: Escape = str,
    ) -> Claim | None:
        """Claim a slot and prepare its post, in one transaction. None when the slot already
        has a row (posted, claimed, missed or skipped) or the schedule has nothing to ask
        (why is recorded, with a deck's name as ``escape`` shows it)."""
        candidates = [
            c.question_id
            for c in await self.candidates(
                schedule.guild_id, deck_id=schedule.deck_id, tag=schedule.tag
            )
        ]
        nothing = await self.nothing_to_ask(schedule, escape=escape) if not candidates else None
        now = self.clock.now()
        now_text = to_db(now)
        key = key_time or format_time(slot.local_time)
        weak: int | None = None
        if schedule.pick == "weakest" and candidates:
            last = await self._fetchone(_LAST_ASKED, (schedule.guild_id, schedule.channel_id))
            cards = await self.group_weakness(schedule.guild_id, candidates)
            weak = weakest(cards, now, avoid=int(last[0]) if last else None)
        async with self.transaction() as db:
            cur = await db.execute(
                "INSERT INTO qotd_slots (schedule_id, local_date, local_time, due_at, state, late, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, 'claimed', ?, ?, ?) "
                "ON CONFLICT (schedule_id, local_date, local_time) DO NOTHING",
                (
                    schedule.id,
                    slot.local_date.isoformat(),
                    key,
                    to_db(slot.at_utc),
                    int(late),
                    now_text,
                    now_text,
                ),
            )
            if cur.rowcount != 1:
                return None
            slot_id = int(cur.lastrowid or 0)
            async with db.execute(
                "SELECT cycle, number FROM qotd_schedules WHERE id = ?", (schedule.id,)
            ) as c:
                row = await c.fetchone()
            cycle, number = (int(row[0]), int(row[1])) if row else (1, 0)
            async with db.execute(
                "SELECT question_id FROM qotd_asked WHERE schedule_id = ? AND cycle = ?",
                (schedule.id, cycle),
            ) as c:
                asked = {int(r[0]) for r in await c.fetchall()}
            async with db.execute(_LAST_ASKED, (schedule.guild_id, schedule.channel_id)) as c:
                last = await c.fetchone()
            choice = choose_next(candidates, asked, int(last[0]) if last else None, rng)
            if weak is not None and choice is not None:
                # The group's weakest question, asked again whatever the cycle says.
                choice = Choice(weak, False)
            if choice is None:
                reason = nothing or "no question matches this schedule's deck and tag"
                await db.execute(
                    "UPDATE qotd_slots SET state = 'failed', error = ? WHERE id = ?",
                    (reason, slot_id),
                )
                await _count_failure(db, schedule.id, reason)
                return None
            if choice.new_cycle:
                cycle += 1
            number += 1
            # A question asked again in its cycle (the group's weakest) keeps the time it was
            # first asked in it: its row stays should this post fail (see slot_failed).
            await db.execute(
                "INSERT INTO qotd_asked (schedule_id, cycle, question_id, asked_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (schedule_id, cycle, question_id) DO NOTHING",
                (schedule.id, cycle, choice.question_id, now_text),
            )
            await db.execute(
                "UPDATE qotd_schedules SET cycle = ?, number = ? WHERE id = ?",
                (cycle, number, schedule.id),
            )
            close_at = (
                to_db(now + timedelta(minutes=schedule.answer_after_minutes))
                if schedule.answer_after_minutes is not None
                else None
            )
            cur = await db.execute(
                "INSERT INTO posts (kind, guild_id, channel_id, question_id, private, schedule_id, number, late, "
                "close_at, created_at) VALUES ('qotd', ?, ?, ?, 0, ?, ?, ?, ?, ?)",
                (
                    schedule.guild_id,
                    schedule.channel_id,
                    choice.question_id,
                    schedule.id,
                    number,
                    int(late),
                    close_at,
                    now_text,
                ),
            )
            post_id = int(cur.lastrowid or 0)
            await db.execute("UPDATE qotd_slots SET post_id = ? WHERE id = ?", (post_id, slot_id))
        return Claim(slot_id, schedule, post_id, choice.question_id, number, late, now)

    async def nothing_to_ask(self, schedule: ScheduleRow, *, escape: Escape = str) -> str | None:
        """Why the schedule has no question to ask, in words for moderators (what changed in
        the question bank, and the fix), its deck's name as ``escape`` shows it; None when it
        has one."""
        if await self.candidates(schedule.guild_id, deck_id=schedule.deck_id, tag=schedule.tag):
            return None
        tag = f"the tag `{schedule.tag}`" if schedule.tag else None
        if schedule.deck_id is None:
            if not await self.decks_for_guild(schedule.guild_id):
                return "every deck is switched off in this server; /deck enable turns one on"
            if tag:
                return f"no question of the enabled decks has {tag} any more"
            return "the decks enabled in this server have no questions"
        row = await self._fetchone(
            "SELECT d.name, d.removed_at, COALESCE(gd.enabled, 1) FROM decks d "
            "LEFT JOIN guild_decks gd ON gd.deck_id = d.id AND gd.guild_id = ? WHERE d.id = ?",
            (schedule.guild_id, schedule.deck_id),
        )
        if row is None or row[1] is not None:
            name = f" “{escape(row[0])}”" if row is not None else ""
            return f"its deck{name} was removed; choose another with /qotd edit"
        if not row[2]:
            return f"its deck “{escape(row[0])}” is switched off in this server; /deck enable turns it on"
        if tag:
            return f"no question of its deck “{escape(row[0])}” has {tag} any more"
        return f"its deck “{escape(row[0])}” has no questions left"

    async def claimed_slots(self) -> list[Claim]:
        """Slots claimed but not recorded as posted or failed, of every schedule: one removed
        since may have had its message sent, which is still to be found and recorded."""
        rows = await self._fetchall(
            "SELECT s.id, s.schedule_id, s.post_id, s.late, p.question_id, p.number, p.created_at "
            "FROM qotd_slots s "
            "JOIN posts p ON p.id = s.post_id WHERE s.state = 'claimed' ORDER BY s.id"
        )
        out = []
        for r in rows:
            schedule = await self.schedule(r["schedule_id"], removed=True)
            if schedule is not None:
                out.append(
                    Claim(
                        r["id"],
                        schedule,
                        r["post_id"],
                        r["question_id"],
                        r["number"],
                        bool(r["late"]),
                        from_db(r["created_at"]),
                    )
                )
        return out

    async def mark_late(self, claim: Claim) -> None:
        """The claimed slot's post goes out late (its server was down, Discord failing): its
        title says so, and ``/qotd status``."""
        async with self.transaction() as db:
            await db.execute("UPDATE qotd_slots SET late = 1 WHERE id = ?", (claim.slot_id,))
            await db.execute("UPDATE posts SET late = 1 WHERE id = ?", (claim.post_id,))

    async def slot_posted(self, claim: Claim, sent: Sent) -> int | None:
        """Record a sent post. Returns the schedule's previous open post when it closes now:
        one posted while answers went public with the next question (it has no close time),
        whatever the schedule says now, so a post left open by a change of that setting
        still gets its answer. A post of a schedule removed since it was claimed, waiting
        for a next question that will not come, is due to close now."""
        now = self.now_text()
        async with self.transaction() as db:
            await db.execute(
                "UPDATE qotd_slots SET state = 'posted', error = NULL, updated_at = ? WHERE id = ?",
                (now, claim.slot_id),
            )
            await db.execute(
                "UPDATE posts SET message_id = ?, thread_id = ? WHERE id = ?",
                (sent.message_id, sent.thread_id, claim.post_id),
            )
            await db.execute(
                "UPDATE posts SET close_at = ? WHERE id = ? AND close_at IS NULL AND EXISTS "
                "(SELECT 1 FROM qotd_schedules q WHERE q.id = ? AND q.removed_at IS NOT NULL)",
                (now, claim.post_id, claim.schedule.id),
            )
            await db.execute(
                "UPDATE qotd_schedules SET failures = 0, last_error = ? WHERE id = ?",
                (sent.warning, claim.schedule.id),
            )
            async with db.execute(
                f"SELECT id FROM posts WHERE schedule_id = ? AND id <> ? AND {_WAITING_FOR_NEXT} "
                "ORDER BY id DESC",
                (claim.schedule.id, claim.post_id),
            ) as cur:
                rows = list(await cur.fetchall())
            # Due to close now, in this transaction: should the process stop before the
            # caller closes them, the next pass does (see posts_to_close).
            await db.executemany(
                "UPDATE posts SET close_at = ? WHERE id = ?", [(now, r[0]) for r in rows]
            )
        return int(rows[0][0]) if rows else None

    async def slot_failed(
        self, claim: Claim, reason: str, *, permanent: bool, attempt: bool = True
    ) -> bool:
        """Record a failed send. A permanent failure ends the slot, gives its question back to
        the cycle, and counts toward pausing the schedule; returns True when it paused. A
        passing one is tried again, five attempts in all; ``attempt`` False: nothing was
        tried (the server in an outage), the slot only says why it waits."""
        now = self.now_text()
        async with self.transaction() as db:
            if not permanent:
                await db.execute(
                    "UPDATE qotd_slots SET error = ?, attempts = attempts + ?, updated_at = ? "
                    "WHERE id = ?",
                    (reason, int(attempt), now, claim.slot_id),
                )
                async with db.execute(
                    "SELECT attempts FROM qotd_slots WHERE id = ?", (claim.slot_id,)
                ) as cur:
                    row = await cur.fetchone()
                if not attempt or row is None or int(row[0]) < 5:
                    return False
            await db.execute(
                "UPDATE qotd_slots SET state = 'failed', error = ?, updated_at = ? WHERE id = ?",
                (reason, now, claim.slot_id),
            )
            await db.execute("UPDATE posts SET closed_at = ? WHERE id = ?", (now, claim.post_id))
            # The question goes back to its cycle only if this post asked it there first (its
            # row has the post's time): one asked again as the weakest was still asked before.
            await db.execute(
                "DELETE FROM qotd_asked WHERE schedule_id = ? AND question_id = ? AND asked_at = "
                "(SELECT created_at FROM posts WHERE id = ?)",
                (claim.schedule.id, claim.question_id, claim.post_id),
            )
            await db.execute(
                "UPDATE qotd_schedules SET number = number - 1 WHERE id = ? AND number = ?",
                (claim.schedule.id, claim.number),
            )
            # A post that would have started a new cycle started none: the cycle before goes
            # on, so the next question starts it afresh, never with the one that ended it.
            await db.execute(
                "UPDATE qotd_schedules SET cycle = cycle - 1 WHERE id = ? AND cycle > 1 "
                "AND NOT EXISTS (SELECT 1 FROM qotd_asked a WHERE a.schedule_id = ? "
                "AND a.cycle = qotd_schedules.cycle)",
                (claim.schedule.id, claim.schedule.id),
            )
            return await _count_failure(db, claim.schedule.id, reason)

    async def slots(
        self, schedule_id: int, *, states: Sequence[str], limit: int = 10
    ) -> list[SlotRecord]:
        marks = ",".join("?" * len(states))
        rows = await self._fetchall(
            "SELECT s.local_date, s.local_time, s.due_at, s.state, s.late, s.error, s.post_id, p.message_id, "
            "p.number "
            f"FROM qotd_slots s LEFT JOIN posts p ON p.id = s.post_id WHERE s.schedule_id = ? AND s.state IN ({marks}) "
            "ORDER BY s.due_at DESC LIMIT ?",
            (schedule_id, *states, limit),
        )
        return [
            SlotRecord(
                r["local_date"],
                r["local_time"],
                from_db(r["due_at"]),
                r["state"],
                bool(r["late"]),
                r["error"],
                r["post_id"],
                r["message_id"],
                r["number"],
            )
            for r in rows
        ]

    async def progress(self, schedule: ScheduleRow) -> Progress:
        """Questions of this cycle asked, among those the schedule can ask now (a question
        removed, switched off or retagged since it was asked no longer counts)."""
        candidates = {
            c.question_id
            for c in await self.candidates(
                schedule.guild_id, deck_id=schedule.deck_id, tag=schedule.tag
            )
        }
        rows = await self._fetchall(
            "SELECT question_id FROM qotd_asked WHERE schedule_id = ? AND cycle = ?",
            (schedule.id, schedule.cycle),
        )
        asked = sum(1 for r in rows if int(r[0]) in candidates)
        return Progress(asked, len(candidates), schedule.cycle)

    # -- closing -------------------------------------------------------------------------------

    async def posts_to_close(self, now: datetime) -> list[int]:
        rows = await self._fetchall(
            "SELECT id FROM posts WHERE kind = 'qotd' AND closed_at IS NULL AND message_id IS NOT NULL "
            "AND close_at IS NOT NULL AND close_at <= ? ORDER BY id",
            (to_db(now),),
        )
        return [int(r[0]) for r in rows]

    async def next_close_at(self) -> datetime | None:
        row = await self._fetchone(
            "SELECT MIN(close_at) FROM posts WHERE kind = 'qotd' AND closed_at IS NULL AND message_id IS NOT NULL "
            "AND close_at IS NOT NULL"
        )
        return from_db(row[0]) if row and row[0] else None

    async def close_post(self, post_id: int) -> CloseSummary | None:
        """Close a QOTD post once; returns what its closing edit shows, or None if it was
        already closed. The post is left pending until ``close_shown`` (or ``retry_close``):
        a bot that stops before the edit makes it on its next start (``pending_closes``)."""
        now = self.now_text()

        def work(conn: sqlite3.Connection) -> CloseSummary | None:
            cur = conn.execute(
                "UPDATE posts SET closed_at = ?, close_pending = 1 "
                "WHERE id = ? AND closed_at IS NULL",
                (now, post_id),
            )
            if cur.rowcount != 1:
                return None
            return _close_summary(conn, post_id)

        return await self.write(work)

    async def pending_closes(self) -> list[tuple[int, CloseSummary]]:
        """Closed QOTD posts whose closing edit was never made (the bot stopped first), with
        what it shows."""

        def load(conn: sqlite3.Connection) -> list[tuple[int, CloseSummary]]:
            rows = conn.execute(
                "SELECT id FROM posts WHERE close_pending = 1 AND closed_at IS NOT NULL "
                "ORDER BY id"
            ).fetchall()
            return [(int(r[0]), _close_summary(conn, int(r[0]))) for r in rows]

        return await self.read(load)

    async def close_shown(self, post_id: int) -> None:
        """A closed post's closing edit was made, or can never be: nothing is pending."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE posts SET close_pending = 0, close_error = NULL WHERE id = ?", (post_id,)
            )

    async def close_blocked(self, post_id: int, reason: str) -> None:
        """A closed post's closing edit was refused for a permission the bot lost in its
        channel: it waits for ``blocked_closes``, with ``reason`` for /qotd status."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE posts SET close_pending = 2, close_error = ? WHERE id = ?",
                (reason, post_id),
            )

    async def blocked_closes(self, channel_id: int) -> list[tuple[int, CloseSummary]]:
        """Closed posts in the channel whose closing edit was refused (``close_blocked``),
        with what it shows: worth trying again once something posted there."""

        def load(conn: sqlite3.Connection) -> list[tuple[int, CloseSummary]]:
            rows = conn.execute(
                "SELECT id FROM posts WHERE close_pending = 2 AND channel_id = ? ORDER BY id",
                (channel_id,),
            ).fetchall()
            return [(int(r[0]), _close_summary(conn, int(r[0]))) for r in rows]

        return await self.read(load)

    async def hidden_answers(self, schedule_id: int, limit: int = 3) -> list[tuple[int, str]]:
        """The schedule's latest posts whose answer is still hidden because their closing
        edit was refused: (number, why)."""
        rows = await self._fetchall(
            "SELECT p.number, p.close_error FROM posts p JOIN qotd_slots s ON s.post_id = p.id "
            "WHERE s.schedule_id = ? AND p.close_pending = 2 ORDER BY p.id DESC LIMIT ?",
            (schedule_id, limit),
        )
        return [(int(r[0]), r[1] or "") for r in rows]

    async def retry_close(self, post_id: int, at: datetime) -> None:
        """A closed post whose closing edit failed for a while (Discord's 5xx, the network):
        open again until ``at``, when it closes (and is edited) again."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE posts SET closed_at = NULL, close_pending = 0, close_at = ? "
                "WHERE id = ? AND closed_at IS NOT NULL",
                (to_db(at), post_id),
            )

    async def close_at_next_slot(self, schedule_id: int, now: datetime) -> list[int]:
        """The schedule's posts waiting for the next question whose next slot has come,
        whether that slot posted, failed or was missed while the bot was down (a skipped
        slot, or a ``/qotd post-now`` that failed, is no next question): due to close now,
        in this transaction, so that a pass closes them should the caller not. Their ids."""
        now_text = to_db(now)
        # Read first, on the reader: most runs find nothing to close and write nothing. A
        # slot after the post (and not after now) is looked for only for the posts waiting.
        due = await self._fetchall(
            f"SELECT p.id FROM posts p WHERE p.schedule_id = ? AND {_WAITING_FOR_NEXT} "
            "AND EXISTS (SELECT 1 FROM qotd_slots s WHERE s.schedule_id = p.schedule_id "
            "AND s.due_at > p.created_at AND s.due_at <= ? AND s.state <> 'skipped' "
            "AND s.local_time NOT LIKE ?) ORDER BY p.id",
            (schedule_id, now_text, POST_NOW_KEY + "%"),
        )
        if not due:
            return []

        def work(conn: sqlite3.Connection) -> list[int]:
            # Still waiting (a pass may have closed one meanwhile).
            return [
                int(r[0])
                for r in due
                if conn.execute(
                    f"UPDATE posts SET close_at = ? WHERE id = ? AND {_WAITING_FOR_NEXT}",
                    (now_text, r[0]),
                ).rowcount
                == 1
            ]

        return await self.write(work)

    async def posts_waiting_for_next(self, schedule_id: int) -> list[tuple[int, datetime]]:
        """The schedule's posts that show their answer when its next question is due: (id,
        when it was posted)."""
        rows = await self._fetchall(
            f"SELECT id, created_at FROM posts WHERE schedule_id = ? AND {_WAITING_FOR_NEXT} "
            "ORDER BY id",
            (schedule_id,),
        )
        return [(int(r[0]), from_db(r[1])) for r in rows]


async def _carry_skips(
    db: aiosqlite.Connection, schedule_id: int, spec: ScheduleSpec, now: datetime
) -> None:
    """A schedule moved to another time, zone or days keeps the days skipped with ``/qotd
    skip`` that are still to come: its slot on such a date at the new time is skipped too
    (the skip is of that day's question, not of a time that no longer comes)."""
    async with db.execute(
        "SELECT DISTINCT local_date FROM qotd_slots WHERE schedule_id = ? AND state = 'skipped' "
        "AND due_at > ?",
        (schedule_id, to_db(now - timedelta(days=2))),
    ) as cur:
        dates = [date.fromisoformat(r[0]) for r in await cur.fetchall()]
    slots = [s for d in dates if (s := slot_for_date(spec, d)) is not None and s.at_utc > now]
    stamp = to_db(now)
    await db.executemany(
        "INSERT INTO qotd_slots (schedule_id, local_date, local_time, due_at, state, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, 'skipped', ?, ?) "
        "ON CONFLICT (schedule_id, local_date, local_time) DO NOTHING",
        [
            (schedule_id, s.local_date.isoformat(), format_time(s.local_time), to_db(s.at_utc), stamp, stamp)
            for s in slots
        ],
    )


async def _count_failure(db: aiosqlite.Connection, schedule_id: int, reason: str) -> bool:
    await db.execute(
        "UPDATE qotd_schedules SET failures = failures + 1, last_error = ? WHERE id = ?",
        (reason, schedule_id),
    )
    async with db.execute(
        "SELECT failures, paused FROM qotd_schedules WHERE id = ?", (schedule_id,)
    ) as cur:
        row = await cur.fetchone()
    if row is not None and int(row[0]) >= MAX_FAILURES and not row[1]:
        await db.execute(
            "UPDATE qotd_schedules SET paused = 1, pause_reason = ? WHERE id = ?",
            (f"paused after {MAX_FAILURES} failed posts in a row: {reason}", schedule_id),
        )
        return True
    return False


def qotd_days(
    conn: sqlite3.Connection, guild_id: int, zone: ZoneInfo
) -> list[tuple[int, str, bool]]:
    """The server's QOTD posts that reached a channel, oldest first: (post id, the day it is
    of, still open). A post is of its slot's date in its schedule's zone, so a question
    posted late after downtime still counts for the day it was due; a post with no slot is
    of the day it was made, in ``zone`` (the server's)."""
    rows = conn.execute(
        "SELECT p.id, (SELECT MIN(s.local_date) FROM qotd_slots s WHERE s.post_id = p.id), "
        "p.created_at, p.closed_at IS NULL FROM posts p "
        "WHERE p.guild_id = ? AND p.kind = 'qotd' AND p.message_id IS NOT NULL "
        "ORDER BY p.created_at, p.id",
        (guild_id,),
    ).fetchall()
    return [
        (int(r[0]), r[1] or local_day(from_db(r[2]), zone).isoformat(), bool(r[3]))
        for r in rows
    ]


def _close_summary(conn: sqlite3.Connection, post_id: int) -> CloseSummary:
    """What a closed post's closing edit shows, read on ``conn`` (in its thread)."""
    row = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN correct = 1 THEN 1 ELSE 0 END), 0) "
        "FROM attempts WHERE post_id = ?",
        (post_id,),
    ).fetchone()
    answered, right = (int(row[0]), int(row[1])) if row else (0, 0)
    return CloseSummary(answered, right, _kept_streak(conn, post_id))


def _kept_streak(conn: sqlite3.Connection, post_id: int) -> int:
    """Members who answered this post and a QOTD post of the server's QOTD day before its
    own (with several schedules, any of that day's questions)."""
    row = conn.execute("SELECT guild_id FROM posts WHERE id = ?", (post_id,)).fetchone()
    if row is None:
        return 0
    guild_id = int(row[0])
    days = qotd_days(conn, guild_id, settings_in(conn, guild_id).zone)
    day = next((d for p, d, _ in days if p == post_id), None)
    before = [d for _, d, _ in days if day is not None and d < day]
    if not before:
        return 0
    previous = [p for p, d, _ in days if d == max(before)]
    # Answers given once a question had closed (its answer public) keep no streak.
    kept = conn.execute(
        "SELECT COUNT(DISTINCT a.user_id) FROM attempts a JOIN posts pa ON pa.id = a.post_id "
        "WHERE a.post_id = ? AND (pa.closed_at IS NULL OR a.created_at <= pa.closed_at) "
        "AND EXISTS (SELECT 1 FROM attempts b JOIN posts pb ON pb.id = b.post_id "
        "WHERE b.user_id = a.user_id AND b.post_id IN ("
        + ", ".join("?" * len(previous))
        + ") AND (pb.closed_at IS NULL OR b.created_at <= pb.closed_at))",
        (post_id, *previous),
    ).fetchone()
    return int(kept[0]) if kept else 0
