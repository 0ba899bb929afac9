"""The hub's network-wide label register on PostgreSQL (and SQLite, for the embedded mode): label events
applied in transactions (stale versions ignored), public verification (valid, suspended, expired by date,
unknown, malformed) and the register's filters, without a token and without a 500 on hostile input."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.common.signing import load_private_key
from services.contracts.events import label as ev
from services.hub.labels import store as label_store
from services.hub.labels.api import utc_today
from services.workers import hub_ingest
from tests.support import hub
from tests.support.hub import client, runtime  # noqa: F401 - fixture
from tests.support.events import envelope, signed

TODAY = utc_today()


def label_data(label_id: str, number: str, **changes) -> dict:
    return {
        "label_id": label_id, "number": number, "application_id": str(uuid.uuid4()),
        "holder_organisation_id": "0c4f2d2e-0000-4000-8000-000000000032", "holder_name": "Győri Műhely Kft.",
        "product": "Upcycled tote bags", "cpv_codes": ["18930000"], "catalogue_version": 1, "status": "valid",
        "valid_from": (TODAY - timedelta(days=30)).isoformat(),
        "valid_until": (TODAY + timedelta(days=700)).isoformat(),
        "suspended_until": None, "reason": None, **changes,
    }


class Sites:
    """Feeds the hub the label service's events, as the consumer runner would after its checks."""

    def __init__(self, runtime):
        self.runtime = runtime

    def label(self, site: str, number: str, verb: str = "granted", version: int = 1,
              label_id: str | None = None, **changes) -> str:
        label_id = label_id or str(uuid.uuid4())
        hub.apply(self.runtime, envelope(f"label.label.{verb}", label_id, version,
                                         label_data(label_id, number, **changes), site))
        return label_id


@pytest.fixture
def sites(runtime):
    return Sites(runtime)


def stored(runtime, number: str):
    with runtime.engine.connect() as conn:
        return label_store.find_label(conn, number)


