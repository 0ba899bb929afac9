"""Shortlisting one enquiry among 10,000 social enterprises in the site's matching projection, on
PostgreSQL.

Figure: `services.enquiries.matching.service.shortlist` (SQL prefilter by CPV division and status,
free capacity from commitments, ranking with reasons in Python, a split when no single SE suffices),
for two enquiries: one a single SE can cover, one that needs a split.

Baseline: a plain indexed SQL query for the same CPV and region: published offers of active social
enterprises with a code under the enquiry's CPV (`LIKE '3911%'` on a varchar_pattern_ops index) in
the delivery NUTS-3 region (indexed), first 10 by name. No capacity, distance, reasons or split.
Both run alternately on the same schema; figures are medians over all rounds.

The projection is filled with the rows its event handlers write (the contract's organisation_values /
offer_values, kept to the projection's columns), inserted in bulk: this measures shortlisting, not ingestion.
"""
from __future__ import annotations

import random
import statistics
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, text

from bench.common import SITE, BenchEnv, Result
from services.common.outbox import utcnow
from services.contracts.rows import offer_values, organisation_values
from services.enquiries.matching import service, store
from services.enquiries.matching.ranking import MatchRequest
from services.contracts.cpv import vocabulary

NAME = "shortlist"

# Divisions in which social enterprises typically work (clothing, furniture, food, construction,
# repair, catering, business services, waste and cleaning, gardening, printing, recreation, other).
DIVISIONS = ("18", "39", "15", "45", "50", "55", "79", "90", "77", "22", "92", "98")
NUTS3 = ("AT121", "AT122", "AT123", "AT124", "AT125", "AT126", "AT127")
SEGMENTS = ("second_labour_market", "third_labour_market", None)
TODAY = date(2026, 3, 2)


def _codes_by_division() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {d: [] for d in DIVISIONS}
    for code in vocabulary():
        if code[:2] in found:
            found[code[:2]].append(code)
    return found


def projected(table, values: dict) -> dict:
    """The payload's values the projection keeps: those its table has a column for (as its consumers do)."""
    return {name: value for name, value in values.items() if name in table.c}


def fill(engine, n_se: int, seed: int = 11) -> None:
    """n_se social enterprises with one or two offers each, and some active commitments."""
    rng = random.Random(seed)
    codes = _codes_by_division()
    orgs, offers, divisions, commitments = [], [], [], []
    for i in range(n_se):
        org_id = str(uuid.uuid4())
        orgs.append({"id": org_id, "aggregate_version": 1, "last_event_id": str(uuid.uuid4()),
                     **projected(store.matching_organisation, organisation_values({
                         "status": "active", "reference": f"AT12-O-{i:05d}", "kind": "social_enterprise",
                         "name": f"Sozialbetrieb {i:05d}", "town": "St. Pölten", "postcode": "3100", "country": "AT",
                         "website": None,
                         "nuts3": rng.choice(NUTS3), "lat": 47.5 + 1.4 * rng.random(), "lon": 14.6 + 2.4 * rng.random(),
                         "labour_market_segment": rng.choice(SEGMENTS),
                         "workers_in_integration": rng.randint(2, 60)}))})
        for _ in range(rng.choice((1, 1, 2))):
            offer_id = str(uuid.uuid4())
            division = rng.choice(DIVISIONS)
            cpv = sorted({rng.choice(codes[division]) for _ in range(rng.randint(1, 3))})
            price = Decimal(rng.randint(5, 200))
            offers.append({"id": offer_id, "aggregate_version": 1, "last_event_id": str(uuid.uuid4()),
                           **projected(store.matching_offer, offer_values({
                               "status": "published", "organisation_id": org_id, "title": f"Angebot {i}",
                               "description": None,
                               "cpv_codes": cpv, "capacity_per_week": str(rng.randint(5, 120)), "unit": "piece",
                               "lead_time_days": rng.choice((0, 7, 14)), "price_min": str(price),
                               "price_max": str(price * Decimal("1.5")), "currency": "EUR",
                               "delivery_radius_km": rng.choice((None, 50, 100, 150)), "cross_border": False}))})
            divisions.append({"division": division, "offer_id": offer_id})
            if rng.random() < 0.2:
                commitments.append({"agreement_id": str(uuid.uuid4()), "offer_id": offer_id, "organisation_id": org_id,
                                    "quantity": Decimal(rng.randint(10, 200)), "start_on": TODAY,
                                    "until": TODAY + timedelta(days=rng.randint(7, 60)),
                                    "status": store.COMMITMENT_ACTIVE, "updated_at": utcnow()})
    with engine.begin() as conn:
        for table, rows in ((store.matching_organisation, orgs), (store.matching_offer, offers),
                            (store.matching_offer_division, divisions), (store.matching_commitment, commitments)):
            for start in range(0, len(rows), 2000):
                conn.execute(insert(table), rows[start:start + 2000])
        _baseline_indexes(conn)
        conn.execute(text("ANALYZE"))


