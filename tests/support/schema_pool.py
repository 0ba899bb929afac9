"""Migrated PostgreSQL schemas used again: a schema a test has finished with is emptied and kept for the next
test that needs the same components, instead of being dropped while the next one migrates a new schema.

Migrating a site's schema costs ~0.4 s (its 74 tables with their indexes, functions and triggers, through
Alembic), and a suite makes hundreds; emptying one and renaming it costs 10-23 ms.

- `pg_schemas` (tests/support/databases.py) makes every test schema through `SCHEMAS.create` and gives it
  back through `SCHEMAS.give_back`. tests/support/migrated.py's `prepare` migrates a test's fresh schema
  for real the first time a process meets a set of components (`learn`), and from then on swaps it for a
  kept one of the same set (`take`): it drops the empty schema and renames the kept one to its name, so
  the test's URL (its search_path) is unchanged.
- A schema is kept only if its structure is exactly what the migrations of a learnt set make (its
  `fingerprint`: tables, columns, defaults, indexes, constraints, functions, triggers, types and the
  Alembic revisions, with the schema's own name taken out), so a test that altered or half-migrated its
  schema has it dropped as before. Sets whose migrations write rows other than their revisions are never
  kept: emptying would lose those rows.
- Emptying deletes every row with triggers and foreign-key checks off (`session_replication_role`, which
  needs the tests' superuser) and restarts every sequence: what the next test finds is what a fresh
  migration leaves (tests/integration/test_migrated_test_databases.py compares the two). If it cannot (a lock held
  past `lock_timeout`, a missing right), the schema is dropped.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from tests.support.services import PG_ADDRESS, PG_CONNINFO, need

# Everything a migration decides about a schema, one text per object, with the schema's name replaced so
# that two schemas migrated alike give the same texts (index and trigger definitions name their schema).
_STRUCTURE = """
WITH n AS (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
SELECT replace(part, %(schema)s, '~') FROM (
    SELECT 'relation ' || c.relname || ' ' || c.relkind::text || c.relpersistence::text FROM pg_class c
     WHERE c.relnamespace = (SELECT oid FROM n)
    UNION ALL
    SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' '
           || a.attnotnull || ' ' || a.attidentity::text || ' ' || a.attgenerated::text || ' '
           || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE c.relnamespace = (SELECT oid FROM n) AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE c.relnamespace = (SELECT oid FROM n)
    UNION ALL
    SELECT 'constraint ' || c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid)
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = (SELECT oid FROM n)
    UNION ALL
    SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || md5(p.prosrc)
      FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM n)
    UNION ALL
    SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE c.relnamespace = (SELECT oid FROM n) AND NOT t.tgisinternal
    UNION ALL
    SELECT 'type ' || t.typname || ' ' || t.typtype::text || ' '
           || coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e
                         WHERE e.enumtypid = t.oid), '')
      FROM pg_type t WHERE t.typnamespace = (SELECT oid FROM n) AND t.typtype IN ('e', 'd')
) parts(part)
"""

_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename"
_SEQUENCES = "SELECT sequencename FROM pg_sequences WHERE schemaname = %s ORDER BY sequencename"
_VERSIONS = "alembic_version"


@dataclass
class Kind:
    """The schemas one set of components' migrations make: their structure, tables and sequences."""

    fingerprint: tuple[str, ...]
    tables: list[str]
    sequences: list[str]
    kept: list[str] = field(default_factory=list)  # emptied schemas waiting for a test, under pool names


