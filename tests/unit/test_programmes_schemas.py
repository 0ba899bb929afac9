"""Request schemas of the programmes API: what a client sends is a value or a 422 naming the field."""
from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
import pytest

from services.enquiries.programmes.applications import Firm
from services.enquiries.programmes.hours import is_quarter_hours
from services.enquiries.programmes.schemas import ConsultantSchema, ProgrammeApplicationSchema, ProgrammeSchema

PROGRAMME = {"name": "P", "funder": "F", "starts_on": "2026-01-01", "ends_on": "2026-12-31", "places": 10}


@pytest.mark.parametrize("hours, quarter", [
    ("1", True), ("1.25", True), ("2.50000", True), ("1e3", True), ("0.1", False),
    ("1.0000000000000000000000000001", False), ("1e-999999999", False), ("1E+20", False),
])
def test_quarter_hours_are_checked_on_the_digits(hours, quarter):
    assert is_quarter_hours(Decimal(hours)) is quarter


def test_a_programme_defaults_to_four_plus_ten_hours():
    loaded = ProgrammeSchema().load(PROGRAMME)
    assert (loaded["first_consultation_hours"], loaded["further_hours"]) == (4, 10)


@pytest.mark.parametrize("field, value", [
    ("places", 0), ("places", "10"), ("places", 1.5), ("further_hours", "-0.25"), ("further_hours", "0.3"),
    ("further_hours", "NaN"), ("further_hours", "1e999999999"), ("first_consultation_hours", 1e308),
    ("ends_on", "2025-12-31"), ("name", "\ud800"), ("funder", " "),
])
def test_invalid_programme_fields(field, value):
    with pytest.raises(ma.ValidationError) as raised:
        ProgrammeSchema().load({**PROGRAMME, field: value})
    assert field in raised.value.messages


def test_an_application_is_a_firm():
    firm = ProgrammeApplicationSchema().load({"firm_name": " Bau AG ", "organisation_id": None})
    assert firm == Firm("Bau AG", None)
    with pytest.raises(ma.ValidationError) as raised:
        ProgrammeApplicationSchema().load({"firm_name": "X", "organisation_id": "nope"})
    assert "organisation_id" in raised.value.messages


@pytest.mark.parametrize("field, value", [
    ("languages", ["fr"]), ("languages", []), ("expertise", ["46"]), ("expertise", ["4500"]), ("expertise", [45]),
])
def test_invalid_consultant_fields(field, value):
    body = {"name": "Eva Kern", "expertise": ["45"], "languages": ["de"], field: value}
    with pytest.raises(ma.ValidationError) as raised:
        ConsultantSchema().load(body)
    assert field in raised.value.messages
