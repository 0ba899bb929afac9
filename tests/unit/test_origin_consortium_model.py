"""The origin's reading of the hub's consortium snapshots: version 1 upgraded to the version 2 picture,
how far a snapshot takes the enquiry (one state at a time, only forward), and the client-facing agreement
with its lines in the part's currency and in EUR, kept up to date by later snapshots."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.enquiries.crossborder import origin
from services.enquiries.crossborder.origin import ClientAgreement
from services.enquiries.lifecycle.transitions import (
    AGREED, CANCELLED, CLOSED, DELIVERED, EXPIRED, IN_CONSULTATION, IN_PRODUCTION, MATCHING, NEGOTIATING, SUBMITTED,
)
from tests.support.consortium_snapshots import part, snapshot

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
RATES = {"EUR": Decimal("1"), "HUF": Decimal("0.00254")}
ORDER, ENQUIRY = str(uuid.uuid4()), str(uuid.uuid4())


def picture(status: str, *parts: dict) -> dict:
    return snapshot(ORDER, ENQUIRY, status, list(parts))


# --- version 1 ---------------------------------------------------------------------------------------

def test_a_version_1_snapshot_reads_as_version_2_keeping_its_english_reasons():
    v1 = {"order_id": ORDER, "enquiry_id": ENQUIRY, "enquiry_reference": "AT12-E-2026-0001", "status": "short",
          "quantity": 500, "allocated": 400, "accepted": 0, "missing": 100, "total_cost_eur": "1000.00",
          "method": "milp", "solver_status": "optimal", "gap": None,
          "parts": [{"part_id": str(uuid.uuid4()), "site": "HU22", "organisation_id": str(uuid.uuid4()),
                     "offer_id": str(uuid.uuid4()), "quantity": 400, "unit_price": "1000", "currency": "HUF",
                     "status": "forwarded", "reason": "cheapest in time", "answer": None}],
          "shortfalls": [{"reason": "capacity", "quantity": 100, "detail": "not enough capacity before the deadline"}]}
    read = origin.upgrade(v1, 1, RATES)
    (p,) = read["parts"]
    assert p["reason"] == "cheapest in time" and p["organisation_name"] is None
    assert p["unit_price_eur"] == "2.54" and p["delivered"] == 0 and p["deliveries"] == [] and p["impact"] is None
    assert read["shortfalls"] == [{"code": "capacity", "quantity": 100, "params": {"quantity": 100}}]
    assert read["version"] == 1 and read["delivered"] == 0 and read["impact"]["parts"] == 0
    v2 = picture("forwarded", part("AT12", 10, "forwarded"))
    assert origin.upgrade(v2, 2, RATES) == {**v2, "version": 2}


# --- how far a snapshot takes the enquiry ------------------------------------------------------------

@pytest.mark.parametrize("status", ["forwarded", "short", "cancelled"])
def test_before_the_consortium_is_agreed_nothing_moves(status):
    assert origin.stage(picture(status, part("AT12", 10, "in_production")), agreed_before=False) is None


def test_an_agreed_consortium_agrees_and_its_first_started_part_means_production():
    assert origin.stage(picture("agreed", part("AT12", 10), part("HU22", 10)), False) == AGREED
    assert origin.stage(picture("agreed", part("AT12", 10, "in_production"), part("HU22", 10)), True) == IN_PRODUCTION
    assert origin.stage(picture("in_production", part("AT12", 10, "in_production")), False) == IN_PRODUCTION
    # After a failure the order may be short again; a part already started still means production.
    started = picture("short", part("AT12", 10, "delivered", delivered=10), part("HU22", 10, "failed"))
    assert origin.stage(started, agreed_before=True) == IN_PRODUCTION
    assert origin.stage(started, agreed_before=False) is None
    assert origin.stage(picture("delivered", part("AT12", 10, "delivered", delivered=10)), False) == DELIVERED


@pytest.mark.parametrize("state,target,expected", [
    (SUBMITTED, AGREED, [AGREED]),
    (IN_CONSULTATION, DELIVERED, [AGREED, IN_PRODUCTION, DELIVERED]),
    (MATCHING, IN_PRODUCTION, [AGREED, IN_PRODUCTION]),
    (NEGOTIATING, AGREED, [AGREED]),
    (AGREED, DELIVERED, [IN_PRODUCTION, DELIVERED]),
    (AGREED, AGREED, []),
    (IN_PRODUCTION, AGREED, []),  # a late snapshot never moves back
    (DELIVERED, IN_PRODUCTION, []),
    (DELIVERED, DELIVERED, []),
    (CLOSED, DELIVERED, []),
    (CANCELLED, AGREED, []),
    (EXPIRED, AGREED, []),
    (IN_CONSULTATION, None, []),
])
def test_steps_go_forward_one_state_at_a_time(state, target, expected):
    assert origin.steps(state, target) == expected


# --- the client-facing agreement ---------------------------------------------------------------------

def test_the_agreement_has_a_line_per_accepted_part_in_its_currency_and_in_eur_and_totals_in_both():
    hu = part("HU22", 2400, unit_price="1000", currency="HUF", name="Soproni Textil")
    at = part("AT12", 1600, unit_price="3.00")
    declined = part("AT22", 500, "declined")
    agreement = ClientAgreement.make(picture("agreed", hu, at, declined), "bags", "HUF", RATES, NOW)
    assert [(line.site, line.quantity, line.currency) for line in agreement.lines] == \
        [("HU22", 2400, "HUF"), ("AT12", 1600, "EUR")]
    hu_line, at_line = agreement.lines
    assert hu_line.organisation_name == "Soproni Textil" and hu_line.organisation_id == hu["organisation_id"]
    assert hu_line.price == Decimal("2400000.00") and hu_line.price_eur == Decimal("6096.00")
    assert at_line.price == at_line.price_eur == Decimal("4800.00")
    assert agreement.total_eur == Decimal("10896.00")
    assert agreement.total == Decimal("4289763.78")  # in the site's currency: 10,896 EUR / 0.00254
    assert (agreement.order_id, agreement.enquiry_id, agreement.made_at, agreement.unit) == (ORDER, ENQUIRY, NOW,
                                                                                            "bags")


def test_later_snapshots_update_lines_add_reallocated_parts_and_keep_a_failed_line_marked():
    at, hu = part("AT12", 100), part("HU22", 100, unit_price="2.00")
    agreement = ClientAgreement.make(picture("agreed", at, hu), "pieces", "EUR", RATES, NOW)
    assert agreement.follow(picture("agreed", at, hu), NOW) == []  # the same picture changes nothing

    later = NOW + timedelta(days=3)
    failed = {**hu, "status": "failed", "delivered": 40}
    replacement = part("AT22", 60, unit_price="2.50")
    delivered = {**at, "status": "delivered", "delivered": 100}
    changed = agreement.follow(picture("short", delivered, failed, replacement), later)
    assert {line.part_id for line in changed} == {at["part_id"], hu["part_id"], replacement["part_id"]}
    by_id = {line.part_id: line for line in agreement.lines}
    assert len(agreement.lines) == 3 and by_id[replacement["part_id"]].added_at == later
    assert by_id[hu["part_id"]].failed and by_id[hu["part_id"]].delivered == 40
    assert by_id[hu["part_id"]].price_eur == Decimal("200.00")  # the line keeps what was agreed
    assert by_id[hu["part_id"]].payable_eur == Decimal("80.00")  # but counts only what it delivered
    assert agreement.total_eur == Decimal("300.00") + Decimal("80.00") + Decimal("150.00")


def test_a_line_withdrawn_with_its_cancelled_order_counts_only_what_it_delivered():
    at, hu = part("AT12", 100), part("HU22", 100, unit_price="2.00")
    agreement = ClientAgreement.make(picture("agreed", at, hu), "pieces", "EUR", RATES, NOW)
    agreement.follow(picture("cancelled", {**at, "status": "withdrawn", "delivered": 10},
                             {**hu, "status": "withdrawn"}), NOW)
    assert [line.status for line in agreement.lines] == ["withdrawn", "withdrawn"]
    assert agreement.total_eur == Decimal("30.00")  # 10 delivered x 3.00
