"""A statement of support counts in the network's statistics only once confirmed (issue 11, 3.6), on
PostgreSQL: by the link for its e-mail address (random, stored hashed, single use, expiring) or by a
broker. The hub applies the site's real, signed events.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from services.bootstrap import create_app
from services.common.users import add_user
from services.hub.register.stats import statistics
from services.registry.confirmation_store import pending_confirmation_links
from services.common.clock import utcnow
from services.registry.tables import statement_confirmation
from services.workers import hub_ingest
from tests.support.migrated import bootstrap
from tests.support.privacy import signed_events
from tests.support.services import TEST_RATE_LIMIT
from tests.support.tokens import PASSWORD, logged_in

pytestmark = pytest.mark.services

API = "/api/v1"
STATEMENT = {"kind": "person", "consent": True, "nuts3": "AT123", "first_name": "Lena", "last_name": "Pichler"}


@pytest.fixture
def network(make_settings, pg_schema_url):
    site = bootstrap(make_settings("AT12", db_url=pg_schema_url("site"), public_write_rate_limit=TEST_RATE_LIMIT))
    hub = bootstrap(make_settings("EU", db_url=pg_schema_url("hub")))
    with site.engine.begin() as conn:
        add_user(conn, "broker", PASSWORD, ["broker"])
    yield site, hub
    site.engine.dispose()
    hub.engine.dispose()


class Counter:
    """What the hub counts for AT12, after applying everything the site has published so far."""

    def __init__(self, site, hub):
        self.site, self.hub = site, hub
        self.processor = hub_ingest(hub)[1]

    def __call__(self) -> int:
        self.processor.process(signed_events(self.site))  # the whole stream again: replays change nothing
        with self.hub.engine.connect() as conn:
            return statistics(conn, ["AT12"])["sites"][0]["support_statements"]["total"]


def links(site) -> dict[str, str]:
    """statement id -> the link waiting to be mailed."""
    with site.engine.connect() as conn:
        return {row["statement_id"]: row["link"] for row in pending_confirmation_links(conn)}


def test_anonymous_statements_count_once_confirmed_by_their_link_or_a_broker(network):
    site, hub = network
    client = create_app(site).test_client()
    counted = Counter(site, hub)
    filed = [client.post(f"{API}/support-statements", json={**STATEMENT, "email": f"lena{i}@example.org"})
             for i in range(25)]
    assert [r.status_code for r in filed] == [201] * 25 and not any(r.get_json()["confirmed"] for r in filed)
    assert counted() == 0  # 25 anonymous statements raise the hub's count by nothing

    waiting = links(site)
    ids = [r.get_json()["id"] for r in filed]
    assert set(waiting) == set(ids)
    assert all(link.startswith(f"{site.settings.site.url}/support/confirm/") for link in waiting.values())
    token = waiting[ids[0]].rsplit("/", 1)[1]
    with site.engine.connect() as conn:  # only the hash is kept
        kept = conn.execute(select(statement_confirmation)
                            .where(statement_confirmation.c.statement_id == ids[0])).one()
    assert kept.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in str(tuple(kept))

    by_link = client.post(f"{API}/support-statements/confirmations/{token}")
    assert by_link.status_code == 200 and by_link.get_json()["confirmed"] is True
    broker = logged_in(client, "broker")
    by_broker = client.post(f"{API}/support-statements/{ids[1]}/confirm", headers=broker)
    assert by_broker.status_code == 200, by_broker.get_json()
    assert (by_broker.get_json()["confirmed_by"], client.get(f"{API}/support-statements/{ids[0]}",
                                                            headers=broker).get_json()["confirmed_by"]) == \
        ("broker", "e-mail")
    assert counted() == 2
    assert ids[0] not in links(site) and ids[1] not in links(site)  # nothing left to mail for them

    # Confirmed once, counted once: the link again, a broker after the link, the link after a broker.
    again = client.post(f"{API}/support-statements/confirmations/{token}")
    assert (again.status_code, again.get_json()["code"]) == (409, "confirmation_used")
    assert "already been used" in again.get_json()["message"]
    twice = client.post(f"{API}/support-statements/{ids[0]}/confirm", headers=broker)
    assert (twice.status_code, twice.get_json()["code"]) == (409, "support_statement_confirmed")
    with site.engine.connect() as conn:
        assert conn.execute(select(statement_confirmation.c.used_at)
                            .where(statement_confirmation.c.statement_id == ids[1])).scalar() is None
    assert counted() == 2


def test_an_expired_or_unknown_link_is_a_clear_error(network):
    site, hub = network
    client = create_app(site).test_client()
    statement = client.post(f"{API}/support-statements", json={**STATEMENT, "email": "lena@example.org"}).get_json()
    token = links(site)[statement["id"]].rsplit("/", 1)[1]
    with site.engine.begin() as conn:
        conn.execute(update(statement_confirmation).values(
            expires_at=utcnow() - timedelta(seconds=1)))
    expired = client.post(f"{API}/support-statements/confirmations/{token}")
    assert (expired.status_code, expired.get_json()["code"]) == (409, "confirmation_expired")
    assert "expired" in expired.get_json()["message"]
    for unknown in ("x" * 43, "not-a-token", token[:-1] + ("A" if token[-1] != "A" else "B")):
        response = client.post(f"{API}/support-statements/confirmations/{unknown}")
        assert (response.status_code, response.get_json()["code"]) == (404, "confirmation_unknown")
    assert Counter(site, hub)() == 0


def test_a_statement_without_an_address_waits_for_a_broker(network):
    site, _ = network
    client = create_app(site).test_client()
    statement = client.post(f"{API}/support-statements", json={
        "kind": "organisation", "organisation_name": "Gemeinde Melk", "organisation_kind": "public_institution",
        "consent": True, "nuts3": "AT121"}).get_json()
    assert statement["confirmed"] is False and statement["id"] not in links(site)
