"""Use cases of the registry. Each loads, calls the domain, and saves state with its events in one
transaction (the unit of work writes the events to the outbox).

Dependencies come in as parameters: `uow` is a `services.common.uow.UnitOfWork` (its `site_id` names
the site in references), `today` is the site's date, and `acting_for` restricts a member to the
offers of its own organisation (None for staff).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Callable

from services.common.clock import utcnow
from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.uow import UnitOfWork
from services.registry import confirmation, newsletter
from services.registry.case_studies import CaseStudy
from services.registry.case_study_store import load_case_study, save_case_study
from services.registry.confirmation_notice import send_confirmation
from services.registry.confirmation_store import (
    add_confirmation, confirmation_by_hash, end_confirmation, forget_supporter_mail, peek_confirmation,
)
from services.registry.offer_store import load_offer, published_offers_of, save_offer
from services.registry.offers import Offer
from services.registry.organisation_store import load_organisation, registration_taken, save_organisation
from services.registry.organisations import Organisation, registration_key
from services.registry.profile_store import load_profile, save_profile
from services.registry.references import next_reference
from services.registry.rules import ACTIVE
from services.registry.statement_store import audit, forget_reasons, load_statement, save_statement
from services.registry.statements import ERASURE_GROUNDS, SupportStatement, erasure_ground
from services.web.notify import MailSite


def _new_id() -> str:
    return str(uuid.uuid4())


def _change(uow: UnitOfWork, load: Callable, save: Callable, id_: str, change: Callable):
    """Load an aggregate (locked), apply `change`, and save it and its events if anything happened."""
    with uow:
        aggregate = load(uow.conn, id_, lock=True)
        loaded_at = aggregate.version
        change(aggregate)
        if aggregate.version != loaded_at:
            save(uow.conn, aggregate, loaded_at)
            uow.record(aggregate)
            uow.commit()
        return aggregate


# --- organisations -----------------------------------------------------------------------------------

def _ensure_registration_free(conn, number: str, other_than: str | None = None) -> None:
    if registration_taken(conn, registration_key(number), other_than):
        raise Conflict(f"registration number {number} is already registered at this site",
                       {"registration_number": ["already registered at this site"]}, code="duplicate_registration")


def register_organisation(uow: UnitOfWork, fields: dict, today: date) -> Organisation:
    with uow:
        _ensure_registration_free(uow.conn, fields.get("registration_number", ""))
        ref = next_reference(uow.conn, uow.site_id, "organisation", today.year)
        org = Organisation.register(id=_new_id(), reference=ref, **fields)
        save_organisation(uow.conn, org, 0)
        uow.record(org)
        uow.commit()
    return org


def update_organisation(uow: UnitOfWork, organisation_id: str, changes: dict) -> Organisation:
    def change(org: Organisation):
        if "registration_number" in changes:
            _ensure_registration_free(uow.conn, changes["registration_number"], other_than=org.id)
        org.update(**changes)

    return _change(uow, load_organisation, save_organisation, organisation_id, change)


def withdraw_organisation(uow: UnitOfWork, organisation_id: str, reason: str | None) -> Organisation:
    """A member that leaves takes its offers with it: they are withdrawn in the same transaction."""
    def change(org: Organisation):
        org.withdraw(reason)
        for o in published_offers_of(uow.conn, org.id):
            loaded_at = o.version
            o.withdraw("the organisation was withdrawn")
            save_offer(uow.conn, o, loaded_at)
            uow.record(o)

    return _change(uow, load_organisation, save_organisation, organisation_id, change)


def write_profile(uow: UnitOfWork, organisation_id: str, texts: dict[str, str | None], languages: tuple[str, ...],
                  acting_for: str | None = None) -> dict[str, str]:
    """The organisation's public profile (a client's shop window) becomes `texts`, {language: text} in the
    site's `languages`; a member (`acting_for`) writes its own organisation's only, staff (None) any. The
    texts, the organisation's new version and its event commit together."""
    if acting_for is not None and acting_for != organisation_id:
        raise Forbidden("a member may only write the profile of its own organisation")

    written: dict[str, str] = {}

    def change(org: Organisation):
        written.update(org.write_profile(load_profile(uow.conn, org.id), texts, languages))
        save_profile(uow.conn, org.id, written)  # kept only if the organisation records a change

    _change(uow, load_organisation, save_organisation, organisation_id, change)
    return written


# --- offers ------------------------------------------------------------------------------------------

