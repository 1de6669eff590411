"""Deck files: every shipped deck is valid and fits Discord; bad decks are located."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.decks import (
    DeckError,
    builtin_deck_paths,
    load_builtin_decks,
    load_deck_file,
    load_deck_text,
)
from bot.questions import KEY_POINT_MAX, Deck, Question
from bot.text import _open_code
from cogs import ui

GOOD = """\
slug: demo
name: Demo
questions:
  - id: q1
    prompt: What is a context?
    answer: A scope.
    key_points: [one, two, three]
"""


def test_shipped_decks_load():
    decks = load_builtin_decks()
    assert decks, "at least one built-in deck ships"
    assert len({d.slug for d in decks}) == len(decks)


def test_the_built_in_decks_read_as_the_strict_parser_reads_them():
    """Built-in decks are parsed with libyaml for a quick start: the decks are the ones
    PyYAML's own parser (which every uploaded deck goes through) makes of the files."""
    assert load_builtin_decks() == [load_deck_file(path) for path in builtin_deck_paths()]


def test_the_built_in_decks_ship():
    assert {d.slug: d.name for d in load_builtin_decks()} == {
        "algorithms": "Algorithms and data structures interview prep",
        "asyncio": "Async Python (asyncio) interview prep",
        "celery": "Celery and background jobs interview prep",
        "django": "Django interview prep",
        "fastapi": "FastAPI interview prep",
        "flask": "Flask interview prep",
        "git": "Git interview prep",
        "http": "HTTP and REST APIs interview prep",
        "postgres": "PostgreSQL in production interview prep",
        "pytest": "Testing with pytest interview prep",
        "python": "Python interview prep",
        "redis": "Redis interview prep",
        "shell": "Linux and the shell interview prep",
        "sql": "SQL interview prep",
        "sqlalchemy": "SQLAlchemy interview prep",
        "websec": "Web application security interview prep",
    }


def _assert_meets_the_brief(
    deck: Deck, *, questions: range, min_multiple_choice: int
):
    assert len(deck.questions) in questions
    mc = [q for q in deck.questions if q.options]
    assert len(mc) >= min_multiple_choice
    for q in deck.questions:
        assert q.id.startswith(f"{deck.slug}-"), q.id
        assert q.why, q.id
        assert 3 <= len(q.key_points) <= 5, q.id
        assert q.answer, q.id
        assert q.tags, q.id
    for q in mc:
        assert len(q.options) == 4, q.id
        assert sum(o.correct for o in q.options) == 1, q.id
    # every difficulty is represented
    assert {q.difficulty.value for q in deck.questions} == {"easy", "medium", "hard"}


def test_flask_deck_meets_the_brief():
    decks = {d.slug: d for d in load_builtin_decks()}
    flask = decks["flask"]
    assert flask.name == "Flask interview prep"
    _assert_meets_the_brief(flask, questions=range(40, 1000), min_multiple_choice=10)


