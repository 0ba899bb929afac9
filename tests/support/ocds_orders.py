"""Hand-made cross-border orders for the OCDS tests (tests/unit/test_ocds_*.py): an agreed consortium
paid in EUR and HUF, a declined part re-allocated, a short order, and the package the hub builds of them."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from services.hub.ocds.release import OcdsOrder, OcdsPart, release_package

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PUBLISHED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SITE_NAMES = {"AT12": "Niederösterreich", "AT13": "Wien", "AT22": "Steiermark", "HU22": "Nyugat-Dunántúl"}


def part(n: int, site: str, status: str, quantity: int, price: str, *, currency: str = "EUR",
         labelled: bool = False, hours: int = 0) -> OcdsPart:
    forwarded = T0 + timedelta(hours=hours)
    return OcdsPart(
        part_id=f"00000000-0000-4000-8000-{n:012d}", site=site, organisation_id=f"10000000-0000-4000-8000-{n:012d}",
        organisation_name=f"Werkstatt {n}", organisation_nuts3={"AT12": "AT125", "AT22": "AT221",
                                                                "HU22": "HU221", "AT11": "AT112"}[site],
        offer_id=f"20000000-0000-4000-8000-{n:012d}", quantity=quantity, unit_price=Decimal(price),
        currency=currency, status=status, forwarded_at=forwarded,
        answered_at=None if status == "forwarded" else forwarded + timedelta(days=1), labelled=labelled,
        label_number=f"SOPRO-{site}-2026-{n:04d}" if labelled else None, workers_in_integration=10 + n,
        uri=f"http://127.0.0.1:8{n:03d}/api/v1/forwarded-parts/00000000-0000-4000-8000-{n:012d}")


def order(n: int, status: str, parts: tuple[OcdsPart, ...], *, quantity: int = 5000,
          updated: datetime = T0 + timedelta(days=3), **changes) -> OcdsOrder:
    fields = dict(
        order_id=f"30000000-0000-4000-8000-{n:012d}", origin_site="AT13",
        enquiry_id=f"40000000-0000-4000-8000-{n:012d}",
        enquiry_reference=f"AT13-E-2026-{n:04d}", title="Upcycled tote bags", enquiry_type="recycling_upcycling",
        cpv_codes=["18930000", "39560000"], quantity=quantity, unit="piece", deadline=date(2026, 12, 15),
        delivery_nuts3="AT130", budget=Decimal("15000.00"), currency="EUR", label_required=False, status=status,
        created_at=T0 - timedelta(hours=1), updated_at=updated, parts=parts, client_kind="economic_enterprise")
    return OcdsOrder(**{**fields, **changes})


def agreed() -> OcdsOrder:
    """5,000 bags at AT13 from AT12, AT22 (EUR) and HU22 (HUF), every part accepted."""
    return order(1, "agreed", (part(1, "AT12", "accepted", 2000, "2.35", labelled=True),
                               part(2, "AT22", "accepted", 1500, "2.40"),
                               part(3, "HU22", "accepted", 1500, "910.50", currency="HUF", labelled=True)),
                 label_required=True)


def declined_and_reallocated(status: str = "forwarded") -> OcdsOrder:
    """HU22 declined its part; the hub re-allocated it to AT11, whose answer is awaited."""
    return order(2, status, (part(4, "AT12", "accepted", 2000, "2.35"), part(5, "AT22", "accepted", 1500, "2.40"),
                             part(6, "HU22", "declined", 1500, "905", currency="HUF"),
                             part(7, "AT11", "accepted" if status == "agreed" else "forwarded", 1500, "2.55",
                                  hours=30)),
                 updated=T0 + timedelta(days=2 if status == "forwarded" else 3))


def short() -> OcdsOrder:
    """No SE is left for the part HU22 declined: 1,500 of 5,000 bags are missing."""
    return order(3, "short", (part(8, "AT12", "accepted", 2000, "2.35"), part(9, "AT22", "accepted", 1500, "2.40"),
                              part(10, "HU22", "declined", 1500, "905", currency="HUF")),
                 budget=None, deadline=None, client_kind=None)


def package(*orders: OcdsOrder, **options) -> dict:
    return release_package(orders, published_date=PUBLISHED, site_names=SITE_NAMES, **options)


def by_id(items: list[dict]) -> dict[str, dict]:
    return {item["id"]: item for item in items}
