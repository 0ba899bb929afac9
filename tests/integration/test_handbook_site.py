"""A site's good-practice handbook (issue 19) on real PostgreSQL: the PDF read back with `pdftotext` has
every published case study's title in the chosen language (de, hu, en) and not a withdrawn one; it is kept
while nothing changed and made again after a change (the next download has the new title, and the
scheduled job remakes what the change dropped); the web page shows the reader's language; the case study's
texts go out as `registry.case_study.published` version 2."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services import jobs
from services.common.clock import utcnow
from services.registry.tables import handbook
from tests.support.pdf_text import need_poppler, pdf_info, pdf_text
from tests.support.registry_api import company, se, site  # noqa: F401 - fixture

pytestmark = pytest.mark.services

TITLES = {
    "de": ("Taschen aus Festivalbannern", "Kantine mit Herz"),
    "hu": ("Táskák fesztiválmolinókból", "Szívből főző menza"),
    "en": ("Bags from festival banners", "A canteen with heart"),
}


def texts(index: int) -> dict:
    return {lang: {"title": TITLES[lang][index], "summary": f"{lang} story {index}: Größe, nő, fűrész"}
            for lang in TITLES}


def published(site) -> tuple[dict, dict, dict]:
    org = site.create("/organisations", se(name="Werkstatt Nord"))
    client = site.create("/organisations", company(name="Bau AG"))
    body = {"title": "Original title one", "summary": "Original story", "year": 2025, "cpv_codes": ["18930000"],
            "client_organisation_id": client["id"], "social_enterprise_id": org["id"],
            "impact": {"value_paid_eur": "12000.50", "material_diverted_kg": "1250", "integration_hours": "2100"}}
    first = site.create("/case-studies", {**body, "texts": texts(0)})
    second = site.create("/case-studies", {**body, "title": "Original title two", "cpv_codes": ["55520000"],
                                           "year": 2024, "texts": texts(1)})
    gone = site.create("/case-studies", {**body, "title": "Withdrawn example", "texts": {
        "de": {"title": "Zurückgezogenes Beispiel", "summary": "weg"},
        "hu": {"title": "Visszavont példa", "summary": "el"}}})
    site.call("POST", f"/case-studies/{gone['id']}/withdraw", json={"reason": None}, expect=200)
    return first, second, gone


def page(site, path: str):
    """A public page (not under /api/v1), never a server error."""
    response = site.client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def download(site, lang: str) -> bytes:
    response = page(site, f"/handbook.pdf?lang={lang}")
    assert response.headers["Content-Type"] == "application/pdf"
    return response.data


@pytest.mark.parametrize("lang", ["de", "hu", "en"])
def test_the_pdf_has_every_published_title_in_the_language_and_no_withdrawn_one(site, lang):
    need_poppler()
    published(site)
    pdf = download(site, lang)
    text = pdf_text(pdf)
    for title in TITLES[lang]:
        assert title in text, f"{title!r} missing from the {lang} handbook"
    for other in ({"de", "hu", "en"} - {lang}):
        assert TITLES[other][0] not in text
    assert "Withdrawn example" not in text and "Zurückgezogenes Beispiel" not in text
    assert "Visszavont példa" not in text
    info = pdf_info(pdf)
    assert info["Author"] and info["Title"]
    figures = {"de": "12.000,50", "hu": "12 000,50", "en": "12,000.50"}[lang]
    assert figures.replace(" ", "") in text.replace("\u00a0", "").replace(" ", "")


def test_a_changed_title_is_in_the_next_pdf_and_the_job_makes_the_dropped_ones_again(site):
    need_poppler()
    first, _, _ = published(site)
    before = download(site, "de")
    assert download(site, "de") == before  # kept while nothing changed
    with site.runtime.engine.connect() as conn:
        assert conn.execute(select(handbook.c.language)).scalars().all() == ["de"]

    changed = {**texts(0), "de": {"title": "Neue Taschen aus alten Bannern", "summary": "neu erzählt"}}
    site.call("PATCH", f"/case-studies/{first['id']}", json={"texts": changed}, expect=200)
    with site.runtime.engine.connect() as conn:
        assert conn.execute(select(handbook.c.language)).scalars().all() == []  # dropped with the change
    text = pdf_text(download(site, "de"))
    assert "Neue Taschen aus alten Bannern" in text and TITLES["de"][0] not in text

    site.call("PATCH", f"/case-studies/{first['id']}", json={"title": "Original renamed"}, expect=200)
    lines = jobs.make_handbooks(site.runtime, utcnow())
    assert lines[-1] == "3 good-practice handbooks made"
    assert jobs.make_handbooks(site.runtime, utcnow())[-1] == "0 good-practice handbooks made"
    with site.runtime.engine.connect() as conn:
        kept = dict(conn.execute(select(handbook.c.language, handbook.c.pdf)).all())
    assert sorted(kept) == ["de", "en", "hu"]
    assert "Neue Taschen aus alten Bannern" in pdf_text(kept["de"]) and TITLES["hu"][0] in pdf_text(kept["hu"])
    assert download(site, "en") == kept["en"]  # the job's PDF is what the next reader gets


def test_the_web_page_shows_the_readers_language_and_links_the_pdf(site):
    first, second, _ = published(site)
    hungarian = page(site, "/handbook?lang=hu").get_data(as_text=True)
    assert TITLES["hu"][0] in hungarian and TITLES["hu"][1] in hungarian and "Visszavont példa" not in hungarian
    assert "/handbook.pdf?lang=de" in hungarian and "Bau AG" in hungarian and "Werkstatt Nord" in hungarian
    english = page(site, "/handbook?lang=en").get_data(as_text=True)
    assert TITLES["en"][1] in english and TITLES["hu"][0] not in english
    study_page = page(site, f"/case-studies/{first['id']}?lang=hu").get_data(
        as_text=True)
    assert TITLES["hu"][0] in study_page and "/handbook" in study_page
    assert page(site, "/handbook.pdf?lang=xx").headers["Content-Type"] == \
        "application/pdf"


def test_the_texts_go_out_in_version_2_and_bad_texts_are_refused(site):
    first, _, _ = published(site)
    rows = [r for r in site.outbox_rows("registry.case_study.published")]
    assert rows, "no case study published"
    with site.runtime.engine.connect() as conn:
        from services.common.outbox import outbox
        versions = conn.execute(select(outbox.c.version, outbox.c.data).where(
            outbox.c.type == "registry.case_study.published")).all()
    assert {v for v, _ in versions} == {2}
    assert {t["language"] for t in versions[0].data["texts"]} == {"de", "hu", "en"}
    got = site.call("GET", f"/case-studies/{first['id']}", as_=None, expect=200).json
    assert got["texts"]["hu"]["title"] == TITLES["hu"][0]
    errors = site.call("PATCH", f"/case-studies/{first['id']}", expect=422, json={
        "texts": {"de": {"title": "x" * 201, "summary": "s"}, "hu": {"title": "nul\u0000", "summary": "s"},
                  "xx": {"title": "t", "summary": "s"}}}).json["errors"]
    assert "title" in errors["texts"]["de"] and "title" in errors["texts"]["hu"] and "xx" in errors["texts"]


@pytest.mark.parametrize("texts", [
    "Deutsch", ["de"], {"de": "Titel"}, {"de": {"title": "T"}}, {"de": {"title": "", "summary": "s"}},
    {"de": {"title": "   ", "summary": "s"}}, {"de": {"title": 7, "summary": "s"}},
    {"de": {"title": "T", "summary": "s", "extra": "x"}}, {"de": {"title": "T", "summary": "\ud800"}},
])
def test_hostile_texts_are_a_422_naming_the_field(site, texts):
    first, _, _ = published(site)
    response = site.call("PATCH", f"/case-studies/{first['id']}", expect=422, json={"texts": texts})
    assert "texts" in response.json["errors"], response.json
    assert site.call("GET", f"/case-studies/{first['id']}", as_=None).json["texts"]["de"]["title"] == TITLES["de"][0]