PYTHON_AREAS = ["data-model", "mutability", "scopes", "generators", "decorators", "exceptions"]
PYTHON_AREAS += ["classes", "typing", "concurrency", "asyncio", "memory", "hashing", "testing"]
SQL_AREAS = ["joins", "nulls", "aggregation", "subqueries", "ctes", "window-functions"]
SQL_AREAS += ["set-operations", "indexes", "explain", "transactions", "isolation", "locking"]
SQL_AREAS += ["normalization", "keys", "constraints", "postgresql"]
GIT_AREAS = ["objects", "refs", "index", "branches", "merging", "conflicts", "rebase", "undo"]
GIT_AREAS += ["reflog", "stash", "remotes", "push", "ignore", "history-search", "bisect"]
GIT_AREAS += ["history-rewriting", "workflows"]
HTTP_AREAS = ["methods", "idempotency", "status-codes", "redirects", "headers", "caching"]
HTTP_AREAS += ["conditional-requests", "content-negotiation", "cookies", "cors", "auth", "tls"]
HTTP_AREAS += ["http-versions", "rest", "pagination", "errors", "rate-limiting", "security"]
ALGO_AREAS = ["big-o", "amortised", "arrays", "hashing", "linked-lists", "stacks-queues"]
ALGO_AREAS += ["heaps", "binary-search", "sorting", "two-pointers", "sliding-window"]
ALGO_AREAS += ["recursion", "memoisation", "dynamic-programming", "greedy", "trees", "bst"]
ALGO_AREAS += ["traversals", "tries", "graphs", "bfs-dfs", "shortest-paths", "topological-sort"]
ALGO_AREAS += ["cycle-detection", "union-find", "bit-manipulation"]
PYTEST_AREAS = ["fixtures", "builtin-fixtures", "parametrize", "marks", "assertions"]
PYTEST_AREAS += ["discovery", "cli", "plugins", "mocking", "flask", "coverage", "test-doubles"]
PYTEST_AREAS += ["flaky-tests", "hypothesis", "asyncio"]
WEBSEC_AREAS = ["xss", "csrf", "sql-injection", "passwords", "sessions", "auth"]
WEBSEC_AREAS += ["access-control", "jwt", "cors", "csp", "clickjacking", "redirects", "ssrf"]
WEBSEC_AREAS += ["path-traversal", "uploads", "secrets", "dependencies", "rate-limiting", "tls"]
WEBSEC_AREAS += ["timing-attacks", "deserialisation", "logging"]
ASYNCIO_AREAS = ["coroutines", "tasks", "event-loop", "gather", "taskgroup", "timeouts"]
ASYNCIO_AREAS += ["cancellation", "executors", "synchronisation", "queues", "backpressure"]
ASYNCIO_AREAS += ["async-generators", "context-managers", "debugging", "shutdown", "contextvars"]
ASYNCIO_AREAS += ["threads", "testing", "frameworks"]
DJANGO_AREAS = ["project", "settings", "middleware", "routing", "views", "cbv", "orm"]
DJANGO_AREAS += ["queryset", "performance", "expressions", "bulk", "transactions"]
DJANGO_AREAS += ["concurrency", "migrations", "models", "validation", "forms", "templates"]
DJANGO_AREAS += ["admin", "auth", "sessions", "csrf", "security", "caching", "signals"]
DJANGO_AREAS += ["async", "testing", "static", "deployment"]
SHELL_AREAS = ["signals", "processes", "exit-codes", "containers", "services", "redirection"]
SHELL_AREAS += ["pipes", "strict-mode", "quoting", "globbing", "subshells", "here-docs"]
SHELL_AREAS += ["xargs-find", "text-processing", "permissions", "users", "environment", "path"]
SHELL_AREAS += ["filesystems", "disk", "memory", "debugging", "networking", "cron", "archives"]
SHELL_AREAS += ["scripting"]
FASTAPI_AREAS = ["parameters", "validation", "pydantic", "response-model", "dependencies"]
FASTAPI_AREAS += ["yield-dependencies", "async", "threadpool", "background-tasks", "lifespan"]
FASTAPI_AREAS += ["middleware", "cors", "errors", "routers", "security", "status-codes"]
FASTAPI_AREAS += ["responses", "websockets", "testing", "openapi", "settings", "database"]
FASTAPI_AREAS += ["deployment"]
REDIS_AREAS = ["data-types", "strings", "hashes", "sorted-sets", "keys", "expiry", "eviction"]
REDIS_AREAS += ["memory", "caching", "atomicity", "transactions", "pipelining", "scripting"]
REDIS_AREAS += ["locks", "queues", "streams", "persistence", "replication", "cluster"]
REDIS_AREAS += ["latency", "debugging", "clients", "rate-limiting", "security"]
SQLALCHEMY_AREAS = ["engine", "pooling", "session", "identity-map", "unit-of-work", "autoflush"]
SQLALCHEMY_AREAS += ["expiry", "sessionmaker", "scoped-session", "web-frameworks", "mapping"]
SQLALCHEMY_AREAS += ["relationships", "cascades", "lazy-loading", "n-plus-one", "eager-loading"]
SQLALCHEMY_AREAS += ["select", "core", "bulk", "transactions", "savepoints", "isolation"]
SQLALCHEMY_AREAS += ["concurrency", "locking", "events", "alembic", "async", "testing"]
SQLALCHEMY_AREAS += ["security", "logging"]
CELERY_AREAS = ["brokers", "results", "serialization", "calling", "acks", "visibility-timeout"]
CELERY_AREAS += ["prefetch", "idempotency", "retries", "time-limits", "routing", "pools"]
CELERY_AREAS += ["memory", "canvas", "chords", "beat", "crontab", "transactions", "revoking"]
CELERY_AREAS += ["monitoring", "shutdown", "testing", "rate-limits", "signals", "logging"]
CELERY_AREAS += ["configuration", "django", "flask"]
POSTGRES_AREAS = ["mvcc", "vacuum", "autovacuum", "bloat", "hot-updates", "wraparound"]
POSTGRES_AREAS += ["long-transactions", "wal", "durability", "backups", "replication"]
POSTGRES_AREAS += ["logical-replication", "connections", "pgbouncer", "listen-notify"]
POSTGRES_AREAS += ["migrations", "locks", "timeouts", "indexes", "statistics", "explain"]
POSTGRES_AREAS += ["monitoring", "sequences", "queues", "advisory-locks", "partitioning"]


