"""The Discord client: connects Recall's core to discord.py. The cogs do the talking."""

from __future__ import annotations

import asyncio
import io
import logging
import secrets
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.bank import typed_note, typed_text
from bot.clock import Clock, SystemClock
from bot.command_shapes import CommandsDiff, compare_commands
from bot.config import Settings
from bot.errors import UserError
from bot.store import FormDraft, Store, StoreError
from bot.text import clip

log = logging.getLogger("bot.client")

# Recall never joins a voice channel: discord.py's start-up warnings that the voice
# libraries (PyNaCl, davey) are missing would only read as something to install.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False

EXTENSIONS = (
    "cogs.help",
    "cogs.quiz",
    "cogs.qotd",
    "cogs.review",
    "cogs.leaderboard",
    "cogs.stats",
    "cogs.privacy",
    "cogs.settings",
    "cogs.decks",
    "cogs.questions",
    "cogs.suggest",
)


def intents() -> discord.Intents:
    """Guilds only: no privileged intents (no message content, no members, no presences)."""
    return discord.Intents(guilds=True)


class RecallTree(app_commands.CommandTree):
    """Errors are handled once, here: members get an ephemeral answer, the log gets the rest."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        original = getattr(error, "original", error)
        if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            await self._outdated_command(interaction, error)
            return
        if isinstance(original, UserError):
            await reply_ephemeral(interaction, str(original))
            return
        if isinstance(error, app_commands.CheckFailure):
            await reply_ephemeral(interaction, str(error) or "You can't use this command here.")
            return
        if isinstance(original, StoreError):
            log.error("storage problem in %s: %s", _what(interaction), original)
            await reply_ephemeral(interaction, storage_reply(original))
            return
        log.error("error in %s", _what(interaction), exc_info=original)
        await reply_ephemeral(
            interaction, "Something went wrong on our side; it has been logged. Please try again."
        )

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        # discord.py runs no error handler for an autocomplete of an option the command does
        # not complete (an older version's, see _outdated_command): it logs an ERROR and
        # leaves Discord unanswered. Such an autocomplete is answered here instead.
        if interaction.type is discord.InteractionType.autocomplete:
            command = interaction.command
            if isinstance(command, app_commands.Command) and not _completes(
                command, interaction.data or {}
            ):
                await self._outdated_command(
                    interaction, app_commands.CommandSignatureMismatch(command)
                )
                return False
        return True

    @staticmethod
    async def _outdated_command(
        interaction: discord.Interaction[Any],
        error: app_commands.CommandNotFound | app_commands.CommandSignatureMismatch,
    ) -> None:
        """A command Discord offered from an older version's set (global commands take a
        while to show after an update, or were not installed again): this version has no
        such command, or not with those options. Trying again would fail again."""
        if isinstance(error, app_commands.CommandNotFound):
            name = "/" + " ".join([*error.parents, error.name])
        else:
            name = f"/{error.command.qualified_name}"
        log.warning(
            "%s as Discord sent it is not this version's command: Discord lists an older "
            "version's commands; if this goes on, run python -m bot sync (see the README)",
            name,
        )
        if interaction.type is discord.InteractionType.autocomplete:
            try:
                await interaction.response.autocomplete([])
            except discord.HTTPException as exc:
                log.warning("could not answer an autocomplete: %s", exc)
            return
        await reply_ephemeral(interaction, OUTDATED_COMMAND.format(name=name))


def _completes(command: app_commands.Command[Any, ..., Any], data: Any) -> bool:
    """Whether the option an autocomplete interaction's ``data`` asks about is one that
    ``command`` completes as it is typed (by its name, or the name Discord shows)."""
    options = data.get("options", [])
    while True:
        sub = next((o for o in options if o.get("type") in (1, 2)), None)
        if sub is None:
            break
        options = sub.get("options", [])
    focused = next((o["name"] for o in options if o.get("focused")), None)
    return focused is None or any(
        p.autocomplete and focused in (p.name, p.display_name) for p in command.parameters
    )


#: What a member who ran a command from an older version's set is told
OUTDATED_COMMAND = (
    "`{name}` as Discord offered it is an older version of Recall's, so nothing was done. "
    "Discord can take up to an hour to show the current commands after an update: reload "
    "Discord (or wait a while) and try again. If it stays, whoever runs Recall installs "
    "them with `python -m bot sync`."
)

#: What a member is told when storage fails, by ``StoreError.kind``; the details are logged.
STORAGE_REPLIES = {
    "read-only": "Recall couldn't save this: its database is read-only at the moment. "
    "Nothing was changed; the problem is in the bot's log for whoever runs it. "
    "Please try again later.",
    "full": "Recall couldn't save this: the disk holding its database is full. "
    "Nothing was changed; the problem is in the bot's log for whoever runs it. "
    "Please try again later.",
    "busy": "Recall's database is busy (another program, such as a backup, is holding it), "
    "so nothing was changed. Please try again in a moment.",
}
STORAGE_REPLY = (
    "Recall can't reach its database right now; nothing was changed. Try again in a minute."
)


def storage_reply(error: StoreError) -> str:
    """The member's side of a storage problem: what happened, no paths, no traceback."""
    return STORAGE_REPLIES.get(error.kind, STORAGE_REPLY)


