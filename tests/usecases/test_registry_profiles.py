"""An organisation's public profile (a client's shop window) through the registry's handler (issue 14): its
texts and its event commit together, a member writes its own organisation's only, staff any; what the
domain refuses leaves nothing behind, and the same texts again publish nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.common.errors import Conflict, Forbidden, Invalid
from services.common.jsonschemas import EventValidator
from services.enquiries.matching.store import matching_organisation
from services.registry import handlers
from services.registry.organisation_store import load_organisation
from services.registry.profile_store import load_profile
from services.workers import site_members
from tests.support.privacy import signed_events
from tests.support.sites import outbox_rows
from tests.usecases.test_registry import organisation

LANGUAGES = ("de", "en")
PROFILE = "registry.organisation.profile_changed"


@pytest.fixture
def site(site_runtime):
    return site_runtime("AT12")


def profile_events(site) -> list[tuple[str, int, dict]]:
    return [(aggregate_id, version, data) for type_, aggregate_id, version, data in outbox_rows(site)
            if type_ == PROFILE]


def stored(site, organisation_id: str) -> dict:
    with site.engine.connect() as conn:
        return load_profile(conn, organisation_id)


def test_a_member_writes_its_own_profile_and_the_event_carries_every_language(site):
    werkstatt = organisation(site)
    written = handlers.write_profile(site.uow(), werkstatt.id, {"de": "  Wir tischlern.\r\n\r\nMit Herz. ",
                                                                 "en": "We make furniture."},
                                     LANGUAGES, acting_for=werkstatt.id)
    assert written == {"de": "Wir tischlern.\n\nMit Herz.", "en": "We make furniture."}
    assert stored(site, werkstatt.id) == written
    [(aggregate_id, version, data)] = profile_events(site)
    assert (aggregate_id, version) == (werkstatt.id, 2)  # ordered with the organisation's other changes
    assert data == {"organisation_id": werkstatt.id, "texts": [
        {"language": "de", "text": "Wir tischlern.\n\nMit Herz."}, {"language": "en", "text": "We make furniture."}]}
    EventValidator(site.settings.schemas_dir).validate(PROFILE, 1, data)  # the contract's schema accepts it
    with site.engine.connect() as conn:
        assert load_organisation(conn, werkstatt.id).version == 2

    # the same texts again: nothing changes, nothing is published; a language emptied is gone
    handlers.write_profile(site.uow(), werkstatt.id, written, LANGUAGES, acting_for=werkstatt.id)
    assert len(profile_events(site)) == 1
    handlers.write_profile(site.uow(), werkstatt.id, {"de": "Wir tischlern.", "en": ""}, LANGUAGES)
    assert stored(site, werkstatt.id) == {"de": "Wir tischlern."}
    assert profile_events(site)[-1][2]["texts"] == [{"language": "de", "text": "Wir tischlern."}]


def test_a_member_cannot_write_another_organisations_profile_staff_can(site):
    werkstatt = organisation(site)
    bau = organisation(site, kind="economic_enterprise", name="Bau AG", registration_number="FN 9999 z")
    with pytest.raises(Forbidden):
        handlers.write_profile(site.uow(), bau.id, {"de": "Übernommen"}, LANGUAGES, acting_for=werkstatt.id)
    assert stored(site, bau.id) == {} and profile_events(site) == []
    handlers.write_profile(site.uow(), bau.id, {"de": "Wir suchen Partner."}, LANGUAGES, acting_for=None)
    assert stored(site, bau.id) == {"de": "Wir suchen Partner."}


@pytest.mark.parametrize("texts, field, message", [
    ({"de": "", "en": "   "}, "text_de", "write the text in at least one of the site's languages"),
    ({"de": "x" * 2001}, "text_de", "Longer than maximum length 2000."),
    ({"de": "ok", "en": "nul\x00byte"}, "text_en", "contains characters that are not allowed"),
    ({"de": "bell\x07"}, "text_de", "contains characters that are not allowed"),
    ({"hu": "Magyar szöveg"}, "text_hu", "not one of the site's languages"),
])
def test_a_refused_profile_names_its_field_and_leaves_nothing_behind(site, texts, field, message):
    werkstatt = organisation(site)
    with pytest.raises(Invalid) as refused:
        handlers.write_profile(site.uow(), werkstatt.id, texts, LANGUAGES, acting_for=werkstatt.id)
    assert refused.value.status == 422 and refused.value.errors == {field: [message]}
    assert stored(site, werkstatt.id) == {} and profile_events(site) == []


def test_exactly_the_longest_text_is_kept_and_a_withdrawn_organisation_writes_none(site):
    werkstatt = organisation(site)
    handlers.write_profile(site.uow(), werkstatt.id, {"de": "ä" * 2000}, LANGUAGES)
    assert len(stored(site, werkstatt.id)["de"]) == 2000
    handlers.withdraw_organisation(site.uow(), werkstatt.id, "closed")
    with pytest.raises(Conflict):
        handlers.write_profile(site.uow(), werkstatt.id, {"de": "Neu"}, LANGUAGES)


def test_the_sites_matching_projection_passes_over_profile_events(site):
    """Its queue binds every `registry.organisation.*` fact: a profile event is claimed and passed over (no
    handler, no dead letter), and the organisation's next snapshot, two versions on, is applied."""
    werkstatt = organisation(site)
    handlers.write_profile(site.uow(), werkstatt.id, {"de": "Wir tischlern."}, LANGUAGES)
    handlers.update_organisation(site.uow(), werkstatt.id, {"name": "Werkstatt Nord-Ost"})
    outcome = site_members(site)[1].process(signed_events(site))
    assert len(outcome.applied) == 3 and outcome.dead == []
    with site.engine.connect() as conn:
        row = conn.execute(select(matching_organisation).where(matching_organisation.c.id == werkstatt.id)).one()
    assert (row.name, row.aggregate_version) == ("Werkstatt Nord-Ost", 3)