@pytest.mark.parametrize(
    ("slug", "name", "questions", "min_mc", "areas"),
    [
        ("python", "Python interview prep", range(45, 51), 15, PYTHON_AREAS),
        ("sql", "SQL interview prep", range(40, 46), 12, SQL_AREAS),
        ("git", "Git interview prep", range(40, 46), 12, GIT_AREAS),
        ("http", "HTTP and REST APIs interview prep", range(40, 46), 12, HTTP_AREAS),
        (
            "algorithms",
            "Algorithms and data structures interview prep",
            range(40, 46),
            12,
            ALGO_AREAS,
        ),
        ("pytest", "Testing with pytest interview prep", range(40, 46), 12, PYTEST_AREAS),
        ("websec", "Web application security interview prep", range(40, 46), 12, WEBSEC_AREAS),
        ("asyncio", "Async Python (asyncio) interview prep", range(40, 46), 12, ASYNCIO_AREAS),
        ("django", "Django interview prep", range(40, 46), 12, DJANGO_AREAS),
        ("shell", "Linux and the shell interview prep", range(40, 46), 12, SHELL_AREAS),
        ("fastapi", "FastAPI interview prep", range(40, 46), 12, FASTAPI_AREAS),
        ("redis", "Redis interview prep", range(40, 46), 12, REDIS_AREAS),
        ("sqlalchemy", "SQLAlchemy interview prep", range(40, 46), 12, SQLALCHEMY_AREAS),
        (
            "celery",
            "Celery and background jobs interview prep",
            range(40, 46),
            14,
            CELERY_AREAS,
        ),
        (
            "postgres",
            "PostgreSQL in production interview prep",
            range(40, 46),
            14,
            POSTGRES_AREAS,
        ),
    ],
)
def test_newer_decks_meet_the_brief(slug, name, questions, min_mc, areas):
    deck = {d.slug: d for d in load_builtin_decks()}[slug]
    assert deck.name == name
    _assert_meets_the_brief(deck, questions=questions, min_multiple_choice=min_mc)
    # about a third multiple choice
    mc = sum(1 for q in deck.questions if q.options)
    assert 0.25 <= mc / len(deck.questions) <= 0.4
    # the right option is not always in the same place
    assert len({q.correct_index for q in deck.questions if q.options}) >= 3
    # tags name the areas of the deck, each shared by a few questions
    tags = [tag for q in deck.questions for tag in q.tags]
    for area in areas:
        assert tags.count(area) >= 2, area


def _assert_fits(embed):
    assert len(embed) <= ui.EMBED_TOTAL
    assert len(embed.title or "") <= ui.EMBED_TITLE
    assert len(embed.description or "") <= ui.EMBED_DESCRIPTION
    assert len(embed.fields) <= ui.FIELDS
    for field in embed.fields:
        assert 0 < len(field.value) <= ui.FIELD_VALUE
        assert len(field.name) <= ui.FIELD_NAME


