"""The package as the Docker image installs it (`pip install .`, not editable) finds its decks and migrations."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_installed_package_finds_its_decks_and_migrations(tmp_path):
    src = tmp_path / "src"  # what the Dockerfile copies before `pip install .`
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("bot", "cogs", "data"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(src)],
        capture_output=True, text=True, timeout=300,
    )
    if built.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {built.stderr[-300:]}")
    site = tmp_path / "site"
    wheel = next(wheels.glob("*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
         "--target", str(site), str(wheel)],
        check=True, timeout=300,
    )
    app = tmp_path / "app"  # the image's /app: a copy of the sources, then `recall`
    app.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECALL_", "DISCORD_"))}
    env.update(PYTHONPATH=str(site), RECALL_DATABASE=str(tmp_path / "data.sqlite3"))
    result = subprocess.run(
        [sys.executable, str(site / "bin" / "recall"), "check"],
        cwd=app, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-600:]
    assert "flask: Flask interview prep" in result.stdout
    assert "python: Python interview prep" in result.stdout
    assert "sql: SQL interview prep" in result.stdout
    assert "pytest: Testing with pytest interview prep" in result.stdout
    assert "websec: Web application security interview prep" in result.stdout
    assert "asyncio: Async Python (asyncio) interview prep" in result.stdout
    assert "shell: Linux and the shell interview prep" in result.stdout
    assert "fastapi: FastAPI interview prep" in result.stdout
    assert "redis: Redis interview prep" in result.stdout
    assert "sqlalchemy: SQLAlchemy interview prep" in result.stdout
    assert "celery: Celery and background jobs interview prep" in result.stdout
    assert "postgres: PostgreSQL in production interview prep" in result.stdout
