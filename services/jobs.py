"""The scheduled jobs `sopro tick` runs (from cron or a timer): each does its housekeeping and says what
it did, one line per change and a count, for the operator's log."""
from __future__ import annotations

import logging
from datetime import datetime

from services.enquiries.crossborder.deadlines import fail_overdue_parts
from services.enquiries.lifecycle.expiry import expire_overdue
from services.common import notification_sender
from services.common.mail import SmtpMailer
from services.web import mail_digest
from services.web.notify import MailSite
from services.contracts.label_policy import LabelPolicy
from services.label import handlers as label_handlers, notices as label_notices
from services.label import spot_check_draws as label_spot_checks
from services.common.errors import Conflict
from services.community.calendar import handlers as community_calendar, notices as community_notices
from services.hub.criteria import publishing as criteria_publishing
from services.registry import handbook as registry_handbook

log = logging.getLogger("sopro.jobs")


def expire_enquiries(runtime, now: datetime) -> list[str]:
    """Open enquiries past their deadline expire."""
    expired = expire_overdue(runtime.uow, now, site=runtime.settings.site)  # its clients are told
    lines = [f"{e.reference} expired (was {e.from_state}, deadline {e.deadline})" for e in expired]
    return [*lines, f"{len(expired)} enquiries expired"]


def fail_overdue_forwarded_parts(runtime, now: datetime) -> list[str]:
    """Forwarded parts past their deadline with units missing fail (deadline_missed)."""
    failed = fail_overdue_parts(runtime.uow, now, runtime.settings.federation.rates_to_eur)
    lines = [f"part {p.id} of {p.enquiry_reference} failed: {p.delivered} of {p.quantity} delivered by {p.deadline}"
             for p in failed]
    return [*lines, f"{len(failed)} forwarded parts failed"]


def expire_labels(runtime, now: datetime) -> list[str]:
    """Labels past their validity expire (a renewal under assessment keeps one for the network's grace)."""
    grace = LabelPolicy.of(runtime.settings.federation).renewal_grace_days
    labels = label_handlers.expire_labels(runtime.uow, now.date(), grace)
    lines = [f"label {label.number} expired (valid until {label.valid_until})" for label in labels]
    return [*lines, f"{len(labels)} labels expired"]


def end_label_suspensions(runtime, now: datetime) -> list[str]:
    """A suspension past its end date ends; the label is valid again."""
    return [f"label {label.number} valid again (its suspension ended)"
            for label in label_handlers.end_lapsed_suspensions(runtime.uow, now.date(),
                                                               label_notices.mail_site(runtime))]


def remind_label_expiry(runtime, now: datetime) -> list[str]:
    """The holders of labels whose validity ends in 60 or 30 days are reminded, each reminder once."""
    reminded = label_handlers.remind_expiring_labels(runtime.uow, label_notices.mail_site(runtime), now)
    lines = [f"label {label.number}: {days}-day expiry reminder ({mails} mails)" for label, days, mails in reminded
             if mails]
    return [*lines, f"{sum(mails for _, _, mails in reminded)} label expiry reminders written"]


def draw_spot_checks(runtime, now: datetime) -> list[str]:
    """Once a year: the share of valid labels the network's policy sets is drawn for a spot check (a random
    seed, recorded); the year's draw exists after the first tick of the year, by this job or an approver."""
    year = now.year
    with runtime.engine.connect() as conn:
        if label_spot_checks.draw_exists(conn, year):
            return [f"the spot checks of {year} are drawn already"]
        if not label_spot_checks.population(conn):  # nothing to draw yet: a later tick of the year draws
            return [f"no valid label to draw for the spot checks of {year} yet"]
    share = LabelPolicy.of(runtime.settings.federation).spot_check_share
    try:
        done = label_spot_checks.draw_spot_checks(runtime.uow(), year, None, "sopro tick", share, now.date(),
                                                   label_notices.mail_site(runtime))
    except Conflict:  # an approver drew meanwhile
        return [f"the spot checks of {year} are drawn already"]
    return [*(f"label {number} drawn for a spot check" for number in done.drawn),
            f"{len(done.drawn)} of {len(done.population)} valid labels drawn for the spot checks of {year}"]


def send_criteria_to_joined_sites(runtime, now: datetime) -> list[str]:
    """At the hub: a member site that joined after a criteria version was published is sent it."""
    sent = criteria_publishing.send_to_joined_sites(runtime.uow(), [s.id for s in runtime.settings.federation.member_sites])
    return [*(f"criteria version {version} sent to {site}, which joined later" for site, version in sent),
            f"{len(sent)} criteria versions sent to sites that joined later"]


def remind_community_events(runtime, now: datetime, days: int = 2) -> list[str]:
    """Registered people are reminded of their community event `days` before it starts, each registration once."""
    reminded = community_calendar.remind(runtime.uow(), now, community_notices.event_mail(runtime), days)
    lines = [f"event {reference}: {mails} reminders" for reference, mails in reminded if mails]
    return [*lines, f"{sum(mails for _, mails in reminded)} community event reminders written"]


def send_notifications(runtime, now: datetime) -> list[str]:
    """Due notifications go to the SMTP server (for a site whose `sopro serve` runs no sender thread)."""
    site = runtime.settings.site
    try:
        digests = mail_digest.compose_due(runtime.engine, MailSite.of(site), now)
    except Exception:  # noqa: BLE001 - the digests wait for the next tick; the due mail still goes
        log.exception("notifications: writing the daily digests failed")
        digests = 0
    if runtime.settings.mail is None:
        return [f"{digests} daily digests written",
                "no SMTP server configured (SOPRO_SMTP_HOST): notifications wait in the outbox"]
    sent = notification_sender.deliver_due(runtime.engine, SmtpMailer(runtime.settings.mail), limit=500)
    return [f"{digests} daily digests written", f"{sent} notifications sent"]


def make_handbooks(runtime, now: datetime) -> list[str]:
    """The good-practice handbook's PDFs that a case study's change dropped are made again (each language)."""
    made = registry_handbook.make_missing(runtime, now.date())
    return [*(f"good-practice handbook ({language}) made again" for language in made),
            f"{len(made)} good-practice handbooks made"]
