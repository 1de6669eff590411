"""`sync` and `run` from the command line's own functions, against the emulator."""

import asyncio
import logging

import pytest
from conftest import TestRecallBot as RecallUnderTest

from bot.cli import CliError, cmd_run, cmd_sync
from bot.config import Settings
from bot.store import Store

pytestmark = pytest.mark.e2e


def settings(emulator, tmp_path, **extra):
    return Settings(DISCORD_TOKEN=emulator.bot_token, database=tmp_path / "r.sqlite3", **extra)


async def test_sync_installs_commands_in_the_dev_guild_then_globally(emulator, tmp_path, capsys):
    guild = emulator.add_guild("Dev")
    assert await cmd_sync(settings(emulator, tmp_path, dev_guild_id=guild.id), None, False) == 0
    installed = {c["name"] for c in emulator.commands.guild_commands.get(guild.id, [])}
    assert {"help", "quiz", "qotd", "review"} <= installed
    assert emulator.commands.global_commands == []
    assert f"to server {guild.id}" in capsys.readouterr().out

    assert await cmd_sync(settings(emulator, tmp_path), None, True) == 0
    assert {"help", "quiz"} <= {c["name"] for c in emulator.commands.global_commands}
    assert "globally" in capsys.readouterr().out


async def test_run_serves_until_stopped(emulator, tmp_path):
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    task = asyncio.create_task(cmd_run(settings(emulator, tmp_path)))
    await emulator.wait_until(lambda: emulator.connects >= 1, within=10)
    await cmd_sync(settings(emulator, tmp_path), None, True)
    await asyncio.sleep(0.5)
    answer = await alice.run("/help", channel=guild.general)
    assert answer.embed["title"] == "Recall"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_refused_token_ends_with_a_clear_message(emulator, tmp_path):
    bad = Settings(
        DISCORD_TOKEN=emulator.bot_token[:-4] + "abcd", database=tmp_path / "r.sqlite3"
    )
    with pytest.raises(CliError, match="Discord refused the token"):
        await cmd_run(bad)
    emulator.violations.clear()


async def test_sync_to_a_server_the_bot_is_not_in_ends_with_a_clear_message(emulator, tmp_path):
    """Discord refuses commands for a server the bot is not in (403): one line says what to
    check, not a traceback."""
    emulator.add_guild("Dev")
    with pytest.raises(CliError, match=r"not in server 424242.*--guild.*RECALL_DEV_GUILD_ID"):
        await cmd_sync(settings(emulator, tmp_path), 424242, False)
    emulator.violations.clear()


async def test_sync_global_removes_the_dev_guild_copy(emulator, tmp_path, capsys):
    """Discord shows a server's own copy of the commands beside the global ones: after
    `sync` (to RECALL_DEV_GUILD_ID) then `sync --global`, every command was listed twice
    in that server. Going global removes that copy and says so."""
    guild = emulator.add_guild("Dev")
    dev = settings(emulator, tmp_path, dev_guild_id=guild.id)
    assert await cmd_sync(dev, None, False) == 0
    assert emulator.commands.guild_commands[guild.id]
    capsys.readouterr()
    assert await cmd_sync(dev, None, True) == 0
    assert {"help", "quiz"} <= {c["name"] for c in emulator.commands.global_commands}
    assert emulator.commands.guild_commands[guild.id] == []
    out = capsys.readouterr().out
    assert f"removed the copy in server {guild.id} (RECALL_DEV_GUILD_ID)" in out
    # nothing left to remove: nothing said about it
    assert await cmd_sync(dev, None, True) == 0
    assert "removed" not in capsys.readouterr().out


async def test_sync_global_with_a_dev_guild_the_bot_left_still_syncs(emulator, tmp_path, capsys):
    assert await cmd_sync(settings(emulator, tmp_path, dev_guild_id=424242), None, True) == 0
    assert {"help", "quiz"} <= {c["name"] for c in emulator.commands.global_commands}
    assert "globally" in capsys.readouterr().out
    emulator.violations.clear()


async def run_briefly(emulator, tmp_path, caplog, **extra) -> list[str]:
    """Start Recall as `run` does, let it look at the installed commands (and install them,
    unless RECALL_SYNC_ON_START is off), stop it; the warnings it logged."""
    caplog.clear()
    caplog.set_level(logging.INFO, logger="bot")
    store = await Store.open(tmp_path / "r.sqlite3")
    try:
        bot = RecallUnderTest(
            settings(emulator, tmp_path, **extra),
            store,
            check_installed=True,
            run_scheduler=False,
            guild_ready_timeout=0.1,
        )
        async with emulator.run_client(bot):
            checks = [t for t in asyncio.all_tasks() if t.get_name() == "installed commands"]
            await asyncio.wait_for(asyncio.gather(*checks), 5)
    finally:
        await store.close()
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


