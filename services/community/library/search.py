"""The library's listing: every published item (or, for the office, every item), filtered by kind, year and
language, and searched in the database's own full-text engine (services.common.fulltext) when a query
is given: best matches first, each with the languages whose text matched."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select

from services.common.db import Page, offset_of
from services.common.fulltext import best, query_terms
from services.community.library import store
from services.community.library.model import LibraryItem
from services.community.library.tables import INDEX, item, text
from services.contracts.events.community import PUBLISHED


@dataclass(frozen=True)
class Found:
    item: LibraryItem
    matched: tuple[str, ...]  # the languages whose text matched the query (none without a query)


def search(engine, q: str | None = None, kind: str | None = None, language: str | None = None,
           year: int | None = None, page: int = 1, per_page: int = 20, everything: bool = False) -> Page[Found]:
    """One page of the listing. `everything`: withdrawn items too (the office's list)."""
    terms = query_terms(q)
    query = select(item.c.id)
    if not everything:
        query = query.where(item.c.status == PUBLISHED)
    if kind:
        query = query.where(item.c.kind == kind)
    if year:
        query = query.where(item.c.year == year)
    if language:
        query = query.where(exists().where(text.c.item_id == item.c.id, text.c.language == language))
    with engine.connect() as conn:
        if terms:
            hits = INDEX.hits(conn, terms, (language,) if language else ("de", "hu", "en"))
            ranked = best(hits)
            query = query.join(ranked, ranked.c.owner_id == item.c.id).order_by(ranked.c.score.desc(),
                                                                               item.c.year.desc(), item.c.id)
        else:
            query = query.order_by(item.c.year.desc(), item.c.reference.desc())
        total = conn.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        ids = list(conn.scalars(query.limit(per_page).offset(offset_of(page, per_page))))
        items = store.load_many(conn, ids)
        matched: dict[str, set] = {i: set() for i in ids}
        if terms and ids:
            for owner, lang in conn.execute(select(hits.c.owner_id, hits.c.language)
                                            .where(hits.c.owner_id.in_(ids))):
                matched[owner].add(lang)
    found = [Found(items[i], tuple(lang for lang in ("de", "hu", "en") if lang in matched[i])) for i in ids]
    return Page(found, page, per_page, total)
