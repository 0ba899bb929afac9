"""The queries of appeals, on the `label_appeal` table (services/label/store.py), and what an appeal needs
to know of the decision it is against (`decided`). SQLite and PostgreSQL alike."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from services.common.db import Page, paged
from services.common.errors import Conflict, NotFound
from services.label import model as m, store
from services.label.appeal_model import Appeal, Decided

appeal = store.appeal


def _appeal(row) -> Appeal:
    return Appeal(id=row.id, against=row.against, holder_organisation_id=row.holder_organisation_id,
                  grounds=row.grounds, filed_by=row.filed_by, excluded=list(row.excluded or []),
                  application_id=row.application_id, label_number=row.label_number, status=row.status,
                  decided_by=row.decided_by, decision_reason=row.decision_reason, created_at=row.created_at,
                  decided_at=row.decided_at)


def load(conn: Connection, id_: str, lock: bool = False) -> Appeal:
    query = select(appeal).where(appeal.c.id == str(id_))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no appeal {id_}", {"appeal": ["unknown"]})
    return _appeal(row)


def save(conn: Connection, a: Appeal, new: bool = False) -> None:
    row = dict(id=a.id, against=a.against, application_id=a.application_id, label_number=a.label_number,
               holder_organisation_id=a.holder_organisation_id, grounds=a.grounds, filed_by=a.filed_by,
               excluded=list(a.excluded), status=a.status, decided_by=a.decided_by,
               decision_reason=a.decision_reason, created_at=a.created_at, decided_at=a.decided_at)
    if new:
        conn.execute(insert(appeal).values(**row))
    else:
        conn.execute(update(appeal).where(appeal.c.id == a.id).values(**row))


def _against(application_id: str | None, label_number: str | None):
    if application_id is not None:
        return appeal.c.application_id == str(application_id)
    return appeal.c.label_number == str(label_number)


def since(conn: Connection, against: str, application_id: str | None, label_number: str | None,
          after: datetime) -> list[Appeal]:
    """The appeals `against` this application or label filed since `after` (the decision's time)."""
    rows = conn.execute(select(appeal).where(appeal.c.against == against, _against(application_id, label_number),
                                             appeal.c.created_at >= after)
                        .order_by(appeal.c.created_at)).all()
    return [_appeal(r) for r in rows]


def of_organisation(conn: Connection, organisation_id: str) -> list[Appeal]:
    """Every appeal of a holder organisation, newest first (its pages show each decision's latest)."""
    rows = conn.execute(select(appeal).where(appeal.c.holder_organisation_id == organisation_id)
                        .order_by(appeal.c.created_at.desc())).all()
    return [_appeal(r) for r in rows]


def listing(conn: Connection, organisation_id: str | None, status: str | None, page: int, per_page: int) -> Page:
    query = select(appeal)
    if organisation_id:
        query = query.where(appeal.c.holder_organisation_id == organisation_id)
    if status:
        query = query.where(appeal.c.status == status)
    return paged(conn, query, (appeal.c.created_at, appeal.c.id), page, per_page, _appeal)


# --- the decision appealed ---------------------------------------------------------------------------

def _application_deciders(app: m.Application) -> list[str]:
    return [(app.assessment or {}).get("assessor"), (app.decision or {}).get("approver")]


def refusal(conn: Connection, app: m.Application) -> Decided:
    if app.status != "refused" or not app.decision:
        raise Conflict(f"only a refused application may be appealed; this one is {app.status}",
                       {"against": [f"is {app.status}"]}, code="not_appealable")
    return Decided(against="refused", holder_organisation_id=app.holder_organisation_id, status_now=app.status,
                   decided_at=datetime.fromisoformat(app.decision["at"]), deciders=tuple(_application_deciders(app)),
                   application_id=app.id)


def label_decision(conn: Connection, label: m.Label, against: str) -> Decided:
    """The label's suspension or revocation now in force: its last such step decided it; everyone who ever
    suspended or revoked it, and the assessors and approvers of its application and renewals, decided before."""
    steps = [s for s in store.audit_trail(conn, [label.number]) if s["subject"] == "label"]
    taken = [s for s in steps if s["action"] == against]
    if label.status != against or not taken:
        raise Conflict(f"only a label that is {against} may be appealed against its {against} state; "
                       f"this one is {label.status}", {"against": [f"is {label.status}"]}, code="not_appealable")
    deciders = [s["actor"] for s in steps if s["action"] in ("suspended", "revoked")]
    # the label stands on its first application and on each renewal since: their deciders decided before too
    applications = [(s["details"] or {}).get("application_id") for s in steps if s["action"] in ("granted", "renewed")]
    for application_id in dict.fromkeys([*applications, label.application_id]):
        try:
            deciders += _application_deciders(store.load_application(conn, application_id))
        except NotFound:
            pass
    return Decided(against=against, holder_organisation_id=label.holder_organisation_id, status_now=label.status,
                   decided_at=taken[-1]["at"], deciders=tuple(deciders), label_number=label.number)
