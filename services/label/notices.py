"""The label's mail: written to the site's notification outbox in the transaction of the change that
causes it (services/web/notify.py does the language, the person's choices and the footer).

- `label_application_submitted`, `complaint_filed`: to the site's brokers.
- `label_status_changed` (suspended, reinstated, revoked), `complaint_outcome`, `label_expiry_reminder`
  (60 and 30 days before the end of the validity): to the members of the holder organisation, who see
  their labels on /office/member/labels.
- `complaint_outcome` also to the complainant, when the complaint's contact holds an address. The site
  keeps no language for a complainant: the mail is in the site's first language.

Every key names its cause, so that a repeated call (a retried request, the daily job run every hour)
writes no second mail.
"""
from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import Connection

from services.common.notifications import valid_address
from services.label import model as m, store
from services.web.mail_layout import Mail, Words
from services.web.notify import MailSite, Recipient, brokers, members_of, notify, notify_all

MEMBER_LABELS = "/office/member/labels"  # a member's applications with their labels' state and validity
REMINDER_DAYS = (60, 30)  # reminders before the end of a label's validity


def mail_site(runtime) -> MailSite | None:
    """The site's address and languages, as its mail needs them."""
    return MailSite.of(runtime.settings.site)


# --- brokers -----------------------------------------------------------------------------------------

def application_submitted(conn: Connection, site: MailSite | None, app: m.Application, now: datetime) -> int:
    """A member submitted an application (again, after it was returned: its version tells them apart)."""
    if site is None:
        return 0

    def build(t: Words) -> Mail:
        _ = t.gettext
        return Mail(subject=_("Label application submitted: %(product)s (%(holder)s)")
                    % {"product": app.product, "holder": app.holder_name},
                    intro=_("A member organisation submitted an application for the label. It waits for an "
                            "assessor."),
                    rows=[(_("Holder"), app.holder_name), (_("Product or service"), app.product),
                          (_("CPV codes"), ", ".join(app.cpv_codes))],
                    action=_("Open the application"), link=t.link(f"/office/labels/{app.id}"),
                    reason=_("You receive this mail because you are a broker of this site."))

    key = f"label_application_submitted:{app.id}:{app.version}"
    return notify_all(conn, site, brokers(conn), "label_application_submitted", key, build, now)


def complaint_filed(conn: Connection, site: MailSite | None, complaint: m.Complaint, now: datetime) -> int:
    """Someone complained about a label (or the label scheme). Neither its text nor the complainant's contact
    goes into the mail: brokers learn that there is one; the label staff read it."""
    if site is None:
        return 0

    def build(t: Words) -> Mail:
        _ = t.gettext
        if complaint.label_number:
            subject = _("Complaint about the label %(number)s") % {"number": complaint.label_number}
            rows = [(_("Label number"), complaint.label_number)]
            link, action = t.link(f"/office/labels/number/{complaint.label_number}"), _("Open the label")
        else:
            subject, rows, link, action = _("Complaint about the label scheme"), [], None, None
        return Mail(subject=subject, intro=_("A complaint was filed at your site."),
                    rows=rows, action=action, link=link,
                    reason=_("You receive this mail because you are a broker of this site."))

    return notify_all(conn, site, brokers(conn), "complaint_filed", f"complaint_filed:{complaint.id}", build, now)


# --- the holder's members ----------------------------------------------------------------------------

def _holder_reason(t: Words) -> str:
    return t.gettext("You receive this mail because your organisation holds this label.")


def _label_rows(t: Words, label: m.Label) -> list[tuple[str, str]]:
    _ = t.gettext
    return [(_("Label number"), label.number), (_("Product or service"), label.product),
            (_("Valid until"), t.date(label.valid_until))]


def status_changed(conn: Connection, site: MailSite | None, label: m.Label, now: datetime,
                   show_reason: bool = False) -> int:
    """The label was suspended, reinstated (by staff or when its suspension ended) or revoked. `show_reason`:
    the label's reason is what a person typed (the system's own are English notes for the audit trail)."""
    if site is None or label.status not in ("suspended", "valid", "revoked"):
        return 0

    def build(t: Words) -> Mail:
        _ = t.gettext
        values = {"number": label.number}
        rows = _label_rows(t, label)
        if label.status == "suspended":
            subject = _("Your label %(number)s is suspended") % values
            intro = _("The label may not be used while it is suspended.")
            rows.append((_("Suspended until"), t.date(label.suspended_until)))
        elif label.status == "revoked":
            subject = _("Your label %(number)s is revoked") % values
            intro = _("The label may no longer be used. A revoked label is never valid again.")
        else:
            subject = _("Your label %(number)s is valid again") % values
            intro = _("The suspension has ended: the label may be used again.")
        if show_reason and label.reason:
            rows.append((_("Reason"), label.reason))
        return Mail(subject=subject, intro=intro, rows=rows, action=_("Open your label applications"),
                    link=t.link(MEMBER_LABELS), reason=_holder_reason(t))

    key = f"label_status_changed:{label.number}:{label.version}"
    return notify_all(conn, site, members_of(conn, label.holder_organisation_id), "label_status_changed", key,
                      build, now)


