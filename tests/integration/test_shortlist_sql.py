"""The shortlist cut in SQL (sql_ranking.py) returns exactly what ranking every offer of the divisions in
Python returned (the shortlist before the cut): the same candidates in the same order with the same scores,
points and reasons, the same counts, and the same split, on a varied projection (ties, units spelled
differently, delivery radii, missing coordinates, labels valid or not, commitments, lead times,
supporters), on SQLite and on PostgreSQL."""
from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import event

from services.common.ports import provide
from services.contracts.ports import PlatformSupporters
from services.enquiries.matching import service, sql_ranking
from services.enquiries.matching.consumers import HANDLERS
from services.enquiries.matching.ranking import MatchRequest, rank
from services.enquiries.matching.split import Supplier, propose_split
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.events import envelope
from tests.support.matching import matching_runtime, offer, organisation, publish_se

TODAY = date(2026, 3, 2)
CODES = ("39111000", "39111100", "39112000", "39110000", "39120000", "39100000", "39000000", "39200000",
         "39221100", "18937100", "18937200", "18930000", "18000000", "45000000", "45210000")
UNITS = ("piece", "piece", "piece", "Piece", "PIECE", "kg", None, "Stück", "STÜCK")
NUTS3 = ("AT123", "AT123", "AT124", "AT127", "AT130", "HU221", None)
PLACES = ((48.204, 15.626), (48.204, 15.626), (48.208, 16.373), (47.07, 15.44), (48.9, 15.0), None,
          (48.25, 15.7), (48.1, 15.5), (48.35, 15.9), (48.0, 15.2), (48.5, 15.6), (48.204, 15.3))


def _projection(runtime, seed: int = 20) -> list[str]:
    """A varied projection; returns the organisation ids."""
    rng = random.Random(seed)
    envelopes, reservations, org_ids = [], [], []
    for i in range(120):
        org_id = str(uuid.uuid4())
        org_ids.append(org_id)
        place = rng.choice(PLACES)
        envelopes.append(envelope("registry.organisation.registered", org_id, 1, organisation(
            org_id, name=f"SE {i:03d}", nuts3=rng.choice(NUTS3), lat=place and place[0], lon=place and place[1],
            kind="social_enterprise" if rng.random() < 0.95 else "economic_enterprise",
            status="active" if rng.random() < 0.95 else "withdrawn",
            labour_market_segment=rng.choice(("second_labour_market", "third_labour_market", None)))))
        twins = 3 if i % 10 == 0 else 1  # identical offers: ties broken by capacity, price, offer id
        template = dict(cpv_codes=sorted({rng.choice(CODES) for _ in range(rng.randint(1, 3))}),
                        capacity_per_week=rng.choice(("0", "3.5", "10", "35", "70", "70", "120.125")),
                        unit=rng.choice(UNITS), lead_time_days=rng.choice((0, 0, 7, 14, 60)),
                        price_min=rng.choice((None, "40.00", "40.00", "10.00")),
                        price_max=rng.choice((None, "60.00", "60.00")),
                        delivery_radius_km=rng.choice((None, None, 20, 55, 100)),
                        status="published" if rng.random() < 0.93 else "withdrawn")
        for _ in range(twins):
            offer_id = str(uuid.uuid4())
            envelopes.append(envelope("registry.offer.published", offer_id, 1, offer(offer_id, org_id, **template)))
            if rng.random() < 0.3:
                start = TODAY + timedelta(days=rng.randint(-10, 30))
                reservations.append((org_id, offer_id, Decimal(rng.choice((5, 20, 100))), start,
                                     start + timedelta(days=rng.randint(0, 40))))
        if rng.random() < 0.3:
            label_id = str(uuid.uuid4())
            envelopes.append(envelope("label.label.granted", label_id, 1, {
                "label_id": label_id, "number": f"SOPRO-AT12-2026-{i:04d}", "application_id": str(uuid.uuid4()),
                "holder_organisation_id": org_id, "holder_name": f"SE {i:03d}", "product": "Products",
                "cpv_codes": [rng.choice(("39100000", "18000000", "45000000"))], "catalogue_version": 1,
                "status": rng.choice(("valid", "valid", "suspended")), "valid_from": "2026-01-01",
                "valid_until": rng.choice(("2028-12-31", "2026-03-01")), "suspended_until": None, "reason": None}))
    with runtime.engine.begin() as conn:
        for env in envelopes:
            HANDLERS[env.type](conn, env)
    for org_id, offer_id, quantity, start, until in reservations:
        with runtime.engine.begin() as conn:
            if service.free_capacity(conn, offer_id, start, until) >= quantity:
                service.reserve(conn, str(uuid.uuid4()), org_id, offer_id, quantity, until, start)
    return org_ids


