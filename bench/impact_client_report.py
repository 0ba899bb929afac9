"""A client's impact report over 10,000 delivered deals (issue 18: within 10x of a plain SQL sum of the same
rows), on PostgreSQL.

One site (AT22) with one client organisation and 10,000 agreements delivered to it this year by 40 social
enterprises, each with its impact record, 70% paid in EUR and 30% in HUF, inserted in bulk into the
lifecycle's tables (this measures the report, not the deliveries).

Figures, each the median of several rounds that alternate with the baseline:
- `report_page`: `services.enquiries.impact.report.build` for the page (its totals over all 10,000 deals,
  the first 100 rows);
- `report_all_rows`: the same with every row (`page=None`: what the CSV and the PDF are written from);
- `report_get`: `GET /office/our-impact?from=&to=` through the site's Flask app as the client's member.
Baseline: one plain SQL query summing the same rows: count, value paid per currency, value paid in EUR,
integration hours and material, from enquiries_impact joined to its agreement and enquiry, for the client
and the period, grouped by currency. Beside `report_all_rows` its note gives a plain SELECT of the same
rows (what the database and the driver alone take to hand them over).
"""
from __future__ import annotations

import random
import re
import statistics
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import insert, text

from bench.common import BenchEnv, Result, SITE, alternating_rounds, run_alone
from services.bootstrap import bootstrap, create_app
from services.common.config import load_settings
from services.common.users import add_user

NAME = "impact"
PASSWORD = "bench-password-1"
YEAR = date.today().year
START, END = date(YEAR, 1, 1), date(YEAR, 12, 31)
BASELINE_SQL = text("""
    SELECT i.currency, count(*) AS deals, sum(i.value_paid) AS paid, sum(i.value_paid_eur) AS paid_eur,
           sum(i.integration_hours) AS hours, sum(i.material_diverted_kg) AS material
      FROM enquiries_impact i
      JOIN enquiries_agreement a ON a.id = i.agreement_id
      JOIN enquiries_enquiry e ON e.id = a.enquiry_id
     WHERE e.client_organisation_id = :client AND a.status = 'delivered'
       AND a.delivered_at >= :since AND a.delivered_at < :until
     GROUP BY i.currency""")
# What every row costs the database and the driver alone: the rows' figures and their SE's name, no report.
ROWS_SQL = text("""
    SELECT a.id, a.enquiry_id, e.reference, e.title, a.organisation_id, o.name, a.delivered_at, a.quantity, a.unit,
           i.id, i.value_paid, i.currency, i.value_paid_eur, i.integration_hours, i.material_diverted_kg,
           i.regional_share, i.distance_km
      FROM enquiries_agreement a
      JOIN enquiries_enquiry e ON e.id = a.enquiry_id
      LEFT JOIN enquiries_impact i ON i.agreement_id = a.id
      LEFT JOIN matching_organisation o ON o.id = a.organisation_id
     WHERE e.client_organisation_id = :client AND a.status = 'delivered'
       AND a.delivered_at >= :since AND a.delivered_at < :until
     ORDER BY a.delivered_at, a.id""")


