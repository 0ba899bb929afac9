"""The registry's domain: rules, state machines and the events they record. No I/O."""
import uuid
from dataclasses import asdict
from datetime import date
from decimal import Decimal

import pytest

from services.common.errors import Conflict, Invalid
from services.registry.case_studies import CaseStudy, Impact
from services.registry.offers import Offer
from services.registry.organisations import Address, ContactPerson, Coordinates, Organisation, registration_key
from services.registry.references import reference
from services.registry.statements import Person, SupportStatement
from services.contracts.events import registry as ev

ORG_ID, OFFER_ID, STATEMENT_ID, STUDY_ID = (str(uuid.UUID(int=n)) for n in (1, 2, 3, 4))
PERSON = Person("Hans", "Maier", "+43 664 1234567", "mobile", "hans@example.org")


def organisation(**overrides) -> Organisation:
    fields = dict(
        id=ORG_ID, reference="AT12-O-2026-0001", kind="social_enterprise", name="Werkstatt Nord",
        registration_number="FN 1234 a", address=Address("Hauptstr. 1", "3100", "St. Pölten", "AT"),
        nuts3="AT123", coordinates=Coordinates(48.2, 15.6), labour_market_segment="second_labour_market",
        workers_in_integration=12, contact=ContactPerson("Maria Huber", "maria@example.org", "+43 1 234"),
    )
    return Organisation.register(**{**fields, **overrides})


def offer(org=None, **overrides) -> Offer:
    fields = dict(id=OFFER_ID, reference="AT12-F-2026-0001", title="Pallet furniture", description="Upcycled",
                  cpv_codes=["39100000"], capacity_per_week=Decimal("12.5"), unit="pieces", lead_time_days=14,
                  currency="EUR", price_min=Decimal("10"), price_max=Decimal("20"))
    return Offer.publish(org or organisation(), **{**fields, **overrides})


def statement(**overrides) -> SupportStatement:
    fields = dict(id=STATEMENT_ID, reference="AT12-S-2026-0001", kind="person", given_on=date(2026, 3, 1),
                  nuts3="AT123", consent=True, person=PERSON)
    return SupportStatement.file(date(2026, 3, 2), **{**fields, **overrides})


def case_study(**overrides) -> CaseStudy:
    fields = dict(id=STUDY_ID, reference="AT12-C-2026-0001", title="Give-aways", summary="Bags from banners",
                  year=2025, cpv_codes=["39100000"], impact=Impact(Decimal("15000.50"), None, Decimal("1200")))
    return CaseStudy.publish(**{**fields, **overrides})


def types(aggregate) -> list[str]:
    return [r.type for r in aggregate.pop_events()]


def errors_of(excinfo) -> dict:
    return excinfo.value.errors


# --- organisations -----------------------------------------------------------------------------------

def test_registering_records_the_public_snapshot_without_the_contact_person():
    org = organisation()
    [recorded] = org.pop_events()
    assert recorded.type == "registry.organisation.registered"
    assert (recorded.aggregate_id, recorded.aggregate_version) == (ORG_ID, 1)
    data = recorded.data()
    assert data["name"] == "Werkstatt Nord" and data["nuts3"] == "AT123"
    assert "Maria" not in str(data) and "maria@" not in str(data)
    assert ev.OrganisationData().validate(data) == {}


def test_labour_market_segment_is_required_for_social_enterprises_only():
    with pytest.raises(Invalid) as excinfo:
        organisation(labour_market_segment=None)
    assert "labour_market_segment" in errors_of(excinfo)
    with pytest.raises(Invalid) as excinfo:
        organisation(kind="economic_enterprise")
    assert "labour_market_segment" in errors_of(excinfo)
    assert organisation(kind="economic_enterprise", labour_market_segment=None).kind == "economic_enterprise"


def test_registration_numbers_compare_without_spaces_and_case():
    assert registration_key("FN 1234 a") == registration_key("fn1234A")


def test_reference_has_site_letter_year_and_counter():
    assert reference("AT12", "O", 2026, 7) == "AT12-O-2026-0007"


def test_update_bumps_the_version_and_records_the_snapshot():
    org = organisation()
    org.pop_events()
    org.update(name="Werkstatt Süd")
    [recorded] = org.pop_events()
    assert recorded.type == "registry.organisation.updated"
    assert recorded.aggregate_version == 2 and recorded.data()["name"] == "Werkstatt Süd"


def test_an_update_that_changes_nothing_records_nothing():
    org = organisation()
    org.pop_events()
    org.update(name="Werkstatt Nord")
    assert org.pop_events() == [] and org.version == 1


def test_an_invalid_update_leaves_the_organisation_as_it_was():
    org = organisation()
    with pytest.raises(Invalid):
        org.update(labour_market_segment=None)
    assert org.labour_market_segment == "second_labour_market"


def test_the_kind_cannot_be_changed():
    with pytest.raises(Invalid) as excinfo:
        organisation().update(kind="economic_enterprise")
    assert "kind" in errors_of(excinfo)


def test_withdrawn_organisations_cannot_be_updated_or_withdrawn_again():
    org = organisation()
    org.withdraw("left the network")
    assert org.status == "withdrawn"
    with pytest.raises(Conflict, match="withdrawn"):
        org.update(name="x")
    with pytest.raises(Conflict, match="withdrawn"):
        org.withdraw()
    assert types(org) == ["registry.organisation.registered", "registry.organisation.withdrawn"]


