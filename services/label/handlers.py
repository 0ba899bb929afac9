"""Use cases of the label service. Each loads (under a row lock), calls the domain, and saves state,
its audit row and its events in one transaction.

Dependencies come in as parameters: `uow` (its `site_id` names the site in label numbers), `today` and
`now` (a controllable clock), `actor` (who acts, for the audit and the four-eyes rule), and
`acting_for` (a member's own organisation; None for staff), and `mail` (the site's address and languages,
`notices.mail_site(runtime)`): the mail a change causes is written in its transaction (notices.py); None
writes none.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Callable

from services.common.clock import utcnow
from services.common.db import Page
from services.common.errors import Conflict, Forbidden
from services.common.uow import UnitOfWork
from services.common.clock import utc_today
from services.label import catalogues, model as m, notices, store
from services.web.notify import MailSite


def _new_id() -> str:
    return str(uuid.uuid4())


def _check_owner(acting_for: str | None, app: m.Application) -> None:
    if acting_for is not None and acting_for != app.holder_organisation_id:
        raise Forbidden("a member may only act on its own organisation's applications")


# --- applications ------------------------------------------------------------------------------------

def create_application(uow: UnitOfWork, fields: dict, actor: str, acting_for: str | None,
                       today: date | None = None) -> m.Application:
    """A draft under the catalogue version in force `today` (default: the UTC date)."""
    if acting_for is not None and fields["holder_organisation_id"] != acting_for:
        raise Forbidden("a member may only apply for its own organisation")
    with uow:
        catalogue = catalogues.in_force(uow.conn, today or utc_today())
        app = m.Application(id=_new_id(), holder_organisation_id=fields["holder_organisation_id"],
                            holder_name=fields["holder_name"], product=fields["product"],
                            cpv_codes=fields["cpv_codes"], catalogue_version=catalogue.version)
        app.edit(catalogue, {"evidence": fields.get("evidence", {})})
        store.save_application(uow.conn, app, new=True)
        store.audit_step(uow.conn, "application", app.id, "created", actor)
        uow.commit()
    return app


def _change_application(uow: UnitOfWork, application_id: str, action: str, actor: str,
                        change: Callable[[m.Application], None], acting_for: str | None = None,
                        reason: str | None = None, details: Callable[[m.Application], dict] | None = None,
                        tell: Callable[[m.Application], None] | None = None):
    with uow:
        app = store.load_application(uow.conn, application_id, lock=True)
        _check_owner(acting_for, app)
        result = change(app)
        store.save_application(uow.conn, app)
        store.audit_step(uow.conn, "application", app.id, action, actor, reason, details(app) if details else None)
        if tell is not None:
            tell(app)
        uow.commit()
    return result if result is not None else app


def update_application(uow, application_id: str, changes: dict, actor: str, acting_for: str | None):
    def change(app: m.Application):
        app.edit(catalogues.version(uow.conn, app.catalogue_version), changes)

    return _change_application(uow, application_id, "edited", actor, change, acting_for,
                               details=lambda app: {"fields": sorted(changes)})


def submit_application(uow, application_id: str, actor: str, acting_for: str | None, mail: MailSite | None = None):
    return _change_application(uow, application_id, "submitted", actor, lambda app: app.submit(), acting_for,
                               tell=lambda app: notices.application_submitted(uow.conn, mail, app, utcnow()))


def withdraw_application(uow, application_id: str, actor: str, acting_for: str | None):
    return _change_application(uow, application_id, "withdrawn", actor, lambda app: app.withdraw(), acting_for)


def assess_application(uow, application_id: str, assessor: str, scores: dict, now: datetime):
    def change(app: m.Application):
        app.assess(catalogues.version(uow.conn, app.catalogue_version), assessor, scores, now)

    return _change_application(uow, application_id, "assessed", assessor, change,
                               details=lambda app: {"scores": scores, "passed": app.assessment["passed"]})


def decide_application(uow: UnitOfWork, application_id: str, approver: str, outcome: str, reason: str,
                       today: date, now: datetime, validity_years: int | None = None):
    """The approver's decision, by purpose:
    - a first application granted takes the next number of the site's year under the counter's row lock
      and creates the label;
    - a renewal granted renews its label (new validity without a gap, under the renewal's catalogue);
      refused, the label runs to its end;
    - a spot check granted confirms the label as it is; refused, it suspends the label for the longest
      suspension (appealable like any suspension).
    The label's event goes out with this transaction. Returns (application, the label if it changed)."""
    changed: list[m.Label] = []

    def change(app: m.Application):
        app.decide(approver, outcome, reason, now)
        years = validity_years or catalogues.version(uow.conn, app.catalogue_version).validity_years
        if app.purpose == "new" and outcome == "granted":
            number = store.next_label_number(uow.conn, uow.site_id, today.year)
            label = m.Label.grant(_new_id(), number, app, today, years)
            app.label_number = number
            store.save_label(uow.conn, label, new=True)
            store.audit_step(uow.conn, "label", number, "granted", approver, reason,
                             {"application_id": app.id, "valid_until": label.valid_until.isoformat()})
        elif app.purpose == "renewal" and outcome == "granted":
            label = store.load_label(uow.conn, app.label_number, lock=True)
            label.renew(app, years)
            store.save_label(uow.conn, label)
            store.audit_step(uow.conn, "label", label.number, "renewed", approver, reason,
                             {"application_id": app.id, "valid_until": label.valid_until.isoformat(),
                              "catalogue_version": app.catalogue_version})
        elif app.purpose == "spot_check" and outcome in ("granted", "refused"):
            label = store.load_label(uow.conn, app.label_number, lock=True)
            store.audit_step(uow.conn, "label", label.number, f"spot check {'passed' if outcome == 'granted' else 'failed'}",
                             approver, reason, {"application_id": app.id})
            if outcome == "granted" or label.status != "valid":
                return
            label.suspend(today, m.add_months(today, m.MAX_SUSPENSION_MONTHS), f"spot check failed: {reason}")
            store.save_label(uow.conn, label)
            store.audit_step(uow.conn, "label", label.number, "suspended", approver, label.reason,
                             {"application_id": app.id, "suspended_until": label.suspended_until.isoformat()})
        else:
            return
        uow.record(label)
        changed.append(label)

    app = _change_application(uow, application_id, f"decided_{outcome}", approver, change, reason=reason)
    return app, (changed[0] if changed else None)


def open_reassessment(conn, number: str, purpose: str, actor: str, today: date,
                      acting_for: str | None = None) -> m.Application:
    """Open a renewal (a draft the holder completes and submits) or a spot check (a draft the holder is asked
    to complete with current evidence) of label `number`, in the caller's transaction: under the catalogue in
    force `today`, pre-filled from the label's last application. One at a time per label and purpose (409)."""
    label = store.load_label(conn, number, lock=True)
    if acting_for is not None and acting_for != label.holder_organisation_id:
        raise Forbidden("a member may only renew its own organisation's labels")
    allowed = ("valid", "suspended") if purpose == "renewal" else ("valid",)
    if label.status not in allowed:
        raise Conflict(f"a label that is {label.status} cannot be re-assessed for {purpose}",
                       {"status": [f"is {label.status}; must be one of {list(allowed)}"]}, code="illegal_state")
    under_way = store.open_reassessment_of(conn, number, purpose)
    if under_way is not None:
        raise Conflict(f"a {purpose} of {number} is under way already", {"application": [under_way]},
                       code="already_under_way")
    last = store.load_application(conn, label.application_id)
    app = m.reassessment(_new_id(), label, last, purpose, catalogues.in_force(conn, today))
    store.save_application(conn, app, new=True)
    store.audit_step(conn, "application", app.id, "created", actor, details={"purpose": purpose, "label": number})
    store.audit_step(conn, "label", number, f"{purpose} opened", actor, details={"application_id": app.id})
    return app


def start_renewal(uow: UnitOfWork, number: str, actor: str, today: date, acting_for: str | None) -> m.Application:
    """The holder (or a site admin) renews a label: a new application, assessed and decided like the first."""
    with uow:
        app = open_reassessment(uow.conn, number, "renewal", actor, today, acting_for)
        uow.commit()
    return app


def list_applications(engine, organisation_id, status, page, per_page) -> Page[m.Application]:
    with engine.connect() as conn:
        return store.list_applications(conn, organisation_id, status, page, per_page)


def get_application(engine, application_id: str, acting_for: str | None) -> m.Application:
    with engine.connect() as conn:
        app = store.load_application(conn, application_id)
    _check_owner(acting_for, app)
    return app


# --- labels ------------------------------------------------------------------------------------------

def _change_label(uow: UnitOfWork, number: str, action: str, actor: str, reason: str | None,
                  change: Callable[[m.Label], None], mail: MailSite | None = None) -> m.Label:
    """`mail`: the holder's members hear of a new status (a renewal, which keeps it, tells nobody)."""
    with uow:
        label = store.load_label(uow.conn, number, lock=True)
        before = label.status
        change(label)
        store.save_label(uow.conn, label)
        store.audit_step(uow.conn, "label", number, action, actor, reason,
                         {"status": label.status, "valid_until": label.valid_until.isoformat(),
                          "suspended_until": label.suspended_until.isoformat() if label.suspended_until else None})
        uow.record(label)
        if label.status != before:  # the reason a person typed goes into the mail
            notices.status_changed(uow.conn, mail, label, utcnow(), show_reason=True)
        uow.commit()
    return label


def suspend_label(uow, number: str, actor: str, until: date, reason: str, today: date,
                  mail: MailSite | None = None) -> m.Label:
    return _change_label(uow, number, "suspended", actor, reason, lambda lbl: lbl.suspend(today, until, reason), mail)


def reinstate_label(uow, number: str, actor: str, reason: str | None, mail: MailSite | None = None) -> m.Label:
    return _change_label(uow, number, "reinstated", actor, reason, lambda lbl: lbl.reinstate(reason), mail)


def revoke_label(uow, number: str, actor: str, reason: str, mail: MailSite | None = None) -> m.Label:
    return _change_label(uow, number, "revoked", actor, reason, lambda lbl: lbl.revoke(reason), mail)


def _housekeep(new_uow: Callable[[], UnitOfWork], due: Callable, step: Callable[[m.Label], bool],
               action: str, reason: str, mail: MailSite | None = None) -> list[m.Label]:
    """Apply `step` to each label `due` names, one transaction each, re-checked under the row lock
    (a renewal or a reinstatement may have come first)."""
    with new_uow() as uow:
        numbers = due(uow.conn)
    changed = []
    for number in numbers:
        with new_uow() as uow:
            label = store.load_label(uow.conn, number, lock=True)
            if step(uow.conn, label):
                store.save_label(uow.conn, label)
                store.audit_step(uow.conn, "label", number, action, "sopro tick", reason)
                uow.record(label)
                notices.status_changed(uow.conn, mail, label, utcnow())
                uow.commit()
                changed.append(label)
    return changed


def expire_labels(new_uow: Callable[[], UnitOfWork], today: date, grace_days: int = 0) -> list[m.Label]:
    """`sopro tick`: a label past its validity expires, unless its renewal is being assessed and the grace
    period (the network's `renewal_grace_days`) has not ended."""
    def lapse(conn, label: m.Label) -> bool:
        under_way = store.open_reassessment_of(conn, label.number, "renewal", m.UNDER_ASSESSMENT) is not None
        return label.expire_if_due(today, under_way, grace_days)

    return _housekeep(new_uow, lambda conn: store.labels_due_to_expire(conn, today), lapse, "expired",
                      "validity ended")


def end_lapsed_suspensions(new_uow: Callable[[], UnitOfWork], today: date,
                           mail: MailSite | None = None) -> list[m.Label]:
    """`sopro tick`: a suspension past its end date ends; the label is valid again (the holder is told)."""
    return _housekeep(new_uow, lambda conn: store.suspensions_lapsed(conn, today),
                      lambda _conn, label: label.end_suspension_if_lapsed(today), "reinstated", "the suspension ended",
                      mail)


def remind_expiring_labels(new_uow: Callable[[], UnitOfWork], mail: MailSite, now: datetime) -> list[tuple]:
    """`sopro tick`: the holders of labels whose validity ends within 60 days get the 60-day reminder,
    within 30 days the 30-day one, each once (keyed), however often the job runs. (label, days, mails)."""
    with new_uow() as uow:
        reminded = notices.remind_expiring(uow.conn, mail, now.date(), now)
        uow.commit()
    return reminded


def find_label(engine, number: str) -> m.Label | None:
    with engine.connect() as conn:
        return store.find_label(conn, number)


def renewal_of(engine, number: str) -> m.Application | None:
    """The renewal of label `number` that is not decided yet, if any."""
    with engine.connect() as conn:
        found = store.open_reassessment_of(conn, number, "renewal")
        return store.load_application(conn, found) if found else None


def renewal_under_assessment(engine, number: str) -> bool:
    """Whether label `number` has a renewal submitted and not decided yet (it keeps the label for the grace)."""
    with engine.connect() as conn:
        return store.open_reassessment_of(conn, number, "renewal", m.UNDER_ASSESSMENT) is not None


def search_labels(engine, **criteria) -> Page[m.Label]:
    with engine.connect() as conn:
        return store.search_labels(conn, **criteria)


# --- complaints --------------------------------------------------------------------------------------

def file_complaint(uow: UnitOfWork, label_number: str | None, text: str, contact: str | None,
                   mail: MailSite | None = None, language: str | None = None) -> m.Complaint:
    """The complaint comes back with `tracking_token`, the secret of the complainant's link to follow it (only
    its SHA-256 is kept), also mailed (in `language`, the page's) when the contact holds an address."""
    from services.label import complaint_notices, complaint_tracking  # the complainant's link and its mail
    complaint = complaint_tracking.TrackedComplaint(id=_new_id(), label_number=label_number, text=text,
                                                    contact=contact, tracking_token=complaint_tracking.new_token())
    with uow:
        if label_number is not None:
            store.load_label(uow.conn, label_number)  # 404 for a number this site never issued
        store.save_complaint(uow.conn, complaint, new=True)
        complaint_tracking.remember(uow.conn, complaint.id, complaint.tracking_token)
        store.audit_step(uow.conn, "complaint", complaint.id, "filed", "public",
                         details={"label_number": label_number})
        notices.complaint_filed(uow.conn, mail, complaint, utcnow())
        complaint_notices.complaint_received(uow.conn, mail, complaint, complaint.tracking_token, utcnow(), language)
        uow.commit()
    return complaint


def review_complaint(uow: UnitOfWork, complaint_id: str, to: str, resolution: str | None, actor: str,
                     today: date, action: str | None = None, suspend_until: date | None = None,
                     mail: MailSite | None = None) -> m.Complaint:
    """Move a complaint on; an upheld one may suspend or revoke its label in the same transaction. A decided
    one (upheld or dismissed) is told to the label's holder and to the complainant who left an address."""
    with uow:
        complaint = store.load_complaint(uow.conn, complaint_id, lock=True)
        complaint.move(to, resolution)
        label = None
        if action and to == "upheld" and complaint.label_number:
            label = store.load_label(uow.conn, complaint.label_number, lock=True)
            why = f"complaint {complaint.id}: {resolution or 'upheld'}"
            if action == "suspend":
                label.suspend(today, suspend_until, why)
            else:
                label.revoke(why)
            store.save_label(uow.conn, label)
            store.audit_step(uow.conn, "label", label.number, f"{action}ed" if action == "suspend" else "revoked",
                             actor, why, {"complaint_id": complaint.id})
            uow.record(label)
            notices.status_changed(uow.conn, mail, label, utcnow())
        elif complaint.label_number:
            label = store.find_label(uow.conn, complaint.label_number)
        store.save_complaint(uow.conn, complaint)
        store.audit_step(uow.conn, "complaint", complaint.id, to, actor, resolution, {"action": action})
        notices.complaint_decided(uow.conn, mail, complaint, label, utcnow())
        uow.commit()
    return complaint


def list_complaints(engine, status: str | None, page: int, per_page: int) -> Page[m.Complaint]:
    with engine.connect() as conn:
        return store.list_complaints(conn, status, page, per_page)


def get_complaint(engine, complaint_id: str) -> m.Complaint:
    with engine.connect() as conn:
        return store.load_complaint(conn, complaint_id)


def audit_trail(engine, subject_ids: list[str]) -> list[dict]:
    with engine.connect() as conn:
        return store.audit_trail(conn, subject_ids)
