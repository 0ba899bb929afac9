"""The tallies the hub's database keeps by triggers (migration 0010) equal a fresh COUNT / SUM ... GROUP BY of
their source rows after inserts (one row and many per statement), upserts, status changes, withdrawals and
deletes, on SQLite and PostgreSQL; the migration fills them from the rows already there; and the keyset
pages of the organisations and offers walk every row exactly once, ties on the name included."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from services.common.db import make_engine
from services.common.errors import Invalid
from services.common.keyset import decode_cursor, encode_cursor
from services.common.migrate import KERNEL, alembic_config, upgrade
from services.hub.enquiries.store import hub_enquiries, hub_impact
from services.hub.register import queries, tallies
from services.hub.register.queries import Filters, visible_offer
from services.hub.register.store import hub_offer, hub_organisation, hub_support_statement
from services.hub.store import COMPONENT as HUB
from tests.support.databases import BACKENDS, pg_url_if

WHEN = datetime(2026, 5, 1, tzinfo=timezone.utc)
BEFORE_TALLIES = "9d2e4b7c1a36"


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    engine = make_engine(pg_url_if(request, request.param, f"sqlite:///{tmp_path / 'hub.sqlite'}"))
    yield engine
    engine.dispose()


def _book(site: str, id_: str | None = None, version: int = 1) -> dict:
    return {"site": site, "id": id_ or str(uuid.uuid4()), "aggregate_version": version,
            "last_event_id": str(uuid.uuid4()), "last_occurred_at": WHEN}


def organisation(site: str, kind: str, name: str, status: str = "active", nuts3: str = "AT127") -> dict:
    return {**_book(site), "status": status, "kind": kind, "name": name, "nuts3": nuts3, "search_text": name.casefold()}


def offer(site: str, organisation_id: str, title: str, status: str = "published") -> dict:
    return {**_book(site), "status": status, "organisation_id": organisation_id, "title": title, "search_text": title}


def statement(site: str, kind: str | None, nuts3: str | None, status: str = "active") -> dict:
    return {**_book(site), "status": status, "kind": kind, "organisation_kind": "social_enterprise", "nuts3": nuts3}


def enquiry(site: str, state: str, type_: str) -> dict:
    return {**_book(site), "reference": f"{site}-E-{uuid.uuid4().hex[:6]}", "type": type_, "state": state,
            "client_kind": "economic_enterprise", "title": "t", "cpv_codes": ["39150000"], "currency": "EUR",
            "label_required": False, "cross_border_allowed": True, "cross_border_flagged": False,
            "submitted_at": WHEN, "submitted_year": 2026}


def impact(site: str, year: int, value: str, distance: str | None, share: str | None, region: str | None) -> dict:
    return {**_book(site), "agreement_id": str(uuid.uuid4()), "enquiry_id": str(uuid.uuid4()), "year": year,
            "value_paid": Decimal(value), "currency": "EUR", "value_paid_eur": Decimal(value),
            "material_diverted_kg": Decimal("12.5"), "regional_share": None if share is None else Decimal(share),
            "distance_km": None if distance is None else Decimal(distance), "production_nuts3": region,
            "integration_hours": Decimal("7.25")}


# --- the fresh counts, as the statistics computed them before the tallies --------------------------------

def fresh(conn) -> dict:
    org, st, enq, im = hub_organisation, hub_support_statement, hub_enquiries, hub_impact
    joined = hub_offer.outerjoin(org, (org.c.site == hub_offer.c.site) & (org.c.id == hub_offer.c.organisation_id))
    q = lambda query: sorted(tuple(r) for r in conn.execute(query))  # noqa: E731
    exact = lambda v: Decimal(str(v)).quantize(tallies.SCALE)  # noqa: E731
    sums = [(s, y, n, *map(exact, (v, kg, sh)), shs, exact(d), ds, exact(h)) for s, y, n, v, kg, sh, shs, d, ds, h in q(
        select(im.c.site, im.c.year, func.count(), func.sum(im.c.value_paid_eur), func.sum(im.c.material_diverted_kg),
               func.coalesce(func.sum(im.c.regional_share), 0), func.count(im.c.regional_share),
               func.coalesce(func.sum(im.c.distance_km), 0), func.count(im.c.distance_km),
               func.sum(im.c.integration_hours)).group_by(im.c.site, im.c.year))]
    return {
        "members": q(select(org.c.site, org.c.kind, func.count()).where(org.c.status == "active")
                     .group_by(org.c.site, org.c.kind)),
        "offers": q(select(hub_offer.c.site, func.count()).select_from(joined).where(visible_offer(hub_offer, org))
                    .group_by(hub_offer.c.site)),
        "statements": q(select(st.c.site, st.c.kind, st.c.nuts3, func.count()).where(st.c.status == "active")
                        .group_by(st.c.site, st.c.kind, st.c.nuts3)),
        "enquiries": q(select(enq.c.site, enq.c.state, enq.c.type, func.count()).group_by(enq.c.site, enq.c.state, enq.c.type)),
        "impact": sums,
        "regions": q(select(im.c.site, im.c.year, im.c.production_nuts3, func.count())
                     .where(im.c.production_nuts3.is_not(None)).group_by(im.c.site, im.c.year, im.c.production_nuts3)),
    }


def tallied(conn) -> dict:
    return {"members": sorted(tallies.members_by_kind(conn)), "offers": sorted(tallies.offers_published(conn)),
            "statements": sorted(tallies.support_statements(conn), key=str),
            "enquiries": sorted(tallies.enquiries_by_state_and_type(conn)), "impact": sorted(tallies.impact_rows(conn)),
            "regions": sorted(tallies.production_regions(conn))}


def assert_tallies_hold(engine) -> dict:
    with engine.connect() as conn:
        expected, found = fresh(conn), tallied(conn)
    expected["statements"] = sorted(expected["statements"], key=str)
    assert found == expected
    return found


def upsert(conn, table, row: dict) -> None:
    """The ingest's way: INSERT ... ON CONFLICT (site, id) DO UPDATE (a statement whose conflict clause SQLite
    would otherwise impose on the triggers' own inserts)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(row)
    conn.execute(statement.on_conflict_do_update(index_elements=["site", "id"],
                                                 set_={k: statement.excluded[k] for k in row if k not in ("site", "id")}))


