"""The hub's brokerage view on PostgreSQL (and SQLite, for the embedded mode): enquiry, agreement and impact events applied in transactions
(stale versions ignored), the agency's enquiry list and detail, counts per site and state, impact
totals per site, year and dimension, and their access rules."""
from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.bootstrap import bootstrap, create_app
from services.common.tokens import ROLES
from services.common.signing import load_private_key
from services.contracts.events import enquiries as ev
from services.hub.enquiries import store as enquiry_store
from services.workers import hub_ingest
from tests.support import hub
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.events import envelope, signed
from tests.support.tokens import bearer

def enquiry_data(enquiry_id: str, site: str = "AT12", **changes) -> dict:
    return {
        "enquiry_id": enquiry_id, "reference": f"{site}-E-2026-0001", "type": "production_step", "state": "submitted",
        "client_kind": "economic_enterprise", "client_organisation_id": str(uuid.uuid4()),
        "title": "Sewing 500 tote bags", "cpv_codes": ["18930000"], "quantity": "500", "unit": "piece",
        "deadline": "2026-09-30", "delivery_nuts3": "AT123", "budget": "4500.00",
        "currency": "HUF" if site == "HU22" else "EUR", "label_required": False, "cross_border_allowed": True,
        "cross_border_flagged": False, "submitted_at": "2026-03-01T09:00:00+00:00", **changes,
    }


def agreement_data(agreement_id: str, enquiry_id: str, status: str = "active", **changes) -> dict:
    return {
        "agreement_id": agreement_id, "enquiry_id": enquiry_id, "organisation_id": str(uuid.uuid4()),
        "offer_id": None, "quantity": "500", "unit": "piece", "price": "4200.00", "currency": "EUR",
        "delivery_date": "2026-09-15", "status": status, **changes,
    }


def impact_data(agreement_id: str, enquiry_id: str, year: int = 2026, **changes) -> dict:
    return {
        "agreement_id": agreement_id, "enquiry_id": enquiry_id, "year": year, "value_paid": "4200.00",
        "currency": "EUR", "value_paid_eur": "4200.00", "material_diverted_kg": "120.5", "regional_share": "0.8",
        "distance_km": "35", "production_nuts3": "AT123", "integration_hours": "310", **changes,
    }


class Sites:
    """Feeds the hub the enquiries service's events, as the consumer runner would after its checks."""

    def __init__(self, runtime):
        self.runtime = runtime

    def apply(self, *envelopes) -> None:
        hub.apply(self.runtime, *envelopes)

    def enquiry(self, site: str, version: int = 1, enquiry_id: str | None = None, **changes) -> str:
        enquiry_id = enquiry_id or str(uuid.uuid4())
        kind = "enquiries.enquiry.submitted" if version == 1 else "enquiries.enquiry.changed"
        self.apply(envelope(kind, enquiry_id, version, enquiry_data(enquiry_id, site, **changes), site))
        return enquiry_id

    def agreement(self, site: str, enquiry_id: str, verb: str = "made", version: int = 1,
                  agreement_id: str | None = None, **changes) -> str:
        agreement_id = agreement_id or str(uuid.uuid4())
        status = {"made": "active", "cancelled": "cancelled", "delivered": "delivered"}[verb]
        self.apply(envelope(f"enquiries.agreement.{verb}", agreement_id, version,
                            agreement_data(agreement_id, enquiry_id, status, **changes), site))
        return agreement_id

    def impact(self, site: str, enquiry_id: str, version: int = 1, impact_id: str | None = None, **changes) -> str:
        # Keyed by the envelope's aggregate, whatever the site uses as one (here: a record of its own).
        impact_id = impact_id or str(uuid.uuid4())
        agreement_id = changes.pop("agreement_id", str(uuid.uuid4()))
        self.apply(envelope("enquiries.impact.recorded", impact_id, version,
                            impact_data(agreement_id, enquiry_id, **changes), site))
        return impact_id


@pytest.fixture(params=BACKENDS)
def runtime(request, make_settings):
    # SQLite too: the embedded federation's hub runs these sums and orderings there.
    rt = bootstrap(make_settings("EU", db_url=pg_url_if(request, request.param)))
    yield rt
    rt.engine.dispose()


