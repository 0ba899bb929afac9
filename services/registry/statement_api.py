"""HTTP API of support statements: /api/v1/support-statements (access rules in `api`)."""
from __future__ import annotations

from flask.views import MethodView

from services.common.auth import public, roles
from services.common.clock import utc_today, utcnow
from services.common.runtime import current_runtime
from services.registry import handlers
from services.registry.api_blueprint import STAFF, actor, blp, listed_statuses, read
from services.registry.schemas import (
    AuditEntrySchema, Erasure, Reason, StatementPage, StatementQuery, StatementReceipt, StatementSchema,
)
from services.registry.statement_store import audit_trail, load_statement, search_statements


@blp.route("/support-statements")
class SupportStatements(MethodView):
    @public
    @blp.arguments(StatementSchema)
    @blp.response(201, StatementReceipt)
    def post(self, fields):
        """File a statement of support (the paper form). Anyone may; consent is required. It counts in the
        statistics once confirmed: by the link mailed to its e-mail address (in the site's first language),
        or by a broker. With `newsletter`, the address gets the site's newsletter once confirmed."""
        runtime = current_runtime()
        site = runtime.settings.site
        return handlers.file_support_statement(runtime.uow(), fields, utc_today(), site.url, tuple(site.languages))

    @roles(*STAFF)
    @blp.arguments(StatementQuery, location="query")
    @blp.response(200, StatementPage)
    def get(self, query):
        """List and search statements, with the personal data (staff only)."""
        statuses = listed_statuses(query, "all")
        return read(search_statements, statuses=statuses, **query).as_dict()


@blp.route("/support-statements/<uuid:statement_id>")
class SupportStatementById(MethodView):
    @roles(*STAFF)
    @blp.response(200, StatementSchema)
    def get(self, statement_id):
        """A statement with its personal data (none once erased)."""
        return read(load_statement, str(statement_id))


@blp.route("/support-statements/<uuid:statement_id>/confirm")
class SupportStatementConfirmation(MethodView):
    @roles(*STAFF)
    @blp.response(200, StatementSchema)
    def post(self, statement_id):
        """A broker confirms the statement: from now on it counts in the statistics."""
        return handlers.confirm_by_broker(current_runtime().uow(), str(statement_id), actor(), utcnow())


@blp.route("/support-statements/confirmations/<string:token>")
class SupportStatementLink(MethodView):
    @public
    @blp.response(200, StatementReceipt)
    def post(self, token):
        """The link mailed to the statement's address: confirms it, once, before it expires (404 unknown,
        409 used or expired)."""
        return handlers.confirm_by_link(current_runtime().uow(), token, utcnow())


@blp.route("/support-statements/<uuid:statement_id>/withdraw")
class SupportStatementWithdrawal(MethodView):
    @roles(*STAFF)
    @blp.arguments(Reason)
    @blp.response(200, StatementSchema)
    def post(self, body, statement_id):
        """Withdraw a statement: it no longer counts; its data stays until erased."""
        return handlers.withdraw_support_statement(current_runtime().uow(), str(statement_id), actor(), body["reason"])


@blp.route("/support-statements/<uuid:statement_id>/erase")
class SupportStatementErasure(MethodView):
    @roles(*STAFF)
    @blp.arguments(Erasure)
    @blp.response(200, StatementSchema)
    def post(self, body, statement_id):
        """Erase the personal data of a statement for good; the audit keeps who, when and on which ground."""
        return handlers.erase_support_statement(current_runtime().uow(), str(statement_id), actor(), body["ground"])


@blp.route("/support-statements/<uuid:statement_id>/audit")
class SupportStatementAudit(MethodView):
    @roles(*STAFF)
    @blp.response(200, AuditEntrySchema(many=True))
    def get(self, statement_id):
        """Who withdrew or erased the statement, when, and which fields were erased."""
        read(load_statement, str(statement_id))  # 404 for an unknown statement
        return read(audit_trail, str(statement_id))
