"""The command line ends with one clear line, never a traceback: folders that do not
exist, a database path that cannot be opened, Discord out of reach."""

import asyncio
import threading
import time

import discord
import pytest

from bot import cli
from bot.store import Store, StoreError
from tests.test_cli import recall
from tests.test_config import make_token


def test_backup_into_a_missing_folder_is_one_clear_line(tmp_path):
    assert recall("check", cwd=tmp_path).returncode == 0
    result = recall("db", "backup", "nofolder/copy.sqlite3", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("recall: "), result.stderr


def test_deck_export_into_a_missing_folder_is_one_clear_line(tmp_path):
    assert recall("check", cwd=tmp_path).returncode == 0
    result = recall("deck", "export", "--deck", "flask", "--out", "nofolder/f.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("recall: "), result.stderr


def test_database_path_that_cannot_be_opened_never_prints_a_traceback(tmp_path):
    # RECALL_DATABASE inside a regular file, which SQLite cannot open (a folder is refused
    # before the store is opened): one clear line, naming the variable. aiosqlite's thread
    # used to die, at times, after the event loop closed: tried a few times.
    (tmp_path / "afile").write_text("not a folder")
    for _ in range(8):
        result = recall("check", cwd=tmp_path, env={"RECALL_DATABASE": "afile/recall.sqlite3"})
        assert result.returncode == 1
        assert "Traceback" not in result.stderr, result.stderr
        assert result.stderr.strip().endswith("(the database file is set by RECALL_DATABASE)")


def test_run_when_discord_cannot_be_reached_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", make_token())
    monkeypatch.setattr(discord.http.Route, "BASE", "http://127.0.0.1:9/api/v10")  # closed port
    code = cli.main(["run"])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("recall: cannot reach Discord"), err


def test_a_store_that_cannot_open_leaves_no_thread_running(tmp_path):
    """aiosqlite stops its thread without waiting when a connection cannot open; the store
    waits for it, so its last callback never meets an event loop already closed."""
    errors: list[BaseException | None] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: errors.append(args.exc_value)
    try:
        for _ in range(60):
            with pytest.raises(StoreError, match="cannot open database"):
                asyncio.run(Store.open(tmp_path))  # a folder, not a file
        time.sleep(0.3)
    finally:
        threading.excepthook = previous
    assert errors == []


def test_output_read_only_in_part_ends_quietly(tmp_path):
    """``deck validate … | head``: the reader stops early, which is no network problem and
    no error worth a line; the exit code is a pipe's (141)."""
    import os
    import subprocess
    import sys

    from tests.test_cli import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECALL_", "DISCORD_"))}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "deck", "validate", str(ROOT / "data/decks/flask.yaml")],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # the report is far longer than a pipe holds
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert first.startswith(b"flask.yaml: yaml, ")
    assert err == "", err


def test_a_sqlite_too_old_for_the_queries_is_one_clear_line(tmp_path, monkeypatch, capsys):
    """A Python linked to an SQLite older than the queries need (3.35, for ``AS
    MATERIALIZED``) is refused at start, naming both versions, instead of failing in the
    middle of a /review."""
    import sqlite3

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.31.1")
    assert cli.main(["check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("recall: Recall needs SQLite 3.35.0 or newer"), err
    assert "3.31.1" in err
    assert not (tmp_path / "recall.sqlite3").exists()


@pytest.mark.parametrize("value", ["0", "-5", str(2**64)])
def test_sync_to_a_guild_that_is_no_server_id_is_refused_not_synced_globally(
    tmp_path, monkeypatch, capsys, value
):
    """`sync --guild 0` (or any other number that is no server id) once fell back to
    RECALL_DEV_GUILD_ID or, without it, installed the commands in every server."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", make_token())
    monkeypatch.setattr(discord.http.Route, "BASE", "http://127.0.0.1:9/api/v10")  # closed port
    with pytest.raises(SystemExit) as ended:
        cli.main(["sync", "--guild", value])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --guild: {value!r} is not a server id" in err, err


@pytest.mark.parametrize(
    "args",
    [
        ("deck", "import", "mine.csv", "--deck", "Mine", "--guild", str(2**64)),
        ("deck", "export", "--deck", "flask", "--guild", str(2**64)),
        ("deck", "export", "--deck", "flask", "--guild", "-3"),
    ],
)
def test_a_deck_guild_that_is_no_server_id_is_one_clear_line(tmp_path, args):
    assert recall("check", cwd=tmp_path).returncode == 0
    (tmp_path / "mine.csv").write_text("question,answer\nWhat is WSGI?,A protocol.\n")
    result = recall(*args, cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, result.stderr
    assert "argument --guild: " in result.stderr and "is not a server id" in result.stderr


def test_a_backup_that_cannot_be_written_is_one_clear_line(tmp_path):
    """A backup file SQLite cannot create (a folder the bot's user may not write to, as
    /app in the Docker image; here a link into a folder that does not exist, which holds
    for root too) ends with one line naming the backup, not the database."""
    assert recall("check", cwd=tmp_path).returncode == 0
    (tmp_path / "copy.sqlite3").symlink_to(tmp_path / "gone" / "copy.sqlite3")
    result = recall("db", "backup", "copy.sqlite3", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    assert result.stderr.startswith("recall: cannot write the backup to copy.sqlite3 ("), (
        result.stderr
    )
    assert "RECALL_DATABASE" not in result.stderr
    assert not (tmp_path / "gone").exists()


@pytest.mark.parametrize(
    "args", [("deck", "export", "--deck", "flask"), ("db", "backup", "copy.sqlite3")]
)
def test_a_command_needing_the_database_says_how_to_make_it(tmp_path, args):
    """On a fresh clone `deck export` (of a built-in deck, too) and `db backup` need the
    database first: they say how to create it."""
    result = recall(*args, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "recall: database recall.sqlite3 does not exist yet: python -m bot check creates "
        "it, or set RECALL_DATABASE to the bot's database\n"
    )
    assert not (tmp_path / "recall.sqlite3").exists()


def test_run_says_nothing_about_voice(tmp_path):
    """Recall never joins a voice channel: a start without PyNaCl or davey installed (the
    usual case) used to print two WARNING lines, 'voice will NOT be supported', that read
    as something to fix. What is left on stderr is the line about Discord."""
    import os
    import subprocess
    import sys

    from tests.test_cli import ROOT

    code = (
        "import sys, discord; discord.http.Route.BASE = 'http://127.0.0.1:9/api/v10';"
        "from bot.cli import main; sys.exit(main(['run']))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECALL_", "DISCORD_"))}
    env.update(PYTHONPATH=str(ROOT), DISCORD_TOKEN=make_token())
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "voice" not in result.stderr, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("recall: cannot reach Discord")


def test_an_import_into_a_new_deck_that_fails_leaves_no_empty_deck(
    tmp_path, monkeypatch, capsys
):
    """The new deck and its questions are one transaction: a write that fails while the
    questions go in (the disk full, say) leaves no empty deck behind to clash with the
    name when the import is run again."""
    import sqlite3

    from bot.store import bank

    monkeypatch.chdir(tmp_path)
    (tmp_path / "q.csv").write_text("question,answer\nWhat is WSGI?,A calling convention.\n")
    assert cli.main(["check"]) == 0

    async def disk_full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(bank, "_insert", disk_full)
    assert cli.main(["deck", "import", "q.csv", "--guild", "5", "--deck", "Mine"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "recall: the disk holding recall.sqlite3 is full: free some space "
        "(the database file is set by RECALL_DATABASE)\n"
    )
    with sqlite3.connect(tmp_path / "recall.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM decks WHERE guild_id = 5").fetchone() == (0,)
    monkeypatch.undo()  # the disk has room again: the same command now works
    monkeypatch.chdir(tmp_path)
    assert cli.main(["deck", "import", "q.csv", "--guild", "5", "--deck", "Mine"]) == 0
    assert "imported 1 question from q.csv into Mine (mine) (new deck)" in capsys.readouterr().out
