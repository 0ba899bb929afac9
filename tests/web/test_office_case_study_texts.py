"""The case study form's title and story in each language of the network (issue 19, the good-practice
handbook): saved with the case study, shown again, shown to a reader in their language on the public page and
in the handbook; too long or unstorable text is answered with a 422 beside its field in the page's language."""
from __future__ import annotations

import pytest

from tests.support.pdf_text import need_poppler, pdf_text
from tests.support.web import field_errors, form_message

TEXTS = {"texts.de.title": "Sitzbänke aus Paletten", "texts.de.summary": "Aus alten Paletten gebaut.",
         "texts.hu.title": "Raklapokból készült padok", "texts.hu.summary": "Régi raklapokból épült.",
         "texts.en.title": "Benches from pallets", "texts.en.summary": "Built from old pallets."}


def staff(site, lang: str):
    browser = site.browser()
    browser.login("broker")
    browser.get(f"/office/case-studies?lang={lang}")
    return browser


def study_form(site, **changes) -> dict:
    form = {"title": "Palettenbänke (Original)", "summary": "Original", "year": "1999", "cpv_codes": ["39100000"],
            "social_enterprise_id": site.ids["Traisentaler Werkstatt"],
            "client_organisation_id": site.ids["Donauland Handels AG"], **TEXTS}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_the_texts_are_saved_shown_again_and_read_in_the_readers_language(at12):
    broker = staff(at12, "de")
    broker.get("/office/case-studies/new")
    assert 'name="texts.hu.title"' in broker.page and 'name="texts.en.summary"' in broker.page
    response = broker.post("/office/case-studies/new", study_form(at12))
    assert response.status_code == 302, field_errors(broker.page) or form_message(broker.page)
    study_id = response.headers["Location"].rsplit("/", 1)[1]
    saved = at12.ok("GET", f"/case-studies/{study_id}")
    assert saved["texts"]["hu"] == {"title": "Raklapokból készült padok", "summary": "Régi raklapokból épült."}
    assert saved["title"] == "Palettenbänke (Original)"
    broker.get(f"/office/case-studies/{study_id}")
    assert 'value="Benches from pallets"' in broker.page

    reader = at12.browser()
    assert reader.get(f"/case-studies/{study_id}?lang=hu").status_code == 200
    assert "Raklapokból készült padok" in reader.page and "Palettenbänke (Original)" not in reader.page
    assert reader.get("/handbook?lang=en").status_code == 200 and "Benches from pallets" in reader.page
    need_poppler()
    pdf = reader.client.get("/handbook.pdf?lang=hu")  # made and kept in SQLite, the embedded mode's database
    assert pdf.status_code == 200 and "Raklapokból készült padok" in pdf_text(pdf.data)

    # an emptied language has no text any more: its readers get the original
    emptied = study_form(at12, **{"texts.en.title": "", "texts.en.summary": ""})
    assert broker.post(f"/office/case-studies/{study_id}", emptied).status_code == 302
    assert "en" not in at12.ok("GET", f"/case-studies/{study_id}")["texts"]
    assert reader.get(f"/case-studies/{study_id}?lang=en").status_code == 200
    assert "Palettenbänke (Original)" in reader.page
    broker.post(f"/office/case-studies/{study_id}/withdraw", {"reason": ""})


@pytest.mark.parametrize("changes, field", [
    ({"texts.hu.title": "x" * 201}, "f-texts-hu-title"),
    ({"texts.de.summary": ""}, "f-texts-de-summary"),  # a title without its story
])
def test_too_long_or_unstorable_text_is_answered_beside_its_field(at12, changes, field):
    broker = staff(at12, "de")
    response = broker.post("/office/case-studies/new", study_form(at12, **changes))
    assert response.status_code == 422
    errors = field_errors(broker.page)
    assert field in errors, errors
    assert all(not m.startswith(("Not a", "Must be", "Missing", "must", "Longer")) for m in errors[field]), errors


def test_a_nul_in_a_text_is_refused_without_a_server_error(at12):
    """No database stores a NUL: the kernel's guard refuses any form field holding one (a 422 page) before
    the form is read; the API names the field (tests/integration/test_handbook_site.py)."""
    broker = staff(at12, "hu")
    response = broker.post("/office/case-studies/new", study_form(at12, **{"texts.de.title": "nul\x00byte"}))
    assert response.status_code == 422
    assert "nul\x00byte" not in broker.page
