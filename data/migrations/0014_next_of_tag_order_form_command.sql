-- posts.next_of: the post whose Next question button made this one. A member who pressed
-- Next under a question they only looked at (someone else's public post, never graded) has
-- still seen it, so their history reads it through this link for as long as it reaches.
-- A plain id, not a foreign key: posts are never deleted, and this only points back.
ALTER TABLE posts ADD COLUMN next_of INTEGER;

-- question_tags.position: the place of a tag in the question's list as it was typed or
-- imported, so that tags read back (shown, edited, exported) in that order. Tags stored
-- before this have 0 and keep reading alphabetically.
ALTER TABLE question_tags ADD COLUMN position INTEGER NOT NULL DEFAULT 0;

-- form_drafts.command: the command, with its options, that opens a question form as it was
-- (for example `/question add deck:flask difficulty:hard`). A form sent after a restart
-- names it, so that nothing given with the command (its difficulty) is lost; '' for forms
-- whose command has nothing to give back.
ALTER TABLE form_drafts ADD COLUMN command TEXT NOT NULL DEFAULT '';
