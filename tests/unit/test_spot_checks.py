"""The yearly spot-check draw (issue 17, item 5) is reproducible with a seed and hits the configured share:
ceil(share * N) distinct labels of the population, the same for the same seed, another for another seed."""
from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from services.label.spot_checks import Draw, draw, replay, size


def population(n: int) -> list[str]:
    return [f"SOPRO-AT12-2026-{i:04d}" for i in range(1, n + 1)]


shares = st.decimals(min_value=0, max_value=1, places=4)
seeds = st.text(min_size=1, max_size=64)


@settings(max_examples=300, deadline=None)
@given(n=st.integers(0, 400), share=shares, seed=seeds)
def test_the_draw_hits_the_share_without_duplicates_and_replays(n, share, seed):
    labels = population(n)
    drawn = draw(labels, share, seed)
    assert len(drawn) == math.ceil(share * n) == size(n, share)  # Decimal's own ceiling: no float rounding
    assert len(set(drawn)) == len(drawn) and set(drawn) <= set(labels)
    assert draw(labels, share, seed) == drawn  # the same seed, the same draw, in the same order
    assert replay(Draw(2026, seed, share, labels, drawn))


@settings(max_examples=100, deadline=None)
@given(n=st.integers(200, 1000), seed=seeds, other=seeds)
def test_another_seed_draws_other_labels_from_a_large_population(n, seed, other):
    labels = population(n)
    if seed != other:
        assert draw(labels, Decimal("0.10"), seed) != draw(labels, Decimal("0.10"), other)


def test_known_shares_and_a_draw_that_was_tampered_with():
    assert [size(n, Decimal("0.10")) for n in (0, 1, 9, 10, 11, 100, 101)] == [0, 1, 1, 1, 2, 10, 11]
    assert size(7, Decimal(0)) == 0 and size(7, Decimal(1)) == 7
    labels = population(50)
    drawn = draw(labels, Decimal("0.10"), "lottery 2026-01-04: 3 17 22 31 40 44")
    assert len(drawn) == 5 and drawn == draw(list(labels), Decimal("0.1"), "lottery 2026-01-04: 3 17 22 31 40 44")
    picked = [labels[0], *drawn[1:]] if labels[0] not in drawn else [labels[1], *drawn[1:]]
    assert not replay(Draw(2026, "lottery 2026-01-04: 3 17 22 31 40 44", Decimal("0.10"), labels, picked))
    assert not replay(Draw(2026, "another seed", Decimal("0.10"), labels, drawn))
    fewer = [n for n in labels if n != drawn[0]]  # a population recorded without one of the labels drawn
    assert not replay(Draw(2026, "lottery 2026-01-04: 3 17 22 31 40 44", Decimal("0.10"), fewer, drawn))
