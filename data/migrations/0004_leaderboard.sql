-- Leaderboards: seasons, the board order index, and lookups for hidden members and QOTD streaks.

-- A season starts when a moderator resets the leaderboard. Season 1 is implicit (no row): it
-- began with the server's first grade. A grade counts toward the season current at its
-- created_at, so score_totals can always be recomputed from the attempts.
CREATE TABLE seasons (
    guild_id BIGINT NOT NULL,
    number INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    started_by BIGINT,
    PRIMARY KEY (guild_id, number)
);

-- Totals so far belong to season 1; period 'all' keeps counting across seasons.
INSERT INTO score_totals (guild_id, board, period, user_id, points, answered, reached_at)
SELECT guild_id, board, 'season:1', user_id, points, answered, reached_at
FROM score_totals WHERE period = 'all';

-- The board order in full (ties: earlier reached_at, then user id), so a page and a rank are
-- read straight from the index.
DROP INDEX score_totals_rank;
CREATE INDEX score_totals_order
    ON score_totals (guild_id, board, period, points DESC, reached_at, user_id);

CREATE INDEX members_hidden ON members (guild_id, user_id) WHERE hidden = 1;
CREATE INDEX posts_kind ON posts (guild_id, kind, created_at);
