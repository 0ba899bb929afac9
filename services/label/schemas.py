"""Request and response schemas of the label API. Unknown fields are refused (422), never ignored.

Evidence figures are decimals (a JSON string or number; never NaN); whether one fits its criterion's
range (a percentage 0-100) is the catalogue's to say, with the criterion as the field of the message.
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from services.common.api import PageQuery, page_schema
from services.common.db import plain
from services.common.fields import Id, patch_schema, storable as _storable
from services.contracts.events.label import LABEL_STATUSES
from services.label.model import OUTCOMES
from services.contracts import cpv

CRITERION_ID = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$", error="a criterion id, e.g. se_share")


def Text(max_length: int, **kwargs):
    return ma.fields.String(validate=[validate.Length(min=1, max=max_length), _storable], **kwargs)


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class KnownCpvCode(ma.fields.String):
    """A code of the CPV 2008 vocabulary (`18930000` or `18930000-7`), loaded as the eight digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = cpv.normalise(super()._deserialize(value, attr, data, **kwargs))
        if code is None or not cpv.is_known(code):
            raise ma.ValidationError("not a code of the CPV 2008 vocabulary, e.g. 18930000")
        return code


class Figure(ma.fields.Decimal):
    """Kept as a plain decimal string, so that evidence is JSON and exact."""

    def __init__(self, **kwargs):
        super().__init__(as_string=True, allow_none=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        number = super()._deserialize(value, attr, data, **kwargs)
        if not -10 ** 9 <= number <= 10 ** 9:
            raise ma.ValidationError("a figure between -10^9 and 10^9")
        return str(plain(number))


class LabelDocumentSchema(Strict):
    id = Id()  # an uploaded document's (services/label/documents.py); a declared one has none
    sha256 = ma.fields.String(required=True, validate=validate.Regexp(
        r"^[0-9a-fA-F]{64}$", error="a SHA-256 digest: 64 hexadecimal digits"))
    size = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=0, max=10 ** 12))
    title = Text(200, load_default=None)

    @ma.post_load
    def lowercase(self, data, **kwargs):
        return {**data, "sha256": data["sha256"].lower()}


class LabelEvidenceSchema(Strict):
    figure = Figure(load_default=None)
    documents = ma.fields.List(ma.fields.Nested(LabelDocumentSchema), load_default=list,
                               validate=validate.Length(max=50))



class LabelApplicationSchema(Strict):
    id = ma.fields.String(dump_only=True)
    holder_organisation_id = Id(required=True)
    holder_name = Text(200, required=True)
    product = Text(200, required=True)
    cpv_codes = ma.fields.List(KnownCpvCode(), required=True, validate=validate.Length(min=1, max=20))
    evidence = ma.fields.Dict(keys=ma.fields.String(validate=CRITERION_ID),
                              values=ma.fields.Nested(LabelEvidenceSchema), load_default=dict,
                              validate=validate.Length(max=50))
    catalogue_version = ma.fields.Integer(dump_only=True)
    status = ma.fields.String(dump_only=True)
    assessment = ma.fields.Dict(dump_only=True, allow_none=True)
    decision = ma.fields.Dict(dump_only=True, allow_none=True)
    label_number = ma.fields.String(dump_only=True, allow_none=True)
    version = ma.fields.Integer(dump_only=True)


class LabelApplicationPatchSchema(LabelApplicationSchema):
    pass


ApplicationPatch = patch_schema(LabelApplicationPatchSchema, exclude=("holder_organisation_id",))


class LabelApplicationQuery(PageQuery):
    status = ma.fields.String(validate=validate.OneOf(
        ("draft", "submitted", "assessed", "returned", "granted", "refused", "withdrawn")))
    organisation_id = Id()


ApplicationPage = page_schema(LabelApplicationSchema, "LabelApplicationPage")


class LabelScoreSchema(Strict):
    score = ma.fields.Integer(strict=True, load_default=None, allow_none=True,
                              validate=validate.Range(min=0, max=100))
    reason = Text(2000, required=True)


class LabelAssessmentSchema(Strict):
    scores = ma.fields.Dict(keys=ma.fields.String(validate=CRITERION_ID), values=ma.fields.Nested(LabelScoreSchema),
                            required=True, validate=validate.Length(min=1, max=50))


class LabelDecisionSchema(Strict):
    outcome = ma.fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    reason = Text(2000, required=True)


class LabelSchema(ma.Schema):
    number = ma.fields.String()
    status = ma.fields.String()
    product = ma.fields.String()
    holder_organisation_id = ma.fields.String()
    holder_name = ma.fields.String()
    cpv_codes = ma.fields.List(ma.fields.String())
    deciding_site = ma.fields.String()
    valid_from = ma.fields.Date()
    valid_until = ma.fields.Date()
    suspended_until = ma.fields.Date(allow_none=True)
    catalogue_version = ma.fields.Integer()
    reason = ma.fields.String(allow_none=True)


class LabelQuery(PageQuery):
    holder = Text(200, metadata={"description": "an organisation id or a part of the holder's name"})
    cpv = ma.fields.String(validate=validate.Regexp(r"^[0-9]{2}([0-9]{6})?$",
                                                    error="a CPV division (two digits) or a full code"),
                           metadata={"description": "labels with a code in this CPV division"})
    status = ma.fields.String(validate=validate.OneOf(LABEL_STATUSES))


LabelPage = page_schema(LabelSchema, "LabelPage")


class LabelSuspensionSchema(Strict):
    until = ma.fields.Date(required=True)
    reason = Text(2000, required=True)


class LabelReasonSchema(Strict):
    reason = Text(2000, required=True)


class LabelOptionalReasonSchema(Strict):
    reason = Text(2000, load_default=None)


class LabelComplaintSchema(Strict):
    id = ma.fields.String(dump_only=True)
    label_number = ma.fields.String(load_default=None, validate=validate.Length(max=40))
    text = Text(5000, required=True)
    contact = Text(254, load_default=None, load_only=True)
    status = ma.fields.String(dump_only=True)
    resolution = ma.fields.String(dump_only=True, allow_none=True)
    tracking_url = ma.fields.String(dump_only=True)  # only in the filing's answer: the complainant's secret link


class LabelStaffComplaintSchema(LabelComplaintSchema):
    contact = ma.fields.String(allow_none=True)


class LabelComplaintQuery(PageQuery):
    status = ma.fields.String(validate=validate.OneOf(("open", "under_review", "upheld", "dismissed")))


ComplaintPage = page_schema(LabelStaffComplaintSchema, "LabelComplaintPage")


class LabelComplaintReviewSchema(Strict):
    status = ma.fields.String(required=True, validate=validate.OneOf(("under_review", "upheld", "dismissed")))
    resolution = Text(2000, load_default=None)
    action = ma.fields.String(load_default=None, validate=validate.OneOf(("suspend", "revoke")))
    suspend_until = ma.fields.Date(load_default=None)

    @ma.validates_schema
    def action_needs_upheld(self, data, **kwargs):
        if data.get("action") and data["status"] != "upheld":
            raise ma.ValidationError("only an upheld complaint suspends or revokes", "action")
        if data.get("action") == "suspend" and data.get("suspend_until") is None:
            raise ma.ValidationError("a suspension needs its end date", "suspend_until")


class LabelAuditEntrySchema(ma.Schema):
    subject = ma.fields.String()
    subject_id = ma.fields.String()
    action = ma.fields.String()
    actor = ma.fields.String()
    at = ma.fields.DateTime()
    reason = ma.fields.String(allow_none=True)
    details = ma.fields.Dict()
