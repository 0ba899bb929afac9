"""The public expert API (`GET /api/v1/experts`), which every site serves and the hub asks at request
time: the query both understand, and the answer a site gives and the hub validates before it merges.

The answer holds only experts who consented to a public profile; the hub keeps none of it.
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from services.common.fields import storable as _storable
from services.contracts import cpv

LANGUAGES = ("de", "hu", "en")
MAX_EXPERTS = 50  # a site answers at most this many per request (the first page, by name)
MAX_PUBLICATIONS = 10
REGION = validate.Regexp(r"^[A-Z]{2}[0-9A-Z]{1,3}$", error="a NUTS code or prefix, e.g. AT12")


def is_cpv_division(code: str) -> bool:
    """`45` is a division of the CPV (45000000, construction work)."""
    return isinstance(code, str) and len(code) == 2 and code.isdigit() and cpv.is_known(code + "000000")


class Division(ma.fields.String):
    """A CPV division: two digits, e.g. 45 (construction work)."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not is_cpv_division(value):
            raise ma.ValidationError("not a CPV division (two digits, e.g. 45)")
        return value


class ExpertQuery(ma.Schema):
    """The filters; every one optional. `q` looks in names, summaries and publication titles."""

    class Meta:
        unknown = ma.RAISE

    division = Division(metadata={"description": "a CPV division, e.g. 45"})
    language = ma.fields.String(validate=validate.OneOf(LANGUAGES))
    region = ma.fields.String(validate=REGION, metadata={"description": "a NUTS-2 or NUTS-3 code, e.g. AT12"})
    q = ma.fields.String(validate=[validate.Length(min=1, max=100), _storable],
                         metadata={"description": "words of a name, summary or publication title"})
    limit = ma.fields.Integer(load_default=MAX_EXPERTS, validate=validate.Range(min=1, max=MAX_EXPERTS))


class PublicationSchema(ma.Schema):
    title = ma.fields.String(required=True, validate=validate.Length(min=1, max=300))
    year = ma.fields.Integer(required=True, validate=validate.Range(min=1900, max=2100))
    url = ma.fields.String(allow_none=True, load_default=None, validate=[
        validate.Length(max=500), validate.Regexp(r"^https?://[^\s]+$", error="an http(s) address")])


class ExpertSchema(ma.Schema):
    """One expert's public profile, as a site publishes it."""

    class Meta:
        unknown = ma.EXCLUDE  # a newer site may say more; the hub passes on only these fields

    id = ma.fields.String(required=True, validate=validate.Length(min=1, max=36))
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    expertise = ma.fields.List(ma.fields.String(validate=validate.Regexp(r"^[0-9]{2}$")), required=True,
                               validate=validate.Length(max=50))
    languages = ma.fields.List(ma.fields.String(validate=validate.OneOf(LANGUAGES)), required=True,
                               validate=validate.Length(max=3))
    region = ma.fields.String(allow_none=True, load_default=None, validate=REGION)
    summaries = ma.fields.Dict(keys=ma.fields.String(validate=validate.OneOf(LANGUAGES)),
                               values=ma.fields.String(validate=validate.Length(max=1000)), load_default=dict)
    publications = ma.fields.List(ma.fields.Nested(PublicationSchema), load_default=list,
                                  validate=validate.Length(max=MAX_PUBLICATIONS))


class ExpertAnswerSchema(ma.Schema):
    """A site's whole answer: its experts matching the query (at most `limit`) and how many match."""

    class Meta:
        unknown = ma.EXCLUDE

    items = ma.fields.List(ma.fields.Nested(ExpertSchema), required=True,
                           validate=validate.Length(max=MAX_EXPERTS))
    total = ma.fields.Integer(required=True, validate=validate.Range(min=0))
