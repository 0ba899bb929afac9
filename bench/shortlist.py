"""Shortlisting one enquiry in the site's matching projection on PostgreSQL (issue 20).

Figure: `services.enquiries.matching.service.shortlist` for two enquiries, one a single social
enterprise can cover (300 pieces), one that needs a split (3000): the database bounds every offer's
score and returns the few that may reach the top 10 (or cover the quantity alone); Python ranks those
exactly, with reasons, and proposes the split from the substitutable offers when needed.

Baseline: the same-candidate-set SQL: one plain query fetching exactly the rows the shortlist considers
(published offers of active social enterprises in the enquiry's CPV division, with the organisation's
columns the ranking reads), all of them, nothing computed. Subject and baseline run in alternating
rounds on the same schema (bench.common.alternating_rounds); figures are medians over the rounds.

Scale: the same at 1,000, 10,000 and 50,000 social enterprises (one to two offers each, one schema per
size), and the growth p50(50,000) / p50(10,000) of the shortlist (target <= 2; the baseline grows ~5x).
`--quick`: 500 / 2,000 / 10,000, growth 10,000 / 2,000.

The projection is filled with the rows its event handlers write (the contract's organisation_values /
offer_values, kept to the projection's columns, with the codes and unit vectors the consumers derive),
inserted in bulk: this measures shortlisting, not ingestion.
"""
from __future__ import annotations

import random
import statistics
import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, text

from bench.common import SITE, BenchEnv, Result, alternating_rounds
from services.common.outbox import utcnow
from services.contracts.cpv import vocabulary
from services.contracts.rows import offer_values, organisation_values
from services.enquiries.matching import service, store
from services.enquiries.matching.ranking import MatchRequest

NAME = "shortlist"

# Divisions in which social enterprises typically work (clothing, furniture, food, construction,
# repair, catering, business services, waste and cleaning, gardening, printing, recreation, other).
DIVISIONS = ("18", "39", "15", "45", "50", "55", "79", "90", "77", "22", "92", "98")
NUTS3 = ("AT121", "AT122", "AT123", "AT124", "AT125", "AT126", "AT127")
SEGMENTS = ("second_labour_market", "third_labour_market", None)
TODAY = date(2026, 3, 2)
# The offers' codes by prefix (matching migration 0003); absent when this module measures older code.
CODE_TABLE = getattr(store, "matching_offer_code", None)
ELIGIBLE = {"eligible": True} if "eligible" in store.matching_offer_division.c else {}  # all published, all active


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
    orgs, offers, divisions, codes_rows, commitments = [], [], [], [], []
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
        if "ux" in store.matching_organisation.c:  # as the consumer derives them
            orgs[-1].update(store.unit_vector(orgs[-1]["lat"], orgs[-1]["lon"]))
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
            divisions.append({"division": division, "offer_id": offer_id, **ELIGIBLE})
            if CODE_TABLE is not None:  # with the organisation's place and segment and the offer's weekly
                # capacity, as store.refresh_eligibility keeps them
                place = {k: orgs[-1][k] for k in ("ux", "uy", "uz", "labour_market_segment") if k in CODE_TABLE.c}
                if "capacity_per_week" in CODE_TABLE.c:
                    place["capacity_per_week"] = offers[-1]["capacity_per_week"]
                codes_rows += [{**row, **place} for row in store.offer_code_rows(offer_id, cpv)]
            if rng.random() < 0.2:
                commitments.append({"agreement_id": str(uuid.uuid4()), "offer_id": offer_id, "organisation_id": org_id,
                                    "quantity": Decimal(rng.randint(10, 200)), "start_on": TODAY,
                                    "until": TODAY + timedelta(days=rng.randint(7, 60)),
                                    "status": store.COMMITMENT_ACTIVE, "updated_at": utcnow()})
    with engine.begin() as conn:
        tables = [(store.matching_organisation, orgs), (store.matching_offer, offers),
                  (store.matching_offer_division, divisions), (store.matching_commitment, commitments)]
        if CODE_TABLE is not None:
            tables.append((CODE_TABLE, codes_rows))
        for table, rows in tables:
            for start in range(0, len(rows), 2000):
                conn.execute(insert(table), rows[start:start + 2000])
        if hasattr(store, "matching_division_count"):  # as the consumers keep it (matching migration 0004)
            conn.execute(text("INSERT INTO matching_division_count (division, eligible) SELECT division, COUNT(*) "
                              "FROM matching_offer_division WHERE eligible GROUP BY division"))
        conn.execute(text("ANALYZE"))
    # VACUUM, as autovacuum would after the bulk insert on a live site (the test server runs without it): the
    # index-only scans then read no table pages. Only the tables filled here, not the whole database.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM " + ", ".join(table.name for table, _ in tables)))


