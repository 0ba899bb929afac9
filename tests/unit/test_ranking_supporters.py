"""Priority for supporters (issue 19, item 6): a social enterprise whose organisation supports the platform
gets a bonus of 5 on top of the other criteria, with its reason listed like every other one."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.enquiries.matching.ranking import SUPPORTER, Candidate, MatchRequest, rank, score

TODAY = date(2026, 3, 2)


def request() -> MatchRequest:
    return MatchRequest(cpv_codes=("39111000",), today=TODAY, quantity=Decimal(100), unit="piece",
                        deadline=date(2026, 4, 27), delivery_nuts3="AT123")


def candidate(offer_id: str, **changes) -> Candidate:
    values = dict(offer_id=offer_id, organisation_id=f"org-{offer_id}", organisation_name=f"SE {offer_id}",
                  title="Chairs", cpv_codes=("39111000",), free_capacity=Decimal(100), unit="piece",
                  lead_time_days=7, price_min=Decimal("40"), price_max=Decimal("60"), currency="EUR", nuts3="AT123",
                  labour_market_segment="second_labour_market")
    return Candidate(**{**values, **changes})


def test_a_supporter_outranks_an_otherwise_equal_non_supporter_and_says_why():
    # "a" would come first on its offer id alone; the supporter "b" comes first
    ranked = rank(request(), [candidate("a"), candidate("b", supporter=True)])
    assert [r.candidate.offer_id for r in ranked] == ["b", "a"]
    supporter, other = ranked
    assert supporter.score - other.score == SUPPORTER == 5
    assert supporter.points["support"] == 5 and other.points["support"] == 0
    assert "supports the platform: +5" in supporter.reasons
    assert "not a supporter of the platform: +0" in other.reasons
    assert not any("supports the platform" in reason for reason in other.reasons)


def test_the_bonus_comes_on_top_and_keeps_the_other_criteria_as_they_were():
    plain, supporting = score(request(), candidate("a")), score(request(), candidate("a", supporter=True))
    assert {k: v for k, v in supporting.points.items() if k != "support"} == \
        {k: v for k, v in plain.points.items() if k != "support"}
    assert plain.score == 100 - 10 - 4  # no label, second labour market: the 100-point scale unchanged
    assert supporting.score == plain.score + 5
    assert supporting.reasons[:5] == plain.reasons[:5] and len(supporting.reasons) == 6


def test_support_never_outweighs_a_better_cpv_level():
    """A priority, not a licence: an exact fit that does not support stays before a class-level supporter."""
    exact = candidate("exact")
    near = candidate("near", cpv_codes=("39112000",), supporter=True, labour_market_segment="third_labour_market")
    assert [r.candidate.offer_id for r in rank(request(), [near, exact])] == ["exact", "near"]
