"""HTTP API of the library: /api/v1/library-items.

- anyone: search the published items (`q` in each text's own language, `kind`, `language`, `year`, paged;
  each with the languages that matched), read one, download its document;
- brokers and site admins: publish one (multipart: the form's fields and `file`, a PDF), change one
  (PATCH, multipart, only the fields sent), withdraw one (409 if it is withdrawn already).
A document is checked by its content: empty, larger than the site's limit or no PDF is a 422 naming `file`;
only these routes read a body that large (services/common/body_limit.py).
"""
from __future__ import annotations

import io

from flask import current_app, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from services.common.auth import current_principal, public, roles
from services.common.body_limit import allows_body
from services.common.runtime import current_runtime
from services.community.library import documents, handlers, search
from services.community.library.schemas import LibraryItemForm, LibraryItemPage, LibraryItemPatch, LibraryItemSchema
from services.contracts.library import LibraryQuery

EDITORS = ("broker", "site_admin")
ENVELOPE = 1024 * 1024  # the multipart body around the file: the other fields and the headers


class MultipartParser(FlaskParser):
    """A multipart form's fields and files as one body."""

    def load_form(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class LibraryBlueprint(Blueprint):
    ARGUMENTS_PARSER = MultipartParser()


blp = LibraryBlueprint("community_library", __name__, url_prefix="/api/v1",
                       description="The library: publications, theses, training modules, handbooks, reports")


def max_document_bytes() -> int:
    """The site's limit of a document (app config `LIBRARY_DOCUMENT_MAX_BYTES`, 20 MiB unless set)."""
    return int(current_app.config.get("LIBRARY_DOCUMENT_MAX_BYTES", documents.DEFAULT_MAX_BYTES))


def max_body_bytes() -> int:
    return max_document_bytes() + ENVELOPE


def upload_of(form: dict):
    """(filename, bytes) of the form's file, or None when none was sent (an empty file is refused later)."""
    upload = form.pop("file", None)
    return None if upload is None else (upload.filename, upload.read())


def present(found) -> dict:
    item, matched = (found.item, found.matched) if isinstance(found, search.Found) else (found, ())
    return {**item.__dict__, "matched": list(matched)}


@blp.route("/library-items")
class LibraryItems(MethodView):
    @public
    @blp.arguments(LibraryQuery, location="query")
    @blp.response(200, LibraryItemPage)
    def get(self, query):
        """Search the published items."""
        return search.search(current_runtime().engine, query["q"], query["kind"], query["language"], query["year"],
                             query["page"], query["per_page"]).as_dict(present)

    @roles(*EDITORS)
    @allows_body(max_body_bytes)
    @blp.arguments(LibraryItemForm, location="form", content_type="multipart/form-data")
    @blp.response(201, LibraryItemSchema)
    def post(self, form):
        """Publish an item (and its PDF)."""
        upload = upload_of(form)
        return present(handlers.publish(current_runtime().uow(), form, upload, current_principal().subject,
                                        max_document_bytes()))


@blp.route("/library-items/<uuid:item_id>")
class LibraryItemById(MethodView):
    @public
    @blp.response(200, LibraryItemSchema)
    def get(self, item_id):
        """A published item."""
        return present(handlers.get(current_runtime().engine, str(item_id)))

    @roles(*EDITORS)
    @allows_body(max_body_bytes)
    @blp.arguments(LibraryItemPatch, location="form", content_type="multipart/form-data")
    @blp.response(200, LibraryItemSchema)
    def patch(self, form, item_id):
        """Change an item: the fields sent (any text field replaces all texts), and its PDF if one is sent."""
        upload = upload_of(form)
        return present(handlers.update(current_runtime().uow(), str(item_id), form, upload,
                                       current_principal().subject, max_document_bytes()))


@blp.route("/library-items/<uuid:item_id>/withdraw")
class LibraryItemWithdrawal(MethodView):
    @roles(*EDITORS)
    @blp.response(200, LibraryItemSchema)
    def post(self, item_id):
        """Take an item out of the library (at the site and, by its event, at the hub)."""
        return present(handlers.withdraw(current_runtime().uow(), str(item_id), current_principal().subject))


@blp.route("/library-items/<uuid:item_id>/document")
class LibraryItemDocument(MethodView):
    @public
    @blp.response(200, description="the PDF, as an attachment")
    def get(self, item_id):
        """Download a published item's document."""
        return attachment(*handlers.read_document(current_runtime().engine, str(item_id)))


def attachment(item, content: bytes):
    response = send_file(io.BytesIO(content), mimetype=item.document["media_type"], as_attachment=True,
                         download_name=item.document.get("filename") or f"{item.reference}.pdf", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