@pytest.fixture(params=BACKENDS)
def filled(request, make_settings):
    for runtime in matching_runtime(make_settings, pg_url_if(request, request.param, "sqlite://")):
        yield runtime, _projection(runtime)


def requests() -> list[tuple[MatchRequest, int]]:
    base = MatchRequest(cpv_codes=("39111000",), today=TODAY, quantity=Decimal(100), unit="piece",
                        deadline=TODAY + timedelta(weeks=4), delivery_lat=48.204, delivery_lon=15.626,
                        delivery_nuts3="AT123")
    return [
        (base, 10), (base, 1), (base, 3), (base, 1000),
        (replace(base, quantity=Decimal(600)), 5),  # no one alone: a split
        (replace(base, quantity=Decimal(100000)), 10),  # not even all together: missing quantity
        (replace(base, quantity=None, unit=None), 10),
        (replace(base, unit="Stück", quantity=Decimal(50)), 4),
        (replace(base, label_required=True), 5),
        (replace(base, label_required=True, quantity=Decimal(2000)), 5),
        (replace(base, delivery_lat=None, delivery_lon=None), 7),
        (replace(base, delivery_lat=None, delivery_lon=None, delivery_nuts3=None, deadline=None), 7),
        (replace(base, cpv_codes=("18937100", "39100000", "45210000")), 8),
        (replace(base, cpv_codes=("39000000",), quantity=Decimal("0.5")), 6),
        (replace(base, cpv_codes=("39120000",), delivery_lat=47.07, delivery_lon=15.44), 4),
    ]


def python_shortlist(conn, request: MatchRequest, limit: int):
    """The shortlist as it was before the cut in SQL: rank every offer of the divisions in Python."""
    ranked = rank(request, service.load_candidates(conn, request))
    excluded = 0
    if request.label_required:
        kept = [r for r in ranked if r.candidate.labelled]
        excluded, ranked = len(ranked) - len(kept), kept
    split, quantity = None, request.quantity
    if quantity is not None and quantity > 0 and not any(r.covers(quantity) for r in ranked):
        split = propose_split(quantity, [
            Supplier(r.candidate.offer_id, r.candidate.organisation_id, r.usable_capacity, r.score,
                     r.candidate.unit_price, r.candidate.currency, r.candidate.organisation_name)
            for r in ranked if r.substitutable])
    return ranked[:limit], len(ranked), excluded, split


def assert_same(conn, request: MatchRequest, limit: int) -> None:
    expected, considered, excluded, split = python_shortlist(conn, request, limit)
    got = service.shortlist(conn, request, limit)
    assert [(r.candidate.offer_id, r.score, r.points, r.reasons, r.cpv_level, r.candidate.supporter)
            for r in got.candidates] == \
        [(r.candidate.offer_id, r.score, r.points, r.reasons, r.cpv_level, r.candidate.supporter)
         for r in expected], request
    assert (got.considered, got.excluded_unlabelled) == (considered, excluded), request
    assert got.split == split, request


class SomeSupport:
    """PlatformSupporters for a test: every third organisation supports the platform."""

    def __init__(self, org_ids: list[str]):
        self.supporting_ids = frozenset(org_ids[::3])

    def supporting(self, conn, organisation_ids) -> frozenset[str]:
        return self.supporting_ids & set(organisation_ids)


