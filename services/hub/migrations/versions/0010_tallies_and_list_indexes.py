"""hub tables: tallies kept by triggers (active organisations, visible offers, support statements,
enquiries, impact sums per site and year) and the indexes of the keyset-paged lists (issue 20)

Each tally is kept by triggers on its source table, so it holds whatever code writes the rows: on
PostgreSQL statement triggers over the transition tables (plpgsql), on SQLite row triggers. A tally row adds the contribution of the new
row and takes back that of the old one: `where` says whether a row counts, `keys` where it counts, `adds`
what it adds. The upgrade fills every tally from the rows already there.

Visible offers depend on two tables: an offer counts when published and its organisation is not
withdrawn (or not yet seen). The offer's triggers add its own change; the organisation's triggers add
its published offers when it comes back and take them away when it is withdrawn.

Revision ID: a4c7e2f9b1d0
Revises: 9d2e4b7c1a36
Create Date: 2026-12-06 07:50:00
"""
from dataclasses import dataclass

from alembic import op
import sqlalchemy as sa


revision = 'a4c7e2f9b1d0'
down_revision = '9d2e4b7c1a36'
branch_labels = None
depends_on = None


@dataclass(frozen=True)
class Tally:
    name: str  # the trigger's (and PostgreSQL function's) name
    table: str
    source: str
    where: str  # {R} is NEW or OLD
    keys: dict  # tally column -> expression of {R}
    adds: dict
    watched: tuple  # the source columns an UPDATE must change to concern the tally

    def expr(self, template: str, row: str) -> str:
        return template.format(R=row)


_ORG_VISIBLE = ("NOT EXISTS (SELECT 1 FROM hub_organisation o WHERE o.site = {R}.site "
                "AND o.id = {R}.organisation_id AND o.status <> 'active')")
_PUBLISHED_OFFERS = ("(SELECT count(*) FROM hub_offer f WHERE f.site = {R}.site AND f.organisation_id = {R}.id "
                     "AND f.status = 'published')")


def _flag(column: str) -> str:
    return f"CASE WHEN {{R}}.{column} IS NULL THEN 0 ELSE 1 END"


TALLIES = (
    Tally("hub_tally_organisations_t", "hub_tally_organisations", "hub_organisation", "{R}.status = 'active'",
          {"site": "{R}.site", "kind": "coalesce({R}.kind, '')"}, {"active": "1"}, ("site", "kind", "status")),
    Tally("hub_tally_offers_t", "hub_tally_offers", "hub_offer", "{R}.status = 'published' AND " + _ORG_VISIBLE,
          {"site": "{R}.site"}, {"visible": "1"}, ("site", "organisation_id", "status")),
    # an organisation not active hides its published offers: it counts minus their number
    Tally("hub_tally_offers_org_t", "hub_tally_offers", "hub_organisation", "{R}.status <> 'active'",
          {"site": "{R}.site"}, {"visible": "-" + _PUBLISHED_OFFERS}, ("site", "id", "status")),
    Tally("hub_tally_statements_t", "hub_tally_statements", "hub_support_statement", "{R}.status = 'active'",
          {"site": "{R}.site", "kind": "coalesce({R}.kind, '')", "nuts3": "coalesce({R}.nuts3, '')"},
          {"active": "1"}, ("site", "kind", "nuts3", "status")),
    Tally("hub_tally_enquiries_t", "hub_tally_enquiries", "hub_enquiries", "1 = 1",
          {"site": "{R}.site", "state": "{R}.state", "type": "{R}.type"}, {"enquiries": "1"}, ("site", "state", "type")),
    Tally("hub_tally_impact_t", "hub_tally_impact", "hub_impact", "1 = 1", {"site": "{R}.site", "year": "{R}.year"},
          {"records": "1", "value_paid_eur": "coalesce({R}.value_paid_eur, 0)",
           "material_diverted_kg": "coalesce({R}.material_diverted_kg, 0)",
           "regional_share": "coalesce({R}.regional_share, 0)", "regional_share_records": _flag("regional_share"),
           "distance_km": "coalesce({R}.distance_km, 0)", "distance_records": _flag("distance_km"),
           "integration_hours": "coalesce({R}.integration_hours, 0)"},
          ("site", "year", "value_paid_eur", "material_diverted_kg", "regional_share", "distance_km",
           "integration_hours")),
    Tally("hub_tally_production_regions_t", "hub_tally_production_regions", "hub_impact",
          "{R}.production_nuts3 IS NOT NULL", {"site": "{R}.site", "year": "{R}.year", "nuts3": "{R}.production_nuts3"},
          {"records": "1"}, ("site", "year", "production_nuts3")),
)

