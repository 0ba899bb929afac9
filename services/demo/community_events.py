"""The demo's community events (issue 19): a few upcoming ones at AT12 (held in German) and HU22 (held in
Hungarian), among them, at HU22, a forum of the national stakeholder platform with titles in hu, de and en.
Entered through the site's own API, as a broker would; times are days from today, in UTC."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

# (kind, platform forum, days ahead, start hour UTC, hours, capacity, venue, NUTS-3, held in,
#  texts {lang: (title, summary)})
EVENTS = {
    "AT12": [
        ("seminar", False, 12, 8, 4, 25, "Servicestelle St. Pölten, Landhausplatz 1", "AT123", ["de"],
         {"de": ("Soziale Kriterien in der öffentlichen Beschaffung",
                 "Wie Gemeinden Aufträge an Sozialunternehmen vergeben: Praxis, Recht, Beispiele."),
          "en": ("Social criteria in public procurement", "How municipalities award work to social enterprises.")}),
        ("good_practice_visit", False, 26, 9, 3, 12, "Werkstatt Re-Use, Amstetten", "AT121", ["de"],
         {"de": ("Good-Practice-Besuch: Möbel aus Paletten",
                 "Ein Sozialunternehmen zeigt Produktion, Begleitung und Wirkung.")}),
        ("training", False, 40, 7, 7, 16, "Online (Link nach Anmeldung)", None, ["de", "en"],
         {"de": ("Kalkulieren und anbieten", "Schulung für Sozialunternehmen: Preise, Angebote, Fristen."),
          "en": ("Costing and bidding", "Training for social enterprises: prices, bids, deadlines.")}),
    ],
    "HU22": [
        ("forum", True, 18, 8, 5, 40, "Győr, Városháza díszterme, Városház tér 1", "HU221", ["hu"],
         {"hu": ("A nemzeti érintetti platform fóruma",
                 "Szociális vállalkozások, önkormányzatok és vállalatok közös fóruma a társadalmi célú "
                 "beszerzésről."),
          "de": ("Forum der nationalen Stakeholder-Plattform",
                 "Gemeinsames Forum von Sozialunternehmen, Gemeinden und Unternehmen zur sozialen Beschaffung."),
          "en": ("Forum of the national stakeholder platform",
                 "A joint forum of social enterprises, municipalities and companies on social procurement.")}),
        ("seminar", False, 30, 9, 3, 20, "Szolgáltatópont, Győr, Baross Gábor út 5", "HU221", ["hu"],
         {"hu": ("A hatás mérése a gyakorlatban",
                 "Hogyan mérik a szociális vállalkozások a foglalkoztatási és környezeti hatást.")}),
    ],
}


def seed_events(http, base_url: str, site_id: str, ok) -> list[str]:
    """Enter the site's events with `http` (a broker's session); `ok` checks each answer. Their ids."""
    today = datetime.now(timezone.utc).date()
    ids = []
    for kind, forum, days, hour, hours, capacity, venue, nuts3, held_in, texts in EVENTS.get(site_id, []):
        starts = datetime.combine(today + timedelta(days=days), time(hour), tzinfo=timezone.utc)
        ids.append(ok(http.post(f"{base_url}/api/v1/community-events", json={
            "kind": kind, "platform_forum": forum, "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=hours)).isoformat(), "capacity": capacity, "venue": venue,
            "nuts3": nuts3, "languages": held_in,
            "texts": [{"language": lang, "title": title, "summary": summary}
                      for lang, (title, summary) in texts.items()]}))["id"])
    return ids
