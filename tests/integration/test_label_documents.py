"""Evidence documents through the label API at HU22, on PostgreSQL and SQLite: PDF, PNG and JPEG are taken
(type read from the content, SHA-256 recorded, the criterion's evidence counts them); a wrong type under an
allowed name, an empty file and one over the network's limit are each a clear 422; a submitted application
takes none (409); only assessors and approvers download; the privacy export lists a person's uploads and
erasure empties their content."""
from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from sqlalchemy import select

from services.common.notifications import set_contact
from services.common.outbox import outbox
from services.contracts.label_policy import LabelPolicy
from services.label.store import document
from services.privacy import erase_person, export_person
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.label_documents import JPEG, PDF, PNG, TEXT, ZIP
from tests.support.labels import GOOD_SCORES
from tests.support.sites import Site

ORG = str(uuid.uuid4())
OTHER_ORG = str(uuid.uuid4())
EVIDENCE = {"se_share": {"figure": "45"}, "regional_primary_products": {"figure": "60"},
            "resource_saving": {"figure": "3"}}  # quality_innovation needs a document: uploaded below
USERS = (("admin", ["site_admin"], None), ("broker", ["broker"], None), ("anna", ["assessor"], None),
         ("bela", ["approver"], None), ("member", ["member"], ORG), ("stranger", ["member"], OTHER_ORG))


@pytest.fixture(params=BACKENDS)
def site(request, make_settings, tmp_path):
    url = pg_url_if(request, request.param, f"sqlite:///{tmp_path / 'documents.sqlite'}")
    s = Site(make_settings("HU22", db_url=url), USERS)
    yield s
    s.runtime.engine.dispose()


def draft(site) -> str:
    return site.ok("POST", "/label-applications", "member", 201, json={
        "holder_organisation_id": ORG, "holder_name": "Textil Kft", "product": "Tote bag",
        "cpv_codes": ["18930000"], "evidence": EVIDENCE})["id"]


def upload(site, app_id: str, content: bytes, name: str, criterion: str = "quality_innovation", as_: str = "member",
           expect: int = 201):
    return site.call("POST", f"/label-applications/{app_id}/documents", as_, expect,
                     data={"criterion": criterion, "file": (io.BytesIO(content), name)},
                     content_type="multipart/form-data").json


