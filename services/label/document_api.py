"""HTTP API of evidence documents: /api/v1/label-applications/<id>/documents.

Access (default deny):
- member (its own organisation's applications) and site_admin: upload (multipart: `criterion`, `file`) and
  remove a document while the application is a draft or returned (409 otherwise); list the documents.
- assessor and approver: list the documents, and download one. Nobody else reads a document's content
  (403 for members, brokers and site admins).

A file's type is read from its content (PDF, PNG, JPEG); a wrong type under an allowed name, an empty
file and one over the network's limit (`label.document_max_bytes`) are each a 422 naming `file`. This
route alone reads a body that large (services/common/body_limit.py); the rest of the app keeps 1 MiB.
"""
from __future__ import annotations

import io

import marshmallow as ma
from flask import send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from services.common.auth import acting_for, current_principal, roles
from services.common.body_limit import allows_body
from services.common.runtime import current_runtime
from services.contracts.label_policy import LabelPolicy
from services.label import documents
from services.label.schemas import CRITERION_ID, Strict



class MultipartParser(FlaskParser):
    """A multipart form's fields and files as one body (webargs reads them apart, and flask-smorest would
    document only one of them as the request body)."""

    def load_form(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class DocumentBlueprint(Blueprint):
    ARGUMENTS_PARSER = MultipartParser()


blp = DocumentBlueprint("label_documents", __name__, url_prefix="/api/v1",
                        description="Evidence documents of label applications")

UPLOADERS = ("member", "site_admin")
READERS = ("assessor", "approver")  # the only ones who read a document's content
ENVELOPE = 1024 * 1024  # the multipart body around the file: its headers and the other fields


def max_document_bytes() -> int:
    return LabelPolicy.of(current_runtime().settings.federation).document_max_bytes


def max_body_bytes() -> int:
    """A body holding a document of the limit fits, so that a larger document is told apart by its size."""
    return max_document_bytes() + ENVELOPE


class DocumentUploadSchema(Strict):
    criterion = ma.fields.String(required=True, validate=CRITERION_ID,
                                 metadata={"description": "the criterion the document is evidence for"})
    file = Upload(required=True, metadata={"description": "a PDF, PNG or JPEG file (checked by its content)"})


class LabelDocumentMetadataSchema(ma.Schema):
    id = ma.fields.String()
    application_id = ma.fields.String()
    criterion_id = ma.fields.String()
    filename = ma.fields.String()
    media_type = ma.fields.String()
    size = ma.fields.Integer()
    sha256 = ma.fields.String()
    uploaded_by = ma.fields.String()
    uploaded_at = ma.fields.DateTime()
    erased = ma.fields.Boolean(metadata={"description": "the content was erased; the fingerprint stays"})


def attachment(doc: documents.Document, content: bytes):
    """The document as a download: its stored type (read from its content), never shown inline."""
    response = send_file(io.BytesIO(content), mimetype=doc.media_type, as_attachment=True,
                         download_name=doc.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/label-applications/<uuid:application_id>/documents")
class Documents(MethodView):
    @roles(*UPLOADERS, *READERS)
    @blp.response(200, LabelDocumentMetadataSchema(many=True))
    def get(self, application_id):
        """The application's documents: name, type, size, SHA-256 (never the content)."""
        return documents.documents_of(current_runtime().engine, str(application_id), acting_for((
            "site_admin", *READERS)))

    @roles(*UPLOADERS)
    @allows_body(max_body_bytes)
    @blp.arguments(DocumentUploadSchema, location="form", content_type="multipart/form-data")
    @blp.response(201, LabelDocumentMetadataSchema)
    def post(self, form, application_id):
        """Upload a document for a criterion of a draft (or returned) application."""
        upload = form["file"]
        return documents.upload(current_runtime().uow(), str(application_id), form["criterion"], upload.filename,
                                upload.read(), current_principal().subject, acting_for(("site_admin",)),
                                max_document_bytes())


@blp.route("/label-applications/<uuid:application_id>/documents/<uuid:document_id>")
class DocumentById(MethodView):
    @roles(*READERS)
    @blp.response(200, description="the document's content, as an attachment of its stored type")
    def get(self, application_id, document_id):
        """Download a document (assessors and approvers only)."""
        return attachment(*documents.read(current_runtime().engine, str(application_id), str(document_id)))

    @roles(*UPLOADERS)
    @blp.response(204)
    def delete(self, application_id, document_id):
        """Remove a document of a draft (or returned) application, from its criterion's evidence too."""
        documents.remove(current_runtime().uow(), str(application_id), str(document_id),
                         current_principal().subject, acting_for(("site_admin",)))
