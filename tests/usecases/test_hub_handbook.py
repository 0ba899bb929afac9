"""The network's good-practice handbook at the hub (issue 19), fed as the hub is fed: a site's real, signed
case-study events (version 2, with texts) and a version 1 event of a site not yet upgraded, through the hub's
ingest processor, which validates each against its version's schema. The PDF, read with `pdftotext`, has every
published case study's title in the chosen language (the version 1 one in its original text) and no withdrawn
one; an ingested change is in the next PDF; the web page and the nav link."""
from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from services.bootstrap import create_app
from services.common.signing import load_private_key
from services.contracts.events import registry as events
from services.hub.register.store import hub_case_study
from services.registry import handlers
from services.registry.schemas import CaseStudySchema, OrganisationSchema
from services.workers import hub_ingest
from tests.support.events import signed
from tests.support.pdf_text import need_poppler, pdf_info, pdf_text
from tests.support.privacy import signed_events

TODAY = date(2026, 12, 6)
ADDRESS = {"street": "Hauptstraße 1", "postcode": "3100", "town": "St. Pölten", "country": "AT"}
TITLES = {"de": "Taschen aus Festivalbannern", "hu": "Táskák fesztiválmolinókból", "en": "Bags from festival banners"}


@pytest.fixture
def network(site_runtime):
    return site_runtime("AT12"), site_runtime("EU")


def organisation(site, name: str, kind: str):
    body = {"kind": kind, "name": name, "registration_number": f"FN {len(name)}{kind[:3]} a", "address": ADDRESS,
            "nuts3": "AT123", "contact": {"name": "Maria Huber", "email": "m@example.org"}}
    if kind == "social_enterprise":
        body.update(labour_market_segment="second_labour_market", workers_in_integration=12)
    return handlers.register_organisation(site.uow(), OrganisationSchema().load(body), TODAY)


def case_study(site, se, client, title: str, texts: dict | None = None):
    fields = CaseStudySchema().load({
        "title": title, "summary": f"{title}: the story", "year": 2025, "cpv_codes": ["18930000"],
        "social_enterprise_id": se.id, "client_organisation_id": client.id,
        "impact": {"value_paid_eur": "12000.50", "material_diverted_kg": "800", "integration_hours": "1200"},
        "texts": texts or {}})
    return handlers.publish_case_study(site.uow(), fields, TODAY)


def ingest(site, hub, extra=()) -> None:
    outcome = hub_ingest(hub)[1].process([json.dumps(e) for e in signed_events(site)] + list(extra))
    assert outcome.dead == [], [d.reason for d in outcome.dead]


def network_pdf(client, lang: str) -> bytes:
    response = client.get(f"/handbook.pdf?lang={lang}")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    return response.data


def test_the_network_handbook_has_every_sites_titles_in_the_language_and_takes_version_1_events(network):
    need_poppler()
    site, hub = network
    se, client = organisation(site, "Werkstatt Nord", "social_enterprise"), organisation(site, "Bau AG",
                                                                                          "economic_enterprise")
    study = case_study(site, se, client, "Original banner bags",
                       {lang: {"title": title, "summary": f"{lang} story"} for lang, title in TITLES.items()})
    gone = case_study(site, se, client, "Withdrawn example", {"de": {"title": "Zurückgezogen", "summary": "weg"}})
    handlers.withdraw_case_study(site.uow(), gone.id, None)
    # a site not yet upgraded publishes version 1: no texts, its original title everywhere
    old_id = str(uuid.uuid4())
    v1 = events.CaseStudyPublished(
        case_study_id=old_id, title="Kantine Brigittenau kocht regional", summary="Eine soziale Küche.",
        client_organisation_id=None, social_enterprise_id=None, cpv_codes=["55520000"], year=2024,
        value_paid_eur="96000", material_diverted_kg=None, integration_hours="5200", status="published")
    assert (v1.TYPE, v1.VERSION) == ("registry.case_study.published", 1)
    old = signed(v1, old_id, 1, 1, "AT13", load_private_key(site.settings.key_file.parent / "AT13.pem"))
    ingest(site, hub, [old])
    with hub.engine.connect() as conn:
        texts = dict(conn.execute(select(hub_case_study.c.title, hub_case_study.c.texts)).all())
    assert texts["Kantine Brigittenau kocht regional"] is None
    assert {t["language"] for t in texts["Original banner bags"]} == {"de", "hu", "en"}

    web = create_app(hub).test_client()
    for lang, title in TITLES.items():
        pdf = network_pdf(web, lang)
        text = pdf_text(pdf)
        assert title in text and "Kantine Brigittenau kocht regional" in text, lang
        assert "Zurückgezogen" not in text and "Withdrawn example" not in text and "Original banner bags" not in text
        assert "Werkstatt Nord" in text and "Bau AG" in text
        assert pdf_info(pdf)["Title"]

    # an ingested change: the next PDF is made again with it
    changed = {**{lang: {"title": t, "summary": "s"} for lang, t in TITLES.items()},
               "hu": {"title": "Új táskák régi molinókból", "summary": "új"}}
    handlers.update_case_study(site.uow(), study.id, {"texts": changed})
    kept = network_pdf(web, "hu")
    assert network_pdf(web, "hu") == kept  # kept while nothing changed
    ingest(site, hub)
    text = pdf_text(network_pdf(web, "hu"))
    assert "Új táskák régi molinókból" in text and TITLES["hu"] not in text

    page = web.get("/handbook?lang=de")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert TITLES["de"] in html and "/handbook.pdf?lang=hu" in html and 'href="/handbook"' in html
