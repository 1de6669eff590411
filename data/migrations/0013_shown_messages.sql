-- Channel messages that show members by name: leaderboard pages and /stats replies posted
-- for everyone to see. A member who hides from the boards or erases their data is taken
-- off those already posted: the messages naming them are found here and drawn again.
-- kind: 'board' (board, period and page and asker_id say what it shows, as its buttons
-- do) or 'stats' (asker_id is the member the stats are of; 0 once they erased their data).
-- redraw: above 0 while the message still shows a member who has since hidden or erased
-- their data (raised at each such change, so that a drawing begun before it does not clear
-- it); kept in the database so that a restart does not forget it.
CREATE TABLE shown_messages (
    message_id BIGINT PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    board TEXT NOT NULL DEFAULT '',
    period TEXT NOT NULL DEFAULT '',
    page INTEGER NOT NULL DEFAULT 0,
    asker_id BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    redraw INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX shown_messages_redraw ON shown_messages (message_id) WHERE redraw > 0;
-- A member's boards and /stats replies, found when they erase their data.
CREATE INDEX shown_messages_asker ON shown_messages (guild_id, asker_id);
-- The members a message names as it was last drawn.
CREATE TABLE shown_names (
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    message_id BIGINT NOT NULL REFERENCES shown_messages (message_id) ON DELETE CASCADE,
    PRIMARY KEY (guild_id, user_id, message_id)
);
CREATE INDEX shown_names_message ON shown_names (message_id);