def test_the_sql_cut_ranks_exactly_as_python_ranking_everything(filled):
    runtime, _ = filled
    with runtime.engine.connect() as conn:
        for request, limit in requests():
            assert_same(conn, request, limit)
        # the data set is varied enough to mean something
        everything = rank(requests()[0][0], service.load_candidates(conn, requests()[0][0]))
        assert len(everything) > 50 and len({r.score for r in everything}) < len(everything)  # ties
        assert {r.cpv_level for r in everything} >= {"exact", "class", "group", "division"}
        assert any(r.candidate.labelled for r in everything)


def test_with_supporters_the_cut_still_ranks_exactly_as_python(filled):
    runtime, org_ids = filled
    app = Flask(__name__)
    provide(app, PlatformSupporters, SomeSupport(org_ids))
    with app.app_context(), runtime.engine.connect() as conn:
        top = service.shortlist(conn, requests()[0][0], 1000).candidates
        assert any(r.candidate.supporter for r in top) and not all(r.candidate.supporter for r in top)
        for request, limit in requests():
            assert_same(conn, request, limit)


@pytest.fixture(params=BACKENDS)
def empty(request, make_settings):
    yield from matching_runtime(make_settings, pg_url_if(request, request.param, "sqlite://"))


def test_a_division_level_fit_still_makes_the_top_when_the_closer_fits_score_low(empty):
    """The cut first scores the offers at group level or better; a division-level fit scoring more than
    their best must not be left out (nor counted twice)."""
    far = {"lat": 47.07, "lon": 15.44, "labour_market_segment": None}  # Graz: 120 km from St. Pölten
    weak = [publish_se(empty, capacity="1", org_changes=far) for _ in range(3)]  # exact fits, little else
    _, strong = publish_se(empty, capacity="100", cpv_codes=["39221100"],  # the same division only
                           org_changes={"labour_market_segment": "third_labour_market"})
    req = MatchRequest(cpv_codes=("39111000",), today=TODAY, quantity=Decimal(100), unit="piece",
                       deadline=TODAY + timedelta(weeks=4), delivery_lat=48.204, delivery_lon=15.626)
    with empty.engine.connect() as conn:
        result = service.shortlist(conn, req, limit=2)
        assert result.candidates[0].candidate.offer_id == strong and result.candidates[0].cpv_level == "division"
        assert result.candidates[1].candidate.offer_id in {offer_id for _, offer_id in weak}
        assert result.considered == 4
        assert_same(conn, req, 2)


def split_requests() -> list[MatchRequest]:
    base = requests()[0][0]
    return [replace(base, quantity=Decimal(q)) for q in (250, 400, 600, 900, 1500, 100000)] + \
        [replace(base, cpv_codes=("39000000",), quantity=Decimal(700), delivery_lat=None, delivery_lon=None),
         replace(base, cpv_codes=("18937100", "39100000"), quantity=Decimal(500), unit="Stück"),
         replace(base, label_required=True, quantity=Decimal(300))]


def test_a_split_drawn_from_the_best_substitutes_only_is_the_split_of_all(filled, monkeypatch):
    """When a split is sure the cut returns only the substitutes that may score as much as the SPLIT_BEST-th
    best and those with the largest capacities; the split is the same as from all of them, also when it
    reaches past the best (then the service fetches all)."""
    runtime, _ = filled
    partial, fetched_all = [], []
    real_substitutes = sql_ranking.substitutes
    monkeypatch.setattr(sql_ranking, "substitutes", lambda conn, req: fetched_all.append(req) or
                        real_substitutes(conn, req))
    with runtime.engine.connect() as conn:
        for best in (1, 2, 4, 8, 16):
            monkeypatch.setattr(sql_ranking, "SPLIT_BEST", best)
            for request in split_requests():
                found = sql_ranking.cut(conn, request, 3, supporters_possible=False)
                if found.split_known_from is not None:
                    partial.append(len(found.rows) < len(real_substitutes(conn, request)))
                assert_same(conn, request, 3)
    # both ways were taken: fewer rows than all substitutes, and a split reaching past them
    assert any(partial) and fetched_all


