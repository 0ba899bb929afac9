"""An impact report of a site for one party over a period (`build`): its deals, their totals and the social
value put beside them.

- A client's deals: the agreements delivered to it (`enquiry.client_organisation_id`), plus the delivered
  parts of its cross-border orders, read from the hub's latest snapshot of each order
  (`crossborder.origin_read.consortium_picture`): a part with impact is a deal of its own site and country.
- A social enterprise's deals: the agreements it delivered (`agreement.organisation_id`), plus the parts of
  other sites' (or this site's) cross-border orders it delivered here (`crossborder.store.part`).

The local agreements are totalled in SQL (one grouped query, whatever their number) and only the page's
rows are fetched; the cross-border parts are few and totalled in Python. Rows list the agreements first,
then the cross-border parts, each oldest first: the page takes its slice of that sequence.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Iterable, Mapping

from sqlalchemy import Connection, Integer, and_, case, cast, func, literal_column, select
from sqlalchemy.exc import OperationalError

from services.common.db import plain
from services.contracts.impact_policy import ImpactPolicy, social_value
from services.enquiries.crossborder import origin_read, store as crossborder_store
from services.enquiries.impact.model import (
    AGREEMENT, CLIENT, CROSSBORDER_PART, SOCIAL_ENTERPRISE, DealRow, Party, Report, Totals,
)
from services.enquiries.lifecycle.deals import DELIVERED
from services.enquiries.lifecycle.tables import agreement, enquiry, impact
from services.enquiries.matching.store import matching_organisation as organisation

ZERO = Decimal(0)
FOURTH = Decimal("0.0001")
SCALE = 4  # the scale of every amount column (ExactDecimal(18, 4))
ADDED = ("value_paid_eur", "integration_hours", "material_diverted_kg")
MEANS = ("regional_share", "distance_km")
VALUED = ("integration_hours", "material_diverted_kg")  # what the social-value proxies value, per country


@dataclass
class _Sums:
    """Running exact sums of deals; `totals` turns them into the report's Totals."""

    deals: int = 0
    recorded: int = 0

    def __post_init__(self):
        self.paid: dict[str, Decimal] = {}
        self.added = {name: ZERO for name in ADDED}
        self.stated = {name: 0 for name in VALUED}  # how many records state the figure
        self.weights = {name: ZERO for name in MEANS}  # the quantity of the records stating it
        self.weighted = {name: ZERO for name in MEANS}  # sum of quantity × figure
        self.by_country: dict[tuple[str, str], Decimal] = {}

    def add_country(self, country: str, figure: str, amount: Decimal) -> None:
        self.by_country[(country, figure)] = self.by_country.get((country, figure), ZERO) + amount

    def add_row(self, row: DealRow) -> None:
        self.deals += 1
        if not row.recorded:
            return
        self.recorded += 1
        self.paid[row.currency] = self.paid.get(row.currency, ZERO) + row.value_paid
        for name in ADDED:
            if getattr(row, name) is not None:
                self.added[name] += getattr(row, name)
        for name in VALUED:
            if getattr(row, name) is not None:
                self.add_country(row.country, name, getattr(row, name))
        for name in MEANS:
            if getattr(row, name) is not None:
                self.weights[name] += row.quantity
                self.weighted[name] += row.quantity * getattr(row, name)

    def totals(self) -> Totals:
        means = {name: (self.weighted[name] / self.weights[name]).quantize(FOURTH) if self.weights[name] else None
                 for name in MEANS}
        return Totals(deals=self.deals, recorded=self.recorded, value_paid=dict(sorted(self.paid.items())),
                      value_paid_eur=self.added["value_paid_eur"], integration_hours=self.added["integration_hours"],
                      material_diverted_kg=self.added["material_diverted_kg"], **means,
                      by_country=dict(sorted(self.by_country.items())))