@pytest.fixture
def sites(runtime):
    return Sites(runtime)


@pytest.fixture
def client(runtime):
    return create_app(runtime).test_client()


def row(runtime, table, aggregate_id: str, site: str = "AT12"):
    with runtime.engine.connect() as conn:
        return conn.execute(select(table).where(table.c.site == site, table.c.id == aggregate_id)).mappings().first()


# --- ingest ------------------------------------------------------------------------------------------

def test_newest_enquiry_snapshot_wins_whatever_the_arrival_order(runtime, sites):
    enquiry_id = str(uuid.uuid4())
    sites.enquiry("AT12", version=3, enquiry_id=enquiry_id, state="negotiating", cpv_codes=["18930000", "39500000"])
    sites.enquiry("AT12", version=2, enquiry_id=enquiry_id, state="matching", cpv_codes=["45000000"])
    sites.enquiry("AT12", version=1, enquiry_id=enquiry_id, state="submitted")
    kept = row(runtime, enquiry_store.hub_enquiries, enquiry_id)
    assert (kept["state"], kept["aggregate_version"]) == ("negotiating", 3)
    assert (kept["quantity"], kept["budget"], kept["submitted_year"]) == (Decimal("500"), Decimal("4500.00"), 2026)
    with runtime.engine.connect() as conn:
        codes = conn.execute(select(enquiry_store.hub_enquiry_cpv.c.cpv_code)
                             .where(enquiry_store.hub_enquiry_cpv.c.enquiry_id == enquiry_id)
                             .order_by(enquiry_store.hub_enquiry_cpv.c.cpv_code)).scalars().all()
    assert codes == ["18930000", "39500000"]  # the stale snapshots' codes were not written either


def test_a_replayed_version_changes_nothing(runtime, sites):
    enquiry_id = sites.enquiry("AT12", title="original")
    first = row(runtime, enquiry_store.hub_enquiries, enquiry_id)
    sites.enquiry("AT12", version=1, enquiry_id=enquiry_id, title="impostor")
    again = row(runtime, enquiry_store.hub_enquiries, enquiry_id)
    assert (again["title"], again["last_event_id"]) == ("original", first["last_event_id"])


def test_agreement_follows_its_newest_event_and_ignores_a_late_older_one(runtime, sites):
    enquiry_id = sites.enquiry("AT12")
    agreement_id = sites.agreement("AT12", enquiry_id, "made")
    sites.agreement("AT12", enquiry_id, "delivered", version=3, agreement_id=agreement_id)
    sites.agreement("AT12", enquiry_id, "cancelled", version=2, agreement_id=agreement_id)
    kept = row(runtime, enquiry_store.hub_agreements, agreement_id)
    assert (kept["status"], kept["aggregate_version"], kept["price"]) == ("delivered", 3, Decimal("4200.00"))


def test_an_agreement_before_its_enquiry_is_kept(runtime, sites):
    # A gap being healed may deliver the agreement first; nothing may fail or be lost.
    enquiry_id = str(uuid.uuid4())
    agreement_id = sites.agreement("HU22", enquiry_id)
    assert row(runtime, enquiry_store.hub_agreements, agreement_id, site="HU22")["enquiry_id"] == enquiry_id


def test_impact_record_corrected_by_a_newer_version(runtime, sites):
    enquiry_id = sites.enquiry("AT12")
    impact_id = sites.impact("AT12", enquiry_id, value_paid_eur="100.00")
    sites.impact("AT12", enquiry_id, version=2, impact_id=impact_id, value_paid_eur="150.00", regional_share=None)
    sites.impact("AT12", enquiry_id, version=1, impact_id=impact_id, value_paid_eur="999.00")
    kept = row(runtime, enquiry_store.hub_impact, impact_id)
    assert (kept["value_paid_eur"], kept["regional_share"], kept["aggregate_version"]) == (Decimal("150.00"), None, 2)


def test_the_same_enquiry_id_at_two_sites_stays_two_rows(runtime, sites):
    enquiry_id = str(uuid.uuid4())
    sites.enquiry("AT13", enquiry_id=enquiry_id, title="Vienna")
    sites.enquiry("HU22", version=4, enquiry_id=enquiry_id, title="Győr")
    assert row(runtime, enquiry_store.hub_enquiries, enquiry_id, site="AT13")["title"] == "Vienna"
    assert row(runtime, enquiry_store.hub_enquiries, enquiry_id, site="HU22")["title"] == "Győr"


