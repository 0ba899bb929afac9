"""An AT12 site for the consultation programmes' tests, the bodies they post, and racing requests."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from tests.support.sites import STAFF, Site

TODAY = date.today()
ORG_A, ORG_B = str(uuid.uuid4()), str(uuid.uuid4())


def programme_body(**overrides) -> dict:
    return {"name": "KMU-Beratung Soziale Produktion", "funder": "Land Niederösterreich",
            "starts_on": (TODAY - timedelta(days=30)).isoformat(), "ends_on": (TODAY + timedelta(days=300)).isoformat(),
            "places": 2, **overrides}


def consultant_body(**overrides) -> dict:
    return {"name": "Dr. Eva Kern", "expertise": ["45", "90"], "languages": ["de", "en"], **overrides}


class ProgrammesSite(Site):
    """A running AT12 site with tokens for staff and for members of two organisations."""

    def __init__(self, make_settings, db_url: str | None):
        super().__init__(make_settings("AT12", db_url=db_url), STAFF + (
            ("assessor", ["assessor"], None), ("member_a", ["member"], ORG_A), ("member_b", ["member"], ORG_B)))

    def programme(self, **overrides) -> dict:
        return self.call("POST", "/programmes", json=programme_body(**overrides), expect=201).json

    def apply(self, programme_id: str, name: str, organisation_id: str | None = None, as_: str = "broker",
              expect: int = 201) -> dict:
        body = {"firm_name": name, **({"organisation_id": organisation_id} if organisation_id else {})}
        return self.call("POST", f"/programmes/{programme_id}/applications", as_, expect, json=body).json

    def book(self, programme_id: str, application_id: str, consultant_id: str, hours: str, kind: str = "further",
             expect: int = 201, client=None) -> dict:
        body = {"application_id": application_id, "consultant_id": consultant_id, "date": TODAY.isoformat(),
                "hours": hours, "kind": kind, "note": "Produktidee Upcycling"}
        return self.call("POST", f"/programmes/{programme_id}/bookings", json=body, expect=expect, client=client).json


def apply_call(site: Site, programme_id: str, n: int):
    body = {"firm_name": f"Firm {n:02d}", "organisation_id": str(uuid.uuid4())}
    return lambda client: site.call("POST", f"/programmes/{programme_id}/applications", client=client, json=body)
