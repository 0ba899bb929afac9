"""The library's full-text search (issue 19) at a site on PostgreSQL, over 20,000 items with texts in de,
hu and en (5,000 in the quick run).

The items are inserted in bulk and indexed with the index's own `put` (this measures searching, not
publishing). One in 200 items is about "Beschäftigungsprojekte" (German) and "vállalkozásoknak"
(Hungarian); the others are filler from a small vocabulary.

Figures, each the median of rounds that alternate with the baseline:
- `library_search_de`: `search(engine, q="Beschäftigungsprojekten")`, the listing's first page with its
  total (the German stemmer finds "Beschäftigungsprojekte", the GIN index finds the rows);
- `library_search_hu`: the same for "vállalkozásokban" (the texts say "vállalkozásoknak").
Baseline: the query a site would run without full-text search, `lower(title || abstract || keywords) LIKE
'%<word>%'` over the texts with the same page and count; it finds fewer items (no other inflected forms),
which the note says.
"""
from __future__ import annotations

import random
import statistics
import uuid
from datetime import datetime, timezone

from sqlalchemy import func, insert, or_, select
from sqlalchemy import text as sql

from bench.common import BenchEnv, Result, SITE, alternating_rounds, run_alone
from services.bootstrap import bootstrap
from services.common.config import load_settings

NAME = "library"
FILLER = {"de": "Werkstatt Nachhaltigkeit Region Beratung Auftrag Qualität Wirkung Holz Textil Möbel".split(),
          "hu": "műhely fenntarthatóság régió tanácsadás megbízás minőség hatás fa textil bútor".split(),
          "en": "workshop sustainability region advice order quality impact wood textile furniture".split()}
TOPIC = {"de": "Beschäftigungsprojekte im Vergleich", "hu": "Szociális vállalkozásoknak szóló útmutató",
         "en": "Employment projects compared"}
# Inflected forms the texts do not contain as such: the stemmers find the topical items, a LIKE none.
QUERIES = {"library_search_de": ("de", "Beschäftigungsprojekten"), "library_search_hu": ("hu", "vállalkozásokban")}


def _texts(rng: random.Random, topical: bool) -> list[dict]:
    texts = []
    for position, language in enumerate(("de", "hu", "en")):
        words = rng.choices(FILLER[language], k=8)
        title = TOPIC[language] if topical else " ".join(words[:4]).capitalize()
        texts.append({"language": language, "position": position, "title": title,
                      "abstract": " ".join(rng.choices(FILLER[language], k=40)), "keywords": ", ".join(words[4:])})
    return texts


def fill(engine, n: int, seed: int = 19) -> int:
    from services.community.library.tables import INDEX, item, text

    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    topical = 0
    with engine.begin() as conn:
        items, texts = [], []
        for i in range(n):
            item_id = str(uuid.uuid4())
            about = i % 200 == 0
            topical += about
            items.append({"id": item_id, "reference": f"AT12-L-2026-{i + 1:05d}", "kind": "publication",
                          "year": 2000 + i % 26, "authors": [], "status": "published", "version": 1,
                          "created_by": "bench", "created_at": now, "updated_at": now})
            texts.extend({"item_id": item_id, **t} for t in _texts(rng, about))
        for start in range(0, n, 2000):
            conn.execute(insert(item), items[start:start + 2000])
        for start in range(0, len(texts), 6000):
            conn.execute(insert(text), texts[start:start + 6000])
        by_item: dict[str, list[dict]] = {}
        for t in texts:
            by_item.setdefault(t["item_id"], []).append(t)
        for item_id, given in by_item.items():
            INDEX.put(conn, item_id, given)
        conn.execute(sql("ANALYZE"))
    return topical


def like_search(engine, word: str, per_page: int = 20) -> tuple[int, list[str]]:
    """The baseline: a substring match over every text, the same page and count."""
    from services.community.library.tables import item, text

    pattern = f"%{word.casefold()}%"
    matching = select(text.c.item_id).where(or_(func.lower(text.c.title).like(pattern),
                                                func.lower(text.c.abstract).like(pattern),
                                                func.lower(text.c.keywords).like(pattern))).distinct()
    query = select(item.c.id).where(item.c.status == "published", item.c.id.in_(matching))
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(query.subquery()))
        ids = list(conn.scalars(query.order_by(item.c.year.desc(), item.c.id).limit(per_page)))
    return total, ids


def run(env: BenchEnv, quick: bool = False) -> list[Result]:
    from services.community.library.search import search

    n = 5_000 if quick else 20_000
    rounds = 5 if quick else 15
    settings = load_settings(SITE, env={}, federation=env.federation, db_url=env.schema_url("library"),
                             bus_url="memory://", key_file=env.root / "keys" / f"{SITE}.pem", var_dir=env.root,
                             rate_limit="100000/minute")
    runtime = bootstrap(settings)
    env.engines.append(runtime.engine)
    topical = fill(runtime.engine, n)
    results = []
    for name, (language, word) in QUERIES.items():
        found = search(runtime.engine, q=word)
        liked, _ = like_search(runtime.engine, word)
        if found.total != topical:
            raise RuntimeError(f"{name}: the search found {found.total} items, {topical} are about it")
        subject, base = alternating_rounds(rounds, lambda: search(runtime.engine, q=word),
                                lambda: like_search(runtime.engine, word))
        subject_ms, base_ms = statistics.median(subject) * 1000, statistics.median(base) * 1000
        results.append(Result(
            name, f"full-text search '{word}' ({language}), {n:,} items, first page + count", "ms", subject_ms,
            "LIKE '%word%' over the texts, same page + count", base_ms, higher_is_better=False,
            note=f"full text finds {found.total} items, the LIKE {liked}"))
    return results


if __name__ == "__main__":
    run_alone(run)
