"""HTTP API of case studies: /api/v1/case-studies (access rules in `api`)."""
from __future__ import annotations

from flask.views import MethodView

from services.common.auth import public, roles
from services.common.clock import utc_today
from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.registry import handlers
from services.registry.api_blueprint import STAFF, blp, is_staff, listed_statuses, read
from services.registry.case_study_store import load_case_study, search_case_studies
from services.registry.rules import PUBLISHED
from services.registry.schemas import CaseStudyPage, CaseStudyPatch, CaseStudyQuery, CaseStudySchema, Reason


@blp.route("/case-studies")
class CaseStudies(MethodView):
    @public
    @blp.arguments(CaseStudyQuery, location="query")
    @blp.response(200, CaseStudyPage)
    def get(self, query):
        """List and search published case studies."""
        statuses = listed_statuses(query, PUBLISHED)
        return read(search_case_studies, statuses=statuses, **query).as_dict()

    @roles(*STAFF)
    @blp.arguments(CaseStudySchema)
    @blp.response(201, CaseStudySchema)
    def post(self, fields):
        """Publish a case study."""
        return handlers.publish_case_study(current_runtime().uow(), fields, utc_today())


@blp.route("/case-studies/<uuid:case_study_id>")
class CaseStudyById(MethodView):
    @public
    @blp.response(200, CaseStudySchema)
    def get(self, case_study_id):
        """A published case study; a withdrawn one for staff only."""
        study = read(load_case_study, str(case_study_id))
        if study.status != PUBLISHED and not is_staff():
            raise NotFound(f"no case study {case_study_id}")
        return study

    @roles(*STAFF)
    @blp.arguments(CaseStudyPatch)
    @blp.response(200, CaseStudySchema)
    def patch(self, changes, case_study_id):
        """Change a published case study; only the fields given change."""
        return handlers.update_case_study(current_runtime().uow(), str(case_study_id), changes)


@blp.route("/case-studies/<uuid:case_study_id>/withdraw")
class CaseStudyWithdrawal(MethodView):
    @roles(*STAFF)
    @blp.arguments(Reason)
    @blp.response(200, CaseStudySchema)
    def post(self, body, case_study_id):
        """Take a case study down."""
        return handlers.withdraw_case_study(current_runtime().uow(), str(case_study_id), body["reason"])