def fill(runtime, n: int, client_id: str, seed: int = 18) -> list[str]:
    """`n` delivered agreements of `client_id` with their impact records; returns the social enterprises' ids."""
    from services.enquiries.lifecycle.tables import agreement, enquiry, impact, proposal
    from services.enquiries.matching.store import matching_organisation

    rng = random.Random(seed)
    rate_huf = runtime.settings.federation.rates_to_eur.get("HUF", Decimal("0.0025"))
    ses = [str(uuid.uuid4()) for _ in range(40)]
    orgs = [{"id": client_id, "aggregate_version": 1, "last_event_id": str(uuid.uuid4()), "status": "active",
             "kind": "economic_enterprise", "name": "Apfelland Säfte Weiz GmbH", "nuts3": "AT224"}]
    orgs += [{"id": se, "aggregate_version": 1, "last_event_id": str(uuid.uuid4()), "status": "active",
              "kind": "social_enterprise", "name": f"Sozialbetrieb {i:02d}", "nuts3": "AT221"}
             for i, se in enumerate(ses)]
    enquiries, proposals, agreements, impacts = [], [], [], []
    now = datetime.now(timezone.utc)
    first = datetime(YEAR, 1, 1, 8, tzinfo=timezone.utc)
    span = max(1, min((now - first).days, 360))
    for i in range(n):
        eid, pid, aid = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
        delivered = first + timedelta(days=rng.randrange(span), minutes=rng.randrange(600))
        made = delivered - timedelta(days=20)
        se = rng.choice(ses)
        quantity = Decimal(rng.randint(10, 500))
        huf = rng.random() < 0.3
        price = Decimal(rng.randint(200_000, 4_000_000)) if huf else Decimal(rng.randint(500, 15_000)) + \
            Decimal(rng.randint(0, 99)) / 100
        currency = "HUF" if huf else "EUR"
        terms = {"quantity": quantity, "unit": "pieces", "price": price, "currency": currency,
                 "delivery_date": delivered.date()}
        enquiries.append({"id": eid, "reference": f"{SITE}-E-{YEAR}-{i:05d}", "type": "production_step",
                          "title": f"Auftrag {i}", "client_kind": "economic_enterprise",
                          "client_organisation_id": client_id, "cpv_codes": ["39150000"], "quantity": quantity,
                          "unit": "pieces", "currency": "EUR", "label_required": False,
                          "cross_border_allowed": False, "cross_border_flagged": False, "state": "delivered",
                          "submitted_at": made, "version": 8, "created_at": made, "updated_at": delivered})
        proposals.append({"id": pid, "enquiry_id": eid, "organisation_id": se, "revision": 1, "status": "accepted",
                          **terms, "created_by": "bench", "created_at": made, "updated_at": made})
        agreements.append({"id": aid, "enquiry_id": eid, "proposal_id": pid, "proposal_revision": 1,
                           "organisation_id": se, **terms, "status": "delivered", "made_at": made,
                           "made_by": "bench", "delivered_at": delivered, "version": 2})
        impacts.append({"id": str(uuid.uuid4()), "agreement_id": aid, "enquiry_id": eid, "year": YEAR,
                        "value_paid": price, "currency": currency,
                        "value_paid_eur": (price * rate_huf).quantize(Decimal("0.01")) if huf else price,
                        "material_diverted_kg": Decimal(rng.randint(0, 3000)) if rng.random() < 0.8 else None,
                        "regional_share": Decimal(rng.randint(20, 100)) / 100,
                        "distance_km": Decimal(rng.randint(5, 400)), "production_nuts3": "AT221",
                        "integration_hours": Decimal(rng.randint(10, 2000)) + Decimal(rng.choice((0, 25, 50))) / 100,
                        "basis": {"bench": True}, "recorded_at": delivered, "recorded_by": "bench"})
    with runtime.engine.begin() as conn:
        conn.execute(insert(matching_organisation), orgs)
        for table, rows in ((enquiry, enquiries), (proposal, proposals), (agreement, agreements), (impact, impacts)):
            for chunk in range(0, n, 2000):
                conn.execute(insert(table), rows[chunk:chunk + 2000])
        conn.execute(text("ANALYZE"))
    return ses


def _logged_in(app, username: str):
    client = app.test_client()
    html = {"Accept": "text/html"}
    login = client.get("/login", headers=html).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    answer = client.post("/login", headers=html, data={"username": username, "password": PASSWORD,
                                                       "csrf_token": token})
    if answer.status_code != 302:
        raise RuntimeError(f"login: {answer.status_code}")
    return client


