"""The agency's impact charts (pure): the figures per site and year, numbers in the page's locale,
inline SVG without any script, and no empty axes when nothing is recorded."""
from __future__ import annotations

import re
from decimal import Decimal
from xml.etree import ElementTree

from services.hub.web.charts import DIMENSIONS, ChartTexts, impact_charts, number, series, with_mean_distances
from services.hub.enquiries.impact import Cell, summarise


def cell(site: str, year: int, records: int = 1, eur: str = "0", kg: str = "0", km: str = "0", hours: str = "0"):
    return Cell(site, year, records, Decimal(eur), Decimal(kg), Decimal(0), 0, Decimal(km), Decimal(hours))


TEXTS = {d.key: ChartTexts(f"Titel {d.key}", "Einheit") for d in DIMENSIONS}

SUMMARY = with_mean_distances(summarise(["AT11", "AT12", "HU22"], [
    cell("AT12", 2025, records=2, eur="14800.5", kg="1250", km="80", hours="2100"),
    cell("AT12", 2026, eur="3000", hours="50", km="10"),
    cell("HU22", 2025, eur="9300", kg="640", km="120", hours="1400"),
]), {("AT12", 2025): Decimal("80"), ("AT12", 2026): Decimal("10"), ("HU22", 2025): Decimal("120")})


def test_one_chart_per_dimension_with_each_sites_figure_per_year():
    charts = impact_charts(SUMMARY, TEXTS, "de")
    assert [c.key for c in charts] == ["economic", "ecological", "regional", "social"]
    economic, ecological, regional, social = charts
    assert economic.years == [2025, 2026]
    assert economic.rows == [("AT11", ["", ""]), ("AT12", ["14.800", "3.000"]), ("HU22", ["9.300", ""])]
    assert ecological.rows[1] == ("AT12", ["1.250", "0"])
    # regional: the mean distance of the deliveries that state one (given per site and year), not the sum
    assert regional.rows[1] == ("AT12", ["80,0", "10,0"])
    assert social.rows[2] == ("HU22", ["1.400", ""])


def test_a_year_whose_records_state_no_distance_has_no_mean_distance():
    summary = summarise(["AT12"], [cell("AT12", 2025, records=3, eur="10", km="0")])
    regional = impact_charts(with_mean_distances(summary, {}), TEXTS, "en")[2]
    assert regional.rows == [("AT12", [""])] and regional.svg == "", "unknown, not 0 km"
    economic = impact_charts(with_mean_distances(summary, {}), TEXTS, "en")[0]
    assert economic.rows == [("AT12", ["10"])] and economic.svg


def test_numbers_follow_the_locale():
    assert number(Decimal("14800.5"), "de") == "14.800"
    assert number(Decimal("14800.5"), "en", 1) == "14,800.5"
    assert number(Decimal("14800.5"), "hu", 1) == "14\xa0800,5"
    assert number(None, "en") == ""


def test_the_svg_is_inline_without_script_and_titled_in_the_given_language():
    svg = impact_charts(SUMMARY, TEXTS, "de")[0].svg
    root = ElementTree.fromstring(svg)  # well-formed, one element
    assert root.tag.endswith("svg") and not svg.startswith("<?xml")
    assert "script" not in svg and "kozea.github.io" not in svg
    assert root.get("role") == "img" and root.get("aria-label") == "Titel economic"
    printed = re.findall(r">([0-9.,\xa0 ]+)</text>", svg)
    assert "14.800" in printed and "9.300" in printed, "values are printed on the bars, readable without JS"
    assert {"AT11", "AT12", "HU22"} <= set(re.findall(r">(AT\d\d|HU\d\d)</text>", svg)), "a legend entry per site"


def test_ids_stay_unique_when_several_charts_share_a_page():
    charts = impact_charts(SUMMARY, TEXTS, "de")
    ids = re.findall(r'\bid="([^"]+)"', "".join(c.svg for c in charts))
    assert len(ids) == len(set(ids)) > 4


def test_no_impact_yet_draws_no_empty_axes():
    charts = impact_charts(with_mean_distances(summarise(["AT11", "HU22"], []), {}), TEXTS, "de")
    assert [(c.has_data, c.svg, c.title) for c in charts][0] == (False, "", "Titel economic")
    assert all(not c.has_data and c.svg == "" for c in charts)
    assert series(summarise(["AT11"], []), DIMENSIONS[0]) == ([], {"AT11": []})
