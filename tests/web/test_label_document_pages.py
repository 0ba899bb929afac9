"""Evidence documents in the browser at AT12 (German): the member uploads through the application form (a
wrong type under a PDF name, an empty file and one over the limit are each refused beside the file field,
and nothing is saved), sees the document's name, type, size and fingerprint, removes one while the
application is a draft; the assessor downloads what was uploaded, a broker and the member cannot."""
from __future__ import annotations

import hashlib
import io
import itertools
import re

import pytest

from services.contracts.label_policy import LabelPolicy
from tests.support.label_documents import PDF, PNG, ZIP
from tests.support.web import field_errors

NEW_USER = itertools.count()
FILE_FIELD = "evidence.quality_innovation.document"
FILE_ID = "f-evidence-quality_innovation-document"


def right(product: str) -> dict:
    return {"product": product, "cpv_codes": "39100000", "evidence.se_share.figure": "62,5",
            "evidence.regional_primary_products.figure": "55", "evidence.resource_saving.figure": "3"}


@pytest.fixture(scope="module")
def member(at12):
    username = f"document-member-{next(NEW_USER)}"
    at12.add_user(username, ["member"], at12.ids["Traisentaler Werkstatt"])
    browser = at12.browser()
    browser.login(username)
    browser.get("/office/member/labels/new")
    return browser


def drafts(at12, product: str) -> list[dict]:
    return [a for a in at12.ok("GET", "/label-applications", "admin", query_string={
        "organisation_id": at12.ids["Traisentaler Werkstatt"], "per_page": 200})["items"] if a["product"] == product]


def test_refused_files_are_said_beside_the_field_in_german_and_nothing_is_saved(at12, member):
    limit = LabelPolicy.of(at12.runtime.settings.federation).document_max_bytes
    refusals = {
        "Bericht.pdf": (ZIP, "Diese Datei ist keine PDF-, PNG- oder JPEG-Datei. Geprüft wurde ihr Inhalt, nicht ihr Name."),
        "leer.pdf": (b"", "Die Datei ist leer. Bitte wählen Sie das Dokument selbst aus."),
        "gross.pdf": (PDF + b"\0" * (limit + 1 - len(PDF)),
                      f"Die Datei ist größer als {limit // (1024 * 1024)} MB. Bitte wählen Sie eine kleinere aus."),
    }
    for name, (content, message) in refusals.items():
        resp = member.post("/office/member/labels/new", {**right("Abgelehnt"), "action": "save",
                                                        FILE_FIELD: (io.BytesIO(content), name)})
        assert resp.status_code == 422, name
        assert field_errors(member.page) == {FILE_ID: [message]}, name
        assert 'value="62,5"' in member.page  # what was typed stays
    assert drafts(at12, "Abgelehnt") == []


def test_the_member_uploads_sees_and_removes_documents_and_the_assessor_downloads(at12, member):
    assert member.post("/office/member/labels/new", {**right("Hochgeladen"), "action": "save",
                                                     FILE_FIELD: (io.BytesIO(PDF), "Prüfbericht.pdf")}).status_code == 302
    [app] = drafts(at12, "Hochgeladen")
    [pdf] = app["evidence"]["quality_innovation"]["documents"]
    assert (pdf["sha256"], pdf["size"], pdf["title"]) == (hashlib.sha256(PDF).hexdigest(), len(PDF), "Prüfbericht.pdf")

    # a second one while it is a draft; the first is kept
    assert member.post(f"/office/member/labels/{app['id']}", {**right("Hochgeladen"), "action": "save",
                                                               FILE_FIELD: (io.BytesIO(PNG), "Foto.png")}).status_code == 302
    member.get(f"/office/member/labels/{app['id']}")
    assert "Prüfbericht.pdf · PDF" in member.page and "Foto.png · PNG" in member.page
    assert hashlib.sha256(PNG).hexdigest()[:16] in member.page
    [png] = [d for d in at12.ok("GET", f"/label-applications/{app['id']}", "admin")["evidence"]["quality_innovation"]
             ["documents"] if d["title"] == "Foto.png"]
    assert f'form="remove-{png["id"]}"' in member.page and "„Foto.png“ entfernen" in member.page
    assert member.post(f"/office/member/labels/{app['id']}/documents/{png['id']}/remove").status_code == 302
    member.get(f"/office/member/labels/{app['id']}")
    assert "Foto.png" not in member.page and "Prüfbericht.pdf" in member.page
    # the member has no way to open a document: no link, and the staff download is refused
    assert f"/documents/{pdf['id']}\"" not in member.page
    assert member.get(f"/office/labels/{app['id']}/documents/{pdf['id']}").status_code == 403

    assert member.post(f"/office/member/labels/{app['id']}", {**right("Hochgeladen"), "action": "submit"}).status_code == 302
    assessor = at12.browser()
    assessor.login("assessor")
    assessor.get(f"/office/labels/{app['id']}")
    link = f"/office/labels/{app['id']}/documents/{pdf['id']}"
    assert re.search(rf'<a href="{link}" download>Prüfbericht.pdf</a>', assessor.page)
    resp = assessor.get(link)
    assert resp.status_code == 200 and resp.data == PDF and resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"

    broker = at12.browser()
    broker.login("broker")
    broker.get(f"/office/labels/{app['id']}")  # a broker reads the application, not its documents
    assert "Prüfbericht.pdf" in broker.page and link not in broker.page
    assert broker.get(link).status_code == 403
