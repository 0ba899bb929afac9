"""Numbers typed the way the page's language writes them, on every page form (services.web.numbers, read by
`forms.load` for every number field of the API's schema): German and Hungarian decimal commas and grouping,
English grouping, and what is no number refused beside its field in the page's language."""
from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
import pytest
from flask_babel import gettext

from services.web import forms
from services.web.numbers import read_decimal
from tests.support.web import field_errors


class Line(ma.Schema):
    amount = ma.fields.Decimal(as_string=True)


class Order(ma.Schema):
    """Numbers where page forms put them: at the top, in a nested object, a list and a dict's values."""
    quantity = ma.fields.Integer(strict=True)
    price = ma.fields.Decimal(as_string=True, data_key="unit_price")
    weight = ma.fields.Float()
    line = ma.fields.Nested(Line)
    lines = ma.fields.List(ma.fields.Nested(Line))
    scores = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(Line))
    note = ma.fields.String()


def loaded(site, lang: str, body: dict):
    with site.app.test_request_context(f"/?lang={lang}"):
        state = forms.FormState()
        return forms.load(Order(), body, state), state.errors


@pytest.mark.parametrize("lang, typed", [
    ("de", {"unit_price": "2.400,50", "quantity": "1.200", "weight": "1,5"}),
    ("de", {"unit_price": "2400,50", "quantity": "1200", "weight": "1.5"}),
    ("hu", {"unit_price": "2 400,50", "quantity": "1\u00a0200", "weight": "1,5"}),
    ("hu", {"unit_price": "2400,50", "quantity": "1200", "weight": "1,5"}),
    ("en", {"unit_price": "2,400.50", "quantity": "1,200", "weight": "1.5"}),
])
def test_a_form_reads_numbers_as_the_pages_language_writes_them(at12, lang, typed):
    data, errors = loaded(at12, lang, {**typed, "note": "1,5 as typed"})
    assert errors == {}
    assert data == {"price": Decimal("2400.50"), "quantity": 1200, "weight": 1.5, "note": "1,5 as typed"}


def test_nested_listed_and_dict_numbers_are_read_too(at12):
    data, errors = loaded(at12, "de", {"line": {"amount": "1.000,25"}, "lines": [{"amount": "3,5"}],
                                       "scores": {"a": {"amount": "7,25"}}})
    assert errors == {}
    assert data == {"line": {"amount": Decimal("1000.25")}, "lines": [{"amount": Decimal("3.5")}],
                    "scores": {"a": {"amount": Decimal("7.25")}}}


@pytest.mark.parametrize("lang, typed, message", [
    ("de", "zweitausend", "Bitte geben Sie eine Zahl ein."),
    ("de", "1,234,5", "Bitte geben Sie eine Zahl ein."),
    ("de", "1e5", "Bitte geben Sie eine Zahl ein."),  # Python reads it; a page does not
    ("hu", "2.400,50", "Kérjük, számot adjon meg."),
    ("en", "1,5", "Please enter a number."),
    ("en", "Infinity", "Please enter a number."),
])
def test_what_is_no_number_in_the_pages_language_is_refused_beside_its_field(at12, lang, typed, message):
    data, errors = loaded(at12, lang, {"unit_price": typed, "line": {"amount": typed}})
    assert data is None
    assert errors == {"unit_price": [message], "line.amount": [message]}


def test_a_whole_number_field_says_so_in_the_pages_language(at12):
    assert loaded(at12, "de", {"quantity": "viele"})[1] == {
        "quantity": ["Bitte geben Sie eine ganze Zahl ein."]}
    assert loaded(at12, "de", {"quantity": "1,5"})[1] == {"quantity": ["Bitte geben Sie eine ganze Zahl ein."]}


def test_the_enquiry_form_takes_german_and_hungarian_numbers(at12, hu22):
    for site, lang, quantity, budget in ((at12, "de", "2.400,50", "2400,50"), (hu22, "hu", "2 400,50", "1,5")):
        browser = site.browser()
        browser.get(f"/enquire?lang={lang}")
        assert browser.post("/enquire", {"quantity": quantity, "budget": budget}).status_code == 422  # the rest is empty
        errors = field_errors(browser.page)
        assert "f-quantity" not in errors and "f-budget" not in errors, errors
        assert "f-title" in errors
    browser.post("/enquire", {"quantity": "2.400,50"})  # a German number on the Hungarian page
    assert field_errors(browser.page)["f-quantity"] == ["Kérjük, számot adjon meg."]


def test_the_quarter_hour_hint_writes_its_example_in_the_pages_language(at12):
    for lang, example in (("de", "1,25"), ("hu", "1,25"), ("en", "1.25")):
        with at12.app.test_request_context(f"/?lang={lang}"):
            assert example in gettext("In quarter hours, e.g. 1.25")
            assert example in gettext("Please enter hours in quarter hours (e.g. 1.25).")
            assert read_decimal(example) == Decimal("1.25")