# --- offers ------------------------------------------------------------------------------------------

def test_only_an_active_social_enterprise_publishes_offers():
    with pytest.raises(Invalid) as excinfo:
        offer(organisation(kind="public_institution", labour_market_segment=None))
    assert "organisation_id" in errors_of(excinfo)
    withdrawn = organisation()
    withdrawn.withdraw()
    with pytest.raises(Invalid):
        offer(withdrawn)


def test_unknown_cpv_codes_are_invalid_with_a_field_message():
    with pytest.raises(Invalid) as excinfo:
        offer(cpv_codes=["39100000", "99999999"])
    assert errors_of(excinfo) == {"cpv_codes": {"1": ["99999999 is not a CPV 2008 code"]}}


def test_offer_rules():
    with pytest.raises(Invalid, match="price_max"):
        offer(price_min=Decimal("30"), price_max=Decimal("20"))
    with pytest.raises(Invalid, match="capacity_per_week"):
        offer(capacity_per_week=Decimal("0"))
    with pytest.raises(Invalid, match="cpv_codes"):
        offer(cpv_codes=[])
    assert offer(cpv_codes=["39100000", "39100000"]).cpv_codes == ["39100000"]


def test_offer_events_carry_decimals_as_strings():
    data = offer().pop_events()[0].data()
    assert data["capacity_per_week"] == "12.5" and data["price_min"] == "10"
    assert ev.OfferData().validate(data) == {}


def test_offer_lifecycle():
    o = offer()
    o.update(capacity_per_week=Decimal("20"))
    o.withdraw("sold out")
    with pytest.raises(Conflict, match="withdrawn"):
        o.update(title="x")
    with pytest.raises(Conflict, match="withdrawn"):
        o.withdraw()
    assert types(o) == ["registry.offer.published", "registry.offer.updated", "registry.offer.withdrawn"]
    assert o.version == 3


# --- support statements ------------------------------------------------------------------------------

def test_a_statement_needs_consent():
    with pytest.raises(Invalid) as excinfo:
        statement(consent=False)
    assert "consent" in errors_of(excinfo)


def test_statement_events_carry_no_personal_data():
    data = statement().pop_events()[0].data()
    assert data == {"statement_id": STATEMENT_ID, "kind": "person", "organisation_kind": None, "nuts3": "AT123",
                    "given_on": "2026-03-01"}


def test_statement_form_rules():
    with pytest.raises(Invalid, match="last_name"):
        statement(person=Person("Hans", None))
    with pytest.raises(Invalid, match="phone_kind"):
        statement(person=Person("Hans", "Maier", phone="+43 1 234"))
    with pytest.raises(Invalid, match="organisation_name"):
        statement(kind="organisation", person=Person(), organisation_kind="public_institution")
    with pytest.raises(Invalid, match="organisation_kind"):
        statement(organisation_kind="public_institution")
    with pytest.raises(Invalid, match="given_on"):
        statement(given_on=date(2027, 1, 1))
    on_behalf = statement(kind="organisation", person=Person(), organisation_name="Gemeinde Melk",
                          organisation_kind="public_institution")
    assert on_behalf.pop_events()[0].data()["organisation_kind"] == "public_institution"


def test_erasure_removes_every_personal_field_and_says_which():
    s = statement()
    assert s.erase() == ["first_name", "last_name", "phone", "phone_kind", "email"]
    assert s.person == Person() and s.status == "erased"
    with pytest.raises(Conflict, match="erased"):
        s.erase()
    with pytest.raises(Conflict, match="erased"):
        s.withdraw()


def test_a_withdrawn_statement_can_still_be_erased_but_not_withdrawn_again():
    s = statement()
    s.withdraw("asked by letter: Hans Maier")
    with pytest.raises(Conflict, match="withdrawn"):
        s.withdraw()
    s.erase()
    recorded = s.pop_events()
    assert [r.type for r in recorded] == ["registry.support_statement.recorded",
                                          "registry.support_statement.withdrawn",
                                          "registry.support_statement.erased"]
    assert "Maier" not in str([r.data() for r in recorded])


# --- case studies ------------------------------------------------------------------------------------

def test_case_study_lifecycle_and_snapshot():
    c = case_study()
    c.update(impact=Impact(Decimal("16000"), Decimal("800"), Decimal("1200")))
    c.withdraw()
    with pytest.raises(Conflict):
        c.update(title="x")
    recorded = c.pop_events()
    assert [r.type for r in recorded] == ["registry.case_study.published", "registry.case_study.updated",
                                          "registry.case_study.withdrawn"]
    assert recorded[1].data()["material_diverted_kg"] == "800"
    assert recorded[1].version == 2 and ev.CaseStudyDataV2().validate(recorded[1].data()) == {}  # with its texts


def test_case_study_rules():
    with pytest.raises(Invalid, match="cpv_codes"):
        case_study(cpv_codes=["11111111"])
    with pytest.raises(Invalid, match="year"):
        case_study(year=1800)
    with pytest.raises(Invalid, match="value_paid_eur"):
        case_study(impact=Impact(Decimal("-1")))


def test_snapshots_fit_their_event_dataclasses():
    assert set(organisation().snapshot()) == set(asdict(ev.OrganisationUpdated(**organisation().snapshot())))