class SchemaPool:
    """A process's test schemas in the `test` database: made, handed out, kept or dropped."""

    def __init__(self):
        self._connection: psycopg.Connection | None = None
        self._kinds: dict[tuple[str, ...], Kind | None] = {}  # component names -> their kind (None: never kept)

    @property
    def connection(self) -> psycopg.Connection:
        if self._connection is None or self._connection.closed or self._connection.broken:
            self._connection = psycopg.connect(PG_CONNINFO, autocommit=True)
        return self._connection

    def create(self, prefix: str, label: str) -> str:
        """A new empty schema; its name."""
        need("PostgreSQL", *PG_ADDRESS)
        schema = f"{prefix}_{label.lower()}_{uuid.uuid4().hex[:10]}"
        self.connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        return schema

    def take(self, schema: str, components: tuple[str, ...]) -> bool:
        """Swap the empty `schema` for a kept one migrated for `components`; False if there is none."""
        kind = self._kinds.get(components)
        if kind is None or not kind.kept or self.tables(schema):
            return False
        kept = kind.kept.pop()
        with self.connection.transaction():
            self.connection.execute(sql.SQL("DROP SCHEMA {}; ALTER SCHEMA {} RENAME TO {}").format(
                sql.Identifier(schema), sql.Identifier(kept), sql.Identifier(schema)))
        return True

    def learn(self, schema: str, components: tuple[str, ...]) -> None:
        """Note what `components`' migrations made of `schema`, just migrated for real, to keep such schemas."""
        if components in self._kinds:
            return
        tables = self.tables(schema)
        with_rows = [t for t in tables if t != _VERSIONS and self._has_rows(schema, t)]
        self._kinds[components] = None if with_rows else Kind(
            self.fingerprint(schema), [t for t in tables if t != _VERSIONS],
            self.sequences(schema))

    def give_back(self, schema: str) -> None:
        """Keep `schema` emptied if it is exactly as a learnt set's migrations made it; drop it otherwise."""
        fingerprint = self.fingerprint(schema) if any(self._kinds.values()) else None
        kind = next((k for k in self._kinds.values() if k is not None and k.fingerprint == fingerprint), None)
        if kind is not None:
            try:
                kind.kept.append(self._emptied(schema, kind))
                return
            except psycopg.Error:
                pass  # dropped below, as any other schema
        self.drop(schema)

    def drop(self, schema: str) -> None:
        self.connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))

    def fingerprint(self, schema: str) -> tuple[str, ...]:
        parts = [r[0] for r in self.connection.execute(_STRUCTURE, {"schema": schema})]
        if _VERSIONS in self.tables(schema):
            parts += [f"revision {r[0]}" for r in self.connection.execute(
                sql.SQL("SELECT version_num FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(_VERSIONS)))]
        return tuple(sorted(parts))

    def close(self) -> None:
        """Drop the kept schemas (at the end of the session)."""
        for kind in self._kinds.values():
            for schema in kind.kept if kind is not None else ():
                self.drop(schema)
            if kind is not None:
                kind.kept.clear()
        if self._connection is not None:
            self._connection.close()

    def _emptied(self, schema: str, kind: Kind) -> str:
        """Delete every row but the revisions, restart the sequences, rename to a pool name; that name."""
        kept = f"pool_{uuid.uuid4().hex[:12]}"
        qualified = [sql.Identifier(schema, t) for t in kind.tables]
        statements = [sql.SQL("SET LOCAL lock_timeout = '5s'"),
                      # Triggers off: the hub's tallies are tables too, emptied like the rest.
                      sql.SQL("SET LOCAL session_replication_role = replica"),
                      *(sql.SQL("DELETE FROM {}").format(t) for t in qualified),
                      *(sql.SQL("ALTER SEQUENCE {} RESTART").format(sql.Identifier(schema, s)) for s in kind.sequences),
                      sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(schema), sql.Identifier(kept))]
        with self.connection.transaction():
            self.connection.execute(sql.SQL("; ").join(statements))
        return kept

    def tables(self, schema: str) -> list[str]:
        return [r[0] for r in self.connection.execute(_TABLES, (schema,))]

    def sequences(self, schema: str) -> list[str]:
        return [r[0] for r in self.connection.execute(_SEQUENCES, (schema,))]

    def _has_rows(self, schema: str, table: str) -> bool:
        return self.connection.execute(sql.SQL("SELECT EXISTS (SELECT FROM {})").format(
            sql.Identifier(schema, table))).fetchone()[0]


SCHEMAS = SchemaPool()
