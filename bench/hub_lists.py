"""The hub's lists, dashboard and statistics as the store grows (issue 20: p50 at 100k organisations <= 1.5x
p50 at 1k), on PostgreSQL, over HTTP on loopback.

Three hub stores side by side (1k, 10k and 100k organisations; `--quick`: 1k, 3k, 10k), each filled in bulk
with COPY in realistic proportions per organisation: 0.45 social enterprises with two published offers
each (one or two CPV codes per offer), 1.5 support statements, 0.2 enquiries, 0.05 impact records; 5% of the
organisations withdrawn. Each store's Flask app is served by werkzeug's WSGI server in a thread; one
requests.Session per store, requests alternating between the stores round by round.

Figures (p50 of the rounds), each at the largest store, its baseline the same request at 1k:
- `hub_members_first`: GET /agency/members (the first page, 25 rows);
- `hub_members_deep`: the members page at 75% of the list (by its `after` cursor when the hub has one,
  else `page=N`, the OFFSET paging of before issue 20);
- `hub_api_organisations`: GET /api/v1/organisations?per_page=50;
- `hub_enquiries_first`, `hub_enquiries_deep`, `hub_api_enquiries`: the same for GET /agency/enquiries and
  GET /api/v1/enquiries?per_page=50 (0.2 enquiries per organisation);
- `hub_labels_first`, `hub_labels_deep`, `hub_api_labels`: the public label register GET /labels and
  GET /api/v1/labels?per_page=50 (a label for a quarter of the social enterprises: 0.1 per organisation);
- `hub_dashboard`: GET /agency/ (the overview);
- `hub_api_statistics`: GET /api/v1/statistics (members, offers, statements, enquiries per site);
- `hub_statistics_page`: GET /statistics (the public impact comparison).
The middle store's p50 and ratio are printed in the note. HUB_LISTS_ONLY=name,name measures only those.
"""
from __future__ import annotations

import json
import logging
import os
import random
import statistics
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import text

from bench.common import BenchEnv, HUB, Result, run_alone

NAME = "hub_lists"
SITES = ("AT12", "AT22", "HU22")
KINDS = (("social_enterprise", 0.45), ("economic_enterprise", 0.35), ("public_institution", 0.1),
         ("consulting_institution", 0.1))
NUTS = {"AT12": ("AT121", "AT122", "AT127"), "AT22": ("AT221", "AT222", "AT224"), "HU22": ("HU221", "HU222", "HU223")}
WORDS = ("Werkstatt", "Holz", "Metall", "Textil", "Garten", "Druck", "Service", "Kreis", "Hof", "Bau", "Asztalos",
         "Műhely", "Zentrum", "Verein", "Handel", "Recycling", "Nähstube", "Küche", "Fahrrad", "Papier")
CPV = ("39150000", "44210000", "45000000", "79800000", "90500000", "18100000", "77310000", "39290000")
STATES = ("submitted", "in_consultation", "matching", "negotiating", "agreed", "delivered", "closed", "cancelled")
TYPES = ("service", "production_step", "recycling_upcycling", "csr_product", "give_away")
PER_PAGE = 25


def _bookkeeping(rng: random.Random, site: str, id_: str, when: datetime) -> tuple:
    return site, id_, 1, str(uuid.UUID(int=rng.getrandbits(128))), when


