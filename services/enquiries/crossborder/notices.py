"""Mail about cross-border parts and consortia, written by the site that holds the addresses, in the
transaction of the consumer that applies the hub's directed message (services/web/notify.py does the
language, the person's choices and the footer; the key of each mail names its cause, so a redelivered
or replayed message writes nothing twice).

At the target site, when `hub.part.forwarded` arrives (consumers.on_part_forwarded):
- `part_forwarded`: each broker, linking to the part's page in the office, where they accept or decline;
- `part_forwarded_to_member`: each member of the social enterprise the part names. The hub always names
  the social enterprise (and its offer) when it forwards a part; there is no later step at the target
  site that assigns a part to one, so both mails go out when the part arrives.

At the origin site, when `hub.consortium.updated` / `.agreed` arrives (consumers.on_consortium), each
broker, linking to the enquiry's consortium page:
- `part_answered`: a part the picture kept so far showed as forwarded (or did not show) is answered now
  (accepted, or declined with its reason and note); once per part;
- `consortium_agreed`: every part accepted, together the whole order; once per order;
- `consortium_short`: the order became short (the allocation cannot cover it), or a part failed after
  accepting (withdrawn by its social enterprise, delivered short, or its deadline missed: the target's
  `sopro tick`, deadlines.fail_overdue_parts) and the hub could not give all its units to others.
  Once per hub message that says so.
Only a newer picture than the one kept tells about answers and shortfalls (a late or replayed snapshot
says nothing new). The origin and the target learn of each other only through the hub, whose messages
carry no address: each site mails its own people.
"""
from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Mapping

from sqlalchemy import Connection, select

from services.common.config import load_federation
from services.common.envelope import Envelope
from services.common.errors import NotFound
from services.contracts.events import hub
from services.contracts import reason_texts
from services.contracts.reasons import FAILURE_CAUSES
from services.enquiries.crossborder import origin, store
from services.enquiries.crossborder.model import ForwardedPart
from services.enquiries.lifecycle import store as enquiry_store
from services.enquiries.matching import store as matching_store
from services.web.mail_layout import Mail, Words
from services.web.notify import MailSite, brokers, members_of, notify_all

log = logging.getLogger("sopro.enquiries.crossborder")

PART_FORWARDED, PART_FORWARDED_TO_MEMBER = "part_forwarded", "part_forwarded_to_member"
PART_ANSWERED, CONSORTIUM_AGREED, CONSORTIUM_SHORT = "part_answered", "consortium_agreed", "consortium_short"
ANSWERED = ("accepted", "declined", "in_production", "delivered", "failed")  # a part its site answered
NOTHING_REALLOCATED = ("no_time_left", "no_candidate")  # services.contracts.reasons.REALLOCATION_OUTCOMES but "reallocated"


def mail_site(site_id: str) -> MailSite:
    """The site's address and languages, from the federation file the process runs with (a consumer has
    no runtime at hand; origin_handlers.site_money reads the same file)."""
    return MailSite.of(load_federation().site(site_id))


# --- the target site: a part arrives ------------------------------------------------------------------

def part_arrived(conn: Connection, part: ForwardedPart, site: MailSite, now: datetime) -> int:
    """The brokers' and the social enterprise's members' mails about a part that has just arrived."""
    name = matching_store.organisation_name(conn, part.organisation_id)
    link = f"/office/forwarded-parts/{part.id}"
    sent = notify_all(conn, site, brokers(conn), PART_FORWARDED, f"{PART_FORWARDED}:{part.id}",
                      _forwarded_mail(part, name, link, member=False), now)
    return sent + notify_all(conn, site, members_of(conn, part.organisation_id), PART_FORWARDED_TO_MEMBER,
                             f"{PART_FORWARDED_TO_MEMBER}:{part.id}", _forwarded_mail(part, name, link, member=True),
                             now)