def test_the_tallies_equal_fresh_counts_through_inserts_updates_withdrawals_and_deletes(engine):
    upgrade(engine, [KERNEL, HUB])
    se = [organisation("AT12", "social_enterprise", f"Werkstatt {i}") for i in range(4)]
    others = [organisation("HU22", "economic_enterprise", "Kft"), organisation("AT12", "public_institution", "Amt")]
    offers = [offer("AT12", o["id"], f"Offer {i}") for i, o in enumerate(se) for _ in range(2)]
    orphan = offer("HU22", str(uuid.uuid4()), "Offer of an organisation not yet seen")
    with engine.begin() as conn:
        conn.execute(insert(hub_organisation), se + others)  # many rows in one statement
        conn.execute(insert(hub_offer), [*offers, orphan])
        conn.execute(insert(hub_support_statement), [statement("AT12", "person", "AT127"),
                                                     statement("AT12", "organisation", None),
                                                     statement("HU22", None, "HU221", status="unconfirmed")])
        for state, type_ in (("submitted", "service"), ("agreed", "service"), ("submitted", "give_away")):
            conn.execute(insert(hub_enquiries), [enquiry("AT12", state, type_)])
        conn.execute(insert(hub_impact), [impact("AT12", 2025, "100.10", "12.5", "0.5", "AT127"),
                                          impact("AT12", 2025, "0.20", None, None, None),
                                          impact("HU22", 2026, "3000", "400", "1", "HU221")])
    found = assert_tallies_hold(engine)
    assert found["members"] == [("AT12", "public_institution", 1), ("AT12", "social_enterprise", 4),
                                ("HU22", "economic_enterprise", 1)]
    assert found["offers"] == [("AT12", 8), ("HU22", 1)]

    with engine.begin() as conn:  # a withdrawal hides the organisation's offers; an upsert brings one back
        conn.execute(update(hub_organisation).where(hub_organisation.c.id == se[0]["id"]).values(status="withdrawn"))
        upsert(conn, hub_organisation, {**se[1], "status": "withdrawn", "aggregate_version": 2})
        upsert(conn, hub_organisation, {**se[1], "status": "active", "kind": "economic_enterprise", "aggregate_version": 3})
        conn.execute(update(hub_offer).where(hub_offer.c.id == offers[2]["id"]).values(status="withdrawn"))
        conn.execute(update(hub_offer).where(hub_offer.c.organisation_id == se[3]["id"]).values(title="Renamed"))
        upsert(conn, hub_organisation, {**organisation("HU22", "social_enterprise", "Tombstone", status="withdrawn"),
                                        "id": orphan["organisation_id"]})  # its offer was visible, now hidden
        conn.execute(update(hub_support_statement).values(status="active"))
        conn.execute(update(hub_enquiries).where(hub_enquiries.c.state == "submitted").values(state="matching"))
        conn.execute(update(hub_impact).where(hub_impact.c.site == "HU22").values(year=2025, distance_km=None))
    found = assert_tallies_hold(engine)
    assert found["offers"] == [("AT12", 5)]

    with engine.begin() as conn:  # deletes (an erasure, a rebuild)
        conn.execute(delete(hub_organisation).where(hub_organisation.c.id == orphan["organisation_id"]))
        conn.execute(delete(hub_offer).where(hub_offer.c.organisation_id == se[2]["id"]))
        conn.execute(delete(hub_support_statement).where(hub_support_statement.c.kind == "person"))
        conn.execute(delete(hub_impact).where(hub_impact.c.production_nuts3.is_(None)))
        conn.execute(delete(hub_enquiries).where(hub_enquiries.c.type == "give_away"))
    found = assert_tallies_hold(engine)
    assert found["offers"] == [("AT12", 3), ("HU22", 1)]
    assert [r[:3] for r in found["impact"]] == [("AT12", 2025, 1), ("HU22", 2025, 1)]


