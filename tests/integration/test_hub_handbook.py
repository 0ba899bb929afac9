"""The network's good-practice handbook at the hub on SQLite and PostgreSQL (issue 19): case studies of two
sites applied by the hub's handlers, one of them as a version 1 payload (no texts); the PDF read with
`pdftotext` has every published title in the chosen language, the version 1 one in its original text, and
no withdrawn one; the network's page lists them. (The signed events through the real ingest, with schema
validation of both versions: tests/usecases/test_hub_handbook.py.)"""
from __future__ import annotations

import uuid

import pytest

from tests.support.events import envelope
from tests.support.hub import apply, client, runtime  # noqa: F401 - fixtures
from tests.support.pdf_text import need_poppler, pdf_text

TITLES = {"de": "Stühle aus Paletten", "hu": "Raklapszékek", "en": "Chairs from pallets"}


def payload(case_study_id: str, title: str, texts=None, status: str = "published") -> dict:
    data = {"case_study_id": case_study_id, "title": title, "summary": f"{title}: story",
            "client_organisation_id": None, "social_enterprise_id": None, "cpv_codes": ["39100000"], "year": 2025,
            "value_paid_eur": "1000.5", "material_diverted_kg": "20", "integration_hours": "300", "status": status}
    return data if texts is None else {**data, "texts": texts}


@pytest.mark.parametrize("lang", ["de", "hu", "en"])
def test_the_network_pdf_has_every_sites_titles_in_the_language(runtime, client, lang):
    need_poppler()
    chairs, old, gone = (str(uuid.uuid4()) for _ in range(3))
    texts = [{"language": code, "title": title, "summary": f"{code} story"} for code, title in TITLES.items()]
    apply(runtime,
          envelope("registry.case_study.published", chairs, 1, payload(chairs, "Original chairs", texts), site="HU22"),
          envelope("registry.case_study.published", old, 1, payload(old, "Brot aus der Sozialbäckerei"), site="AT13"),
          envelope("registry.case_study.published", gone, 1, payload(gone, "Withdrawn bags", []), site="AT12"),
          envelope("registry.case_study.withdrawn", gone, 2, {"id": gone, "reason": None}, site="AT12"))
    response = client.get(f"/handbook.pdf?lang={lang}")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    text = pdf_text(response.data)
    assert TITLES[lang] in text and "Brot aus der Sozialbäckerei" in text
    assert "Withdrawn bags" not in text and "Original chairs" not in text
    page = client.get(f"/handbook?lang={lang}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert TITLES[lang] in html and "Brot aus der Sozialbäckerei" in html and "Withdrawn bags" not in html
