"""The registry's use cases through its handlers, as its API calls them (bodies loaded by the API's own
schemas), on a fresh SQLite site each: what a use case writes to the outbox, what a refused one leaves
behind (nothing), and the rules that span records (a withdrawn member's offers, a case study's parties,
a statement that counts once)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.registry import handlers
from services.registry.schemas import CaseStudySchema, OfferSchema, OrganisationSchema, StatementSchema
from tests.support.sites import outbox_rows

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)
ADDRESS = {"street": "Hauptstraße 1", "postcode": "3100", "town": "St. Pölten", "country": "AT"}
CONTACT = {"name": "Maria Huber", "email": "maria.huber@example.org", "phone": "+43 2742 555111"}


@pytest.fixture
def site(site_runtime):
    return site_runtime("AT12")


def organisation(site, kind: str = "social_enterprise", **overrides):
    body = {"kind": kind, "name": "Werkstatt Nord", "registration_number": "FN 1234 a", "address": ADDRESS,
            "nuts3": "AT123", "contact": CONTACT, **overrides}
    if kind == "social_enterprise":
        body = {"labour_market_segment": "second_labour_market", "workers_in_integration": 12, **body}
    return handlers.register_organisation(site.uow(), OrganisationSchema().load(body), TODAY)


def offer(site, organisation_id: str, **overrides):
    fields = OfferSchema().load({"organisation_id": organisation_id, "title": "Pallet furniture",
                                 "description": "Upcycled pallets", "cpv_codes": ["39100000"],
                                 "capacity_per_week": "12.5", "unit": "pieces", "lead_time_days": 14, **overrides})
    return handlers.publish_offer(site.uow(), {"currency": "EUR", **fields}, TODAY)


def events(site) -> list[tuple[str, str, int]]:
    """(type, aggregate id, aggregate version) of every event the site has written, in order."""
    return [(type_, aggregate_id, version) for type_, aggregate_id, version, _ in outbox_rows(site)]


def test_registering_writes_one_public_event_and_a_refused_registration_writes_nothing(site):
    first = organisation(site)
    assert (first.reference, first.version, first.status) == ("AT12-O-2026-0001", 1, "active")
    [(type_, aggregate_id, version, data)] = outbox_rows(site)
    assert (type_, aggregate_id, version) == ("registry.organisation.registered", first.id, 1)
    assert data["name"] == "Werkstatt Nord" and not any(value in str(data) for value in CONTACT.values())

    with pytest.raises(Conflict) as taken:  # the same number, however it is written
        organisation(site, name="Werkstatt Süd", registration_number="fn1234A")
    assert (taken.value.status, taken.value.code) == (409, "duplicate_registration")
    assert taken.value.errors == {"registration_number": ["already registered at this site"]}
    assert len(outbox_rows(site)) == 1

    second = organisation(site, kind="economic_enterprise", name="Bau AG", registration_number="FN 9999 z")
    assert second.reference == "AT12-O-2026-0002"  # the refused registration took no reference
    with pytest.raises(Conflict):
        handlers.update_organisation(site.uow(), second.id, {"registration_number": "FN1234 A"})
    same = handlers.update_organisation(site.uow(), first.id, {"registration_number": "FN 1234 A"})  # its own
    assert same.version == 2
    assert events(site)[1:] == [("registry.organisation.registered", second.id, 1),
                                ("registry.organisation.updated", first.id, 2)]


def test_an_update_that_changes_nothing_writes_nothing(site):
    org = organisation(site)
    unchanged = handlers.update_organisation(site.uow(), org.id, {"name": "Werkstatt Nord"})
    assert unchanged.version == 1 and len(outbox_rows(site)) == 1
    renamed = handlers.update_organisation(site.uow(), org.id, {"name": "Werkstatt Nord-Ost"})
    assert renamed.version == 2
    type_, _, version, data = outbox_rows(site)[-1]
    assert (type_, version, data["name"]) == ("registry.organisation.updated", 2, "Werkstatt Nord-Ost")


def test_a_withdrawn_member_takes_its_published_offers_with_it_in_one_transaction(site):
    org = organisation(site)
    kept_for_now, already_gone = offer(site, org.id), offer(site, org.id, title="Bags")
    handlers.withdraw_offer(site.uow(), already_gone.id, "sold out")
    other = offer(site, organisation(site, name="Other SE", registration_number="ZVR 2").id)
    before = len(outbox_rows(site))

    withdrawn = handlers.withdraw_organisation(site.uow(), org.id, "closed down")
    assert (withdrawn.status, withdrawn.version) == ("withdrawn", 2)
    assert events(site)[before:] == [("registry.offer.withdrawn", kept_for_now.id, 2),
                                     ("registry.organisation.withdrawn", org.id, 2)]
    assert other.id not in {aggregate_id for _, aggregate_id, _ in events(site)[before:]}

    after = len(outbox_rows(site))
    with pytest.raises(Conflict) as again:
        handlers.withdraw_organisation(site.uow(), org.id, None)
    assert (again.value.status, again.value.code) == (409, "organisation_withdrawn")
    with pytest.raises(Conflict):
        handlers.update_organisation(site.uow(), org.id, {"name": "Reopened"})
    with pytest.raises(Invalid) as no_offer:
        offer(site, org.id)
    assert no_offer.value.status == 422 and "organisation_id" in no_offer.value.errors
    with pytest.raises(Conflict):
        handlers.update_offer(site.uow(), kept_for_now.id, {"title": "Still here?"})
    assert len(outbox_rows(site)) == after


def test_only_an_active_social_enterprise_publishes_and_a_member_only_for_its_own(site):
    company = organisation(site, kind="economic_enterprise", name="Bau AG", registration_number="FN 9")
    with pytest.raises(Invalid) as not_an_se:
        offer(site, company.id)
    assert not_an_se.value.errors == {"organisation_id": ["only a social enterprise can publish offers"]}
    org = organisation(site)
    fields = OfferSchema().load({"organisation_id": org.id, "title": "Chairs", "description": "Oak",
                                 "cpv_codes": ["39100000"], "capacity_per_week": "5", "unit": "pieces",
                                 "lead_time_days": 7})
    with pytest.raises(Forbidden) as foreign:
        handlers.publish_offer(site.uow(), {"currency": "EUR", **fields}, TODAY, acting_for=company.id)
    assert foreign.value.status == 403
    own = handlers.publish_offer(site.uow(), {"currency": "EUR", **fields}, TODAY, acting_for=org.id)
    with pytest.raises(Forbidden) as hijack:
        handlers.update_offer(site.uow(), own.id, {"title": "Hijacked"}, acting_for=company.id)
    assert hijack.value.status == 403
    assert [t for t, *_ in events(site)] == ["registry.organisation.registered", "registry.organisation.registered",
                                             "registry.offer.published"]


def test_a_statement_counts_once_confirmed_and_its_events_never_name_the_person(site):
    form = {"kind": "person", "first_name": "Hansjörg", "last_name": "Zaunmaier", "phone": "+43 664 9876543",
            "phone_kind": "mobile", "consent": True, "nuts3": "AT123"}
    statement = handlers.file_support_statement(site.uow(), StatementSchema().load(form), TODAY)
    assert (statement.reference, statement.confirmed) == ("AT12-S-2026-0001", False)

    confirmed = handlers.confirm_by_broker(site.uow(), statement.id, "broker", NOW)
    assert (confirmed.confirmed_by, confirmed.version) == ("broker", 2)
    with pytest.raises(Conflict) as twice:
        handlers.confirm_by_broker(site.uow(), statement.id, "another broker", NOW)
    assert (twice.value.status, twice.value.code) == (409, "support_statement_confirmed")

    erased = handlers.erase_support_statement(site.uow(), statement.id, "dpo")
    assert (erased.status, erased.person.first_name, erased.person.phone) == ("erased", None, None)
    with pytest.raises(Conflict) as gone:
        handlers.erase_support_statement(site.uow(), statement.id, "dpo")
    assert gone.value.code == "support_statement_erased"
    assert events(site) == [("registry.support_statement.recorded", statement.id, 1),
                            ("registry.support_statement.confirmed", statement.id, 2),
                            ("registry.support_statement.erased", statement.id, 3)]
    published = str([data for *_, data in outbox_rows(site)])
    assert not any(value in published for value in ("Hansjörg", "Zaunmaier", "9876543"))

    with pytest.raises(NotFound) as unknown_link:
        handlers.confirm_by_link(site.uow(), "x" * 43, NOW)
    assert (unknown_link.value.status, unknown_link.value.code) == (404, "confirmation_unknown")


def test_a_case_study_names_this_sites_parties_and_one_id_is_published_once(site):
    se, client = organisation(site), organisation(site, kind="economic_enterprise", name="Bau AG",
                                                  registration_number="FN 9")
    body = {"title": "Pallet chairs", "summary": "Chairs for the canteen", "year": 2025, "cpv_codes": ["39100000"],
            "client_organisation_id": client.id, "social_enterprise_id": se.id,
            "impact": {"value_paid_eur": "15000.50", "material_diverted_kg": "800", "integration_hours": "1200"}}
    for swapped, field in (({"social_enterprise_id": client.id}, "social_enterprise_id"),
                           ({"client_organisation_id": se.id}, "client_organisation_id"),
                           ({"social_enterprise_id": "0b5f3c1e-8f9a-4a57-9a3e-2b9a4f0f8c11"}, "social_enterprise_id")):
        with pytest.raises(Invalid) as refused:
            handlers.publish_case_study(site.uow(), CaseStudySchema().load({**body, **swapped}), TODAY)
        assert refused.value.status == 422 and list(refused.value.errors) == [field]

    study_id = "6f1b0c52-2d7e-4c53-9a8e-0d3f3b1a2c44"  # a caller's deterministic id, e.g. a delivered agreement's
    first = handlers.publish_case_study(site.uow(), CaseStudySchema().load(body), TODAY, case_study_id=study_id)
    again = handlers.publish_case_study(site.uow(), CaseStudySchema().load({**body, "title": "Other"}), TODAY,
                                        case_study_id=study_id)
    assert (first.id, first.reference) == (again.id, again.reference) == (study_id, "AT12-C-2026-0001")
    assert again.title == "Pallet chairs"
    assert handlers.publish_case_study(site.uow(), CaseStudySchema().load(body), TODAY).reference == \
        "AT12-C-2026-0002"

    handlers.withdraw_case_study(site.uow(), study_id, None)
    with pytest.raises(Conflict) as withdrawn:
        handlers.update_case_study(site.uow(), study_id, {"summary": "New"})
    assert withdrawn.value.code == "case_study_withdrawn"
    assert [(t, v) for t, aggregate_id, v in events(site) if aggregate_id == study_id] == [
        ("registry.case_study.published", 1), ("registry.case_study.withdrawn", 2)]