def render_all(q: Question, qid: int = 1, deck_name: str = "Deck"):
    yield ui.question_embed(
        question_id=qid,
        deck_name=deck_name,
        prompt=q.prompt,
        tags=q.tags,
        difficulty=q.difficulty.value,
        options=[o.text for o in q.options],
        title="Question of the day #9999",
        footer="12 members answered",
    )
    yield ui.answer_embed(
        question_id=qid,
        prompt=q.prompt,
        key_points=q.key_points,
        answer=q.answer,
        verdict="✅ Right: B",
        # as a multiple-choice review card's answer is shown
        footer=f"Counts as Again — “{q.prompt}” comes back in 1 min",
    )
    if q.why:
        yield ui.hint_embed(prompt=q.prompt, why=q.why)


@pytest.mark.parametrize("path", builtin_deck_paths(), ids=lambda p: p.name)
def test_every_shipped_question_fits_discord_when_rendered(path: Path):
    deck = load_deck_file(path)
    for q in deck.questions:
        for embed in render_all(q, deck_name=deck.name):
            _assert_fits(embed)
            # nothing of a shipped question is trimmed
            assert "trimmed" not in (embed.description or ""), q.id
        for option in q.options:
            assert len(option.text) <= ui.BUTTON_LABEL


@pytest.mark.parametrize("path", builtin_deck_paths(), ids=lambda p: p.name)
def test_every_shipped_code_span_is_closed(path: Path):
    """A backtick left open pairs with the next one Discord finds (and an Anki export with
    it), so the rest of the text shows code as prose and prose as code. A text that quotes a
    backtick does so inside a span of two (``like `this'``)."""
    for q in load_deck_file(path).questions:
        texts = [q.prompt, q.why, q.answer, *q.key_points, *(o.text for o in q.options)]
        for text in texts:
            opened = _open_code(text)
            assert opened is None, (q.id, text[max(0, opened.start() - 40) : opened.end() + 40])


def test_the_longest_question_a_deck_may_hold_is_trimmed_not_broken():
    from bot import questions as limits

    q = Question(
        id="longest",
        prompt="P" * limits.PROMPT_MAX,
        why="W" * limits.WHY_MAX,
        key_points=["K" * KEY_POINT_MAX] * limits.KEY_POINTS_MAX,
        answer="A" * limits.ANSWER_MAX,
        options=[
            {"text": f"{i}" + "o" * (limits.OPTION_MAX - 1), "correct": i == 0}
            for i in range(limits.OPTIONS_MAX)
        ],
        tags=[f"tag-{i}" + "x" * 20 for i in range(limits.TAGS_MAX)],
    )
    embeds = list(render_all(q, qid=77, deck_name="D" * 80))
    for embed in embeds:
        _assert_fits(embed)
    answer = embeds[1]
    assert "/question show id:77" in answer.description  # trimmed with a pointer to the full text
    assert sum(len(f.value) for f in answer.fields) >= KEY_POINT_MAX * limits.KEY_POINTS_MAX


def test_good_deck_loads():
    deck = load_deck_text(GOOD, "demo.yaml")
    assert deck.questions[0].key_points == ["one", "two", "three"]


@pytest.mark.parametrize(
    ("text", "line", "field", "fragment"),
    [
        (GOOD.replace("answer: A scope.", "answer: ''"), 6, "questions[0].answer", "at least 1"),
        (GOOD.replace("id: q1", "id: Q 1"), 4, "questions[0].id", "pattern"),
        (GOOD + "    difficulty: brutal\n", 8, "questions[0].difficulty", "easy"),
        (
            # at the options, as `deck validate` and /question import say it, not the question
            GOOD + "    options: [{text: a, correct: true}, {text: b, correct: true}]\n",
            8,
            "questions[0].options",
            "exactly one",
        ),
        (
            GOOD + "    options:\n      - text: a\n        correct: true\n",
            9,
            "questions[0].options",
            "2 to 5 options",
        ),
        (GOOD + "    colour: red\n", 8, "questions[0].colour", "Extra inputs"),
        (GOOD.replace("name: Demo\n", ""), 1, "name", "required"),
    ],
)
def test_bad_decks_name_file_line_and_field(text, line, field, fragment):
    with pytest.raises(DeckError) as info:
        load_deck_text(text, "demo.yaml")
    problem = info.value.problems[0]
    assert problem.source == "demo.yaml"
    assert problem.line == line
    assert problem.field == field
    assert fragment in problem.message
    assert str(problem).startswith(f"demo.yaml:{line}:")


