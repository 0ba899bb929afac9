"""No request gives a 500: a corpus of hostile requests (tests/support/hostile_corpus.py) thrown at
every operation of every app's OpenAPI document (HU22 and AT12 with all a site's services, each with its
demo data, and the hub that applied their events), on SQLite and on PostgreSQL.

Each request carries the token of a real user holding a role the operation admits (`x-sopro-roles`; a
member acts for a seeded organisation), and names seeded items in its path where the corpus does not
attack the path itself. Every answer must be below 500, and every error in the one error shape:
JSON with exactly code, status, message and errors, its status the response's. The totals
(operations, requests, statuses) are printed and written to test-artifacts/hostile-requests.txt.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from services.bootstrap import create_app
from services.workers import hub_ingest
from tests.support.databases import BACKENDS
from tests.support.hostile_apps import runtimes, user_token  # noqa: F401 - a fixture
from tests.support.hostile_corpus import Operation
from tests.support.seeding import events_of, seed_site

ERROR_KEYS = {"code", "status", "message", "errors"}
SITES = ("HU22", "AT12")
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "hostile-requests.txt"
TOTALS: dict[str, str] = {}


def report(request, name: str, totals: dict) -> None:
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(totals["statuses"].items()))
    TOTALS[name] = (f"{name}: {totals['operations']} operations, {totals['requests']} requests in "
                    f"{totals['seconds']:.1f} s, {len(totals['failures'])} failures; statuses {statuses}")
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text("\n".join(TOTALS.values()) + "\n", encoding="utf-8")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():  # the totals belong in CI's log even when all passed
        print("\nhostile requests: " + TOTALS[name])


@pytest.fixture(scope="module", params=BACKENDS)
def federation_apps(request, runtimes):
    """The sites with their demo data, and the hub that has applied the sites' events."""
    made = {}
    for site in SITES:
        runtime = runtimes(site, request.param)
        seed_site(runtime, create_app(runtime))
        made[site] = runtime
    hub = runtimes("EU", request.param)
    _, processor, _ = hub_ingest(hub)
    for site in SITES:
        assert processor.process(events_of(made[site])).applied, f"the hub applied {site}'s demo events"
    made["EU"] = hub
    return request.param, made


def seeded_ids(client, headers: dict, doc: dict, site_id: str) -> dict[str, str]:
    """Path parameter -> a seeded item's id (or number), read from the list under the path's collection."""
    known = {"stream": f"{site_id}/registry", "site": "HU22", "service": "registry"}
    for path in sorted(doc["paths"]):
        segments = path.split("/")
        for i, segment in enumerate(segments):
            if not segment.startswith("{") or segment[1:-1] in known:
                continue
            param = segment[1:-1]
            listing = client.get("/".join(segments[:i]).format(**known), headers=headers)
            items = (listing.get_json() or {}).get("items") if listing.status_code == 200 else None
            first = items[0] if items and isinstance(items[0], dict) else {}
            value = first.get(param) or first.get("id")
            if value is None:
                break
            known[param] = str(value)
    return known


def problem_of(response, operation: Operation) -> str | None:
    status = response.status_code
    if status >= 500 and str(status) not in operation.spec["responses"]:
        return f"a {status}"  # a documented one (a site's feed out of reach: 503) is an answer, not a failure
    return error_shape_problem(response) if status >= 400 else None


def error_shape_problem(response) -> str | None:
    try:
        body = json.loads(response.get_data())
    except ValueError:
        return "not JSON: " + response.get_data(as_text=True)[:120]
    if not isinstance(body, dict) or set(body) != ERROR_KEYS:
        return f"not the error shape: {str(body)[:160]}"
    if body["status"] != response.status_code or not isinstance(body["errors"], dict):
        return f"status {body['status']} in a {response.status_code}, errors {type(body['errors']).__name__}"
    return None


def throw_corpus(name: str, runtime) -> dict:
    app = create_app(runtime)
    # The limiter stays on (with the tests' high allowances): hostile input must not break it either.
    client = app.test_client()
    reader = user_token(runtime, client, "site_admin" if not runtime.settings.is_hub else "agency_admin")
    doc = client.get("/api/v1/openapi.json").get_json()
    ids = seeded_ids(client, reader, doc, runtime.settings.site_id)
    tokens: dict[str, dict] = {}
    totals = {"operations": 0, "requests": 0, "statuses": Counter(), "failures": [], "seconds": 0.0}
    seen: set[tuple] = set()
    started = time.monotonic()
    for path, item in doc["paths"].items():
        for method in [m for m in item if m != "parameters"]:
            operation = Operation(doc, path, method, ids)
            totals["operations"] += 1
            role = (operation.roles or [None])[0]
            if role is not None and role not in tokens:
                organisation_id = ids.get("organisation_id") if role == "member" else None
                tokens[role] = user_token(runtime, client, role, organisation_id)
            headers = tokens.get(role, {})
            for probe in operation.probes():
                url = probe.path + (f"?{probe.query}" if probe.query else "")
                response = client.open(url, method=operation.method, data=probe.body,
                                       content_type=probe.content_type, headers=headers)
                totals["requests"] += 1
                totals["statuses"][response.status_code] += 1
                problem = problem_of(response, operation)
                key = (operation.label, probe.kind, probe.where, problem and problem[:40])
                if problem and key not in seen:
                    seen.add(key)
                    totals["failures"].append(f"{operation.label} [{probe.kind} in {probe.where}]: {problem}")
    totals["seconds"] = time.monotonic() - started
    return totals


@pytest.mark.parametrize("site", [*SITES, "EU"])
def test_no_hostile_request_gives_a_5xx_and_every_error_has_the_one_shape(site, federation_apps, request):
    backend, runtimes_of = federation_apps
    name = f"{site} on {backend}"
    totals = throw_corpus(name, runtimes_of[site])
    report(request, name, totals)
    assert totals["operations"] > 20 and totals["requests"] > 10 * totals["operations"]
    assert totals["failures"] == [], "\n".join(totals["failures"])
