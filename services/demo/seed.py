"""Enter a site's demo data through its own API, as a broker would."""
from __future__ import annotations

import time
from datetime import date, timedelta

import requests

from services.demo import community_events, community_platforms, data, experts, library


class SeedError(Exception):
    pass


def _ok(response: requests.Response) -> dict:
    if response.status_code >= 300:
        raise SeedError(f"{response.request.method} {response.url}: {response.status_code} {response.text[:500]}")
    return response.json()


def seed_site(base_url: str, site_id: str) -> dict:
    http = requests.Session()
    token = _ok(http.post(f"{base_url}/api/v1/auth/token",
                          json={"username": "broker", "password": data.DEMO_PASSWORD}))["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"
    ids: dict[str, str] = {}
    enquiries: dict[str, str] = {}
    for (kind, name, regno, street, postcode, town, nuts3, lat, lon, segment, workers) in data.ORGANISATIONS[site_id]:
        body = {
            "kind": kind, "name": name, "registration_number": regno,
            "address": {"street": street, "postcode": postcode, "town": town, "country": site_id[:2]},
            "nuts3": nuts3, "coordinates": {"lat": lat, "lon": lon},
            "labour_market_segment": segment, "workers_in_integration": workers,
        }
        ids[name] = _ok(http.post(f"{base_url}/api/v1/organisations", json=body))["id"]
        for (title, description, cpv, capacity, unit, lead, pmin, pmax, radius, cross) in data.OFFERS.get(name, []):
            _ok(http.post(f"{base_url}/api/v1/offers", json={
                "organisation_id": ids[name], "title": title, "description": description, "cpv_codes": cpv,
                "capacity_per_week": capacity, "unit": unit, "lead_time_days": lead, "price_min": pmin,
                "price_max": pmax, "delivery_radius_km": radius, "cross_border": cross,
            }))
    # The demo's statements came in on paper: the broker types them in with a token (anonymous writes
    # meet the stricter allowance per address, which the visitor trying the forms shares on loopback).
    for (kind, first, last, phone, phone_kind, email, org_name, org_kind, nuts3) in data.STATEMENTS.get(site_id, []):
        body = {"kind": kind, "consent": True, "nuts3": nuts3}
        if kind == "person":
            body.update(first_name=first, last_name=last, phone=phone, phone_kind=phone_kind, email=email)
        else:
            body.update(organisation_name=org_name, organisation_kind=org_kind)
        statement = _ok(http.post(f"{base_url}/api/v1/support-statements", json=body))
        # No mail is sent in the demo: the broker confirms, so the statement counts in the statistics.
        _ok(http.post(f"{base_url}/api/v1/support-statements/{statement['id']}/confirm"))
    for (title, summary, client, se, cpv, year, paid, kg, hours) in data.CASE_STUDIES.get(site_id, []):
        _ok(http.post(f"{base_url}/api/v1/case-studies", json={
            "title": title, "summary": summary, "client_organisation_id": ids[client],
            "social_enterprise_id": ids[se], "cpv_codes": cpv, "year": year,
            "impact": {"value_paid_eur": paid, "material_diverted_kg": kg, "integration_hours": hours},
            "texts": data.CASE_STUDY_TEXTS.get(title, {}),
        }))
    for (kind, title, client, cpv, quantity, unit, days, nuts3, budget, cross, state) in \
            data.ENQUIRIES.get(site_id, []):
        enquiry = _ok(http.post(f"{base_url}/api/v1/enquiries", json={
            "type": kind, "title": title, "client_kind": "economic_enterprise",
            "client_organisation_id": ids[client], "cpv_codes": cpv, "quantity": quantity, "unit": unit,
            "deadline": (date.today() + timedelta(days=days)).isoformat(), "delivery": {"nuts3": nuts3},
            "budget": budget, "cross_border_allowed": cross, "submit": True,
        }))
        if state != "submitted":
            _ok(http.post(f"{base_url}/api/v1/enquiries/{enquiry['id']}/transitions",
                          json={"to": state, "reason": "first consultation booked"}))
        enquiries[title] = enquiry["id"]
    for holder, product, cpv in data.LABELS.get(site_id, []):
        _grant_label(base_url, {"holder_organisation_id": ids[holder], "holder_name": holder, "product": product,
                                "cpv_codes": cpv, "evidence": data.LABEL_EVIDENCE})
    experts.seed_experts(http, base_url, site_id, _ok)
    library.seed_library(http, base_url, site_id, _ok)
    community_events.seed_events(http, base_url, site_id, _ok)
    community_platforms.seed_platform(http, base_url, site_id, ids, _ok)
    return {"organisations": ids, "enquiries": enquiries}


def request_cross_border(base_url: str, site_id: str, enquiry_ids: dict[str, str]) -> list[str]:
    """The broker passes the site's large orders to the hub, which composes a consortium across sites."""
    http = _session(base_url, "broker")
    requested = []
    for title in data.CROSS_BORDER.get(site_id, []):
        _ok(http.post(f"{base_url}/api/v1/enquiries/{enquiry_ids[title]}/cross-border", json={"max_partners": 5}))
        requested.append(enquiry_ids[title])
    return requested


def deliver_agreements(base_url: str, site_id: str, organisation_ids: dict[str, str],
                       wait_seconds: float = 20.0) -> list[str]:
    """The site's delivered agreements (data.DELIVERED), so that its impact reaches the hub: each a new
    enquiry that the broker moves to matching, the social enterprise's proposal on its offer, the client
    accepting, production and the delivery with its impact figures. Needs the site's consumers running:
    accepting reserves the offer's capacity in the matching part's projection of the registry, which the
    offer reaches over the bus. Returns the enquiries' ids."""
    http = _session(base_url, "broker")
    api = f"{base_url}/api/v1"
    delivered = []
    for (kind, title, client, se, offer_title, cpv, quantity, unit, price, currency, nuts3, lat, lon, impact) in \
            data.DELIVERED.get(site_id, []):
        eid, proposal = _proposed(http, api, site_id, organisation_ids, wait_seconds, kind=kind, title=title,
                                  client=client, se=se, offer_title=offer_title, cpv=cpv, quantity=quantity,
                                  unit=unit, price=price, currency=currency,
                                  delivery={"nuts3": nuts3, "lat": lat, "lon": lon})
        agreement = _ok(_until_projected(lambda: http.post(f"{api}/enquiries/{eid}/proposals/{proposal['id']}/accept"),
                                         wait_seconds))
        _ok(http.post(f"{api}/enquiries/{eid}/transitions", json={"to": "in_production", "reason": "demo"}))
        _ok(http.post(f"{api}/enquiries/{eid}/agreements/{agreement['id']}/deliver", json=impact))
        delivered.append(eid)
    return delivered


def propose_to_clients(base_url: str, site_id: str, organisation_ids: dict[str, str],
                       wait_seconds: float = 20.0) -> list[str]:
    """The site's enquiries left with a social enterprise's open proposal (data.PROPOSED), for the client's
    member to read and accept in the browser. Needs the site's consumers running (see `deliver_agreements`).
    Returns the enquiries' ids."""
    http = _session(base_url, "broker")
    api = f"{base_url}/api/v1"
    return [_proposed(http, api, site_id, organisation_ids, wait_seconds, kind=kind, title=title, client=client,
                      se=se, offer_title=offer_title, cpv=cpv, quantity=quantity, unit=unit, price=price,
                      currency=currency, delivery={"nuts3": nuts3})[0]
            for (kind, title, client, se, offer_title, cpv, quantity, unit, price, currency, nuts3)
            in data.PROPOSED.get(site_id, [])]


def _proposed(http: requests.Session, api: str, site_id: str, organisation_ids: dict[str, str], wait_seconds: float,
              *, kind, title, client, se, offer_title, cpv, quantity, unit, price, currency, delivery) -> tuple:
    """A new enquiry of `client` that the broker moves to matching, and the social enterprise's proposal on
    its offer titled `offer_title`: (the enquiry's id, the proposal)."""
    offers = _ok(http.get(f"{api}/offers", params={"organisation_id": organisation_ids[se], "per_page": 50}))
    offer_id = next(o["id"] for o in offers["items"] if o["title"] == offer_title)
    enquiry = _ok(http.post(f"{api}/enquiries", json={
        "type": kind, "title": title, "client_kind": _client_kind(client, site_id),
        "client_organisation_id": organisation_ids[client], "cpv_codes": cpv, "quantity": quantity, "unit": unit,
        "deadline": (date.today() + timedelta(days=40)).isoformat(), "delivery": delivery, "submit": True}))
    eid = enquiry["id"]
    for state in ("in_consultation", "matching"):
        _ok(http.post(f"{api}/enquiries/{eid}/transitions", json={"to": state, "reason": "demo"}))
    proposal = _ok(_until_projected(lambda: http.post(f"{api}/enquiries/{eid}/proposals", json={
        "organisation_id": organisation_ids[se], "offer_id": offer_id, "quantity": quantity, "unit": unit,
        "price": price, "currency": currency, "delivery_date": (date.today() + timedelta(days=20)).isoformat()}),
        wait_seconds))
    return eid, proposal


def _client_kind(name: str, site_id: str) -> str:
    return next(org[0] for org in data.ORGANISATIONS[site_id] if org[1] == name)


def _until_projected(call, wait_seconds: float) -> requests.Response:
    """Repeat `call` while the site answers 404 (accepting) or 422 (proposing) because its matching part has
    not heard of the social enterprise or its offer yet (nothing is saved then); any other answer is returned."""
    deadline = time.monotonic() + wait_seconds
    while True:
        response = call()
        if response.status_code not in (404, 422) or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def _session(base_url: str, username: str) -> requests.Session:
    http = requests.Session()
    token = _ok(http.post(f"{base_url}/api/v1/auth/token",
                          json={"username": username, "password": data.DEMO_PASSWORD}))["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"
    return http


def _grant_label(base_url: str, application: dict) -> str:
    """Apply (site admin), assess (assessor) and grant (a different person, the approver)."""
    admin, assessor, approver = (_session(base_url, u) for u in ("admin", "assessor", "approver"))
    app_id = _ok(admin.post(f"{base_url}/api/v1/label-applications", json=application))["id"]
    _ok(admin.post(f"{base_url}/api/v1/label-applications/{app_id}/submit"))
    _ok(assessor.post(f"{base_url}/api/v1/label-applications/{app_id}/assessment",
                      json={"scores": data.LABEL_SCORES}))
    decided = _ok(approver.post(f"{base_url}/api/v1/label-applications/{app_id}/decision",
                                json={"outcome": "granted", "reason": "meets every criterion"}))
    return decided["label_number"]