def _forwarded_mail(part: ForwardedPart, organisation_name: str | None, path: str, member: bool):
    def build(t: Words) -> Mail:
        _ = t.gettext
        values = {"reference": part.enquiry_reference, "title": part.title}
        rows = [(_("Reference"), part.enquiry_reference), (_("Title"), part.title),
                (_("Origin site"), part.origin_site)]
        if organisation_name:
            rows.append((_("Social enterprise"), organisation_name))
        rows += [(_("Quantity"), _quantity(t, part.quantity, part.unit)),
                 (_("Unit price"), t.money(part.unit_price, part.currency)),
                 (_("Deadline"), t.date(part.deadline))]
        if member:
            return Mail(subject=_("A part of %(reference)s for your social enterprise: %(title)s") % values,
                        intro=_("The hub chose your social enterprise for a part of a cross-border order. "
                                "Please accept or decline it before the deadline."),
                        rows=rows, action=_("Open the part"), link=t.link(path),
                        reason=_("You receive this mail because you are a member of the social enterprise "
                                 "the part was forwarded to."))
        return Mail(subject=_("Forwarded part of %(reference)s: %(title)s") % values,
                    intro=_("The hub forwarded a part of a cross-border order to your site. Accept or decline "
                            "it on behalf of the social enterprise."),
                    rows=rows, action=_("Open the part"), link=t.link(path),
                    reason=_("You receive this mail because you are a broker of this site."))
    return build


# --- the origin site: the hub's picture of its order ------------------------------------------------

def picture_before(conn: Connection, env: Envelope):
    """The picture of the message's order kept so far (aggregate_version and snapshot), or None."""
    c = store.consortium
    return conn.execute(select(c.c.aggregate_version, c.c.snapshot)
                        .where(c.c.id == str(env.data["order_id"]))).first()


def consortium_news(conn: Connection, env: Envelope, before, rates_to_eur: Mapping[str, Decimal],
                    site: MailSite, now: datetime) -> int:
    """The origin brokers' mails about what the hub's message says is new, against `before` (the picture
    kept before the message was applied: `picture_before`)."""
    after = origin.upgrade(env.data, env.version, rates_to_eur)
    try:
        enquiry = enquiry_store.load_enquiry(conn, str(after["enquiry_id"]))
    except NotFound:  # follow_consortium has logged it: no page to link to
        return 0
    recipients = brokers(conn)
    if not recipients:
        return 0
    sent = 0
    if env.type == hub.ConsortiumAgreed.TYPE or after["status"] == origin.ORDER_AGREED:
        # Once per order, whenever the news comes (even a late `agreed` overtaken by a newer picture).
        sent += notify_all(conn, site, recipients, CONSORTIUM_AGREED, f"{CONSORTIUM_AGREED}:{after['order_id']}",
                           _agreed_mail(enquiry, after), now)
    if before is not None and before.aggregate_version >= env.aggregate_version:
        return sent  # a late or replayed picture: nothing new about answers or shortfalls
    earlier = before.snapshot if before is not None else {"status": None, "parts": [], "shortfalls": []}
    known = {str(p["part_id"]): p["status"] for p in earlier["parts"]}
    for part in after["parts"]:
        if part["status"] in ANSWERED and known.get(str(part["part_id"]), "forwarded") == "forwarded":
            sent += notify_all(conn, site, recipients, PART_ANSWERED, f"{PART_ANSWERED}:{part['part_id']}",
                               _answered_mail(enquiry, after, part), now)
    news = _new_shortfalls(earlier, after)
    if news is not None:
        sent += notify_all(conn, site, recipients, CONSORTIUM_SHORT,
                           f"{CONSORTIUM_SHORT}:{after['order_id']}:{env.aggregate_version}",
                           _short_mail(enquiry, after, news), now)
    return sent


def _new_shortfalls(before: Mapping, after: Mapping) -> list[dict] | None:
    """The shortfalls to tell of, or None when the order did not come up short with this picture: it
    became short, or more parts failed with units nobody took over."""
    if after["status"] == "cancelled" or after.get("missing", 0) <= 0:
        return None
    became_short = after["status"] == "short" and before["status"] != "short"
    failures = [s for s in before.get("shortfalls", []) if s.get("code") in FAILURE_CAUSES]
    failed_now = [s for s in after.get("shortfalls", []) if s.get("code") in FAILURE_CAUSES and s not in failures]
    if not (became_short or failed_now):
        return None
    return failed_now + ([s for s in after["shortfalls"] if s.get("code") not in FAILURE_CAUSES]
                         if became_short else [])


def _enquiry_rows(t: Words, enquiry, snapshot: Mapping) -> list[tuple[str, str]]:
    _ = t.gettext
    return [(_("Reference"), enquiry.reference), (_("Title"), enquiry.title),
            (_("Quantity"), _quantity(t, snapshot["quantity"], enquiry.unit))]


def _consortium_link(t: Words, enquiry) -> str:
    return t.link(f"/office/enquiries/{enquiry.id}/consortium")


