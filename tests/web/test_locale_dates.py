"""Dates and decimals as the page's language writes them: English dates in Europe's English ("3 Dec 2026",
never "12/3/26"), no date in digits only, decimals inside messages through the number format."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from flask import render_template_string

from services.web import i18n
from services.web.messages import translate

AT_NOON_UTC = datetime(2026, 12, 3, 14, 4, tzinfo=timezone.utc)  # 15:04 in Vienna, the AT site's time zone


@pytest.mark.parametrize("lang, day, short, medium", [
    ("en", "3 Dec 2026", "3 Dec 2026, 15:04", "3 Dec 2026, 15:04:00"),
    ("de", "03.12.2026", "03.12.2026, 15:04", "03.12.2026, 15:04:00"),
    ("hu", "2026. dec. 3.", "2026. dec. 3. 15:04", "2026. dec. 3. 15:04:00"),
])
def test_dates_are_written_with_their_month_in_the_pages_language(at12, lang, day, short, medium):
    with at12.app.test_request_context(f"/?lang={lang}"):
        at12.app.preprocess_request()
        assert i18n.show_date("2026-12-03") == day == i18n.show_date("2026-12-03", "short")
        assert i18n.show_date(AT_NOON_UTC) == day
        assert render_template_string("{{ at|datetime('short') }}", at=AT_NOON_UTC) == short
        assert render_template_string("{{ at|datetime }}", at="2026-12-03T14:04:00Z") == medium


def test_a_late_evening_in_utc_is_the_next_day_at_the_site(at12):
    with at12.app.test_request_context("/?lang=en"):
        assert i18n.show_date(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)) == "1 Jan 2027"


@pytest.mark.parametrize("lang, left, hours", [("de", "2.451,428", "3,5"), ("hu", "2\u00a0451,428", "3,5"),
                                               ("en", "2,451.428", "3.5")])
def test_decimals_inside_a_message_are_written_as_the_page_writes_numbers(at12, lang, left, hours):
    with at12.app.test_request_context(f"/?lang={lang}"):
        shown = translate("the firm's further allowance has 2451.428 hours left; 3.5 hours do not fit")
    assert f"{left} " in shown and f" {hours} " in shown and "2451.428" not in shown


def test_whole_numbers_inside_a_message_stay_as_written_they_may_be_codes(at12):
    with at12.app.test_request_context("/?lang=de"):
        assert translate("18930001 is not a CPV 2008 code") == "18930001 ist kein CPV-2008-Code."
