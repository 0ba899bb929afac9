"""The contract of `hub.criteria.published`: what a catalogue must say (de, hu, en; unique ids; scores and
thresholds within their ranges), its JSON Schema, and that the hub and the sites start from the same
first version."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import marshmallow as ma
import pytest

from services.common.errors import Invalid
from services.common.events import Recorded
from services.contracts.events import declared_types
from services.contracts.events.criteria import CatalogueData, CriteriaPublished
from services.hub.criteria import publishing
from services.hub.criteria.store import GENESIS_FILE, genesis
from services.label import catalogue
from tests.support.criteria_governance import next_version

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "events" / "hub.criteria.published.v1.json"
TODAY = date(2026, 12, 5)


def errors_of(body: dict) -> dict:
    with pytest.raises(ma.ValidationError) as caught:
        CatalogueData().load(body)
    return caught.value.messages


def test_the_type_is_declared_with_its_schema():
    assert declared_types()[("hub.criteria.published", 1)] is CriteriaPublished


def test_a_published_catalogue_is_valid_against_its_json_schema_and_readable_by_a_site():
    loaded = CatalogueData().load(next_version(TODAY))
    data = Recorded(CriteriaPublished(**loaded), "2", 1).data()
    jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).validate(data)
    read = catalogue.from_dict(data)
    assert read.version == 2 and read.criterion("se_share").minimum == 40
    assert data["applies_from"] == "2026-12-05"


@pytest.mark.parametrize("change", [
    lambda b: b.update(version=1),
    lambda b: b["title"].pop("hu"),
    lambda b: b["criteria"][0].update(text={"de": "x", "en": "x"}),
    lambda b: b["criteria"][0].update(first_name="Anna"),
])
def test_the_json_schema_refuses_what_a_site_must_not_store(change):
    body = CatalogueData().dump(CatalogueData().load(next_version(TODAY)))
    change(body)
    assert not jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).is_valid(body)


def test_the_schema_has_no_personal_field():
    text = SCHEMA.read_text()
    for personal in ("first_name", "last_name", "email", "phone"):
        assert personal not in text


def test_every_text_is_needed_in_de_hu_and_en():
    body = next_version(TODAY)
    body["title"].pop("hu")
    body["criteria"][2]["text"]["en"] = ""
    errors = errors_of(body)
    assert errors["title"] == {"hu": ["Missing data for required field."]}
    assert "en" in errors["criteria"][2]["text"]


def test_criterion_ids_are_unique():
    body = next_version(TODAY)
    body["criteria"].append(dict(body["criteria"][1]))
    assert "regional_primary_products" in errors_of(body)["criteria"][0]


@pytest.mark.parametrize("scoring, field", [
    ({"minimum": "-1"}, "minimum"),
    ({"minimum": "101"}, "minimum"),
    ({}, "minimum"),
])
def test_a_threshold_is_a_minimum_inside_its_figure_range(scoring, field):
    body = next_version(TODAY)
    body["criteria"][0]["scoring"] = scoring
    assert field in errors_of(body)["criteria"][0]["scoring"]


@pytest.mark.parametrize("scoring, field", [
    ({"max_score": 5, "min_score": 6}, "min_score"),
    ({"max_score": 0, "min_score": 0}, "max_score"),
    ({"max_score": 11, "min_score": 2}, "max_score"),
    ({"min_score": 2}, "max_score"),
])
def test_scores_are_within_their_ranges(scoring, field):
    body = next_version(TODAY)
    body["criteria"][1]["scoring"] = scoring
    assert field in errors_of(body)["criteria"][1]["scoring"]


def test_a_figure_range_goes_upwards():
    body = next_version(TODAY)
    body["criteria"][1]["evidence"]["figure"].update(min="50", max="10")
    assert "max" in errors_of(body)["criteria"][1]["evidence"]["figure"]


def test_publishing_checks_the_next_number_and_the_day():
    with pytest.raises(Invalid) as caught:
        publishing.check(next_version(date(2026, 12, 4), version=3), newest=1, today=TODAY)
    assert caught.value.errors["version"] == ["the next version is 2"]
    assert caught.value.errors["applies_from"] == ["must not be in the past"]
    assert publishing.check(next_version(TODAY), newest=1, today=TODAY)["version"] == 2


def test_the_hub_and_the_sites_bundle_the_same_first_version():
    site_file = Path(catalogue.DATA_DIR) / "criteria-v1.yaml"
    assert GENESIS_FILE.read_text(encoding="utf-8") == site_file.read_text(encoding="utf-8")
    assert genesis().version == 1 and len(genesis().criteria) == len(catalogue.load(1).criteria)