def generate(n: int, seed: int = 20) -> dict[str, tuple[list[str], list[tuple]]]:
    """The rows of a hub store with `n` organisations, by table: (columns, rows)."""
    rng = random.Random(seed)
    when = datetime(2026, 3, 1, tzinfo=timezone.utc)
    uid = lambda: str(uuid.UUID(int=rng.getrandbits(128)))  # noqa: E731
    kinds, weights = zip(*KINDS)
    org_cols = ["site", "id", "aggregate_version", "last_event_id", "last_occurred_at", "status", "reference", "kind",
                "name", "town", "postcode", "country", "nuts3", "lat", "lon", "labour_market_segment",
                "workers_in_integration", "website", "search_text"]
    offer_cols = ["site", "id", "aggregate_version", "last_event_id", "last_occurred_at", "status", "organisation_id",
                  "title", "description", "cpv_codes", "capacity_per_week", "unit", "lead_time_days", "price_min",
                  "price_max", "currency", "delivery_radius_km", "cross_border", "search_text"]
    st_cols = ["site", "id", "aggregate_version", "last_event_id", "last_occurred_at", "status", "kind",
               "organisation_kind", "nuts3", "given_on"]
    enq_cols = ["site", "id", "aggregate_version", "last_event_id", "last_occurred_at", "reference", "type", "state",
                "client_kind", "client_organisation_id", "title", "cpv_codes", "quantity", "unit", "deadline",
                "delivery_nuts3", "budget", "currency", "label_required", "cross_border_allowed",
                "cross_border_flagged", "submitted_at", "submitted_year"]
    imp_cols = ["site", "id", "aggregate_version", "last_event_id", "last_occurred_at", "agreement_id", "enquiry_id",
                "year", "value_paid", "currency", "value_paid_eur", "material_diverted_kg", "regional_share",
                "distance_km", "production_nuts3", "integration_hours"]
    label_cols = ["site", "id", "aggregate_version", "last_event_id", "last_occurred_at", "number",
                  "holder_organisation_id", "holder_name", "product", "cpv_codes", "catalogue_version", "status",
                  "valid_from", "valid_until", "suspended_until", "reason", "holder_search"]
    orgs, offers, cpvs, statements, enquiries, impact, labels, label_cpvs = [], [], [], [], [], [], [], []
    for i in range(n):
        site = SITES[i % len(SITES)]
        kind = rng.choices(kinds, weights)[0]
        org_id = uid()
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i:06d}"
        nuts3 = rng.choice(NUTS[site])
        status = "withdrawn" if rng.random() < 0.05 else "active"
        se = kind == "social_enterprise"
        orgs.append((*_bookkeeping(rng, site, org_id, when), status, f"{site}-O-{i:06d}", kind, name, "Ort",
                     "1234", site[:2], nuts3, 48.0 + rng.random(), 16.0 + rng.random(),
                     "second_labour_market" if se else None, rng.randint(1, 40) if se else None, None,
                     f"{name} ort {nuts3}".casefold()))
        for j in range(2 if se else 0):
            offer_id = uid()
            codes = rng.sample(CPV, rng.choice((1, 2)))
            title = f"Offer {j} of {name}"
            offers.append((*_bookkeeping(rng, site, offer_id, when), "published", org_id, title, "Bench offer",
                           json.dumps(codes), Decimal(100), "pieces", 14, Decimal(5), Decimal(50), "EUR", 100, False,
                           title.casefold()))
            cpvs += [(site, offer_id, code) for code in codes]
        if se and i % 4 == 1:  # a label for a quarter of the social enterprises: 0.1 per organisation
            label_id, codes = uid(), rng.sample(CPV, rng.choice((1, 2)))
            status = rng.choices(("valid", "suspended", "revoked", "expired"), (0.85, 0.05, 0.03, 0.07))[0]
            labels.append((*_bookkeeping(rng, site, label_id, when), f"SOPRO-{site}-2026-{i:06d}", org_id, name,
                           f"Product of {name}", json.dumps(codes), 1, status, when.date(),
                           (when + timedelta(days=rng.randint(-100, 700))).date(), None, None, name.casefold()))
            label_cpvs += [(site, label_id, code) for code in codes]
        for _ in range(3 if i % 2 else 0):
            statements.append((*_bookkeeping(rng, site, uid(), when), "active", rng.choice(("person", "organisation")),
                               kind, nuts3, when.date()))
        if i % 5 == 0:
            enquiry_id = uid()
            submitted = when + timedelta(minutes=i)
            enquiries.append((*_bookkeeping(rng, site, enquiry_id, when), f"{site}-E-2026-{i:06d}", rng.choice(TYPES),
                              rng.choice(STATES), "economic_enterprise", None, f"Enquiry {i}", json.dumps([CPV[0]]),
                              Decimal(10), "pieces", submitted.date(), nuts3, None, "EUR", False, True, False,
                              submitted, 2026))
            if i % 20 == 0:
                impact.append((*_bookkeeping(rng, site, uid(), when), uid(), enquiry_id, rng.choice((2025, 2026)),
                               Decimal(1000), "EUR", Decimal(1000), Decimal(rng.randint(0, 300)),
                               Decimal(rng.randint(20, 100)) / 100, Decimal(rng.randint(5, 400)),
                               rng.choice(NUTS[site]), Decimal(rng.randint(10, 200))))
    return {"hub_organisation": (org_cols, orgs), "hub_offer": (offer_cols, offers),
            "hub_offer_cpv": (["site", "offer_id", "cpv_code"], cpvs), "hub_support_statement": (st_cols, statements),
            "hub_enquiries": (enq_cols, enquiries), "hub_impact": (imp_cols, impact),
            "hub_labels": (label_cols, labels), "hub_label_cpv": (["site", "label_id", "cpv_code"], label_cpvs)}


