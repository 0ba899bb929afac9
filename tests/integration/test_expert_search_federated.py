"""The federated expert search (issue 19, "the expert base"): the hub asks every member site's public
expert API at request time, over real HTTP on loopback, and merges the answers. AT12 and HU22 answer (real
site apps, AT12 on PostgreSQL); AT13 is stopped (connection refused); AT22 hangs far longer than the
deadline; AT11 answers with something that is no expert answer. The hub answers with AT12's and HU22's
experts, names the other three as missing with the reason, and does so well before the hanging site would
have answered. Afterwards the hub's database holds nothing of any expert."""
from __future__ import annotations

import dataclasses
import threading
import time

import pytest
from sqlalchemy import MetaData, select

from services.common.config import load_settings
from services.hub.experts import federated
from services.serving import AppServer
from tests.support.databases import pg_schemas
from tests.support.ports import free_port
from tests.support.services import TEST_RATE_LIMIT
from tests.support.sites import STAFF, Site

DEADLINE = 2.0
HANG_SECONDS = 60.0

EXPERTS = {
    "AT12": [("Dr. Eva Kern", True, ["45", "90"], ["de", "en"], "AT121"),
             ("Franz Bauer", True, ["45"], ["de"], "AT12"),
             ("Maria Verborgen", False, ["45"], ["de"], "AT121")],  # no consent: never shown
    "HU22": [("Kovács Anna", True, ["45", "18"], ["hu", "de"], "HU221"),
             ("Nagy Titok", False, ["45"], ["hu"], "HU221")],
}


class Hanging:
    """A server that accepts the request and does not answer until released."""

    def __init__(self):
        self.release = threading.Event()

        def app(environ, start_response):
            self.release.wait(HANG_SECONDS)
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"items": [], "total": 0}']
        self.server = AppServer(app, "127.0.0.1", 0).start()


def garbage_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"items": [{"name": 42}], "total": "many"}']


