"""The spot-check page for staff (issue 17, item 5): an approver draws this year's spot checks in German with a
seed of their choice; the page shows the seed, share, population, the labels drawn with their re-assessment
and its status, and that the draw replays; a second draw of the year is refused in the page's language;
assessors read the page and find the spot checks in their queue, tagged; a seed with spaces or too long is
answered beside its field. A site of its own (AT12 in a fresh database): one draw per year and site."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from services.common.config import load_settings
from services.label import spot_checks
from tests.support.web import WebSite, field_errors, form_message

PAGE = "/office/labels/spot-checks"


@pytest.fixture(scope="module")
def site(tmp_path_factory, federation, federation_files):
    root = tmp_path_factory.mktemp("spot-checks")

    def make(site_id: str):
        return load_settings(site_id, env={}, federation=federation, db_url=f"sqlite:///{root / site_id}.sqlite",
                             bus_url="memory://", key_file=federation_files[1] / f"{site_id}.pem", var_dir=root,
                             rate_limit="100000/minute;10000/second", token_rate_limit="10000/minute",
                             public_write_rate_limit="10000/minute")
    return WebSite(make, "AT12")


def test_an_approver_draws_in_german_and_assessors_find_the_spot_checks_in_their_queue(site):
    numbers = sorted(site.granted_label() for _ in range(11))
    approver = site.browser()
    approver.login("approver")
    approver.get(f"{PAGE}?lang=de")
    assert "<h1>Stichproben</h1>" in approver.page and f'href="{PAGE}"' in approver.page  # its nav link
    assert "Noch keine Stichproben gezogen." in approver.page and "Anteil der gültigen Gütesiegel: 10 %" in approver.page

    assert approver.post(PAGE, {"seed": "zwei Wörter"}).status_code == 422
    assert list(field_errors(approver.page)) == ["f-seed"]
    assert approver.post(PAGE, {"seed": "x" * 65}).status_code == 422
    assert list(field_errors(approver.page)) == ["f-seed"]
    assert approver.post(PAGE, {"seed": "Lotto-2026-03-17-22-31-40-44"}).status_code == 302
    approver.get(PAGE)
    year = date.today().year
    expected = spot_checks.draw(numbers, Decimal("0.10"), "Lotto-2026-03-17-22-31-40-44")
    assert len(expected) == 2  # ceil(10 % of 11)
    assert f"Stichproben {year}" in approver.page and "Lotto-2026-03-17-22-31-40-44" in approver.page
    assert re.search(r"Reproduzierbar</dt><dd><span class=\"tag\">ja</span>", approver.page)
    assert re.findall(r'href="/office/labels/number/(SOPRO-AT12-\d{4}-\d{4})"', approver.page) == expected
    app_ids = re.findall(r'href="/office/labels/([0-9a-f-]{36})"', approver.page)
    assert len(app_ids) == 2
    assert 'name="seed"' not in approver.page  # drawn for this year: no second form

    assert approver.post(PAGE, {"seed": "noch-einmal"}).status_code == 409  # a stale form, or a second tab
    assert form_message(approver.page) == f"Die Stichproben {year} wurden bereits gezogen."

    assessor = site.browser()
    assessor.login("assessor")
    assessor.get(f"{PAGE}?lang=de")
    assert "Lotto-2026-03-17-22-31-40-44" in assessor.page and 'name="seed"' not in assessor.page
    assert assessor.post(PAGE, {"seed": "meins"}).status_code == 403
    status = site.ok("GET", f"/label-applications/{app_ids[0]}", "admin")["status"]
    assessor.get(f"/office/labels?status={status}")
    assert assessor.page.count("Stichprobe</span>") == 2
    assert all(f'href="/office/labels/{app_id}"' in assessor.page for app_id in app_ids)