def run(env: BenchEnv, quick: bool = False) -> list[Result]:
    from services.contracts.impact_policy import ImpactPolicy
    from services.enquiries.impact import report
    from services.enquiries.impact.model import CLIENT, Party

    n = 2_000 if quick else 10_000
    rounds = 5 if quick else 11
    settings = load_settings(SITE, env={}, federation=env.federation, db_url=env.schema_url("impact"),
                             bus_url="memory://", key_file=env.root / "keys" / f"{SITE}.pem", var_dir=env.root,
                             rate_limit="100000/minute", public_write_rate_limit="100000/minute")
    runtime = bootstrap(settings)
    env.engines.append(runtime.engine)
    client_id = str(uuid.uuid4())
    fill(runtime, n, client_id)
    with runtime.engine.begin() as conn:
        add_user(conn, "client-member", PASSWORD, ["member"], client_id)

    federation = settings.federation
    countries = {site.id: site.country or "" for site in federation.sites.values()}
    policy, rates, country = ImpactPolicy.of(federation), federation.rates_to_eur, settings.site.country
    party = Party(organisation_id=client_id, name="Apfelland Säfte Weiz GmbH", role=CLIENT)
    since = datetime(YEAR, 1, 1, tzinfo=timezone.utc)
    until = datetime(YEAR + 1, 1, 1, tzinfo=timezone.utc)
    found: dict = {}

    def build(page):
        def work():
            with runtime.engine.connect() as conn:
                found["report"] = report.build(conn, party, START, END, site_id=SITE, site_country=country,
                                               countries=countries, policy=policy, rates_to_eur=rates, page=page)
        return work

    def plain_sum():
        with runtime.engine.connect() as conn:
            found["sum"] = conn.execute(BASELINE_SQL, {"client": client_id, "since": since, "until": until}).all()

    build(1)()
    plain_sum()
    totals = found["report"].totals
    summed_eur = sum(Decimal(row.paid_eur) for row in found["sum"])
    if totals.deals != n or totals.value_paid_eur != summed_eur:
        raise RuntimeError(f"the report and the plain sum disagree: {totals.deals} deals, {totals.value_paid_eur} "
                           f"EUR vs {sum(row.deals for row in found['sum'])} deals, {summed_eur} EUR")
    def plain_rows():
        with runtime.engine.connect() as conn:
            found["rows"] = conn.execute(ROWS_SQL, {"client": client_id, "since": since, "until": until}).all()

    results = []
    baseline_name = "plain SQL sum of the same rows, median"
    for metric, page in (("report_page", 1), ("report_all_rows", None)):
        subject, base = alternating_rounds(rounds, build(page), plain_sum)
        what = "first 100 rows" if page else f"all {len(found['report'].rows):,} rows"
        note = f"{rounds} rounds; totals {totals.deals:,} deals, {totals.value_paid_eur:,} EUR, " \
               f"{totals.integration_hours:,} h"
        if page is None:  # beside the baseline: what fetching the rows alone costs
            fetched = statistics.median(alternating_rounds(rounds, lambda: None, plain_rows)[1])
            note += f"; a plain SELECT of the {len(found['rows']):,} rows: {1000 * fetched:.1f} ms " \
                    f"(report {statistics.median(subject) / fetched:.1f}x that)"
        results.append(Result(f"impact_{metric}", f"report.build, {n:,} deals, {what}, median", "ms",
                              1000 * statistics.median(subject), baseline_name, 1000 * statistics.median(base),
                              higher_is_better=False, note=note))

    app = create_app(runtime)
    member = _logged_in(app, "client-member")
    path = f"/office/our-impact?from={START.isoformat()}&to={END.isoformat()}&lang=de"

    def get():
        answer = member.get(path, headers={"Accept": "text/html"})
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path}: {answer.status_code}")
        found["page_bytes"] = len(answer.data)

    get()
    subject, base = alternating_rounds(rounds, get, plain_sum)
    results.append(Result("impact_report_get", f"GET /office/our-impact, {n:,} deals, median", "ms",
                          1000 * statistics.median(subject), baseline_name, 1000 * statistics.median(base),
                          higher_is_better=False, note=f"{rounds} rounds; page {found['page_bytes']:,} bytes"))
    return results


if __name__ == "__main__":
    run_alone(run)
