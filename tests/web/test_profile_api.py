"""The JSON API of an organisation's public profile (issue 14): GET /api/v1/organisations/<id>/profile is
public, PUT writes the whole profile, staff any organisation's of the site, a member its own only; what the
domain refuses names its language under `texts`, with the one error shape."""
from __future__ import annotations

import pytest

PROFILE = "/organisations/{}/profile"


@pytest.fixture(scope="module")
def ids(at12):
    at12.add_user("metallwerk-api", ["member"], at12.ids["Mostviertler Metallwerk"])
    return at12.ids["Mostviertler Metallwerk"], at12.ids["Donauland Handels AG"]


def test_a_member_writes_its_own_profile_and_anyone_reads_it(at12, ids):
    metallwerk, _ = ids
    written = at12.ok("PUT", PROFILE.format(metallwerk), "metallwerk-api",
                      json={"texts": {"de": " Wir schweißen.\r\n\r\nIn Amstetten. ", "en": ""}})
    assert written == {"organisation_id": metallwerk, "texts": {"de": "Wir schweißen.\n\nIn Amstetten."}}
    assert at12.ok("GET", PROFILE.format(metallwerk), None) == written
    assert at12.outbox_rows("registry.organisation.profile_changed")[-1][3] == {
        "organisation_id": metallwerk, "texts": [{"language": "de", "text": "Wir schweißen.\n\nIn Amstetten."}]}


def test_a_member_cannot_write_another_organisations_profile_staff_can(at12, ids):
    _, donauland = ids
    at12.call("PUT", PROFILE.format(donauland), "metallwerk-api", expect=403, json={"texts": {"de": "Übernommen"}})
    at12.call("PUT", PROFILE.format(donauland), None, expect=401, json={"texts": {"de": "Übernommen"}})
    assert at12.ok("PUT", PROFILE.format(donauland), "broker", json={"texts": {"de": "Wir suchen Partner."}})[
        "texts"] == {"de": "Wir suchen Partner."}
    at12.call("PUT", PROFILE.format("00000000-0000-4000-8000-000000000000"), "broker", expect=404,
              json={"texts": {"de": "x"}})


@pytest.mark.parametrize("body, errors", [
    ({"texts": {"de": "", "en": ""}}, {"texts": {"de": ["write the text in at least one of the site's languages"]}}),
    ({"texts": {"de": "x" * 2001}}, {"texts": {"de": ["Longer than maximum length 2000."]}}),
    ({"texts": {"hu": "Magyarul"}}, {"texts": {"hu": ["not one of the site's languages"]}}),
    ({"texts": {"de": "bell \x07"}}, {"texts": {"de": ["contains characters that are not allowed"]}}),
])
def test_what_the_domain_refuses_names_its_language(at12, ids, body, errors):
    metallwerk, _ = ids
    refused = at12.call("PUT", PROFILE.format(metallwerk), "metallwerk-api", expect=422, json=body).json
    assert (refused["code"], refused["errors"]) == ("invalid", errors)


@pytest.mark.parametrize("body", [{}, {"texts": {"de": 5}}, {"texts": {"deutsch": "x"}}, {"texts": "Wir"},
                                  {"texts": {"de": "x"}, "contact": "x"}])
def test_a_malformed_body_is_422(at12, ids, body):
    metallwerk, _ = ids
    assert at12.call("PUT", PROFILE.format(metallwerk), "metallwerk-api", json=body).status_code == 422