def test_pdf_png_and_jpeg_are_taken_by_content_with_their_fingerprint_and_count_as_evidence(site):
    app_id = draft(site)
    taken = [upload(site, app_id, PDF, "Prüfbericht.pdf"), upload(site, app_id, PNG, "photo.png"),
             upload(site, app_id, JPEG, "scan.JPG", "se_share")]
    assert [(d["media_type"], d["size"], d["sha256"], d["filename"]) for d in taken] == [
        ("application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest(), "Prüfbericht.pdf"),
        ("image/png", len(PNG), hashlib.sha256(PNG).hexdigest(), "photo.png"),
        ("image/jpeg", len(JPEG), hashlib.sha256(JPEG).hexdigest(), "scan.JPG")]
    app = site.ok("GET", f"/label-applications/{app_id}", "member")
    assert app["evidence"]["quality_innovation"]["documents"] == [
        {"id": d["id"], "sha256": d["sha256"], "size": d["size"], "title": d["filename"]} for d in taken[:2]]
    assert app["evidence"]["se_share"] == {"figure": "45", "documents": [
        {"id": taken[2]["id"], "sha256": taken[2]["sha256"], "size": len(JPEG), "title": "scan.JPG"}]}
    listed = site.ok("GET", f"/label-applications/{app_id}/documents", "member")
    assert [d["id"] for d in listed] == [d["id"] for d in taken] and all("content" not in d for d in listed)

    # the uploaded documents are the evidence the catalogue's verdict sees: the application passes and is granted
    site.ok("POST", f"/label-applications/{app_id}/submit", "member")
    site.ok("POST", f"/label-applications/{app_id}/assessment", "anna", json={"scores": GOOD_SCORES})
    assert site.ok("GET", f"/label-applications/{app_id}", "anna")["assessment"]["passed"] is True
    audit = site.ok("GET", f"/label-applications/{app_id}/audit", "admin")
    assert [e["details"]["sha256"] for e in audit if e["action"] == "document uploaded"] == [
        d["sha256"] for d in taken]
    with site.runtime.engine.connect() as conn:  # nothing of a document travels: the hub holds none
        assert not any("sha256" in str(r.data) or "document" in r.type
                       for r in conn.execute(select(outbox.c.type, outbox.c.data)))


def test_a_wrong_type_under_an_allowed_name_an_empty_file_and_one_over_the_limit_are_each_422(site):
    app_id = draft(site)
    limit = LabelPolicy.of(site.runtime.settings.federation).document_max_bytes
    for content, name, message in (
            (ZIP, "report.pdf", "the file is no PDF, PNG or JPEG by its content, whatever its name"),
            (TEXT, "report.pdf", "the file is no PDF, PNG or JPEG by its content, whatever its name"),
            (b"", "empty.pdf", "the file is empty"),
            (PDF + b"\0" * (limit + 1 - len(PDF)), "big.pdf", f"the file is larger than {limit} bytes")):
        body = upload(site, app_id, content, name, expect=422)
        assert (body["status"], body["errors"]) == (422, {"file": [message]}), name
    body = upload(site, app_id, PDF, "x.pdf", criterion="no_such_criterion", expect=422)
    assert body["errors"] == {"criterion": ["not a criterion of catalogue version 1"]}
    body = site.call("POST", f"/label-applications/{app_id}/documents", "member", 422,
                     data={"criterion": "se_share"}, content_type="multipart/form-data").json
    assert body["errors"] == {"file": ["Missing data for required field."]}
    # far larger than the route reads at all: refused before it is read, still a 422 naming the file
    huge = PDF + b"\0" * (limit + 2 * 1024 * 1024)
    assert upload(site, app_id, huge, "huge.pdf", expect=422)["errors"]["file"] == [
        f"the file is larger than {limit + 1024 * 1024} bytes"]
    assert site.ok("GET", f"/label-applications/{app_id}/documents", "member") == []
    # the larger body is this route's alone: elsewhere 1 MiB stays the limit, answered in the one error shape
    body = site.call("PATCH", f"/label-applications/{app_id}", "member", 413,
                     json={"product": "x" * (1024 * 1024 + 1)}).json
    assert (body["status"], body["code"]) == (413, "request_entity_too_large")
    with site.runtime.engine.connect() as conn:
        assert conn.execute(select(document.c.id)).all() == []


def test_only_an_editable_application_takes_or_gives_back_documents(site):
    app_id = draft(site)
    kept = upload(site, app_id, PDF, "report.pdf")
    gone = upload(site, app_id, PNG, "old.png")
    site.call("DELETE", f"/label-applications/{app_id}/documents/{gone['id']}", "member", 204)
    assert [d["id"] for d in site.ok("GET", f"/label-applications/{app_id}", "member")["evidence"]
            ["quality_innovation"]["documents"]] == [kept["id"]]
    upload(site, app_id, PDF, "theirs.pdf", as_="stranger", expect=403)
    site.ok("POST", f"/label-applications/{app_id}/submit", "member")
    assert upload(site, app_id, PDF, "late.pdf", expect=409)["code"] == "illegal_state"
    site.call("DELETE", f"/label-applications/{app_id}/documents/{kept['id']}", "member", 409)
    assert [d["id"] for d in site.ok("GET", f"/label-applications/{app_id}/documents", "anna")] == [kept["id"]]


def test_only_assessors_and_approvers_download(site):
    app_id = draft(site)
    doc = upload(site, app_id, PDF, "Prüfbericht.pdf")
    path = f"/label-applications/{app_id}/documents/{doc['id']}"
    for reader in ("anna", "bela"):
        resp = site.call("GET", path, reader, 200)
        assert resp.data == PDF and resp.mimetype == "application/pdf"
        assert resp.headers["Content-Disposition"].startswith("attachment;")
        assert "Pr%C3%BCfbericht.pdf" in resp.headers["Content-Disposition"]
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
    for other in ("member", "broker", "admin", "stranger"):
        assert site.call("GET", path, other, 403).json["code"] == "forbidden"
    site.call("GET", path, None, 401)
    site.call("GET", f"/label-applications/{app_id}/documents", "stranger", 403)
    site.call("GET", f"/label-applications/{app_id}/documents", "broker", 403)
    site.call("GET", f"/label-applications/{app_id}/documents/{uuid.uuid4()}", "anna", 404)


def test_the_privacy_export_lists_a_persons_uploads_and_erasure_empties_their_content(site):
    with site.runtime.engine.begin() as conn:
        set_contact(conn, "member", "maria@textil.example")
    app_id = draft(site)
    mine = upload(site, app_id, PDF, "report.pdf")
    theirs = upload(site, app_id, PNG, "photo.png", as_="admin")

    export = export_person(site.runtime.settings, email="Maria@Textil.example")
    [listed] = export["records"]["label_documents"]
    assert (listed["id"], listed["sha256"], listed["filename"], listed["uploaded_by"]) == (
        mine["id"], mine["sha256"], "report.pdf", "member")
    assert listed["content_held"] is True and listed["content_included"] is False

    assert erase_person(site.runtime, "maria@textil.example", "admin")["label_documents"] == 1
    site.call("GET", f"/label-applications/{app_id}/documents/{mine['id']}", "anna", 410)
    assert site.call("GET", f"/label-applications/{app_id}/documents/{theirs['id']}", "anna", 200).data == PNG
    listed = {d["id"]: d for d in site.ok("GET", f"/label-applications/{app_id}/documents", "anna")}
    assert listed[mine["id"]]["erased"] is True and listed[mine["id"]]["sha256"] == mine["sha256"]
    audit = site.ok("GET", f"/label-applications/{app_id}/audit", "admin")
    assert [(e["action"], e["details"]["document_id"]) for e in audit if "erased" in e["action"]] == [
        ("document content erased", mine["id"])]
