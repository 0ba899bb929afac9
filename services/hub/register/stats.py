"""The agency's statistics per site: members by kind, offers published, support statements by kind
and region, enquiries by state and type. Only what counts today: active organisations and statements,
visible offers; enquiries in every state (the states say what became of them).

The counts are read from the tallies the database keeps as rows are written (`tallies`); `summarise` shapes them per site (pure, unit-tested), listing
every member site of the federation even when it has reported nothing yet.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from sqlalchemy import Connection

from services.contracts.events.enquiries import ENQUIRY_STATES, ENQUIRY_TYPES
from services.hub.register import tallies
from services.contracts.events.registry import ORGANISATION_KINDS, STATEMENT_KINDS


# The counts come from the tallies the triggers keep (`tallies`): a few rows per site, however many members.
members_by_kind = tallies.members_by_kind
offers_published = tallies.offers_published
support_statements = tallies.support_statements  # (site, kind, nuts3, count) of the statements that count
enquiries_by_state_and_type = tallies.enquiries_by_state_and_type


def summarise(sites: Iterable[str], members: Iterable[tuple[str, str, int]], offers: Iterable[tuple[str, int]],
              statements: Iterable[tuple[str, str, str, int]],
              enquiries: Iterable[tuple[str, str, str, int]] = ()) -> dict:
    """Shape the counts per site, with zeros where a site has nothing, plus totals over all sites."""
    per_site = {site: _empty_site(site) for site in sites}
    for site, kind, count in members:
        entry = per_site.setdefault(site, _empty_site(site))["members"]
        entry["by_kind"][kind] = entry["by_kind"].get(kind, 0) + count
        entry["total"] += count
    for site, count in offers:
        per_site.setdefault(site, _empty_site(site))["offers_published"] += count
    regions: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for site, kind, nuts3, count in statements:
        entry = per_site.setdefault(site, _empty_site(site))["support_statements"]
        entry["total"] += count
        entry["by_kind"][kind] = entry["by_kind"].get(kind, 0) + count
        entry["by_region"][nuts3] = entry["by_region"].get(nuts3, 0) + count
        regions[site][(nuts3, kind)] = regions[site].get((nuts3, kind), 0) + count
    for site, cells in regions.items():
        per_site[site]["support_statements"]["by_kind_and_region"] = [
            {"nuts3": nuts3, "kind": kind, "count": count} for (nuts3, kind), count in sorted(cells.items())
        ]
    for site, state, kind, count in enquiries:
        entry = per_site.setdefault(site, _empty_site(site))["enquiries"]
        entry["total"] += count
        entry["by_state"][state] = entry["by_state"].get(state, 0) + count
        entry["by_type"][kind] = entry["by_type"].get(kind, 0) + count
    ordered = [per_site[site] for site in sorted(per_site)]
    return {
        "sites": ordered,
        "totals": {
            "members": sum(s["members"]["total"] for s in ordered),
            "offers_published": sum(s["offers_published"] for s in ordered),
            "support_statements": sum(s["support_statements"]["total"] for s in ordered),
            "enquiries": sum(s["enquiries"]["total"] for s in ordered),
        },
    }


def _empty_site(site: str) -> dict:
    return {
        "site": site,
        "members": {"total": 0, "by_kind": {kind: 0 for kind in ORGANISATION_KINDS}},
        "offers_published": 0,
        "support_statements": {"total": 0, "by_kind": {kind: 0 for kind in STATEMENT_KINDS},
                               "by_region": {}, "by_kind_and_region": []},
        "enquiries": {"total": 0, "by_state": {state: 0 for state in ENQUIRY_STATES},
                      "by_type": {kind: 0 for kind in ENQUIRY_TYPES}},
    }


def statistics(conn: Connection, member_sites: Iterable[str], site: str | None = None) -> dict:
    sites = [site] if site else list(member_sites)
    return summarise(sites, members_by_kind(conn, site), offers_published(conn, site), support_statements(conn, site),
                     enquiries_by_state_and_type(conn, site))
