"""Hostile query strings on the hub's pages, the hub on SQLite and on PostgreSQL (the `network` of
tests/support/hub_pages.py): every filter value is refused or shown escaped, never a 5xx."""
from __future__ import annotations


HOSTILE = ["\x00", "a" * 5000, "'; drop table hub_enquiries;--", "%_", "-1", "1e309", "99999999999999999999", "<b>"]
FILTERS = {
    "/agency/members": ("site", "kind", "cpv", "region", "q", "page", "per_page"),
    "/agency/offers": ("site", "kind", "cpv", "region", "q", "page"),
    "/agency/enquiries": ("site", "type", "state", "cpv", "year", "cross_border_flagged", "page"),
    "/agency/cross-border": ("site", "status", "page"),
    "/agency/impact": ("site", "year"),
    "/labels": ("holder", "site", "status", "cpv", "page"),
    "/labels/verify": ("number",),
}


def test_hostile_filter_values_are_refused_or_shown_never_a_5xx(network):
    browser = network["hub"].browser("analyst")  # Browser.get asserts no 500 and keeps the page
    for path, names in FILTERS.items():
        for name in names:
            for value in HOSTILE:
                status = browser.get(path, query_string={name: value}).status_code
                assert status in (200, 404, 422), (path, name, value[:20], status)
                assert "<b>" not in browser.page, "what was typed is escaped"
