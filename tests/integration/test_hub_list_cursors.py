"""The remaining hub lists of issue 20 (migration 0011), on SQLite and PostgreSQL: the tallies of labels per
site and of cross-border orders per origin site and status equal fresh counts through inserts, upserts,
status changes and deletes, and the migration fills them from the rows already there; the cursor pages of
the enquiries (newest first, ties ascending, never-submitted ones last), the label register and the
orders walk every row exactly once in the order of the OFFSET pages, and their totals are right whether
tallied or counted."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import delete, func, insert, select, update

from services.common.db import make_engine
from services.common.errors import Invalid
from services.common.keyset import decode_cursor, encode_cursor
from services.common.migrate import KERNEL, alembic_config, upgrade
from services.hub.crossborder.store import hub_crossborder_orders, list_orders
from services.hub.enquiries.store import EnquiryFilters, hub_enquiries, hub_enquiry_cpv, list_enquiries
from services.hub.labels.store import LabelFilters, hub_labels, list_labels
from services.hub.register import tallies
from services.hub.store import COMPONENT as HUB
from tests.integration.test_hub_tallies import upsert
from tests.support.databases import BACKENDS, pg_url_if

WHEN = datetime(2026, 5, 1, tzinfo=timezone.utc)
TODAY = date(2026, 6, 1)
BEFORE_0011 = "a4c7e2f9b1d0"


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    engine = make_engine(pg_url_if(request, request.param, f"sqlite:///{tmp_path / 'hub.sqlite'}"))
    yield engine
    engine.dispose()


def _book(site: str) -> dict:
    return {"site": site, "id": str(uuid.uuid4()), "aggregate_version": 1, "last_event_id": str(uuid.uuid4()),
            "last_occurred_at": WHEN}


def enquiry(site: str, reference: str, submitted: datetime | None, state: str = "submitted") -> dict:
    return {**_book(site), "reference": reference, "type": "service", "state": state,
            "client_kind": "economic_enterprise", "title": "t", "cpv_codes": ["39150000"], "currency": "EUR",
            "label_required": False, "cross_border_allowed": True, "cross_border_flagged": False,
            "submitted_at": submitted, "submitted_year": submitted.year if submitted else None}


def label(site: str, number: str, status: str = "valid", until: date = date(2027, 1, 1)) -> dict:
    return {**_book(site), "number": number, "holder_organisation_id": str(uuid.uuid4()), "holder_name": "Werkstatt",
            "product": "Tisch", "cpv_codes": ["39150000"], "catalogue_version": 1, "status": status,
            "valid_from": date(2026, 1, 1), "valid_until": until, "holder_search": "werkstatt"}


def order(site: str, created: datetime, status: str = "allocating") -> dict:
    return {"id": str(uuid.uuid4()), "origin_site": site, "enquiry_id": str(uuid.uuid4()), "correlation_id": "c",
            "reference": "R", "title": "t", "type": "service", "client_kind": "economic_enterprise",
            "cpv_codes": ["39150000"], "quantity": 10, "deadline": date(2026, 9, 1), "currency": "EUR",
            "label_required": False, "max_partners": 3, "min_lot": 1, "sites": [site], "status": status,
            "version": 1, "allocation": {"rounds": []}, "created_at": created, "updated_at": created}


def fresh(conn) -> dict:
    lb, o = hub_labels, hub_crossborder_orders
    rows = lambda query: sorted(tuple(r) for r in conn.execute(query))  # noqa: E731
    return {"labels": {s: n for s, n in rows(select(lb.c.site, func.count()).group_by(lb.c.site))},
            "orders": rows(select(o.c.origin_site, o.c.status, func.count()).group_by(o.c.origin_site, o.c.status))}


def tallied(conn) -> dict:
    lt, ot = tallies.hub_tally_labels, tallies.hub_tally_crossborder_orders
    return {"labels": {s: n for s, n in conn.execute(select(lt.c.site, lt.c.labels).where(lt.c.labels != 0))},
            "orders": sorted(tuple(r) for r in conn.execute(
                select(ot.c.origin_site, ot.c.status, ot.c.orders).where(ot.c.orders != 0)))}


def assert_tallies_hold(engine) -> dict:
    with engine.connect() as conn:
        found, expected = tallied(conn), fresh(conn)
        assert tallies.labels(conn) == sum(expected["labels"].values())
        assert tallies.crossborder_orders(conn, "AT12") == sum(n for s, _, n in expected["orders"] if s == "AT12")
    assert found == expected
    return found


def test_label_and_order_tallies_equal_fresh_counts(engine):
    upgrade(engine, [KERNEL, HUB])
    labels = [label(site, f"SOPRO-{site}-2026-{i:04d}") for i, site in enumerate(("AT12", "AT12", "HU22"))]
    orders = [order("AT12", WHEN), order("AT12", WHEN, "agreed"), order("HU22", WHEN)]
    with engine.begin() as conn:
        conn.execute(insert(hub_labels), labels)
        conn.execute(insert(hub_crossborder_orders), orders)
    assert assert_tallies_hold(engine) == {"labels": {"AT12": 2, "HU22": 1},
                                           "orders": [("AT12", "agreed", 1), ("AT12", "allocating", 1),
                                                      ("HU22", "allocating", 1)]}
    with engine.begin() as conn:
        upsert(conn, hub_labels, {**labels[0], "status": "revoked", "aggregate_version": 2})
        upsert(conn, hub_labels, label("HU22", "SOPRO-HU22-2026-0009"))
        conn.execute(update(hub_crossborder_orders).values(status="agreed"))
    assert assert_tallies_hold(engine)["orders"] == [("AT12", "agreed", 2), ("HU22", "agreed", 1)]
    with engine.begin() as conn:
        conn.execute(delete(hub_labels).where(hub_labels.c.site == "AT12"))
        conn.execute(delete(hub_crossborder_orders).where(hub_crossborder_orders.c.origin_site == "HU22"))
    assert assert_tallies_hold(engine) == {"labels": {"HU22": 2}, "orders": [("AT12", "agreed", 2)]}


def test_migration_0011_fills_the_tallies_from_the_rows_already_there(engine):
    upgrade(engine, [KERNEL])
    config = alembic_config(engine, [KERNEL, HUB])
    command.upgrade(config, BEFORE_0011)
    with engine.begin() as conn:
        conn.execute(insert(hub_labels), [label("AT12", "SOPRO-AT12-2026-0001"), label("AT12", "SOPRO-AT12-2026-0002")])
        conn.execute(insert(hub_crossborder_orders), [order("HU22", WHEN, "agreed")])
    command.upgrade(config, "hub@head")
    assert assert_tallies_hold(engine) == {"labels": {"AT12": 2}, "orders": [("HU22", "agreed", 1)]}


def walk(listing, per_page: int) -> list[str]:
    seen, after = [], None
    while True:
        page = listing(per_page, after)
        seen += [row["id"] for row in page.items]
        if page.next is None:
            return seen
        after = decode_cursor(page.next)


def by_offset(listing, per_page: int) -> list[str]:
    """The ids of the OFFSET pages, as before the cursors."""
    seen, number = [], 1
    while items := listing(number, per_page).items:
        seen += [row["id"] for row in items]
        number += 1
    return seen


def test_enquiry_pages_walk_every_row_once_newest_first_with_ties_and_unsubmitted_last(engine):
    upgrade(engine, [KERNEL, HUB])
    rows = [enquiry(site, f"{site}-E-{i % 3}", WHEN - timedelta(hours=i // 4), "agreed" if i % 2 else "submitted")
            for i in range(14) for site in ("AT12", "HU22")]  # several per instant, equal references across sites
    rows += [enquiry("AT12", f"AT12-E-n{i}", None) for i in range(3)] + [enquiry("HU22", "HU22-E-n", None)]
    with engine.begin() as conn:
        conn.execute(insert(hub_enquiries), rows)
        conn.execute(insert(hub_enquiry_cpv), [{"site": r["site"], "enquiry_id": r["id"], "cpv_code": "39150000"}
                                               for r in rows[::3]])
    with engine.connect() as conn:
        def listing(filters):
            return lambda per_page, after: list_enquiries(conn, filters, 1, per_page, after)

        everything = by_offset(lambda page, per_page: list_enquiries(conn, EnquiryFilters(), page, per_page), 5)
        assert len(everything) == len(rows) == len(set(everything))
        assert set(everything[-4:]) == {r["id"] for r in rows if r["submitted_at"] is None}
        for per_page in (1, 2, 3, 7, 100):
            assert walk(listing(EnquiryFilters()), per_page) == everything
        at12_agreed = EnquiryFilters(site="AT12", state="agreed")
        expected = [i for i in everything if any(r["id"] == i and r["site"] == "AT12" and r["state"] == "agreed"
                                                 for r in rows)]
        assert walk(listing(at12_agreed), 2) == expected
        assert list_enquiries(conn, at12_agreed, 1, 2).total == len(expected)  # from the tally
        coded = EnquiryFilters(cpv="3915")
        assert walk(listing(coded), 4) == [i for i in everything if i in {r["id"] for r in rows[::3]}]
        assert list_enquiries(conn, coded, 1, 4).total == len(rows[::3])  # counted
        assert list_enquiries(conn, EnquiryFilters(year=2026), 1, 4).total == len(rows) - 4
        for bad in (("x", "AT12", "r", "i"), ("AT12", "r", "i"), ("", 1, "r", "i")):
            with pytest.raises(Invalid):
                list_enquiries(conn, EnquiryFilters(), 1, 5, bad)


def test_label_and_order_pages_walk_every_row_once(engine):
    upgrade(engine, [KERNEL, HUB])
    labels = [label(("AT12", "HU22")[i % 2], f"SOPRO-{('AT12', 'HU22')[i % 2]}-2026-{i:04d}",
                    until=date(2026, 1, 31) if i % 5 == 0 else date(2027, 1, 1)) for i in range(17)]
    orders = [order(("AT12", "HU22")[i % 2], WHEN - timedelta(days=i // 3), "agreed" if i % 4 else "allocating")
              for i in range(13)]
    with engine.begin() as conn:
        conn.execute(insert(hub_labels), labels)
        conn.execute(insert(hub_crossborder_orders), orders)
    with engine.connect() as conn:
        def labels_of(filters):
            return lambda per_page, after: list_labels(conn, filters, TODAY, 1, per_page, 0, after)

        numbered = [r["id"] for r in sorted(labels, key=lambda r: r["number"])]
        assert walk(labels_of(LabelFilters()), 4) == numbered
        assert list_labels(conn, LabelFilters(), TODAY, 1, 4).total == 17
        assert list_labels(conn, LabelFilters(site="HU22"), TODAY, 1, 4).total == 8  # from the tally
        expired = LabelFilters(status="expired")
        assert walk(labels_of(expired), 1) == [r["id"] for r in sorted(labels, key=lambda r: r["number"])
                                               if r["valid_until"] < TODAY]
        assert list_labels(conn, expired, TODAY, 1, 4).total == 4  # counted: the day's status

        everything = by_offset(lambda page, per_page: list_orders(conn, page, per_page), 4)
        assert len(everything) == 13 == len(set(everything))
        for per_page in (1, 2, 5):
            assert walk(lambda n, after: list_orders(conn, 1, n, after=after), per_page) == everything
        agreed_at12 = [i for i in everything if any(o["id"] == i and o["origin_site"] == "AT12"
                                                    and o["status"] == "agreed" for o in orders)]
        assert walk(lambda n, after: list_orders(conn, 1, n, "agreed", "AT12", after), 2) == agreed_at12
        assert list_orders(conn, 1, 2, "agreed", "AT12").total == len(agreed_at12)
        with pytest.raises(Invalid):
            list_orders(conn, 1, 2, after=("yesterday", "x"))
        assert encode_cursor(["SOPRO-AT12-2026-0001"]).isascii()