def test_the_hub_ingest_pipeline_checks_and_applies_signed_enquiry_events(runtime, federation_files):
    # Through services.workers.hub_ingest: the signature, the event's JSON Schema, the tracking row, the handler.
    spec, processor, streams = hub_ingest(runtime)
    assert "*.enquiries.#" in spec.binding_keys
    assert {"AT12/enquiries", "HU22/enquiries", "AT12/registry"} <= set(streams)

    key = load_private_key(federation_files[1] / "AT12.pem")
    enquiry_id = str(uuid.uuid4())
    submitted = ev.EnquiryData().load(enquiry_data(enquiry_id))  # typed, as the site's domain holds it
    changed = {**submitted, "state": "matching", "cross_border_flagged": True}
    bodies = [signed(ev.EnquirySubmitted(**submitted), enquiry_id, 1, 1, "AT12", key),
              signed(ev.EnquiryChanged(**changed), enquiry_id, 2, 2, "AT12", key)]

    outcome = processor.process(list(reversed(bodies)))  # order within the batch does not matter
    assert (len(outcome.applied), outcome.dead) == (2, [])
    kept = row(runtime, enquiry_store.hub_enquiries, enquiry_id)
    assert (kept["state"], kept["cross_border_flagged"], kept["aggregate_version"]) == ("matching", True, 2)
    assert processor.process(bodies).duplicates == 2  # redelivered: applied once only


# --- the agency's API --------------------------------------------------------------------------------

@pytest.fixture
def data(sites):
    ids = {}
    ids["bags"] = sites.enquiry("AT12", reference="AT12-E-2026-0001", title="Tote bags",
                                submitted_at="2026-03-01T09:00:00+00:00")
    ids["catering"] = sites.enquiry("AT12", reference="AT12-E-2026-0002", title="Catering", type="service",
                                    cpv_codes=["55520000"], client_kind="anonymous", client_organisation_id=None,
                                    submitted_at="2026-04-01T09:00:00+00:00")
    sites.enquiry("AT12", version=5, enquiry_id=ids["catering"], reference="AT12-E-2026-0002", title="Catering",
                  type="service", cpv_codes=["55520000"], state="delivered", client_kind="anonymous",
                  client_organisation_id=None, submitted_at="2026-04-01T09:00:00+00:00")
    ids["old"] = sites.enquiry("AT12", reference="AT12-E-2025-0009", title="Old demolition", cpv_codes=["45110000"],
                               state="cancelled", submitted_at="2025-11-20T09:00:00+00:00")
    ids["toys"] = sites.enquiry("HU22", reference="HU22-E-2026-0001", title="Wooden toys", type="give_away",
                                cpv_codes=["37520000"], cross_border_flagged=True,
                                submitted_at="2026-02-01T09:00:00+00:00")

    ids["agreement"] = sites.agreement("AT12", ids["catering"], "delivered", version=2)
    sites.impact("AT12", ids["catering"], agreement_id=ids["agreement"], year=2026, value_paid_eur="4200.00",
                 material_diverted_kg="120.5", regional_share="0.8", distance_km="35", integration_hours="310")
    sites.impact("AT12", ids["old"], year=2025, value_paid_eur="1000.005", material_diverted_kg=None,
                 regional_share=None, distance_km="10", production_nuts3="AT127", integration_hours="40.5")
    sites.impact("HU22", ids["toys"], year=2026, value_paid="400000", currency="HUF", value_paid_eur="1000.00",
                 material_diverted_kg="30", regional_share="0.5", distance_km="5", production_nuts3="HU221",
                 integration_hours="80")
    return ids


def references(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["reference"] for item in response.get_json()["items"]]


