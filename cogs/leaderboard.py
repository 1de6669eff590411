"""/leaderboard: who is learning, week by week; and the moderators' season reset.

Page buttons are DynamicItems whose custom_id carries the server, board, period key, target
page (My rank: the page shown; it finds the clicker's at the click) and the member the board
was drawn for; every click re-reads the database, so the buttons work after restarts and
never show stale points as current.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from datetime import date
from typing import Any, NamedTuple

import discord
from discord import app_commands
from discord.ext import commands
from discord.http import handle_message_parameters

from bot.client import RecallBot
from bot.errors import UserError
from bot.leaderboard import (
    BOARD_NAMES,
    PAGE_SIZE,
    PERIOD_KEY_PATTERN,
    PeriodChoice,
    page_count,
    page_of_rank,
    period_ended,
    period_key,
    period_title,
    valid_period_key,
)
from bot.schedule import local_day
from bot.store import ShownMessage, Store, StoreError
from bot.text import count, grouped
from cogs import ui
from cogs.checks import ensure_moderator, moderator_only, shown_only_to_you
from cogs.quiz import handled
from cogs.threads import ThreadStaysArchived, edit_reopening_thread

log = logging.getLogger(__name__)

TIE_NOTE = "Equal points: who reached them first ranks higher."

#: the period option's values (as Discord sends them) and the periods they name
PERIOD_OF: dict[str, PeriodChoice] = {"week": "week", "month": "month", "all time": "all"}

#: what puts a member on each board, for an empty one
FIRST_POINTS: dict[str, str] = {
    "all": "Answer a `/quiz` or the question of the day",
    "quiz": "Answer a `/quiz`",
    "qotd": "Answer the question of the day",
}


def escape(name: str) -> str:
    """A member's name as a board or /stats shows it (see :func:`cogs.ui.name`)."""
    return ui.name(name) or "(unknown)"


def points_text(points: int) -> str:
    return count(points, "point")


class BoardMessage(NamedTuple):
    embed: discord.Embed
    view: discord.ui.View
    #: the message must be ephemeral
    private: bool
    #: the members the message names: those on the page, and the asker at its foot
    named: frozenset[int]
    #: the page drawn
    page: int


