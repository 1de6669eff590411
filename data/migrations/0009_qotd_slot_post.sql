-- A QOTD post's day is its slot's date (bot.store.qotd.qotd_days): found by the post.
CREATE INDEX qotd_slots_post ON qotd_slots (post_id);
