-- Question of the day: schedules, one row per slot (the exactly-once key), and the
-- questions asked in each cycle through a deck.

CREATE TABLE qotd_schedules (
    id INTEGER PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    local_time TEXT NOT NULL,             -- HH:MM in the schedule's zone
    timezone TEXT NOT NULL,               -- IANA name
    days TEXT NOT NULL,                   -- canonical text, e.g. mon-fri
    deck_id INTEGER REFERENCES decks (id),
    tag TEXT,
    ping_role_id BIGINT,
    thread INTEGER NOT NULL DEFAULT 1,
    answer_after_minutes INTEGER,         -- NULL: when the next question is posted
    paused INTEGER NOT NULL DEFAULT 0,
    pause_reason TEXT,
    failures INTEGER NOT NULL DEFAULT 0,  -- failed slots in a row
    last_error TEXT,
    cycle INTEGER NOT NULL DEFAULT 1,
    number INTEGER NOT NULL DEFAULT 0,    -- the last "Question of the day #N"
    checked_until TEXT NOT NULL,          -- UTC instant up to which slots were handled
    created_by BIGINT,
    created_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE INDEX qotd_schedules_guild ON qotd_schedules (guild_id, removed_at);

-- state: claimed (being sent), posted, missed, skipped, failed
CREATE TABLE qotd_slots (
    id INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL REFERENCES qotd_schedules (id),
    local_date TEXT NOT NULL,
    local_time TEXT NOT NULL,
    due_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('claimed', 'posted', 'missed', 'skipped', 'failed')),
    post_id INTEGER REFERENCES posts (id),
    late INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (schedule_id, local_date, local_time)
);
CREATE INDEX qotd_slots_state ON qotd_slots (state, schedule_id);

CREATE TABLE qotd_asked (
    schedule_id INTEGER NOT NULL REFERENCES qotd_schedules (id),
    cycle INTEGER NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    asked_at TEXT NOT NULL,
    PRIMARY KEY (schedule_id, cycle, question_id)
);

ALTER TABLE posts ADD COLUMN schedule_id INTEGER REFERENCES qotd_schedules (id);
ALTER TABLE posts ADD COLUMN number INTEGER;
ALTER TABLE posts ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN thread_id BIGINT;
ALTER TABLE posts ADD COLUMN close_at TEXT;
CREATE INDEX posts_qotd_open ON posts (kind, closed_at, close_at);
CREATE INDEX posts_schedule ON posts (schedule_id, created_at);
