"""The yearly spot-check draw (issue 17, item 5): a share of the site's valid labels is drawn for
re-assessment, the way certifiers check about a tenth of their holders each year.

Pure and reproducible: the draw is a function of the population (the valid label numbers, sorted), the
share and the seed alone, so anyone with the recorded draw can compute it again (`replay`) and see that
nobody picked the labels by hand. No I/O here; spot_check_draws.py records a draw and opens the checks.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal


def size(population: int, share: Decimal) -> int:
    """ceil(share * N): a share above nothing checks at least one label of a non-empty population."""
    if population == 0:
        return 0
    return min(population, int((Decimal(share) * population).to_integral_value(rounding=ROUND_CEILING)))


def draw(population: list[str], share: Decimal, seed: str) -> list[str]:
    """The label numbers drawn from `population` (sorted, distinct), in draw order. The generator is seeded
    with the SHA-256 of `seed`, so a seed of any length gives a well-mixed start, the same on every Python."""
    rng = random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big"))
    return rng.sample(list(population), size(len(population), share))


@dataclass(frozen=True)
class Draw:
    """A recorded draw: the year it is for, what it was drawn from, with what, and what came out."""
    year: int
    seed: str
    share: Decimal
    population: list[str]
    drawn: list[str]


def replay(recorded: Draw) -> bool:
    """Whether the recorded draw is what its population, share and seed give: reproducible, untouched."""
    return draw(recorded.population, recorded.share, recorded.seed) == list(recorded.drawn)
