-- What a member typed with a command that opens a form (the `why` of /question add and
-- edit), kept while the form is open: the form itself lives in the bot's memory only, so a
-- form sent after a restart gives it back with the rest of what was typed. token: the random
-- part of the form's custom_id. Deleted when the form is handled; rows left behind (a form
-- never sent) are pruned when later ones are written.
CREATE TABLE form_drafts (
    token TEXT PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    why TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX form_drafts_created ON form_drafts (created_at);
