"""Counts choose their plural form (ngettext) in every language: "1 Angebot geprüft", not "1 Angebote geprüft"."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import render_template_string

from services.web.messages import translate

SERVICES = Path(__file__).resolve().parents[2] / "services"
# A count written into a word that has a plural form, with gettext instead of ngettext.
COUNT_IN_GETTEXT = re.compile(r"""_\(['"]%\((?:n|num|count)\)s (?!delivered\b)[a-z]+""")


def test_no_template_writes_a_count_before_a_noun_with_gettext():
    found = [f"{path.relative_to(SERVICES)}: {match.group(0)}" for path in SERVICES.rglob("templates/**/*.html")
             for match in COUNT_IN_GETTEXT.finditer(path.read_text(encoding="utf-8"))]
    assert found == []

# An amount followed by its unit code as stored ("160 hours" on a Hungarian page): the quantity filter
# says it in the page's language, with the plural form of the amount.
AMOUNT_WITH_RAW_UNIT = re.compile(r"\|number }} {{ [\w.]*unit }}")


def test_no_template_writes_an_amount_with_its_raw_unit():
    found = [f"{path.relative_to(SERVICES)}: {match.group(0)}" for path in SERVICES.rglob("templates/**/*.html")
             for match in AMOUNT_WITH_RAW_UNIT.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


@pytest.mark.parametrize("lang, one, many", [
    ("de", "1 Angebot geprüft.", "2 Angebote geprüft."),
    ("hu", "1 kínálat vizsgálva.", "2 kínálat vizsgálva."),  # Hungarian counts with the singular noun
    ("en", "1 offer considered.", "2 offers considered."),
])
def test_a_count_chooses_the_plural_form_of_the_pages_language(at12, lang, one, many):
    shown = "{{ ngettext('%(num)s offer considered.', '%(num)s offers considered.', n, num=n|number) }}"
    with at12.app.test_request_context(f"/?lang={lang}"):
        at12.app.preprocess_request()
        assert render_template_string(shown, n=1) == one and render_template_string(shown, n=2) == many


def test_a_refusal_with_a_count_says_it_in_the_right_plural(at12):
    with at12.app.test_request_context("/?lang=de"):
        assert translate("1 agreement(s) not delivered yet") == "1 Vereinbarung noch nicht geliefert"
        assert translate("3 agreement(s) not delivered yet") == "3 Vereinbarungen noch nicht geliefert"
        assert translate("cannot move the enquiry from in_production to delivered: 1 agreement(s) not delivered "
                         "yet") == ("Die Anfrage kann noch nicht von „In Produktion“ zu „Geliefert“ wechseln: "
                                    "1 Vereinbarung noch nicht geliefert.")
