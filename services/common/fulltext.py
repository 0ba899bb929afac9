"""Full-text search in the database's own engine, in the language of each text (de, hu, en).

An index is a side table `<name>_fts` with one row per (owner, language): the owner's text in that
language, in weighted fields (e.g. title, keywords, abstract). What owns a row is the caller's key
(`owner_id`, a string: an item's id at a site, "<site>/<id>" at the hub). A query is matched against each
language's texts with that language's stemming, so "Arbeitsmärkte" finds "Arbeitsmarkt" in a German text
and "vállalkozásoknak" finds "vállalkozás" in a Hungarian one, which a LIKE never does.

- PostgreSQL: a `tsvector` per row, `to_tsvector('german' | 'hungarian' | 'english', field)` weighted
  A, B, C..., a GIN index, `plainto_tsquery` in the row's language and `ts_rank`.
- SQLite (the embedded mode): an FTS5 virtual table; the words are stemmed here with `snowballstemmer`,
  the same Snowball stemmers PostgreSQL's configurations use, both when indexing and when querying, and
  `bm25` ranks.

A query is only ever words: it is cut into letters-and-digits tokens here, so nothing a user types
(quotes, parentheses, `*`, `NEAR`, `'); DROP`, NUL) reaches either engine as syntax; on SQLite each token is
a quoted FTS5 string. All words must match (AND). A query longer than `MAX_QUERY_CHARS` is refused as
an `Invalid` naming `q` (a 422). PostgreSQL drops its stopwords from a query and SQLite does not, so a query
made only of stopwords finds nothing on PostgreSQL.

The side tables are derived data: not in any component's metadata, created by hand-written DDL in the
owner's migration (`create_statements`), skipped by backups (`derived_table`) and rebuilt from their
owners' rows (`put` for each: a component's `reindex` after a restore).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import snowballstemmer
from sqlalchemy import Connection, Float, String, bindparam, column, func, select, text

from services.common.db import is_postgres
from services.common.errors import Invalid

# The language codes the platform writes in, and the PostgreSQL configuration and Snowball stemmer of each.
CONFIGS = {"de": "german", "hu": "hungarian", "en": "english"}
MAX_QUERY_CHARS = 200
MAX_TERMS = 16
WEIGHTS = "ABCD"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,50}_fts$")
_WORD = re.compile(r"[^\W_]+")
_STEMMERS: dict[str, object] = {}


def derived_table(name: str) -> bool:
    """A full-text index table (or one of SQLite FTS5's shadow tables): derived, declared by no component."""
    return name.endswith("_fts") or "_fts_" in name


def words(value: str | None) -> list[str]:
    """The words of a text: runs of letters and digits, NFC-normalised and case-folded."""
    return _WORD.findall(unicodedata.normalize("NFC", value or "").casefold())


def stem(language: str, word: str) -> str:
    stemmer = _STEMMERS.get(language)
    if stemmer is None:
        stemmer = _STEMMERS[language] = snowballstemmer.stemmer(CONFIGS[language])
    return stemmer.stemWord(word)


def stemmed(language: str, value: str | None) -> str:
    """The text as its stems, in its language (what SQLite's index holds)."""
    return " ".join(stem(language, w) for w in words(value))


def query_terms(q: str | None, field: str = "q") -> list[str]:
    """The words to search for (at most MAX_TERMS, each once); an over-long query is refused (422)."""
    q = q or ""
    if len(q) > MAX_QUERY_CHARS:
        raise Invalid(f"the search is longer than {MAX_QUERY_CHARS} characters",
                      {field: [f"at most {MAX_QUERY_CHARS} characters"]}, code="query_too_long")
    terms: list[str] = []
    for word in words(q):
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def _fts5_string(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


@dataclass(frozen=True)
class Index:
    """The full-text index `name` (ending in `_fts`) over `fields`, weighted in that order."""

    name: str
    fields: tuple[str, ...] = ("title", "keywords", "abstract")

    def __post_init__(self):
        if not _NAME.match(self.name) or len(self.fields) > len(WEIGHTS):
            raise ValueError(f"not a full-text index name or too many fields: {self.name}")
        if not all(re.match(r"^[a-z][a-z0-9_]*$", f) for f in self.fields):
            raise ValueError(f"not field names: {self.fields}")

    # --- the table (for migrations) ------------------------------------------------------------------

    def create_statements(self, dialect: str) -> list[str]:
        if dialect == "postgresql":
            return [f"CREATE TABLE {self.name} (owner_id VARCHAR(80) NOT NULL, language VARCHAR(2) NOT NULL, "
                    f"document TSVECTOR NOT NULL, CONSTRAINT pk_{self.name} PRIMARY KEY (owner_id, language))",
                    f"CREATE INDEX ix_{self.name}_document ON {self.name} USING GIN (document)"]
        if dialect == "sqlite":
            columns = ", ".join(self.fields)
            return [f"CREATE VIRTUAL TABLE {self.name} USING fts5(owner_id UNINDEXED, language UNINDEXED, "
                    f"{columns}, tokenize = 'unicode61 remove_diacritics 0')"]
        raise ValueError(f"no full-text search on {dialect}")

    def drop_statements(self, dialect: str) -> list[str]:
        return [f"DROP TABLE IF EXISTS {self.name}"]

    # --- writing ---------------------------------------------------------------------------------------

    def clear(self, conn: Connection) -> None:
        conn.execute(text(f"DELETE FROM {self.name}"))

    def remove(self, conn: Connection, owner_id: str) -> None:
        conn.execute(text(f"DELETE FROM {self.name} WHERE owner_id = :owner"), {"owner": owner_id})

    def put(self, conn: Connection, owner_id: str, texts: list[dict]) -> None:
        """Make the owner's rows exactly `texts` ({"language", field: value...}, one per language)."""
        self.remove(conn, owner_id)
        for entry in texts:
            language = entry["language"]
            if language not in CONFIGS:
                continue
            values = {f"f{i}": entry.get(f) or "" for i, f in enumerate(self.fields)}
            params = {"owner": owner_id, "language": language, **values}
            if is_postgres(conn):
                config = CONFIGS[language]
                document = " || ".join(f"setweight(to_tsvector('{config}', :f{i}), '{WEIGHTS[i]}')"
                                       for i in range(len(self.fields)))
                conn.execute(text(f"INSERT INTO {self.name} (owner_id, language, document) "
                                  f"VALUES (:owner, :language, {document})"), params)
            else:
                stems = {k: stemmed(language, v) for k, v in values.items()}
                placeholders = ", ".join(f":f{i}" for i in range(len(self.fields)))
                conn.execute(text(f"INSERT INTO {self.name} (owner_id, language, {', '.join(self.fields)}) "
                                  f"VALUES (:owner, :language, {placeholders})"), {**params, **stems})

    # --- searching -------------------------------------------------------------------------------------

    def hits(self, conn: Connection, terms: list[str], languages=tuple(CONFIGS)):
        """A subquery of (owner_id, language, score) for every text matching all `terms` in its own
        language; a higher score is a better match. `terms` come from `query_terms` (never empty)."""
        if not terms:
            raise ValueError("no terms to search for")
        parts, params = [], {}
        for n, language in enumerate(lang for lang in CONFIGS if lang in languages):
            if is_postgres(conn):
                query = f"plainto_tsquery('{CONFIGS[language]}', :q)"
                parts.append(f"SELECT owner_id, language, CAST(ts_rank(document, {query}) AS FLOAT) AS score "
                             f"FROM {self.name} WHERE language = '{language}' AND document @@ {query}")
                params["q"] = " ".join(terms)
            else:
                weights = ", ".join(["0.0", "0.0"] + [str(float(len(self.fields) - i) * 2) for i in
                                                      range(len(self.fields))])
                parts.append(f"SELECT owner_id, language, -bm25({self.name}, {weights}) AS score "
                             f"FROM {self.name} WHERE {self.name} MATCH :m{n} AND language = '{language}'")
                params[f"m{n}"] = " ".join(_fts5_string(stem(language, t)) for t in terms)
        statement = text(" UNION ALL ".join(parts)).bindparams(
            *[bindparam(k, value=v, type_=String) for k, v in params.items()])
        return statement.columns(column("owner_id", String), column("language", String),
                                 column("score", Float)).subquery(f"{self.name}_hits")


def best(hits):
    """Per owner: (owner_id, best score): what a listing joins and orders by."""
    return select(hits.c.owner_id, func.max(hits.c.score).label("score")).group_by(hits.c.owner_id).subquery()