def complainant_address(contact: str | None) -> str | None:
    """The first plain address in a complaint's free-text contact ("Theo Maier <theo@example.at>"), or None."""
    for candidate in re.findall(r"[^\s<>\"(),;:\\\[\]]+@[^\s<>\"(),;:\\\[\]]+", contact or ""):
        candidate = candidate.strip(".")
        if valid_address(candidate):
            return candidate
    return None


def complaint_decided(conn: Connection, site: MailSite | None, complaint: m.Complaint,
                      label: m.Label | None, now: datetime) -> int:
    """A complaint was upheld or dismissed: the holder's members, and the complainant if they left an address."""
    if site is None or complaint.status not in ("upheld", "dismissed"):
        return 0
    upheld = complaint.status == "upheld"

    def rows(t: Words) -> list[tuple[str, str]]:
        _ = t.gettext
        found = [(_("Label number"), complaint.label_number)] if complaint.label_number else []
        found.append((_("Outcome"), _("upheld") if upheld else _("dismissed")))
        if complaint.resolution:
            found.append((_("Resolution"), complaint.resolution))
        if label is not None and label.status in ("suspended", "revoked"):
            found.append((_("Label status"), _("suspended") if label.status == "suspended" else _("revoked")))
        return found

    def for_holder(t: Words) -> Mail:
        _ = t.gettext
        return Mail(subject=_("A complaint about your label %(number)s was decided")
                    % {"number": complaint.label_number},
                    intro=(_("The complaint was upheld.") if upheld else _("The complaint was dismissed.")),
                    rows=rows(t), action=_("Open your label applications"), link=t.link(MEMBER_LABELS),
                    reason=_holder_reason(t))

    def for_complainant(t: Words) -> Mail:
        _ = t.gettext
        link = t.link(f"/labels/verify?number={complaint.label_number}") if complaint.label_number else None
        return Mail(subject=_("Your complaint about a label was decided"),
                    intro=(_("Your complaint was upheld.") if upheld else _("Your complaint was dismissed.")),
                    rows=rows(t), action=_("Verify the label") if link else None, link=link,
                    reason=_("You receive this mail because you left this address with your complaint."))

    key = f"complaint_outcome:{complaint.id}"
    written = 0
    if label is not None:
        written += notify_all(conn, site, members_of(conn, label.holder_organisation_id), "complaint_outcome", key,
                              for_holder, now)
    address = complainant_address(complaint.contact)
    if address:
        written += notify(conn, site, Recipient(address), "complaint_outcome", f"{key}:complainant",
                          for_complainant, now)
    return written


def spot_check_drawn(conn: Connection, site: MailSite | None, app: m.Application, now: datetime) -> int:
    """The holder's label was drawn for this year's spot check: a re-assessment it completes and submits."""
    if site is None:
        return 0

    def build(t: Words) -> Mail:
        _ = t.gettext
        return Mail(subject=_("Your label %(number)s was drawn for a spot check") % {"number": app.label_number},
                    intro=_("Every year a share of the valid labels is drawn at random and assessed again under the "
                            "criteria in force. Your label was drawn."),
                    rows=[(_("Label"), app.label_number), (_("Product or service"), app.product)],
                    paragraphs=[_("Please check the figures of your last assessment, add current documents and "
                                  "submit the spot check. The label stays valid meanwhile.")],
                    action=_("Open the spot check"), link=t.link(f"{MEMBER_LABELS}/{app.id}"),
                    reason=_holder_reason(t))

    return notify_all(conn, site, members_of(conn, app.holder_organisation_id), "label_spot_check",
                      f"label_spot_check:{app.id}", build, now)


def expiry_reminder(conn: Connection, site: MailSite, label: m.Label, days: int, today: date, now: datetime) -> int:
    """The reminder `days` (60 or 30) before the validity ends, once per label, validity and reminder."""
    left = (label.valid_until - today).days

    def build(t: Words) -> Mail:
        _ = t.gettext
        return Mail(subject=_("Your label %(number)s expires on %(date)s")
                    % {"number": label.number, "date": t.date(label.valid_until)},
                    intro=t.ngettext("Your label expires in %(days)d day.", "Your label expires in %(days)d days.",
                                     left) % {"days": left},
                    rows=_label_rows(t, label),
                    paragraphs=[_("Renew it on your labels page: a renewal is a new assessment under the criteria "
                                  "in force, pre-filled with your last figures. Submit it in time: if it is still "
                                  "being assessed on the last day, the label stays valid for a grace period; an "
                                  "expired label has to be applied for again.")],
                    action=_("Renew the label"), link=t.link(MEMBER_LABELS), reason=_holder_reason(t))

    key = f"label_expiry_reminder:{label.number}:{label.valid_until.isoformat()}:{days}"
    return notify_all(conn, site, members_of(conn, label.holder_organisation_id), "label_expiry_reminder", key,
                      build, now)


def remind_expiring(conn: Connection, site: MailSite, today: date, now: datetime) -> list[tuple[m.Label, int, int]]:
    """Every valid or suspended label whose validity ends within 60 days gets its due reminder: the 60-day
    one from 60 days before, the 30-day one from 30 days before (a label found later gets only the latest).
    (label, reminder, mails written) for each label reminded of."""
    done = []
    for label in store.labels_expiring(conn, today, max(REMINDER_DAYS)):
        left = (label.valid_until - today).days
        days = min(d for d in REMINDER_DAYS if left <= d)
        done.append((label, days, expiry_reminder(conn, site, label, days, today, now)))
    return done
