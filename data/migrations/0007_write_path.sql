-- Fewer pages written per grade: each grade updates eight score_totals rows, one FSRS card,
-- one attempt and one member, and every index on them is a page to write.
--
-- WITHOUT ROWID: score_totals and srs_cards are stored in their primary key, which is how they
-- are always reached, instead of a rowid table plus a separate index on the key. It is a
-- table option only; a PostgreSQL backend creates the same tables without it.

-- score_totals keyed by member first: the eight rows a grade updates (two boards × all, week,
-- month, season) sit together on one page instead of eight. Boards, pages and ranks are read
-- from score_totals_order, unchanged.
CREATE TABLE score_totals_v7 (
    guild_id BIGINT NOT NULL,
    board TEXT NOT NULL,
    period TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    points INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    reached_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id, board, period)
) WITHOUT ROWID;
INSERT INTO score_totals_v7 (guild_id, board, period, user_id, points, answered, reached_at)
SELECT guild_id, board, period, user_id, points, answered, reached_at FROM score_totals;
DROP TABLE score_totals;
ALTER TABLE score_totals_v7 RENAME TO score_totals;
CREATE INDEX score_totals_order
    ON score_totals (guild_id, board, period, points DESC, reached_at, user_id);

-- srs_cards in its key (guild, member, question): a member's cards are together. The
-- due-date index stays: a member with thousands of cards must find the next due one without
-- reading them all (bench/review.py), even though every grade moves its entry.
CREATE TABLE srs_cards_v7 (
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
    introduced_at TEXT NOT NULL,
    introduced_by TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id, question_id)
) WITHOUT ROWID;
INSERT INTO srs_cards_v7 (guild_id, user_id, question_id, state, step, stability, difficulty,
    due, last_review, reps, lapses, introduced_at, introduced_by)
SELECT guild_id, user_id, question_id, state, step, stability, difficulty,
    due, last_review, reps, lapses, introduced_at, introduced_by FROM srs_cards;
DROP TABLE srs_cards;
ALTER TABLE srs_cards_v7 RENAME TO srs_cards;
CREATE INDEX srs_cards_due ON srs_cards (guild_id, user_id, due);
CREATE INDEX srs_cards_question ON srs_cards (guild_id, question_id);
CREATE INDEX srs_cards_new ON srs_cards (guild_id, user_id, introduced_at) WHERE introduced_by = 'review';

-- attempts: one grade per member per post only concerns grades on a post (review grades
-- have none and need no entry); a member's attempts by local day, which is what a grade's
-- daily-cap check reads (it scanned the member's whole history before); no query reads
-- attempts by question, so that index goes.
DROP INDEX attempts_once_per_post;
CREATE UNIQUE INDEX attempts_once_per_post ON attempts (post_id, user_id) WHERE post_id IS NOT NULL;
DROP INDEX attempts_member;
CREATE INDEX attempts_member ON attempts (guild_id, user_id, local_day);
DROP INDEX attempts_question;
