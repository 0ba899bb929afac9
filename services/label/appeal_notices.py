"""The mail of appeals, written to the site's notification outbox in the transaction of the change (the
style of services/label/notices.py):

- `label_appeal_filed`: to the site's approvers who may decide the appeal (not those who decided before).
  The grounds stay on the appeal's page: the mail says that there is one, and links there.
- `label_appeal_decided`: to the members of the holder organisation, with the outcome, the reason the
  approver typed, and what the outcome changed.

Each key names its cause, so a repeated call writes no second mail.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from services.label import model as m
from services.label.appeal_model import Appeal
from services.web.mail_layout import Mail, Words
from services.web.notify import MailSite, members_of, notify_all, with_role

MEMBER_LABELS = "/office/member/labels"


def _against(t: Words, appeal: Appeal) -> str:
    _ = t.gettext
    if appeal.against == "refused":
        return _("the refusal of a label application")
    if appeal.against == "suspended":
        return _("the suspension of the label %(number)s") % {"number": appeal.label_number}
    return _("the revocation of the label %(number)s") % {"number": appeal.label_number}


def filed(conn: Connection, site: MailSite | None, appeal: Appeal, now: datetime) -> int:
    if site is None:
        return 0

    def build(t: Words) -> Mail:
        _ = t.gettext
        rows = [(_("Appeal against"), _against(t, appeal)), (_("Filed on"), t.date(appeal.created_at.date()))]
        if appeal.label_number:
            rows.append((_("Label number"), appeal.label_number))
        return Mail(subject=_("Appeal filed against %(what)s") % {"what": _against(t, appeal)},
                    intro=_("A holder organisation appealed a label decision. An approver who did not decide "
                            "before decides the appeal."),
                    rows=rows, action=_("Open the appeal"), link=t.link(f"/office/labels/appeals/{appeal.id}"),
                    reason=_("You receive this mail because you are an approver of this site."))

    deciders = [r for r in with_role(conn, "approver") if appeal.may_decide(r.username)]
    return notify_all(conn, site, deciders, "label_appeal_filed", f"label_appeal_filed:{appeal.id}", build, now)


def decided(conn: Connection, site: MailSite | None, appeal: Appeal, label: m.Label | None, now: datetime) -> int:
    if site is None or appeal.status == "open":
        return 0
    upheld = appeal.upheld

    def build(t: Words) -> Mail:
        _ = t.gettext
        rows = [(_("Appeal against"), _against(t, appeal)),
                (_("Outcome"), _("upheld") if upheld else _("dismissed")),
                (_("Reason"), appeal.decision_reason or "")]
        if upheld and appeal.against == "refused":
            effect = _("The application is assessed again.")
        elif upheld and label is not None and label.status == "valid":
            effect = _("The label is valid again.")
        elif upheld and label is not None and label.status == "expired":
            effect = _("The revocation is lifted; the label's validity has ended, so it is expired.")
        elif upheld:
            effect = _("The appeal was upheld.")
        else:
            effect = _("The decision stands.")
        return Mail(subject=_("Your appeal was decided: %(outcome)s")
                    % {"outcome": _("upheld") if upheld else _("dismissed")},
                    intro=effect, rows=rows, action=_("Open your label applications"), link=t.link(MEMBER_LABELS),
                    reason=_("You receive this mail because your organisation filed this appeal."))

    return notify_all(conn, site, members_of(conn, appeal.holder_organisation_id), "label_appeal_decided",
                      f"label_appeal_decided:{appeal.id}", build, now)