def logged(caplog, level="INFO") -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == level]


def syncs(emulator) -> int:
    """The requests that install commands (each a bulk overwrite, which Discord counts
    against its daily limit of command creations when a command is new)."""
    return sum(1 for r in emulator.requests if r.method == "PUT" and r.path.endswith("/commands"))


def drop_subcommand(commands, command, sub):
    """An older install: ``/command`` without its subcommand ``sub``."""
    for cmd in commands:
        if cmd["name"] == command:
            cmd["options"] = [o for o in cmd["options"] if o["name"] != sub]
            return
    raise AssertionError(f"/{command} is not installed")


async def test_run_says_when_the_slash_commands_are_not_installed(emulator, tmp_path, caplog):
    """With RECALL_SYNC_ON_START=false, the bot online and no slash command in Discord is
    what `run` without `sync` looks like: `run` says so, with the command that installs
    them, and says nothing once they are installed (to RECALL_DEV_GUILD_ID, or globally)."""
    guild = emulator.add_guild("Dev")
    off = {"sync_on_start": False}
    warned = await run_briefly(emulator, tmp_path, caplog, **off)
    assert (
        "no slash commands are installed on Discord, so members see none: "
        "run python -m bot sync (see the README)"
    ) in warned
    await cmd_sync(settings(emulator, tmp_path, dev_guild_id=guild.id), None, False)
    assert not [w for w in await run_briefly(emulator, tmp_path, caplog, dev_guild_id=guild.id,
                                             **off) if "slash commands" in w]
    await cmd_sync(settings(emulator, tmp_path, dev_guild_id=guild.id), None, True)
    assert not [w for w in await run_briefly(emulator, tmp_path, caplog, **off)
                if "slash commands" in w]
    # an older install, without a command this version has
    emulator.commands.global_commands = [
        c for c in emulator.commands.global_commands if c["name"] != "suggest"
    ]
    assert (
        "the slash commands installed on Discord are an older version's (missing: /suggest): "
        "run python -m bot sync"
    ) in await run_briefly(emulator, tmp_path, caplog, **off)
    # the two `sync` commands only (the second also emptied the dev guild's copy)
    assert syncs(emulator) == 3


@pytest.mark.parametrize("dev_guild", [True, False])
async def test_run_installs_the_slash_commands_on_a_fresh_install(
    emulator, tmp_path, caplog, dev_guild
):
    """After cloning, `run` alone makes a usable bot: with no slash command on Discord it
    installs them as `sync` would, to RECALL_DEV_GUILD_ID if set, else globally."""
    caplog.set_level(logging.INFO, logger="bot")
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    extra = {"dev_guild_id": guild.id} if dev_guild else {}
    task = asyncio.create_task(cmd_run(settings(emulator, tmp_path, **extra)))
    if dev_guild:
        await emulator.wait_until(lambda: emulator.commands.guild_commands.get(guild.id), 10)
        assert emulator.commands.global_commands == []
        where = f"in server {guild.id} (RECALL_DEV_GUILD_ID)"
    else:
        await emulator.wait_until(lambda: emulator.commands.global_commands, 10)
        assert guild.id not in emulator.commands.guild_commands
        where = "globally (Discord may take up to an hour to show them)"
    try:
        answer = await alice.run("/help", channel=guild.general)
        assert answer.embed["title"] == "Recall"
        said = [m for m in logged(caplog) if "slash commands" in m]
        count = len(emulator.commands.listing(guild.id if dev_guild else None))
        assert said == [
            f"installed this version's {count} slash commands {where}: Discord had none"
        ]
        assert syncs(emulator) == 1
        assert not logged(caplog, "WARNING")
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_run_does_not_install_an_up_to_date_set_again(emulator, tmp_path, caplog):
    """Discord limits how many commands may be created a day: a run that finds this
    version's commands installed, whoever installed them, sends no sync."""
    guild = emulator.add_guild("Dev")
    await run_briefly(emulator, tmp_path, caplog)
    assert syncs(emulator) == 1
    assert await run_briefly(emulator, tmp_path, caplog) == []
    assert syncs(emulator) == 1
    assert not [m for m in logged(caplog) if "slash commands" in m]
    # what `sync` installed (to the dev guild, then globally) reads as up to date too
    dev = settings(emulator, tmp_path, dev_guild_id=guild.id)
    assert await cmd_sync(dev, None, False) == 0
    assert await run_briefly(emulator, tmp_path, caplog, dev_guild_id=guild.id) == []
    assert syncs(emulator) == 2
    assert await cmd_sync(dev, None, True) == 0
    before = syncs(emulator)
    assert await run_briefly(emulator, tmp_path, caplog) == []
    # the commands are global and this version's: no copy is put in the dev guild
    assert await run_briefly(emulator, tmp_path, caplog, dev_guild_id=guild.id) == []
    assert syncs(emulator) == before
    assert emulator.commands.guild_commands[guild.id] == []


