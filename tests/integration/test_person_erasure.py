"""Erasure and export of a person, wherever the site holds them (issue 11, 3.8), on PostgreSQL.

- `sopro privacy erase --email` empties the contact of organisations, enquiries and label complaints in
  every state (a withdrawn organisation, a dismissed complaint), and erases the person's statements;
- export finds a complaint whose free-text contact holds the address among other words;
- an erasure's audit keeps a ground from a fixed list, never a free text, and forgets the withdrawal's.
"""
from __future__ import annotations

import json

import pytest

from services.cli import main
from services.common.users import add_user
from services.registry.organisation_store import load_organisation
from services.registry.statement_store import audit_trail
from tests.support.limits import ENQUIRY
from tests.support.privacy import CONTACT, export, file_statement, site  # noqa: F401 - fixture
from tests.support.sites import API
from tests.support.tokens import bearer

pytestmark = pytest.mark.services

ADDRESS = CONTACT["email"]
ORGANISATION = {"kind": "economic_enterprise", "name": "Zaunmaier Handel GmbH", "registration_number": "FN 5678 b",
                "address": {"street": "Hauptplatz 2", "postcode": "3100", "town": "St. Pölten", "country": "AT"},
                "nuts3": "AT123", "contact": CONTACT}


def as_approver(runtime) -> dict:
    with runtime.engine.begin() as conn:
        add_user(conn, "approver", "secret-pw", ["approver"])
    return bearer(runtime, ["approver"], "approver")


def complain(client, contact: str) -> dict:
    response = client.post(f"{API}/label-complaints", json={"text": "The label is misleading.", "contact": contact})
    assert response.status_code == 201, response.json
    return response.json


def test_export_finds_a_complaint_whose_contact_text_holds_the_address(site, tmp_path, monkeypatch):
    runtime, client = site
    complain(client, f"Hansjörg Zaunmaier <{ADDRESS.upper()}>, evenings")
    complain(client, "someone.else@example.org")
    doc = export(monkeypatch, runtime, tmp_path, "--email", ADDRESS)
    assert [c["contact"] for c in doc["records"]["label_complaints"]] == [f"Hansjörg Zaunmaier <{ADDRESS.upper()}>, "
                                                                           "evenings"]


def test_a_person_is_erased_in_every_state(site, tmp_path, monkeypatch):
    runtime, client = site
    statement = file_statement(client, email=ADDRESS)
    org = client.post(f"{API}/organisations", json=ORGANISATION).json
    assert client.post(f"{API}/organisations/{org['id']}/withdraw", json={"reason": "closed"}).status_code == 200
    enquiry = client.post(f"{API}/enquiries", json={**ENQUIRY, "contact": CONTACT}, environ_base={
        "HTTP_AUTHORIZATION": ""})  # the public form: an anonymous first contact
    assert enquiry.status_code == 201, enquiry.json
    complaint = complain(client, f"call {CONTACT['phone']} or write to {ADDRESS}")
    approver = as_approver(runtime)
    review = client.post(f"{API}/label-complaints/{complaint['id']}/review", headers=approver,
                         json={"status": "dismissed", "resolution": "no label named"})
    assert review.status_code == 200, review.json
    held = export(monkeypatch, runtime, tmp_path, "--email", ADDRESS)
    # and the mails the site wrote to the address: the statement's confirmation, the complaint's receipt (its
    # link to follow it) and outcome
    assert sorted(n["kind"] for n in held["records"]["notifications"]) == [
        "complaint_outcome", "label_complaint_received", "statement_confirmation"]
    assert held["count"] == 7

    monkeypatch.setenv("SOPRO_KEY_FILE", str(runtime.settings.key_file))  # the rest is set by export()
    assert main(["privacy", "erase", "--site", "AT12", "--email", ADDRESS.upper(), "--ground", "request",
                 "--by", "dpo"]) == 0

    doc = export(monkeypatch, runtime, tmp_path, "--email", ADDRESS)
    assert doc["count"] == 0, doc["records"]
    with runtime.engine.connect() as conn:
        kept = load_organisation(conn, org["id"])
        trail = audit_trail(conn, statement["id"])
    assert (kept.status, kept.contact) == ("withdrawn", None)
    assert [(a["action"], a["actor"], a["ground"]) for a in trail] == [("erased", "dpo", "request")]
    assert client.get(f"{API}/enquiries/{enquiry.json['id']}").json["contact"] is None
    staff_view = client.get(f"{API}/label-complaints/{complaint['id']}", headers=approver).json
    assert staff_view["status"] == "dismissed" and not staff_view.get("contact")
    everything = json.dumps(client.get(f"{API}/label-complaints/{complaint['id']}/audit",
                                       headers=approver).json)
    assert "contact erased" in everything and ADDRESS not in everything


def test_the_erasure_audit_keeps_a_ground_never_a_text_that_names_the_person(site):
    runtime, client = site
    statement = file_statement(client)
    url = f"{API}/support-statements/{statement['id']}"
    assert client.post(f"{url}/withdraw", json={"reason": "Hansjörg Zaunmaier phoned on 3 Nov"}).status_code == 200
    refused = client.post(f"{url}/erase", json={"reason": "letter from Hansjörg Zaunmaier"})
    assert refused.status_code == 422 and "reason" in refused.json["errors"]
    assert client.post(f"{url}/erase", json={"ground": "a whim"}).status_code == 422
    assert client.post(f"{url}/erase", json={"ground": "objection"}).status_code == 200
    audit = client.get(f"{url}/audit").json
    assert [(a["action"], a["ground"]) for a in audit] == [("withdrawn", None), ("erased", "objection")]
    assert "Zaunmaier" not in json.dumps(audit, ensure_ascii=False)  # the withdrawal's reason went too