def _baseline_indexes(conn) -> None:
    """What the plain query needs: one row per offer code with a prefix index, and the region indexed."""
    conn.execute(text("CREATE TABLE bench_offer_cpv (cpv_code varchar(8) NOT NULL, offer_id varchar(36) NOT NULL)"))
    conn.execute(text("INSERT INTO bench_offer_cpv SELECT DISTINCT json_array_elements_text(cpv_codes), id "
                      "FROM matching_offer"))
    conn.execute(text("CREATE INDEX ix_bench_offer_cpv ON bench_offer_cpv (cpv_code varchar_pattern_ops, offer_id)"))
    conn.execute(text("CREATE INDEX ix_bench_org_nuts3 ON matching_organisation (nuts3)"))


BASELINE = text("""
    SELECT o.id, o.title, g.name, o.capacity_per_week, o.price_min, o.price_max
    FROM matching_offer o JOIN matching_organisation g ON g.id = o.organisation_id
    WHERE o.status = 'published' AND g.status = 'active' AND g.kind = 'social_enterprise' AND g.nuts3 = :nuts3
      AND o.id IN (SELECT offer_id FROM bench_offer_cpv WHERE cpv_code LIKE :prefix)
    ORDER BY g.name LIMIT 10
""")


def enquiry(quantity: int) -> MatchRequest:
    return MatchRequest(cpv_codes=("39110000",), today=TODAY, quantity=Decimal(quantity), unit="piece",
                        deadline=TODAY + timedelta(weeks=6), delivery_lat=48.204, delivery_lon=15.626,
                        delivery_nuts3="AT123")


def _timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = fn()
    return (time.perf_counter() - t0) * 1000, result


def run(env: BenchEnv, quick: bool = False) -> list[Result]:
    n_se = 10_000
    rounds = 40 if quick else 200
    site = env.runtime(SITE, [store.COMPONENT], "shortlist")
    fill(site.engine, n_se)
    scenarios = {"single SE covers 300": enquiry(300), "split needed, 3000": enquiry(3000)}
    times = {name: [] for name in (*scenarios, "baseline")}
    last = {}
    with site.engine.connect() as conn:
        for _ in range(5):  # warm-up: connection, plans, caches
            for req in scenarios.values():
                service.shortlist(conn, req)
            conn.execute(BASELINE, {"nuts3": "AT123", "prefix": "3911%"}).all()
        for _ in range(rounds):
            for name, req in scenarios.items():
                ms, last[name] = _timed(lambda: service.shortlist(conn, req))
                times[name].append(ms)
            ms, last["baseline"] = _timed(lambda: conn.execute(BASELINE, {"nuts3": "AT123", "prefix": "3911%"}).all())
            times["baseline"].append(ms)
        conn.rollback()
    base = statistics.median(times["baseline"])
    results = []
    for name in scenarios:
        s = last[name]
        split = f", split into {len(s.split.parts)} parts, missing {s.missing_quantity:f}" if s.split else ""
        results.append(Result(
            "shortlist", f"shortlist p50, {n_se:,} SEs, {name}", "ms", statistics.median(times[name]),
            "plain indexed SQL, same CPV + region, p50", base, higher_is_better=False,
            note=f"{name}: {s.considered} offers ranked in the CPV division, top {len(s.candidates)} returned{split}; "
                 f"p95 {_p95(times[name]):.2f} ms vs baseline p95 {_p95(times['baseline']):.2f} ms "
                 f"({len(last['baseline'])} rows); {rounds} rounds"))
    return results


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]