async def test_run_installs_a_set_that_lacks_a_subcommand(emulator, tmp_path, caplog):
    """An upgrade that adds a subcommand (/qotd edit) or changes an option leaves every
    command name installed: the shape of each command is compared, not only its name."""
    emulator.add_guild("Study group")
    assert await cmd_sync(settings(emulator, tmp_path), None, True) == 0
    drop_subcommand(emulator.commands.global_commands, "qotd", "edit")
    warned = await run_briefly(emulator, tmp_path, caplog, sync_on_start=False)
    assert warned == [
        "the slash commands installed on Discord are an older version's (changed: /qotd): "
        "run python -m bot sync"
    ]
    assert syncs(emulator) == 1
    # an option whose description changed, and a command this version no longer has
    quiz = next(c for c in emulator.commands.global_commands if c["name"] == "quiz")
    quiz["options"][0]["description"] = "an older wording"
    emulator.commands.global_commands.append(
        {**quiz, "name": "flashcards", "id": "1", "options": []}
    )
    warned = await run_briefly(emulator, tmp_path, caplog, sync_on_start=False)
    assert warned == [
        "the slash commands installed on Discord are an older version's "
        "(changed: /qotd, /quiz; not in this version: /flashcards): run python -m bot sync"
    ]
    assert await run_briefly(emulator, tmp_path, caplog) == []
    assert syncs(emulator) == 2
    installed = {c["name"]: c for c in emulator.commands.global_commands}
    assert "flashcards" not in installed
    assert "edit" in {o["name"] for o in installed["qotd"]["options"]}
    assert [m for m in logged(caplog) if "slash commands" in m] == [
        f"installed this version's {len(installed)} slash commands globally (Discord may "
        "take up to an hour to show them): Discord had an older version's "
        "(changed: /qotd, /quiz; not in this version: /flashcards)"
    ]
    assert await run_briefly(emulator, tmp_path, caplog) == []
    assert syncs(emulator) == 2


@pytest.mark.parametrize("status", [400, 403, 503])
async def test_a_sync_refused_at_start_leaves_the_bot_serving(
    emulator, tmp_path, caplog, status
):
    """Discord refusing the sync at start (its daily limit, a server the bot is not in)
    or failing (down) is said in the log, with the command to run, and the bot serves
    on with the commands already installed."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    assert await cmd_sync(settings(emulator, tmp_path), None, True) == 0
    drop_subcommand(emulator.commands.global_commands, "qotd", "edit")
    emulator.faults.add("PUT", r"/commands$", status=status, times=None)
    caplog.clear()
    task = asyncio.create_task(cmd_run(settings(emulator, tmp_path)))
    try:
        await emulator.wait_until(lambda: logged(caplog, "WARNING"), 10)
        [warning] = logged(caplog, "WARNING")
        assert warning.startswith(
            "could not install this version's slash commands on Discord "
            f"(changed: /qotd): {status} "
        ), warning
        assert warning.endswith(": run python -m bot sync (see the README)")
        assert "\n" not in warning
        answer = await alice.run("/help", channel=guild.general)
        assert answer.embed["title"] == "Recall"
        assert not task.done()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    emulator.violations.clear()


@pytest.mark.parametrize("where", ["login", "commands"])
async def test_sync_refused_by_discord_ends_with_a_clear_message(emulator, tmp_path, where):
    """Discord refusing a sync for another reason than a server the bot is not in (its
    limit of 200 command creations a day, say, a 400) or failing (a 503 while it is down)
    ended `sync` with a traceback: one line says what Discord answered."""
    if where == "login":
        emulator.faults.add("GET", r"/users/@me$", status=503, times=None)
        expected = r"^Discord is not answering as it should \(503 Service Unavailable.*\): .*try again later$"
    else:
        emulator.faults.add("PUT", r"/commands$", status=400, times=None)
        expected = r"^Discord refused the commands \(400 Bad Request.*\)"
    with pytest.raises(CliError, match=expected) as refused:
        await cmd_sync(settings(emulator, tmp_path), None, True)
    assert "\n" not in str(refused.value)
    emulator.violations.clear()


async def test_run_when_discord_fails_at_login_ends_with_a_clear_message(emulator, tmp_path):
    emulator.faults.add("GET", r"/users/@me$", status=503, times=None)
    with pytest.raises(CliError, match=r"^Discord is not answering as it should \(503 "):
        await cmd_run(settings(emulator, tmp_path))
    emulator.violations.clear()
