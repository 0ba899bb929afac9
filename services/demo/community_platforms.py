"""The demo's national stakeholder platforms and a supporting social enterprise (issue 19, items 5 and 6),
entered through the site's API as a broker would: a few of AT12's and HU22's organisations are members of
their country's platform, and at AT12 the Waldviertler Spielzeugwerkstatt supports the platform (its
statement of support names it and the broker confirmed it), so its offers rank higher in the shortlist."""
from __future__ import annotations

import requests

# (organisation name as in data.ORGANISATIONS, role on the platform)
PLATFORM_MEMBERS = {
    "AT12": [("Stadtgemeinde St. Pölten", "public_body"), ("Donauland Handels AG", "company"),
             ("Traisentaler Beschäftigungswerkstatt", "social_enterprise"),
             ("Waldviertler Spielzeugwerkstatt", "social_enterprise")],
    "HU22": [("Sopron Megyei Jogú Város Önkormányzata", "public_body"),
             ("Győri Szociális Asztalosműhely Nonprofit Kft.", "social_enterprise"),
             ("Zalai Ajándéktárgy Kft.", "company")],
}
# (organisation name, NUTS-3 region of the statement)
SUPPORTERS = {"AT12": [("Waldviertler Spielzeugwerkstatt", "AT124")]}


def seed_platform(http: requests.Session, base_url: str, site_id: str, ids: dict[str, str], ok) -> None:
    """`http` carries the broker's token; `ids` are the site's organisations by name; `ok` the seed's check
    of an answer (raises on an error)."""
    api = f"{base_url}/api/v1"
    for name, role in PLATFORM_MEMBERS.get(site_id, []):
        ok(http.post(f"{api}/platform-members", json={"organisation_id": ids[name], "role": role}))
    for name, nuts3 in SUPPORTERS.get(site_id, []):
        statement = ok(http.post(f"{api}/support-statements", json={
            "kind": "organisation", "organisation_name": name, "organisation_kind": "social_enterprise",
            "nuts3": nuts3, "consent": True}))
        ok(http.put(f"{api}/support-statements/{statement['id']}/organisation", json={"organisation_id": ids[name]}))
        ok(http.post(f"{api}/support-statements/{statement['id']}/confirm"))
