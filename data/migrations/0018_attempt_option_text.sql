-- attempts.option_text: the text of the option a member chose, as it read when they chose
-- it. An earlier answer shown again after a moderator reordered or edited the options is
-- named by that text (and where it stands now), not by a letter that may now mean another.
-- NULL for self-grades and for answers stored before this column.
ALTER TABLE attempts ADD COLUMN option_text TEXT;