def test_scoring_the_likeliest_offers_first_ranks_exactly_as_python(filled, monkeypatch):
    """The cut first scores the offers of the best level's LIKELIEST code rows (the best bounds of their scores,
    from the code rows alone); when their top beats what any other could score, it answers from them alone."""
    runtime, org_ids = filled
    answered = []
    real = sql_ranking._likeliest_suffice
    monkeypatch.setattr(sql_ranking, "_likeliest_suffice", lambda *args: answered.append(real(*args)) or answered[-1])
    app = Flask(__name__)
    provide(app, PlatformSupporters, SomeSupport(org_ids))
    near_requests = [(replace(request, quantity=Decimal(q)), limit) for request, limit in requests()[:3]
                     for q in (10, 100)]
    with runtime.engine.connect() as conn:
        for likeliest in (1, 2, 3, 5, 8, 13, 21, 34):
            monkeypatch.setattr(sql_ranking, "LIKELIEST", likeliest)
            for request, limit in requests() + near_requests:
                assert_same(conn, request, limit)
            with app.app_context():
                for request, limit in near_requests:
                    assert_same(conn, request, limit)
    # the likeliest were enough for some requests and not for others
    assert True in answered and False in answered


THIRD = "third_labour_market"
NORTH_KM = 111.2  # km per degree of latitude


def near_request(limit: int):
    return MatchRequest(cpv_codes=("39111000",), today=TODAY, quantity=Decimal(100), unit="piece",
                        deadline=TODAY + timedelta(weeks=4), delivery_lat=48.204, delivery_lon=15.626,
                        delivery_nuts3="AT123"), limit


def test_an_offer_without_a_place_is_bounded_by_the_full_distance_points(empty, monkeypatch):
    monkeypatch.setattr(sql_ranking, "LIKELIEST", 1)
    publish_se(empty, capacity="100", org_changes={"labour_market_segment": THIRD})  # here: 90
    publish_se(empty, capacity="100", org_changes={"labour_market_segment": THIRD, "lat": 48.204 + 100 / NORTH_KM})
    _, placeless = publish_se(empty, capacity="120", org_changes={"labour_market_segment": THIRD, "lat": None,
                                                                  "lon": None})  # in the region: 90, more free
    with empty.engine.connect() as conn:
        assert service.shortlist(conn, *near_request(1)).candidates[0].candidate.offer_id == placeless
        assert_same(conn, *near_request(1))


def test_an_offer_farther_away_that_may_score_more_is_not_left_out(empty, monkeypatch):
    """The nearest two score 88 (short of capacity) and 80 (covers it); the third, 20 km away, scores 88.5:
    its bound (segment, capacity) puts it among the likeliest two, not the one nearer."""
    monkeypatch.setattr(sql_ranking, "LIKELIEST", 2)
    publish_se(empty, capacity="23", org_changes={"labour_market_segment": THIRD})
    publish_se(empty, capacity="100", org_changes={"labour_market_segment": None})
    _, farther = publish_se(empty, capacity="100", org_changes={"labour_market_segment": THIRD,
                                                                "lat": 48.204 + 20 / NORTH_KM})
    with empty.engine.connect() as conn:
        top = service.shortlist(conn, *near_request(1)).candidates[0]
        assert (top.candidate.offer_id, top.score) == (farther, 88.5)
        assert_same(conn, *near_request(1))


def test_a_split_from_the_best_level_and_the_roomiest_only_is_the_split_of_all(filled, monkeypatch):
    """When a split is sure and the best level has ROOMY_FROM code rows, the cut first scores only its offers,
    those of the ROOMIEST code rows by weekly capacity and the labelled; it answers from them alone only when
    the others can neither score as much as the SPLIT_BEST-th best nor be among the largest capacities."""
    runtime, org_ids = filled
    answered = []
    real = sql_ranking._roomiest_suffice
    monkeypatch.setattr(sql_ranking, "_roomiest_suffice", lambda *args: answered.append(real(*args)) or answered[-1])
    monkeypatch.setattr(sql_ranking, "ROOMY_FROM", 1)
    app = Flask(__name__)
    provide(app, PlatformSupporters, SomeSupport(org_ids))
    many = [replace(request, quantity=Decimal(q)) for request in split_requests()[:1] for q in (300, 450, 800, 3000)]
    with runtime.engine.connect() as conn:
        for best in (1, 2, 3, 5, 8):
            monkeypatch.setattr(sql_ranking, "SPLIT_BEST", best)
            for roomiest in (0, 1, 2, 4, 8, 16, 64):
                monkeypatch.setattr(sql_ranking, "ROOMIEST", roomiest)
                for request in split_requests() + many:
                    for limit in (1, 3):
                        assert_same(conn, request, limit)
                with app.app_context():
                    for request in many:
                        assert_same(conn, request, 3)
    # the roomiest were enough for some requests and not for others
    assert True in answered and False in answered


