"""A running AT12 site for the lifecycle's integration tests: API client, users of every party,
member organisations registered through the registry's API, and the matching projection fed with
the registry's own outbox events (as the site's consumer would)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from services.bootstrap import bootstrap, create_app
from services.common.auth import add_user
from services.common.envelope import Envelope
from services.common.outbox import outbox

API = "/api/v1"
IN_30_DAYS = (date.today() + timedelta(days=30)).isoformat()
IN_20_DAYS = (date.today() + timedelta(days=20)).isoformat()
ADDRESS = {"street": "Hauptstraße 1", "postcode": "3100", "town": "St. Pölten", "country": "AT"}


def enquiry_body(**overrides) -> dict:
    return {"type": "production_step", "title": "Pallet furniture for the canteen", "cpv_codes": ["39100000"],
            "quantity": "100", "unit": "pieces", "deadline": IN_30_DAYS,
            "delivery": {"nuts3": "AT123", "lat": 48.204, "lon": 15.626}, "budget": "5000", "currency": "EUR",
            "label_required": False, "cross_border_allowed": True, **overrides}


def terms(**overrides) -> dict:
    return {"quantity": "100", "unit": "pieces", "price": "4200.00", "currency": "EUR", "delivery_date": IN_20_DAYS,
            "conditions": "delivery free house", **overrides}


class Site:
    def __init__(self, make_settings, pg_url):
        self.runtime = bootstrap(make_settings("AT12", db_url=pg_url))
        self.client = create_app(self.runtime).test_client()
        self.headers = {}
        self._projected = 0
        for username, roles in (("admin", ["site_admin"]), ("broker", ["broker"])):
            self.add_user(username, roles)

    def add_user(self, username: str, roles, organisation_id: str | None = None) -> dict:
        with self.runtime.engine.begin() as conn:
            add_user(conn, username, "secret-pw", roles, organisation_id)
        resp = self.client.post(f"{API}/auth/token", json={"username": username, "password": "secret-pw"})
        assert resp.status_code == 200, resp.json
        self.headers[username] = {"Authorization": f"Bearer {resp.json['access_token']}"}
        return self.headers[username]

    def call(self, method: str, path: str, as_: str | None = "broker", expect: int | None = None, **kwargs):
        headers = self.headers[as_] if as_ else {}
        resp = self.client.open(f"{API}{path}", method=method, headers=headers, **kwargs)
        assert resp.status_code < 500, resp.get_data(as_text=True)
        if expect is not None:
            assert resp.status_code == expect, resp.get_data(as_text=True)
        return resp

    def ok(self, method: str, path: str, as_: str = "broker", expect: int = 200, **kwargs):
        return self.call(method, path, as_, expect=expect, **kwargs).json

    # -- members --

    def company(self, name: str = "Bau AG", username: str = "client") -> str:
        org = self.ok("POST", "/organisations", "admin", 201, json={
            "kind": "economic_enterprise", "name": name, "registration_number": f"FN {name}", "address": ADDRESS,
            "nuts3": "AT124"})
        self.add_user(username, ["member"], org["id"])
        return org["id"]

    def social_enterprise(self, name: str = "Werkstatt Nord", capacity: str = "70", username: str | None = None,
                          cpv: str = "39100000") -> tuple[str, str]:
        """An SE with one offer, projected into matching; returns (organisation id, offer id)."""
        org = self.ok("POST", "/organisations", "admin", 201, json={
            "kind": "social_enterprise", "name": name, "registration_number": f"ZVR {name}", "address": ADDRESS,
            "nuts3": "AT123", "coordinates": {"lat": 48.2, "lon": 15.62},
            "labour_market_segment": "second_labour_market", "workers_in_integration": 12})
        offer = self.ok("POST", "/offers", "admin", 201, json={
            "organisation_id": org["id"], "title": "Pallet furniture", "description": "Upcycled pallets",
            "cpv_codes": [cpv], "capacity_per_week": capacity, "unit": "pieces", "lead_time_days": 0,
            "price_min": "30", "price_max": "50"})
        if username:
            self.add_user(username, ["member"], org["id"])
        self.project_registry()
        return org["id"], offer["id"]

    def project_registry(self) -> None:
        """Feed the registry's new outbox events to the matching projection, as the site's consumer does."""
        from services.enquiries.matching.consumers import HANDLERS

        with self.runtime.engine.begin() as conn:
            rows = conn.execute(select(outbox).where(outbox.c.id > self._projected,
                                                     outbox.c.type.like("registry.%")).order_by(outbox.c.id)).all()
            for r in rows:
                handler = HANDLERS.get(r.type)
                if handler is not None:
                    handler(conn, Envelope(
                        id=r.event_id, type=r.type, version=r.version, site="AT12", stream=r.stream, seq=r.id,
                        aggregate_id=r.aggregate_id, aggregate_version=r.aggregate_version,
                        occurred_at=r.occurred_at.isoformat(), correlation_id=None, causation_id=None, data=r.data))
                self._projected = r.id

    # -- the outbox --

    def events(self, prefix: str = "enquiries.") -> list:
        with self.runtime.engine.connect() as conn:
            return conn.execute(select(outbox.c.type, outbox.c.aggregate_id, outbox.c.aggregate_version,
                                       outbox.c.data).where(outbox.c.type.like(f"{prefix}%"))
                                .order_by(outbox.c.id)).all()
