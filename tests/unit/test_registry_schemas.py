"""The registry API's request schemas refuse what the database would choke on. Pure: no app, no I/O."""
from decimal import Decimal

import marshmallow as ma
import pytest

from services.registry import schemas
from services.registry.statements import Person

OFFER = {"organisation_id": "00000000-0000-0000-0000-000000000001", "title": "Pallet furniture",
         "description": "Upcycled", "cpv_codes": ["39100000-2"], "capacity_per_week": "12.5", "unit": "pieces",
         "lead_time_days": 14}


def errors(schema, data) -> dict:
    with pytest.raises(ma.ValidationError) as excinfo:
        schema.load(data)
    return excinfo.value.messages


def test_a_valid_offer_loads_with_decimals_and_normalised_codes():
    loaded = schemas.OfferSchema().load({**OFFER, "price_min": 10.1})
    assert loaded["cpv_codes"] == ["39100000"]
    assert loaded["capacity_per_week"] == Decimal("12.5") and loaded["price_min"] == Decimal("10.1")


@pytest.mark.parametrize("field,value", [
    ("title", "nul\x00byte"), ("title", "lone \ud800 surrogate"), ("title", "x" * 201), ("title", "   "),
    ("title", 42), ("capacity_per_week", "1e400"), ("capacity_per_week", "NaN"), ("capacity_per_week", 0),
    ("capacity_per_week", "0.00001"), ("lead_time_days", 10 ** 30), ("lead_time_days", "14"),
    ("lead_time_days", True), ("cpv_codes", ["4500"]), ("cpv_codes", "45000000"), ("currency", "euro"),
    ("organisation_id", "not-a-uuid"), ("surprise", 1),
])
def test_bad_offer_fields_are_field_errors(field, value):
    assert field in errors(schemas.OfferSchema(), {**OFFER, field: value})


def test_a_patch_may_name_some_fields_but_not_the_organisation():
    assert schemas.OfferPatch.load({"title": "New"}) == {"title": "New"}
    assert "organisation_id" in errors(schemas.OfferPatch, {"organisation_id": OFFER["organisation_id"]})


def test_consent_must_be_a_boolean_and_person_fields_become_a_person():
    form = {"kind": "person", "first_name": " Hans ", "last_name": "Maier", "consent": True, "nuts3": "AT123"}
    loaded = schemas.StatementSchema().load(form)
    assert loaded["person"] == Person("Hans", "Maier")
    assert "consent" in errors(schemas.StatementSchema(), {**form, "consent": "maybe"})
    assert "email" in errors(schemas.StatementSchema(), {**form, "email": "not-an-email"})


def test_query_filters():
    loaded = schemas.OfferQuery().load({"cpv": "39100000", "nuts": "at12", "page": "2"})
    assert loaded == {"cpv": "391", "nuts": "AT12", "page": 2, "per_page": 50}
    assert "nuts" in errors(schemas.OfferQuery(), {"nuts": "A"})
    assert "page" in errors(schemas.OfferQuery(), {"page": str(10 ** 40)})
    assert "q" in errors(schemas.OfferQuery(), {"q": "a\x00"})
