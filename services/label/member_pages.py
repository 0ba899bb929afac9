"""A member's label applications (/office/member/labels): its organisation's applications with their state,
product or service, criteria version, decision and the validity of the label granted; applying for one of
its offers (or another product or service), with the evidence of each criterion; editing, submitting and
withdrawing a draft (or an application returned for more evidence).

The policy is the API's (`services.label.api`): a member applies for, edits, submits and withdraws its own
organisation's applications only (the token's organisation, `acting_for`); another organisation's
application is a 404 here, so that its existence does not leak. The form is loaded with the API's
`LabelApplicationSchema` (figures read in the page's language) and the catalogue's ranges in one round,
and calls the API's handlers.

A document chosen for a criterion is uploaded as the API uploads it (services/label/documents.py): its type
read from its content (PDF, PNG, JPEG), at most the network's size limit, not empty; a refused file is said
beside its field in the page's language and nothing of the form is saved. The form is saved first, then
its files are stored (each in its own transaction, checked before anything is saved). The member sees the
organisation's documents (name, type, size, SHA-256) and removes one while the application is editable;
only assessors and approvers open a document (the staff pages). Documents uploaded (or declared through the
API) before are kept when the evidence is edited.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import acting_for, current_principal, roles
from services.common.body_limit import allows_body
from services.common.clock import utc_today
from services.common.errors import NotFound, SoproError
from services.common.ports import port
from services.common.runtime import current_runtime
from services.contracts.ports import MemberDirectory, OfferDirectory
from services.label import catalogue, catalogues, documents, handlers, model as m, notices
from services.label.document_api import max_body_bytes, max_document_bytes
from services.label.schemas import LabelApplicationSchema
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint
from services.web.numbers import show_number

MEMBER = ("member",)
blp = page_blueprint("label_member_pages", __name__)
nav_link(blp, "applications", _l("Our label applications"), roles=MEMBER, area=OFFICE_AREA, order=16)


def own_organisation() -> str:
    return acting_for(())


def own_application(application_id) -> m.Application:
    """One of the organisation's applications; another organisation's is unknown here."""
    app = handlers.get_application(current_runtime().engine, str(application_id), None)
    if app.holder_organisation_id != own_organisation():
        raise NotFound(f"no application {application_id}", {"application": ["unknown"]})
    return app


def own_offers(organisation_id: str):
    return port(OfferDirectory).published(organisation_id)


def _holder_name(organisation_id: str) -> str:
    found = port(MemberDirectory).named([organisation_id]).get(organisation_id)
    return found.name if found else organisation_id


# --- the list ----------------------------------------------------------------------------------------

@blp.route("/office/member/labels")
@roles(*MEMBER)
def applications():
    """Newest last, as applied; a granted one with its label's state and validity."""
    organisation = own_organisation()
    page = handlers.list_applications(current_runtime().engine, organisation, None, 1, 200)
    labels = {a.label_number: handlers.find_label(current_runtime().engine, a.label_number)
              for a in page.items if a.label_number}
    renewing = {a.label_number for a in page.items if a.purpose == "renewal" and a.status in m.OPEN}
    return render_template("label/member_applications.html", applications=page.items, labels=labels,
                           offers=own_offers(organisation), renewing=renewing)


# --- applying, editing, submitting -------------------------------------------------------------------

def _form_page(state: forms.FormState, app: m.Application | None, status: int = 200,
               withdraw_form: forms.FormState | None = None):
    criteria = catalogues.version_of(current_runtime().engine, app.catalogue_version) if app else catalogues.in_force_at(current_runtime().engine, utc_today())
    label = handlers.find_label(current_runtime().engine, app.label_number) if app and app.label_number else None
    uploaded = {d.id: d for d in documents.documents_of(current_runtime().engine, app.id, None)} if app else {}
    return render_template("label/member_application.html", form=state, app=app, criteria=criteria, label=label,
                           editable=app is None or app.status in m.EDITABLE, uploaded=uploaded,
                           media_types=documents.MEDIA_TYPES, max_document=_megabytes(max_document_bytes()),
                           withdraw_form=withdraw_form or forms.FormState(id_prefix="withdraw")), status


def _shown(app: m.Application) -> dict:
    values = {"product": app.product, "cpv_codes": " ".join(app.cpv_codes)}
    for cid, item in app.evidence.items():
        if (item or {}).get("figure") is not None:
            values[f"evidence.{cid}.figure"] = show_number(item["figure"])
    return values


