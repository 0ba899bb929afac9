"""Privacy at a site, on PostgreSQL: erasure that stays erased, and a person's data export.

Erasure removes the person's fields, is audited and confirmed; neither a late, older event at the hub
nor an older snapshot saved at the site brings anything back. `sopro privacy export` gives a person
everything the site holds about them.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from services.common.errors import Conflict
from services.hub.register import store as hub_store
from services.privacy import erased_at_hub
from services.registry.statement_store import load_statement, save_statement
from services.registry.statements import Person
from services.registry.tables import support_statement
from services.workers import hub_ingest
from tests.support.migrated import bootstrap
from tests.support.privacy import CONTACT, PERSON, export, file_statement, signed_events, site  # noqa: F401 - fixture
from tests.support.sites import API

pytestmark = pytest.mark.services


def test_erasure_removes_records_confirms_and_stays_erased(site, make_settings, pg_schema_url):
    runtime, client = site
    statement = file_statement(client)
    with runtime.engine.connect() as conn:
        before_erasure = load_statement(conn, statement["id"])  # a snapshot someone still holds

    resp = client.post(f"{API}/support-statements/{statement['id']}/erase", json={"ground": "consent_withdrawn"})
    assert resp.status_code == 200, resp.json
    confirmation = resp.json  # the confirmation: erased, and nothing of the person left
    assert confirmation["status"] == "erased"
    assert all(confirmation[f] is None for f in Person.FIELDS)
    audit = client.get(f"{API}/support-statements/{statement['id']}/audit").json
    assert [(a["action"], a["actor"], a["fields"], a["ground"]) for a in audit] == [
        ("erased", "broker", ["first_name", "last_name", "phone", "phone_kind", "email"], "consent_withdrawn")]
    assert "Zaunmaier" not in json.dumps(audit)

    # An older snapshot saved late (a stale writer) is refused; the row stays empty.
    before_erasure.withdraw("late")
    with runtime.engine.begin() as conn, pytest.raises(Conflict):
        save_statement(conn, before_erasure, before_erasure.version - 1)
    assert client.post(f"{API}/support-statements/{statement['id']}/withdraw", json={"reason": "x"}).status_code == 409
    with runtime.engine.connect() as conn:
        row = conn.execute(select(support_statement).where(support_statement.c.id == statement["id"])).one()
    assert (row.first_name, row.last_name, row.phone, row.email, row.search_text) == (None, None, None, None, "")
    assert row.status == "erased"

    # At the hub the erasure arrives first and the recording late (and then again): still erased.
    recorded, erased = signed_events(runtime)
    assert (recorded["type"], erased["type"]) == ("registry.support_statement.recorded",
                                                  "registry.support_statement.erased")
    hub = bootstrap(make_settings("EU", db_url=pg_schema_url("hub")))
    _, processor, _ = hub_ingest(hub)
    assert len(processor.process([erased]).applied) == 1
    assert len(processor.process([recorded]).applied) == 1  # applied in its turn, but older: changes nothing
    processor.process([recorded, erased])  # a replay of the whole stream
    with hub.engine.connect() as conn:
        rows = conn.execute(select(hub_store.hub_support_statement)).all()
    assert [(r.id, r.status, r.aggregate_version) for r in rows] == [(statement["id"], "erased", 2)]
    assert "Zaunmaier" not in json.dumps([dict(r._mapping) for r in rows], default=str)
    # The hub is the record of what was erased, for re-erasing after a site restores an older backup.
    assert erased_at_hub(hub.engine, "AT12") == [statement["id"]] and erased_at_hub(hub.engine, "HU22") == []
    hub.engine.dispose()


def test_export_gives_a_person_everything_the_site_holds_about_them(site, tmp_path, monkeypatch):
    runtime, client = site
    first = file_statement(client)
    second = file_statement(client, email="hansjoerg.zaunmaier@EXAMPLE.org", phone=None, phone_kind=None)
    file_statement(client, first_name="Maria", last_name="Huber", email="maria.huber@example.org")
    org = client.post(f"{API}/organisations", json={
        "kind": "social_enterprise", "name": "Werkstatt Nord", "registration_number": "FN 1234 a",
        "address": {"street": "Hauptstraße 1", "postcode": "3100", "town": "St. Pölten", "country": "AT"},
        "nuts3": "AT123", "labour_market_segment": "second_labour_market", "workers_in_integration": 3,
        "contact": CONTACT})
    assert org.status_code == 201, org.json
    client.post(f"{API}/support-statements/{first['id']}/withdraw", json={"reason": "moved away"})

    doc = export(monkeypatch, runtime, tmp_path, "--email", "HANSJOERG.zaunmaier@example.org")
    records = doc["records"]
    assert doc["site"] == "AT12" and doc["count"] == 5  # two statements, one organisation, two confirmation mails
    assert [n["kind"] for n in records["notifications"]] == ["statement_confirmation"] * 2
    assert sorted(s["reference"] for s in records["support_statements"]) == sorted([first["reference"],
                                                                                    second["reference"]])
    by_id = {s["id"]: s for s in records["support_statements"]}
    assert by_id[first["id"]]["last_name"] == "Zaunmaier" and by_id[first["id"]]["phone"] == PERSON["phone"]
    assert [a["action"] for a in by_id[first["id"]]["audit"]] == ["withdrawn"]
    assert [(o["name"], o["contact_phone"]) for o in records["organisation_contacts"]] == [
        ("Werkstatt Nord", CONTACT["phone"])]
    assert records["enquiry_contacts"] == [] and records["user_accounts"] == []
    assert "Huber" not in json.dumps(doc, ensure_ascii=False)  # nobody else's data

    by_statement = export(monkeypatch, runtime, tmp_path, "--statement", second["reference"])
    assert {s["id"] for s in by_statement["records"]["support_statements"]} == {first["id"], second["id"]}

    client.post(f"{API}/support-statements/{first['id']}/erase", json={})
    client.post(f"{API}/support-statements/{second['id']}/erase", json={})
    after = export(monkeypatch, runtime, tmp_path, "--email", PERSON["email"])
    assert after["records"]["support_statements"] == []  # erased: nothing left to find by the address
    assert after["count"] == 1  # the organisation still names them as its contact (not a statement)