# The tallies' contents from the rows already there.
BACKFILL = {
    "hub_tally_organisations": "SELECT site, coalesce(kind, ''), count(*) FROM hub_organisation "
                               "WHERE status = 'active' GROUP BY site, coalesce(kind, '')",
    "hub_tally_offers": "SELECT f.site, count(*) FROM hub_offer f LEFT JOIN hub_organisation o "
                        "ON o.site = f.site AND o.id = f.organisation_id "
                        "WHERE f.status = 'published' AND (o.status IS NULL OR o.status = 'active') GROUP BY f.site",
    "hub_tally_statements": "SELECT site, coalesce(kind, ''), coalesce(nuts3, ''), count(*) FROM hub_support_statement "
                            "WHERE status = 'active' GROUP BY site, coalesce(kind, ''), coalesce(nuts3, '')",
    "hub_tally_enquiries": "SELECT site, state, type, count(*) FROM hub_enquiries GROUP BY site, state, type",
    "hub_tally_impact": "SELECT site, year, count(*), coalesce(sum(value_paid_eur), 0), "
                        "coalesce(sum(material_diverted_kg), 0), coalesce(sum(regional_share), 0), "
                        "count(regional_share), coalesce(sum(distance_km), 0), count(distance_km), "
                        "coalesce(sum(integration_hours), 0) FROM hub_impact GROUP BY site, year",
    "hub_tally_production_regions": "SELECT site, year, production_nuts3, count(*) FROM hub_impact "
                                    "WHERE production_nuts3 IS NOT NULL GROUP BY site, year, production_nuts3",
}

LIST_INDEXES = (
    ("ix_hub_organisation_listing", "hub_organisation", ["status", "name", "site", "id"]),
    ("ix_hub_offer_listing", "hub_offer", ["status", "title", "site", "id"]),
    ("ix_hub_enquiries_latest", "hub_enquiries", ["submitted_at", "site", "reference", "id"]),
)


def _count(name):
    return sa.Column(name, sa.BigInteger(), nullable=False, server_default=sa.text("0"))


def _sum(name):
    return sa.Column(name, sa.Numeric(24, 4), nullable=False, server_default=sa.text("0"))


def _create_tables() -> None:
    site = lambda: sa.Column('site', sa.String(8), nullable=False)  # noqa: E731
    op.create_table('hub_tally_organisations', site(), sa.Column('kind', sa.String(32), nullable=False),
                    _count('active'), sa.PrimaryKeyConstraint('site', 'kind'))
    op.create_table('hub_tally_offers', site(), _count('visible'), sa.PrimaryKeyConstraint('site'))
    op.create_table('hub_tally_statements', site(), sa.Column('kind', sa.String(16), nullable=False),
                    sa.Column('nuts3', sa.String(5), nullable=False), _count('active'),
                    sa.PrimaryKeyConstraint('site', 'kind', 'nuts3'))
    op.create_table('hub_tally_enquiries', site(), sa.Column('state', sa.String(32), nullable=False),
                    sa.Column('type', sa.String(32), nullable=False), _count('enquiries'),
                    sa.PrimaryKeyConstraint('site', 'state', 'type'))
    op.create_table('hub_tally_impact', site(), sa.Column('year', sa.Integer(), nullable=False), _count('records'),
                    _sum('value_paid_eur'), _sum('material_diverted_kg'), _sum('regional_share'),
                    _count('regional_share_records'), _sum('distance_km'), _count('distance_records'),
                    _sum('integration_hours'), sa.PrimaryKeyConstraint('site', 'year'))
    op.create_table('hub_tally_production_regions', site(), sa.Column('year', sa.Integer(), nullable=False),
                    sa.Column('nuts3', sa.String(5), nullable=False), _count('records'),
                    sa.PrimaryKeyConstraint('site', 'year', 'nuts3'))


def _changed(t: Tally, distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in t.watched)


