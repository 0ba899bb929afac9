"""Numbers typed in the page's language on the cross-border forms (services.enquiries.crossborder.page_numbers):
German and Hungarian grouping and decimal commas, the API's own form, and what is no number (left as typed,
so that the API's schema refuses it beside the field)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.enquiries.crossborder.page_numbers import as_api_numbers, read_decimal


@pytest.mark.parametrize("locale, typed, number", [
    ("de", "2.400,50", "2400.50"), ("de", "2400,50", "2400.50"), ("de", "1,5", "1.5"), ("de", "1.250", "1250"),
    ("de", "1.5", "1.5"), ("de", "2400.50", "2400.50"), ("de", " 12 ", "12"),
    ("hu", "2 400,50", "2400.50"), ("hu", "2\u00a0400,50", "2400.50"), ("hu", "1,5", "1.5"),
    ("hu", "1 440 600,5", "1440600.5"), ("en", "2,400.50", "2400.50"), ("en", "1.5", "1.5"),
])
def test_numbers_are_read_in_the_pages_language(locale, typed, number):
    assert read_decimal(typed, locale) == Decimal(number)


@pytest.mark.parametrize("locale, typed", [
    ("de", "zweitausend"), ("de", "1,234,5"), ("de", ""), ("hu", "2.400,50"), ("en", "1,5"), ("de", "NaN"),
    ("de", "Infinity"), ("de", "--1"),
])
def test_what_is_no_number_is_none(locale, typed):
    assert read_decimal(typed, locale) is None


def test_a_form_body_gets_the_apis_numbers_and_keeps_what_is_no_number(at12):
    with at12.app.test_request_context("/?lang=de"):
        body = as_api_numbers({"quantity": "1.200", "lot": "1,5", "value_paid": "2.400,50", "kg": "viel", "note": "x"},
                              decimals=("value_paid", "kg"), integers=("quantity", "lot"))
    assert body == {"quantity": 1200, "lot": "1,5", "value_paid": "2400.50", "kg": "viel", "note": "x"}

