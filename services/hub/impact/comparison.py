"""The network's impact compared by country, site and year, as the public and the agency see it.

Cells are (site, year): the site's impact records at the hub (one delivered agreement = one deal), plus
the cross-border parts the site's social enterprises delivered, in full or in part before the part failed
(one part = one deal of the part's site, in the year its impact was recorded, which is the year of its last
delivery). The records' sums per cell are kept by the database as records are written (`register.tallies`);
one SQL GROUP BY sums the parts. `build` (pure) adds the margins (each site over all years, each country
per year and over all years, each year network-wide, the network), suppresses small cells (`suppression`), and
values the hours of work in integration at each country's proxy (beside the raw figures).

Means (regional share, distance) are published only in published nodes: their sums and record counts
add up like the other figures, so the same suppression pattern protects them; in a suppressed node the
mean is withheld with everything else, since a mean times a known count would give the hidden sum back.

Suppression always runs on the whole table: a view narrowed to a year or to some countries shows a part
of the same published table, never a table suppressed afresh (two differently suppressed publications
could reveal by difference what each hides).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping, Sequence

from sqlalchemy import Connection, func, select

from services.contracts.impact_policy import VALUED_FIGURES, ImpactPolicy, Proxy, social_value
from services.hub.crossborder.store import hub_crossborder_parts
from services.hub.enquiries.impact import sum_as_decimal
from services.hub.impact import suppression
from services.hub.impact.figures import Figures, total
from services.hub.register import tallies

SITE, COUNTRY, NETWORK = "site", "country", "network"
ALL_YEARS = "all"
NETWORK_ROW = (NETWORK, None)


@dataclass(frozen=True)
class Node:
    """One published node: a site, a country or the network, in a year or over all years (year None).
    `figures` and `social_value_eur` are None when the node is suppressed."""

    level: str
    country: str | None
    site: str | None
    year: int | None
    deals_known: bool
    figures: Figures | None
    social_value_eur: Mapping[str, Decimal | None] = field(default_factory=dict)  # per VALUED_FIGURES

    @property
    def suppressed(self) -> bool:
        return self.figures is None


@dataclass(frozen=True)
class Comparison:
    threshold: int
    years: list[int]
    countries: list[tuple[str, list[str]]]  # each country with its sites
    proxies: tuple[Proxy, ...]
    nodes: dict[tuple[tuple[str, str | None], int | str], Node]

    def node(self, level: str, code: str | None, year: int | None) -> Node:
        return self.nodes[((level, code), ALL_YEARS if year is None else year)]

    def column(self, year: int | None, countries: Sequence[str] | None = None) -> list[Node]:
        """One column (a year, or all years: None) in reading order: each country's sites, then the
        country; the network last when no countries are chosen."""
        ordered = []
        for country, sites in self.countries:
            if countries is None or country in countries:
                ordered += [self.node(SITE, s, year) for s in sites] + [self.node(COUNTRY, country, year)]
        return ordered + ([self.node(NETWORK, None, year)] if countries is None else [])

    def rows(self) -> list[Node]:
        """Every node, in reading order: per column (years, then all years), each country's sites, the
        country, and the network."""
        ordered = []
        for column in [*self.years, ALL_YEARS]:
            for country, sites in self.countries:
                ordered += [self.nodes[((SITE, s), column)] for s in sites]
                ordered.append(self.nodes[((COUNTRY, country), column)])
            ordered.append(self.nodes[(NETWORK_ROW, column)])
        return ordered


# --- the cells, in SQL -------------------------------------------------------------------------------

def cells(conn: Connection) -> dict[tuple[str, int], Figures]:
    """(site, year) -> the figures of its deals: impact records (their sums as the database keeps them,
    `register.tallies`) and delivered cross-border parts (summed here: a few per order)."""
    found: dict[tuple[str, int], Figures] = {}
    records = [(site, year, deals, value, hours, kg, share, shares, distance, distances)
               for site, year, deals, value, kg, share, shares, distance, distances, hours in tallies.impact_rows(conn)]
    for site, year, deals, value, hours, kg, share, shares, distance, distances in [
            *records, *conn.execute(_part_cells())]:
        figures = Figures(int(deals), sum_as_decimal(value), sum_as_decimal(hours), sum_as_decimal(kg),
                          sum_as_decimal(share), int(shares), sum_as_decimal(distance), int(distances))
        found[(site, int(year))] = found.get((site, int(year)), Figures()) + figures
    return found


def _sums(deals, value, hours, kg, share, distance):
    zero = 0
    return (func.count(deals), func.coalesce(func.sum(value), zero), func.coalesce(func.sum(hours), zero),
            func.coalesce(func.sum(kg), zero), func.coalesce(func.sum(share), zero), func.count(share),
            func.coalesce(func.sum(distance), zero), func.count(distance))


def _part_cells():
    p = hub_crossborder_parts
    impact = p.c.impact

    def amount(key: str):  # the part's impact keeps decimals as strings
        return impact[key].as_numeric(18, 4)

    year = impact["year"].as_integer()
    return (select(p.c.site, year, *_sums(p.c.id, amount("value_paid_eur"), amount("integration_hours"),
                                          amount("material_diverted_kg"), amount("regional_share"),
                                          amount("distance_km")))
            # A part has impact once it ended with units delivered: delivered, or failed after delivering some
            # (closed short, deadline missed); the sites' reports count both alike. Before that its impact is
            # JSON null, which is not SQL NULL: its year, read from the JSON, is.
            .where(year.is_not(None))
            .group_by(p.c.site, year))


# --- margins, suppression and social value (pure) -----------------------------------------------------

def build(found: Mapping[tuple[str, int], Figures], sites: Mapping[str, str], policy: ImpactPolicy,
          rates_to_eur: Mapping[str, Decimal]) -> Comparison:
    """`sites`: every member site -> its country (a site only in the data is added under its own)."""
    site_country = dict(sites)
    for site, _ in found:
        site_country.setdefault(site, site[:2])
    countries: dict[str, list[str]] = {}
    for site, country in site_country.items():
        countries.setdefault(country, []).append(site)
    countries = {c: sorted(s) for c, s in sorted(countries.items())}
    years = sorted({year for _, year in found})

    columns = [*years, ALL_YEARS]
    layout = layout_of(countries, years)
    figures = {((SITE, s), y): found.get((s, y), Figures()) for s in site_country for y in years}
    for s in site_country:
        figures[((SITE, s), ALL_YEARS)] = total(figures[((SITE, s), y)] for y in years)
    for column in columns:
        for c, members in countries.items():
            figures[((COUNTRY, c), column)] = total(figures[((SITE, s), column)] for s in members)
        figures[(NETWORK_ROW, column)] = total(figures[((COUNTRY, c), column)] for c in countries)

    hidden = suppression.suppress(layout, {n: f.deals for n, f in figures.items()}, policy.suppression_min_deals,
                                  {n: f.all_sums_positive for n, f in figures.items()})
    values = _social_values(figures, hidden, countries, columns, policy, rates_to_eur)
    nodes = {}
    for (row, column), f in figures.items():
        level, code = row
        country = code if level == COUNTRY else site_country[code] if level == SITE else None
        shown = (row, column) not in hidden
        nodes[(row, column)] = Node(level, country, code if level == SITE else None,
                                    None if column == ALL_YEARS else column, shown, f if shown else None,
                                    values.get((row, column), {}))
    return Comparison(policy.suppression_min_deals, years, list(countries.items()), policy.proxies, nodes)


def layout_of(countries: Mapping[str, Sequence[str]], years: Sequence[int]) -> suppression.Layout:
    """The table's rows (sites, countries, the network) and columns (years, all years) with their sums."""
    rows = ([(SITE, s) for c in countries for s in countries[c]] + [(COUNTRY, c) for c in countries]
            + [NETWORK_ROW])
    return suppression.Layout(
        tuple(rows), (*years, ALL_YEARS),
        {**{(COUNTRY, c): [(SITE, s) for s in countries[c]] for c in countries},
         NETWORK_ROW: [(COUNTRY, c) for c in countries]},
        {ALL_YEARS: list(years)})


