"""The question-of-the-day fan-out benchmark at a tiny size: its checks hold."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


async def test_fanout_posts_every_slot_exactly_once():
    from bench.qotd_fanout import run

    # Posted by the jobs, or by the start-up catch-up if the start overran the lead.
    result = await run(6, thread=True, lead=2.5, baseline=False)
    assert not result.timed_out
    assert (result.posts, result.threads) == (6, 6)
    assert result.channel_counts == {1: 6}  # every channel: one question of the day
    assert result.db_posted == {1: 6} and not result.db_other_states
    assert result.db_posts == 6 and result.db_ids_match
    assert result.limited == 0 and not result.violations
