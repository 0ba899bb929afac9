"""The network library's listing: every site's published items, filtered by site, kind, year and language,
and searched in each text's own language (services.common.fulltext), best matches first."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from services.common.db import Page, containing, offset_of
from services.common.fulltext import best, query_terms
from services.contracts.events.community import PUBLISHED
from services.hub.library.store import INDEX, hub_library_item as t


@dataclass(frozen=True)
class NetworkItem:
    site: str
    id: str
    reference: str
    kind: str
    year: int
    texts: list
    document: dict | None
    matched: tuple[str, ...]

    def text_in(self, language: str) -> dict:
        return next((x for x in self.texts if x["language"] == language), self.texts[0])


def _item(row, matched) -> NetworkItem:
    doc = None
    if row.document_sha256:
        doc = {"media_type": row.document_media_type, "size": row.document_size, "sha256": row.document_sha256,
               "language": row.document_language}
    return NetworkItem(row.site, row.id, row.reference, row.kind, row.year, list(row.texts), doc, matched)


def search(engine, q=None, site=None, kind=None, language=None, year=None, page=1, per_page=20) -> Page[NetworkItem]:
    terms = query_terms(q)
    query = select(t).where(t.c.status == PUBLISHED)
    for column, value in ((t.c.site, site), (t.c.kind, kind), (t.c.year, year)):
        if value:
            query = query.where(column == value)
    if language:
        query = query.where(containing(t.c.languages, language))
    with engine.connect() as conn:
        if terms:
            hits = INDEX.hits(conn, terms, (language,) if language else ("de", "hu", "en"))
            ranked = best(hits)
            query = query.join(ranked, ranked.c.owner_id == t.c.search_key).order_by(
                ranked.c.score.desc(), t.c.year.desc(), t.c.search_key)
        else:
            query = query.order_by(t.c.year.desc(), t.c.site, t.c.reference)
        total = conn.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        found = conn.execute(query.limit(per_page).offset(offset_of(page, per_page))).all()
        matched: dict[str, set] = {r.search_key: set() for r in found}
        if terms and found:
            for owner, lang in conn.execute(select(hits.c.owner_id, hits.c.language)
                                            .where(hits.c.owner_id.in_(list(matched)))):
                matched[owner].add(lang)
    items = [_item(r, tuple(x for x in ("de", "hu", "en") if x in matched[r.search_key])) for r in found]
    return Page(items, page, per_page, total)