def build(conn: Connection, party: Party, start: date, end: date, *, site_id: str, site_country: str,
          countries: Mapping[str, str], policy: ImpactPolicy, rates_to_eur: Mapping[str, Decimal],
          page: int | None = 1, per_page: int = 100) -> Report:
    """The report of `party` from `start` to `end` (both included, UTC days). `page=None`: every row (the
    CSV and the PDF); otherwise the rows of that page, `per_page` a page."""
    if party.role not in (CLIENT, SOCIAL_ENTERPRISE):
        raise ValueError(f"no impact report for the role {party.role!r}")
    local = _local_deals(party, start, end)
    sums = _local_sums(conn, local, site_country)
    parts = (_client_parts(conn, party.organisation_id, start, end, countries, rates_to_eur) if party.role == CLIENT
             else _se_parts(conn, party.organisation_id, start, end, site_id, site_country))
    for row in parts:
        sums.add_row(row)
    totals = sums.totals()
    local_count = totals.deals - len(parts)
    if page is None:
        rows, pages, page = _agreement_rows(conn, local, 0, None, site_id, site_country) + parts, 1, 1
    else:
        pages = max(1, -(-totals.deals // per_page))
        page = min(max(1, page), pages)
        first, last = (page - 1) * per_page, page * per_page
        rows = _agreement_rows(conn, local, first, max(0, min(last, local_count) - first), site_id, site_country) \
            if first < local_count else []
        rows += parts[max(0, first - local_count):max(0, last - local_count)]
    return Report(party=party, start=start, end=end, totals=totals, rows=rows,
                  social_value=social_value(totals.by_country, policy, rates_to_eur),
                  rates_to_eur=dict(rates_to_eur), page=page, pages=pages)


# --- the local agreements ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Local:
    joined: object  # FROM
    where: object  # WHERE
    counterpart: object  # the other party's organisation id column


def _local_deals(party: Party, start: date, end: date) -> _Local:
    """The FROM and WHERE of the party's agreements delivered in the period, each with its impact record
    (outer join: a delivery older than impact records has none). The period is a range of instants, so the
    index on `delivered_at` serves it."""
    since = datetime.combine(start, time.min, timezone.utc)
    until = datetime.combine(end + timedelta(days=1), time.min, timezone.utc) if end < date.max else None
    joined = agreement.join(enquiry, enquiry.c.id == agreement.c.enquiry_id) \
        .outerjoin(impact, impact.c.agreement_id == agreement.c.id)
    owner, other = enquiry.c.client_organisation_id, agreement.c.organisation_id
    if party.role == SOCIAL_ENTERPRISE:
        owner, other = other, owner
    where = [owner == party.organisation_id, agreement.c.status == DELIVERED, agreement.c.delivered_at >= since]
    if until is not None:
        where.append(agreement.c.delivered_at < until)
    return _Local(joined, and_(*where), other)


def _exact_sum(conn: Connection, column, scale: int = SCALE):
    """SUM of a decimal column, exact on both databases. PostgreSQL sums NUMERIC exactly. SQLite keeps our
    decimals as text and would sum them through binary floats (0.1 + 0.2 != 0.3); so on SQLite each value
    is scaled to a whole number of its smallest unit first (exact while it is below 2**53 units) and SQLite
    adds whole numbers exactly, or fails on overflow (`_local_sums` then adds the rows in Python)."""
    if conn.dialect.name != "sqlite":
        return func.sum(column)
    return func.sum(cast(func.round(column * literal_column(str(10 ** scale))), Integer))


def _decimal(conn: Connection, value, scale: int = SCALE) -> Decimal:
    if value is None:
        return ZERO
    if conn.dialect.name == "sqlite":
        if isinstance(value, float):  # a product past 2**63 became a float: not exact, refuse it
            raise OverflowError("an impact sum left SQLite's exact whole numbers")
        return plain(Decimal(value).scaleb(-scale))  # 3000.0000 -> 3000, as the columns read
    return Decimal(value)


def _local_sums(conn: Connection, local: _Local, site_country: str) -> _Sums:
    """The totals of the local agreements, grouped by currency in one query. Every local agreement is a
    social enterprise's of this site, so its figures count for `site_country`'s proxies."""
    quantity = agreement.c.quantity
    columns = [impact.c.currency, func.count().label("deals"), func.count(impact.c.id).label("recorded"),
               _exact_sum(conn, impact.c.value_paid).label("value_paid")]
    columns += [_exact_sum(conn, impact.c[name]).label(name) for name in ADDED]
    columns += [func.count(impact.c[name]).label(f"{name}_stated") for name in VALUED]
    for name in MEANS:
        stated = impact.c[name].isnot(None)
        columns.append(_exact_sum(conn, case((stated, quantity))).label(f"{name}_weight"))
        columns.append(_weighted_sum(conn, quantity, impact.c[name]).label(f"{name}_weighted"))
    query = select(*columns).select_from(local.joined).where(local.where).group_by(impact.c.currency)
    try:
        groups = conn.execute(query).all()
        return _sums_of_groups(conn, groups, site_country)
    except (OperationalError, OverflowError):  # amounts past SQLite's 64-bit whole numbers: add them exactly
        if conn.dialect.name != "sqlite":
            raise
        sums = _Sums()
        for row in _agreement_rows(conn, local, 0, None, "", site_country):
            sums.add_row(row)
        return sums


def _weighted_sum(conn: Connection, quantity, figure):
    if conn.dialect.name != "sqlite":
        return func.sum(quantity * figure)
    unit = literal_column(str(10 ** SCALE))
    return func.sum(cast(func.round(quantity * unit), Integer) * cast(func.round(figure * unit), Integer))


def _sums_of_groups(conn: Connection, groups, site_country: str) -> _Sums:
    sums = _Sums()
    for g in groups:
        sums.deals += g.deals
        sums.recorded += g.recorded
        if g.currency is not None:
            sums.paid[g.currency] = sums.paid.get(g.currency, ZERO) + _decimal(conn, g.value_paid)
        for name in ADDED:
            sums.added[name] += _decimal(conn, getattr(g, name))
        for name in VALUED:
            if getattr(g, f"{name}_stated"):
                sums.add_country(site_country, name, _decimal(conn, getattr(g, name)))
        for name in MEANS:
            sums.weights[name] += _decimal(conn, getattr(g, f"{name}_weight"))
            sums.weighted[name] += _decimal(conn, getattr(g, f"{name}_weighted"), 2 * SCALE)
    return sums


def _agreement_rows(conn: Connection, local: _Local, offset: int, limit: int | None, site_id: str,
                    site_country: str) -> list[DealRow]:
    """The local agreements' rows, oldest delivery first, `limit` of them from `offset` (None: all)."""
    counterpart = local.counterpart
    query = (select(agreement.c.id, agreement.c.enquiry_id, enquiry.c.reference, enquiry.c.title,
                    counterpart.label("counterpart_id"), organisation.c.name.label("counterpart_name"),
                    agreement.c.delivered_at, agreement.c.quantity, agreement.c.unit, impact.c.id.label("impact_id"),
                    impact.c.value_paid, impact.c.currency, impact.c.value_paid_eur, impact.c.integration_hours,
                    impact.c.material_diverted_kg, impact.c.regional_share, impact.c.distance_km)
             .select_from(local.joined.outerjoin(organisation, organisation.c.id == counterpart)).where(local.where)
             .order_by(agreement.c.delivered_at, agreement.c.id).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return [DealRow(kind=AGREEMENT, deal_id=r.id, enquiry_id=r.enquiry_id, reference=r.reference, title=r.title,
                    counterpart_id=r.counterpart_id or "", counterpart_name=r.counterpart_name, site=site_id,
                    country=site_country, delivered_on=r.delivered_at.date(), quantity=r.quantity, unit=r.unit,
                    recorded=r.impact_id is not None, value_paid=r.value_paid, currency=r.currency,
                    value_paid_eur=r.value_paid_eur, integration_hours=r.integration_hours,
                    material_diverted_kg=r.material_diverted_kg, regional_share=r.regional_share,
                    distance_km=r.distance_km)
            for r in conn.execute(query)]


# --- the cross-border parts --------------------------------------------------------------------------

def _decimal_or_none(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _part_row(part_id: str, enquiry_id: str, reference: str, title: str, counterpart_id: str,
              counterpart_name: str | None, site: str, country: str, delivered_on: date, quantity: int,
              unit: str | None, figures: Mapping) -> DealRow:
    return DealRow(kind=CROSSBORDER_PART, deal_id=part_id, enquiry_id=enquiry_id, reference=reference, title=title,
                   counterpart_id=counterpart_id, counterpart_name=counterpart_name, site=site, country=country,
                   delivered_on=delivered_on, quantity=Decimal(quantity), unit=unit, recorded=True,
                   value_paid=Decimal(str(figures["value_paid"])), currency=figures["currency"],
                   value_paid_eur=Decimal(str(figures["value_paid_eur"])),
                   **{name: _decimal_or_none(figures.get(name)) for name in ADDED[1:] + MEANS})


def _client_parts(conn: Connection, organisation_id: str, start: date, end: date, countries: Mapping[str, str],
                  rates_to_eur: Mapping[str, Decimal]) -> list[DealRow]:
    """The delivered parts of the client's cross-border orders whose last delivery falls in the period."""
    orders = conn.execute(
        select(enquiry.c.id, enquiry.c.reference, enquiry.c.title, enquiry.c.unit)
        .where(enquiry.c.client_organisation_id == organisation_id,
               enquiry.c.id.in_(select(crossborder_store.consortium.c.enquiry_id)))
        .order_by(enquiry.c.id)).all()
    rows = []
    for order in orders:
        picture = origin_read.consortium_picture(conn, order.id, rates_to_eur)
        for part in (picture or {}).get("parts", ()):
            days = [_day(d["delivered_on"]) for d in part.get("deliveries") or ()]
            if not part.get("impact") or not days or not start <= max(days) <= end:
                continue
            rows.append(_part_row(str(part["part_id"]), order.id, order.reference, order.title,
                                  str(part["organisation_id"]), part.get("organisation_name"), part["site"],
                                  countries.get(part["site"], ""), max(days),
                                  part.get("delivered") or part["quantity"], order.unit, part["impact"]))
    return sorted(rows, key=lambda row: (row.delivered_on, row.deal_id))


def _se_parts(conn: Connection, organisation_id: str, start: date, end: date, site_id: str,
              site_country: str) -> list[DealRow]:
    """The parts the social enterprise delivered here whose last delivery falls in the period. Its client is
    the origin site's: the part names the origin site, never the client."""
    part, delivery = crossborder_store.part, crossborder_store.delivery
    last = (select(delivery.c.part_id, func.max(delivery.c.delivered_on).label("delivered_on"),
                   func.sum(delivery.c.quantity).label("delivered"))
            .group_by(delivery.c.part_id).subquery())
    found = conn.execute(
        select(part.c.id, part.c.order_id, part.c.enquiry_reference, part.c.title, part.c.origin_site, part.c.unit,
               part.c.quantity, part.c.impact, last.c.delivered_on, last.c.delivered)
        .join_from(part, last, last.c.part_id == part.c.id)
        .where(part.c.organisation_id == organisation_id, part.c.impact.isnot(None),
               last.c.delivered_on >= start, last.c.delivered_on <= end)
        .order_by(last.c.delivered_on, part.c.id)).all()
    return [_part_row(r.id, r.order_id, r.enquiry_reference, r.title, r.origin_site, None, site_id, site_country,
                      _day(r.delivered_on), r.delivered or r.quantity, r.unit, r.impact)
            for r in found if r.impact]


def every_row(rows: Iterable[DealRow]) -> Totals:
    """The totals of `rows` added up one by one in Decimal: what `build`'s SQL must agree with."""
    sums = _Sums()
    for row in rows:
        sums.add_row(row)
    return sums.totals()
