"""End to end, distributed: every site and the hub in its own `sopro serve` process, on PostgreSQL
(a schema each) and RabbitMQ (a vhost of the test's own)."""
from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time

import pytest
import requests
import yaml

pytestmark = pytest.mark.services

SITES = ("AT11", "AT12", "AT13", "AT22", "HU22")
PASSWORD = "e2e-password"


def free_port() -> int:
    """A free port below the kernel's ephemeral range, so no outgoing connection takes it meanwhile."""
    while True:
        port = random.randint(20000, 29999)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{url}: process exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


def eventually(fetch, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fetch()
        if value:
            return value
        time.sleep(0.2)
    return fetch()


@pytest.fixture(scope="module")
def federation(tmp_path_factory, federation_files, request):
    # Module-scoped services: a schema per site and one vhost, made here rather than per test.
    from tests.conftest import PG_BASE, _need, rabbitmqctl
    import uuid
    from sqlalchemy import create_engine, text

    _need("PostgreSQL", "127.0.0.1", 5432)
    _need("RabbitMQ", "127.0.0.1", 5672)
    root = tmp_path_factory.mktemp("distributed")
    doc = yaml.safe_load(federation_files[0].read_text())
    ports = {site_id: free_port() for site_id in doc["sites"]}
    for site_id, entry in doc["sites"].items():
        entry["port"] = ports[site_id]
        entry["url"] = f"http://127.0.0.1:{ports[site_id]}"
    federation_file = root / "federation.yaml"
    federation_file.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))

    vhost = f"e2e-{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    schemas = {site_id: f"e2e_{site_id.lower()}_{uuid.uuid4().hex[:6]}" for site_id in doc["sites"]}
    with admin.connect() as conn:
        for schema in schemas.values():
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    procs = {}
    logs = {}

    def env_for(site_id: str) -> dict:
        return {**os.environ, "SOPRO_SITE": site_id, "SOPRO_FEDERATION_FILE": str(federation_file),
                "SOPRO_DB_URL": f"{PG_BASE}?options=-csearch_path%3D{schemas[site_id]}",
                "SOPRO_BUS_URL": f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
                "SOPRO_KEY_FILE": str(federation_files[1] / f"{site_id}.pem"), "SOPRO_VAR_DIR": str(root),
                "SOPRO_RECONCILE_SECONDS": "2"}

    def start(site_id: str):
        env = env_for(site_id)
        subprocess.run([sys.executable, "-m", "services.cli", "db", "upgrade"], env=env, check=True,
                       capture_output=True, timeout=120)
        users = {"e2e": "broker,site_admin"} if site_id != "EU" else {"e2e": "agency_viewer"}
        if site_id == "HU22":  # the label's four eyes: one assesses, another approves
            users.update({"e2e-assessor": "assessor", "e2e-approver": "approver"})
        for username, roles in users.items():
            subprocess.run([sys.executable, "-m", "services.cli", "users", "add", username, "--password", PASSWORD,
                            "--roles", roles], env=env, check=True, capture_output=True, timeout=120)
        logs[site_id] = open(root / f"{site_id}.log", "w")
        procs[site_id] = subprocess.Popen([sys.executable, "-m", "services.cli", "serve", "--no-migrate"],
                                          env=env, stdout=logs[site_id], stderr=subprocess.STDOUT)

    try:
        start("EU")  # the hub first, so its queue exists before the sites publish
        wait_http(f"http://127.0.0.1:{ports['EU']}/api/v1/openapi.json", procs["EU"])
        for site_id in SITES:
            start(site_id)
        for site_id in SITES:
            wait_http(f"http://127.0.0.1:{ports[site_id]}/api/v1/openapi.json", procs[site_id])
        yield {"urls": {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}, "procs": procs, "root": root}
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in logs.values():
            log.close()
        if request.session.testsfailed:
            for site_id in logs:
                sys.stderr.write(f"--- {site_id} log ---\n{(root / f'{site_id}.log').read_text()[-3000:]}\n")
        with admin.connect() as conn:
            for schema in schemas.values():
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
        rabbitmqctl("delete_vhost", vhost)