def _check_owner(acting_for: str | None, organisation_id: str) -> None:
    if acting_for is not None and acting_for != organisation_id:
        raise Forbidden("a member may only manage the offers of its own organisation")


def publish_offer(uow: UnitOfWork, fields: dict, today: date, acting_for: str | None = None) -> Offer:
    fields = dict(fields)
    organisation_id = fields.pop("organisation_id")
    _check_owner(acting_for, organisation_id)
    with uow:
        try:
            org = load_organisation(uow.conn, organisation_id)
        except NotFound:
            raise Invalid("unknown organisation", {"organisation_id": ["no such organisation at this site"]}) from None
        ref = next_reference(uow.conn, uow.site_id, "offer", today.year)
        offer = Offer.publish(org, id=_new_id(), reference=ref, **fields)
        save_offer(uow.conn, offer, 0)
        uow.record(offer)
        uow.commit()
    return offer


def update_offer(uow: UnitOfWork, offer_id: str, changes: dict, acting_for: str | None = None) -> Offer:
    def change(o: Offer):
        _check_owner(acting_for, o.organisation_id)
        o.update(**changes)

    return _change(uow, load_offer, save_offer, offer_id, change)


def withdraw_offer(uow: UnitOfWork, offer_id: str, reason: str | None, acting_for: str | None = None) -> Offer:
    def change(o: Offer):
        _check_owner(acting_for, o.organisation_id)
        o.withdraw(reason)

    return _change(uow, load_offer, save_offer, offer_id, change)


# --- support statements ------------------------------------------------------------------------------

def file_support_statement(uow: UnitOfWork, fields: dict, today: date, site_url: str = "",
                           languages: tuple[str, ...] = (), language: str | None = None,
                           now: datetime | None = None) -> SupportStatement:
    """A statement with an e-mail address gets its confirmation link (`site_url` + /support/confirm/...)
    by mail: written to the site's outbox in this transaction, in the supporter's page `language` (else
    the first of the site's `languages`). One without an address can only be confirmed by a broker."""
    fields = {"given_on": today, **fields}
    now = now or utcnow()
    with uow:
        ref = next_reference(uow.conn, uow.site_id, "support_statement", today.year)
        statement = SupportStatement.file(today, id=_new_id(), reference=ref, language=language, **fields)
        save_statement(uow.conn, statement, 0)
        if statement.person.email:
            token = confirmation.new_token()
            add_confirmation(uow.conn, statement.id, confirmation.digest(token), now + confirmation.VALID_FOR)
            send_confirmation(uow.conn, statement, token, MailSite(site_url, tuple(languages)), now)
        uow.record(statement)
        uow.commit()
    return statement


def confirmation_problem(conn, token: str, now: datetime) -> str | None:
    """Why the link `token` cannot confirm (the code `confirm_by_link` would refuse with), or None: to
    say so as soon as the link is opened."""
    found = peek_confirmation(conn, confirmation.digest(token)) if confirmation.is_well_formed(token) else None
    if found is None:
        return "confirmation_unknown"
    if found.used_at is not None:
        return "confirmation_used"
    if _aware(found.expires_at) <= now:
        return "confirmation_expired"
    statement = load_statement(conn, found.statement_id)
    if statement.confirmed and not _address_to_confirm(statement):
        return "support_statement_confirmed"
    if statement.status != ACTIVE:
        return "invalid_state"
    return None


def confirm_by_link(uow: UnitOfWork, token: str, now: datetime) -> SupportStatement:
    """The person followed the link sent to the statement's address: used once, before it expires."""
    with uow:
        found = confirmation_by_hash(uow.conn, confirmation.digest(token)) \
            if confirmation.is_well_formed(token) else None
        if found is None:
            raise NotFound("this confirmation link is not known here", code="confirmation_unknown")
        if found.used_at is not None:
            raise Conflict("this confirmation link has already been used", code="confirmation_used")
        if _aware(found.expires_at) <= now:
            raise Conflict("this confirmation link has expired; ask us to confirm your statement",
                           code="confirmation_expired")
        statement = load_statement(uow.conn, found.statement_id, lock=True)
        if not _address_to_confirm(statement):  # else a broker counted it already: the link opts in only
            statement = _confirm(uow, found.statement_id, "e-mail", now)
        end_confirmation(uow.conn, statement.id, used_at=now)
        newsletter.subscribe_if_asked(uow.conn, statement)
        uow.commit()
    return statement