async def board_message(
    store: Store,
    guild_id: int,
    board: str,
    key: str,
    page: int | None,
    asker_id: int,
    asker_name: str,
    today: date,
    *,
    private: bool = False,
    redraw: bool = False,
) -> BoardMessage:
    """The embed and buttons for one page of a board, read afresh from the database, and
    whether the message must be ephemeral: ``private`` (it is for the asker's eyes only
    already), or the asker is hidden from the boards, so their points (none, too) are for
    them alone.

    A message only the asker sees speaks to them ("You: #3", "← you"); one posted in the
    channel is read by everyone there, so its foot names the asker instead (by the name the
    boards show them under) and no line is marked as the reader's. ``today`` is the
    server's: a week or month before it is over, and so titled.

    ``page`` None: the page with the asker's line; with no line of theirs on the board, they
    are told why instead (UserError).

    ``redraw``: a message already in the channel drawn again, because a member it named
    has hidden or erased their data. It stays public; its foot names the asker only while
    they are on the boards under a name (an ``asker_id`` of 0: they erased their data)."""
    season = await store.current_season(guild_id)
    view_data = await store.board_view(guild_id, board, key, page, PAGE_SIZE, asker_id)
    data, mine = view_data.page, view_data.mine
    private = private or (view_data.hidden and not redraw)
    title = f"🏆 {BOARD_NAMES.get(board, board)} · {period_title(key, season.number, today)}"
    ended = period_ended(key, season.number, today)  # no "yet" of a period that is over
    if page is None and (mine is None or mine.rank is None):
        if view_data.hidden:
            raise UserError(
                "You are hidden from the boards, so no line on them is yours. "
                "`/privacy show` puts you back."
            )
        raise UserError(
            "You had no points on this board."
            if ended
            else "You have no points on this board yet."
        )
    if data.rows:
        lines = []
        for row in data.rows:
            medal = {1: "🥇", 2: "🥈", 3: "🥉"}.get(row.rank, f"`#{grouped(row.rank)}`")
            you = " ← you" if private and row.user_id == asker_id else ""
            lines.append(f"{medal} **{escape(row.name)}** · {points_text(row.points)}{you}")
        body = "\n".join(lines)
    elif ended:
        # Over: no answer can put anyone on it any more.
        body = "Nobody is on this board."
    elif private and view_data.hidden:
        # Scoring would not put them on it: no invitation to be the first.
        body = (
            "Nobody on the boards has scored here yet. You are hidden from them, whatever "
            "you score: `/privacy show` puts you back."
        )
    else:
        how = FIRST_POINTS.get(board, FIRST_POINTS["all"])
        body = f"Nobody has scored here yet. {how} to be the first!"
    embed = ui.info_embed(title, body)
    if private:
        if mine is None:
            you_text = "You had no points here." if ended else "You have no points here yet."
            if view_data.hidden:
                you_text += " You are hidden from the boards (/privacy show)."
        elif mine.hidden:
            you_text = f"You: {points_text(mine.points)}, hidden from the boards (/privacy show)."
        else:
            assert mine.rank is not None  # only a hidden member has no rank
            you_text = f"You: #{grouped(mine.rank)} with {points_text(mine.points)}."
    elif redraw and (asker_id == 0 or view_data.hidden or not view_data.name):
        you_text = ""
    else:
        # Footers show text as it is: the name needs no escaping, only keeping to itself.
        who = ui.isolated(view_data.name or asker_name)
        if mine is None:
            you_text = f"{who} had no points here." if ended else f"{who} has no points here yet."
        else:
            # A hidden asker is answered privately, or named nowhere when redrawn.
            assert mine.rank is not None
            you_text = f"{who}: #{grouped(mine.rank)} with {points_text(mine.points)}."
    pages = page_count(data.total)
    members = count(data.total, "member")
    foot = f"Page {grouped(data.page + 1)} of {grouped(pages)} · {members} · {TIE_NOTE}"
    embed.set_footer(text=ui.clip(f"{you_text}\n{foot}" if you_text else foot, ui.FOOTER))
    view = discord.ui.View(timeout=None)
    view.add_item(
        PageButton(guild_id, board, key, data.page - 1, asker_id, "p", disabled=data.page == 0)
    )
    view.add_item(
        PageButton(
            guild_id, board, key, data.page + 1, asker_id, "n", disabled=data.page >= pages - 1
        )
    )
    # Anyone reading a posted board may look for their own line; a copy for one member's
    # eyes needs it only when their line is on another page.
    own_page = None if mine is None or mine.rank is None else page_of_rank(mine.rank)
    view.add_item(
        PageButton(
            guild_id,
            board,
            key,
            data.page,
            asker_id,
            "m",
            disabled=data.total == 0 or (private and own_page in (None, data.page)),
        )
    )
    named = {row.user_id for row in data.rows}
    if not private and you_text and asker_id:
        named.add(asker_id)
    return BoardMessage(embed, view, private, frozenset(named), data.page)


async def remember_shown(
    bot: RecallBot, message: ShownMessage, named: frozenset[int]
) -> None:
    """Note a channel message that names members, so that it can be drawn again without
    one who hides or erases their data; a failure to note it is logged, not shown: the
    message itself went out. One naming a member who hid while it was drawn and sent is
    drawn again now: the hide found no message naming them to draw again."""
    try:
        waiting = await bot.store.record_shown(message, named)
    except StoreError as exc:
        log.warning("could not note message %s as naming members: %s", message.message_id, exc)
        return
    if waiting:
        redraw_shown(bot)


async def remember_board(
    bot: RecallBot,
    drawn: BoardMessage,
    message_id: int,
    channel_id: int,
    guild_id: int,
    board: str,
    key: str,
    asker_id: int,
) -> None:
    """Note a board just posted or paged in a channel: the page it shows and whom it names."""
    shown = ShownMessage(message_id, guild_id, channel_id, "board", asker_id, board, key, drawn.page)
    await remember_shown(bot, shown, drawn.named)


