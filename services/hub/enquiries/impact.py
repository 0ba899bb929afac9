"""The network's impact totals: per site, per year, and in the four dimensions of DESIGN.md §4.

- economic: value paid to social enterprises, in EUR (the sites convert when they record it, so the
  hub adds like with like);
- ecological: material diverted from waste (kg), and the average regional share of the records that
  state one (a plain mean: a share is a ratio, and adding ratios means nothing);
- regional: distance (km), and how many records name each region of production;
- social: hours of work for people in integration.

One SQL query sums per (site, year); `summarise` (pure, unit-tested) rolls those cells up to sites,
years and the network, listing every member site even when it has recorded nothing yet.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

from sqlalchemy import Connection, func, select

from services.hub.enquiries.store import hub_impact

ZERO = Decimal(0)


@dataclass(frozen=True)
class Cell:
    """The sums of one site's impact records of one year."""

    site: str
    year: int
    records: int
    value_paid_eur: Decimal
    material_diverted_kg: Decimal
    regional_share_sum: Decimal
    regional_share_records: int
    distance_km: Decimal
    integration_hours: Decimal


@dataclass
class Totals:
    """Adds cells up; `dimensions()` is what the API shows."""

    records: int = 0
    value_paid_eur: Decimal = ZERO
    material_diverted_kg: Decimal = ZERO
    regional_share_sum: Decimal = ZERO
    regional_share_records: int = 0
    distance_km: Decimal = ZERO
    integration_hours: Decimal = ZERO
    production_regions: dict[str, int] = field(default_factory=dict)

    def add(self, cell: Cell) -> None:
        self.records += cell.records
        self.value_paid_eur += cell.value_paid_eur
        self.material_diverted_kg += cell.material_diverted_kg
        self.regional_share_sum += cell.regional_share_sum
        self.regional_share_records += cell.regional_share_records
        self.distance_km += cell.distance_km
        self.integration_hours += cell.integration_hours

    def add_region(self, nuts3: str, count: int) -> None:
        self.production_regions[nuts3] = self.production_regions.get(nuts3, 0) + count

    def dimensions(self) -> dict:
        average = (self.regional_share_sum / self.regional_share_records) if self.regional_share_records else None
        return {
            "records": self.records,
            "economic": {"value_paid_eur": self.value_paid_eur},
            "ecological": {"material_diverted_kg": self.material_diverted_kg, "regional_share_average": average},
            "regional": {"distance_km": self.distance_km, "production_regions": dict(sorted(self.production_regions.items()))},
            "social": {"integration_hours": self.integration_hours},
        }


def cells(conn: Connection, site: str | None = None, year: int | None = None) -> list[Cell]:
    im = hub_impact
    query = select(
        im.c.site, im.c.year, func.count(),
        func.coalesce(func.sum(im.c.value_paid_eur), 0), func.coalesce(func.sum(im.c.material_diverted_kg), 0),
        func.coalesce(func.sum(im.c.regional_share), 0), func.count(im.c.regional_share),
        func.coalesce(func.sum(im.c.distance_km), 0), func.coalesce(func.sum(im.c.integration_hours), 0),
    ).group_by(im.c.site, im.c.year)
    query = _narrowed(query, site, year)
    return [Cell(r[0], r[1], r[2], *map(sum_as_decimal, r[3:6]), r[6], *map(sum_as_decimal, r[7:9]))
            for r in conn.execute(query)]


def production_regions(conn: Connection, site: str | None = None, year: int | None = None) -> list[tuple[str, int, str, int]]:
    """(site, year, production NUTS-3, records) of the records that name their region of production."""
    im = hub_impact
    query = (select(im.c.site, im.c.year, im.c.production_nuts3, func.count())
             .where(im.c.production_nuts3.is_not(None))
             .group_by(im.c.site, im.c.year, im.c.production_nuts3))
    return [tuple(r) for r in conn.execute(_narrowed(query, site, year))]


def _narrowed(query, site: str | None, year: int | None):
    if site:
        query = query.where(hub_impact.c.site == site)
    if year is not None:
        query = query.where(hub_impact.c.year == year)
    return query


def sum_as_decimal(value) -> Decimal:
    """A SQL sum as a Decimal."""
    # SQLite hands sums back as int or float; through str() the float's shortest repr is kept, not its binary noise.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def summarise(sites: Iterable[str], cells: Iterable[Cell], regions: Iterable[tuple[str, int, str, int]] = ()) -> dict:
    """Totals of the network, per site (with its years), and per year; every listed site appears."""
    network = Totals()
    per_site: dict[str, Totals] = {site: Totals() for site in sites}
    per_year: dict[int, Totals] = defaultdict(Totals)
    per_site_year: dict[str, dict[int, Totals]] = defaultdict(lambda: defaultdict(Totals))
    for cell in cells:
        for totals in (network, per_site.setdefault(cell.site, Totals()), per_year[cell.year],
                       per_site_year[cell.site][cell.year]):
            totals.add(cell)
    for site, year, nuts3, count in regions:
        for totals in (network, per_site.setdefault(site, Totals()), per_year[year], per_site_year[site][year]):
            totals.add_region(nuts3, count)
    return {
        "totals": network.dimensions(),
        "sites": [
            {"site": site, **per_site[site].dimensions(),
             "years": [{"year": year, **totals.dimensions()} for year, totals in sorted(per_site_year[site].items())]}
            for site in sorted(per_site)
        ],
        "years": [{"year": year, **totals.dimensions()} for year, totals in sorted(per_year.items())],
    }


def impact_totals(conn: Connection, member_sites: Iterable[str], site: str | None = None,
                  year: int | None = None) -> dict:
    sites = [site] if site else list(member_sites)
    return summarise(sites, cells(conn, site, year), production_regions(conn, site, year))
