"""The library's full-text search in the database's own engine finds what a plain LIKE misses: a German
compound in another inflection, an umlaut plural, a Hungarian suffixed form; on PostgreSQL and on SQLite.
And the document checks, the hostile searches and the withdrawal, through the API."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.bootstrap import components
from services.common.backup import backup, read_backup, restore
from services.common.db import containing
from services.common.fulltext import derived_table
from services.community.library.tables import item, text as texts
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.library import GERMAN, GERMAN_REPORT, HUNGARIAN, PDF, TEXT, form
from tests.support.sites import Site


@pytest.fixture(params=BACKENDS)
def site(request, make_settings, tmp_path):
    url = pg_url_if(request, request.param, f"sqlite:///{tmp_path / 'library.sqlite'}")
    return Site(make_settings("AT12", db_url=url))


def publish(site, fields, **kwargs):
    return site.ok("POST", "/library-items", data=form(fields, **kwargs), content_type="multipart/form-data",
                   expect=201)


def found(site, q, **params):
    body = site.ok("GET", "/library-items", as_=None, query_string={"q": q, **params})
    return {item["reference"]: item["matched"] for item in body["items"]}


def like_finds(site, word) -> set[str]:
    """The references a plain LIKE '%word%' finds in any text (what a search without stemming does)."""
    with site.runtime.engine.connect() as conn:
        return set(conn.scalars(select(item.c.reference).join(texts, texts.c.item_id == item.c.id).where(
            containing(texts.c.title, word) | containing(texts.c.abstract, word)
            | containing(texts.c.keywords, word))))


def test_full_text_finds_german_compounds_and_hungarian_suffixes_that_like_misses(site):
    thesis = publish(site, GERMAN)["reference"]  # "Arbeitsmarktintegration in Beschäftigungsprojekten"
    report = publish(site, GERMAN_REPORT)["reference"]  # "Regionale Arbeitsmärkte im Wandel"
    guide = publish(site, HUNGARIAN)["reference"]  # "Szociális vállalkozásoknak ...", "A foglalkoztatás ..."

    # German: a compound in another inflection; a compound's genitive; an umlaut plural by its singular.
    assert like_finds(site, "Arbeitsmarktintegrationen") == set()
    assert found(site, "Arbeitsmarktintegrationen") == {thesis: ["de"]}
    assert like_finds(site, "Beschäftigungsprojekts") == set()
    assert found(site, "Beschäftigungsprojekts") == {thesis: ["de"]}
    # LIKE finds the wrong item (the compound that merely contains the letters) and misses "Arbeitsmärkte";
    # the stems tell a compound from its part, and the plural from the singular.
    assert like_finds(site, "Arbeitsmarkt") == {thesis}
    assert found(site, "Arbeitsmarkt") == {report: ["de"]}
    assert like_finds(site, "Arbeitsmärkten") == set()
    assert found(site, "arbeitsmärkten") == {report: ["de"]}

    # Hungarian: a suffixed form finds another suffixed form of the same word.
    assert like_finds(site, "vállalkozásokban") == set()
    assert found(site, "vállalkozásokban") == {guide: ["hu"]}
    assert like_finds(site, "vállalkozásnak") == set()
    assert found(site, "vállalkozásnak") == {guide: ["hu"]}
    assert like_finds(site, "foglalkoztatási") == set()
    assert found(site, "foglalkoztatási") == {guide: ["hu"]}

    # Each text in its own language: "enterprise" finds "social enterprises" in the English text only;
    # all words must match in one language's text.
    assert found(site, "enterprise") == {thesis: ["en"]}
    assert found(site, "integration Arbeitsmarktintegration") == {}
    assert found(site, "Arbeitsmarktintegration", language="hu") == {}
    assert found(site, "Arbeitsmarktintegration", kind="master_thesis", year=2024) == {thesis: ["de"]}


HOSTILE = ['"', "'); DROP TABLE community_library_item; --", "(((", "*", "Arbeit*", "NEAR(a b)", "a AND OR NOT",
           "\x00", "title:x", "^", "-Arbeitsmarkt", "{}[]", "\\", "Ü" * 200, "😀 💥", "\u202e"]


def test_hostile_searches_are_words_or_a_422_never_a_500(site):
    german = publish(site, GERMAN)
    refused = set()
    for query in HOSTILE:
        resp = site.call("GET", "/library-items", as_=None, query_string={"q": query})
        assert resp.status_code in (200, 422), (query, resp.get_data(as_text=True))
        if resp.status_code == 422:
            assert "q" in resp.json["errors"]
            refused.add(query)
    assert refused <= {"\x00", "\u202e"}  # control characters: the kernel's request guard refuses them
    assert found(site, '"Arbeitsmarkt" AND (NEAR') == {}  # searched as the words arbeitsmarkt, and, near
    assert found(site, '"Arbeitsmarktintegrationen*"') == {german["reference"]: ["de"]}
    too_long = site.call("GET", "/library-items", as_=None, query_string={"q": "x" * 10_000}, expect=422)
    assert "q" in too_long.json["errors"]


def test_a_document_is_a_pdf_by_its_content_not_empty_and_not_too_large(site):
    site.app.config["LIBRARY_DOCUMENT_MAX_BYTES"] = 1000
    for document, code in ((TEXT, "file_wrong_type"), (b"", None), (PDF + b"%" * 1000, "file_too_large")):
        resp = site.call("POST", "/library-items", data=form(GERMAN, document, "thesis.pdf"),
                         content_type="multipart/form-data", expect=422)
        assert "file" in resp.json["errors"], resp.json
        if code:
            assert resp.json["code"] == code
    assert site.ok("GET", "/library-items", as_=None)["total"] == 0
    item = publish(site, GERMAN)
    assert item["document"]["size"] == len(PDF) and len(item["document"]["sha256"]) == 64
    download = site.call("GET", f"/library-items/{item['id']}/document", as_=None, expect=200)
    assert download.data == PDF and download.mimetype == "application/pdf"


def test_withdrawn_items_leave_the_listing_and_events_carry_no_authors(site):
    item = publish(site, GERMAN)
    assert found(site, "Arbeitsmarktintegration") == {item["reference"]: ["de"]}
    site.ok("PATCH", f"/library-items/{item['id']}", data={"year": "2023"}, content_type="multipart/form-data")
    site.ok("POST", f"/library-items/{item['id']}/withdraw")
    site.call("POST", f"/library-items/{item['id']}/withdraw", expect=409)
    assert found(site, "Arbeitsmarktintegration") == {}
    assert site.ok("GET", "/library-items", as_=None)["total"] == 0
    site.call("GET", f"/library-items/{item['id']}", as_=None, expect=404)
    events = site.outbox_rows("community.library_item.")
    assert [e.type for e in events] == ["community.library_item.published", "community.library_item.updated",
                                        "community.library_item.withdrawn"]
    assert [e.aggregate_version for e in events] == [1, 2, 3]
    assert all("Anna" not in str(e.data) and "authors" not in e.data for e in events)
    assert events[1].data["year"] == 2023 and events[2].data["status"] == "withdrawn"


def test_a_restored_site_finds_its_items_again(site, make_settings, request, tmp_path):
    """A backup leaves the full-text index out (derived data); the restore rebuilds it from the texts."""
    item = publish(site, GERMAN)
    publish(site, HUNGARIAN)
    site.ok("POST", f"/library-items/{publish(site, GERMAN_REPORT)['id']}/withdraw")
    file = tmp_path / "at12.json.gz"
    parts = components(site.runtime.settings)
    backup(site.runtime.settings, parts, file)
    assert not any(derived_table(name) for name in read_backup(file)["tables"])

    on_postgres = site.runtime.engine.dialect.name == "postgresql"
    url = request.getfixturevalue("pg_schema_url")("restored") if on_postgres else f"sqlite:///{tmp_path / 'r.sqlite'}"
    settings = make_settings("AT12", db_url=url)
    restore(settings, components(settings), file)
    restored = Site(settings, users=())
    assert found(restored, "Arbeitsmarktintegrationen") == {item["reference"]: ["de"]}
    assert found(restored, "vállalkozásnak") and found(restored, "Arbeitsmarkt") == {}  # the withdrawn one: not
