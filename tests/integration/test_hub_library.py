"""The network library at the hub: the ingest applies a site's library events (newest version wins), the
network listing finds a German thesis by a German and by an English query in each text's own language,
withdrawn items leave it, and the hub's tables hold no author and no document."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text

from services.hub.library.store import hub_library_item
from tests.support import events
from tests.support.hub import apply, client, runtime  # noqa: F401 - fixtures
from tests.support.library import GERMAN, HUNGARIAN, PDF, form
from tests.support.sites import Site


@pytest.fixture
def at12(make_settings, tmp_path):
    return Site(make_settings("AT12", db_url=f"sqlite:///{tmp_path / 'at12.sqlite'}"))


def publish(site, fields):
    return site.ok("POST", "/library-items", data=form(fields), content_type="multipart/form-data", expect=201)


def forward(site, hub_runtime, after: int = 0) -> int:
    """The site's library events (after the first `after`) applied at the hub, as its ingest would."""
    rows = site.outbox_rows("community.library_item.")
    apply(hub_runtime, *[events.envelope(r.type, r.aggregate_id, r.aggregate_version, r.data, site=site.site_id)
                         for r in rows[after:]])
    return len(rows)


def listed(http, **params):
    resp = http.get("/api/v1/library-items", query_string=params)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return {(i["site"], i["reference"]): i["matched"] for i in resp.json["items"]}


def test_the_hub_lists_every_sites_items_and_finds_them_in_each_language(at12, runtime, client):  # noqa: F811
    thesis = publish(at12, GERMAN)
    guide = publish(at12, HUNGARIAN)
    seen = forward(at12, runtime)
    key = ("AT12", thesis["reference"])

    assert listed(client, q="Arbeitsmarktintegrationen") == {key: ["de"]}  # German, another inflection
    assert listed(client, q="employment projects") == {key: ["en"]}  # English text, English stems
    assert listed(client, q="vállalkozásokban") == {("AT12", guide["reference"]): ["hu"]}
    assert listed(client, q="Arbeitsmarktintegration", language="en") == {}
    assert set(listed(client)) == {key, ("AT12", guide["reference"])}
    item = client.get("/api/v1/library-items", query_string={"q": "Beschäftigungsprojekts"}).json["items"][0]
    assert item["url"].endswith(f"/library/{thesis['id']}") and item["document"]["sha256"] == thesis["document"][
        "sha256"]

    # The page at the hub: in English, the thesis's English title, linking to its page at AT12.
    page = client.get("/library", query_string={"q": "labour market", "lang": "en"})
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Labour market integration in employment projects" in body and item["url"] in body
    for hostile in ['"(', "NEAR(*)", "'); DROP TABLE hub_library_item; --"]:
        assert client.get("/library", query_string={"q": hostile}).status_code == 200
    assert client.get("/library", query_string={"q": "x" * 10_000}).status_code == 422

    # A stale snapshot changes nothing; the withdrawal takes the item out of the listing and the index.
    at12.ok("POST", f"/library-items/{thesis['id']}/withdraw")
    forward(at12, runtime, seen)
    first = at12.outbox_rows("community.library_item.")[0]
    apply(runtime, events.envelope(first.type, first.aggregate_id, 1, first.data, site="AT12"))
    assert listed(client, q="Arbeitsmarktintegration") == {}
    assert set(listed(client)) == {("AT12", guide["reference"])}
    with runtime.engine.connect() as conn:
        assert conn.execute(select(hub_library_item.c.status, hub_library_item.c.aggregate_version).where(
            hub_library_item.c.id == thesis["id"])).one() == ("withdrawn", 2)


def test_the_hubs_tables_hold_no_author_and_no_document(at12, runtime):  # noqa: F811
    publish(at12, GERMAN)
    forward(at12, runtime)
    with runtime.engine.connect() as conn:
        tables = [t for t in inspect(conn).get_table_names() if "library" in t]
        assert "hub_library_item" in tables
        dumped = ""
        for table in tables:
            if table.endswith(("_idx", "_config", "_docsize", "_data")):  # FTS5's own bookkeeping
                continue
            dumped += repr(conn.execute(text(f"SELECT * FROM {table}")).all())
    assert "Arbeitsmarktintegration" in dumped  # the metadata is there ...
    assert "Beispiel" not in dumped and "Muster" not in dumped  # ... the authors are not
    assert PDF[:20].decode() not in dumped and "%PDF" not in dumped  # ... nor the document
    assert not any(c.name in ("authors", "content") for c in hub_library_item.columns)
