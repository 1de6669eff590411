"""Recall's storage: the one package that speaks SQL.

Each area keeps its queries in its own module as a mixin over ``StoreBase``; ``Store`` joins
them. Callers import everything from ``bot.store``.
"""

from bot.store.base import (
    BUSY_TIMEOUT_MS,
    MIGRATIONS_DIR,
    Migration,
    StoreBase,
    StoreError,
    latest_version,
    migrations,
)
from bot.store.decks import DeckRow, DeckStore, StoredQuestion, SyncSummary, content_hash
from bot.store.quiz import AttemptRequest, AttemptResult, PostRow, QuizStore


class Store(QuizStore, DeckStore):
    """Recall's storage. Open with ``await Store.open(path)``; close with ``await store.close()``."""


__all__ = [
    "BUSY_TIMEOUT_MS",
    "MIGRATIONS_DIR",
    "AttemptRequest",
    "AttemptResult",
    "DeckRow",
    "DeckStore",
    "Migration",
    "PostRow",
    "QuizStore",
    "Store",
    "StoreBase",
    "StoreError",
    "StoredQuestion",
    "SyncSummary",
    "content_hash",
    "latest_version",
    "migrations",
]