def fill(engine, n: int) -> float:
    """COPY the rows of `n` organisations into the hub's store; the seconds it took (generation included)."""
    start = time.perf_counter()
    tables = generate(n)
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cur:
            for table, (columns, rows) in tables.items():
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                raw.commit()
                # statistics of the rows just loaded, in a transaction of its own (one lock: no deadlock with a
                # database-wide ANALYZE): without them the foreign-key check of the next table may be planned as
                # a scan of a table thought empty
                cur.execute(f"ANALYZE {table}")
                raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - start


class Served:
    """A hub app on a werkzeug WSGI server in a thread, and a session that calls it with an agency token."""

    def __init__(self, env: BenchEnv, n: int):
        import requests
        from werkzeug.serving import make_server

        from services.bootstrap import bootstrap, create_app
        from services.common.config import load_settings

        settings = load_settings(HUB, env={}, federation=env.federation, db_url=env.schema_url(f"lists{n}"),
                                 bus_url="memory://", key_file=env.root / "keys" / f"{HUB}.pem", var_dir=env.root,
                                 rate_limit="1000000/minute")
        self.runtime = bootstrap(settings)
        env.engines.append(self.runtime.engine)
        self.n = n
        self.fill_seconds = fill(self.runtime.engine, n)
        self.server = make_server("127.0.0.1", 0, create_app(self.runtime), threaded=False)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.session = requests.Session()
        token = self.runtime.tokens.issue("bench:agency", ["agency_viewer"], ttl_seconds=3600)
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.deep = self._deep_query()
        self.deep_enquiries = self._deep_enquiries()
        self.deep_labels = self._deep_labels()

    def get(self, path: str, accept: str = "text/html") -> int:
        answer = self.session.get(self.base + path, headers={"Accept": accept})
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path} at {self.n}: {answer.status_code} {answer.text[:300]}")
        return len(answer.content)

    def _deep_query(self) -> str:
        """The query string of the members page at 75% of the list: a cursor if the hub has them, else a page."""
        first = self.session.get(self.base + "/api/v1/organisations?per_page=1").json()
        with self.runtime.engine.connect() as conn:
            active = conn.execute(text("SELECT count(*) FROM hub_organisation WHERE status = 'active'")).scalar_one()
            position = int(active * 0.75) // PER_PAGE * PER_PAGE
            if "next" not in first:
                return f"page={position // PER_PAGE + 1}"
            from services.common.keyset import encode_cursor

            row = conn.execute(text("SELECT name, site, id FROM hub_organisation WHERE status = 'active' "
                                    "ORDER BY name, site, id OFFSET :skip LIMIT 1"), {"skip": position - 1}).one()
            return f"after={encode_cursor(tuple(row))}"

    def _has_cursor(self, path: str) -> bool:
        return "next" in self.session.get(self.base + path).json()

    def _deep_enquiries(self) -> str:
        """The enquiries page at 75% of the list, as `_deep_query`."""
        with self.runtime.engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM hub_enquiries")).scalar_one()
            position = int(count * 0.75) // PER_PAGE * PER_PAGE
            if not self._has_cursor("/api/v1/enquiries?per_page=1"):
                return f"page={position // PER_PAGE + 1}"
            from services.hub.enquiries.store import enquiry_cursor

            row = conn.execute(text("SELECT submitted_at, site, reference, id FROM hub_enquiries "
                                    "ORDER BY submitted_at DESC NULLS LAST, site, reference, id OFFSET :skip LIMIT 1"),
                               {"skip": position - 1}).mappings().one()
            return f"after={enquiry_cursor(row)}"

    def _deep_labels(self) -> str:
        """The label register's page at 75% of it, as `_deep_query`."""
        with self.runtime.engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM hub_labels")).scalar_one()
            position = int(count * 0.75) // PER_PAGE * PER_PAGE
            if not self._has_cursor("/api/v1/labels?per_page=1"):
                return f"page={position // PER_PAGE + 1}"
            from services.common.keyset import encode_cursor

            number = conn.execute(text("SELECT number FROM hub_labels ORDER BY number OFFSET :skip LIMIT 1"),
                                  {"skip": position - 1}).scalar_one()
            return f"after={encode_cursor([number])}"

    def close(self) -> None:
        self.server.shutdown()
        self.session.close()


