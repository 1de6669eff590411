-- Decks, questions, per-server settings and deck switches.
-- Portable SQL: BIGINT ids, TEXT timestamps in UTC ISO-8601, JSON kept as TEXT.

CREATE TABLE decks (
    id INTEGER PRIMARY KEY,
    guild_id BIGINT NOT NULL DEFAULT 0,          -- 0: a built-in deck shared by every server
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    builtin INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL DEFAULT '',
    created_by BIGINT,
    created_at TEXT NOT NULL,
    removed_at TEXT,
    UNIQUE (guild_id, slug)
);

CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    deck_id INTEGER NOT NULL REFERENCES decks (id),
    ext_id TEXT NOT NULL,
    prompt TEXT NOT NULL,
    why TEXT NOT NULL DEFAULT '',
    key_points TEXT NOT NULL DEFAULT '[]',
    answer TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '[]',
    difficulty TEXT NOT NULL CHECK (difficulty IN ('easy', 'medium', 'hard')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    removed_at TEXT,
    UNIQUE (deck_id, ext_id)
);
CREATE INDEX questions_deck ON questions (deck_id, removed_at);

CREATE TABLE question_tags (
    question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (question_id, tag)
);
CREATE INDEX question_tags_tag ON question_tags (tag, question_id);

CREATE TABLE guild_settings (
    guild_id BIGINT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, key)
);

CREATE TABLE guild_decks (
    guild_id BIGINT NOT NULL,
    deck_id INTEGER NOT NULL REFERENCES decks (id),
    enabled INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, deck_id)
);