def test_the_migration_fills_the_tallies_from_the_rows_already_there(engine):
    upgrade(engine, [KERNEL])
    config = alembic_config(engine, [KERNEL, HUB])
    command.upgrade(config, BEFORE_TALLIES)
    withdrawn = organisation("AT12", "social_enterprise", "Withdrawn", status="withdrawn")
    active = organisation("AT12", "social_enterprise", "Active")
    with engine.begin() as conn:
        conn.execute(insert(hub_organisation), [withdrawn, active, organisation("HU22", "public_institution", "Hivatal")])
        conn.execute(insert(hub_offer), [offer("AT12", withdrawn["id"], "Hidden"), offer("AT12", active["id"], "Shown"),
                                         offer("AT12", active["id"], "Draft", status="withdrawn")])
        conn.execute(insert(hub_support_statement), [statement("AT12", "person", None)])
        conn.execute(insert(hub_enquiries), [enquiry("HU22", "submitted", "service")])
        conn.execute(insert(hub_impact), [impact("HU22", 2026, "10", "5", None, "HU221")])
    command.upgrade(config, "hub@head")
    found = assert_tallies_hold(engine)
    assert found["offers"] == [("AT12", 1)] and found["statements"] == [("AT12", "person", None, 1)]


# --- keyset paging ---------------------------------------------------------------------------------------

def walk(conn, listing, filters: Filters, per_page: int) -> list[str]:
    seen, after = [], None
    while True:
        page = listing(conn, filters, 1, per_page, after)
        seen += [row["id"] for row in page.items]
        if page.next is None:
            return seen
        after = decode_cursor(page.next)


def test_keyset_pages_walk_every_row_once_in_order_with_ties(engine):
    upgrade(engine, [KERNEL, HUB])
    names = ["Gleich"] * 7 + ["Anders"] * 3 + ["Zeta", "Ärger"]
    orgs = [organisation(site, "social_enterprise" if i % 2 else "economic_enterprise", name)
            for i, name in enumerate(names) for site in ("AT12", "HU22")]
    orgs.append(organisation("AT12", "social_enterprise", "Gleich", status="withdrawn"))
    offers = [offer(o["site"], o["id"], "Same title") for o in orgs[:9]]
    with engine.begin() as conn:
        conn.execute(insert(hub_organisation), orgs)
        conn.execute(insert(hub_offer), offers)
    active = [o for o in orgs if o["status"] == "active"]
    with engine.connect() as conn:
        def ordered(rows) -> list[str]:
            """The ids of `rows` in the list's order, (name, site, id), as the database sorts them."""
            ids = [r["id"] for r in rows]
            listed = conn.execute(select(hub_organisation.c.id).where(hub_organisation.c.id.in_(ids))
                                  .order_by(hub_organisation.c.name, hub_organisation.c.site, hub_organisation.c.id))
            return [i for (i,) in listed]

        for per_page in (1, 3, 5, 24, 100):
            assert walk(conn, queries.list_organisations, Filters(), per_page) == ordered(active)
        at12 = [o for o in active if o["site"] == "AT12"]
        assert walk(conn, queries.list_organisations, Filters(site="AT12"), 2) == ordered(at12)
        se = [o for o in active if o["kind"] == "social_enterprise"]
        assert walk(conn, queries.list_organisations, Filters(kind="social_enterprise"), 4) == ordered(se)
        assert sorted(walk(conn, queries.list_organisations, Filters(text="gleich"), 3)) == sorted(
            o["id"] for o in active if o["name"] == "Gleich")
        visible = [f["id"] for f in offers if f["organisation_id"] != orgs[-1]["id"]]
        walked = walk(conn, queries.list_offers, Filters(), 2)
        assert sorted(walked) == sorted(visible) and len(walked) == len(set(walked))
        first = queries.list_organisations(conn, Filters(), 1, 5)
        assert first.total == len(active) and queries.list_organisations(conn, Filters(site="HU22"), 1, 5).total == 12
        assert queries.list_organisations(conn, Filters(region="AT1"), 1, 5).total == len(active)
        by_offset = queries.list_organisations(conn, Filters(), 3, 5)  # `page` still works
        assert [r["id"] for r in by_offset.items] == ordered(active)[10:15]
        with pytest.raises(Invalid):
            queries.list_organisations(conn, Filters(), 1, 5, ("Gleich", 1, "x"))
        last = next(o for o in active if o["id"] == ordered(active)[-1])
        assert queries.list_organisations(conn, Filters(), 1, 5, (last["name"], last["site"], last["id"])).items == []
        assert encode_cursor(("Ärger", "AT12", "1")).isascii()
