-- srs_new_from: where the search for a member's next new card in a deck starts. Every live
-- question of the deck with a smaller id has a card of the member's, so the search walks
-- the deck from here instead of from its first question (a member who had graded most of a
-- large deck made /review look at every one of its questions for each new card). It only
-- moves forward, by a write that checks the questions it passes over; it goes back when a
-- removed question below it comes back, and goes with the member's cards.
CREATE TABLE srs_new_from (
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    deck_id INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, deck_id)
);
CREATE INDEX srs_new_from_deck ON srs_new_from (deck_id, question_id);
