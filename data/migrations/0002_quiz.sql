-- Members as last seen, quiz and QOTD posts, graded attempts, and score totals kept in step
-- with the attempts (same transaction) so boards read without scanning history.

CREATE TABLE members (
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    display_name TEXT NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('quiz', 'qotd')),
    guild_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    message_id BIGINT,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    author_id BIGINT,
    author_name TEXT,
    private INTEGER NOT NULL DEFAULT 0,
    filter_deck_id INTEGER,
    filter_tag TEXT,
    filter_difficulty TEXT,
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX posts_author ON posts (guild_id, author_id, created_at);

CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    post_id INTEGER REFERENCES posts (id),
    source TEXT NOT NULL CHECK (source IN ('quiz', 'qotd', 'review')),
    rating INTEGER CHECK (rating BETWEEN 1 AND 4),
    option_index INTEGER,
    correct INTEGER,
    scored INTEGER NOT NULL DEFAULT 0,
    points INTEGER NOT NULL DEFAULT 0,
    local_day TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- One grade per member per post: double clicks, races and retries cannot add a second.
CREATE UNIQUE INDEX attempts_once_per_post ON attempts (post_id, user_id);
-- Only one scoring attempt per member, question and local day, whatever the source.
CREATE UNIQUE INDEX attempts_scored_once ON attempts (guild_id, user_id, question_id, local_day)
    WHERE scored = 1;
CREATE INDEX attempts_member ON attempts (guild_id, user_id, created_at);
CREATE INDEX attempts_question ON attempts (guild_id, question_id, created_at);

-- board: 'quiz', 'qotd' or 'all'; period: 'all', 'week:YYYY-MM-DD' (Monday), 'month:YYYY-MM'.
-- reached_at: when the member reached these points (earlier first on ties).
CREATE TABLE score_totals (
    guild_id BIGINT NOT NULL,
    board TEXT NOT NULL,
    period TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    points INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    reached_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, board, period, user_id)
);
CREATE INDEX score_totals_rank ON score_totals (guild_id, board, period, points DESC, reached_at);

CREATE TABLE app_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
