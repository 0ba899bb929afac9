"""The hub of the hub's page tests (tests/web/test_hub_pages_*.py), on SQLite and on PostgreSQL, with two
sites on SQLite: one `network` per database for the whole tests/web package (tests/web/conftest.py
registers `hub_db` and `network`, package-scoped, so the modules share it; imported into a test module
instead, a package-scoped fixture would be built again for each module and kept to the session's end).

The hub's store is filled the way the hub fills it: the events in two sites' outboxes (AT12 and HU22,
seeded through their own APIs) applied by the hub's consumer handlers, with tracking rows; impact
records, a cross-border order, a paused stream and a dead letter are written directly.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from services.bootstrap import create_app
from services.common import inbox
from services.common.users import add_user
from services.common.config import load_settings
from services.common.envelope import Envelope
from services.common.outbox import outbox
from services.hub.crossborder import store as consortium_store
from services.hub.enquiries import store as enquiry_store
from services.hub.consumers import HANDLERS
from tests.support.databases import pg_schemas
from tests.support.migrated import bootstrap
from tests.support.web import PASSWORD, Browser, WebSite

IN_40_DAYS = (date.today() + timedelta(days=40)).isoformat()


class Hub:
    def __init__(self, settings):
        self.runtime = bootstrap(settings)
        self.app = create_app(self.runtime)
        with self.runtime.engine.begin() as conn:
            for username, roles in (("analyst", ["agency_viewer"]), ("agency", ["agency_admin"]),
                                    ("stranger", ["member"])):
                add_user(conn, username, PASSWORD, roles)

    def browser(self, username: str | None = None) -> Browser:
        browser = Browser(self.app)
        if username:
            browser.login(username)
        return browser

    def ingest(self, site: WebSite) -> None:
        """Apply every event of the site's outbox with the hub's handlers, tracked as the consumer does."""
        with site.runtime.engine.connect() as source:
            rows = source.execute(select(outbox).order_by(outbox.c.id)).all()
        seqs: dict[str, int] = {}
        with self.runtime.engine.begin() as conn:
            for r in rows:
                if r.to_site:
                    continue  # directed messages are not facts for the hub
                seq = seqs[r.stream] = seqs.get(r.stream, 0) + 1  # the relay numbers each stream 1, 2, 3, ...
                env = Envelope(id=r.event_id, type=r.type, version=r.version, site=site.site_id, stream=r.stream,
                               seq=seq, aggregate_id=r.aggregate_id, aggregate_version=r.aggregate_version,
                               occurred_at=r.occurred_at.isoformat(), correlation_id=None, causation_id=None,
                               data=r.data)
                if inbox.track(conn, "hub.ingest", r.stream, seq, str(r.event_id)) and r.type in HANDLERS:
                    HANDLERS[r.type](conn, env)
                inbox.advance(conn, "hub.ingest", r.stream, seq)


def settings_in(tmp_path_factory, federation, federation_files, label: str, hub_db: str | None = None):
    root = tmp_path_factory.mktemp(label)

    def make(site_id: str):
        db = hub_db if site_id == "EU" and hub_db else f"sqlite:///{root / site_id}.sqlite"
        return load_settings(site_id, env={}, federation=federation, db_url=db, bus_url="memory://",
                             key_file=federation_files[1] / f"{site_id}.pem", var_dir=root)
    return make


@pytest.fixture(scope="package", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def hub_db(request):
    """The hub's database: SQLite (the embedded mode) and PostgreSQL (the distributed mode, a schema of its
    own), so that the pages' queries are checked on both."""
    if request.param == "sqlite":
        yield None
        return
    with pg_schemas("t_hub_pages") as schema_url:
        yield schema_url("hub")