def test_enquiries_are_listed_newest_first_without_personal_data(client, runtime, data):
    response = client.get("/api/v1/enquiries", headers=bearer(runtime, ["agency_viewer"]))
    assert references(response) == ["AT12-E-2026-0002", "AT12-E-2026-0001", "HU22-E-2026-0001", "AT12-E-2025-0009"]
    catering = response.get_json()["items"][0]
    assert (catering["state"], catering["client_kind"], catering["client_organisation_id"]) == (
        "delivered", "anonymous", None)
    assert (catering["quantity"], catering["budget"], catering["deadline"]) == ("500.000", "4500.0000", "2026-09-30")
    assert catering["submitted_at"] == "2026-04-01T09:00:00+00:00"
    assert set(catering) == {
        "site", "id", "aggregate_version", "updated_at", "reference", "type", "state", "client_kind",
        "client_organisation_id", "title", "cpv_codes", "quantity", "unit", "deadline", "delivery_nuts3", "budget",
        "currency", "label_required", "cross_border_allowed", "cross_border_flagged", "submitted_at"}


@pytest.mark.parametrize("query, expected", [
    ("site=HU22", ["HU22-E-2026-0001"]),
    ("state=delivered", ["AT12-E-2026-0002"]),
    ("type=give_away", ["HU22-E-2026-0001"]),
    ("cpv=189", ["AT12-E-2026-0001"]),
    ("cpv=4", ["AT12-E-2025-0009"]),
    ("cpv=9", []),
    ("year=2025", ["AT12-E-2025-0009"]),
    ("year=2026&site=AT12", ["AT12-E-2026-0002", "AT12-E-2026-0001"]),
    ("cross_border_flagged=true", ["HU22-E-2026-0001"]),
    ("site=AT12&state=submitted&type=production_step&cpv=18930000&year=2026", ["AT12-E-2026-0001"]),
])
def test_enquiry_filters(client, runtime, data, query, expected):
    assert references(client.get(f"/api/v1/enquiries?{query}", headers=bearer(runtime, ["agency_admin"]))) == expected


def test_enquiries_are_paged(client, runtime, data):
    body = client.get("/api/v1/enquiries?per_page=3&page=2", headers=bearer(runtime, ["agency_viewer"])).get_json()
    assert (body["total"], body["page"], body["per_page"]) == (4, 2, 3)
    assert [i["reference"] for i in body["items"]] == ["AT12-E-2025-0009"]


def test_enquiry_detail_carries_its_agreements_and_impact(client, runtime, data):
    response = client.get(f"/api/v1/enquiries/{data['catering']}", headers=bearer(runtime, ["agency_viewer"]))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["site"], body["state"], body["aggregate_version"]) == ("AT12", "delivered", 5)
    [agreement] = body["agreements"]
    assert (agreement["id"], agreement["status"], agreement["price"]) == (data["agreement"], "delivered", "4200.0000")
    [record] = body["impact"]
    assert (record["agreement_id"], record["value_paid_eur"], record["regional_share"]) == (
        data["agreement"], "4200.0000", "0.8000")


def test_unknown_enquiry_is_404(client, runtime, data):
    response = client.get(f"/api/v1/enquiries/{uuid.uuid4()}", headers=bearer(runtime, ["agency_viewer"]))
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"


def test_statistics_count_enquiries_per_site_state_and_type(client, runtime, data):
    body = client.get("/api/v1/statistics", headers=bearer(runtime, ["agency_viewer"])).get_json()
    sites = {s["site"]: s for s in body["sites"]}
    at12 = sites["AT12"]["enquiries"]
    assert at12["total"] == 3
    assert {k: v for k, v in at12["by_state"].items() if v} == {"submitted": 1, "delivered": 1, "cancelled": 1}
    assert {k: v for k, v in at12["by_type"].items() if v} == {"production_step": 2, "service": 1}
    assert sites["HU22"]["enquiries"]["by_state"]["submitted"] == 1
    assert sites["AT11"]["enquiries"]["total"] == 0
    assert body["totals"]["enquiries"] == 4


