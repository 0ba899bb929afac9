"""The library's use cases: publish, update and withdraw an item, each in one transaction with its event in
the outbox; read one, and its document."""
from __future__ import annotations

import uuid

from services.common.errors import NotFound
from services.common.uow import UnitOfWork
from services.community.library import documents, store
from services.community.library.model import LibraryItem, ordered_texts
from services.contracts.events.community import PUBLISHED


def _document(upload: tuple[str | None, bytes] | None, language: str, max_bytes: int):
    """(metadata, content) of an uploaded PDF, checked; (None, None) when none was sent."""
    if upload is None:
        return None, None
    filename, content = upload
    meta = documents.checked(content, max_bytes)
    return {**meta, "language": language, "filename": documents.clean_filename(filename)}, content


def publish(uow: UnitOfWork, data: dict, upload, actor: str, max_bytes: int) -> LibraryItem:
    """`data`: kind, year, authors, texts, document_language. `upload`: (filename, bytes) or None."""
    texts = ordered_texts(data["texts"])
    doc, content = _document(upload, data.get("document_language") or texts[0]["language"], max_bytes)
    with uow:
        item = LibraryItem.publish(id=str(uuid.uuid4()), reference=store.next_reference(uow.conn, uow.site_id,
                                                                                        data["year"]),
                                   kind=data["kind"], year=data["year"], authors=data.get("authors") or [],
                                   texts=texts, document=doc)
        store.save(uow.conn, item, None, actor, content)
        uow.record(item)
        uow.commit()
    return item


def update(uow: UnitOfWork, item_id: str, changes: dict, upload, actor: str, max_bytes: int) -> LibraryItem:
    """Change what `changes` names (kind, year, authors, texts, document_language) and the document if one
    was sent; one event with the snapshot after the change."""
    with uow:
        item = store.load(uow.conn, item_id)
        loaded = item.version
        fields = {k: changes[k] for k in ("kind", "year", "authors") if k in changes}
        if "texts" in changes:
            fields["texts"] = ordered_texts(changes["texts"])
        language = changes.get("document_language") or (item.document or {}).get("language") \
            or (fields.get("texts") or item.texts)[0]["language"]
        doc, content = _document(upload, language, max_bytes)
        if doc is not None:
            fields["document"] = doc
        elif item.document and "document_language" in changes:
            fields["document"] = {**item.document, "language": language}
        item.update(fields)
        store.save(uow.conn, item, loaded, actor, content)
        uow.record(item)
        uow.commit()
    return item


def withdraw(uow: UnitOfWork, item_id: str, actor: str) -> LibraryItem:
    with uow:
        item = store.load(uow.conn, item_id)
        loaded = item.version
        item.withdraw()
        store.save(uow.conn, item, loaded, actor)
        uow.record(item)
        uow.commit()
    return item


def get(engine, item_id: str, public: bool = True) -> LibraryItem:
    """An item; to the public only a published one (a withdrawn item is unknown to them)."""
    with engine.connect() as conn:
        item = store.load(conn, item_id)
    if public and item.status != PUBLISHED:
        raise NotFound(f"no library item {item_id}", {"item": ["unknown"]})
    return item


def read_document(engine, item_id: str) -> tuple[LibraryItem, bytes]:
    """A published item's document (anyone may download it)."""
    item = get(engine, item_id)
    with engine.connect() as conn:
        content = store.content_of(conn, item.id)
    if content is None or not item.document:
        raise NotFound(f"library item {item_id} has no document", {"document": ["none"]})
    return item, content
