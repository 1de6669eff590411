"""Question of the day: choosing questions, handling slots exactly once, closing posts.

The database is the source of truth. A slot (schedule, local date, local time) gets one row,
claimed before anything is sent; the message carries the post id in its buttons, so a crash
between sending and recording is reconciled by looking for that message, not guessed.
Discord is reached only through the ``Publisher`` protocol (implemented in the cog).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock
from bot.errors import UserError
from bot.schedule import (
    ScheduleSpec,
    Slot,
    catch_up,
    day_start_utc,
    local_day,
    next_slot,
    slot_for_date,
)
from bot.text import count

log = logging.getLogger("bot.qotd")

#: a slot posted later than this after its time is marked late
LATE_AFTER = timedelta(minutes=2)
#: failed slots in a row before a schedule pauses itself
MAX_FAILURES = 3
#: how soon an uncertain send (network, 5xx) is retried
RETRY_AFTER = timedelta(seconds=60)
#: a job whose run failed (the database busy with another program, say) runs again this
#: long after, then twice as long after each further failure in a row, up to RUN_RETRY_MAX
RUN_RETRY = timedelta(seconds=5)
RUN_RETRY_MAX = timedelta(minutes=5)
#: requests a second question-of-the-day posting takes of Discord's global 50 (interaction
#: responses are not counted by Discord); with ``REST_CATCH_UP`` no second holds more than
#: 49 of them, leaving room for the rest of the bot's requests
REST_RATE = 45.0
#: calls the pacer lets go early to make up for a stalled event loop
REST_CATCH_UP = 3


# -- pure rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    question_id: int
    new_cycle: bool


def choose_next(
    candidates: Sequence[int],
    asked_this_cycle: set[int],
    last_asked: int | None,
    rng: random.Random,
) -> Choice | None:
    """The next question of a schedule.

    No question repeats until every candidate was asked in this cycle; then a new cycle
    starts, in a fresh random order, and never with the question that ended the last one
    (unless it is the only one). Questions added mid-cycle are simply not asked yet, so
    they join the cycle.
    """
    if not candidates:
        return None
    remaining = [q for q in candidates if q not in asked_this_cycle]
    if remaining:
        return Choice(rng.choice(remaining), False)
    fresh = [q for q in candidates if q != last_asked] or list(candidates)
    return Choice(rng.choice(fresh), True)


#: the longest ``answer_after`` delay a schedule may have
ANSWER_AFTER_MAX_DAYS = 7

_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$", re.IGNORECASE)


def parse_answer_after(text: str | None) -> int | None:
    """Minutes after posting when the answer goes public; None means "when the next question
    is due" (at the schedule's next slot, whether or not it posts). Accepts ``next``,
    ``30m``, ``12h``, ``1d``."""
    if text is None or text.strip().lower() in ("", "next", "next question"):
        return None
    m = _DURATION.match(text)
    if not m:
        raise UserError(
            "answer_after must be `next` (when the next question is due) or a duration "
            "such as `30m`, `12h` or `1d`."
        )
    minutes = int(m.group(1)) * {"m": 1, "h": 60, "d": 1440}[m.group(2).lower()]
    if not 1 <= minutes <= ANSWER_AFTER_MAX_DAYS * 1440:
        raise UserError(f"answer_after must be between 1 minute and {ANSWER_AFTER_MAX_DAYS} days.")
    return minutes


#: the start of the key a ``/qotd post-now`` slot has in place of its local time
POST_NOW_KEY = "now:"


def slot_time_text(key: str, due_at: datetime, zone: tzinfo) -> str:
    """A slot's time as a moderator reads it: its ``HH:MM``, or for a post-now slot (whose
    key carries the command's id) the local time it was asked for."""
    if key.startswith(POST_NOW_KEY):
        return f"{due_at.astimezone(zone):%H:%M} (post-now)"
    return key


def today_utc(spec: ScheduleSpec, now: datetime) -> tuple[datetime, datetime]:
    """The UTC bounds ``[start, end)`` of today in the schedule's zone."""
    today = local_day(now, spec.tz)
    return day_start_utc(today, spec.tz), day_start_utc(today + timedelta(days=1), spec.tz)