def sent_message_id(response: Any) -> int | None:
    """The id of the message an interaction's reply created, when Discord said it."""
    resource = getattr(response, "resource", None)
    return resource.id if isinstance(resource, discord.InteractionMessage) else None


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=(
        r"lb:(?P<dir>[pnm]):(?P<guild>\d+):(?P<board>all|quiz|qotd):"
        rf"(?P<key>{PERIOD_KEY_PATTERN}):(?P<page>\d+):(?P<user>\d+)"
    ),
):
    def __init__(
        self,
        guild_id: int,
        board: str,
        key: str,
        page: int,
        user_id: int,
        direction: str,
        *,
        disabled: bool = False,
    ):
        page = max(0, page)
        label, emoji = {"p": ("Previous", "◀️"), "n": ("Next", "▶️"), "m": ("My rank", "📍")}[
            direction
        ]
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji=emoji,
                style=discord.ButtonStyle.secondary,
                custom_id=f"lb:{direction}:{guild_id}:{board}:{key}:{page}:{user_id}",
                disabled=disabled,
            )
        )
        self.guild_id = guild_id
        self.board = board
        self.key = key
        self.page = page
        self.user_id = user_id
        self.direction = direction

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PageButton:
        return cls(
            int(match["guild"]),
            match["board"],
            match["key"],
            int(match["page"]),
            int(match["user"]),
            match["dir"],
        )

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            if interaction.guild_id != self.guild_id or not valid_period_key(self.key):
                raise UserError("This leaderboard belongs to another server.")
            store = interaction.client.store
            user = interaction.user
            zone = (await store.settings_for(self.guild_id)).zone
            today = local_day(interaction.client.clock.now(), zone)
            mine = user.id == self.user_id
            message = interaction.message
            ephemeral = message is not None and message.flags.ephemeral
            # A page Recall could not draw again in the channel (it can't see it) is a copy
            # for the clicker, as is someone else's board: with their own rank.
            unseen = not ephemeral and not interaction.app_permissions.view_channel
            drawn = await board_message(
                store,
                self.guild_id,
                self.board,
                self.key,
                None if self.direction == "m" else self.page,
                user.id,
                user.display_name,
                today,
                private=ephemeral or not mine or unseen,
            )
            embed, view = drawn.embed, drawn.view
            if mine and (ephemeral or not drawn.private):
                await interaction.response.edit_message(embed=embed, view=view)
                if message is not None and not ephemeral and interaction.channel_id:
                    await remember_board(
                        interaction.client,
                        drawn,
                        message.id,
                        interaction.channel_id,
                        self.guild_id,
                        self.board,
                        self.key,
                        self.user_id,
                    )
            else:
                # Another member's board, or the asker hidden since it was posted: their
                # points stay off the channel.
                note = shown_only_to_you(interaction.channel_id, "a page", "boards")
                await interaction.response.send_message(
                    note if unseen and mine else None, embed=embed, view=view, ephemeral=True
                )

        await handled(interaction, work)


class ResetButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"lb:reset:(?P<guild>\d+):(?P<user>\d+):(?P<season>\d+)",
):
    def __init__(self, guild_id: int, user_id: int, season: int):
        super().__init__(
            discord.ui.Button(
                label=f"Start season {season + 1}",
                style=discord.ButtonStyle.danger,
                custom_id=f"lb:reset:{guild_id}:{user_id}:{season}",
            )
        )
        self.guild_id = guild_id
        self.user_id = user_id
        self.season = season

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ResetButton:
        return cls(int(match["guild"]), int(match["user"]), int(match["season"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            if interaction.user.id != self.user_id or interaction.guild_id != self.guild_id:
                raise UserError("Only the moderator who asked for this reset can confirm it.")
            await ensure_moderator(interaction)
            store: Store = interaction.client.store
            current = await store.current_season(self.guild_id)
            if current.number != self.season:
                raise UserError(already_reset(current.number))
            # A new season copies every member's all-time totals: answered first, so that
            # Discord's 3 s do not run out on a large server.
            await interaction.response.defer()
            season = await store.start_season(
                self.guild_id, interaction.user.id, after=self.season
            )
            if season is None:
                # Another reset came first: this confirmation is stale, or was clicked twice.
                current = await store.current_season(self.guild_id)
                raise UserError(already_reset(current.number))
            await interaction.edit_original_response(
                embed=ui.info_embed(
                    f"Season {season.number} has begun",
                    "The all-time boards start again from zero. Earlier seasons and every "
                    "member's history are kept; weekly and monthly boards carry on.",
                    colour=ui.OK,
                ),
                view=None,
            )

        await handled(interaction, work)


def already_reset(season: int) -> str:
    return f"The leaderboard was already reset: season {season} is running."


class CancelButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rc:cancel:(?P<user>\d+)",
):
    """Cancel for any confirmation: closes it, for the member who asked only."""

    def __init__(self, user_id: int):
        super().__init__(
            discord.ui.Button(
                label="Cancel",
                style=discord.ButtonStyle.secondary,
                custom_id=f"rc:cancel:{user_id}",
            )
        )
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> CancelButton:
        return cls(int(match["user"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        async def work() -> None:
            if interaction.user.id != self.user_id:
                raise UserError("Only the member who asked can cancel this.")
            await interaction.response.edit_message(
                embed=ui.info_embed("Cancelled", "Nothing was changed."), view=None
            )

        await handled(interaction, work)


class LeaderboardGroup(app_commands.Group):
    """/leaderboard show and /leaderboard reset."""

    def __init__(self, bot: RecallBot):
        super().__init__(
            name="leaderboard",
            description="Who has the most points this week, this month or this season.",
            guild_only=True,
        )
        self.bot = bot

    @app_commands.command(
        name="show",
        description=f"Show the leaderboard: {PAGE_SIZE} members a page, and your own rank.",
    )
    @app_commands.describe(
        period="Which period (default: this week in the server's time zone; all time: since the last reset)",
        board="Which points count (default: all points)",
    )
    @app_commands.choices(
        period=[
            app_commands.Choice(name=name, value=value)
            for name, value in (("This week", "week"), ("This month", "month"), ("All time", "all time"))
        ],
        board=[
            app_commands.Choice(name=BOARD_NAMES[board], value=board)
            for board in ("all", "qotd", "quiz")
        ],
    )
    async def show(
        self,
        interaction: discord.Interaction[Any],
        period: str = "week",
        board: str = "all",
    ) -> None:
        assert interaction.guild_id is not None
        store = self.bot.store
        settings = await store.settings_for(interaction.guild_id)
        season = await store.current_season(interaction.guild_id)
        now = self.bot.clock.now()
        key = period_key(PERIOD_OF.get(period, "week"), now, settings.zone, season.number)
        # Where Recall can't see, a posted board could not be drawn again without a member
        # who hides later: the asker gets it privately, and why.
        unseen = not interaction.app_permissions.view_channel
        drawn = await board_message(
            store,
            interaction.guild_id,
            board,
            key,
            0,
            interaction.user.id,
            interaction.user.display_name,
            local_day(now, settings.zone),
            private=unseen,
        )
        # A member hidden from the boards sees their own points, but not in the channel.
        note = shown_only_to_you(interaction.channel_id, "a board", "boards") if unseen else None
        response = await interaction.response.send_message(
            note, embed=drawn.embed, view=drawn.view, ephemeral=drawn.private
        )
        message_id = sent_message_id(response)
        if not drawn.private and message_id is not None and interaction.channel_id:
            await remember_board(
                self.bot,
                drawn,
                message_id,
                interaction.channel_id,
                interaction.guild_id,
                board,
                key,
                interaction.user.id,
            )

    @app_commands.command(
        name="reset",
        description="Moderators: start a new season; all-time boards restart, history is kept.",
    )
    @moderator_only()
    async def reset(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        season = await self.bot.store.current_season(interaction.guild_id)
        view = discord.ui.View(timeout=None)
        view.add_item(ResetButton(interaction.guild_id, interaction.user.id, season.number))
        view.add_item(CancelButton(interaction.user.id))
        await interaction.response.send_message(
            embed=ui.info_embed(
                f"Start season {season.number + 1}?",
                f"The all-time boards (season {season.number}) start again from zero for "
                "everyone. Nothing is deleted: earlier seasons, every grade and every member's "
                "stats are kept, and weekly and monthly boards carry on.",
                colour=ui.WARN,
            ),
            view=view,
            ephemeral=True,
        )


STATS_TAKEN_DOWN = "These stats were taken down by the member they belong to."


class Leaderboard(commands.Cog):
    #: seconds before messages are drawn again after Discord failed to take an edit
    retry_delay = 300.0

    def __init__(self, bot: RecallBot):
        self.bot = bot
        self.group = LeaderboardGroup(bot)
        self._redraw_task: asyncio.Task[None] | None = None
        self._again = False

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.group)
        self.bot.add_dynamic_items(PageButton, ResetButton, CancelButton)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Messages left waiting by a restart.
        self.redraw_shown()

    # -- boards and /stats in channels that name a member who hid or erased their data --------

    def redraw_shown(self) -> None:
        """Draw again, in the background, the channel messages that still name a member who
        has hidden or erased their data since (the store keeps which, across restarts)."""
        if self._redraw_task is not None and not self._redraw_task.done():
            self._again = True
            return
        self._redraw_task = self.bot.spawn(self._redraw(), name="shown-redraw")

    async def _redraw(self) -> None:
        store = self.bot.store
        while True:
            self._again = False
            waiting: list[ShownMessage] = []
            done = True
            try:
                waiting = await store.shown_to_redraw()
                for shown in waiting:
                    if not await self._redraw_one(shown):
                        done = False
                        break
            except StoreError as exc:
                # The database busy or failing: what is left is tried again later.
                log.warning("could not draw messages naming members again: %s", exc)
                done = False
            if done:
                if waiting or self._again:
                    continue
                return
            # Discord's own trouble, or the database's: everything left waits for later.
            await asyncio.sleep(self.retry_delay)

    async def _redraw_one(self, shown: ShownMessage) -> bool:
        """Draw one message again; False when Discord failed in a way worth trying again."""
        store = self.bot.store
        named: frozenset[int] = frozenset()
        if shown.kind == "board":
            zone = (await store.settings_for(shown.guild_id)).zone
            drawn = await board_message(
                store,
                shown.guild_id,
                shown.board,
                shown.period,
                shown.page,
                shown.asker_id,
                "",
                local_day(self.bot.clock.now(), zone),
                redraw=True,
            )
            embed, view, named = drawn.embed, drawn.view, drawn.named
            # The page drawn, which is the last one when the board has shrunk below the page
            # it showed: drawn again later, it stays on the page it shows.
            shown = dataclasses.replace(shown, page=drawn.page)
            attachments: Any = discord.utils.MISSING
        else:
            embed = ui.info_embed("Stats", STATS_TAKEN_DOWN)
            view, attachments = None, []
        try:
            with handle_message_parameters(
                embed=embed, view=view, attachments=attachments
            ) as params:
                # In a thread archived since, the thread is reopened for the edit.
                await edit_reopening_thread(self.bot, shown.channel_id, shown.message_id, params)
        except ThreadStaysArchived as exc:
            # Locked by a moderator, or Recall could not close it again: left as it is.
            log.warning("message %s naming members is left as it is: %s", shown.message_id, exc)
            named = frozenset()
        except (discord.NotFound, discord.Forbidden) as exc:
            # Deleted, or out of the bot's reach: nothing more can be done for it.
            log.info("message %s naming members is out of reach: %s", shown.message_id, exc)
            named = frozenset()
        except discord.HTTPException as exc:
            if ui.refused_for_good(exc):
                log.warning("could not draw message %s again: %s", shown.message_id, exc)
                named = frozenset()
            else:
                log.warning("could not draw message %s again, will retry: %s", shown.message_id, exc)
                return False
        except ui.DISCORD_TROUBLE as exc:
            log.warning("could not draw message %s again, will retry: %s", shown.message_id, exc)
            return False
        if named:
            await store.record_shown(shown, named)
        else:
            await store.forget_shown(shown.message_id)
        return True

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.group.name)
        self.bot.remove_dynamic_items(PageButton, ResetButton, CancelButton)


def redraw_shown(bot: discord.Client) -> None:
    """Have the Leaderboard cog draw again the channel messages waiting for it."""
    cog = bot.get_cog("Leaderboard") if isinstance(bot, commands.Bot) else None
    if isinstance(cog, Leaderboard):
        cog.redraw_shown()


async def setup(bot: RecallBot) -> None:
    await bot.add_cog(Leaderboard(bot))