@pytest.fixture(scope="module")
def network(federation, federation_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("experts")

    def settings(site_id, db_url, fed=federation, **extra):
        return load_settings(site_id, env={}, federation=fed, db_url=db_url, bus_url="memory://",
                             key_file=federation_files[1] / f"{site_id}.pem", var_dir=root,
                             rate_limit=TEST_RATE_LIMIT, token_rate_limit=TEST_RATE_LIMIT,
                             public_write_rate_limit=TEST_RATE_LIMIT, extra=extra)

    with pg_schemas("experts") as make_schema:
        sites = {"AT12": Site(settings("AT12", make_schema("at12")), STAFF),
                 "HU22": Site(settings("HU22", f"sqlite:///{root / 'HU22.sqlite'}"), STAFF)}
        for site_id, experts in EXPERTS.items():
            for name, public, expertise, languages, region in experts:
                sites[site_id].ok("POST", "/consultants", "broker", expect=201, json={
                    "name": name, "expertise": expertise, "languages": languages, "public_profile": public,
                    "region": region, "summaries": {"en": f"{name} advises on social procurement"},
                    "publications": [{"title": "Social procurement", "year": 2025, "url": "https://example.org/sp"}]})
        servers = {site_id: AppServer(site.app, "127.0.0.1", 0).start() for site_id, site in sites.items()}
        hanging, garbage = Hanging(), AppServer(garbage_app, "127.0.0.1", 0).start()
        urls = {"AT12": f"http://127.0.0.1:{servers['AT12'].port}", "HU22": f"http://127.0.0.1:{servers['HU22'].port}",
                "AT13": f"http://127.0.0.1:{free_port()}", "AT22": f"http://127.0.0.1:{hanging.server.port}",
                "AT11": f"http://127.0.0.1:{garbage.port}"}
        fed = dataclasses.replace(federation, sites={
            site_id: dataclasses.replace(site, url=urls.get(site_id, site.url))
            for site_id, site in federation.sites.items()})
        hub = Site(settings("EU", make_schema("hub"), fed, expert_search_timeout=DEADLINE), ())
        try:
            yield hub, sites
        finally:
            hanging.release.set()
            for server in (*servers.values(), hanging.server, garbage):
                server.stop()


@pytest.mark.services
def test_the_answering_sites_results_and_the_missing_sites_named_within_the_deadline(network):
    hub, _ = network
    started = time.monotonic()
    answer = hub.ok("GET", "/experts", None, query_string={"division": "45"})
    elapsed = time.monotonic() - started
    assert elapsed < DEADLINE + 5 and elapsed < HANG_SECONDS / 2
    assert [(e["name"], e["site"]) for e in answer["items"]] == [
        ("Dr. Eva Kern", "AT12"), ("Franz Bauer", "AT12"), ("Kovács Anna", "HU22")]
    assert answer["sites_answered"] == ["AT12", "HU22"]
    assert {m["site"]: m["reason"] for m in answer["sites_missing"]} == {
        "AT11": "invalid", "AT13": "unreachable", "AT22": "timeout"}
    assert "Verborgen" not in str(answer) and "Titok" not in str(answer)


@pytest.mark.services
def test_filters_reach_every_site(network):
    hub, _ = network
    answer = hub.ok("GET", "/experts", None, query_string={"language": "hu"})
    assert [(e["name"], e["site"]) for e in answer["items"]] == [("Kovács Anna", "HU22")]
    assert len(answer["sites_missing"]) == 3
    assert hub.call("GET", "/experts", None, query_string={"division": "4x"}).status_code == 422


@pytest.mark.services
def test_the_hub_page_names_the_missing_sites_in_the_page_language(network):
    hub, _ = network
    response = hub.client.get("/experts?lang=de&region=AT12", headers={"Accept": "text/html"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dr. Eva Kern" in page and "Kovács Anna" not in page
    assert 'id="missing-sites"' in page and "AT13" in page and "AT22" in page and "AT11" in page
    assert "nicht rechtzeitig geantwortet" in page


@pytest.mark.services
def test_the_hubs_database_holds_no_expert_after_a_search(network):
    hub, _ = network
    hub.ok("GET", "/experts", None)
    found = []
    meta = MetaData()
    with hub.runtime.engine.connect() as conn:
        meta.reflect(conn)
        for table in meta.sorted_tables:
            text = str(conn.execute(select(table)).all())
            found += [(table.name, name) for experts in EXPERTS.values() for name, *_ in experts if name in text]
    assert found == []


@pytest.mark.parametrize("status, body, reason", [
    ("503 Service Unavailable", b'{"code": 503}', "error"), ("404 Not Found", b"", "error"),
    ("200 OK", b"<html>not json</html>", "invalid"), ("200 OK", b'{"items": [], "total": 0}', None)])
def test_one_site_at_a_time_each_reason(status, body, reason):
    def app(environ, start_response):
        start_response(status, [("Content-Type", "application/json")])
        return [body]
    server = AppServer(app, "127.0.0.1", 0).start()
    try:
        if reason is None:
            assert federated.ask_site(f"http://127.0.0.1:{server.port}", {"q": "x"}, 2.0) == {"items": [], "total": 0}
        else:
            with pytest.raises(federated.SiteFailed) as failed:
                federated.ask_site(f"http://127.0.0.1:{server.port}", {"q": "x"}, 2.0)
            assert failed.value.reason == reason
    finally:
        server.stop()


@pytest.mark.services
@pytest.mark.parametrize("query, status", [("division=4x&language=fr", 422), ("region=at12", 422),
                                           ("q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", 200), ("q=%25%27+OR+1%3D1", 200),
                                           ("q=" + "x" * 101, 422), ("surprise=1", 200)])
def test_the_hub_page_refuses_bad_filters_beside_the_fields_and_never_fails(network, query, status):
    """In Hungarian: a division that is none is said so beside its field."""
    hub, _ = network
    response = hub.client.get(f"/experts?lang=hu&{query}", headers={"Accept": "text/html"})
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert "<script>alert" not in page
    if status == 422:
        assert 'class="field-error"' in page and 'id="missing-sites"' not in page
    if "division" in query:
        assert "Kérjük, adjon meg egy CPV-főcsoportot" in page