# The rows the shortlist considers: every published offer of an active social enterprise in the division.
SAME_CANDIDATES = text("""
    SELECT o.id, o.organisation_id, o.title, o.cpv_codes, o.capacity_per_week, o.unit, o.lead_time_days,
           o.price_min, o.price_max, o.currency, o.delivery_radius_km, g.name, g.nuts3, g.lat, g.lon,
           g.labour_market_segment, g.workers_in_integration
    FROM matching_offer o JOIN matching_organisation g ON g.id = o.organisation_id
    WHERE o.id IN (SELECT offer_id FROM matching_offer_division WHERE division = :division)
      AND o.status = 'published' AND g.status = 'active' AND g.kind = 'social_enterprise'
""")


def enquiry(quantity: int) -> MatchRequest:
    return MatchRequest(cpv_codes=("39110000",), today=TODAY, quantity=Decimal(quantity), unit="piece",
                        deadline=TODAY + timedelta(weeks=6), delivery_lat=48.204, delivery_lon=15.626,
                        delivery_nuts3="AT123")


SCENARIOS = {"single SE covers 300": enquiry(300), "split needed, 3000": enquiry(3000)}


def _measure(env: BenchEnv, n_se: int, rounds: int) -> dict:
    """{scenario: (shortlist seconds, baseline seconds, last shortlist, candidate rows)} at n_se SEs."""
    site = env.runtime(SITE, [store.COMPONENT], f"shortlist{n_se}")
    fill(site.engine, n_se)
    measured = {}
    with site.engine.connect() as conn:
        def same_candidates():
            return conn.execute(SAME_CANDIDATES, {"division": "39"}).all()

        for name, req in SCENARIOS.items():
            for _ in range(5):  # warm-up: connection, plans, caches
                service.shortlist(conn, req)
                same_candidates()
            subject, base = alternating_rounds(rounds, lambda: service.shortlist(conn, req), same_candidates)
            measured[name] = (subject, base, service.shortlist(conn, req), len(same_candidates()))
        conn.rollback()
    site.engine.dispose()
    return measured


def run(env: BenchEnv, quick: bool = False) -> list[Result]:
    sizes = (500, 2_000, 10_000) if quick else (1_000, 10_000, 50_000)
    rounds = 30 if quick else 60
    by_size = {n: _measure(env, n, rounds) for n in sizes}
    results = []
    for n, measured in by_size.items():
        for name, (subject, base, last, rows) in measured.items():
            split = f", split into {len(last.split.parts)} parts, missing {last.missing_quantity:f}" \
                if last.split else ""
            results.append(Result(
                "shortlist", f"shortlist p50, {n:,} SEs, {name}", "ms", _ms(subject),
                "same-candidate-set SQL p50", _ms(base), higher_is_better=False,
                note=f"{n:,} SEs, {name}: {last.considered} offers considered, top {len(last.candidates)}{split}; "
                     f"p95 {_ms(subject, 95):.2f} vs {_ms(base, 95):.2f} ms; the baseline fetches {rows} rows; "
                     f"{rounds} alternating rounds"))
    small, large = sizes[-2], sizes[-1]
    for name in SCENARIOS:
        results.append(Result(
            "shortlist_growth", f"shortlist p50 at {large:,} SEs, {name}", "ms", _ms(by_size[large][name][0]),
            f"shortlist p50 at {small:,} SEs", _ms(by_size[small][name][0]), higher_is_better=False,
            note=f"{name}: ratio = growth from {small:,} to {large:,} SEs (target <= 2); the same-candidate-set SQL "
                 f"grew {_ms(by_size[large][name][1]) / _ms(by_size[small][name][1]):.2f}x"))
    return results


def _ms(seconds: list[float], percent: int = 50) -> float:
    if percent == 50:
        return statistics.median(seconds) * 1000
    return statistics.quantiles(seconds, n=100)[percent - 1] * 1000