def verify(client, number: str) -> dict:
    response = client.get(f"/api/v1/labels/{number}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# --- ingest ------------------------------------------------------------------------------------------

def test_newest_label_snapshot_wins_whatever_the_arrival_order(runtime, sites):
    number = "SOPRO-HU22-2026-0001"
    label_id = sites.label("HU22", number, "revoked", version=3, status="revoked", reason="fraud",
                           cpv_codes=["39500000"])
    sites.label("HU22", number, "suspended", version=2, label_id=label_id, status="suspended", reason="complaint")
    sites.label("HU22", number, "granted", version=1, label_id=label_id)
    kept = stored(runtime, number)
    assert (kept["status"], kept["reason"], kept["aggregate_version"]) == ("revoked", "fraud", 3)
    with runtime.engine.connect() as conn:
        codes = conn.execute(select(label_store.hub_label_cpv.c.cpv_code)
                             .where(label_store.hub_label_cpv.c.label_id == label_id)).scalars().all()
    assert codes == ["39500000"]  # the stale snapshots' codes were not written either


def test_a_replayed_version_changes_nothing(runtime, sites):
    number = "SOPRO-AT12-2026-0001"
    label_id = sites.label("AT12", number, product="original")
    first = stored(runtime, number)
    sites.label("AT12", number, version=1, label_id=label_id, product="impostor")
    again = stored(runtime, number)
    assert (again["product"], again["last_event_id"]) == ("original", first["last_event_id"])


def test_the_hub_ingest_pipeline_expects_every_sites_label_stream(runtime):
    spec, _, streams = hub_ingest(runtime)
    assert "*.label.#" in spec.binding_keys
    assert {"AT12/label", "HU22/label"} <= set(streams)


def test_the_hub_ingest_pipeline_checks_and_applies_signed_label_events(runtime, federation_files):
    # Through services.workers.hub_ingest: the signature, the event's JSON Schema, the tracking row, the handler.
    _, processor, _ = hub_ingest(runtime)
    key = load_private_key(federation_files[1] / "HU22.pem")

    label_id = str(uuid.uuid4())
    granted = ev.LabelData().load(label_data(label_id, "SOPRO-HU22-2026-0010"))  # typed, as the site holds it
    suspended = {**granted, "status": "suspended", "reason": "complaint", "suspended_until": TODAY + timedelta(days=30)}
    other_id = str(uuid.uuid4())
    foreign = ev.LabelData().load(label_data(other_id, "SOPRO-AT12-2026-0010"))  # HU22 speaking for AT12
    bodies = [signed(ev.LabelGranted(**granted), label_id, 1, 1, "HU22", key),
              signed(ev.LabelSuspended(**suspended), label_id, 2, 2, "HU22", key),
              signed(ev.LabelGranted(**foreign), other_id, 1, 3, "HU22", key)]

    outcome = processor.process(bodies)
    assert len(outcome.applied) == 2
    kept = stored(runtime, "SOPRO-HU22-2026-0010")
    assert (kept["status"], kept["aggregate_version"]) == ("suspended", 2)
    assert stored(runtime, "SOPRO-AT12-2026-0010") is None  # quarantined, not applied
    assert outcome.positions["HU22/label"] == (3, 3)  # and the stream moved on
    assert processor.process(bodies[:2]).duplicates == 2  # redelivered: applied once only


def test_a_second_label_claiming_a_held_number_does_not_replace_it(runtime, sites):
    sites.label("HU22", "SOPRO-HU22-2026-0020", product="the first")
    with pytest.raises(IntegrityError):  # the event fails, and the processor quarantines it
        sites.label("HU22", "SOPRO-HU22-2026-0020", product="an impostor")  # another label id
    assert stored(runtime, "SOPRO-HU22-2026-0020")["product"] == "the first"


# --- verification ------------------------------------------------------------------------------------

def test_a_granted_label_verifies_as_valid_without_a_token(client, sites):
    sites.label("HU22", "SOPRO-HU22-2026-0003", catalogue_version=2)
    body = verify(client, "SOPRO-HU22-2026-0003")
    assert (body["status"], body["deciding_site"], body["product"], body["holder_name"], body["catalogue_version"]) == (
        "valid", "HU22", "Upcycled tote bags", "Győri Műhely Kft.", 2)
    assert body["valid_until"] == (TODAY + timedelta(days=700)).isoformat()
    assert body["holder_organisation_id"] == "0c4f2d2e-0000-4000-8000-000000000032"


def test_a_suspension_is_visible_at_the_hub(client, sites):
    label_id = sites.label("HU22", "SOPRO-HU22-2026-0004")
    until = (TODAY + timedelta(days=90)).isoformat()
    sites.label("HU22", "SOPRO-HU22-2026-0004", "suspended", version=2, label_id=label_id, status="suspended",
                suspended_until=until, reason="complaint under review")
    body = verify(client, "SOPRO-HU22-2026-0004")
    assert (body["status"], body["suspended_until"], body["reason"]) == ("suspended", until, "complaint under review")
    sites.label("HU22", "SOPRO-HU22-2026-0004", "reinstated", version=3, label_id=label_id)
    assert verify(client, "SOPRO-HU22-2026-0004")["status"] == "valid"


def test_a_label_past_its_validity_and_the_grace_is_expired_before_its_site_says_so(client, sites):
    """Within the network's renewal grace (90 days in deploy/federation.yaml) the site's word holds: it keeps
    a label valid only while its renewal is assessed, and publishes the expiry otherwise."""
    past_grace = (TODAY - timedelta(days=91)).isoformat()
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    sites.label("AT12", "SOPRO-AT12-2024-0007", valid_from="2024-01-01", valid_until=past_grace)
    sites.label("AT12", "SOPRO-AT12-2024-0009", valid_from="2024-01-01", valid_until=yesterday)
    sites.label("AT12", "SOPRO-AT12-2026-0008", valid_until=TODAY.isoformat())  # its last valid day
    assert verify(client, "SOPRO-AT12-2024-0007")["status"] == "expired"
    assert verify(client, "SOPRO-AT12-2024-0009")["status"] == "valid"
    assert verify(client, "SOPRO-AT12-2026-0008")["status"] == "valid"
    expired = client.get("/api/v1/labels?status=expired").get_json()["items"]
    assert [row["number"] for row in expired] == ["SOPRO-AT12-2024-0007"]


def test_an_unknown_label_is_a_clear_404(client, sites):
    response = client.get("/api/v1/labels/SOPRO-HU22-2026-9999")
    assert response.status_code == 404
    body = response.get_json()
    assert body["errors"] == {"label": ["unknown"]} and "unknown" in body["message"]
    assert body["code"] == "unknown_label"  # as a site answers it
    assert set(body) == {"code", "status", "message", "errors"}


@pytest.mark.parametrize("number", ["SOPRO-hu22-2026-0003", "HU22-2026-0003", "SOPRO-HU22-26-0003", "x" * 500,
                                    "SOPRO-HU22-2026-0003%00", "%27%20OR%201=1--"])
def test_a_malformed_number_is_422(client, number):
    response = client.get(f"/api/v1/labels/{number}")
    assert response.status_code == 422, response.get_json()
    assert "number" in response.get_json()["errors"]


# --- the register ------------------------------------------------------------------------------------

@pytest.fixture
def register(sites):
    sites.label("HU22", "SOPRO-HU22-2026-0001", holder_name="Győri Műhely Kft.", cpv_codes=["18930000"])
    suspended = sites.label("HU22", "SOPRO-HU22-2026-0002", holder_name="Soproni Asztalos",
                            cpv_codes=["39150000", "18900000"])
    sites.label("HU22", "SOPRO-HU22-2026-0002", "suspended", version=2, label_id=suspended, status="suspended",
                holder_name="Soproni Asztalos", cpv_codes=["39150000", "18900000"], reason="complaint")
    sites.label("AT12", "SOPRO-AT12-2026-0001", holder_name="Werkstatt St. Pölten", cpv_codes=["39500000"])
    sites.label("AT12", "SOPRO-AT12-2024-0002", holder_name="Werkstatt St. Pölten", cpv_codes=["45000000"],
                valid_from="2024-01-01", valid_until=(TODAY - timedelta(days=91)).isoformat())  # past the 90-day renewal grace
    sites.label("AT13", "SOPRO-AT13-2026-0001", "revoked", status="revoked", holder_name="Wiener Küche",
                holder_organisation_id="0c4f2d2e-0000-4000-8000-000000000099",
                cpv_codes=["55520000"], reason="criteria no longer met")


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["number"] for item in response.get_json()["items"]]


