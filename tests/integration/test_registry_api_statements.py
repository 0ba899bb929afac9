"""The registry's statements of support over HTTP on real PostgreSQL: erasure, its audit trail, an outbox
without personal data, validation and access."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from services.registry.statement_store import audit_trail
from services.registry.tables import support_statement
from tests.support.registry_api import CONTACT, PERSON, se, site  # noqa: F401 - fixture

pytestmark = pytest.mark.services


def test_support_statements_erasure_and_the_outbox_holds_no_personal_data(site):
    org = site.create("/organisations", se())
    receipt = site.create("/support-statements", {"kind": "person", **PERSON, "consent": True, "nuts3": "AT123"},
                          as_=None)
    assert set(receipt) == {"id", "reference", "kind", "organisation_kind", "nuts3", "given_on", "status", "confirmed"}
    on_behalf = site.create("/support-statements", {"kind": "organisation", "organisation_name": "Gemeinde Melk",
                                                    "organisation_kind": "public_institution", "consent": True,
                                                    "nuts3": "AT121", "given_on": "2026-01-15"}, as_=None)
    assert on_behalf["given_on"] == "2026-01-15"

    full = site.call("GET", f"/support-statements/{receipt['id']}", as_="broker", expect=200).json
    assert full["last_name"] == "Zaunmaier" and full["phone_kind"] == "mobile"
    listing = site.call("GET", "/support-statements?q=zaunm", as_="broker", expect=200).json
    assert listing["total"] == 1
    assert site.call("GET", "/support-statements?kind=organisation&nuts=AT121").json["total"] == 1

    site.call("POST", f"/support-statements/{receipt['id']}/withdraw", json={"reason": "by letter"}, expect=200)
    site.call("POST", f"/support-statements/{receipt['id']}/withdraw", expect=409)
    erased = site.call("POST", f"/support-statements/{receipt['id']}/erase", as_="broker", json={}, expect=200).json
    assert erased["status"] == "erased" and erased["first_name"] is None and erased["email"] is None
    assert "erased" in site.call("POST", f"/support-statements/{receipt['id']}/erase", expect=409).json["message"]

    with site.runtime.engine.connect() as conn:
        row = conn.execute(select(support_statement).where(support_statement.c.id == receipt["id"])).one()
        trail = audit_trail(conn, receipt["id"])
    assert (row.first_name, row.last_name, row.phone, row.phone_kind, row.email) == (None,) * 5
    assert row.search_text == ""  # the search index forgot the person too
    assert site.call("GET", "/support-statements?q=zaunm", as_="broker").json["total"] == 0
    assert [(e["action"], e["actor"]) for e in trail] == [("withdrawn", "admin"), ("erased", "broker")]
    assert trail[1]["fields"] == ["first_name", "last_name", "phone", "phone_kind", "email"]
    assert not any(value in json.dumps(trail, default=str) for value in PERSON.values() if value != "mobile")
    audit = site.call("GET", f"/support-statements/{receipt['id']}/audit", expect=200).json
    assert [e["action"] for e in audit] == ["withdrawn", "erased"]

    rows = site.outbox_rows()
    assert [t for t, *_ in rows if "support_statement" in t] == [
        "registry.support_statement.recorded", "registry.support_statement.recorded",
        "registry.support_statement.withdrawn", "registry.support_statement.erased"]
    for type_name, _, _, data in rows:
        site.runtime.validator.validate(type_name, 1, data)  # the committed JSON Schemas accept every event
    everything = json.dumps([data for *_, data in rows], ensure_ascii=False).lower()
    for value in [*PERSON.values(), *CONTACT.values()]:
        if value != "mobile":
            assert value.lower() not in everything, value
    assert org["name"].lower() in everything  # organisations' public data does travel


def test_support_statement_validation_and_access(site):
    form = {"kind": "person", **PERSON, "consent": False, "nuts3": "AT123"}
    assert site.call("POST", "/support-statements", as_=None, json=form, expect=422).json["errors"] == {
        "consent": ["consent is required to record a statement of support"]}
    no_consent = dict(form)
    no_consent.pop("consent")
    assert "consent" in site.call("POST", "/support-statements", as_=None, json=no_consent, expect=422).json["errors"]
    assert "phone_kind" in site.call("POST", "/support-statements", as_=None,
                                     json={**form, "consent": True, "phone_kind": "pager"}, expect=422).json["errors"]
    receipt = site.create("/support-statements", {**form, "consent": True}, as_=None)
    site.call("GET", "/support-statements", as_=None, expect=401)
    site.call("GET", f"/support-statements/{receipt['id']}", as_=None, expect=401)
    site.call("GET", f"/support-statements/{receipt['id']}", as_="assessor", expect=403)
    site.call("POST", f"/support-statements/{receipt['id']}/erase", as_="assessor", expect=403)
    site.call("POST", f"/support-statements/{uuid.uuid4()}/erase", expect=404)
