"""Request and response schemas of the appeals API. Unknown fields are refused (422), never ignored."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from services.common.api import PageQuery, page_schema
from services.common.fields import Id
from services.label.appeal_model import AGAINST, GROUNDS_MAX, OUTCOMES, STATUSES
from services.label.schemas import Strict, Text

REQUIRED = "Missing data for required field."


class LabelAppealSchema(Strict):
    id = ma.fields.String(dump_only=True)
    against = ma.fields.String(required=True, validate=validate.OneOf(AGAINST),
                               metadata={"description": "refused (an application), suspended or revoked (a label)"})
    application_id = Id(load_default=None, metadata={"description": "the refused application"})
    label_number = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=40),
                                    metadata={"description": "the suspended or revoked label"})
    grounds = Text(GROUNDS_MAX, required=True)
    holder_organisation_id = ma.fields.String(dump_only=True)
    filed_by = ma.fields.String(dump_only=True)
    status = ma.fields.String(dump_only=True)
    decided_by = ma.fields.String(dump_only=True, allow_none=True)
    decision_reason = ma.fields.String(dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)
    decided_at = ma.fields.DateTime(dump_only=True, allow_none=True)

    @ma.validates_schema
    def names_what_it_is_against(self, data, **kwargs):
        against = data.get("against")
        if against == "refused" and not data.get("application_id"):
            raise ma.ValidationError(REQUIRED, "application_id")
        if against in ("suspended", "revoked") and not data.get("label_number"):
            raise ma.ValidationError(REQUIRED, "label_number")


class LabelStaffAppealSchema(LabelAppealSchema):
    """Staff also see who decided before (and so may not decide the appeal)."""
    excluded = ma.fields.List(ma.fields.String(), dump_only=True)


class LabelAppealQuery(PageQuery):
    status = ma.fields.String(validate=validate.OneOf(STATUSES))


AppealPage = page_schema(LabelStaffAppealSchema, "LabelAppealPage")


class LabelAppealDecisionSchema(Strict):
    outcome = ma.fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    reason = Text(2000, required=True)