def _answered_mail(enquiry, snapshot: Mapping, part: Mapping):
    declined = part["status"] == "declined"

    def build(t: Words) -> Mail:
        _ = t.gettext
        values = {"reference": enquiry.reference, "title": enquiry.title}
        rows = _enquiry_rows(t, enquiry, snapshot)
        rows += [(_("Site"), part["site"])]
        if part.get("organisation_name"):
            rows.append((_("Social enterprise"), part["organisation_name"]))
        rows.append((_("Part"), _quantity(t, part["quantity"], enquiry.unit)))
        if declined:
            if part.get("answer"):
                rows.append((_("Reason"), reason_text(t, part["answer"])))
            subject = _("Part declined for %(reference)s: %(title)s") % values
            intro = _("A site declined its part of your cross-border order. The hub looks for other social "
                      "enterprises for these units.")
        else:
            subject = _("Part accepted for %(reference)s: %(title)s") % values
            intro = _("A site accepted its part of your cross-border order on behalf of its social enterprise.")
        if part.get("note"):
            rows.append((_("Note"), part["note"]))
        return Mail(subject=subject, intro=intro, rows=rows, action=_("Open the consortium"),
                    link=_consortium_link(t, enquiry),
                    reason=_("You receive this mail because you are a broker of this site."))
    return build


def _agreed_mail(enquiry, snapshot: Mapping):
    partners = sum(1 for p in snapshot["parts"] if p["status"] in ("accepted", "in_production", "delivered"))

    def build(t: Words) -> Mail:
        _ = t.gettext
        values = {"reference": enquiry.reference, "title": enquiry.title}
        rows = _enquiry_rows(t, enquiry, snapshot)
        rows.append((_("Parts"), t.number(partners)))
        if snapshot.get("total_cost_eur") is not None:
            rows.append((_("Cost"), t.money(snapshot["total_cost_eur"], "EUR")))
        if snapshot.get("deadline"):
            rows.append((_("Deadline"), t.date(_as_date(snapshot["deadline"]))))
        return Mail(subject=_("Consortium agreed for %(reference)s: %(title)s") % values,
                    intro=_("Every part of your cross-border order was accepted: together they cover the whole "
                            "order. The agreement with the client is on the consortium's page."),
                    rows=rows, action=_("Open the consortium"), link=_consortium_link(t, enquiry),
                    reason=_("You receive this mail because you are a broker of this site."))
    return build


def _short_mail(enquiry, snapshot: Mapping, shortfalls: list[dict]):
    def build(t: Words) -> Mail:
        _ = t.gettext
        values = {"reference": enquiry.reference, "title": enquiry.title}
        rows = _enquiry_rows(t, enquiry, snapshot)
        rows.append((_("Missing"), _quantity(t, snapshot["missing"], enquiry.unit)))
        return Mail(subject=_("Consortium short for %(reference)s: %(title)s") % values,
                    intro=_("Your cross-border order is not fully covered: no social enterprise will make the "
                            "missing units. Decide with the client how to go on."),
                    rows=rows, paragraphs=[reason_text(t, _with_quantity(s)) for s in shortfalls],
                    action=_("Open the consortium"), link=_consortium_link(t, enquiry),
                    reason=_("You receive this mail because you are a broker of this site."))
    return build


# --- words ----------------------------------------------------------------------------------------------

def _quantity(t: Words, quantity, unit: str | None) -> str:
    """A quantity and its unit in the recipient's language (a unit typed otherwise stays as typed)."""
    return f"{t.number(quantity)} {t.term(unit)}" if unit else t.number(quantity)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _with_quantity(shortfall: Mapping) -> dict:
    params = {"quantity": shortfall.get("quantity"), **(shortfall.get("params") or {})}
    return {"code": shortfall.get("code"), "params": params}


def reason_text(t: Words, value) -> str:
    """A reason code worded in the mail's language: the pages' sentences (services/contracts/reason_texts.py),
    with the recipient's translations. An unknown code is shown as the code; a sentence from before codes
    as it is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    code, params = value.get("code"), dict(value.get("params") or {})
    if code == "text":
        return str(params.get("text", ""))
    text = reason_texts.text_for(str(code), params, t.gettext, t.number)
    outcome = params.get("reallocation")  # why nothing was re-allocated, beside a failure
    if outcome in NOTHING_REALLOCATED:
        return f"{text} {reason_texts.text_for(outcome, {}, t.gettext, t.number)}"
    return text
