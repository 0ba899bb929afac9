"""The agency's criteria catalogues: `hub.criteria.published`, a directed message from the hub to every
member site (DESIGN.md §3, `to` set, signed by the hub like all its messages).

A version's data is the catalogue in the shape of the bundled first one (services/label/data/
criteria-v1.yaml): title and every criterion's text in de, hu and en, what evidence a criterion asks
for, and how it is scored. It applies from `applies_from` on; a decision keeps the version it was made
under. A catalogue is about criteria, never about persons: it carries no personal data.

`CatalogueData` is also what the hub checks a new version with before it publishes it (the rules a JSON
Schema cannot say, such as a threshold's minimum inside its figure's range, are in `validates_schema`).
"""
from __future__ import annotations

from dataclasses import dataclass

import marshmallow as ma
from marshmallow import validate

from services.common.events import EventData, event_type
from services.common.fields import storable

LANGUAGES = ("de", "hu", "en")
KINDS = ("threshold", "scored")
FAMILIES = ("social", "ecological", "quality")
CRITERION_ID = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$",
                               error="lower-case letters, digits and underscores, starting with a letter")
MAX_SCORE = 10
MAX_VALIDITY_YEARS = 10
MAX_CRITERIA = 50  # bounds what one message and one form carry


def _not_negative(value) -> None:
    # A plain function, not validate.Range: the JSON Schema of a decimal string cannot say "minimum".
    if value < 0:
        raise ma.ValidationError("must not be negative")


def _text(**kwargs):
    return ma.fields.String(required=True, validate=[validate.Length(min=1, max=1000), storable], **kwargs)


class TextsData(EventData):
    """One text in each of the network's languages."""

    de = _text()
    hu = _text()
    en = _text()


class FigureData(EventData):
    name = ma.fields.String(required=True, validate=CRITERION_ID)
    unit = ma.fields.String(required=True, validate=[validate.Length(min=1, max=32), storable])
    min = ma.fields.Decimal(required=True, as_string=True, validate=_not_negative)
    max = ma.fields.Decimal(required=True, as_string=True, validate=_not_negative)

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        if "min" in data and "max" in data and data["min"] >= data["max"]:
            raise ma.ValidationError("must be greater than the lowest value", "max")


class EvidenceData(EventData):
    figure = ma.fields.Nested(FigureData, metadata={"description": "the figure an applicant states, if any"})
    documents = ma.fields.List(ma.fields.String(validate=CRITERION_ID), validate=validate.Length(max=20),
                               metadata={"description": "kinds of documents that show it"})


class ScoringData(EventData):
    minimum = ma.fields.Decimal(as_string=True, validate=_not_negative,
                                metadata={"description": "threshold: the figure needed to pass"})
    max_score = ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_SCORE),
                                  metadata={"description": "scored: the highest score"})
    min_score = ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_SCORE),
                                  metadata={"description": "scored: the score needed to pass"})


class CriterionData(EventData):
    id = ma.fields.String(required=True, validate=CRITERION_ID)
    family = ma.fields.String(required=True, validate=validate.OneOf(FAMILIES))
    kind = ma.fields.String(required=True, validate=validate.OneOf(KINDS))
    text = ma.fields.Nested(TextsData, required=True)
    evidence = ma.fields.Nested(EvidenceData, required=True)
    scoring = ma.fields.Nested(ScoringData, required=True)

    @ma.validates_schema(skip_on_field_errors=False)  # said with the fields' messages, in one round
    def _scorable(self, data, **kwargs):
        """A threshold passes on its figure (a minimum inside the figure's range); a scored one on a score.
        Parts whose own fields are wrong are absent from `data`: their rules wait for them."""
        if "evidence" not in data or "scoring" not in data:
            return
        evidence, scoring = data["evidence"], data["scoring"]
        figure = evidence.get("figure")
        if data.get("kind") == "threshold":
            if figure is None:
                raise ma.ValidationError({"evidence": {"figure": ["a threshold criterion needs a figure"]}})
            if scoring.get("minimum") is None:
                raise ma.ValidationError({"scoring": {"minimum": ["a threshold criterion needs a minimum"]}})
            if "min" in figure and "max" in figure and not figure["min"] <= scoring["minimum"] <= figure["max"]:
                raise ma.ValidationError({"scoring": {"minimum": [
                    f"must be between {figure['min']} and {figure['max']}"]}})
        elif data.get("kind") == "scored":
            if scoring.get("max_score") is None or scoring.get("min_score") is None:
                raise ma.ValidationError({"scoring": {"max_score": ["a scored criterion needs a highest score and "
                                                                    "a score needed to pass"]}})
            if scoring["min_score"] > scoring["max_score"]:
                raise ma.ValidationError({"scoring": {"min_score": ["must not be above the highest score"]}})
        if figure is None and not evidence.get("documents"):
            raise ma.ValidationError({"evidence": {"documents": ["a criterion without a figure needs documents"]}})


class CatalogueData(EventData):
    version = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=2),
                                metadata={"description": "version 1 is bundled with every site"})
    applies_from = ma.fields.Date(required=True, metadata={"description": "new applications use it from this day"})
    title = ma.fields.Nested(TextsData, required=True)
    validity_years = ma.fields.Integer(required=True, strict=True,
                                       validate=validate.Range(min=1, max=MAX_VALIDITY_YEARS))
    regional = ma.fields.Dict(keys=ma.fields.String(validate=CRITERION_ID), required=True,
                              metadata={"description": "what counts as regional (e.g. radius_km)"})
    criteria = ma.fields.List(ma.fields.Nested(CriterionData), required=True,
                              validate=validate.Length(min=1, max=MAX_CRITERIA))

    @ma.validates_schema
    def _unique_ids(self, data, **kwargs):
        ids = [c["id"] for c in data.get("criteria") or []]
        doubled = sorted({i for i in ids if ids.count(i) > 1})
        if doubled:
            raise ma.ValidationError(f"criterion ids must be unique: {', '.join(doubled)} twice", "criteria")


@event_type("hub.criteria.published", CatalogueData)
@dataclass(frozen=True)
class CriteriaPublished:
    """A version of the label's criteria catalogue, as the agency published it for the whole network: every
    member site stores it and makes new applications under it from `applies_from` on."""

    version: int
    applies_from: object
    title: dict
    validity_years: int
    regional: dict
    criteria: list
