"""The public portal of a site: home with its lighthouse case studies, the catalogue of social
enterprises and offers, a case study's page, a company's showcase, and the statement of support.

Reads go through the registry's store like the public API does (published and active records only,
never a contact person); the statement of support is loaded with the API's `StatementSchema` and filed
with the same handler. Labels come from the label service's public register through the port
`LabelRegister` (`services.contracts.ports`; the label service provides it, see `provides` of LABEL in
`services.composition`), the same answer as GET /api/v1/labels.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import current_principal, public, roles
from services.common.clock import utc_today, utcnow
from services.common.errors import Conflict, NotFound, SoproError
from services.common.ports import port
from services.common.runtime import current_runtime
from services.contracts.ports import LabelRegister, ValidLabel
from services.registry import handlers
from services.registry import statements as registry_statements
from services.registry.case_study_store import load_case_study, search_case_studies
from services.registry.offer_store import published_offers_of, search_offers
from services.registry.organisation_store import load_organisation, search_organisations
from services.registry.organisations import SOCIAL_ENTERPRISE, Organisation
from services.registry.profile_impact import profile_impact
from services.registry.profile_pages import language_name
from services.registry.profile_store import load_profile
from services.registry.profiles import paragraphs, text_to_show
from services.registry.rules import ACTIVE, PUBLISHED, WITHDRAWN
from services.registry.schemas import Erasure, OfferQuery, OrganisationQuery, Reason, StatementQuery, StatementSchema
from services.registry.statement_store import audit_trail as statement_audit, load_statement, search_statements
from services.registry.statements import ERASURE_GROUNDS, Person
from services.registry.supporters import organisation_choices
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint
from services.web.i18n import language
from services.web.vocabulary import term

blp = page_blueprint("registry_pages", __name__)
nav_link(blp, "home", _l("Home"), order=10)
nav_link(blp, "catalogue", _l("Catalogue"), order=20)
nav_link(blp, "support", _l("Support us"), order=40)
STAFF = ("site_admin", "broker")
nav_link(blp, "statements", _l("Statements of support"), roles=STAFF, area=OFFICE_AREA, order=25)

LIGHTHOUSES = 6
STATEMENT_FIELDS = ("kind", "first_name", "last_name", "organisation_name", "organisation_kind", "email", "phone",
                    "phone_kind", "nuts3", "consent", "newsletter")


def _read(fn, *args, **kwargs):
    with current_runtime().engine.connect() as conn:
        return fn(conn, *args, **kwargs)


def _names(conn, ids) -> dict[str, Organisation]:
    """The active organisations among `ids` (a withdrawn one is no longer shown by name)."""
    found = {}
    for id_ in {i for i in ids if i}:
        try:
            org = load_organisation(conn, id_)
        except NotFound:
            continue
        if org.status == ACTIVE:
            found[id_] = org
    return found


def valid_labels(holder: str | None = None) -> dict[str, list[ValidLabel]]:
    """Valid labels by holder organisation id (the label service's public register)."""
    return port(LabelRegister).valid_labels(holder)


# --- home and case studies ---------------------------------------------------------------------------

@blp.route("/")
@public
def home():
    def load(conn):
        published = search_case_studies(conn, per_page=200).items
        studies = sorted(published, key=lambda s: (-s.year, s.title))[:LIGHTHOUSES]
        parties = _names(conn, [s.client_organisation_id for s in studies] + [s.social_enterprise_id for s in studies])
        clients = _names(conn, [s.client_organisation_id for s in published])  # every company's shop window
        enterprises = search_organisations(conn, kind=SOCIAL_ENTERPRISE, per_page=1).total
        offers = search_offers(conn, per_page=1).total
        return studies, parties, sorted(clients.values(), key=lambda o: o.name), enterprises, offers
    studies, parties, clients, enterprises, offers = _read(load)
    return render_template("registry/home.html", studies=studies, parties=parties, clients=clients,
                           enterprises=enterprises, offers=offers)


@blp.route("/case-studies/<uuid:case_study_id>")
@public
def case_study(case_study_id):
    def load(conn):
        study = load_case_study(conn, str(case_study_id))
        if study.status != PUBLISHED:
            raise NotFound(f"no case study {case_study_id}")
        return study, _names(conn, [study.client_organisation_id, study.social_enterprise_id])
    study, parties = _read(load)
    return render_template("registry/case_study.html", study=study, parties=parties)


# --- catalogue and showcase --------------------------------------------------------------------------

@blp.route("/catalogue")
@public
def catalogue():
    """Social enterprises and their offers, by text, CPV division, region and label."""
    state = forms.FormState(values=request.args.to_dict())
    filters = {k: v for k in ("q", "cpv", "nuts") if (v := request.args.get(k, "").strip())}
    labelled_only = request.args.get("labelled") == "on"
    # The API's query schemas: a wrong filter is a message next to its field, and nothing is searched.
    offer_query = forms.load(OfferQuery(), {**filters, "page": request.args.get("page", "1")}, state)
    enterprise_query = forms.load(OrganisationQuery(), {**filters, "kind": SOCIAL_ENTERPRISE, "per_page": 200},
                                  state)
    labels = valid_labels()
    found = CatalogueResult()
    if offer_query is not None and enterprise_query is not None:
        found = _read(search_catalogue, offer_query, enterprise_query, labels if labelled_only else None)
    page = (offer_query or {}).get("page", 1)
    more = not labelled_only and page * (offer_query or {}).get("per_page", 50) < found.total
    return render_template("registry/catalogue.html", form=state, offers=found.offers, enterprises=found.enterprises,
                           owners=found.owners, labels=labels, total=found.total, page=page, more=more,
                           labelled_only=labelled_only)


@dataclass
class CatalogueResult:
    offers: list = field(default_factory=list)
    total: int = 0
    enterprises: list = field(default_factory=list)
    owners: dict = field(default_factory=dict)


def search_catalogue(conn, offer_query: dict, enterprise_query: dict, labelled: dict | None) -> CatalogueResult:
    """A page of offers and the matching social enterprises; with `labelled`, only those of the label
    holders (few organisations hold one, so each one's offers are asked for, unpaged)."""
    enterprises = search_organisations(conn, **enterprise_query).items
    if labelled is None:
        page = search_offers(conn, **offer_query)
        offers, total = page.items, page.total
    else:
        every = {**offer_query, "page": 1, "per_page": 200}
        offers = [o for holder in labelled for o in search_offers(conn, **every, organisation_id=holder).items]
        total, enterprises = len(offers), [o for o in enterprises if o.id in labelled]
    return CatalogueResult(offers, total, enterprises, _names(conn, [o.organisation_id for o in offers]))


@blp.route("/organisations/<uuid:organisation_id>")
@public
def showcase(organisation_id):
    """A member's shop window: who it is, what it offers, the social production it took part in."""
    def load(conn):
        org = load_organisation(conn, str(organisation_id))
        if org.status != ACTIVE:
            raise NotFound(f"no organisation {organisation_id}")
        studies = search_case_studies(conn, organisation_id=org.id, per_page=50).items
        parties = _names(conn, [s.client_organisation_id for s in studies] + [s.social_enterprise_id for s in studies])
        return org, published_offers_of(conn, org.id), studies, parties, load_profile(conn, org.id)
    org, offers, studies, parties, profile = _read(load)
    labels = valid_labels(org.id).get(org.id, [])
    # Its profile (shop window) in the page's language, else in another of the site's, saying which.
    shown = text_to_show(profile, language(), tuple(current_runtime().settings.site.languages))
    return render_template("registry/showcase.html", org=org, offers=offers, studies=studies, parties=parties,
                           labels=labels, profile=paragraphs(shown[1]) if shown else [],
                           profile_language=shown[0] if shown else None,
                           profile_note=language_name(shown[0]) if shown and shown[0] != language() else None,
                           profile_editor=profile_editor(org), impact=profile_impact(org))


def profile_editor(org: Organisation) -> str | None:
    """Where the person looking may write the organisation's profile: its own member, the site's staff."""
    principal = current_principal()
    if principal is None or org.status != ACTIVE:
        return None
    if principal.has_any(STAFF):
        return url_for("profile_pages.staff_profile", organisation_id=org.id)
    if "member" in principal.roles and principal.organisation_id == org.id:
        return url_for("profile_pages.member_profile")
    return None


# --- statement of support ----------------------------------------------------------------------------

@blp.route("/support", methods=["GET", "POST"])
@public
def support():
    """The paper form of a statement of support, for a private person or on behalf of an organisation."""
    state = forms.FormState(values={"kind": request.args.get("kind", "person")})
    if request.method == "GET":
        return render_template("registry/support.html", form=state)
    body, state.values = forms.body_from(request.form, STATEMENT_FIELDS, flags=("consent", "newsletter"))
    fields = forms.load_checked(StatementSchema(), body, state, statement_problems)
    if fields is not None:
        site = current_runtime().settings.site
        try:
            receipt = handlers.file_support_statement(current_runtime().uow(), fields, utc_today(), site.url,
                                                      tuple(site.languages), language())
        except SoproError as exc:
            forms.apply_domain_error(exc, state)
        else:
            mailed = {"mailed": 1} if receipt.person.email else {}
            return redirect(url_for(".support_thanks", reference=receipt.reference, **mailed))
    return render_template("registry/support.html", form=state), 422


def statement_problems(data: dict, refused: frozenset) -> list:
    """The paper form's rules (the domain's) on what the schema read, so every message comes in one round."""
    person = data.get("person") or {}
    if isinstance(person, dict):  # the schema refused a field: its post_load did not build the Person
        person = Person(**person)
    return [(name, [message]) for name, message in registry_statements.statement_problems(
        data.get("kind"), data.get("consent"), person, data.get("organisation_name"), data.get("organisation_kind"),
        unknown=refused)]


@blp.route("/support/thanks/<reference>")
@public
def support_thanks(reference):
    return render_template("registry/support_thanks.html", reference=reference[:40],
                           mailed=request.args.get("mailed") == "1")


@blp.route("/support/confirm/<token>", methods=["GET", "POST"])
@public
def support_confirm(token):
    """The link mailed to a statement's address. Opening it shows a button, so that a mail scanner that
    follows links confirms nothing; pressing it confirms. A link that is unknown, used or expired says so
    at once (404 or 409), never a 500."""
    if request.method == "GET":
        problem = _read(handlers.confirmation_problem, token[:100], utcnow())
        status = 200 if problem is None else 404 if problem == "confirmation_unknown" else 409
        return render_template("registry/support_confirm.html", done=False, problem=problem), status
    try:
        handlers.confirm_by_link(current_runtime().uow(), token[:100], utcnow())
    except SoproError as exc:
        return render_template("registry/support_confirm.html", done=False, problem=exc.code), exc.status
    return render_template("registry/support_confirm.html", done=True, problem=None)


# --- back office: confirming, withdrawing and erasing statements ------------------------------------

# The list's tabs: which statements each shows.
STATEMENT_TABS = {"awaiting": ((ACTIVE,), False), "confirmed": ((ACTIVE,), True), "withdrawn": ((WITHDRAWN,), None)}
STATEMENT_ACTIONS = {"confirmed": _l("Confirmed"), "withdrawn": _l("Withdrawn"), "erased": _l("Erased"),
                     "linked": _l("Linked to an organisation"), "unlinked": _l("No longer linked to an organisation")}
ERASURE_GROUND_LABELS = {
    "request": _l("The person asked for it"),
    "consent_withdrawn": _l("The person withdrew their consent"),
    "objection": _l("The person objected to the processing"),
    "unlawful_processing": _l("The data were processed unlawfully"),
    "legal_obligation": _l("A legal obligation requires it"),
    "backup_restored": _l("Erased before, back from a restored backup"),
}


@blp.route("/office/statements")
@roles(*STAFF)
def statements():
    """Statements awaiting confirmation, confirmed or withdrawn; searched by name (to answer an erasure
    request)."""
    tab = "confirmed" if request.args.get("confirmed") == "yes" else request.args.get("status", "awaiting")
    statuses, confirmed = STATEMENT_TABS.get(tab, STATEMENT_TABS["awaiting"])
    state = forms.FormState(values=request.args.to_dict())
    searched = request.args.get("q", "").strip()
    query = forms.load(StatementQuery(), {"q": searched} if searched else {}, state)
    page = _read(search_statements, statuses=statuses, confirmed=confirmed, page=1, per_page=200,
                 q=(query or {}).get("q"))
    return render_template("registry/statements.html", page=page, tab=tab if tab in STATEMENT_TABS else "awaiting",
                           form=state), 200 if query is not None else 422


@blp.route("/office/statements/<uuid:statement_id>/confirm", methods=["POST"])
@roles(*STAFF)
def confirm_statement(statement_id):
    try:
        statement = handlers.confirm_by_broker(current_runtime().uow(), str(statement_id), current_principal().subject,
                                               utcnow())
    except Conflict:
        flash(_("This statement cannot be confirmed: it is confirmed already, withdrawn or erased."), "error")
    else:
        flash(_("Statement %(reference)s is confirmed and now counts.", reference=statement.reference), "success")
    return redirect(url_for(".statements"))


def statement_page(statement_id: str, status: int = 200, **forms_by_name):
    """A statement with its audit, and the forms to withdraw it and to erase its personal data."""
    statement, audit = _read(lambda conn: (load_statement(conn, statement_id), statement_audit(conn, statement_id)))
    forms_by_name.setdefault("withdraw_form", forms.FormState(id_prefix="withdraw"))
    forms_by_name.setdefault("erase_form", forms.FormState(values={"ground": ERASURE_GROUNDS[0]}, id_prefix="erase"))
    # which registered organisation an organisation's statement names (services.registry.supporter_pages)
    forms_by_name.setdefault("link_form", forms.FormState(values={"organisation_id": statement.organisation_id or ""},
                                                          id_prefix="link"))
    return render_template("registry/statement.html", statement=statement, audit=audit,
                           organisations=_read(organisation_choices) if statement.kind == "organisation" else [],
                           grounds=list(ERASURE_GROUND_LABELS.items()),
                           ground_labels=ERASURE_GROUND_LABELS, actions=STATEMENT_ACTIONS, **forms_by_name), status


@blp.route("/office/statements/<uuid:statement_id>")
@roles(*STAFF)
def statement(statement_id):
    return statement_page(str(statement_id))


@blp.route("/office/statements/<uuid:statement_id>/withdraw", methods=["POST"])
@roles(*STAFF)
def withdraw_statement(statement_id):
    """It no longer counts; its personal data stay until erased (the API's `Reason`)."""
    body, values = forms.body_from(request.form, ("reason",))
    state = forms.FormState(values=values, id_prefix="withdraw")
    loaded = forms.load(Reason(), body, state)
    if loaded is None:
        return statement_page(str(statement_id), 422, withdraw_form=state)
    try:
        done = handlers.withdraw_support_statement(current_runtime().uow(), str(statement_id),
                                                   current_principal().subject, loaded["reason"])
    except Conflict as exc:
        state.message = _("This statement is “%(status)s”: it cannot be withdrawn.", status=_status_of(statement_id))
        return statement_page(str(statement_id), exc.status, withdraw_form=state)
    flash(_("Statement %(reference)s is withdrawn and no longer counts.", reference=done.reference), "success")
    return redirect(url_for(".statement", statement_id=statement_id))


@blp.route("/office/statements/<uuid:statement_id>/erase", methods=["POST"])
@roles(*STAFF)
def erase_statement(statement_id):
    """Erases the personal data for good (the API's `Erasure`), once the broker has ticked that they
    know it cannot be undone."""
    body, values = forms.body_from(request.form, ("ground", "understood"), flags=("understood",))
    state = forms.FormState(values=values, id_prefix="erase")
    understood = body.pop("understood")
    loaded = forms.load(Erasure(), body, state)
    if not understood:
        state.errors.setdefault("understood", []).append(_("Please confirm that the data are erased for good."))
    if loaded is None or not state.valid:
        return statement_page(str(statement_id), 422, erase_form=state)
    try:
        done = handlers.erase_support_statement(current_runtime().uow(), str(statement_id),
                                                current_principal().subject, loaded["ground"])
    except Conflict as exc:
        state.message = _("This statement is “%(status)s”: there is nothing left to erase.",
                          status=_status_of(statement_id))
        return statement_page(str(statement_id), exc.status, erase_form=state)
    flash(_("The personal data of statement %(reference)s are erased.", reference=done.reference), "success")
    return redirect(url_for(".statement", statement_id=statement_id))


def _status_of(statement_id) -> str:
    """Why the statement refused, in words: its status now."""
    return term(_read(load_statement, str(statement_id)).status)