def _postgresql(t: Tally) -> list[str]:
    """Statement triggers over the transition tables: one upsert per tally key and statement, however many
    rows the statement wrote (a row trigger would update the same tally row once per row, and PostgreSQL
    walks every version a transaction left of it: a bulk load would take quadratic time)."""
    keys, adds = list(t.keys), list(t.adds)

    def contributions(table: str, sign: str) -> str:
        values = [f"{t.expr(t.keys[k], 'r')} AS {k}" for k in keys]
        values += [f"{sign}({t.expr(t.adds[a], 'r')}) AS {a}" for a in adds]
        return f"SELECT {', '.join(values)} FROM {table} r WHERE {t.expr(t.where, 'r')}"

    def upsert(*parts: str) -> str:
        changed = " OR ".join(f"sum({a}) <> 0" for a in adds)
        updates = ", ".join(f"{a} = {t.table}.{a} + EXCLUDED.{a}" for a in adds)
        # ordered by key: concurrent writers lock tally rows in one order
        return (f"INSERT INTO {t.table} ({', '.join(keys + adds)}) "
                f"SELECT {', '.join(keys)}, {', '.join(f'sum({a})' for a in adds)} "
                f"FROM ({' UNION ALL '.join(parts)}) AS d GROUP BY {', '.join(keys)} HAVING {changed} "
                f"ORDER BY {', '.join(keys)} ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}")

    statements = []
    for op_name, body, referencing in (
            ("insert", upsert(contributions("new_rows", "")), "NEW TABLE AS new_rows"),
            ("update", upsert(contributions("old_rows", "-"), contributions("new_rows", "")),
             "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("delete", upsert(contributions("old_rows", "-")), "OLD TABLE AS old_rows")):
        function = f"{t.name}_{op_name}"
        statements += [
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  {body};\n"
            f"  RETURN NULL;\nEND $$",
            f"CREATE TRIGGER {function} AFTER {op_name.upper()} ON {t.source} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"]
    return statements


def _sqlite(t: Tally) -> list[str]:
    keys, adds = list(t.keys), list(t.adds)

    def apply(row: str, sign: str) -> str:
        match = " AND ".join(f"{k} = {t.expr(t.keys[k], row)}" for k in keys)
        values = ", ".join(f"{a} = {a} {sign} ({t.expr(t.adds[a], row)})" for a in adds)
        when = t.expr(t.where, row)
        # not INSERT OR IGNORE: an outer statement's conflict clause (an upsert's) overrides a trigger's
        return (f"INSERT INTO {t.table} ({', '.join(keys)}) SELECT {', '.join(t.expr(t.keys[k], row) for k in keys)} "
                f"WHERE ({when}) AND NOT EXISTS (SELECT 1 FROM {t.table} WHERE {match}); "
                f"UPDATE {t.table} SET {values} WHERE {match} AND ({when});")

    return [f"CREATE TRIGGER {t.name}_insert AFTER INSERT ON {t.source} BEGIN {apply('NEW', '+')} END",
            f"CREATE TRIGGER {t.name}_delete AFTER DELETE ON {t.source} BEGIN {apply('OLD', '-')} END",
            f"CREATE TRIGGER {t.name}_update AFTER UPDATE ON {t.source} WHEN {_changed(t, 'IS NOT')} "
            f"BEGIN {apply('OLD', '-')} {apply('NEW', '+')} END"]


def install(tallies, backfill: dict, list_indexes, locked: str) -> None:
    """The listing indexes, then the tallies' triggers, then their backfill (0011 installs its own this way).
    `locked`: the tallied tables, held still on PostgreSQL from the triggers' creation to the backfill."""
    for name, table, columns in list_indexes:
        op.create_index(name, table, columns)
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:  # no row may change between the backfill and the triggers
        op.execute(f"LOCK TABLE {locked} IN SHARE ROW EXCLUSIVE MODE")
    for t in tallies:
        for statement in (_postgresql(t) if postgresql else _sqlite(t)):
            op.execute(statement)
    for table, query in backfill.items():
        columns = [c.name for c in sa.Table(table, sa.MetaData(), autoload_with=op.get_bind()).columns]
        op.execute(f"INSERT INTO {table} ({', '.join(columns)}) {query}")


def uninstall(tallies, backfill: dict, list_indexes) -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for t in tallies:
        for suffix in ("insert", "delete", "update"):
            if postgresql:
                op.execute(f"DROP TRIGGER {t.name}_{suffix} ON {t.source}")
                op.execute(f"DROP FUNCTION {t.name}_{suffix}()")
            else:
                op.execute(f"DROP TRIGGER {t.name}_{suffix}")
    for name, table, _ in list_indexes:
        op.drop_index(name, table_name=table)
    for table in backfill:
        op.drop_table(table)


def upgrade() -> None:
    _create_tables()
    install(TALLIES, BACKFILL, LIST_INDEXES,
            locked="hub_organisation, hub_offer, hub_support_statement, hub_enquiries, hub_impact")


def downgrade() -> None:
    uninstall(TALLIES, BACKFILL, LIST_INDEXES)
