"""The federated expert search without the network (services/hub/experts/federated.py): merging the
sites' answers, every kind of missing site with its reason, the deadline, and the contract's validation of
an answer."""
from __future__ import annotations

import threading
import time

import marshmallow as ma
import pytest

from services.contracts.experts import ExpertAnswerSchema, ExpertQuery
from services.enquiries.programmes.profiles import is_web_url
from services.hub.experts import federated
from services.hub.experts.federated import SiteFailed, search


def expert(name: str, **more) -> dict:
    return {"id": name.lower(), "name": name, "expertise": ["45"], "languages": ["de"], "region": None,
            "summaries": {}, "publications": [], **more}


ANSWERS = {"http://at12": {"items": [expert("Zoe"), expert("anna")], "total": 7},
           "http://hu22": {"items": [expert("Béla")], "total": 1}}


def answering(url, query, timeout):
    if url in ANSWERS:
        return ANSWERS[url]
    raise SiteFailed(url.removeprefix("http://"))


def test_answers_merge_by_name_each_naming_its_site_and_totals_add_up():
    result = search([("AT12", "http://at12"), ("HU22", "http://hu22")], {}, 2.0, ask=answering)
    assert [(e["name"], e["site"]) for e in result.items] == [("anna", "AT12"), ("Béla", "HU22"), ("Zoe", "AT12")]
    assert result.sites_answered == ["AT12", "HU22"] and result.sites_missing == [] and result.total == 8


def test_every_failing_site_is_missing_with_its_reason_in_site_order():
    sites = [("AT11", "http://invalid"), ("AT12", "http://at12"), ("AT13", "http://unreachable"),
             ("HU22", "http://error")]
    result = search(sites, {}, 2.0, ask=answering)
    assert result.sites_answered == ["AT12"]
    assert [(m.site, m.reason) for m in result.sites_missing] == [
        ("AT11", "invalid"), ("AT13", "unreachable"), ("HU22", "error")]


def test_a_site_raising_anything_else_is_missing_as_an_error_not_the_searchs_failure():
    def broken(url, query, timeout):
        raise RuntimeError("boom")
    result = search([("AT12", "http://at12")], {}, 1.0, ask=broken)
    assert [(m.site, m.reason, m.detail) for m in result.sites_missing] == [("AT12", "error", "RuntimeError")]


def test_a_hanging_site_is_missing_as_timeout_and_the_search_returns_by_the_deadline():
    release = threading.Event()

    def hanging(url, query, timeout):
        if url == "http://hang":
            release.wait(30)
            return {"items": [expert("Late")], "total": 1}
        return ANSWERS[url]
    started = time.monotonic()
    result = search([("AT12", "http://at12"), ("AT22", "http://hang")], {}, 0.5, ask=hanging)
    elapsed = time.monotonic() - started
    release.set()
    assert elapsed < 10
    assert [e["name"] for e in result.items] == ["anna", "Zoe"]
    assert [(m.site, m.reason) for m in result.sites_missing] == [("AT22", "timeout")]


def test_no_sites_no_experts():
    result = search([], {"q": "x"}, 1.0, ask=answering)
    assert result.items == [] and result.sites_answered == [] and result.sites_missing == []


@pytest.mark.parametrize("body", [None, [], "text", {"items": "x", "total": 1}, {"items": []},
                                  {"items": [{"name": "No id"}], "total": 1},
                                  {"items": [expert("A", languages=["fr"])], "total": 1},
                                  {"items": [expert("A", publications=[{"title": "T", "year": 2020,
                                                                        "url": "javascript:alert(1)"}])], "total": 1},
                                  {"items": [expert("A")], "total": -1}])
def test_the_contract_refuses_what_is_no_expert_answer(body):
    with pytest.raises(ma.ValidationError):
        ExpertAnswerSchema().load(body)


def test_the_contract_keeps_only_the_profile_fields():
    loaded = ExpertAnswerSchema().load({"items": [expert("A", email="a@example.org")], "total": 1, "x": 1})
    assert "email" not in loaded["items"][0] and loaded["total"] == 1


@pytest.mark.parametrize("query", [{"division": "4"}, {"language": "xx"}, {"region": "at"}, {"q": ""},
                                   {"q": "a\x00"}, {"limit": 0}, {"other": "1"}])
def test_the_query_refuses_malformed_filters(query):
    with pytest.raises(ma.ValidationError):
        ExpertQuery().load(query)


def test_the_deadline_comes_from_the_settings_or_the_environment_within_bounds():
    class Settings:
        extra = {}
    assert federated.deadline_seconds(Settings(), env={}) == 3.0
    assert federated.deadline_seconds(Settings(), env={"SOPRO_EXPERT_SEARCH_TIMEOUT": "1.5"}) == 1.5
    assert federated.deadline_seconds(Settings(), env={"SOPRO_EXPERT_SEARCH_TIMEOUT": "soon"}) == 3.0
    assert federated.deadline_seconds(Settings(), env={"SOPRO_EXPERT_SEARCH_TIMEOUT": "-1"}) == 3.0
    Settings.extra = {"expert_search_timeout": 0.25}
    assert federated.deadline_seconds(Settings(), env={"SOPRO_EXPERT_SEARCH_TIMEOUT": "9"}) == 0.25


@pytest.mark.parametrize("url, ok", [("https://example.org/a", True), ("http://example.org", True),
                                     ("javascript:alert(1)", False), ("ftp://example.org", False),
                                     ("https://", False), ("https://exa mple.org", False), ("//example.org", False),
                                     ("https://[::1", False)])
def test_only_http_addresses_with_a_host_are_links(url, ok):
    assert is_web_url(url) is ok
