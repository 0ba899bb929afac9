"""HTTP API of the organisations supporting the platform (issue 19): a broker names the registered
organisation behind an organisation's statement of support (`services.registry.supporters`)."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from services.common.auth import roles
from services.common.runtime import current_runtime
from services.registry.api_blueprint import STAFF, actor, blp
from services.contracts.fields import Strict
from services.registry.schemas import StatementSchema
from services.registry.supporters import link_statement


class StatementLink(Strict):
    organisation_id = ma.fields.UUID(required=True, allow_none=True, metadata={
        "description": "the registered organisation the statement is given on behalf of; null unlinks it"})


class LinkedStatement(StatementSchema):
    organisation_id = ma.fields.String(dump_only=True, allow_none=True, metadata={
        "description": "the registered organisation it names: it supports the platform while the statement "
                       "is confirmed and active"})


@blp.route("/support-statements/<uuid:statement_id>/organisation")
class SupportStatementOrganisation(MethodView):
    @roles(*STAFF)
    @blp.arguments(StatementLink)
    @blp.response(200, LinkedStatement)
    def put(self, body, statement_id):
        """Name the registered organisation behind an organisation's statement (422 for a person's
        statement or an unknown or withdrawn organisation, 409 for a withdrawn or erased statement). While
        the statement is confirmed and active, that organisation ranks higher in the shortlist."""
        organisation_id = body["organisation_id"]
        return link_statement(current_runtime().uow(), str(statement_id),
                              None if organisation_id is None else str(organisation_id), actor())
