"""Withdrawing a label application (issue 14): the applicant takes back a draft or a returned application;
one an assessor holds (submitted, assessed) or that is decided stays as it is (409), and a withdrawn one
is final."""
from datetime import datetime, timezone

import pytest

from services.common.errors import Conflict
from services.label import catalogue, model as m
from tests.support.labels import GOOD_EVIDENCE, GOOD_SCORES

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
CAT = catalogue.load(1)


def application() -> m.Application:
    app = m.Application(id="a1", holder_organisation_id="o1", holder_name="Textil Kft", product="Tote bag",
                        cpv_codes=["18930000"], catalogue_version=1)
    app.edit(CAT, {"evidence": GOOD_EVIDENCE})
    return app


def returned() -> m.Application:
    app = application()
    app.submit()
    app.assess(CAT, "anna", GOOD_SCORES, NOW)
    app.decide("bela", "returned", "more evidence, please", NOW)
    return app


@pytest.mark.parametrize("make", [application, returned])
def test_a_draft_or_a_returned_application_is_withdrawn_for_good(make):
    app = make()
    version = app.version
    app.withdraw()
    assert (app.status, app.version) == ("withdrawn", version + 1)
    for step in (app.submit, app.withdraw, lambda: app.edit(CAT, {"product": "Other"})):
        with pytest.raises(Conflict):
            step()


def test_one_the_assessors_hold_or_decided_is_not_withdrawn():
    app = application()
    app.submit()
    with pytest.raises(Conflict):
        app.withdraw()
    app.assess(CAT, "anna", GOOD_SCORES, NOW)
    with pytest.raises(Conflict):
        app.withdraw()
    app.decide("bela", "granted", "meets every criterion", NOW)
    with pytest.raises(Conflict):
        app.withdraw()
    assert app.status == "granted"
