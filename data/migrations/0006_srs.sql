-- Spaced repetition: one FSRS card per member, server and question, updated by every grade;
-- per-member review settings and reminders; review sessions that survive restarts.

CREATE TABLE srs_cards (
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    state INTEGER NOT NULL,
    step INTEGER,
    stability REAL,
    difficulty REAL,
    due TEXT NOT NULL,
    last_review TEXT,
    reps INTEGER NOT NULL DEFAULT 0,
    lapses INTEGER NOT NULL DEFAULT 0,
    introduced_at TEXT NOT NULL,       -- the first grade
    introduced_by TEXT NOT NULL,       -- its source: quiz, qotd or review
    PRIMARY KEY (guild_id, user_id, question_id)
);
CREATE INDEX srs_cards_due ON srs_cards (guild_id, user_id, due);
CREATE INDEX srs_cards_question ON srs_cards (guild_id, question_id);
-- Today's new cards in /review (the daily allowance).
CREATE INDEX srs_cards_new ON srs_cards (guild_id, user_id, introduced_at) WHERE introduced_by = 'review';

CREATE TABLE srs_members (
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    timezone TEXT NOT NULL DEFAULT 'UTC',
    new_per_day INTEGER NOT NULL DEFAULT 10,
    remind_time TEXT,                  -- HH:MM local; NULL: no reminder
    remind_next TEXT,                  -- UTC instant of the next reminder
    remind_off_reason TEXT,            -- why reminders were turned off, told once
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX srs_members_remind ON srs_members (remind_next);

CREATE TABLE review_sessions (
    id INTEGER PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    deck_id INTEGER REFERENCES decks (id),
    started_at TEXT NOT NULL
);

-- One grade per question per session: a double click reviews once.
CREATE TABLE review_answers (
    session_id INTEGER NOT NULL REFERENCES review_sessions (id),
    question_id INTEGER NOT NULL REFERENCES questions (id),
    rating INTEGER NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (session_id, question_id)
);

ALTER TABLE qotd_schedules ADD COLUMN pick TEXT NOT NULL DEFAULT 'cycle';
