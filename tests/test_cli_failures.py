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
