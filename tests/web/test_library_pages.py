"""The library in the browser at AT12 (German): a broker publishes a thesis with its PDF; a refused file
(a text file named .pdf, an empty one, one over the limit) and a missing title are said beside their fields
and nothing is saved; the public listing finds the thesis by another inflection of its compound and says
in which language it matched; its page shows the authors and offers the PDF; hostile searches never give a
500; a withdrawn item leaves the listing."""
from __future__ import annotations

import io
import re

import pytest

from tests.support.library import GERMAN, PDF, TEXT
from tests.support.web import field_errors

FIELDS = {k: v for k, v in GERMAN.items()}
FIELDS["title_de"] = "Arbeitsmarktintegration in Sozialbetrieben der Webtests"


def with_file(fields: dict, content: bytes, name: str = "Arbeit.pdf") -> dict:
    return {**fields, "document_language": "de", "file": (io.BytesIO(content), name)}


def listing(browser, **params) -> str:
    resp = browser.get("/library", query_string={"lang": "de", **params})
    assert resp.status_code == 200
    return browser.page


def test_refused_files_and_missing_titles_are_said_beside_their_fields(at12, broker, monkeypatch):
    monkeypatch.setitem(at12.app.config, "LIBRARY_DOCUMENT_MAX_BYTES", 200_000)
    broker.get("/office/library/new", query_string={"lang": "de"})
    refusals = {"Bericht.pdf": (TEXT, "Diese Datei ist keine PDF-Datei. Geprüft wurde ihr Inhalt, nicht ihr Name."),
                "leer.pdf": (b"", "Die Datei ist leer. Bitte wählen Sie das Dokument selbst aus."),
                "gross.pdf": (PDF + b"%" * 200_000, "Die Datei ist größer als 0,2 MB. Bitte wählen Sie eine kleinere aus.")}
    for name, (content, message) in refusals.items():
        resp = broker.post("/office/library/new", with_file(FIELDS, content, name))
        assert resp.status_code == 422, name
        assert field_errors(broker.page) == {"f-file": [message]}, name
        assert "Webtests" in broker.page  # what was typed stays
    resp = broker.post("/office/library/new", with_file({"kind": "report", "year": "2024", "abstract_hu": "x"}, PDF))
    assert resp.status_code == 422
    assert field_errors(broker.page)["f-title_hu"] == ["Bitte geben Sie einen Titel für den Text in dieser Sprache an."]
    assert "Webtests" not in listing(at12.browser(), q="Sozialbetrieben")


def test_a_published_thesis_is_found_shown_downloaded_and_withdrawn(at12, broker):
    broker.get("/office/library/new")
    assert broker.post("/office/library/new", with_file(FIELDS, PDF)).status_code == 302
    visitor = at12.browser()
    page = listing(visitor, q="Arbeitsmarktintegrationen Sozialbetrieb")
    assert "Arbeitsmarktintegration in Sozialbetrieben der Webtests" in page
    assert "Deutsch" in page  # the language whose text matched
    link = re.search(r'href="(/library/[0-9a-f-]{36})"', page).group(1)
    visitor.get(link, query_string={"lang": "de"})
    assert "Anna Beispiel" in visitor.page and f"{link}/document" in visitor.page
    download = visitor.client.get(f"{link}/document")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    visitor.get(link, query_string={"lang": "en"})
    assert "Labour market integration in employment projects" in visitor.page

    broker.get("/office/library")
    item_id = link.rsplit("/", 1)[1]
    assert broker.post(f"/office/library/{item_id}/withdraw").status_code == 302
    assert "Webtests" not in listing(visitor, q="Arbeitsmarktintegrationen Sozialbetrieb")
    assert visitor.client.get(link).status_code == 404
    assert visitor.client.get(f"{link}/document").status_code == 404


@pytest.mark.parametrize("query", ['"', "'); DROP TABLE community_library_item; --", "((*", "NEAR(a b, 2)",
                                   "a OR b NOT c", "\x00", "Ü" * 199, "title:x^2", "x" * 10_000])
def test_hostile_searches_never_give_a_500(at12, query):
    visitor = at12.browser()
    resp = visitor.client.get("/library", query_string={"q": query}, headers={"Accept": "text/html"})
    assert resp.status_code in (200, 422), resp.status_code
    if resp.status_code == 422 and query != "\x00":  # NUL: the kernel's request guard refuses the request
        assert "f-q" in field_errors(resp.get_data(as_text=True))


def test_the_broker_changes_an_item_and_its_event_follows(at12, broker):
    broker.get("/office/library/new")
    fields = {**FIELDS, "title_de": "Ein Handbuch der Webtests zum Ändern", "kind": "handbook"}
    assert broker.post("/office/library/new", with_file(fields, PDF)).status_code == 302
    [item] = [i for i in at12.ok("GET", "/library-items", as_=None, query_string={"q": "Webtests Ändern"})["items"]]
    broker.get(f"/office/library/{item['id']}")
    assert 'value="Ein Handbuch der Webtests zum Ändern"' in broker.page
    changed = {**fields, "year": "2021", "title_en": "", "abstract_en": "", "keywords_en": ""}
    assert broker.post(f"/office/library/{item['id']}", changed).status_code == 302  # no new file: kept
    now = at12.ok("GET", f"/library-items/{item['id']}", as_=None)
    assert now["year"] == 2021 and [t["language"] for t in now["texts"]] == ["de"]
    assert now["document"]["sha256"] == item["document"]["sha256"]
    [event] = [e for e in at12.outbox_rows("community.library_item.updated") if e.aggregate_id == item["id"]]
    assert event.data["year"] == 2021 and "authors" not in event.data
    # a withdrawn item is changed no more: said on the form, not a 500
    assert broker.post(f"/office/library/{item['id']}/withdraw").status_code == 302
    broker.get(f"/office/library/{item['id']}")
    assert broker.post(f"/office/library/{item['id']}", changed).status_code == 409
