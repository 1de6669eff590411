-- Review posts of an erased member's suggestions still to be cleared (drawn again without
-- the member or what they suggested, and without buttons). Written by the erase, in its
-- transaction; deleted once the edit is made or can never be (a 4xx other than 429). A
-- bot that stops first, or that Discord fails meanwhile, clears them on its next start.
-- It holds nothing of the member: the post, the suggestion's number, its deck's name and
-- the question an approved one became.
CREATE TABLE review_posts_to_clear (
    message_id BIGINT PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    suggestion_id BIGINT NOT NULL,
    deck_name TEXT NOT NULL,
    question_id BIGINT,
    created_at TEXT NOT NULL
);