def test_yaml_syntax_error_is_located():
    with pytest.raises(DeckError) as info:
        load_deck_text(GOOD + "  - id: [unclosed\n", "bad.yaml")
    # Where the '[' is, not the end of the file where YAML noticed it was never closed.
    assert (info.value.problems[0].line, info.value.problems[0].column) == (8, 9)
    assert str(info.value).startswith("bad.yaml:8:9: the '[' here is never closed")


def test_aliases_are_refused():
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nslug: s\nname: n\nquestions: *b\n"
    with pytest.raises(DeckError, match="aliases"):
        load_deck_text(bomb, "bomb.yaml")


def test_aliases_are_refused_in_a_built_in_deck_too(tmp_path):
    (tmp_path / "a.yaml").write_text(
        GOOD.replace("answer: A scope.", "answer: &same A scope.")
        + "  - id: q2\n    prompt: And a block?\n    answer: *same\n"
    )
    with pytest.raises(DeckError, match="aliases") as info:
        load_builtin_decks(tmp_path)
    assert str(tmp_path / "a.yaml") in str(info.value)


def test_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"slug: s\nname: \xff\xfe\n")
    with pytest.raises(DeckError) as info:
        load_deck_file(path)
    assert info.value.problems[0].line == 2
    assert "UTF-8" in info.value.problems[0].message


def test_duplicate_ids_are_refused():
    text = GOOD + "  - id: q1\n    prompt: Another\n    answer: B\n"
    with pytest.raises(DeckError, match="used twice"):
        load_deck_text(text, "dup.yaml")


def test_a_bad_builtin_deck_is_reported_with_its_file(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(
        GOOD.replace("slug: demo", "slug: other").replace("answer: A scope.", "answer: [1")
    )
    with pytest.raises(DeckError) as info:
        load_builtin_decks(tmp_path)
    assert str(tmp_path / "b.yaml") in str(info.value)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(min_size=1, max_size=300), st.text(min_size=1, max_size=1500)),
        max_size=30,
    ).map(lambda fs: fs if len(fs) % 3 else [(n * 20, v * 3) for n, v in fs]),
    st.text(max_size=4096),
)
def test_fields_are_clipped_to_fit_an_embed(fields, description):
    embed = ui.info_embed("Question of the day", description)
    ui.add_fields(embed, fields)
    assert len(embed) <= ui.EMBED_TOTAL
    shown = embed.fields
    assert len(shown) == min(len(fields), ui.FIELDS)
    for field in shown:
        assert field.value and len(field.value) <= ui.FIELD_VALUE
        assert len(field.name or "") <= ui.FIELD_NAME
    # When everything fits, nothing is cut.
    if sum(len(ui.clip(n, ui.FIELD_NAME)) + len(v) for n, v in fields[: ui.FIELDS]) + len(
        embed.title or ""
    ) + len(embed.description or "") <= ui.EMBED_TOTAL and all(
        len(v) <= ui.FIELD_VALUE for _, v in fields
    ):
        assert [f.value for f in shown] == [v for _, v in fields[: ui.FIELDS]]


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab \n"), max_size=4000),
    st.integers(min_value=1, max_value=1024),
)
def test_pieces_keep_every_word_within_the_limit(text, limit):
    pieces = ui.pieces(text, limit)
    assert all(0 < len(p) <= limit and p == p.strip() for p in pieces)
    # Only whitespace is dropped, and only at the cuts: the words come back in order, and a
    # word is cut only when it is longer than a piece.
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())
    if all(len(word) <= limit for word in text.split()):
        assert " ".join(pieces).split() == text.split()
    if len(text.strip()) <= limit:
        assert pieces == ([text.strip()] if text.strip() else [])
