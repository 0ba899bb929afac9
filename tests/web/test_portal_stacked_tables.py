"""Tables that stack on a phone (a wrapper with `stack`, sopro.css) name each cell's column in its
data-label, in the page's language, exactly as the header does: the label is all a phone shows."""
from __future__ import annotations

import re
from html import unescape

from services.common import inbox

STACKED = re.compile(r'<div class="table-wrap stack"><table>(.*?)</table></div>', re.S)


def cells_and_columns(table: str) -> list[tuple[str | None, str]]:
    """(data-label, its column's header) for every cell of every full row."""
    headers = [unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
    pairs = []
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[1], re.S):
        cells = re.findall(r"<td([^>]*)>", row)
        if len(cells) == len(headers):
            labels = [re.search(r'data-label="([^"]*)"', attrs) for attrs in cells]
            pairs += [(unescape(m.group(1)) if m else None, header) for m, header in zip(labels, headers)]
    return pairs


def test_the_operations_tables_label_every_cell_with_its_column(at12):
    with at12.runtime.engine.begin() as conn:
        inbox.record_dead_letter(conn, "registry.hub", "unknown organisation", "{}", "HU22/registry", 7)
    browser = at12.browser()
    browser.login("admin")
    for lang, column in (("de", "Begründung"), ("en", "Reason")):
        browser.get(f"/office/operations?lang={lang}")
        tables = STACKED.findall(browser.page)
        assert len(tables) == 2
        pairs = [pair for table in tables for pair in cells_and_columns(table)]
        assert (column, column) in pairs  # the dead letter's row, in the page's language
        assert all(label == header for label, header in pairs), pairs
