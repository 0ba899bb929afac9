"""Hand-made cross-border orders in their contract and implementation stages, for the OCDS tests: a
consortium delivered in full (partial deliveries, EUR and HUF), and one in production where a social
enterprise withdrew after delivering some of its part and the hub re-allocated the rest. Built on the
orders of tests/support/ocds_orders.py."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from services.hub.ocds.release import OcdsDelivery, OcdsFailure, OcdsPart
from tests.support.ocds_orders import T0, order, part


def delivery(n: int, quantity: int, day: int) -> OcdsDelivery:
    return OcdsDelivery(delivery_id=f"50000000-0000-4000-8000-{n:012d}", quantity=quantity,
                        delivered_on=date(2026, 11, day))


def progressed(base: OcdsPart, status: str, *deliveries: OcdsDelivery, failure: OcdsFailure | None = None):
    return replace(base, status=status, deliveries=deliveries, failure=failure)


def delivered():
    """5,000 bags for AT13: AT12 in two deliveries, AT22 and HU22 (in forints) in one each."""
    return order(7, "delivered", (
        progressed(part(21, "AT12", "accepted", 2000, "2.35", labelled=True), "delivered",
                   delivery(1, 1200, 20), delivery(2, 800, 27)),
        progressed(part(22, "AT22", "accepted", 1500, "2.40"), "delivered", delivery(3, 1500, 25)),
        progressed(part(23, "HU22", "accepted", 1500, "910.50", currency="HUF"), "delivered", delivery(4, 1500, 26)),
    ), updated=T0 + timedelta(days=26))


WITHDREW_AT = T0 + timedelta(days=12)


def failed_and_reallocated():
    """HU22's social enterprise delivered 500 of its 1,500 bags and withdrew; the hub gave the missing 1,000
    to AT11, which accepted. AT12 is half way, AT22 has delivered."""
    return order(8, "in_production", (
        progressed(part(24, "AT12", "accepted", 2000, "2.35"), "in_production", delivery(5, 1000, 18)),
        progressed(part(25, "AT22", "accepted", 1500, "2.40"), "delivered", delivery(6, 1500, 19)),
        progressed(part(26, "HU22", "accepted", 1500, "905", currency="HUF"), "failed", delivery(7, 500, 12),
                   failure=OcdsFailure(cause="se_withdrew", at=WITHDREW_AT, missing=1000)),
        part(27, "AT11", "accepted", 1000, "2.55", hours=12 * 24 + 2),
    ), updated=WITHDREW_AT + timedelta(days=1))


def failed_and_reallocated_delivered():
    """The same order later: AT12 and AT11 have delivered the rest, so the order is delivered."""
    before = failed_and_reallocated()
    at12, at22, hu22, at11 = before.parts
    return replace(before, status="delivered", updated_at=before.updated_at + timedelta(days=20), parts=(
        progressed(at12, "delivered", *at12.deliveries, delivery(8, 1000, 28)), at22, hu22,
        progressed(at11, "delivered", delivery(9, 1000, 30))))