def _posted(criteria, kept: dict) -> tuple[dict, dict, list[tuple[str, str, bytes]]]:
    """The API's body of the form (product, CPV codes, each criterion's figure and the documents it had),
    the values to show again, and the files chosen: (criterion id, file name, content)."""
    figures = [f"evidence.{c.id}.figure" for c in criteria if c.figure is not None]
    body, values = forms.body_from(request.form, ("product", "cpv_codes", *figures), lists=("cpv_codes",))
    typed = body.pop("evidence", {})
    evidence, uploads = {}, []
    for c in criteria:
        item = {}
        if "figure" in typed.get(c.id, {}):
            item["figure"] = typed[c.id]["figure"]
        had = list((kept.get(c.id) or {}).get("documents") or [])
        if had:
            item["documents"] = had
        if item:
            evidence[c.id] = item
        upload = request.files.get(f"evidence.{c.id}.document")
        if upload is not None and upload.filename:
            uploads.append((c.id, upload.filename, upload.read()))
    body["evidence"] = evidence
    return body, values, uploads


def _megabytes(size: int) -> str:
    return _("%(size)s MB", size=show_number(f"{size / (1024 * 1024):.1f}".removesuffix(".0")))


def _file_refused(exc: SoproError, criterion_id: str, state: forms.FormState) -> None:
    """A refused file, said beside its field in the page's language."""
    field = f"evidence.{criterion_id}.document"
    if exc.code == documents.EMPTY:
        message = _("The file is empty. Please choose the document itself.")
    elif exc.code in (documents.TOO_LARGE, "too_large"):
        message = _("The file is larger than %(size)s. Please choose a smaller one.",
                    size=_megabytes(max_document_bytes()))
    elif exc.code == documents.WRONG_TYPE:
        message = _("This file is no PDF, PNG or JPEG file. Its content was checked, not its name.")
    else:
        forms.apply_domain_error(exc, state)
        return
    state.errors.setdefault(field, []).append(message)


def _check_uploads(uploads, state: forms.FormState) -> None:
    """Every chosen file checked before anything is saved: each refusal beside its field."""
    for criterion_id, _name, content in uploads:
        try:
            documents.media_type_of(content, max_document_bytes())
        except SoproError as exc:
            _file_refused(exc, criterion_id, state)


def _store_uploads(app: m.Application, uploads, state: forms.FormState) -> bool:
    for criterion_id, name, content in uploads:
        try:
            documents.upload(current_runtime().uow(), app.id, criterion_id, name, content,
                             current_principal().subject, app.holder_organisation_id, max_document_bytes())
        except SoproError as exc:
            if exc.status not in (409, 422):
                raise
            _file_refused(exc, criterion_id, state)
            return False
    return True


def _loaded(body: dict, state: forms.FormState, criteria: catalogue.Catalogue):
    """The schema's and the catalogue's messages in one round, each beside its field."""
    def ranges(data, refused):
        evidence = {cid: item for cid, item in (data.get("evidence") or {}).items()
                    if f"evidence.{cid}.figure" not in refused and isinstance(item, dict)}
        return [(f"evidence.{cid}.figure", messages) for cid, messages in criteria.check_evidence(evidence).items()]
    fields = forms.load_checked(LabelApplicationSchema(), body, state, ranges)
    _beside_fields(state, criteria)
    return fields


def _beside_fields(state: forms.FormState, criteria: catalogue.Catalogue) -> None:
    """The API names a criterion's evidence (`evidence.se_share`) or a document's part
    (`evidence.se_share.documents.title`); on the page the figure or the file is the field."""
    for name in [n for n in state.errors if n.startswith("evidence.")]:
        parts = name.split(".")
        criterion = criteria.criterion(parts[1]) if len(parts) > 1 else None
        figure = criterion is not None and criterion.figure is not None and (len(parts) == 2 or parts[2] == "figure")
        field = f"evidence.{parts[1]}.figure" if figure else f"evidence.{parts[1]}.document"
        if field != name:
            messages = state.errors.pop(name)
            state.errors.setdefault(field, []).extend(x for x in messages if x not in state.errors.get(field, []))


def _refused(exc: SoproError, state: forms.FormState, criteria) -> None:
    if exc.status not in (409, 422):
        raise exc
    forms.apply_domain_error(exc, state)
    _beside_fields(state, criteria)


