"""Evidence documents: files uploaded for a criterion of a label application, kept at the site only.

A document is taken while its application is editable (a draft, or returned for more evidence), for a
criterion of the application's catalogue version. Its type is read from its content (`filetype`), never
from its name or the type the browser sent: only PDF, PNG and JPEG are taken. Its SHA-256 is recorded,
and it joins the criterion's evidence as {"id", "sha256", "size", "title"} in the same transaction, so
that the catalogue's verdict (a criterion needing documents) counts it.

Who sees what (the API and the pages apply it): the holder's members and site admins see the list
(name, type, size, SHA-256); only assessors and approvers read a document's content. Nothing of a document
goes into an event: the hub holds none.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from services.common import files
from services.common.clock import utcnow
from services.common.errors import Conflict, Forbidden, Invalid, NotFound, SoproError
from services.common.uow import UnitOfWork
from services.label import catalogues, model as m, store
from services.label.store import document

MEDIA_TYPES = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}

# The codes of the refusals of a file (services.common.files): a page says each in its language.
EMPTY, TOO_LARGE, WRONG_TYPE = files.EMPTY, files.TOO_LARGE, files.WRONG_TYPE


class Erased(SoproError):
    """The document's content was erased (a person's erasure request); its fingerprint stays."""
    status, code = 410, "erased"


@dataclass(frozen=True)
class Document:
    id: str
    application_id: str
    criterion_id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    erased: bool = False


def _document(row) -> Document:
    return Document(id=row.id, application_id=row.application_id, criterion_id=row.criterion_id,
                    filename=row.filename, media_type=row.media_type, size=row.size, sha256=row.sha256,
                    uploaded_by=row.uploaded_by, uploaded_at=row.uploaded_at, erased=bool(row.erased))


_METADATA = [c for c in document.c if c.name != "content"]


def _metadata_query():
    return select(*_METADATA, document.c.content.is_(None).label("erased"))


# --- checking a file ---------------------------------------------------------------------------------

def media_type_of(content: bytes, max_bytes: int) -> str:
    """The allowed media type the content is, or an Invalid naming the field `file` (code: why)."""
    return files.checked_type(content, max_bytes, MEDIA_TYPES, "PDF, PNG or JPEG")


def clean_filename(filename: str | None) -> str:
    """The file's own name (no folders), without control characters, at most 200 characters."""
    return files.clean_filename(filename)


# --- use cases ---------------------------------------------------------------------------------------

def _editable(app: m.Application, doing: str) -> None:
    if app.status not in m.EDITABLE:
        raise Conflict(f"cannot {doing} a document of an application that is {app.status}",
                       {"status": [f"is {app.status}; must be one of {list(m.EDITABLE)}"]}, code="illegal_state")


def _own(app: m.Application, acting_for: str | None) -> None:
    if acting_for is not None and acting_for != app.holder_organisation_id:
        raise Forbidden("a member may only act on its own organisation's applications")


def _with_documents(app: m.Application, criterion_id: str, change) -> dict:
    evidence = {cid: dict(item or {}) for cid, item in app.evidence.items()}
    item = evidence.setdefault(criterion_id, {})
    item["documents"] = change(list(item.get("documents") or []))
    return evidence


def upload(uow: UnitOfWork, application_id: str, criterion_id: str, filename: str | None, content: bytes,
           actor: str, acting_for: str | None, max_bytes: int) -> Document:
    """Keep the file for the criterion and add it to the criterion's evidence, in one transaction."""
    with uow:
        app = store.load_application(uow.conn, application_id, lock=True)
        _own(app, acting_for)
        _editable(app, "upload")
        catalogue = catalogues.version(uow.conn, app.catalogue_version)
        if catalogue.criterion(criterion_id) is None:
            raise Invalid(f"{criterion_id[:64]} is not a criterion of catalogue version {catalogue.version}",
                          {"criterion": [f"not a criterion of catalogue version {catalogue.version}"]})
        media_type = media_type_of(content, max_bytes)
        doc = Document(id=str(uuid.uuid4()), application_id=app.id, criterion_id=criterion_id,
                       filename=clean_filename(filename), media_type=media_type, size=len(content),
                       sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor, uploaded_at=utcnow())
        uow.conn.execute(insert(document).values(
            id=doc.id, application_id=doc.application_id, criterion_id=doc.criterion_id, filename=doc.filename,
            media_type=doc.media_type, size=doc.size, sha256=doc.sha256, content=content,
            uploaded_by=doc.uploaded_by, uploaded_at=doc.uploaded_at))
        entry = {"id": doc.id, "sha256": doc.sha256, "size": doc.size, "title": doc.filename}
        app.edit(catalogue, {"evidence": _with_documents(app, criterion_id, lambda docs: [*docs, entry])})
        store.save_application(uow.conn, app)
        store.audit_step(uow.conn, "application", app.id, "document uploaded", actor, details={
            "document_id": doc.id, "criterion": criterion_id, "sha256": doc.sha256, "size": doc.size,
            "media_type": media_type})
        uow.commit()
    return doc


def remove(uow: UnitOfWork, application_id: str, document_id: str, actor: str, acting_for: str | None) -> None:
    """Take a document back while the application is editable: its file and its place in the evidence."""
    with uow:
        app = store.load_application(uow.conn, application_id, lock=True)
        _own(app, acting_for)
        _editable(app, "remove")
        doc = _one(uow.conn, application_id, document_id)
        uow.conn.execute(delete(document).where(document.c.id == doc.id))
        evidence = _with_documents(app, doc.criterion_id, lambda docs: [d for d in docs if d.get("id") != doc.id])
        app.edit(catalogues.version(uow.conn, app.catalogue_version), {"evidence": evidence})
        store.save_application(uow.conn, app)
        store.audit_step(uow.conn, "application", app.id, "document removed", actor, details={
            "document_id": doc.id, "criterion": doc.criterion_id, "sha256": doc.sha256})
        uow.commit()


def _one(conn: Connection, application_id: str, document_id: str) -> Document:
    row = conn.execute(_metadata_query().where(document.c.id == str(document_id),
                                               document.c.application_id == str(application_id))).first()
    if row is None:
        raise NotFound(f"no document {document_id}", {"document": ["unknown"]})
    return _document(row)


def documents_of(engine, application_id: str, acting_for: str | None) -> list[Document]:
    """The application's documents (metadata only), in upload order; a member's own organisation's only."""
    with engine.connect() as conn:
        app = store.load_application(conn, application_id)
        _own(app, acting_for)
        rows = conn.execute(_metadata_query().where(document.c.application_id == app.id)
                            .order_by(document.c.uploaded_at, document.c.id)).all()
    return [_document(r) for r in rows]


def read(engine, application_id: str, document_id: str) -> tuple[Document, bytes]:
    """A document and its content, for assessors and approvers (the caller checks the role)."""
    with engine.connect() as conn:
        doc = _one(conn, application_id, document_id)
        content = conn.execute(select(document.c.content).where(document.c.id == doc.id)).scalar()
    if content is None:
        raise Erased("the document's content was erased; its fingerprint is kept", {"document": ["erased"]})
    return doc, bytes(content)
