"""Shaping the statistics per site (pure)."""
from __future__ import annotations

from services.hub.register.stats import summarise
from services.common.db import offset_of


def test_every_listed_site_appears_with_zeros():
    body = summarise(["AT11", "HU22"], [], [], [])
    assert [s["site"] for s in body["sites"]] == ["AT11", "HU22"]
    at11 = body["sites"][0]
    assert at11["members"] == {"total": 0, "by_kind": {"social_enterprise": 0, "economic_enterprise": 0,
                                                      "public_institution": 0, "consulting_institution": 0}}
    assert at11["support_statements"] == {"total": 0, "by_kind": {"person": 0, "organisation": 0},
                                          "by_region": {}, "by_kind_and_region": []}
    assert at11["enquiries"]["total"] == 0
    assert set(at11["enquiries"]["by_state"]) >= {"submitted", "matching", "delivered", "cancelled", "expired"}
    assert set(at11["enquiries"]["by_state"].values()) == {0}
    assert at11["enquiries"]["by_type"] == {"service": 0, "production_step": 0, "recycling_upcycling": 0,
                                            "csr_product": 0, "give_away": 0}
    assert body["totals"] == {"members": 0, "offers_published": 0, "support_statements": 0, "enquiries": 0}


def test_enquiries_are_counted_per_site_state_and_type():
    body = summarise(["AT12", "HU22"], [], [], [], enquiries=[
        ("AT12", "submitted", "service", 2), ("AT12", "submitted", "give_away", 1),
        ("AT12", "delivered", "service", 4), ("HU22", "cancelled", "csr_product", 1)])
    at12, hu22 = body["sites"]
    assert at12["enquiries"]["total"] == 7
    assert (at12["enquiries"]["by_state"]["submitted"], at12["enquiries"]["by_state"]["delivered"]) == (3, 4)
    assert (at12["enquiries"]["by_type"]["service"], at12["enquiries"]["by_type"]["give_away"]) == (6, 1)
    assert (hu22["enquiries"]["total"], hu22["enquiries"]["by_state"]["cancelled"]) == (1, 1)
    assert body["totals"]["enquiries"] == 8


def test_counts_are_grouped_per_site_kind_and_region():
    body = summarise(
        ["AT12", "HU22"],
        members=[("AT12", "social_enterprise", 3), ("AT12", "public_institution", 1), ("HU22", "social_enterprise", 2)],
        offers=[("AT12", 5), ("HU22", 1)],
        statements=[("AT12", "person", "AT127", 4), ("AT12", "organisation", "AT127", 1),
                    ("AT12", "person", "AT123", 2)],
    )
    at12 = body["sites"][0]
    assert at12["members"]["total"] == 4 and at12["members"]["by_kind"]["public_institution"] == 1
    assert at12["offers_published"] == 5
    assert at12["support_statements"]["by_kind"] == {"person": 6, "organisation": 1}
    assert at12["support_statements"]["by_region"] == {"AT127": 5, "AT123": 2}
    assert at12["support_statements"]["by_kind_and_region"] == [
        {"nuts3": "AT123", "kind": "person", "count": 2},
        {"nuts3": "AT127", "kind": "organisation", "count": 1},
        {"nuts3": "AT127", "kind": "person", "count": 4},
    ]
    assert body["totals"] == {"members": 6, "offers_published": 6, "support_statements": 7, "enquiries": 0}


def test_a_site_not_listed_but_reporting_is_still_shown():
    # A site dropped from the federation file keeps its history visible rather than silently vanishing.
    body = summarise(["AT12"], [("SI03", "social_enterprise", 1)], [], [])
    assert [s["site"] for s in body["sites"]] == ["AT12", "SI03"]


def test_page_offset():
    assert (offset_of(1, 50), offset_of(3, 20)) == (0, 40)


def test_searchable_text_folds_beyond_ascii():
    # Folded in Python, so SQLite (whose lower() is ASCII-only) finds "PÖLTEN" and "strasse" too.
    from services.hub.rows import searchable

    text = searchable("Textilwerkstatt St. Pölten", None, "Hauptstraße")
    assert "pölten" in text and "strasse" in text and "PÖLTEN".casefold() in text