@pytest.mark.parametrize("query, expected", [
    ("", ["SOPRO-AT12-2024-0002", "SOPRO-AT12-2026-0001", "SOPRO-AT13-2026-0001", "SOPRO-HU22-2026-0001",
          "SOPRO-HU22-2026-0002"]),
    ("site=HU22", ["SOPRO-HU22-2026-0001", "SOPRO-HU22-2026-0002"]),
    ("status=valid", ["SOPRO-AT12-2026-0001", "SOPRO-HU22-2026-0001"]),
    ("status=suspended", ["SOPRO-HU22-2026-0002"]),
    ("status=expired", ["SOPRO-AT12-2024-0002"]),
    ("status=revoked", ["SOPRO-AT13-2026-0001"]),
    ("holder=PÖLTEN", ["SOPRO-AT12-2024-0002", "SOPRO-AT12-2026-0001"]),
    ("holder=műhely", ["SOPRO-HU22-2026-0001"]),
    ("holder=%25", []),  # a LIKE wildcard is searched for literally
    ("cpv=18", ["SOPRO-HU22-2026-0001", "SOPRO-HU22-2026-0002"]),
    ("cpv=39", ["SOPRO-AT12-2026-0001", "SOPRO-HU22-2026-0002"]),
    ("cpv=90", []),
    ("cpv=39150000", ["SOPRO-HU22-2026-0002"]),
    ("holder=0c4f2d2e-0000-4000-8000-000000000099", ["SOPRO-AT13-2026-0001"]),
    ("site=AT12&status=valid&cpv=39&holder=werkstatt", ["SOPRO-AT12-2026-0001"]),
])
def test_register_filters(client, register, query, expected):
    assert numbers(client.get(f"/api/v1/labels?{query}")) == expected


def test_register_reports_the_status_of_today(client, register):
    items = {i["number"]: i for i in client.get("/api/v1/labels?site=AT12").get_json()["items"]}
    assert items["SOPRO-AT12-2024-0002"]["status"] == "expired"
    assert items["SOPRO-AT12-2026-0001"]["status"] == "valid"


def test_register_is_paged(client, register):
    body = client.get("/api/v1/labels?per_page=2&page=3").get_json()
    assert (body["total"], body["page"], body["per_page"]) == (5, 3, 2)
    assert [i["number"] for i in body["items"]] == ["SOPRO-HU22-2026-0002"]


@pytest.mark.parametrize("path, field", [
    ("/api/v1/labels?site=XX99", "site"),
    ("/api/v1/labels?status=unknown", "status"),
    ("/api/v1/labels?status=granted", "status"),
    ("/api/v1/labels?cpv=3", "cpv"),
    ("/api/v1/labels?cpv=395", "cpv"),
    ("/api/v1/labels?cpv=391500001", "cpv"),
    ("/api/v1/labels?cpv=a1", "cpv"),
    ("/api/v1/labels?holder=", "holder"),
    ("/api/v1/labels?page=0", "page"),
    ("/api/v1/labels?per_page=1000", "per_page"),
    ("/api/v1/labels?number=SOPRO", "number"),
])
def test_bad_register_queries_are_422_with_field_messages(client, path, field):
    response = client.get(path)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "invalid" and field in body["errors"], body


@pytest.mark.parametrize("path", [
    "/api/v1/labels?holder=%00", "/api/v1/labels?holder=%27%3B%20DROP%20TABLE%20hub_labels%3B--",
    "/api/v1/labels?cpv=%25%25", "/api/v1/labels?site=%00", "/api/v1/labels/%00", "/api/v1/labels/..%2F..",
    "/api/v1/labels/" + "9" * 5000, "/api/v1/labels?holder=" + "x" * 5000,
])
def test_hostile_requests_never_give_a_500(client, register, path):
    response = client.get(path)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert set(response.get_json()) == {"code", "status", "message", "errors"}
    assert client.get("/api/v1/labels").get_json()["total"] == 5  # and the register is intact


def test_openapi_document_lists_the_label_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/labels", "/api/v1/labels/{number}"} <= set(paths)
