-- A member's review time zone may be unset (NULL): the member then follows the server's zone,
-- whatever it becomes. Before, changing any review setting wrote the server's zone of that
-- moment into the member's row, so the member stopped following the server.
--
-- Rows already written keep their zone, except one equal to the server's zone now (or UTC,
-- the zone of a server that never set one): such a row was most likely copied from the
-- server, so it follows the server from now on. SQLite cannot drop NOT NULL in place, so the
-- table is rebuilt; a PostgreSQL backend does ALTER COLUMN ... DROP NOT NULL.
CREATE TABLE srs_members_v12 (
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    timezone TEXT,                     -- IANA zone; NULL: the server's
    new_per_day INTEGER NOT NULL DEFAULT 10,
    remind_time TEXT,                  -- HH:MM local; NULL: no reminder
    remind_next TEXT,                  -- UTC instant of the next reminder
    remind_off_reason TEXT,            -- why reminders were turned off, told once
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
INSERT INTO srs_members_v12 (guild_id, user_id, timezone, new_per_day, remind_time,
                             remind_next, remind_off_reason, updated_at)
SELECT m.guild_id, m.user_id,
       CASE WHEN m.timezone = COALESCE(
                (SELECT s.value FROM guild_settings s
                 WHERE s.guild_id = m.guild_id AND s.key = 'timezone'),
                'UTC')
            THEN NULL ELSE m.timezone END,
       m.new_per_day, m.remind_time, m.remind_next, m.remind_off_reason, m.updated_at
FROM srs_members m;
DROP TABLE srs_members;
ALTER TABLE srs_members_v12 RENAME TO srs_members;
CREATE INDEX srs_members_remind ON srs_members (remind_next);
