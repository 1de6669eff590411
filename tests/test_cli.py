"""The command line, run as a member of the team would run it: a separate process."""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_config import make_token

ROOT = Path(__file__).resolve().parent.parent


def recall(*args: str, cwd: Path, env: dict[str, str] | None = None):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("RECALL_", "DISCORD_"))}
    base["PYTHONPATH"] = str(ROOT)
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_works_offline_without_a_token(tmp_path):
    result = recall("check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "token not set" in result.stdout
    assert "flask: Flask interview prep" in result.stdout
    assert "python: Python interview prep" in result.stdout
    assert "sql: SQL interview prep" in result.stdout
    assert "pytest: Testing with pytest interview prep" in result.stdout
    assert "websec: Web application security interview prep" in result.stdout
    assert "asyncio: Async Python (asyncio) interview prep" in result.stdout
    assert "django: Django interview prep" in result.stdout
    assert "shell: Linux and the shell interview prep" in result.stdout
    assert "fastapi: FastAPI interview prep" in result.stdout
    assert "redis: Redis interview prep" in result.stdout
    assert "sqlalchemy: SQLAlchemy interview prep" in result.stdout
    assert "celery: Celery and background jobs interview prep" in result.stdout
    assert "postgres: PostgreSQL in production interview prep" in result.stdout
    assert (tmp_path / "recall.sqlite3").exists()
    again = recall("check", cwd=tmp_path)
    assert "+0 added" in again.stdout


def test_check_reads_dotenv(tmp_path):
    (tmp_path / ".env").write_text(f"DISCORD_TOKEN={make_token()}\nRECALL_DATABASE=data.sqlite3\n")
    result = recall("check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "token set" in result.stdout
    assert (tmp_path / "data.sqlite3").exists()


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({}, "DISCORD_TOKEN is not set. Put DISCORD_TOKEN=<your bot token> in .env"),
        ({"DISCORD_TOKEN": "not-a-token"}, "does not look like a bot token"),
        (
            {"DISCORD_TOKEN": make_token(), "RECALL_LOG_LEVEL": "chatty"},
            "RECALL_LOG_LEVEL: must be one of",
        ),
    ],
)
def test_run_with_bad_settings_ends_with_one_clear_line(tmp_path, env, fragment):
    result = recall("run", cwd=tmp_path, env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr


def test_check_rejects_a_malformed_token(tmp_path):
    result = recall("check", cwd=tmp_path, env={"DISCORD_TOKEN": "Bot abc"})
    assert result.returncode == 1
    assert "without the 'Bot ' prefix" in result.stderr


def test_damaged_database_is_named_and_untouched(tmp_path):
    db = tmp_path / "recall.sqlite3"
    db.write_bytes(b"garbage" * 1000)
    result = recall("check", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "recall: database recall.sqlite3 is damaged or not an SQLite file: restore it from a "
        "backup (python -m bot db backup makes one) or move it away to start afresh"
        " (the database file is set by RECALL_DATABASE)"
    )
    assert db.read_bytes() == b"garbage" * 1000


def _make_read_only(path: Path) -> None:
    """Read-only even for root: root ignores file modes, so it gets the immutable flag."""
    if os.geteuid() != 0:
        path.chmod(0o555 if path.is_dir() else 0o444)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode:
        pytest.skip("running as root without chattr: cannot make a file read-only")


def _make_writable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], check=False)
    path.chmod(0o755 if path.is_dir() else 0o644)


def test_read_only_database_is_named_and_untouched(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    assert recall("check", cwd=folder).returncode == 0
    db = folder / "recall.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=DELETE")  # no -wal/-shm left beside it
    conn.close()
    before = db.read_bytes()
    _make_read_only(db)
    _make_read_only(folder)
    try:
        result = recall("check", cwd=folder)
    finally:
        _make_writable(folder)
        _make_writable(db)
    assert result.returncode == 1
    assert "is read-only" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before