def test_an_offer_beyond_the_roomiest_that_the_split_needs_is_not_left_out(empty, monkeypatch):
    """The best level's offer and the roomiest one cannot cover the order; the third, fitting at group level
    with a little less capacity, is needed: the cut may not answer from the first two alone."""
    monkeypatch.setattr(sql_ranking, "ROOMY_FROM", 1)
    monkeypatch.setattr(sql_ranking, "SPLIT_BEST", 1)
    monkeypatch.setattr(sql_ranking, "ROOMIEST", 1)
    publish_se(empty, capacity="10", org_changes={"labour_market_segment": THIRD})  # the best level
    _, roomiest = publish_se(empty, capacity="100", cpv_codes=["39120000"])  # group level
    _, needed = publish_se(empty, capacity="90", cpv_codes=["39130000"])
    request = replace(near_request(1)[0], quantity=Decimal(700))  # 4 weeks: 400 + 360 + 40
    with empty.engine.connect() as conn:
        split = service.shortlist(conn, request, 1).split
        assert {part.offer_id for part in split.parts} >= {roomiest, needed} and split.remainder == 0
        assert_same(conn, request, 1)


def test_the_likeliest_first_cut_leaves_the_callers_plan_cache_mode_as_it_was(empty):
    """On PostgreSQL the likeliest-first statement runs with a generic plan (it would be planned anew on every
    call); the caller's setting is back afterwards, and the answer is the same."""
    if empty.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    for _ in range(3):
        publish_se(empty, capacity="100", org_changes={"labour_market_segment": THIRD})
    with empty.engine.connect() as conn:
        for mode in ("force_custom_plan", "auto"):
            conn.exec_driver_sql(f"SET plan_cache_mode = {mode}")
            for _ in range(7):  # past psycopg's prepare threshold
                assert_same(conn, *near_request(2))
            assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == mode


def test_the_code_rows_the_cut_reads_first_come_from_its_indexes_alone(filled, monkeypatch):
    """On PostgreSQL (vacuumed, as autovacuum keeps it) the likeliest-first statement reads the best level's code
    rows with an index-only scan of ix_matching_offer_code_bounds, and the roomiest-first statement the largest
    capacities with one of ix_matching_offer_code_capacity: each index holds every column its bound or branch
    reads (matching migration 0007), so the reads do not grow with the table's pages. Were a column missing, the
    plan would read the table."""
    runtime, _ = filled
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's index-only scans")
    monkeypatch.setattr(sql_ranking, "ROOMY_FROM", 1)
    with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE) matching_offer_code")
    statements = []
    base, _ = requests()[0]
    with runtime.engine.connect() as conn:
        def record(_conn, _cursor, sql, values, *_):
            statements.append((sql, values))

        event.listen(conn, "before_cursor_execute", record)
        for request in (base, replace(base, quantity=Decimal(600))):  # the likeliest first; the roomiest first
            assert_same(conn, request, 3)
        event.remove(conn, "before_cursor_execute", record)
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # the few test rows would rather be read whole
        conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        plans = {first: "\n".join(row[0] for sql, values in statements if first in sql
                                  for row in conn.exec_driver_sql("EXPLAIN " + sql, values))
                 for first in ("bounded AS", "roomy AS")}
        conn.rollback()
    likeliest = [line for line in plans["bounded AS"].splitlines() if " on matching_offer_code " in line]
    assert likeliest and all("Index Only Scan using ix_matching_offer_code_bounds" in line for line in likeliest)
    roomiest = [line for line in plans["roomy AS"].splitlines() if "ix_matching_offer_code_capacity" in line]
    assert len(roomiest) == 2 and all("Index Only Scan" in line for line in roomiest)
