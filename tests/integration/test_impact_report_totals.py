"""Property (issue 18): every total of an impact report equals the sum of its deal records, in Decimal, across
EUR and HUF at the configured rates, on PostgreSQL and on SQLite.

Random deals of a client go straight into the lifecycle's tables (an enquiry, a proposal, a delivered
agreement, most with an impact record whose EUR value is the value at the federation's rate to the cent),
some delivered outside the period or to another client, plus delivered parts of a cross-border order in the
hub's snapshot. The expected totals are computed here, from the generated deals alone: value paid per
currency, in EUR as the sum of each record's EUR value, hours and kg as sums, regional share and distance as
means weighted by the quantity delivered over the records stating them. The rows of every page, put together,
are the report's deals, and the social value lines value the hours of each country."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from services.bootstrap import bootstrap
from services.common.migrate import KERNEL, upgrade
from services.contracts.impact_policy import ImpactPolicy
from services.enquiries.crossborder import store as crossborder_store
from services.enquiries.impact import report
from services.enquiries.impact.model import CLIENT, SOCIAL_ENTERPRISE, Party
from services.enquiries.lifecycle import tables
from services.enquiries.matching import store as matching_store

pytestmark = pytest.mark.services

CENT = Decimal("0.01")
FOURTH = Decimal("0.0001")
START, END = date(2026, 1, 1), date(2026, 12, 31)
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
COUNTRIES = {"AT12": "AT", "HU22": "HU", "SK01": "SK"}


def amount(places: int, top: int):
    return st.decimals(min_value=0, max_value=top, places=places, allow_nan=False, allow_infinity=False)


@dataclass(frozen=True)
class Deal:
    mine: bool  # delivered to the report's client (else to another one)
    day: int  # days after the period's start; beyond the year is outside it, negative before it
    quantity: Decimal
    recorded: bool
    currency: str
    value_paid: Decimal
    hours: Decimal | None
    kg: Decimal | None
    share: Decimal | None
    distance: Decimal | None


deals = st.builds(
    Deal, mine=st.booleans() | st.just(True), day=st.integers(-30, 400),
    quantity=st.decimals(min_value=Decimal("0.0001"), max_value=100000, places=4),
    recorded=st.booleans() | st.just(True), currency=st.sampled_from(["EUR", "HUF"]),
    value_paid=amount(2, 10 ** 9), hours=st.none() | amount(2, 10 ** 5), kg=st.none() | amount(4, 10 ** 6),
    share=st.none() | amount(4, 1), distance=st.none() | amount(1, 5000))
parts = st.lists(st.tuples(st.sampled_from(["HU22", "SK01"]), st.integers(1, 500), deals), max_size=3)


def runtime_on(make_settings, db_url: str):
    rt = bootstrap(make_settings("AT12", db_url=db_url), migrate_db=False)
    upgrade(rt.engine, [KERNEL, tables.COMPONENT, matching_store.COMPONENT, crossborder_store.COMPONENT])
    return rt


@pytest.fixture
def pg_runtime(make_settings, pg_url):
    rt = runtime_on(make_settings, pg_url)
    yield rt
    rt.engine.dispose()


@pytest.fixture
def sqlite_runtime(make_settings):
    rt = runtime_on(make_settings, None)
    yield rt
    rt.engine.dispose()


def eur(value: Decimal, currency: str, rates) -> Decimal:
    return (value * rates[currency]).quantize(CENT, ROUND_HALF_UP)


def insert_deal(conn, deal: Deal, client: str, se: str, rates) -> None:
    enquiry_id, proposal_id, agreement_id = (str(uuid.uuid4()) for _ in range(3))
    delivered_at = datetime.combine(START + timedelta(days=deal.day), time(23, 59, 59), timezone.utc)
    conn.execute(insert(tables.enquiry).values(
        id=enquiry_id, reference=f"AT12-E-{enquiry_id[:8]}", type="service", title="Deal",
        client_kind="economic_enterprise",
        client_organisation_id=client, cpv_codes=["39111000"], currency="EUR", label_required=False,
        cross_border_allowed=False, cross_border_flagged=False, state="delivered", version=1, created_at=NOW,
        updated_at=NOW))
    terms = dict(quantity=deal.quantity, unit="piece", price=deal.value_paid, currency=deal.currency,
                 delivery_date=START)
    conn.execute(insert(tables.proposal).values(id=proposal_id, enquiry_id=enquiry_id, organisation_id=se, revision=1,
                                                status="accepted", created_by="t", created_at=NOW, updated_at=NOW,
                                                **terms))
    conn.execute(insert(tables.agreement).values(id=agreement_id, enquiry_id=enquiry_id, proposal_id=proposal_id,
                                                 proposal_revision=1, organisation_id=se, status="delivered",
                                                 made_at=NOW, made_by="t", delivered_at=delivered_at, version=1,
                                                 **terms))
    if deal.recorded:
        conn.execute(insert(tables.impact).values(
            id=str(uuid.uuid4()), agreement_id=agreement_id, enquiry_id=enquiry_id, year=2026,
            value_paid=deal.value_paid, currency=deal.currency,
            value_paid_eur=eur(deal.value_paid, deal.currency, rates),
            material_diverted_kg=deal.kg, regional_share=deal.share, distance_km=deal.distance,
            integration_hours=deal.hours, basis={}, recorded_at=NOW, recorded_by="t"))


def insert_order(conn, client: str, order_parts, rates) -> list[tuple]:
    """A cross-border order of the client with the given delivered parts in the hub's snapshot; the parts
    delivered in the period, as (site, units, deal)."""
    if not order_parts:
        return []
    enquiry_id, order_id = str(uuid.uuid4()), str(uuid.uuid4())
    conn.execute(insert(tables.enquiry).values(
        id=enquiry_id, reference=f"AT12-E-{enquiry_id[:8]}", type="service", title="Order",
        client_kind="economic_enterprise",
        client_organisation_id=client, cpv_codes=["39111000"], currency="EUR", label_required=False,
        cross_border_allowed=True, cross_border_flagged=True, state="delivered", version=1, created_at=NOW,
        updated_at=NOW, unit="piece"))
    snapshot_parts = []
    for site, units, deal in order_parts:
        figures = {"value_paid": str(deal.value_paid), "currency": deal.currency,
                   "value_paid_eur": str(eur(deal.value_paid, deal.currency, rates)),
                   "integration_hours": _text(deal.hours), "material_diverted_kg": _text(deal.kg),
                   "regional_share": _text(deal.share), "distance_km": _text(deal.distance)}
        day, earlier = START + timedelta(days=deal.day), START + timedelta(days=deal.day - 5)
        snapshot_parts.append({"part_id": str(uuid.uuid4()), "site": site, "organisation_id": str(uuid.uuid4()),
                               "quantity": units, "delivered": units, "status": "delivered",
                               "deliveries": [{"delivered_on": day.isoformat(), "quantity": units},
                                              {"delivered_on": earlier.isoformat(), "quantity": 0}],
                               "impact": figures if deal.recorded else None})
    conn.execute(insert(crossborder_store.consortium).values(
        id=order_id, enquiry_id=enquiry_id, aggregate_version=1, status="delivered", updated_at=NOW,
        snapshot={"version": 2, "order_id": order_id, "enquiry_id": enquiry_id, "status": "delivered",
                  "parts": snapshot_parts, "shortfalls": []}))
    return [(site, units, deal) for site, units, deal in order_parts if deal.recorded and in_period(deal)]


def _text(value):
    return None if value is None else str(value)


def in_period(deal: Deal) -> bool:
    return START <= START + timedelta(days=deal.day) <= END


def expected_totals(local: list[Deal], crossborder: list[tuple], rates) -> dict:
    """What the report must say, from the deals alone: (weight, country, deal) per recorded deal."""
    recorded = [(d.quantity, "AT", d) for d in local if d.recorded] + \
        [(Decimal(units), COUNTRIES[site], d) for site, units, d in crossborder]
    paid: dict[str, Decimal] = {}
    for _w, _c, d in recorded:
        paid[d.currency] = paid.get(d.currency, Decimal(0)) + d.value_paid

    def mean(name):
        stated = [(w, getattr(d, name)) for w, _c, d in recorded if getattr(d, name) is not None]
        weight = sum((w for w, _v in stated), Decimal(0))
        return (sum(w * v for w, v in stated) / weight).quantize(FOURTH) if weight else None

    hours: dict[str, Decimal] = {}
    for _w, country, d in recorded:
        if d.hours is not None:
            hours[country] = hours.get(country, Decimal(0)) + d.hours
    return {
        "deals": len(local) + len(crossborder), "recorded": len(recorded), "value_paid": paid,
        "value_paid_eur": sum((eur(d.value_paid, d.currency, rates) for _w, _c, d in recorded), Decimal(0)),
        "integration_hours": sum((d.hours for _w, _c, d in recorded if d.hours is not None), Decimal(0)),
        "material_diverted_kg": sum((d.kg for _w, _c, d in recorded if d.kg is not None), Decimal(0)),
        "regional_share": mean("share"), "distance_km": mean("distance"), "hours_by_country": hours,
    }


def report_and_expectation(rt, generated: list[Deal], order_parts) -> tuple[dict, dict]:
    """What the report says and what it must say, figure by figure, for the test to compare: its totals against
    the deals alone; its rows against its totals; its pages against its whole list; the social enterprise's
    report over the same agreements against its own rows."""
    rates = rt.settings.federation.rates_to_eur
    policy = ImpactPolicy.of(rt.settings.federation)
    client, other, se = (str(uuid.uuid4()) for _ in range(3))
    with rt.engine.begin() as conn:
        for deal in generated:
            insert_deal(conn, deal, client if deal.mine else other, se, rates)
        crossborder = insert_order(conn, client, order_parts, rates)
    local = [d for d in generated if d.mine and in_period(d)]
    want = expected_totals(local, crossborder, rates)

    def build(page, per_page=3):
        with rt.engine.connect() as conn:
            return report.build(conn, Party(client, "Client", CLIENT), START, END, site_id="AT12", site_country="AT",
                                countries=COUNTRIES, policy=policy, rates_to_eur=rates, page=page, per_page=per_page)

    whole = build(None)
    totals = whole.totals
    with rt.engine.connect() as conn:
        own = report.build(conn, Party(se, "SE", SOCIAL_ENTERPRISE), START, END, site_id="AT12", site_country="AT",
                           countries=COUNTRIES, policy=policy, rates_to_eur=rates, page=None)
    said = {
        "deals": totals.deals, "recorded": totals.recorded, "value_paid": totals.value_paid,
        "value_paid_eur": totals.value_paid_eur, "integration_hours": totals.integration_hours,
        "material_diverted_kg": totals.material_diverted_kg, "regional_share": totals.regional_share,
        "distance_km": totals.distance_km,
        "hours_by_country": {c: q for (c, f), q in totals.by_country.items() if f == "integration_hours"},
        "rows_add_up_to": report.every_row(whole.rows),  # the rows are the deals the totals add up
        "valued_hours": {line.proxy.country: line.quantity for line in whole.social_value
                         if line.proxy.figure == "integration_hours"},
        "paged_deals": [row.deal_id for number in range(1, build(1).pages + 1) for row in build(number).rows],
        "pages": build(1).pages,
        # the social enterprise's report over the same agreements adds up alike (its local ones)
        "enterprise_rows_add_up_to": report.every_row(own.rows), "enterprise_deals": own.totals.deals,
    }
    want = {**want, "rows_add_up_to": totals,
            "valued_hours": {c: q for c, q in want["hours_by_country"].items() if policy.proxy(c, "integration_hours")},
            "paged_deals": [r.deal_id for r in whole.rows], "pages": max(1, -(-want["deals"] // 3)),
            "enterprise_rows_add_up_to": own.totals,
            "enterprise_deals": len([d for d in generated if in_period(d)])}
    return said, want


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(generated=st.lists(deals, max_size=12), order_parts=parts)
def test_every_total_is_the_sum_of_its_deals_on_postgresql(pg_runtime, generated, order_parts):
    said, want = report_and_expectation(pg_runtime, generated, order_parts)
    assert said == want


@SETTINGS
@given(generated=st.lists(deals, max_size=12), order_parts=parts)
def test_every_total_is_the_sum_of_its_deals_on_sqlite(sqlite_runtime, generated, order_parts):
    said, want = report_and_expectation(sqlite_runtime, generated, order_parts)
    assert said == want


def test_an_empty_period_is_an_honest_empty_report(sqlite_runtime):
    rt = sqlite_runtime
    with rt.engine.connect() as conn:
        empty = report.build(conn, Party(str(uuid.uuid4()), "Nobody", CLIENT), START, END, site_id="AT12",
                             site_country="AT", countries=COUNTRIES, policy=ImpactPolicy.of(rt.settings.federation),
                             rates_to_eur=rt.settings.federation.rates_to_eur)
    assert empty.empty and empty.rows == [] and empty.pages == 1 and empty.social_value == []
    assert empty.totals.value_paid == {} and empty.totals.value_paid_eur == 0 and empty.totals.regional_share is None


def test_amounts_past_sqlites_whole_numbers_are_still_added_exactly(sqlite_runtime):
    """SQLite adds the amounts as whole numbers of 0.0001; 20 deals of 99,999,999,999,999.99 overflow 64 bits,
    and the report adds them in Decimal instead (never through a float, never a 500)."""
    huge = Deal(mine=True, day=10, quantity=Decimal("99999999999999.9999"), recorded=True, currency="EUR",
                value_paid=Decimal("99999999999999.99"), hours=Decimal("0.01"), kg=None, share=Decimal("0.3333"),
                distance=Decimal("9999.9"))
    said, want = report_and_expectation(sqlite_runtime, [huge] * 20, [])
    assert said == want
    assert said["value_paid"] == {"EUR": Decimal("1999999999999999.80")}  # 20 × the amount, to the cent