@blp.route("/office/member/labels/new", methods=["GET", "POST"])
@roles(*MEMBER)
@allows_body(max_body_bytes, "evidence")
def new():
    """Applying starts a draft; `?offer=` fills in one of the organisation's offers."""
    organisation = own_organisation()
    criteria = catalogues.in_force_at(current_runtime().engine, utc_today())
    if request.method == "GET":
        offer = next((o for o in own_offers(organisation) if o.id == request.args.get("offer")), None)
        values = {"product": offer.title, "cpv_codes": " ".join(offer.cpv_codes)} if offer else {}
        return _form_page(forms.FormState(values=values), None)
    body, values, uploads = _posted(criteria.criteria, {})
    state = forms.FormState(values=values)
    body.update(holder_organisation_id=organisation, holder_name=_holder_name(organisation))
    fields = _loaded(body, state, criteria)
    _check_uploads(uploads, state)
    if fields is not None and state.valid:
        try:
            app = handlers.create_application(current_runtime().uow(), fields, current_principal().subject,
                                              organisation)
        except SoproError as exc:
            _refused(exc, state, criteria)
        else:
            if not _store_uploads(app, uploads, state):
                return _form_page(state, app, 422)
            if request.form.get("action") == "submit":
                return _submit(app, state)
            flash(_("The application is saved as a draft."), "success")
            return redirect(url_for(".application", application_id=app.id))
    return _form_page(state, None, 409 if state.message and not state.errors else 422)


@blp.route("/office/member/labels/<uuid:application_id>", methods=["GET", "POST"])
@roles(*MEMBER)
@allows_body(max_body_bytes, "evidence")
def application(application_id):
    """The application; while it is a draft (or returned), its form: saved, or saved and submitted."""
    app = own_application(application_id)
    if request.method == "GET":
        return _form_page(forms.FormState(values=_shown(app)), app)
    criteria = catalogues.version_of(current_runtime().engine, app.catalogue_version)
    body, values, uploads = _posted(criteria.criteria, app.evidence)
    state = forms.FormState(values=values)
    body.update(holder_organisation_id=app.holder_organisation_id, holder_name=app.holder_name)
    fields = _loaded(body, state, criteria)
    _check_uploads(uploads, state)
    if fields is not None and state.valid:
        changes = {name: fields[name] for name in ("product", "cpv_codes", "evidence")}
        try:
            app = handlers.update_application(current_runtime().uow(), app.id, changes, current_principal().subject,
                                              app.holder_organisation_id)
        except SoproError as exc:
            _refused(exc, state, criteria)
        else:
            if not _store_uploads(app, uploads, state):
                return _form_page(state, app, 422)
            if request.form.get("action") == "submit":
                return _submit(app, state)
            flash(_("Your changes to the application are saved."), "success")
            return redirect(url_for(".application", application_id=app.id))
    return _form_page(state, app, 409 if state.message and not state.errors else 422)


def _submit(app: m.Application, state: forms.FormState):
    try:
        handlers.submit_application(current_runtime().uow(), app.id, current_principal().subject,
                                    app.holder_organisation_id, notices.mail_site(current_runtime()))
    except SoproError as exc:
        _refused(exc, state, catalogues.version_of(current_runtime().engine, app.catalogue_version))
        return _form_page(state, app, exc.status)
    flash(_("The application is submitted: an assessor scores it now. Its evidence can no longer be changed."),
          "success")
    return redirect(url_for(".application", application_id=app.id))


@blp.route("/office/member/labels/<uuid:application_id>/documents/<uuid:document_id>/remove", methods=["POST"])
@roles(*MEMBER)
def remove_document(application_id, document_id):
    """A document taken back while the application is editable (from its criterion's evidence too)."""
    app = own_application(application_id)
    try:
        documents.remove(current_runtime().uow(), app.id, str(document_id), current_principal().subject,
                         app.holder_organisation_id)
    except SoproError as exc:
        state = forms.FormState(values=_shown(app))
        _refused(exc, state, catalogues.version_of(current_runtime().engine, app.catalogue_version))
        return _form_page(state, app, exc.status)
    flash(_("The document is removed."), "success")
    return redirect(url_for(".application", application_id=app.id))


@blp.route("/office/member/labels/<uuid:application_id>/withdraw", methods=["POST"])
@roles(*MEMBER)
def withdraw(application_id):
    """Withdrawing is final (the organisation applies again with a new application): it asks to confirm."""
    app = own_application(application_id)
    body, values = forms.body_from(request.form, ("confirm",), flags=("confirm",))
    state = forms.FormState(values=values, id_prefix="withdraw")
    if not body.get("confirm"):
        state.errors["confirm"] = [_("Please confirm that the label application is to be withdrawn.")]
    else:
        try:
            handlers.withdraw_application(current_runtime().uow(), app.id, current_principal().subject,
                                          app.holder_organisation_id)
        except SoproError as exc:
            _refused(exc, state, catalogues.version_of(current_runtime().engine, app.catalogue_version))
        else:
            flash(_("The application “%(product)s” is withdrawn.", product=app.product), "success")
            return redirect(url_for(".applications"))
    return _form_page(forms.FormState(values=_shown(app)), app, 409 if state.message and not state.errors else 422,
                      withdraw_form=state)
