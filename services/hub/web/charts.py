"""The agency's impact charts: server-side SVG (pygal), one per dimension of DESIGN.md §4, with a bar
per site for every year, so that both "per site" and "per year" read off one picture.

- Embedded inline in the page: no XML declaration, and no script (pygal links its tooltip script from
  a CDN by default; these pages must work offline and without JavaScript). Values are printed on the
  bars instead of in tooltips.
- Labelled in the page's language: the caller passes the translated title and unit and the locale,
  which formats every number (1.234,5 in de, 1 234,5 in hu, 1,234.5 in en).
- No records, no picture: an empty chart (pygal draws axes from 0 to 1 and a huge "no data") tells
  nothing, so `svg` is empty and the page says in words that nothing is recorded yet.
- Every chart comes with its figures as rows, for a table beside it (screen readers, copying).

No Flask here: pure functions of `impact.summarise`'s result.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable
from xml.etree import ElementTree

import sys

import pygal
from babel.numbers import format_decimal
from pygal.style import Style

# pygal appends a legacy sys.meta_path finder for its map plugins (unused here) that has no find_spec, so
# every later import warns (ImportWarning; an error where warnings are errors). Take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

# The same colour for a site in every chart (sites are series in alphabetical order).
SITE_COLOURS = ("#1f6f8b", "#c0622f", "#5b8c3a", "#7a4f9a", "#b8912f", "#3f5d7d", "#9a3f4f")

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#2b2b2b",
    foreground_strong="#1a1a1a",
    foreground_subtle="#d8d8d8",
    opacity=".9",
    opacity_hover="1",
    colors=SITE_COLOURS,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif",
    title_font_size=18,  # the chart is drawn 720 wide and shown at about half that beside another
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=15,
    value_font_size=14,
)


def _mean_distance(dimensions: dict) -> Decimal | None:
    return dimensions["regional"].get("distance_km_mean")


def with_mean_distances(summary: dict, means: dict[tuple[str, int], Decimal]) -> dict:
    """The summary with each site-year's mean distance (over the records that state one: a record
    without a distance is unknown, not 0 km, so `distance_km / records` would understate it)."""
    sites = []
    for site in summary["sites"]:
        years = [{**entry, "regional": {**entry["regional"],
                                        "distance_km_mean": means.get((site["site"], entry["year"]))}}
                 for entry in site["years"]]
        sites.append({**site, "years": years})
    return {**summary, "sites": sites}


@dataclass(frozen=True)
class Dimension:
    key: str
    measure: Callable[[dict], Decimal | None]  # from a dimensions dict of `impact.summarise`
    decimals: int


# The figure each dimension is charted by. Regional: the mean distance from production to delivery
# (the lower, the more regional; see `with_mean_distances`), since a sum of distances grows with the
# number of deliveries.
DIMENSIONS = (
    Dimension("economic", lambda d: d["economic"]["value_paid_eur"], 0),
    Dimension("ecological", lambda d: d["ecological"]["material_diverted_kg"], 0),
    Dimension("regional", _mean_distance, 1),
    Dimension("social", lambda d: d["social"]["integration_hours"], 0),
)


@dataclass(frozen=True)
class ChartTexts:
    """What a chart says, already translated into the page's language."""

    title: str
    unit: str


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    svg: str  # an inline <svg> element; empty when there is nothing to draw
    years: list[int]
    rows: list[tuple[str, list[str]]]  # (site, the formatted value of each year; "" where none)

    @property
    def has_data(self) -> bool:
        return any(value for _, values in self.rows for value in values)


def series(summary: dict, dimension: Dimension) -> tuple[list[int], dict[str, list[Decimal | None]]]:
    """The years with any record, and per site its figure for each of those years (None: no record)."""
    years = sorted({entry["year"] for site in summary["sites"] for entry in site["years"]})
    by_site = {}
    for site in summary["sites"]:
        of_year = {entry["year"]: dimension.measure(entry) for entry in site["years"]}
        by_site[site["site"]] = [of_year.get(year) for year in years]
    return years, by_site


def number(value: Decimal | float | None, locale: str, decimals: int = 0) -> str:
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale)


def bar_chart(texts: ChartTexts, years: list[int], by_site: dict[str, list[Decimal | None]], locale: str,
              decimals: int = 0) -> str:
    chart = pygal.Bar(
        style=STYLE,
        js=(),  # no CDN script: the page works offline and without JavaScript
        disable_xml_declaration=True,
        width=720, height=380,
        explicit_size=False,  # scales with its container (CSS), keeping its viewBox
        print_values=True, print_values_position="top",
        value_formatter=lambda v: number(v, locale, decimals),
        legend_at_bottom=True, legend_at_bottom_columns=min(len(by_site), 5) or 1,
        y_title=texts.unit,
        include_x_axis=True,
        truncate_legend=-1,
        margin=12,
        max_scale=6,  # a handful of gridlines, not one per thousand
    )
    chart.title = texts.title
    chart.x_labels = [str(year) for year in years]
    if years:
        for site, values in by_site.items():
            chart.add(site, [None if v is None else float(v) for v in values])
    return _inline_svg(chart, texts.title)


def _inline_svg(chart: pygal.Bar, title: str) -> str:
    """The chart as an <svg> element to put in a page: without pygal's inline config script (it only
    feeds the tooltips we do not load, and a strict Content-Security-Policy would refuse it), and
    announced to screen readers as one image with its title."""
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if child.tag == "script":
                parent.remove(child)
    # pygal names legend entries "activate-serie-<n>" in every chart: unique within the page, by chart.
    chart_id = tree.get("id")
    for element in tree.iter():
        if element is not tree and element.get("id"):
            element.set("id", f"{chart_id}-{element.get('id')}")
    tree.set("role", "img")
    tree.set("aria-label", title)
    return ElementTree.tostring(tree, encoding="unicode")


def impact_charts(summary: dict, texts: dict[str, ChartTexts], locale: str) -> list[Chart]:
    """One chart per dimension, in the order of DIMENSIONS; `texts` is keyed by dimension."""
    charts = []
    for dimension in DIMENSIONS:
        years, by_site = series(summary, dimension)
        text = texts[dimension.key]
        rows = [(site, [number(v, locale, dimension.decimals) for v in values]) for site, values in by_site.items()]
        drawn = any(v is not None for values in by_site.values() for v in values)
        svg = bar_chart(text, years, by_site, locale, dimension.decimals) if drawn else ""
        charts.append(Chart(dimension.key, text.title, svg, years, rows))
    return charts
