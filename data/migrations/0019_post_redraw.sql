-- posts.redraw: above 0 while a public /quiz post's message still shows a member who has
-- erased their data since ("Asked by" their name, or their answer in its count). Raised
-- by each erase (so that a drawing begun before it does not clear it) and cleared once the
-- message is drawn again from the database, or can never be; a bot that stops in between
-- draws it on its next start.
ALTER TABLE posts ADD COLUMN redraw INTEGER NOT NULL DEFAULT 0;
CREATE INDEX posts_redraw ON posts (id) WHERE redraw > 0;
