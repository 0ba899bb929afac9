"""Loading and saving library items: the item row, its texts, its document's bytes and its full-text rows,
in the caller's transaction (optimistic: a save names the version it loaded)."""
from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select, update

from services.common.clock import utcnow
from services.common.db import next_in_counter
from services.common.errors import Conflict, NotFound
from services.community.library.model import LibraryItem
from services.community.library.tables import INDEX, counter, document, item, text

DOCUMENT_COLUMNS = ("media_type", "size", "sha256", "language", "filename")


def next_reference(conn: Connection, site_id: str, year: int) -> str:
    return f"{site_id}-L-{year}-{next_in_counter(conn, counter, year=year):04d}"


def _texts(conn: Connection, ids: list[str]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {i: [] for i in ids}
    rows = conn.execute(select(text).where(text.c.item_id.in_(ids)).order_by(text.c.item_id, text.c.position)).all()
    for r in rows:
        found[r.item_id].append({"language": r.language, "title": r.title, "abstract": r.abstract,
                                 "keywords": r.keywords})
    return found


def _item(row, texts: list[dict]) -> LibraryItem:
    doc = None
    if row.document_sha256:
        doc = {name: getattr(row, f"document_{name}") for name in DOCUMENT_COLUMNS}
    return LibraryItem(id=row.id, reference=row.reference, kind=row.kind, year=row.year, authors=list(row.authors),
                       texts=texts, document=doc, status=row.status, version=row.version)


def load_many(conn: Connection, ids: list[str]) -> dict[str, LibraryItem]:
    rows = conn.execute(select(item).where(item.c.id.in_(ids))).all()
    texts = _texts(conn, [r.id for r in rows])
    return {r.id: _item(r, texts[r.id]) for r in rows}


def load(conn: Connection, item_id: str) -> LibraryItem:
    found = load_many(conn, [str(item_id)]).get(str(item_id))
    if found is None:
        raise NotFound(f"no library item {item_id}", {"item": ["unknown"]})
    return found


def _columns(it: LibraryItem) -> dict:
    doc = it.document or {}
    return {"reference": it.reference, "kind": it.kind, "year": it.year, "authors": list(it.authors),
            "status": it.status, "version": it.version, "updated_at": utcnow(),
            **{f"document_{name}": doc.get(name) for name in DOCUMENT_COLUMNS}}


def save(conn: Connection, it: LibraryItem, loaded_version: int | None, actor: str,
         content: bytes | None = None) -> None:
    """Insert (loaded_version None) or update the item, replace its texts and index rows, and its document's
    bytes when `content` is given."""
    if loaded_version is None:
        conn.execute(insert(item).values(id=it.id, created_by=actor, created_at=utcnow(), **_columns(it)))
    else:
        done = conn.execute(update(item).where(item.c.id == it.id, item.c.version == loaded_version)
                            .values(**_columns(it))).rowcount
        if done != 1:
            raise Conflict("the item was changed meanwhile; load it again", {"version": ["stale"]}, code="stale")
    conn.execute(delete(text).where(text.c.item_id == it.id))
    conn.execute(insert(text), [{"item_id": it.id, "position": n, **t} for n, t in enumerate(it.texts)])
    if content is not None:
        conn.execute(delete(document).where(document.c.item_id == it.id))
        conn.execute(insert(document).values(item_id=it.id, content=content))
    if it.status == "published":
        INDEX.put(conn, it.id, it.texts)
    else:
        INDEX.remove(conn, it.id)


def content_of(conn: Connection, item_id: str) -> bytes | None:
    found = conn.execute(select(document.c.content).where(document.c.item_id == str(item_id))).scalar()
    return bytes(found) if found is not None else None
