"""What the label service holds about a person: complaints whose contact holds their address, and the
evidence documents they uploaded.

A complaint's contact is free text ("Theo Maier <theo@example.at>"), so a person is found where it
holds their address, in any case; erasure empties it in every state of the complaint.

A document names its uploader by the user's name (the token's subject). A person asked for by address is
each user whose name is that address or whose mail goes to it (the kernel's `auth_user` and
`user_contact`). The export lists their documents' metadata (name, type, size, SHA-256, when), not the
content: the content is a holder's evidence, read by assessors and approvers at the site. Erasure empties the
content of each (the fingerprint, the name and the uploader stay for the assessment's audit) and records
the step in the application's audit trail.

An appeal names who filed it the same way. The export lists the appeals the person filed, with their grounds;
erasure replaces the filer's name (the grounds stay: they are the holder organisation's case, and the
appeal's decision rests on them).
"""
from __future__ import annotations

from sqlalchemy import Connection, func, or_, select, update

from services.common.clock import utcnow
from services.common.db import containing
from services.common.notifications import user_contact
from services.common.users import auth_user
from services.label.store import appeal, audit_step, complaint, document


def _holding(email: str):
    return containing(func.lower(complaint.c.contact), email.strip().casefold())


def personal_records(conn: Connection, email: str | None = None, statement: str | None = None) -> dict[str, list]:
    if not email:
        return {}
    c = complaint
    rows = conn.execute(select(c.c.id, c.c.label_number, c.c.text, c.c.contact, c.c.status, c.c.created_at)
                        .where(_holding(email)).order_by(c.c.id))
    return {"label_complaints": [dict(r._mapping) for r in rows], "label_documents": _documents_of(conn, email),
            "label_appeals": _appeals_of(conn, email)}


def erase_person(conn: Connection, email: str, actor: str, ground: str) -> dict[str, int]:
    """Empty the contact of every complaint holding the address; the audit keeps who, when and why."""
    ids = list(conn.execute(select(complaint.c.id).where(_holding(email))).scalars())
    if ids:
        conn.execute(update(complaint).where(complaint.c.id.in_(ids)).values(contact=None, updated_at=utcnow()))
    for complaint_id in ids:
        audit_step(conn, "complaint", complaint_id, "contact erased", actor, details={"ground": ground})
    return {"label_complaints": len(ids), "label_documents": _erase_documents(conn, email, actor, ground),
            "label_appeals": _erase_appeal_filers(conn, email, actor, ground)}


# --- evidence documents ------------------------------------------------------------------------------

def uploaders(conn: Connection, email: str) -> list[str]:
    """The user names that stand for the address: a user named by it, and users whose mail goes to it."""
    address = email.strip().casefold()
    named = conn.execute(select(auth_user.c.username).where(func.lower(auth_user.c.username) == address)).scalars()
    mailed = conn.execute(select(user_contact.c.username).where(func.lower(user_contact.c.email) == address)).scalars()
    return sorted({*named, *mailed})


def _named_by(conn: Connection, column, email: str):
    """`column` (a user name) names the person: one of their user names, or the address itself."""
    return or_(column.in_(uploaders(conn, email)), func.lower(column) == email.strip().casefold())


def _uploaded_by(conn: Connection, email: str):
    return _named_by(conn, document.c.uploaded_by, email)


def _documents_of(conn: Connection, email: str) -> list[dict]:
    d = document
    rows = conn.execute(select(d.c.id, d.c.application_id, d.c.criterion_id, d.c.filename, d.c.media_type, d.c.size,
                               d.c.sha256, d.c.uploaded_by, d.c.uploaded_at, d.c.content.is_not(None).label("held"))
                        .where(_uploaded_by(conn, email)).order_by(d.c.uploaded_at, d.c.id))
    return [{**{k: v for k, v in r._mapping.items() if k != "held"},
             "content_held": bool(r.held), "content_included": False} for r in rows]


def _erase_documents(conn: Connection, email: str, actor: str, ground: str) -> int:
    """Empty the content of every document the person uploaded; the audit keeps who, when and why."""
    rows = conn.execute(select(document.c.id, document.c.application_id, document.c.sha256)
                        .where(_uploaded_by(conn, email), document.c.content.is_not(None))).all()
    if rows:
        conn.execute(update(document).where(document.c.id.in_([r.id for r in rows])).values(content=None))
    for r in rows:
        audit_step(conn, "application", r.application_id, "document content erased", actor,
                   details={"document_id": r.id, "sha256": r.sha256, "ground": ground})
    return len(rows)


# --- appeals -----------------------------------------------------------------------------------------

ERASED_FILER = "(erased)"


def _filed_by(conn: Connection, email: str):
    return _named_by(conn, appeal.c.filed_by, email)


def _appeals_of(conn: Connection, email: str) -> list[dict]:
    a = appeal
    rows = conn.execute(select(a.c.id, a.c.against, a.c.application_id, a.c.label_number, a.c.grounds, a.c.filed_by,
                               a.c.status, a.c.created_at, a.c.decided_at)
                        .where(_filed_by(conn, email)).order_by(a.c.created_at, a.c.id))
    return [dict(r._mapping) for r in rows]


def _erase_appeal_filers(conn: Connection, email: str, actor: str, ground: str) -> int:
    ids = list(conn.execute(select(appeal.c.id).where(_filed_by(conn, email))).scalars())
    if ids:
        conn.execute(update(appeal).where(appeal.c.id.in_(ids)).values(filed_by=ERASED_FILER))
    for appeal_id in ids:
        audit_step(conn, "appeal", appeal_id, "filer erased", actor, details={"ground": ground})
    return len(ids)
