"""Request and response schemas of the stakeholder platform's API and forms."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from services.contracts.events.community import ACTIVE, LEFT, MEMBER_ROLES
from services.contracts.fields import Strict


class JoinSchema(Strict):
    organisation_id = ma.fields.UUID(required=True, metadata={"description": "an organisation registered at this site"})
    role = ma.fields.String(required=True, validate=validate.OneOf(MEMBER_ROLES))


class MemberSchema(Strict):
    organisation_id = ma.fields.String(dump_only=True)
    name = ma.fields.String(dump_only=True, allow_none=True, metadata={"description": "as registered at this site"})
    country = ma.fields.String(dump_only=True)
    role = ma.fields.String(dump_only=True)
    joined_on = ma.fields.Date(dump_only=True)
    left_on = ma.fields.Date(dump_only=True, allow_none=True)
    status = ma.fields.String(dump_only=True)


class MemberQuery(Strict):
    status = ma.fields.String(load_default=ACTIVE, validate=validate.OneOf((ACTIVE, LEFT, "all")))


class MemberList(Strict):
    items = ma.fields.List(ma.fields.Nested(MemberSchema), dump_only=True)