def test_impact_totals_per_site_year_and_dimension(client, runtime, data):
    response = client.get("/api/v1/impact", headers=bearer(runtime, ["agency_viewer"]))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["totals"] == {
        "records": 3,
        "economic": {"value_paid_eur": "6200.01"},  # 4200 + 1000.005 (rounded half up) + 1000 (from HUF)
        "ecological": {"material_diverted_kg": "150.500", "regional_share_average": "0.6500"},
        "regional": {"distance_km": "50.000", "production_regions": {"AT123": 1, "AT127": 1, "HU221": 1}},
        "social": {"integration_hours": "430.500"},
    }
    sites = {s["site"]: s for s in body["sites"]}
    assert set(sites) == {"AT11", "AT12", "AT13", "AT22", "HU22"}
    at12 = sites["AT12"]
    assert (at12["records"], at12["economic"]["value_paid_eur"]) == (2, "5200.01")
    assert [(y["year"], y["economic"]["value_paid_eur"], y["ecological"]["regional_share_average"])
            for y in at12["years"]] == [(2025, "1000.01", None), (2026, "4200.00", "0.8000")]
    assert (sites["AT11"]["records"], sites["AT11"]["economic"]["value_paid_eur"], sites["AT11"]["years"]) == (
        0, "0.00", [])
    assert [(y["year"], y["records"], y["social"]["integration_hours"]) for y in body["years"]] == [
        (2025, 1, "40.500"), (2026, 2, "390.000")]


def test_impact_totals_of_one_site_and_year(client, runtime, data):
    body = client.get("/api/v1/impact?site=AT12&year=2026", headers=bearer(runtime, ["agency_admin"])).get_json()
    assert [s["site"] for s in body["sites"]] == ["AT12"]
    assert (body["totals"]["records"], body["totals"]["economic"]["value_paid_eur"]) == (1, "4200.00")
    assert [y["year"] for y in body["years"]] == [2026]
    empty = client.get("/api/v1/impact?year=2030", headers=bearer(runtime, ["agency_admin"])).get_json()
    assert (empty["totals"]["records"], empty["years"]) == (0, [])


# --- access and bad input ----------------------------------------------------------------------------

AGENCY_PATHS = ["/api/v1/enquiries", f"/api/v1/enquiries/{uuid.uuid4()}", "/api/v1/impact"]


@pytest.mark.parametrize("path", AGENCY_PATHS)
def test_brokerage_views_need_a_token(client, path):
    response = client.get(path)
    assert response.status_code == 401 and response.get_json()["code"] == "unauthorized"


@pytest.mark.parametrize("path", AGENCY_PATHS)
def test_brokerage_views_refuse_site_roles(client, runtime, path):
    outsiders = [r for r in ROLES if r not in ("agency_viewer", "agency_admin")]
    assert client.get(path, headers=bearer(runtime, outsiders)).status_code == 403


@pytest.mark.parametrize("path, field", [
    ("/api/v1/enquiries?site=XX99", "site"),
    ("/api/v1/enquiries?site=EU", "site"),
    ("/api/v1/enquiries?state=lost", "state"),
    ("/api/v1/enquiries?type=bakery", "type"),
    ("/api/v1/enquiries?cpv=18x", "cpv"),
    ("/api/v1/enquiries?cpv=123456789", "cpv"),
    ("/api/v1/enquiries?year=1066", "year"),
    ("/api/v1/enquiries?year=twenty", "year"),
    ("/api/v1/enquiries?cross_border_flagged=perhaps", "cross_border_flagged"),
    ("/api/v1/enquiries?page=0", "page"),
    ("/api/v1/enquiries?per_page=1000", "per_page"),
    ("/api/v1/enquiries?client=acme", "client"),
    ("/api/v1/impact?site=XX99", "site"),
    ("/api/v1/impact?year=99999", "year"),
    ("/api/v1/impact?dimension=social", "dimension"),
])
def test_bad_query_parameters_are_422_with_field_messages(client, runtime, path, field):
    response = client.get(path, headers=bearer(runtime, ["agency_admin"]))
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "invalid" and field in body["errors"], body


@pytest.mark.parametrize("path", [
    "/api/v1/enquiries/not-a-uuid", "/api/v1/enquiries?cpv=%25&q=%00", "/api/v1/enquiries?cpv=_",
    "/api/v1/impact?year=-1", "/api/v1/impact?site=%00",
])
def test_hostile_requests_never_give_a_500(client, runtime, data, path):
    response = client.get(path, headers=bearer(runtime, ["agency_admin"]))
    assert response.status_code < 500
    assert set(response.get_json()) == {"code", "status", "message", "errors"}


def test_openapi_document_lists_the_brokerage_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/enquiries", "/api/v1/enquiries/{enquiry_id}", "/api/v1/impact"):
        assert path in paths