REQUESTS = (
    ("hub_members_first", "GET /agency/members", lambda s: s.get("/agency/members")),
    ("hub_members_deep", "GET /agency/members at 75% of the list", lambda s: s.get(f"/agency/members?{s.deep}")),
    ("hub_api_organisations", "GET /api/v1/organisations?per_page=50",
     lambda s: s.get("/api/v1/organisations?per_page=50", "application/json")),
    ("hub_enquiries_first", "GET /agency/enquiries", lambda s: s.get("/agency/enquiries")),
    ("hub_enquiries_deep", "GET /agency/enquiries at 75% of the list",
     lambda s: s.get(f"/agency/enquiries?{s.deep_enquiries}")),
    ("hub_api_enquiries", "GET /api/v1/enquiries?per_page=50",
     lambda s: s.get("/api/v1/enquiries?per_page=50", "application/json")),
    ("hub_labels_first", "GET /labels (the register)", lambda s: s.get("/labels")),
    ("hub_labels_deep", "GET /labels at 75% of the register", lambda s: s.get(f"/labels?{s.deep_labels}")),
    ("hub_api_labels", "GET /api/v1/labels?per_page=50", lambda s: s.get("/api/v1/labels?per_page=50",
                                                                          "application/json")),
    ("hub_dashboard", "GET /agency/ (overview)", lambda s: s.get("/agency/")),
    ("hub_api_statistics", "GET /api/v1/statistics", lambda s: s.get("/api/v1/statistics", "application/json")),
    ("hub_statistics_page", "GET /statistics (impact comparison)", lambda s: s.get("/statistics")),
)


def _chosen() -> tuple:
    """The requests named in HUB_LISTS_ONLY (comma-separated), or all of them."""
    names = [n for n in os.environ.get("HUB_LISTS_ONLY", "").split(",") if n]
    return tuple(r for r in REQUESTS if not names or r[0] in names)


def run(env: BenchEnv, quick: bool = False) -> list[Result]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    requests_ = _chosen()
    scales = (1_000, 3_000, 10_000) if quick else (1_000, 10_000, 100_000)
    rounds = 9 if quick else 25
    stores = []
    try:
        for n in scales:
            stores.append(Served(env, n))
        timings = {(name, s.n): [] for name, _, _ in requests_ for s in stores}
        for name, _, call in requests_:
            for s in stores:  # warm up: plans, templates, connections
                call(s), call(s)
        for _ in range(rounds):
            for name, _, call in requests_:
                for s in stores:
                    start = time.perf_counter()
                    call(s)
                    timings[(name, s.n)].append(time.perf_counter() - start)
        small, middle, large = scales
        fills = ", ".join(f"{s.n:,}: {s.fill_seconds:.1f} s" for s in stores)
        results = []
        for name, label, _ in requests_:
            p50 = {n: 1000 * statistics.median(timings[(name, n)]) for n in scales}
            results.append(Result(name, f"{label}, {large:,} organisations, p50", "ms", p50[large],
                                  f"the same at {small:,}", p50[small], higher_is_better=False, goal="<= 1.5",
                                  note=f"{rounds} rounds; at {middle:,}: {p50[middle]:.1f} ms "
                                       f"(ratio {p50[middle] / p50[small]:.2f}); fill (COPY) {fills}"))
        return results
    finally:
        for s in stores:
            s.close()


if __name__ == "__main__":
    run_alone(run)
