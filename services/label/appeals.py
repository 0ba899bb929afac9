"""Use cases of appeals (the rules are in appeal_model.py). Each loads under a row lock, calls the domain,
and saves the appeal, what the outcome changes, the audit steps, the label's event and the mail in one
transaction, as services/label/handlers.py does.

- File: a member of the holder organisation (`acting_for`), or a site admin on its behalf (None). The
  application or label is locked first, so two appeals filed at once against one decision serialise and
  the second is refused.
- Decide: an approver who did not decide before. Upheld: a refusal reopens the application for a new
  assessment; a suspension still in force ends (the label is valid again); a revocation is lifted (valid
  again, or expired when its validity has ended meanwhile). Dismissed: only the appeal changes.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from services.common.db import Page
from services.common.errors import Forbidden, Invalid, NotFound
from services.common.uow import UnitOfWork
from services.label import appeal_notices, appeal_store, model as m, store
from services.label.appeal_model import AGAINST, Appeal, Decided
from services.web.notify import MailSite


def _check_holder(acting_for: str | None, holder_organisation_id: str) -> None:
    if acting_for is not None and acting_for != holder_organisation_id:
        raise Forbidden("a member may only appeal its own organisation's decisions")


def _decided(conn, against: str, application_id: str | None, label_number: str | None,
             acting_for: str | None, lock: bool = True) -> Decided:
    """The decision appealed (its application or label locked when `lock`); another organisation's is 403."""
    if against not in AGAINST:
        raise Invalid(f"an appeal is against one of {list(AGAINST)}", {"against": [f"one of {list(AGAINST)}"]})
    if against == "refused":
        if not application_id:
            raise Invalid("an appeal against a refusal names its application", {"application_id": ["required"]})
        app = store.load_application(conn, application_id, lock=lock)
        _check_holder(acting_for, app.holder_organisation_id)
        return appeal_store.refusal(conn, app)
    if not label_number:
        raise Invalid("an appeal against a suspension or revocation names its label", {"label_number": ["required"]})
    label = store.load_label(conn, label_number, lock=lock)
    _check_holder(acting_for, label.holder_organisation_id)
    return appeal_store.label_decision(conn, label, against)


def decided(engine, against: str, application_id: str | None, label_number: str | None,
            acting_for: str | None) -> Decided:
    """What a filing page shows: the decision and its deadline; 403/404/409 as filing would answer."""
    with engine.connect() as conn:
        return _decided(conn, against, application_id, label_number, acting_for, lock=False)


def file_appeal(uow: UnitOfWork, against: str, application_id: str | None, label_number: str | None,
                grounds: str, actor: str, acting_for: str | None, now: datetime,
                mail: MailSite | None = None) -> Appeal:
    with uow:
        found = _decided(uow.conn, against, application_id, label_number, acting_for)
        earlier = appeal_store.since(uow.conn, against, found.application_id, found.label_number, found.decided_at)
        appeal = Appeal.file(str(uuid.uuid4()), found, grounds, actor, now, earlier)
        appeal_store.save(uow.conn, appeal, new=True)
        store.audit_step(uow.conn, "appeal", appeal.id, "filed", actor, None,
                         {"against": against, "application_id": appeal.application_id,
                          "label_number": appeal.label_number})
        appeal_notices.filed(uow.conn, mail, appeal, now)
        uow.commit()
    return appeal


def decide_appeal(uow: UnitOfWork, appeal_id: str, decider: str, outcome: str, reason: str, now: datetime,
                  mail: MailSite | None = None) -> Appeal:
    with uow:
        appeal = appeal_store.load(uow.conn, appeal_id, lock=True)
        appeal.decide(decider, outcome, reason, now)
        label = _apply(uow, appeal, now) if appeal.upheld else None
        appeal_store.save(uow.conn, appeal)
        store.audit_step(uow.conn, "appeal", appeal.id, appeal.status, decider, reason)
        appeal_notices.decided(uow.conn, mail, appeal, label, now)
        uow.commit()
    return appeal


def _apply(uow: UnitOfWork, appeal: Appeal, now: datetime) -> m.Label | None:
    """What an upheld appeal changes, audited on the application's or label's trail."""
    actor, reason, details = appeal.decided_by, appeal.decision_reason, {"appeal_id": appeal.id}
    if appeal.against == "refused":
        app = store.load_application(uow.conn, appeal.application_id, lock=True)
        app.reopen_on_appeal()
        store.save_application(uow.conn, app)
        store.audit_step(uow.conn, "application", app.id, "reopened on appeal", actor, reason, details)
        return None
    label = store.load_label(uow.conn, appeal.label_number, lock=True)
    if appeal.against == "suspended":
        if label.status != "suspended":  # the suspension ended meanwhile (or a revocation followed): kept
            return label
        label.reinstate(reason)
    else:
        label.restore_on_appeal(now.date(), reason)
    store.save_label(uow.conn, label)
    store.audit_step(uow.conn, "label", label.number, "reinstated" if label.status == "valid" else label.status,
                     actor, reason, {**details, "status": label.status})
    uow.record(label)
    return label


# --- reading -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AppealFacts:
    """An appeal with the decision it is against, for the staff's page."""
    appeal: Appeal
    application: m.Application | None
    label: m.Label | None
    audit: list


def get_appeal(engine, appeal_id: str, acting_for: str | None) -> Appeal:
    """Another organisation's appeal is unknown to a member (404), so that its existence does not leak."""
    with engine.connect() as conn:
        appeal = appeal_store.load(conn, appeal_id)
    if acting_for is not None and acting_for != appeal.holder_organisation_id:
        raise NotFound(f"no appeal {appeal_id}", {"appeal": ["unknown"]})
    return appeal


def facts(engine, appeal_id: str) -> AppealFacts:
    with engine.connect() as conn:
        appeal = appeal_store.load(conn, appeal_id)
        label = store.find_label(conn, appeal.label_number) if appeal.label_number else None
        app_id = appeal.application_id or (label.application_id if label else None)
        try:
            app = store.load_application(conn, app_id) if app_id else None
        except NotFound:
            app = None
        subjects = [appeal.id] + [s for s in (app_id, appeal.label_number) if s]
        return AppealFacts(appeal, app, label, store.audit_trail(conn, subjects))


def list_appeals(engine, organisation_id: str | None, status: str | None, page: int, per_page: int) -> Page[Appeal]:
    with engine.connect() as conn:
        return appeal_store.listing(conn, organisation_id, status, page, per_page)


def of_organisation(engine, organisation_id: str) -> list[Appeal]:
    with engine.connect() as conn:
        return appeal_store.of_organisation(conn, organisation_id)
