"""GET /api/v1/impact-reports (issue 18): a client's or a social enterprise's impact report over a period, for
site staff about any organisation and for a member about its own only; JSON by default, CSV on request. Bad
input is a 422 with field messages (an end before the start, an unknown organisation, a malformed id, date or
number), never a 500; a period without deals is an honest empty report."""
from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from decimal import Decimal

import pytest

from tests.support.impact_reports import client_company, delivered

API_CLIENT = ("Bericht Handels GmbH", "AT127")
THIS_YEAR = date.today().year
PATH = "/impact-reports"


@pytest.fixture(scope="module")
def deliveries(at12):
    return [delivered(at12, API_CLIENT, "Regale per API", "10", "1000", "EUR",
                      {"integration_hours": "12.5", "regional_share": "0.6", "distance_km": "10"}),
            delivered(at12, API_CLIENT, "Tische per API", "30", "2000", "EUR",
                      {"integration_hours": "7.5", "regional_share": "0.2", "material_diverted_kg": "3.25"})]


@pytest.fixture(scope="module")
def client_member(at12, deliveries):
    at12.add_user("bericht-member", ["member"], client_company(at12, *API_CLIENT))
    return "bericht-member"


def test_staff_read_a_clients_report_and_its_totals_are_the_sums_of_its_deals(at12, deliveries):
    organisation = client_company(at12, *API_CLIENT)
    body = at12.ok("GET", f"{PATH}?organisation={organisation}&from={THIS_YEAR}-01-01&to={THIS_YEAR}-12-31")
    assert body["party"] == {"organisation_id": organisation, "name": API_CLIENT[0], "role": "client"}
    assert body["from"] == f"{THIS_YEAR}-01-01" and body["empty"] is False
    assert sorted((d["enquiry_id"], d["deal_id"]) for d in body["deals"]) == sorted(deliveries)  # traceable
    totals = body["totals"]
    assert totals["deals"] == 2 and totals["value_paid"] == {"EUR": "3000"}
    assert Decimal(totals["value_paid_eur"]) == Decimal("3000") and Decimal(totals["integration_hours"]) == 20
    assert Decimal(totals["material_diverted_kg"]) == Decimal("3.25")
    assert Decimal(totals["regional_share"]) == Decimal("0.3")  # (10 × 0.6 + 30 × 0.2) / 40
    assert Decimal(totals["distance_km"]) == 10  # only the first states one
    # the Austrian proxy values the 20 hours beside them: 20 × 44.50
    assert [(line["proxy"]["country"], line["value_eur"]) for line in body["social_value"]] == [("AT", "890.00")]


def test_the_social_enterprises_report_lists_what_it_delivered(at12, deliveries):
    se = at12.ids["Traisentaler Werkstatt"]
    body = at12.ok("GET", f"{PATH}?organisation={se}&role=social_enterprise")
    mine = {d["deal_id"] for d in body["deals"]}
    assert {agreement for _e, agreement in deliveries} <= mine
    assert body["party"]["role"] == "social_enterprise"


def test_csv_on_request_by_format_or_accept(at12, deliveries):
    organisation = client_company(at12, *API_CLIENT)
    by_format = at12.call("GET", f"{PATH}?organisation={organisation}&format=csv", expect=200)
    by_accept = at12.client.get(f"/api/v1{PATH}?organisation={organisation}",
                                headers={**at12.headers["broker"], "Accept": "text/csv"})
    for response in (by_format, by_accept):
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert {row[1] for row in rows[1:] if row and row[0] == "agreement"} == {a for _e, a in deliveries}
    json_anyway = at12.client.get(f"/api/v1{PATH}?organisation={organisation}&format=json",
                                  headers={**at12.headers["broker"], "Accept": "text/csv"})
    assert json_anyway.status_code == 200 and json_anyway.is_json  # format wins over Accept


def test_a_member_reads_its_own_organisations_report_only(at12, client_member):
    own = client_company(at12, *API_CLIENT)
    assert at12.ok("GET", f"{PATH}?organisation={own}", as_=client_member)["totals"]["deals"] == 2
    other = at12.ids["Donauland Handels AG"]
    refused = at12.call("GET", f"{PATH}?organisation={other}", as_=client_member, expect=403)
    assert refused.json["code"] == "forbidden"
    unknown = at12.call("GET", f"{PATH}?organisation={uuid.uuid4()}", as_=client_member, expect=403)
    assert unknown.json["status"] == 403  # a member learns nothing about other ids
    at12.call("GET", f"{PATH}?organisation={own}", as_=None, expect=401)


def test_an_end_before_the_start_is_a_422_at_the_field(at12, deliveries):
    organisation = client_company(at12, *API_CLIENT)
    refused = at12.call("GET", f"{PATH}?organisation={organisation}&from=2026-06-01&to=2026-01-01", expect=422)
    assert list(refused.json["errors"]) == ["to"] and refused.json["errors"]["to"]


def test_an_unknown_organisation_is_a_422_at_the_field(at12):
    refused = at12.call("GET", f"{PATH}?organisation={uuid.uuid4()}", expect=422)
    assert list(refused.json["errors"]) == ["organisation"]


@pytest.mark.parametrize("query,field", [
    ("organisation=not-an-id", "organisation"),
    ("", "organisation"),
    ("organisation={org}&from=2026-02-30", "from"),
    ("organisation={org}&to=yesterday", "to"),
    ("organisation={org}&role=agency", "role"),
    ("organisation={org}&page=0", "page"),
    ("organisation={org}&per_page=100000", "per_page"),
    ("organisation={org}&format=xlsx", "format"),
    ("organisation={org}&from=%3Cscript%3E", "from"),
])
def test_malformed_input_is_a_422_never_a_500(at12, query, field):
    refused = at12.call("GET", f"{PATH}?{query.format(org=at12.ids['Donauland Handels AG'])}", expect=422)
    assert field in refused.json["errors"] and refused.json["code"] == "invalid"


def test_a_period_without_deals_is_an_honest_empty_report(at12, deliveries):
    organisation = client_company(at12, *API_CLIENT)
    body = at12.ok("GET", f"{PATH}?organisation={organisation}&from=2001-01-01&to=2001-12-31")
    assert body["empty"] is True and body["deals"] == [] and body["social_value"] == []
    assert body["totals"]["deals"] == 0 and body["totals"]["value_paid"] == {}
    assert body["totals"]["regional_share"] is None and Decimal(body["totals"]["value_paid_eur"]) == 0
    assert body["page"] == 1 and body["pages"] == 1
    widest = at12.ok("GET", f"{PATH}?organisation={organisation}&from=0001-01-01&to=9999-12-31")
    assert widest["totals"]["deals"] == 2
