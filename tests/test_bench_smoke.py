"""Benchmarks at a tiny size: the question-of-the-day fan-out's checks hold, and the imports
bench reads its files as an import does."""

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


def test_the_imports_bench_reads_its_files_as_an_import_does():
    from bench.imports import CASES, measure

    by_name = {case.name: case for case in CASES}
    size, cpu, stall, outcome = measure(by_name["500 questions, CSV"], 1)
    assert outcome == "500 questions" and 0 < size <= 1024 * 1024
    assert cpu >= 0 and stall >= 0
    size, _, _, outcome = measure(by_name["a line of quote marks"], 1)
    assert outcome == "refused (1 error)" and size > 1024 * 1024 - 4
