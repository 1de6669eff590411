"""`python -m bot deck validate | import | export`, run as separate processes (the further
steps of a long test run in the test's own process: see ``recall_here``)."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot import cli
from tests.test_cli import recall

Run = Callable[..., "subprocess.CompletedProcess[str]"]

ROOT = Path(__file__).resolve().parent.parent
MALFORMED = ROOT / "tests" / "data" / "malformed"

CSV = (
    "question,answer,key_points,tags,options\n"
    'What is WSGI?,A calling convention.,"servers\ncall apps",python,\n'
    'Which is async?,ASGI,,python,"WSGI\n*ASGI"\n'
    "=1+1,Two,,maths,\n"
)


@pytest.fixture
def recall_here(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    """`python -m bot ARGS` run in this process, as ``recall`` runs it in a new one: for the
    further steps of a test whose first ones ran as separate processes, where starting Python
    again for each step would test nothing more and take most of the test's time. The log
    levels ``cli.main`` sets are put back afterwards."""
    for name in list(os.environ):
        if name.startswith(("RECALL_", "DISCORD_")):
            monkeypatch.delenv(name)
    loggers = [logging.getLogger(name) for name in ("discord.http", "apscheduler")]
    levels = [logger.level for logger in loggers]

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    yield run
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def test_validate_prints_every_field(tmp_path: Path) -> None:
    (tmp_path / "q.csv").write_text(CSV)
    result = recall("deck", "validate", "q.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("q.csv: csv, 3 questions, 0 warnings, 0 errors")
    assert "1. [what-is-wsgi-" in out and "] What is WSGI?" in out
    assert "   key point: servers\n   key point: call apps" in out
    assert "   option:   WSGI\n   option: * ASGI" in out
    assert "   tags: maths" in out
    assert not (tmp_path / "recall.sqlite3").exists()  # no database needed


def test_a_folder_given_for_the_file_is_one_line_naming_it(tmp_path: Path) -> None:
    for command in (("deck", "validate", "."), ("deck", "import", ".", "--guild", "5",
                                                 "--deck", "Mine")):
        result = recall(*command, cwd=tmp_path)
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr == "recall: . is a folder: give the deck file inside it\n"


def test_validate_json_and_errors(tmp_path: Path) -> None:
    bad = MALFORMED / "csv_bad_difficulty.csv"
    result = recall("deck", "validate", str(bad), "--json", cwd=tmp_path)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["questions"] == []
    assert report["errors"][0]["line"] is not None
    human = recall("deck", "validate", str(bad), cwd=tmp_path)
    assert human.returncode == 1
    assert "error: csv_bad_difficulty.csv:" in human.stderr


def test_import_then_export_every_format(tmp_path: Path, recall_here: Run) -> None:
    (tmp_path / "q.csv").write_text(CSV)
    imported = recall(
        "deck", "import", "q.csv", "--guild", "5", "--deck", "Team Deck", cwd=tmp_path
    )
    assert imported.returncode == 0, imported.stderr
    assert (
        "imported 3 questions from q.csv into Team Deck (team-deck) (new deck) in server 5"
        in imported.stdout
    )
    again = recall("deck", "import", "q.csv", "--guild", "5", "--deck", "team-deck", cwd=tmp_path)
    assert again.returncode == 1
    assert "Nothing to import: all 3 questions in q.csv are already in the deck" in again.stderr

    db = sqlite3.connect(tmp_path / "recall.sqlite3")
    rows = db.execute(
        "SELECT q.prompt FROM questions q JOIN decks d ON d.id = q.deck_id WHERE d.slug = 'team-deck'"
    ).fetchall()
    db.close()
    assert sorted(r[0] for r in rows) == ["=1+1", "What is WSGI?", "Which is async?"]

    for fmt, ext in (("yaml", "yaml"), ("json", "json"), ("csv", "csv"), ("markdown", "md")):
        out = recall_here(
            "deck", "export", "--guild", "5", "--deck", "team-deck", "--format", fmt, cwd=tmp_path
        )
        assert out.returncode == 0, out.stderr
        path = tmp_path / f"team-deck.{ext}"
        assert path.exists()
        back = recall_here(
            "deck", "import", str(path), "--guild", "5", "--deck", f"Copy {fmt}", cwd=tmp_path
        )
        assert "imported 3 questions" in back.stdout, back.stderr
    csv_text = (tmp_path / "team-deck.csv").read_text(encoding="utf-8-sig")
    assert "\n'=1+1," in csv_text  # a formula is neutralised

    exists = recall_here("deck", "export", "--guild", "5", "--deck", "team-deck", cwd=tmp_path)
    assert exists.returncode == 1 and "already exists" in exists.stderr
    stdout = recall(
        "deck", "export", "--deck", "flask", "--format", "json", "--out", "-", cwd=tmp_path
    )
    assert len(json.loads(stdout.stdout)["questions"]) == 72


def test_import_refusals_leave_the_database_alone(tmp_path: Path) -> None:
    bad = MALFORMED / "csv_bad_difficulty.csv"
    (tmp_path / "q.csv").write_text(CSV)
    assert (
        recall("deck", "import", "q.csv", "--guild", "5", "--deck", "d", cwd=tmp_path).returncode
        == 0
    )
    before = (tmp_path / "recall.sqlite3").read_bytes()
    refused = recall("deck", "import", str(bad), "--guild", "5", "--deck", "d", cwd=tmp_path)
    assert refused.returncode == 1
    assert "nothing was imported: csv_bad_difficulty.csv has 1 problem" in refused.stderr
    builtin = recall("deck", "import", "q.csv", "--guild", "5", "--deck", "flask", cwd=tmp_path)
    assert builtin.returncode == 1 and "built-in deck" in builtin.stderr
    assert (tmp_path / "recall.sqlite3").read_bytes() == before


def test_a_deck_grown_past_the_import_limits_exports_in_files_that_import_back(
    tmp_path: Path, recall_here: Run
) -> None:
    """Two imports within the limits make a deck one import could not take; its export is
    several files, each of which imports, and together they give the deck back."""
    for start in (0, 300):
        rows = "".join(f"Question {i}?,Answer {i}.\n" for i in range(start, start + 300))
        (tmp_path / f"q{start}.csv").write_text("question,answer\n" + rows)
        made = recall(
            "deck", "import", f"q{start}.csv", "--guild", "5", "--deck", "Big", cwd=tmp_path
        )
        assert made.returncode == 0, made.stderr
    out = recall("deck", "export", "--guild", "5", "--deck", "big", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "exported 600 questions of Big (big) to big-1-of-2.yaml, big-2-of-2.yaml" in out.stdout
    assert "one import takes at most 500 questions" in out.stdout
    assert not (tmp_path / "big.yaml").exists()
    for name in ("big-1-of-2.yaml", "big-2-of-2.yaml"):
        back = recall_here("deck", "import", name, "--guild", "5", "--deck", "Copy", cwd=tmp_path)
        assert back.returncode == 0, back.stderr
    db = sqlite3.connect(tmp_path / "recall.sqlite3")
    counts = dict(
        db.execute(
            "SELECT d.slug, count(*) FROM questions q JOIN decks d ON d.id = q.deck_id "
            "WHERE d.slug IN ('big', 'copy') GROUP BY d.slug"
        ).fetchall()
    )
    db.close()
    assert counts == {"big": 600, "copy": 600}
    again = recall_here("deck", "export", "--guild", "5", "--deck", "big", cwd=tmp_path)
    assert again.returncode == 1 and "big-1-of-2.yaml already exists" in again.stderr
    piped = recall_here(
        "deck", "export", "--guild", "5", "--deck", "big", "--out", "-", cwd=tmp_path
    )
    assert piped.returncode == 1
    assert "too big for one import file" in piped.stderr and "--out" in piped.stderr


def test_a_new_deck_made_by_an_import_keeps_the_files_description(tmp_path: Path) -> None:
    """An export carries the deck's description: importing it into a new deck (another
    server's copy) keeps it, instead of a deck without one; an existing deck keeps its own."""
    (tmp_path / "d.yaml").write_text(
        "slug: team\nname: Team\ndescription: Questions our team asks.\n"
        "questions:\n  - prompt: What is WSGI?\n    answer: A calling convention.\n"
    )
    made = recall("deck", "import", "d.yaml", "--guild", "5", "--deck", "Copy", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    (tmp_path / "e.yaml").write_text(
        "description: Another text.\n"
        "questions:\n  - prompt: What is ASGI?\n    answer: Async.\n"
    )
    more = recall("deck", "import", "e.yaml", "--guild", "5", "--deck", "copy", cwd=tmp_path)
    assert more.returncode == 0, more.stderr
    db = sqlite3.connect(tmp_path / "recall.sqlite3")
    rows = db.execute("SELECT name, description FROM decks WHERE guild_id = 5").fetchall()
    db.close()
    assert rows == [("Copy", "Questions our team asks.")]


def test_a_file_too_big_to_import_is_refused_in_words(tmp_path: Path) -> None:
    """As /question import says it: sizes a person reads, and what to do."""
    (tmp_path / "big.csv").write_bytes(b"question,answer\n" + b"x" * (3 * 1024 * 1024))
    refused = recall("deck", "import", "big.csv", "--guild", "5", "--deck", "d", cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "recall: Nothing was imported: big.csv is 3.0 MiB, and an import may be at most "
        "1.0 MiB. Split the file into smaller ones."
    )


def test_one_question_warning_or_error_is_counted_in_the_singular(
    tmp_path: Path, recall_here: Run
) -> None:
    (tmp_path / "one.csv").write_text("question,answer\nWhat is WSGI?,A calling convention.\n")
    # A key point cut short by a comment: one warning.
    (tmp_path / "warned.yaml").write_text(
        "questions:\n  - prompt: What is ASGI?\n    answer: An async calling convention.\n"
        "    key_points:\n      - async # and sync\n"
    )
    (tmp_path / "broken.csv").write_text("question,answer\nWhat is WSGI?,\n")
    warned = recall_here("deck", "validate", "warned.yaml", cwd=tmp_path)
    assert warned.stdout.startswith("warned.yaml: yaml, 1 question, 1 warning, 0 errors"), (
        warned.stdout
    )
    broken = recall_here("deck", "validate", "broken.csv", cwd=tmp_path)
    assert broken.stdout.startswith("broken.csv: csv, 0 questions, 0 warnings, 1 error"), (
        broken.stdout
    )
    imported = recall_here(
        "deck", "import", "one.csv", "--guild", "5", "--deck", "Mine", cwd=tmp_path
    )
    assert imported.stdout.startswith(
        "imported 1 question from one.csv into Mine (mine) (new deck) in server 5"
    ), imported.stdout
    exported = recall_here("deck", "export", "--guild", "5", "--deck", "mine", cwd=tmp_path)
    assert exported.stdout.startswith("exported 1 question of Mine (mine) to mine.yaml"), (
        exported.stdout
    )


def test_exporting_a_deck_not_found_says_which_decks_there_are(
    tmp_path: Path, recall_here: Run
) -> None:
    """A server's own deck asked for without --guild is looked for among the built-in
    decks: the refusal says so and how to name the server, not "in server 0"; one not
    found in a server lists its decks, or says it has none (a mistyped server id)."""
    (tmp_path / "one.csv").write_text("question,answer\nWhat is WSGI?,A calling convention.\n")
    recall_here("deck", "import", "one.csv", "--guild", "5", "--deck", "Mine", cwd=tmp_path)
    no_guild = recall_here("deck", "export", "--deck", "mine", cwd=tmp_path)
    assert no_guild.returncode == 1
    assert no_guild.stderr.startswith(
        "recall: there is no built-in deck 'mine'; for a server's own deck, give --guild "
        "with the server's id. Built-in decks: algorithms, "
    ), no_guild.stderr
    assert ", flask, " in no_guild.stderr and "mine" not in no_guild.stderr.split("decks:")[1]
    wrong = recall_here("deck", "export", "--guild", "5", "--deck", "yours", cwd=tmp_path)
    assert wrong.returncode == 1
    assert wrong.stderr.startswith(
        "recall: there is no deck 'yours' in server 5. Its decks: mine, then the built-in "
        "algorithms, "
    ), wrong.stderr
    other = recall_here("deck", "export", "--guild", "6", "--deck", "mine", cwd=tmp_path)
    assert other.stderr.startswith(
        "recall: there is no deck 'mine' in server 6, which has no decks of its own (check "
        "the server id). Built-in decks: algorithms, "
    ), other.stderr


def test_exporting_an_empty_deck_is_refused_as_in_discord(
    tmp_path: Path, recall_here: Run
) -> None:
    """A deck with no questions (all removed, or none added yet) would be a file no import
    takes ("no questions to import"): refused, as /question export refuses it, and no file
    is written."""
    (tmp_path / "one.csv").write_text("question,answer\nWhat is WSGI?,A calling convention.\n")
    recall_here("deck", "import", "one.csv", "--guild", "5", "--deck", "Mine", cwd=tmp_path)
    with sqlite3.connect(tmp_path / "recall.sqlite3") as conn:
        conn.execute("UPDATE questions SET removed_at = created_at WHERE deck_id IN "
                     "(SELECT id FROM decks WHERE slug = 'mine')")
    conn.close()
    for out in ("-", "mine.yaml"):
        empty = recall_here("deck", "export", "--guild", "5", "--deck", "mine", "--out", out,
                            cwd=tmp_path)
        assert empty.returncode == 1
        assert empty.stdout == ""
        assert empty.stderr == "recall: Mine (mine) has no questions to export yet\n"
    assert not (tmp_path / "mine.yaml").exists()


def test_an_out_file_named_for_another_format_is_refused(tmp_path: Path, recall_here: Run) -> None:
    """An import reads a file by its extension: YAML written to flask.csv would be read as a
    CSV sheet and refused. The export is refused instead, saying what to give, and no file
    is written; a name that says nothing of the format, or text for CSV or Markdown
    (which an import reads as such), is written and imports back."""
    assert recall_here("check", cwd=tmp_path).returncode == 0
    for out, fmt in (("flask.csv", "yaml"), ("flask.yml", "json"), ("flask.txt", "json"),
                     ("flask.md", "csv"), ("flask.json", "markdown")):
        wrong = recall_here(
            "deck", "export", "--deck", "flask", "--format", fmt, "--out", out, cwd=tmp_path
        )
        assert wrong.returncode == 1
        assert wrong.stderr.startswith(f"recall: --out {out} names a "), wrong.stderr
        assert f"but --format is {fmt}: give " in wrong.stderr, wrong.stderr
        assert not (tmp_path / out).exists()
    for out, fmt in (("flask.yml", "yaml"), ("flask.txt", "csv"), ("flask.text", "markdown"),
                     ("flask", "json"), ("flask.deck", "yaml")):
        written = recall_here(
            "deck", "export", "--deck", "flask", "--format", fmt, "--out", out, cwd=tmp_path
        )
        assert written.returncode == 0, written.stderr
        back = recall_here(
            "deck", "import", out, "--guild", "5", "--deck", f"Copy {out}", cwd=tmp_path
        )
        assert "imported 72 questions" in back.stdout, back.stderr
