-- posts.close_pending = 2: a question of the day whose closing edit Discord refused for a
-- permission the bot lost in its channel (403). Trying again at every pass would be refused
-- again; it is tried once more after the next question posts in that channel, which shows
-- the bot can reach it again. close_error says why it was refused, for /qotd status.
ALTER TABLE posts ADD COLUMN close_error TEXT;
CREATE INDEX posts_close_blocked ON posts (channel_id) WHERE close_pending = 2;
