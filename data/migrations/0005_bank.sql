-- The question bank: imports waiting for their Import button, and suggestions from members.

-- An upload that was parsed and previewed. The questions (JSON, already validated) wait here
-- so that the Import button still works after a restart; only the member who uploaded may
-- press it. state: pending, imported, cancelled, expired (its questions are then dropped;
-- the row stays so that an id is never given to another upload).
CREATE TABLE import_sessions (
    id INTEGER PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    deck_id INTEGER NOT NULL REFERENCES decks (id),
    user_id BIGINT NOT NULL,
    filename TEXT NOT NULL,
    format TEXT NOT NULL,
    questions TEXT NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'imported', 'cancelled', 'expired')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX import_sessions_expiry ON import_sessions (state, expires_at);

-- A question a member suggested for a deck. question: the suggested Question as JSON.
-- state: pending, approved, rejected. question_id: the question it became when approved.
CREATE TABLE suggestions (
    id INTEGER PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    deck_id INTEGER NOT NULL REFERENCES decks (id),
    question TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'approved', 'rejected')),
    reason TEXT,
    reviewer_id BIGINT,
    question_id INTEGER REFERENCES questions (id),
    channel_id BIGINT,
    message_id BIGINT,
    created_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX suggestions_member ON suggestions (guild_id, user_id, state);
