"""Where Recall's own files are: the built-in decks and the migrations.

In a checkout they are in ``data/`` beside ``bot/``; an installed package (a wheel, the
Docker image) carries the same files as ``bot/data`` (see pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path


def data_dir() -> Path:
    here = Path(__file__).resolve().parent
    installed = here / "data"
    return installed if installed.is_dir() else here.parent / "data"


DATA_DIR = data_dir()