def checked_until_after_setup(spec: ScheduleSpec, now: datetime, posted_today: bool) -> datetime:
    """Where a schedule set up again (perhaps at another time) takes up its slots: from now,
    but a question of the day is once a day, so when the schedule has already posted today
    its slot today at the new time counts as done (``/qotd post-now`` posts an extra one)."""
    if posted_today:
        slot = slot_for_date(spec, local_day(now, spec.tz))
        if slot is not None and slot.at_utc > now:
            return slot.at_utc
    return now


def describe_answer_after(minutes: int | None) -> str:
    if minutes is None:
        return "when the next question is due"
    if minutes % 1440 == 0:
        return f"{count(minutes // 1440, 'day')} after posting"
    return f"{_span(minutes)} after posting"


def _span(minutes: int) -> str:
    """A span in words, in whole hours when it is some: "6 hours", "90 minutes"."""
    return count(minutes // 60, "hour") if minutes % 60 == 0 else count(minutes, "minute")


# -- what the engine works with -----------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleSettings:
    """What a schedule is set to (not its state: paused, numbering, slots), as ``/qotd
    setup`` and ``/qotd edit`` set it."""

    spec: ScheduleSpec
    deck_id: int | None
    tag: str | None
    ping_role_id: int | None
    thread: bool
    answer_after_minutes: int | None
    pick: str


@dataclass(frozen=True)
class ScheduleRow:
    id: int
    guild_id: int
    channel_id: int
    spec: ScheduleSpec
    deck_id: int | None
    tag: str | None
    ping_role_id: int | None
    thread: bool
    answer_after_minutes: int | None
    paused: bool
    pause_reason: str | None
    failures: int
    last_error: str | None
    cycle: int
    number: int
    checked_until: datetime
    created_at: datetime
    pick: str = "cycle"  # or "weakest": the group's weakest question
    #: removed by a moderator: it posts nothing more (read only for its slots still claimed)
    removed: bool = False

    @property
    def settings(self) -> ScheduleSettings:
        return ScheduleSettings(
            spec=self.spec,
            deck_id=self.deck_id,
            tag=self.tag,
            ping_role_id=self.ping_role_id,
            thread=self.thread,
            answer_after_minutes=self.answer_after_minutes,
            pick=self.pick,
        )


@dataclass(frozen=True)
class Claim:
    """A slot claimed for posting: its post row exists, its message may not yet."""

    slot_id: int
    schedule: ScheduleRow
    post_id: int
    question_id: int
    number: int
    late: bool
    #: when the slot was claimed: its message, if sent, is among the channel's first after it
    claimed_at: datetime | None = None


@dataclass(frozen=True)
class Sent:
    message_id: int
    thread_id: int | None
    warning: str | None = None


class PublishError(Exception):
    """Posting failed. ``permanent``: the channel is gone or the bot may not post there;
    otherwise the outcome is uncertain and the slot is retried after reconciling.
    ``outage``: the server is unavailable on Discord, so nothing was tried: the slot waits
    for it, without counting an attempt, up to the grace for late posts."""

    def __init__(self, reason: str, *, permanent: bool, outage: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent and not outage
        self.outage = outage


@dataclass(frozen=True)
class CloseSummary:
    answered: int
    right: int
    kept_streak: int


class Publisher(Protocol):
    async def send(self, claim: Claim) -> Sent: ...

    async def find(self, claim: Claim, since: datetime) -> Sent | None:
        """The claimed post's message if it was sent after ``since``, with its thread."""
        ...

    async def close(self, post_id: int, summary: CloseSummary) -> None: ...


class QotdStoreLike(Protocol):
    """What the engine needs from storage (``bot.store.Store`` provides it)."""

    async def active_schedules(self) -> list[ScheduleRow]: ...

    async def schedule(self, schedule_id: int) -> ScheduleRow | None: ...

    async def slot_state(self, schedule_id: int, slot: Slot) -> tuple[int, str] | None: ...

    async def record_slots(self, schedule_id: int, slots: Sequence[Slot], state: str) -> None: ...

    async def claim_slot(
        self,
        schedule: ScheduleRow,
        slot: Slot,
        *,
        late: bool,
        rng: random.Random,
        key_time: str | None = None,
        escape: Callable[[str], str] = str,
    ) -> Claim | None: ...

    async def claimed_slots(self) -> list[Claim]: ...

    async def slot_posted(self, claim: Claim, sent: Sent) -> int | None: ...

    async def mark_late(self, claim: Claim) -> None: ...

    async def slot_failed(
        self, claim: Claim, reason: str, *, permanent: bool, attempt: bool = True
    ) -> bool: ...

    async def set_checked_until(self, schedule_id: int, when: datetime) -> None: ...

    async def posts_to_close(self, now: datetime) -> list[int]: ...

    async def close_post(self, post_id: int) -> CloseSummary | None: ...

    async def retry_close(self, post_id: int, at: datetime) -> None: ...

    async def pending_closes(self) -> list[tuple[int, CloseSummary]]: ...

    async def close_shown(self, post_id: int) -> None: ...

    async def close_blocked(self, post_id: int, reason: str) -> None: ...

    async def blocked_closes(self, channel_id: int) -> list[tuple[int, CloseSummary]]: ...

    async def next_close_at(self) -> datetime | None: ...

    async def posts_waiting_for_next(self, schedule_id: int) -> list[tuple[int, datetime]]: ...

    async def close_at_next_slot(self, schedule_id: int, now: datetime) -> list[int]: ...


# -- the engine ---------------------------------------------------------------------------------


class Pacer:
    """Spaces calls ``1 / rate`` seconds apart, in arrival order.

    Calls keep to a fixed grid, so time lost oversleeping is not lost throughput. After a
    stall (a busy event loop) up to ``catch_up`` calls go early to regain the time, never
    more: no one-second window holds more than ``rate + catch_up + 1`` calls. Firing
    thousands of requests and letting Discord's 429s sort them out instead costs retries
    (each 429 counts toward the invalid-request ban) and, in discord.py, requests that give
    up after five 429s in a row.
    """

    def __init__(self, rate: float, *, catch_up: int = REST_CATCH_UP):
        if rate <= 0 or catch_up < 0:
            raise ValueError("rate must be positive and catch_up not negative")
        self.interval = 1.0 / rate
        self.catch_up = catch_up
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            now = loop.time()
            if self._next > now:
                await asyncio.sleep(self._next - now)
                now = loop.time()
            self._next = max(self._next, now - self.catch_up * self.interval) + self.interval


class PassLock:
    """Many schedule runs at once (shared), or one whole pass alone (exclusive).

    A whole pass reconciles slots that are claimed but not recorded as posted; it must not
    run while a send is in flight, or it would take that send for a lost one and post again.
    A waiting whole pass goes before shared runs that arrive after it.
    """

    def __init__(self) -> None:
        self._shared = 0
        self._exclusive = False
        self._waiting = 0
        self._changed = asyncio.Condition()

    @property
    def held(self) -> bool:
        """A whole pass runs or waits: shared runs arriving now wait for it."""
        return self._exclusive or bool(self._waiting)

    @contextlib.asynccontextmanager
    async def shared(self) -> AsyncIterator[None]:
        async with self._changed:
            await self._changed.wait_for(lambda: not self._exclusive and not self._waiting)
            self._shared += 1
        try:
            yield
        finally:
            async with self._changed:
                self._shared -= 1
                self._changed.notify_all()

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        async with self._changed:
            self._waiting += 1
            try:
                await self._changed.wait_for(lambda: not self._exclusive and not self._shared)
            finally:
                self._waiting -= 1
            self._exclusive = True
        try:
            yield
        finally:
            async with self._changed:
                self._exclusive = False
                self._changed.notify_all()


class QotdEngine:
    """Posts due slots, catches up after downtime, closes posts. ``tick()`` does everything
    that is due now; the scheduler calls it at the right times, tests call it directly."""

    def __init__(
        self,
        store: QotdStoreLike,
        publisher: Publisher,
        clock: Clock,
        *,
        grace: timedelta = timedelta(hours=6),
        rng: random.Random | None = None,
        concurrency: int = 50,
        run_retry: timedelta = RUN_RETRY,
        escape: Callable[[str], str] = str,
    ):
        self.store = store
        #: how a name a moderator chose (a deck's) reads in the reasons recorded for them
        self.escape = escape
        self.publisher = publisher
        self.clock = clock
        self.grace = grace
        self.rng = rng or random.Random()
        self._pass = PassLock()
        self._limit = asyncio.Semaphore(concurrency)
        #: per schedule: a lock and how many runs hold or wait for it
        self._turns: dict[int, tuple[asyncio.Lock, list[int]]] = {}
        self.scheduler: AsyncIOScheduler | None = None
        self._rebuild_all = False
        self._rebuild_ids: set[int] = set()
        self._rebuilder: asyncio.Task[None] | None = None
        #: a send failed in a way that is retried: the next update looks for claimed slots
        self._retry_due = False
        self.run_retry = run_retry
        #: job id -> (its runs failed in a row, when it may run again)
        self._held: dict[str, tuple[int, datetime]] = {}

    @property
    def post_grace(self) -> timedelta:
        """How late a slot may still post. A slot's own run comes a moment after its time:
        whatever the grace for downtime (even none), a slot up to LATE_AFTER old is on time,
        not missed."""
        return max(self.grace, LATE_AFTER)

    # -- the whole pass ------------------------------------------------------------------------

    async def tick(self) -> None:
        """Reconcile uncertain sends, show the answers of questions closed as the bot
        stopped, post every due slot, close what is due. A pass that fails raises, and the
        close job, which runs it, waits a little before the next."""
        try:
            async with self._pass.exclusive():
                now = self.clock.now()
                for claim in await self.store.claimed_slots():
                    await self._reconcile(claim, now)
                # Closed just as the bot stopped, before their answer was made public. One
                # that fails in an unforeseen way stays pending, and must not hold up the rest.
                for post_id, summary in await self.store.pending_closes():
                    try:
                        await self._show_closed(post_id, summary)
                    except Exception:
                        log.exception(
                            "could not show the answer of post %s; trying again next pass",
                            post_id,
                        )
                schedules = await self.store.active_schedules()
                await asyncio.gather(
                    *(self._run_limited(s, now) for s in schedules if not s.paused)
                )
                await self._close_due(now)
                for schedule in schedules:
                    if schedule.paused:
                        await self._close_paused(schedule, now)
        except Exception:
            self._failed(CLOSE_JOB)
            raise
        else:
            self._succeeded(CLOSE_JOB)
        finally:
            self.reschedule()

    async def run_one(self, schedule_id: int) -> None:
        """Handle one schedule now (its scheduler job). Jobs of different schedules run
        side by side, at most ``concurrency`` at a time; closing is the close job's work,
        but for a paused schedule's question waiting for a next one that will not come."""
        async with self._pass.shared(), self._turn(schedule_id), self._limit:
            now = self.clock.now()
            schedule = await self.store.schedule(schedule_id)
            if schedule is not None and not schedule.paused:
                await self._run_schedule(schedule, now)
            elif schedule is not None:
                await self._close_paused(schedule, now)
        self.reschedule(schedule_id)

    @contextlib.asynccontextmanager
    async def _turn(self, schedule_id: int) -> AsyncIterator[None]:
        """One run of a schedule at a time."""
        lock, users = self._turns.setdefault(schedule_id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                del self._turns[schedule_id]

    @contextlib.asynccontextmanager
    async def holding(
        self,
        schedule_id: int | None,
        *,
        waiting: Callable[[], Awaitable[None]] | None = None,
    ) -> AsyncIterator[None]:
        """Hold a schedule while a moderator's command changes it: none of its runs and no
        whole pass goes on meanwhile, so no run reads the schedule before the change and
        claims its slot after it (two questions in one day, or a change lost). ``waiting``
        is awaited first when a run or pass is under way (a command defers its reply).
        With ``schedule_id`` None (a schedule being created) only whole passes are held."""
        busy = self._pass.held or (schedule_id is not None and schedule_id in self._turns)
        if busy and waiting is not None:
            await waiting()
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(self._pass.shared())
            if schedule_id is not None:
                await stack.enter_async_context(self._turn(schedule_id))
            yield

    async def run_due(
        self,
        schedule: ScheduleRow,
        *,
        waiting: Callable[[], Awaitable[None]] | None = None,
    ) -> list[tuple[Slot, str]]:
        """Handle the schedule's slots come since it last ran (its run a moment late, held
        after failing, or the start-up pass not done yet) before a change of when it posts
        passes them over: the latest posts late within the grace, older ones are recorded
        missed, as after downtime. For a caller ``holding`` the schedule; ``waiting`` is
        awaited first when there is such a slot. Returns the slots handled with their state
        ('posted', 'claimed' while Discord has not confirmed it, 'failed' or 'missed'); a
        run that fails is a UserError, and the change should not be made."""
        now = self.clock.now()
        if schedule.paused:
            return []
        plan = catch_up(schedule.spec, schedule.checked_until, now, self.post_grace)
        due = [
            slot
            for slot in [*plan.missed, *([plan.post_late] if plan.post_late else [])]
            if await self.store.slot_state(schedule.id, slot) is None
        ]
        if not due:
            return []
        if waiting is not None:
            await waiting()
        async with self._limit:
            ran = await self._run_schedule(schedule, now)
        if not ran:
            raise UserError(
                f"Schedule #{schedule.id} has a question due that could not be handled just "
                "now, so nothing was changed. Please try again in a moment."
            )
        out = []
        for slot in due:
            state = await self.store.slot_state(schedule.id, slot)
            if state is not None:
                out.append((slot, state[1]))
        return out

    async def _run_limited(self, schedule: ScheduleRow, now: datetime) -> None:
        async with self._limit:
            await self._run_schedule(schedule, now)

    async def _run_schedule(self, schedule: ScheduleRow, now: datetime) -> bool:
        """Post the schedule's due slot, if any (the caller holds a ``_limit`` place).
        False when the run failed (logged; its job waits before the next)."""
        try:
            plan = catch_up(schedule.spec, schedule.checked_until, now, self.post_grace)
            if plan.missed:
                await self.store.record_slots(schedule.id, plan.missed, "missed")
                log.info(
                    "schedule %s: %s missed while down", schedule.id, count(len(plan.missed), "slot")
                )
            if plan.post_late is not None:
                late = now - plan.post_late.at_utc > LATE_AFTER
                await self._post(schedule, plan.post_late, late=late)
            # The day is over for a question waiting for the next one once that one's slot
            # has come, posted or not (failed, missed while down): its answer goes public.
            for post_id in await self.store.close_at_next_slot(schedule.id, now):
                await self._close(post_id)
            await self.store.set_checked_until(schedule.id, now)
        except Exception:
            wait = self._failed(_job_id(schedule.id))
            log.exception("schedule %s failed to run; trying again in %s", schedule.id, wait)
            return False
        self._succeeded(_job_id(schedule.id))
        return True

    async def _post(
        self, schedule: ScheduleRow, slot: Slot, *, late: bool, key_time: str | None = None
    ) -> Claim | None:
        claim = await self.store.claim_slot(
            schedule, slot, late=late, rng=self.rng, key_time=key_time, escape=self.escape
        )
        if claim is None:
            return None
        await self._send(claim)
        return claim

    async def _send(self, claim: Claim) -> None:
        if not claim.late and claim.claimed_at is not None:
            if self.clock.now() - claim.claimed_at > LATE_AFTER:
                # Tried again until its server was back, or Discord took it: it is late now.
                await self.store.mark_late(claim)
                claim = dataclasses.replace(claim, late=True)
        try:
            sent = await self.publisher.send(claim)
        except PublishError as exc:
            paused = await self._send_failed(claim, exc)
            if paused:
                log.warning(
                    "schedule %s paused after %d failed slots", claim.schedule.id, MAX_FAILURES
                )
            return
        previous = await self.store.slot_posted(claim, sent)
        await self._posted_in(claim.schedule.channel_id)
        if previous is not None:
            await self._close(previous)

    async def _reconcile(self, claim: Claim, now: datetime) -> None:
        """A slot claimed but not recorded as posted: find its message, or send it (unless
        its schedule was removed meanwhile: then the slot ends unposted)."""
        # The message was sent just after the claim: looking from the claim on, it is among
        # the first messages even in a busy channel (a search from a day before was not).
        created = claim.claimed_at or claim.schedule.checked_until - timedelta(days=1)
        try:
            found = await self.publisher.find(claim, created)
        except PublishError as exc:
            await self._send_failed(claim, exc)
            return
        if found is not None:
            previous = await self.store.slot_posted(claim, found)
            await self._posted_in(claim.schedule.channel_id)
            if previous is not None:
                await self._close(previous)
            return
        if claim.schedule.removed:
            await self.store.slot_failed(
                claim, "the schedule was removed before its post went out", permanent=True
            )
            return
        await self._send(claim)

    async def _send_failed(self, claim: Claim, exc: PublishError) -> bool:
        """Record a failed send or search; True when the schedule paused. A slot whose server
        is in an outage waits for it, tried again as an uncertain send is, up to the grace
        for late posts after it was claimed; then it fails, saying so."""
        reason, permanent, attempt = exc.reason, exc.permanent, True
        if exc.outage:
            waited = self.clock.now() - (claim.claimed_at or self.clock.now())
            limit = self.post_grace
            if waited <= limit:
                attempt = False
            else:
                minutes = round(limit.total_seconds() / 60)
                reason = f"the server was unavailable on Discord (an outage) for over {_span(minutes)}"
                permanent = True
        paused = await self.store.slot_failed(claim, reason, permanent=permanent, attempt=attempt)
        self._retry_due = self._retry_due or not permanent
        if attempt:
            log.warning("schedule %s slot %s: %s", claim.schedule.id, claim.slot_id, reason)
        else:
            log.info("schedule %s slot %s waits: %s", claim.schedule.id, claim.slot_id, reason)
        return paused

    async def _close_due(self, now: datetime) -> None:
        for post_id in await self.store.posts_to_close(now):
            await self._close(post_id)

    async def paused_close_at(self, schedule: ScheduleRow) -> datetime | None:
        """When a paused schedule's open question shows its answer, if it waits for the next
        question to do so (None when it has no such question). A paused schedule posts
        nothing: the question closes when its next one would have been posted, at the
        first slot after the schedule last ran, and after the question was posted (one
        posted with ``/qotd post-now`` during the pause), that is not recorded (skipped, say)."""
        closes = await self._paused_closes(schedule)
        return min((when for _, when in closes), default=None)

    async def _paused_closes(self, schedule: ScheduleRow) -> list[tuple[int, datetime]]:
        """A paused schedule's posts waiting for a next question, each with when it is due."""
        out = []
        for post_id, posted_at in await self.store.posts_waiting_for_next(schedule.id):
            after = max(schedule.checked_until, posted_at)
            out.append((post_id, (await self._open_slot_after(schedule, after)).at_utc))
        return out

    async def _close_paused(self, schedule: ScheduleRow, now: datetime) -> None:
        """Close a paused schedule's questions waiting for a next one, once it is due."""
        try:
            for post_id, when in await self._paused_closes(schedule):
                if when <= now:
                    await self._close(post_id)
        except Exception:
            wait = self._failed(_job_id(schedule.id))
            log.exception(
                "schedule %s: could not close its open question; trying again in %s",
                schedule.id, wait,
            )
        else:
            self._succeeded(_job_id(schedule.id))

    def _failed(self, job_id: str) -> timedelta:
        """A run of job ``job_id`` failed: how long it waits before the next (see
        ``RUN_RETRY``)."""
        failures = self._held[job_id][0] + 1 if job_id in self._held else 1
        wait = min(self.run_retry * 2 ** min(failures - 1, 16), RUN_RETRY_MAX)
        self._held[job_id] = (failures, self.clock.now() + wait)
        return wait

    def _succeeded(self, job_id: str) -> None:
        self._held.pop(job_id, None)

    def _not_before(self, job_id: str, when: datetime) -> datetime:
        """When job ``job_id`` is to run: at ``when``, unless it is waiting after failing."""
        held = self._held.get(job_id)
        return when if held is None else max(when, held[1])

    async def _close(self, post_id: int) -> None:
        summary = await self.store.close_post(post_id)
        if summary is not None:
            await self._show_closed(post_id, summary)

    async def _show_closed(self, post_id: int, summary: CloseSummary) -> None:
        """Make a closed post's answer public on its message (its closing edit)."""
        try:
            await self.publisher.close(post_id, summary)
        except PublishError as exc:
            level = logging.INFO if exc.outage else logging.WARNING
            log.log(level, "could not show the answer of post %s: %s", post_id, exc.reason)
            if not exc.permanent:
                # Discord's trouble, not the post's: it closes again, and is edited then.
                await self.store.retry_close(post_id, self.clock.now() + RETRY_AFTER)
                self.reschedule()
            else:
                # A permission lost in the channel: tried again once a post there succeeds.
                await self.store.close_blocked(post_id, exc.reason)
            return
        await self.store.close_shown(post_id)

    async def _posted_in(self, channel_id: int) -> None:
        """A question just posted in the channel: the bot can reach it again, so answers
        refused there for a lost permission are shown now. One that fails in an unforeseen
        way must not undo the post's own bookkeeping."""
        for post_id, summary in await self.store.blocked_closes(channel_id):
            try:
                await self._show_closed(post_id, summary)
            except Exception:
                log.exception("could not show the answer of post %s", post_id)

    # -- commands -------------------------------------------------------------------------------

    async def post_now(self, schedule_id: int, key: str) -> Claim | None:
        """Post the schedule's next question at once, outside its slots. ``key`` makes a
        retried command post once."""
        async with self._pass.shared(), self._turn(schedule_id):
            schedule = await self.store.schedule(schedule_id)
            if schedule is None:
                raise UserError("That schedule no longer exists.")
            now = self.clock.now()
            local = now.astimezone(schedule.spec.tz)
            slot = Slot(
                local_date=local.date(), local_time=local.time().replace(tzinfo=None), at_utc=now
            )
            claim = await self._post(schedule, slot, late=False, key_time=f"{POST_NOW_KEY}{key}")
        self.reschedule(schedule_id)
        return claim

    async def next_post(self, schedule: ScheduleRow) -> Slot:
        """The next slot that will really post: slots already recorded (skipped) are passed.
        A slot whose time has come but that has not run yet (its run a moment late, tried
        again, or waiting out an outage) and that will still post late is that slot: its
        ``at_utc`` is then not after now."""
        now = self.clock.now()
        due = catch_up(schedule.spec, schedule.checked_until, now, self.post_grace).post_late
        if due is not None and await self.store.slot_state(schedule.id, due) is None:
            return due
        return await self._open_slot_after(schedule, max(now, schedule.checked_until))

    async def _next_run(self, schedule: ScheduleRow) -> datetime:
        """When the schedule's job runs: at its first unrecorded slot after the time it was
        last handled. A slot that came between then and now (a pass that ran just before
        the slot, jobs rebuilt just after it) runs at once rather than being passed over;
        the run itself decides whether it posts late or is recorded missed."""
        slot = await self._open_slot_after(schedule, schedule.checked_until)
        return max(slot.at_utc, self.clock.now())

    async def _open_slot_after(self, schedule: ScheduleRow, after: datetime) -> Slot:
        """The schedule's first slot after ``after`` with nothing recorded for it (looking
        at most 400 slots ahead)."""
        slot = next_slot(schedule.spec, after)
        for _ in range(400):
            if await self.store.slot_state(schedule.id, slot) is None:
                return slot
            slot = next_slot(schedule.spec, slot.at_utc)
        return slot

    # -- scheduler ------------------------------------------------------------------------------

    def start_scheduler(self) -> None:
        """Run ticks at the right times with APScheduler. Jobs are rebuilt from the database:
        one date job per schedule at its next slot (computed by ``next_slot``, which keeps
        local time across DST where cron triggers drift), and one for the next close."""
        if self.scheduler is None:
            self.scheduler = AsyncIOScheduler(timezone="UTC")
            self.scheduler.start()
        self.reschedule()

    async def stop_scheduler(self) -> None:
        """Stop taking jobs, let a pass in progress finish (briefly), then shut down."""
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is None:
            return
        scheduler.pause()
        try:
            async with asyncio.timeout(10):
                async with self._pass.exclusive():
                    pass
        except TimeoutError:
            log.warning("a question-of-the-day pass was still running at shutdown")
        scheduler.shutdown(wait=False)
        rebuilder, self._rebuilder = self._rebuilder, None
        self._rebuild_all, self._rebuild_ids = False, set()
        if rebuilder is not None and not rebuilder.done():
            rebuilder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await rebuilder

    async def _job(self, schedule_id: int | None) -> None:
        """A scheduler job. Cancelled at shutdown it stops quietly: whatever it had claimed
        is reconciled at the next start."""
        try:
            if schedule_id is None:
                await self.tick()
            else:
                await self.run_one(schedule_id)
        except asyncio.CancelledError:
            log.info("question-of-the-day job stopped by shutdown")

    def _wall_shift(self) -> timedelta:
        """Wall time minus the engine's clock: jobs run on the wall clock, slots are in the
        clock's time. Zero for the system clock (a few microseconds, rounding late)."""
        clock_now = self.clock.now()
        return datetime.now(UTC) - clock_now

    def reschedule(self, schedule_id: int | None = None) -> None:
        """Bring the jobs up to date: one schedule's (and the close and retry jobs), or all.
        Requests made while an update runs are merged into one more update after it."""
        if self.scheduler is None:
            return
        if schedule_id is None:
            self._rebuild_all = True
        else:
            self._rebuild_ids.add(schedule_id)
        if self._rebuilder is None or self._rebuilder.done():
            self._rebuilder = asyncio.get_running_loop().create_task(
                self._rebuild_pending(), name="qotd-rebuild"
            )

    async def _rebuild_pending(self) -> None:
        while self._rebuild_all or self._rebuild_ids:
            if self._rebuild_all:
                self._rebuild_all = False
                self._rebuild_ids.clear()
                await self._rebuild(None)
            else:
                ids, self._rebuild_ids = self._rebuild_ids, set()
                await self._rebuild(ids)

    async def _rebuild(self, ids: set[int] | None) -> None:
        """Jobs from the database: for the schedules in ``ids`` (all when None), then the
        close and retry jobs."""
        scheduler = self.scheduler
        if scheduler is None:
            return
        try:
            if ids is None or len(ids) > 20:
                rows = await self.store.active_schedules()
                schedules = {s.id: s for s in rows if ids is None or s.id in ids}
            else:
                schedules = {}
                for sid in ids:
                    row = await self.store.schedule(sid)
                    if row is not None:
                        schedules[row.id] = row
            wanted: dict[str, tuple[datetime, int | None]] = {}
            for schedule in schedules.values():
                job_id = _job_id(schedule.id)
                if not schedule.paused:
                    wanted[job_id] = (
                        self._not_before(job_id, await self._next_run(schedule)),
                        schedule.id,
                    )
                elif (close_at := await self.paused_close_at(schedule)) is not None:
                    # Paused, its job only shows the open question's answer.
                    wanted[job_id] = (
                        self._not_before(job_id, max(close_at, self.clock.now())),
                        schedule.id,
                    )
            close_at = await self.store.next_close_at()
            if close_at is not None:
                wanted[CLOSE_JOB] = (self._not_before(CLOSE_JOB, close_at), None)
            considered = {CLOSE_JOB}
            if ids is None or self._retry_due:
                self._retry_due = False
                considered.add("qotd-retry")
                if await self.store.claimed_slots():
                    wanted["qotd-retry"] = (self.clock.now() + RETRY_AFTER, None)
            if ids is None:
                stale = [job.id for job in scheduler.get_jobs() if job.id not in wanted]
                # a removed schedule's failures are forgotten
                self._held = {k: v for k, v in self._held.items() if k in wanted}
            else:
                considered |= {_job_id(i) for i in ids}
                stale = [job_id for job_id in considered if job_id not in wanted]
            for job_id in stale:
                if scheduler.get_job(job_id) is not None:
                    scheduler.remove_job(job_id)
            shift = self._wall_shift()
            for job_id, (when, schedule_id) in wanted.items():
                scheduler.add_job(
                    self._job,
                    trigger=DateTrigger(run_date=when + shift),
                    args=(schedule_id,),
                    id=job_id,
                    replace_existing=True,
                    # Always run, however late (a host asleep, a busy loop): the run itself
                    # posts late or records the slot missed, and sets the next job. A job
                    # APScheduler dropped as too late would leave its schedule with none.
                    misfire_grace_time=None,
                    coalesce=True,
                )
        except Exception:
            log.exception("could not rebuild the question-of-the-day jobs")


def _job_id(schedule_id: int) -> str:
    return f"qotd-{schedule_id}"


#: the job that closes questions whose answer is due (it runs a whole pass, ``tick``)
CLOSE_JOB = "qotd-close"


__all__ = [
    "POST_NOW_KEY",
    "Choice",
    "Claim",
    "CloseSummary",
    "Pacer",
    "PublishError",
    "Publisher",
    "QotdEngine",
    "ScheduleRow",
    "Sent",
    "choose_next",
    "describe_answer_after",
    "parse_answer_after",
    "slot_time_text",
]
