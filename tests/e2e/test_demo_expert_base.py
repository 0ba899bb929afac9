"""The demo's expert base (issue 19): the embedded federation seeds experts with a public profile at AT12
and HU22, and one at each without consent. The hub's network-wide search, asking all five sites over HTTP,
finds the consented ones with their sites, misses no site, and never shows the two without consent."""
from __future__ import annotations

import pytest
import requests

from services.demo.experts import EXPERTS
from services.demo.federation import EmbeddedFederation


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    fed = EmbeddedFederation(tmp_path_factory.mktemp("demo-experts"), ephemeral_ports=True).start()
    fed.seed()
    yield fed
    fed.stop()


def test_the_hub_finds_the_consented_demo_experts_of_every_site(demo):
    hub_url = demo.federation.hub.url
    answer = requests.get(f"{hub_url}/api/v1/experts", timeout=30).json()
    consented = sorted((name, site) for site, experts in EXPERTS.items() for name, _, _, ok, *_ in experts if ok)
    private = [name for experts in EXPERTS.values() for name, _, _, ok, *_ in experts if not ok]
    assert sorted((e["name"], e["site"]) for e in answer["items"]) == consented
    assert answer["sites_missing"] == [] and len(answer["sites_answered"]) == 5
    assert private and not any(name in str(answer) for name in private)
    page = requests.get(f"{hub_url}/experts", params={"lang": "hu", "division": "18"}, timeout=30,
                        headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Dr. Kovács Anna" in page.text and "Dr. Eva Kern" not in page.text
    at12 = requests.get(f"{demo.federation.site('AT12').url}/experts", params={"lang": "de"}, timeout=30,
                        headers={"Accept": "text/html"})
    assert "Dr. Eva Kern" in at12.text and "Sabine Hofer" not in at12.text