def confirm_by_broker(uow: UnitOfWork, statement_id: str, actor: str, now: datetime) -> SupportStatement:
    """A broker vouches for the statement (a paper form signed in front of them, a call back): it counts.
    The broker vouches for the supporter, not for the e-mail address, so the newsletter the supporter asked
    for starts only when they follow the link mailed to that address (double opt-in; the link stays valid)."""
    with uow:
        statement = _confirm(uow, statement_id, actor, now)
        uow.commit()
    return statement


def _address_to_confirm(statement: SupportStatement) -> bool:
    """A statement a broker confirmed whose supporter asked for the newsletter: its unused link still
    confirms the address, and only that."""
    return (statement.confirmed and statement.confirmed_by != "e-mail" and statement.status == ACTIVE
            and statement.newsletter and bool(statement.person.email))


def _confirm(uow: UnitOfWork, statement_id: str, by: str, now: datetime) -> SupportStatement:
    statement = load_statement(uow.conn, statement_id, lock=True)
    loaded_at = statement.version
    statement.confirm(by, now)
    save_statement(uow.conn, statement, loaded_at)
    audit(uow.conn, statement.id, "confirmed", by, [])
    uow.record(statement)
    return statement


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite forgets the zone


def withdraw_support_statement(uow: UnitOfWork, statement_id: str, actor: str,
                               reason: str | None) -> SupportStatement:
    def change(s: SupportStatement):
        s.withdraw(reason)
        audit(uow.conn, s.id, "withdrawn", actor, [], reason)

    return _change(uow, load_statement, save_statement, statement_id, change)


def erase_support_statement(uow: UnitOfWork, statement_id: str, actor: str,
                            ground: str = ERASURE_GROUNDS[0]) -> SupportStatement:
    """The person's fields become NULL, and so do earlier free-text reasons in its audit; the audit keeps
    who erased which fields, when and on which ground, never the values nor a text that might name them."""
    def change(s: SupportStatement):
        email = s.person.email
        erased = s.erase()
        forget_reasons(uow.conn, s.id)
        end_confirmation(uow.conn, s.id, used_at=None)
        forget_supporter_mail(uow.conn, s.id)  # the confirmation mail holds the address
        newsletter.forget_if_last(uow.conn, email, s.id)
        audit(uow.conn, s.id, "erased", actor, erased, ground=erasure_ground(ground))

    return _change(uow, load_statement, save_statement, statement_id, change)


# --- case studies ------------------------------------------------------------------------------------

def _check_parties(conn, fields: dict) -> None:
    """A case study names organisations of this site: the SE must be one, the client must not."""
    for name, must_be_se in (("social_enterprise_id", True), ("client_organisation_id", False)):
        if fields.get(name) is None:
            continue
        try:
            org = load_organisation(conn, fields[name])
        except NotFound:
            raise Invalid(f"{name}: unknown organisation", {name: ["no such organisation at this site"]}) from None
        if org.is_social_enterprise != must_be_se:
            message = "must be a social enterprise" if must_be_se else "must not be a social enterprise"
            raise Invalid(f"{name}: {message}", {name: [message]})


def publish_case_study(uow: UnitOfWork, fields: dict, today: date, case_study_id: str | None = None) -> CaseStudy:
    """Publish a case study. With `case_study_id` (a caller's deterministic id) it is idempotent: if that
    case study exists it is returned unchanged, with no second reference number and no second event; a
    concurrent publisher of the same id loses on the primary key (a 409)."""
    with uow:
        if case_study_id is not None:
            try:
                return load_case_study(uow.conn, case_study_id)
            except NotFound:
                pass
        _check_parties(uow.conn, fields)
        ref = next_reference(uow.conn, uow.site_id, "case_study", today.year)
        study = CaseStudy.publish(id=case_study_id or _new_id(), reference=ref, **fields)
        save_case_study(uow.conn, study, 0)
        uow.record(study)
        uow.commit()
    return study


def update_case_study(uow: UnitOfWork, case_study_id: str, changes: dict) -> CaseStudy:
    def change(c: CaseStudy):
        _check_parties(uow.conn, changes)
        c.update(**changes)

    return _change(uow, load_case_study, save_case_study, case_study_id, change)


def withdraw_case_study(uow: UnitOfWork, case_study_id: str, reason: str | None) -> CaseStudy:
    return _change(uow, load_case_study, save_case_study, case_study_id, lambda c: c.withdraw(reason))
