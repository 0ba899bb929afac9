"""The demo's expert base (issue 19): consultants of AT12 and HU22 with a public professional profile, and
one at each without the consent, who appears on no public page and in no network-wide search. Entered
through the site's own API, as a broker would (the broker records the consents)."""
from __future__ import annotations

# (name, CPV divisions, languages, consents, region, summaries, publications)
EXPERTS = {
    "AT12": [
        ("Dr. Eva Kern", ["45", "90"], ["de", "en"], True, "AT121",
         {"de": "Kreislaufwirtschaft am Bau und soziale Beschaffung für Gemeinden im Mostviertel.",
          "en": "Circular construction and social procurement for municipalities."},
         [{"title": "Soziale Kriterien in der Bauvergabe", "year": 2024, "url": "https://example.org/kern-2024"},
          {"title": "Re-Use im Hochbau", "year": 2021, "url": None}]),
        ("Mag. Thomas Leitner", ["79", "80"], ["de", "hu"], True, "AT12",
         {"de": "Schulungen für Sozialunternehmen: Kalkulation, Angebote, öffentliche Aufträge.",
          "hu": "Képzések szociális vállalkozásoknak: árképzés, ajánlatok, közbeszerzés."},
         [{"title": "Handbuch Angebotslegung für Sozialunternehmen", "year": 2023,
           "url": "https://example.org/leitner-handbuch"}]),
        ("Sabine Hofer", ["55"], ["de"], False, "AT123", {}, []),  # no consent: stays private
    ],
    "HU22": [
        ("Dr. Kovács Anna", ["18", "39"], ["hu", "de", "en"], True, "HU221",
         {"hu": "Textil-újrahasznosítás és szociális szövetkezetek fejlesztése Győr-Moson-Sopron megyében.",
          "en": "Textile recycling and the development of social cooperatives."},
         [{"title": "Szociális szövetkezetek a Nyugat-Dunántúlon", "year": 2022,
           "url": "https://example.org/kovacs-2022"}]),
        ("Szabó Péter", ["45", "77"], ["hu"], True, "HU22",
         {"hu": "Zöldfelület-karbantartás és építőipari foglalkoztatási programok."}, []),
        ("Tóth Erika", ["85"], ["hu"], False, "HU223", {}, []),  # no consent: stays private
    ],
}


def seed_experts(http, base_url: str, site_id: str, ok) -> list[str]:
    """Enter the site's experts with `http` (a broker's session); `ok` checks each answer. Their ids."""
    ids = []
    for name, divisions, languages, consents, region, summaries, publications in EXPERTS.get(site_id, []):
        ids.append(ok(http.post(f"{base_url}/api/v1/consultants", json={
            "name": name, "expertise": divisions, "languages": languages, "public_profile": consents,
            "region": region, "summaries": summaries, "publications": publications}))["id"])
    return ids
