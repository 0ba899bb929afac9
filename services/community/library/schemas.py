"""The library's request and response schemas. An item's form is flat, so that the API's multipart body and
the page's form are the same fields: `kind`, `year`, `authors` (one per line), `title_<lang>`,
`abstract_<lang>`, `keywords_<lang>` for de, hu and en (at least one title), `document_language`, `file`.
Unknown fields are refused (422). In a PATCH, sending any text field replaces all the texts."""
from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import validate

from services.common.api import page_schema
from services.common.fields import storable
from services.contracts.events.community import (
    ITEM_KINDS, ITEM_STATUSES, KEYWORDS_MAX, LANGUAGE, LANGUAGES, SUMMARY_MAX, TITLE_MAX,
)

TEXT_FIELDS = {"title": TITLE_MAX, "abstract": SUMMARY_MAX, "keywords": KEYWORDS_MAX}
AUTHORS_MAX = 20


def _authors(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class LibraryItemForm(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    kind = ma.fields.String(required=True, validate=validate.OneOf(ITEM_KINDS))
    year = ma.fields.Integer(required=True, validate=validate.Range(min=1900, max=2100))
    authors = ma.fields.String(load_default="", validate=[validate.Length(max=2000), storable],
                               metadata={"description": "one name per line; kept at the site, never sent"})
    document_language = ma.fields.String(load_default=None, validate=LANGUAGE)
    file = Upload(metadata={"description": "the document: a PDF (checked by its content)"})
    locals().update({f"{name}_{lang}": ma.fields.String(validate=[validate.Length(max=most), storable])
                     for lang in LANGUAGES for name, most in TEXT_FIELDS.items()})

    @ma.validates_schema
    def _texts(self, data, partial=None, **kwargs):
        errors = {}
        given = [k for k in data if k.split("_")[0] in TEXT_FIELDS]
        if partial and not given:
            return
        if len(_authors(data.get("authors") or "")) > AUTHORS_MAX:
            errors["authors"] = [f"at most {AUTHORS_MAX} authors"]
        titled = [lang for lang in LANGUAGES if (data.get(f"title_{lang}") or "").strip()]
        for lang in LANGUAGES:
            if lang not in titled and any((data.get(f"{n}_{lang}") or "").strip() for n in ("abstract", "keywords")):
                errors[f"title_{lang}"] = ["a title is needed for a text in this language"]
        if not titled:
            errors.setdefault(f"title_{LANGUAGES[0]}", ["at least one title, in de, hu or en"])
        if errors:
            raise ma.ValidationError(errors)

    @ma.post_load
    def _shape(self, data, **kwargs):
        out = {k: data[k] for k in ("kind", "year", "document_language") if k in data}
        if "authors" in data:
            out["authors"] = _authors(data["authors"])
        if any(k.split("_")[0] in TEXT_FIELDS for k in data):
            out["texts"] = [{"language": lang, **{n: (data.get(f"{n}_{lang}") or "").strip() for n in TEXT_FIELDS}}
                            for lang in LANGUAGES if (data.get(f"title_{lang}") or "").strip()]
        if data.get("file") is not None:
            out["file"] = data["file"]
        return out


class TextSchema(ma.Schema):
    language = ma.fields.String()
    title = ma.fields.String()
    abstract = ma.fields.String()
    keywords = ma.fields.String()


class DocumentSchema(ma.Schema):
    media_type = ma.fields.String()
    size = ma.fields.Integer()
    sha256 = ma.fields.String()
    language = ma.fields.String()
    filename = ma.fields.String()


class LibraryItemSchema(ma.Schema):
    id = ma.fields.String()
    reference = ma.fields.String()
    kind = ma.fields.String()
    year = ma.fields.Integer()
    authors = ma.fields.List(ma.fields.String())
    texts = ma.fields.List(ma.fields.Nested(TextSchema))
    document = ma.fields.Nested(DocumentSchema, allow_none=True)
    status = ma.fields.String(validate=validate.OneOf(ITEM_STATUSES))
    version = ma.fields.Integer()
    matched = ma.fields.List(ma.fields.String(), metadata={"description": "the languages whose text matched q"})


LibraryItemPage = page_schema(LibraryItemSchema, "LibraryItemPage")


class LibraryItemPatch(LibraryItemForm):
    """The fields of an item to change (each optional)."""

    def __init__(self, **kwargs):
        super().__init__(partial=True, **kwargs)
