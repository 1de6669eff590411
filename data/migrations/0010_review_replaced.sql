-- A member has one current /review per server: starting another ends the earlier ones, whose
-- buttons then grade nothing (a card graded in the newer review is not graded again from an
-- older message). ended_at: when a newer review of the same member in that server started.
ALTER TABLE review_sessions ADD COLUMN ended_at TEXT;

-- Reviews started before this: each member's latest in a server stays current, the earlier
-- ones end when the next one started. The index makes each row's lookup of the member's
-- later reviews a short range scan, not a pass over the whole table.
CREATE INDEX review_sessions_member ON review_sessions (guild_id, user_id, id);
UPDATE review_sessions SET ended_at = (
    SELECT MIN(n.started_at) FROM review_sessions n
    WHERE n.guild_id = review_sessions.guild_id AND n.user_id = review_sessions.user_id
      AND n.id > review_sessions.id
)
WHERE EXISTS (
    SELECT 1 FROM review_sessions n
    WHERE n.guild_id = review_sessions.guild_id AND n.user_id = review_sessions.user_id
      AND n.id > review_sessions.id
);

DROP INDEX review_sessions_member;

-- A member's current review, found when the next one starts; unique, so that two reviews
-- started at the same moment cannot both stay current, whatever the database's locking.
CREATE UNIQUE INDEX review_sessions_open ON review_sessions (guild_id, user_id)
    WHERE ended_at IS NULL;
