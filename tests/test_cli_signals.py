"""`recall run` stops cleanly on SIGTERM (what `docker stop` and systemd send): the
gateway, the scheduler and the database are closed and it exits 0."""

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent

WRAPPER = (
    "import sys, yarl, discord; from discord.gateway import DiscordWebSocket;"
    "discord.http.Route.BASE = sys.argv[1];"
    "DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sys.argv[2]);"
    "from bot.cli import main; sys.exit(main(['run']))"
)


async def test_run_closes_on_sigterm(emulator, tmp_path):
    emulator.add_guild("Study group")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECALL_", "DISCORD_"))}
    env.update(PYTHONPATH=str(ROOT), DISCORD_TOKEN=emulator.bot_token)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WRAPPER, emulator.api_base, emulator.gateway_url,
        cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await emulator.wait_until(lambda: emulator.connects >= 1, within=20)
        await asyncio.sleep(0.5)  # past start-up
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 15)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        emulator.violations.clear()
    assert proc.returncode == 0, err.decode()[-800:]
    assert b"Traceback" not in err
    assert b"SIGTERM: closing" in err
    # `run` looks at the commands installed on Discord; none were (no `sync`), so it
    # installed them
    assert b"installed this version's" in err
    assert b"slash commands globally (Discord may take up to an hour to show them): Discord had none" in err
    assert emulator.commands.global_commands
    # The database was closed: SQLite removes the write-ahead log with the last connection.
    assert (tmp_path / "recall.sqlite3").exists()
    assert not (tmp_path / "recall.sqlite3-wal").exists()
