"""Recall's storage: the one package that speaks SQL.

Each area keeps its queries in its own module as a mixin over ``StoreBase``; ``Store`` joins
them. Callers import everything from ``bot.store``.
"""

from bot.store.bank import BankStore, DeckEdit, FormDraft, ImportSession, QuestionPage, Suggestion
from bot.store.base import (
    BUSY_TIMEOUT_MS,
    MIGRATIONS_DIR,
    BackupTargetError,
    Migration,
    StoreBase,
    StoreError,
    latest_version,
    migrations,
)
from bot.store.decks import DeckRow, DeckStore, StoredQuestion, SyncSummary, content_hash
from bot.store.leaderboard import (
    Activity,
    BoardPage,
    BoardRow,
    BoardView,
    Erased,
    ErasedSuggestion,
    LeaderboardStore,
    QotdRecord,
    Season,
    ShownMessage,
    Standing,
)
from bot.store.qotd import Progress, QotdStore, SlotRecord
from bot.store.quiz import (
    AttemptRequest,
    AttemptResult,
    PostGrade,
    PostRow,
    QuizPostRead,
    QuizStore,
)
from bot.store.srs import (
    DeckDue,
    Reminder,
    ReviewSession,
    ReviewSettings,
    SrsStore,
    StoredCard,
)


class Store(BankStore, LeaderboardStore, QotdStore, QuizStore, SrsStore, DeckStore):
    """Recall's storage. Open with ``await Store.open(path)``; close with ``await store.close()``."""


__all__ = [
    "BUSY_TIMEOUT_MS",
    "MIGRATIONS_DIR",
    "Activity",
    "AttemptRequest",
    "AttemptResult",
    "BackupTargetError",
    "BankStore",
    "BoardPage",
    "BoardRow",
    "BoardView",
    "DeckDue",
    "DeckEdit",
    "DeckRow",
    "DeckStore",
    "Erased",
    "ErasedSuggestion",
    "FormDraft",
    "ImportSession",
    "LeaderboardStore",
    "Migration",
    "PostGrade",
    "PostRow",
    "Progress",
    "QotdRecord",
    "QotdStore",
    "QuestionPage",
    "QuizPostRead",
    "QuizStore",
    "Reminder",
    "ReviewSession",
    "ReviewSettings",
    "Season",
    "ShownMessage",
    "SlotRecord",
    "SrsStore",
    "Standing",
    "Store",
    "StoreBase",
    "StoreError",
    "StoredCard",
    "StoredQuestion",
    "Suggestion",
    "SyncSummary",
    "content_hash",
    "latest_version",
    "migrations",
]
