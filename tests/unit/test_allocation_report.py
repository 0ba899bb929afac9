"""The consortium allocation's report: a JSON-ready dict, and a reason (a code) for every share."""
from __future__ import annotations

import json

from services.hub.crossborder.allocation import Order, allocate
from tests.support.allocation import RATES, cand


def test_to_dict_is_json_ready_with_decimals_as_strings():
    a = allocate(Order(150), [cand("a", 100, "1.10"), cand("h", 100, "400", "HUF", distance=12.5)], RATES)
    d = json.loads(json.dumps(a.to_dict()))
    assert d["total_cost_eur"] == "456.2500" and d["method"] == "milp" and d["status"] == "optimal"
    assert [(s["offer_id"], s["quantity"], s["unit_cost_eur"]) for s in d["shares"]] == [
        ("h", 100, "1.0125"), ("a", 50, "1.1000")]
    assert d["gap"] == 0.0 and "Rates: 1 HUF = 0.0025 EUR." in d["explanation"]


def test_every_share_says_why_this_se_and_why_this_quantity():
    a = allocate(Order(250), [cand("a", 100, "1"), cand("b", 100, "1.5"), cand("c", 100, "2")], RATES)
    assert [s.offer_id for s in a.shares] == ["a", "b", "c"]
    for rank, share in enumerate(a.shares, start=1):
        params = share.reason["params"]
        assert (params["rank"], params["eligible"], params["quantity"]) == (rank, 3, share.quantity)
    assert [s.reason["code"] for s in a.shares] == ["whole_capacity", "whole_capacity", "rest_of_order"]
    assert "proven optimal" in a.explanation[1]