def _what(interaction: discord.Interaction[Any]) -> str:
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name}"
    data: dict[str, Any] = dict(interaction.data or {})
    return f"component {data.get('custom_id', '?')}"


#: Discord's limit on a message's content
CONTENT_MAX = 2000


async def reply_ephemeral(interaction: discord.Interaction[Any], text: str) -> None:
    """Answer privately, whether or not the interaction was already acknowledged.

    Error texts may quote what a member typed, so they are cut to fit one message."""
    text = clip(text, CONTENT_MAX)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException as exc:
        log.warning("could not send an error reply: %s", exc)


#: Discord refused the bot's token (for the command line, which does not import discord)
LoginFailure = discord.LoginFailure
#: Discord refused a request for lack of access (syncing to a server the bot is not in)
Forbidden = discord.Forbidden
#: any other error answer from Discord (a limit reached, Discord down)
HTTPException = discord.HTTPException

#: Forms (modals) live in the bot's memory only: each carries the bot's ``run_id`` in its
#: custom_id (see cogs.ui.send_form), so one opened before a restart is recognised when sent.
FORM_PREFIX = "rf:"


def typed_in_form(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(field custom_id, value) of a submitted form, in order."""
    out: list[tuple[str, str]] = []
    for row in data.get("components", []):
        for item in row.get("components", []) or [row.get("component", {})]:
            if item and item.get("custom_id") is not None:
                out.append((str(item["custom_id"]), str(item.get("value") or "")))
    return out


class RecallBot(commands.Bot):
    """Recall's bot: holds the store, the clock and the settings the cogs use."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        clock: Clock | None = None,
        extensions: tuple[str, ...] = EXTENSIONS,
        run_scheduler: bool = True,
        check_installed: bool = False,
        **options: Any,
    ):
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            tree_cls=RecallTree,
            help_command=None,
            **options,
        )
        self.settings = settings
        self.store = store
        self.clock: Clock = clock or SystemClock()
        self._extensions = extensions
        #: follow schedules in real time (tests that move a clock by hand turn this off)
        self.run_scheduler = run_scheduler
        #: at start, install this version's slash commands when Discord has not got them
        #: (or, with RECALL_SYNC_ON_START off, say so in the log)
        self.check_installed = check_installed
        self._tasks: set[asyncio.Task[Any]] = set()
        #: this run of the bot, in the custom_id of the forms it opens
        self.run_id = secrets.token_hex(4)

    async def setup_hook(self) -> None:
        for name in self._extensions:
            await self.load_extension(name)
        if self.check_installed:
            self.spawn(self._install_if_outdated(), name="installed commands")

    async def _installed(self, guild_id: int | None) -> list[dict[str, Any]]:
        """The commands Discord has, as it lists them (in one server, or global). A server
        the bot is not in has none."""
        app_id = self.application_id
        if app_id is None:  # set at login, before this runs
            return []
        try:
            if guild_id is None:
                listed = await self.http.get_global_commands(app_id)
            else:
                listed = await self.http.get_guild_commands(app_id, guild_id)
        except discord.Forbidden:
            if guild_id is None:
                raise
            return []
        # Discord's JSON as it is (discord.py's models leave out permissions and nsfw)
        return [dict(c) for c in listed]

    async def _outdated(self) -> tuple[CommandsDiff, int | None]:
        """How the commands Discord has differ from this version's, and where `sync`
        without options would install them: RECALL_DEV_GUILD_ID if set, else globally.
        Commands installed globally (``sync --global``) serve the dev server too, so with
        no copy there, this version's global commands are enough."""
        target = self.settings.dev_guild_id
        wanted = [c.to_dict(self.tree) for c in self.tree.get_commands()]
        installed = await self._installed(target)
        diff = compare_commands(wanted, installed, in_guild=target is not None)
        if diff and target is not None and not installed:
            listed = await self._installed(None)
            if listed and not compare_commands(wanted, listed, in_guild=False):
                return CommandsDiff(), target
        return diff, target

    async def _install_if_outdated(self) -> None:
        """Members see no slash command until it is installed, nor a command, subcommand
        or option new in this version until the commands are installed again: at start,
        they are (RECALL_SYNC_ON_START), or the log says so, naming the command to run.
        An up-to-date set is left alone: Discord limits how many commands are created a day."""
        try:
            diff, target = await self._outdated()
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            log.info("could not list the slash commands installed on Discord: %s", exc)
            return
        if not diff:
            return
        if not self.settings.sync_on_start:
            if diff.none_installed:
                log.warning(
                    "no slash commands are installed on Discord, so members see none: "
                    "run python -m bot sync (see the README)"
                )
            else:
                log.warning(
                    "the slash commands installed on Discord are an older version's (%s): "
                    "run python -m bot sync",
                    diff.describe(),
                )
            return
        had = "Discord has none" if diff.none_installed else diff.describe()
        try:
            synced = await self.sync_commands(target)
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            said = " ".join(str(exc).split())  # a refused form lists its errors on lines
            if isinstance(exc, discord.Forbidden) and target is not None:
                said += (
                    f"; the bot is not in server {target} (RECALL_DEV_GUILD_ID), or was "
                    "invited there without the applications.commands scope"
                )
            log.warning(
                "could not install this version's slash commands on Discord (%s): %s: "
                "run python -m bot sync (see the README)",
                had,
                said,
            )
            return
        where = (
            "globally (Discord may take up to an hour to show them)"
            if target is None
            else f"in server {target} (RECALL_DEV_GUILD_ID)"
        )
        log.info(
            "installed this version's %d slash commands %s: Discord had %s",
            len(synced),
            where,
            "none" if diff.none_installed else f"an older version's ({diff.describe()})",
        )

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """A form opened before the bot restarted, or one this run stopped waiting for
        (discord.py drops a form at its timeout), has nothing left to receive it: its sender
        gets, privately, what they typed, to paste into the form opened again."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if not custom_id.startswith(FORM_PREFIX):
            return
        parts = custom_id.split(":")
        if parts[1:2] == [self.run_id]:
            # While discord.py holds the form, the form answers. discord.py looked it up
            # just before dispatching this event, and the form's task has not finished by
            # now (its first step waits for Discord), nor has its timeout dropped it since.
            if custom_id in self._connection._view_store._modals:
                return
            why = "This form was open so long that Recall stopped waiting for it"
        else:
            why = "Recall restarted while this form was open"
        fields = [(name, value) for name, value in typed_in_form(data) if value]
        # What was given with the command that opened the form was kept in the database.
        draft = await self._kept_draft(parts[-1] if len(parts) > 2 else "", interaction.user.id)
        if draft.why:
            fields.append(("why", draft.why))
        typed = typed_text(fields)
        attached = typed_note(draft.command, with_why=bool(draft.why))
        text = f"{why}, so it was not saved." + (attached if typed else " Please open it again.")
        files = [discord.File(io.BytesIO(typed.encode()), filename="your-form.txt")] if typed else []
        try:
            await interaction.response.send_message(text, files=files, ephemeral=True)
        except discord.HTTPException as exc:
            log.warning("could not answer a form from before the restart: %s", exc)

    async def _kept_draft(self, token: str, user_id: int) -> FormDraft:
        """What was kept for the form ``token`` this member opened (empty if nothing)."""
        nothing = FormDraft(why="", command="")
        if not token:
            return nothing
        try:
            return await self.store.take_form_draft(token, user_id) or nothing
        except StoreError as exc:
            log.warning("could not read what was kept for a form: %s", exc)
            return nothing

    def spawn(self, coro: Any, *, name: str) -> asyncio.Task[Any]:
        """Run background work whose failure is logged, never lost."""
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("background task %s failed", task.get_name(), exc_info=exc)

    async def close(self) -> None:
        """Stop background work before the HTTP session goes away."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await super().close()

    async def on_ready(self) -> None:
        user = self.user
        log.info(
            "connected as %s (%s) to %d servers", user, user.id if user else "?", len(self.guilds)
        )

    async def sync_commands(self, guild_id: int | None) -> list[app_commands.AppCommand]:
        """Install the application commands globally, or at once in one server."""
        if guild_id is None:
            return await self.tree.sync()
        guild = discord.Object(id=guild_id)
        self.tree.copy_global_to(guild=guild)
        return await self.tree.sync(guild=guild)

    async def remove_guild_copy(self, guild_id: int) -> int:
        """Remove the commands installed in one server only (by a sync to it), which Discord
        lists beside the global ones there, each twice; how many there were. A server the
        bot is no longer in has none to remove."""
        guild = discord.Object(id=guild_id)
        try:
            installed = await self.tree.fetch_commands(guild=guild)
            if installed:
                self.tree.clear_commands(guild=guild)
                await self.tree.sync(guild=guild)
        except discord.Forbidden:
            return 0
        return len(installed)
