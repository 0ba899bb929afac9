"""The public impact comparison over 100,000 deals (issue 18: within 10x of a plain SQL sum of the same
rows), at the hub on PostgreSQL.

The hub's store holds 100,000 impact records of five sites (AT11, AT12, AT13, AT22, HU22) over five years,
70% in EUR and 30% in HUF (each with its value in EUR as the site records it), plus 1,000 delivered
cross-border parts with their impact, inserted in bulk (this measures the comparison, not the ingest). A
few cells are kept small (HU22 in the first year, AT13 in the last), so suppression has work to do.

Figures, each the median of rounds that alternate with the baseline:
- `impact_comparison_json`: `comparison.compare` (two GROUP BY queries, margins, primary and
  complementary suppression, social value) and the open-data JSON serialised, i.e. GET
  /open-data/impact.json without HTTP;
- `impact_comparison_get`: GET /statistics?lang=de through the hub's Flask app (the page rendered).
Baseline: SELECT site, year, count(*), sum(value_paid_eur) FROM hub_impact GROUP BY site, year.
"""
from __future__ import annotations

import json
import random
import statistics
import uuid
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import insert, text

from bench.common import BenchEnv, HUB, Result, alternating_rounds, run_alone
from services.bootstrap import bootstrap, create_app
from services.common.config import DEFAULT_FEDERATION_FILE, load_federation, load_settings

NAME = "impact_comparison"
SITES = {"AT11": 0.15, "AT12": 0.3, "AT13": 0.15, "AT22": 0.2, "HU22": 0.2}
YEARS = (2022, 2023, 2024, 2025, 2026)
SMALL = {("HU22", 2022): 2, ("AT13", 2026): 1}  # cells kept below the threshold
BASELINE_SQL = text("SELECT site, year, count(*), sum(value_paid_eur) FROM hub_impact GROUP BY site, year")


def _impact_row(rng: random.Random, site: str, year: int, rate_huf: Decimal) -> dict:
    huf = rng.random() < 0.3
    paid = Decimal(rng.randint(200_000, 4_000_000)) if huf else Decimal(rng.randint(50_000, 1_500_000)) / 100
    return {"site": site, "id": str(uuid.uuid4()), "aggregate_version": 1, "last_event_id": str(uuid.uuid4()),
            "last_occurred_at": datetime(year, 6, 1, tzinfo=timezone.utc), "agreement_id": str(uuid.uuid4()),
            "enquiry_id": str(uuid.uuid4()), "year": year, "value_paid": paid, "currency": "HUF" if huf else "EUR",
            "value_paid_eur": (paid * rate_huf).quantize(Decimal("0.01")) if huf else paid,
            "material_diverted_kg": Decimal(rng.randint(0, 3000)) if rng.random() < 0.8 else None,
            "regional_share": Decimal(rng.randint(20, 100)) / 100 if rng.random() < 0.9 else None,
            "distance_km": Decimal(rng.randint(5, 400)), "production_nuts3": None,
            "integration_hours": Decimal(rng.randint(10, 2000))}


def fill(engine, n: int, parts: int, rate_huf: Decimal, seed: int = 18) -> None:
    from services.hub.crossborder.store import hub_crossborder_orders, hub_crossborder_parts
    from services.hub.enquiries.store import hub_impact

    rng = random.Random(seed)
    large = [(site, year) for site in SITES for year in YEARS if (site, year) not in SMALL]
    weights = [SITES[site] for site, _ in large]
    rows = [_impact_row(rng, site, year, rate_huf) for (site, year), count in SMALL.items() for _ in range(count)]
    rows += [_impact_row(rng, *rng.choices(large, weights)[0], rate_huf) for _ in range(n - len(rows))]
    now = datetime.now(timezone.utc)
    order_id = str(uuid.uuid4())
    order = {"id": order_id, "origin_site": "AT12", "enquiry_id": str(uuid.uuid4()), "correlation_id": order_id,
             "reference": "AT12-E-2026-0001", "title": "Bench", "type": "csr_product",
             "client_kind": "economic_enterprise", "cpv_codes": ["39150000"], "quantity": parts, "unit": "pieces",
             "deadline": now.date(), "delivery_nuts3": None, "budget": None, "currency": "EUR",
             "label_required": False, "max_partners": 3, "min_lot": 1, "sites": list(SITES), "status": "delivered",
             "version": 1, "allocation": {}, "created_at": now, "updated_at": now}
    part_rows = []
    for _ in range(parts):
        site, year = rng.choices(large, weights)[0]
        part_rows.append({
            "id": str(uuid.uuid4()), "order_id": order_id, "site": site, "organisation_id": str(uuid.uuid4()),
            "offer_id": str(uuid.uuid4()), "quantity": 1, "unit_price": Decimal(100), "currency": "EUR",
            "unit_cost_eur": Decimal(90), "reason": {"code": "bench", "params": {}}, "status": "delivered",
            "version": 1, "forwarded_at": now, "delivered": 1,
            "impact": {"year": year, "value_paid": "100", "currency": "EUR", "value_paid_eur": "100",
                       "material_diverted_kg": str(rng.randint(0, 300)), "regional_share": "0.5",
                       "distance_km": str(rng.randint(50, 600)), "production_nuts3": None,
                       "integration_hours": str(rng.randint(5, 200))}})
    with engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(hub_impact), rows[start:start + 5000])
        conn.execute(insert(hub_crossborder_orders), [order])
        conn.execute(insert(hub_crossborder_parts), part_rows)
        conn.execute(text("ANALYZE"))


