-- Fewer score rows per grade (see bot.quiz.score_rows): lifetime totals are kept for the
-- "all" board only, and only once a server has started its second season. Before that, a
-- server's lifetime total is its season 1 total, which is read in its place.

-- Lifetime rows of the per-source boards: no board or figure reads them.
DELETE FROM score_totals WHERE period = 'all' AND board <> 'all';

-- Lifetime rows of servers still in season 1 (no seasons row): equal to their season 1 rows.
DELETE FROM score_totals
WHERE period = 'all' AND board = 'all'
  AND guild_id NOT IN (SELECT guild_id FROM seasons);