@pytest.fixture(scope="package")
def network(hub_db, tmp_path_factory, federation, federation_files):
    make = settings_in(tmp_path_factory, federation, federation_files, "hub-pages", hub_db)
    at12, hu22 = WebSite(make, "AT12"), WebSite(make, "HU22")
    enquiry = at12.ok("POST", "/enquiries", expect=201, json={
        "type": "csr_product", "title": "Messe-Giveaways aus Holz", "cpv_codes": ["39100000"], "quantity": "400",
        "unit": "pieces", "deadline": IN_40_DAYS, "budget": "6000", "client_kind": "economic_enterprise",
        "client_organisation_id": at12.ids["Donauland Handels AG"], "delivery": {"nuts3": "AT127"},
        "cross_border_allowed": True, "submit": True})
    label = hu22.granted_label()
    # Hundreds of page requests from one test client: the per-client rate limit is not under test here.
    hub = Hub(make("EU").with_(rate_limit="100000/minute"))
    hub.ingest(at12)
    hub.ingest(hu22)
    with hub.runtime.engine.begin() as conn:
        _impact(conn, "AT12", 2025, "14800", "1250", "2100")
        _impact(conn, "HU22", 2026, "8128", "420", "640")
        order_id = _order(conn, enquiry, at12.ids["Mostviertler Metallwerk"], hu22.ids["Győri Asztalosműhely"])
        now = datetime.now(timezone.utc)
        conn.execute(insert(inbox.stream_pause).values(consumer="hub.ingest", stream="HU22/label", paused_at=now,
                                                       paused_by="agency", reason="checking a complaint"))
        inbox.record_dead_letter(conn, "hub.ingest", "forged: signature does not match AT12", "{}", "AT12/registry", 99)
    yield {"hub": hub, "at12": at12, "hu22": hu22, "enquiry": enquiry, "label": label, "order_id": order_id}
    for runtime in (hub.runtime, at12.runtime, hu22.runtime):
        runtime.engine.dispose()


def _impact(conn, site: str, year: int, eur: str, kg: str, hours: str) -> None:
    conn.execute(insert(enquiry_store.hub_impact).values(
        site=site, id=str(uuid.uuid4()), aggregate_version=1, last_event_id=str(uuid.uuid4()),
        last_occurred_at=datetime.now(timezone.utc), agreement_id=str(uuid.uuid4()), enquiry_id=str(uuid.uuid4()),
        year=year, value_paid=Decimal(eur), currency="EUR", value_paid_eur=Decimal(eur),
        material_diverted_kg=Decimal(kg),
        regional_share=Decimal("0.8"), distance_km=Decimal("42"), production_nuts3=f"{site}1",
        integration_hours=Decimal(hours)))


def _order(conn, enquiry: dict, at12_se: str, hu22_se: str) -> str:
    now = datetime.now(timezone.utc)
    order_id = str(uuid.uuid4())
    consortium_store.add_order(conn, {
        "id": order_id, "origin_site": "AT12", "enquiry_id": enquiry["id"], "correlation_id": enquiry["id"],
        "reference": enquiry["reference"], "title": enquiry["title"], "type": "csr_product",
        "client_kind": "economic_enterprise", "cpv_codes": ["39100000"], "quantity": 400, "unit": "pieces",
        "deadline": date.today() + timedelta(days=40), "delivery_nuts3": "AT127", "budget": Decimal("6000"),
        "currency": "EUR", "label_required": False, "max_partners": 3, "min_lot": 50, "sites": ["AT12", "HU22"],
        "status": "forwarded", "version": 1, "allocation": {}, "created_at": now, "updated_at": now})
    consortium_store.add_parts(conn, [
        {"id": str(uuid.uuid4()), "order_id": order_id, "site": site, "organisation_id": se,
         "offer_id": str(uuid.uuid4()),
         "quantity": quantity, "unit_price": Decimal(price), "currency": currency, "unit_cost_eur": Decimal("14"),
         "reason": reason, "status": status, "answer": None, "version": 1, "forwarded_at": now, "answered_at": None}
        for site, se, quantity, price, currency, reason, status in (
            ("AT12", at12_se, 250, "15", "EUR", "nearest with capacity", "accepted"),
            ("HU22", hu22_se, 150, "5200", "HUF", "cheapest for the rest", "forwarded"))])
    return order_id
