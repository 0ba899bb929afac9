"""Units of the usual vocabulary and the steps of audit trails in the page's language (the kernel's `term`
and `audit` filters); what a person typed stays as typed."""
from __future__ import annotations

import pytest
from flask import render_template_string

from services.web.messages import audit_text
from services.web.vocabulary import term


@pytest.mark.parametrize("lang, words", [
    ("de", {"pieces": "Stück", "bags": "Taschen", "hours": "Stunden", "percent": "Prozent", "units": "Einheiten"}),
    ("hu", {"pieces": "db", "bags": "táska", "hours": "óra", "percent": "százalék", "units": "egység"}),
    ("en", {"pieces": "pieces", "bags": "bags", "hours": "hours", "percent": "percent", "units": "units"}),
])
def test_the_usual_units_are_worded_in_the_pages_language(at12, lang, words):
    with at12.app.test_request_context(f"/?lang={lang}"):
        assert {unit: term(unit) for unit in words} == words
        assert term("Paletten") == "Paletten", "a unit a person typed stays as typed"


@pytest.mark.parametrize("lang, shown", [
    ("de", ["Erstellt", "Entschieden: verliehen", "Über das Anfrageformular eingereicht.",
            "Der Hub meldet das Konsortium als vereinbart: Jeder Teil ist angenommen.",
            "Ein Teil des Konsortiums ist in Produktion.", "Jeder Teil des Konsortiums ist geliefert.",
            "Die Frist 03.12.2026 ist verstrichen.", "Kunde hat angerufen, created"]),
    ("hu", ["Létrehozva", "Döntés: odaítélve", "A megkeresési űrlapon beküldve.", None, None, None,
            "A határidő (2026. dec. 3.) lejárt.", "Kunde hat angerufen, created"]),
])
def test_audit_steps_are_worded_and_what_a_person_typed_stays(at12, lang, shown):
    steps = ["created", "decided_granted", "filed with the enquiry form", "consortium_agreed",
             "consortium_part_started", "consortium_delivered", "the deadline 2026-12-03 passed",
             "Kunde hat angerufen, created"]
    with at12.app.test_request_context(f"/?lang={lang}"):
        at12.app.preprocess_request()
        worded = [audit_text(step) for step in steps]
        assert render_template_string("{{ step|audit }}", step="decided_granted") == worded[1]
    for step, words, expected in zip(steps, worded, shown):
        assert words != step or step.startswith("Kunde"), (lang, step)
        if expected is not None:
            assert words == expected, (lang, step)


def test_an_offers_unit_is_shown_in_the_pages_language_on_its_showcase(at12):
    browser = at12.browser()
    browser.get(f"/organisations/{at12.ids['Traisentaler Werkstatt']}?lang=de")
    assert "500 Stück" in browser.page and "500 pieces" not in browser.page
    browser.get(f"/organisations/{at12.ids['Mostviertler Metallwerk']}?lang=de")
    assert "500 parts" in browser.page  # typed by a person: not in the vocabulary


@pytest.mark.parametrize("lang, shown", [
    ("de", ["1 Stück", "1.250 Stück", "1 Stunde", "1,5 Stunden", "2 Taschen", "12 Paletten", "3 m²"]),
    ("hu", ["1 db", "1\u00a0250 db", "1 óra", "1,5 óra", "2 táska", "12 Paletten", "3 m²"]),
    ("en", ["1 piece", "1,250 pieces", "1 hour", "1.5 hours", "2 bags", "12 Paletten", "3 m²"]),
])
def test_a_quantity_takes_its_units_singular_or_plural(at12, lang, shown):
    amounts = [("1", "pieces"), ("1250", "pcs"), ("1", "hours"), ("1.5", "hour"), ("2", "bags"),
               ("12", "Paletten"), ("3", "m2")]
    with at12.app.test_request_context(f"/?lang={lang}"):
        at12.app.preprocess_request()
        worded = [render_template_string("{{ amount|quantity(unit) }}", amount=a, unit=u) for a, u in amounts]
        assert render_template_string("{{ amount|quantity(unit, 0) }}", amount="0.9999", unit="pieces") == shown[0]
    assert worded == shown
