"""The hub keeps every site's organisation profiles (shop windows) for its directory, the public
GET /api/v1/organisations/<id> (issue 14): the site's real, signed `registry.organisation.profile_changed`
events through the hub's ingest processor, on SQLite. The newest profile wins whatever order events come in; older event types go on being applied beside it; a
forged, malformed or misaddressed profile is dead-lettered with its reason and the stream moves on."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from services.bootstrap import create_app
from services.common.signing import load_private_key, sign
from services.hub.register.store import hub_organisation, hub_organisation_profile
from services.registry import handlers
from services.workers import hub_ingest
from tests.support.privacy import signed_events
from tests.usecases.test_registry import organisation

LANGUAGES = ("de", "en")


@pytest.fixture
def network(site_runtime):
    return site_runtime("AT12"), site_runtime("EU")


def hub_profiles(hub) -> dict[str, dict]:
    with hub.engine.connect() as conn:
        return {row.id: row.texts for row in conn.execute(select(hub_organisation_profile))}


def resigned(body: dict, key, signer: str = "AT12", **changes) -> str:
    fields = {k: v for k, v in {**body, **changes}.items() if k != "signature"}
    return json.dumps({**fields, "signature": sign(fields, key, signer)})


def test_the_hub_keeps_the_newest_profile_beside_the_organisations_snapshot(network):
    site, hub = network
    werkstatt = organisation(site)
    handlers.write_profile(site.uow(), werkstatt.id, {"de": "Erste Fassung"}, LANGUAGES)
    handlers.write_profile(site.uow(), werkstatt.id, {"de": "Wir tischlern.", "en": "We make furniture."}, LANGUAGES)
    handlers.update_organisation(site.uow(), werkstatt.id, {"name": "Werkstatt Nord-Ost"})
    registered, first, second, updated = signed_events(site)
    processor = hub_ingest(hub)[1]

    # out of order: the newer profile first, then the organisation's older snapshot and the older profile
    outcome = processor.process([second, updated, registered, first])
    assert len(outcome.applied) == 4 and outcome.dead == []
    assert hub_profiles(hub) == {werkstatt.id: {"de": "Wir tischlern.", "en": "We make furniture."}}
    with hub.engine.connect() as conn:  # the snapshot (v1 events) is applied as before, not hidden by the profile
        assert conn.execute(select(hub_organisation.c.name)).scalar_one() == "Werkstatt Nord-Ost"
    directory = create_app(hub).test_client().get(f"/api/v1/organisations/{werkstatt.id}").get_json()
    assert directory["name"] == "Werkstatt Nord-Ost"
    assert directory["profile"] == {"de": "Wir tischlern.", "en": "We make furniture."}


def test_a_forged_malformed_or_misaddressed_profile_is_dead_lettered_with_its_reason(network, federation_files):
    site, hub = network
    werkstatt, other = organisation(site), organisation(site, name="Bau AG", registration_number="FN 9 z")
    handlers.write_profile(site.uow(), werkstatt.id, {"de": "Wir tischlern."}, LANGUAGES)
    *_, profile = signed_events(site)
    assert profile["type"] == "registry.organisation.profile_changed"
    key = site.signing_key
    entry = {"language": "de", "text": "Übernommen"}
    forged = resigned(profile, load_private_key(federation_files[1] / "HU22.pem"), "HU22", id=str(uuid.uuid4()),
                      data={"organisation_id": werkstatt.id, "texts": [entry]})
    too_long = resigned(profile, key, id=str(uuid.uuid4()), seq=profile["seq"] + 1,
                        data={"organisation_id": werkstatt.id, "texts": [{"language": "de", "text": "x" * 2001}]})
    no_language = resigned(profile, key, id=str(uuid.uuid4()), seq=profile["seq"] + 2,
                           data={"organisation_id": werkstatt.id, "texts": [{"language": "deutsch", "text": "x"}]})
    smuggled = resigned(profile, key, id=str(uuid.uuid4()), seq=profile["seq"] + 3,
                        data={"organisation_id": werkstatt.id, "texts": [entry], "contact_email": "x@example.org"})
    misaddressed = resigned(profile, key, id=str(uuid.uuid4()), seq=profile["seq"] + 4,
                            data={"organisation_id": other.id, "texts": [entry]})
    processor = hub_ingest(hub)[1]
    outcome = processor.process([json.dumps(profile), forged, too_long, no_language, smuggled, misaddressed])

    reasons = sorted(dead.reason for dead in outcome.dead)
    assert len(reasons) == 5
    assert reasons[0].startswith("forged:")
    assert reasons[1].startswith("handler failed for registry.organisation.profile_changed AT12/registry#")
    assert "ForeignProfile" in reasons[1]
    invalid = "invalid: data does not match registry.organisation.profile_changed v1"
    assert all(reason.startswith(invalid) for reason in reasons[2:])
    assert hub_profiles(hub) == {werkstatt.id: {"de": "Wir tischlern."}}, "the stream moved on, nothing bad applied"