def session_for(url: str, username: str = "e2e") -> requests.Session:
    http = requests.Session()
    r = http.post(f"{url}/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    http.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return http


def organisation(name: str, regno: str, nuts3: str, country: str, kind="social_enterprise") -> dict:
    return {"kind": kind, "name": name, "registration_number": regno,
            "address": {"street": "Hauptstraße 1", "postcode": "1000", "town": "Town", "country": country},
            "nuts3": nuts3, "labour_market_segment": "second_labour_market" if kind == "social_enterprise" else None,
            "workers_in_integration": 5 if kind == "social_enterprise" else None}


def test_organisation_registered_at_at12_appears_at_the_hub(federation):
    urls = federation["urls"]
    at12 = session_for(urls["AT12"])
    r = at12.post(f"{urls['AT12']}/api/v1/organisations",
                  json=organisation("Traisentaler Werkstatt", "ZVR 77", "AT123", "AT"))
    assert r.status_code == 201, r.text
    org_id = r.json()["id"]
    hub_org = eventually(lambda: requests.get(f"{urls['EU']}/api/v1/organisations/{org_id}").ok)
    assert hub_org, "the organisation reached the hub"
    body = requests.get(f"{urls['EU']}/api/v1/organisations/{org_id}").json()
    assert body["site"] == "AT12" and body["name"] == "Traisentaler Werkstatt"


def test_support_statement_filed_at_hu22_is_counted_at_the_hub(federation):
    urls = federation["urls"]
    r = requests.post(f"{urls['HU22']}/api/v1/support-statements", json={
        "kind": "person", "first_name": "Katalin", "last_name": "Nagy", "phone": "+36 30 123 4567",
        "phone_kind": "mobile", "email": "nagy.katalin@example.hu", "consent": True, "nuts3": "HU221"})
    assert r.status_code == 201, r.text
    hub = session_for(urls["EU"])

    def counted():
        stats = hub.get(f"{urls['EU']}/api/v1/statistics", params={"site": "HU22"}).json()
        site = next(s for s in stats["sites"] if s["site"] == "HU22")
        return site if site["support_statements"]["total"] >= 1 else None

    site = eventually(counted)
    assert site, "the statement was counted at the hub"
    assert "Nagy" not in hub.get(f"{urls['EU']}/api/v1/statistics").text


def test_offer_withdrawn_at_at13_is_withdrawn_at_the_hub(federation):
    urls = federation["urls"]
    at13 = session_for(urls["AT13"])
    org = at13.post(f"{urls['AT13']}/api/v1/organisations",
                    json=organisation("Wiener Nähwerkstatt", "FN 9", "AT130", "AT")).json()
    offer = at13.post(f"{urls['AT13']}/api/v1/offers", json={
        "organisation_id": org["id"], "title": "Taschen", "description": "Upcycling", "cpv_codes": ["18930000"],
        "capacity_per_week": "500", "unit": "bags", "lead_time_days": 14, "cross_border": True})
    assert offer.status_code == 201, offer.text
    offer_id = offer.json()["id"]

    def hub_offer_ids():
        items = requests.get(f"{urls['EU']}/api/v1/offers", params={"site": "AT13", "per_page": 200}).json()["items"]
        return {o["id"] for o in items}

    assert eventually(lambda: offer_id in hub_offer_ids()), "the offer reached the hub"
    r = at13.post(f"{urls['AT13']}/api/v1/offers/{offer_id}/withdraw", json={"reason": "capacity taken"})
    assert r.status_code == 200, r.text
    assert eventually(lambda: offer_id not in hub_offer_ids()), "the withdrawal reached the hub"


def test_label_granted_at_hu22_is_verified_at_the_hub_and_at_at12_then_suspended(federation):
    import datetime
    import uuid

    urls = federation["urls"]
    hu22 = urls["HU22"]
    admin, assessor, approver = (session_for(hu22, u) for u in ("e2e", "e2e-assessor", "e2e-approver"))
    application = admin.post(f"{hu22}/api/v1/label-applications", json={
        "holder_organisation_id": str(uuid.uuid4()), "holder_name": "Soproni Textil Szövetkezet",
        "product": "Újrahasznosított vászontáska", "cpv_codes": ["18930000"],
        "evidence": {"se_share": {"figure": "45"}, "regional_primary_products": {"figure": "60"},
                     "resource_saving": {"figure": "3"},
                     "quality_innovation": {"documents": [{"sha256": "a" * 64, "size": 10}]}}})
    assert application.status_code == 201, application.text
    app_id = application.json()["id"]
    assert admin.post(f"{hu22}/api/v1/label-applications/{app_id}/submit").status_code == 200
    scores = {"se_share": {"reason": "timesheets checked"},
              "regional_primary_products": {"score": 4, "reason": "invoices"},
              "resource_saving": {"score": 3, "reason": "visit"}, "quality_innovation": {"score": 4, "reason": "visit"}}
    assert assessor.post(f"{hu22}/api/v1/label-applications/{app_id}/assessment",
                         json={"scores": scores}).status_code == 200
    same_person = assessor.post(f"{hu22}/api/v1/label-applications/{app_id}/decision",
                                json={"outcome": "granted", "reason": "ok"})
    assert same_person.status_code in (403, 409), "the assessor cannot also decide"
    decided = approver.post(f"{hu22}/api/v1/label-applications/{app_id}/decision",
                            json={"outcome": "granted", "reason": "meets every criterion"})
    assert decided.status_code == 200, decided.text
    number = decided.json()["label_number"]
    assert number.startswith("SOPRO-HU22-")

    def status_at(url):
        r = requests.get(f"{url}/api/v1/labels/{number}")
        return r.json()["status"] if r.status_code == 200 else None

    assert eventually(lambda: status_at(urls["EU"]) == "valid"), "verified at the hub"
    at12 = requests.get(f"{urls['AT12']}/api/v1/labels/{number}")
    assert at12.status_code == 200 and at12.json()["deciding_site"] == "HU22", at12.text

    until = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    suspended = approver.post(f"{hu22}/api/v1/labels/{number}/suspend",
                              json={"until": until, "reason": "complaint under review"})
    assert suspended.status_code == 200, suspended.text
    assert eventually(lambda: status_at(urls["EU"]) == "suspended"), "the suspension is visible at the hub"
    assert status_at(urls["AT12"]) == "suspended"
    assert requests.get(f"{urls['AT12']}/api/v1/labels/SOPRO-HU22-2026-9999").status_code == 404
