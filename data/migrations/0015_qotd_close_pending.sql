-- posts.close_pending: a question of the day marked closed whose closing edit (the answer
-- made public on its message) has not been made yet. Set with closed_at, cleared once the
-- edit is made or can never be; a bot that stops in between makes the edit on its next
-- start. Posts closed before this have 0: their edit was made, or tried, at the time.
ALTER TABLE posts ADD COLUMN close_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX posts_close_pending ON posts (close_pending) WHERE close_pending = 1;