def test_a_broken_builtin_deck_fails_check_with_its_location(tmp_path, monkeypatch):
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "bad.yaml").write_text("slug: bad\nname: Bad\nquestions:\n  - id: x\n    prompt: [\n")
    code = (
        "import sys, bot.decks as d, pathlib; d.BUILTIN_DECKS_DIR = pathlib.Path(sys.argv[1]);"
        "import bot.cli as c; c.load_builtin_decks.__defaults__ = (d.BUILTIN_DECKS_DIR,);"
        "sys.exit(c.main(['check']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(decks)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"{decks / 'bad.yaml'}:6:" in result.stderr
    assert not (tmp_path / "recall.sqlite3").exists()


def test_backup_makes_a_consistent_copy(tmp_path):
    assert recall("check", cwd=tmp_path).returncode == 0
    result = recall("db", "backup", "copy.sqlite3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(tmp_path / "copy.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM questions").fetchone()[0] >= 40
    finally:
        conn.close()
    again = recall("db", "backup", "copy.sqlite3", cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_a_dotenv_that_is_not_utf8_ends_with_one_clear_line(tmp_path):
    (tmp_path / ".env").write_bytes(f"DISCORD_TOKEN={make_token()}\n".encode("utf-16"))
    result = recall("check", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert ".env is not UTF-8 text: save it as UTF-8" in lines[0]


@pytest.mark.parametrize("value", ["", "."])
def test_a_database_path_that_is_no_file_ends_with_one_clear_line(tmp_path, value):
    result = recall("check", cwd=tmp_path, env={"RECALL_DATABASE": value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("recall: RECALL_DATABASE: ")
    assert "recall.sqlite3" in lines[0]


def test_every_command_and_argument_says_what_it_is():
    """`recall --help` and each command's own --help say what the command does and what
    each argument is: `db backup --help` once showed a bare `path`, `run --help` nothing."""
    import argparse

    from bot.cli import build_parser

    missing: list[str] = []

    def walk(parser: argparse.ArgumentParser, name: str) -> None:
        if not parser.description:
            missing.append(f"{name} (description)")
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, subparser in action.choices.items():
                    walk(subparser, f"{name} {sub}")
            elif not action.help:
                missing.append(f"{name} {action.dest}")

    walk(build_parser(), "recall")
    assert missing == []


def test_help_names_the_settings_and_exit_codes(tmp_path):
    result = recall("--help", cwd=tmp_path)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert ".env" in text and "DISCORD_TOKEN" in text and "RECALL_DATABASE" in text
    assert "exit codes: 0 done, 1 a problem named on stderr, 2 a setting or argument" in text


def test_a_misspelt_setting_is_named_not_silently_ignored(tmp_path):
    """A setting under a name Recall does not read (RECALL_DEV_GUILD for
    RECALL_DEV_GUILD_ID) used to be dropped without a word, the bot then running on the
    default; it is named, with the setting meant, in the environment and in .env."""
    (tmp_path / ".env").write_text("RECALL_GRACE_HOURS=12\nRECALL_LOG_LEVEL=info\n")
    result = recall("check", cwd=tmp_path, env={"RECALL_DEV_GUILD": "123456789012345678"})
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "recall: warning: RECALL_DEV_GUILD is not a Recall setting and is ignored; "
        "did you mean RECALL_DEV_GUILD_ID?",
        "recall: warning: RECALL_GRACE_HOURS (in .env) is not a Recall setting and is "
        "ignored; did you mean RECALL_QOTD_GRACE_HOURS?",
    ]
    assert "settings: ok" in result.stdout


def test_make_run_with_env_example_copied_as_is_ends_with_one_clear_line(tmp_path):
    """README's first step, `cp .env.example .env`, with the token not filled in yet: the
    `check` that `make run` starts with passes, saying the token is not set, and `run` then
    ends with one line saying where to put it."""
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    checked = recall("check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "token not set" in checked.stdout and checked.stderr == ""
    result = recall("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "recall: DISCORD_TOKEN is not set. Put DISCORD_TOKEN=<your bot token> in .env\n"
    )