def run(env: BenchEnv, quick: bool = False) -> list[Result]:
    from services.contracts.impact_policy import ImpactPolicy
    from services.hub.impact import comparison, open_data

    n = 20_000 if quick else 100_000
    rounds = 5 if quick else 15
    settings = load_settings(HUB, env={}, federation=env.federation, db_url=env.schema_url("impact_cmp"),
                             bus_url="memory://", key_file=env.root / "keys" / f"{HUB}.pem", var_dir=env.root,
                             rate_limit="100000/minute")
    runtime = bootstrap(settings)
    env.engines.append(runtime.engine)
    network = load_federation(DEFAULT_FEDERATION_FILE)  # the demo's five sites and their countries
    rates = network.rates_to_eur
    fill(runtime.engine, n, 1_000, rates["HUF"])
    policy = ImpactPolicy.of(network)
    found: dict = {}

    def public_json():
        with runtime.engine.connect() as conn:
            table = comparison.compare(conn, network.member_sites, policy, rates)
        found["json"] = json.dumps(open_data.as_json(table), ensure_ascii=False)
        found["table"] = table

    def plain_sum():
        with runtime.engine.connect() as conn:
            found["sum"] = conn.execute(BASELINE_SQL).all()

    public_json()
    plain_sum()
    table = found["table"]
    network_all = table.node(comparison.NETWORK, None, None).figures
    records_sum = sum(Decimal(row[3]) for row in found["sum"])
    if network_all.deals != n + 1_000 or network_all.value_paid_eur != records_sum + 100 * 1_000:
        raise RuntimeError(f"the comparison and the plain sum disagree: {network_all.deals} deals, "
                           f"{network_all.value_paid_eur} EUR vs {sum(r[2] for r in found['sum'])}, {records_sum}")
    hidden = sum(1 for node in table.nodes.values() if node.suppressed)
    baseline_name = "SELECT site, year, count(*), sum(value_paid_eur) GROUP BY site, year, median"
    results = []
    subject, base = alternating_rounds(rounds, public_json, plain_sum)
    results.append(Result(
        "impact_comparison_json", f"compare + suppress + open-data JSON, {n:,} deals + 1,000 parts, median", "ms",
        1000 * statistics.median(subject), baseline_name, 1000 * statistics.median(base), higher_is_better=False,
        note=f"{rounds} rounds; {len(table.nodes)} nodes, {hidden} suppressed; JSON {len(found['json']):,} bytes"))

    app = create_app(runtime)
    client = app.test_client()

    def get():
        answer = client.get("/statistics?lang=de", headers={"Accept": "text/html"})
        if answer.status_code != 200:
            raise RuntimeError(f"GET /statistics: {answer.status_code}")
        found["page_bytes"] = len(answer.data)

    get()
    subject, base = alternating_rounds(rounds, get, plain_sum)
    results.append(Result(
        "impact_comparison_get", f"GET /statistics, {n:,} deals + 1,000 parts, median", "ms",
        1000 * statistics.median(subject), baseline_name, 1000 * statistics.median(base), higher_is_better=False,
        note=f"{rounds} rounds; page {found['page_bytes']:,} bytes (the hub's federation lists one member site: "
             f"the page places the others by their country prefix)"))
    return results


if __name__ == "__main__":
    run_alone(run)