def _social_values(figures, hidden, countries, columns, policy, rates_to_eur) -> dict:
    """Per published node, each valued figure in EUR at its country's proxy. The network's is the sum of
    its countries' only when each of them is published and valued: with different proxies per country,
    the network's value and hours would otherwise be two equations that give hidden countries away."""
    found = {}
    for (row, column), f in figures.items():
        level, code = row
        if (row, column) in hidden or level == NETWORK:
            continue
        country = code if level == COUNTRY else next(c for c, sites in countries.items() if code in sites)
        found[(row, column)] = {figure: _valued(country, figure, getattr(f, figure), policy, rates_to_eur)
                                for figure in VALUED_FIGURES}
    for column in columns:
        if (NETWORK_ROW, column) in hidden:
            continue
        per_country = [found.get(((COUNTRY, c), column)) for c in countries]
        found[(NETWORK_ROW, column)] = {
            figure: (sum(v[figure] for v in per_country)
                     if all(v is not None and v[figure] is not None for v in per_country) else None)
            for figure in VALUED_FIGURES}
    return found


def _valued(country: str, figure: str, quantity: Decimal, policy: ImpactPolicy, rates_to_eur) -> Decimal | None:
    lines = social_value({(country, figure): quantity}, policy, rates_to_eur)
    return lines[0].value_eur if lines else None


def compare(conn: Connection, sites: Sequence, policy: ImpactPolicy, rates_to_eur: Mapping[str, Decimal]) -> Comparison:
    """`sites`: the federation's member sites (each with `id` and `country`)."""
    return build(cells(conn), {s.id: s.country for s in sites}, policy, rates_to_eur)
