"""schemathesis over every app's OpenAPI document: the site's and the hub's, on PostgreSQL.

Each operation gets generated requests, valid ones (positive) and invalid ones (negative), sent to the
WSGI app with a token of a role its rule allows (`x-sopro-roles` in the document). Checks:
- no 5xx;
- every response conforms to its own schema (errors included: the one error shape) and status codes;
- invalid input (negative cases) is refused with a 4xx;
- no endpoint ignores auth: for a protected operation that answered 2xx, schemathesis repeats the
  request without the token and with a made-up one, and both must be refused (401/403).
The totals (operations, cases, failures) are printed and written to test-artifacts/schemathesis.txt.
Examples per operation are few and derandomized, to stay within the CI budget (about a minute).
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance, ignored_auth, negative_data_rejection, response_schema_conformance,
    status_code_conformance,
)

from services.bootstrap import create_app
from services.common.tokens import ROLES
from services.common.config import load_settings
from tests.support.databases import pg_schemas
from tests.support.migrated import bootstrap
from tests.support.seeding import events_of, seed_site
from tests.support.services import TEST_RATE_LIMIT
from tests.support.tokens import bearer

pytestmark = pytest.mark.services

ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "schemathesis.txt"
EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 4}
SEEDED_EXAMPLES = 4  # per operation whose path parameters name seeded items
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance,
          ignored_auth, negative_data_rejection]
TOTALS: dict[str, dict] = {}
SITE = "HU22"  # the site with the most kinds of demo data (labels, enquiries, case studies, HUF prices)


@pytest.fixture(scope="module")
def pg_schema():
    with pg_schemas("t_st") as make:
        yield make


@pytest.fixture(scope="module", autouse=True)
def report(request):
    yield
    if not TOTALS:
        return
    lines = [f"{app}: {t['operations']} operations, {t['cases']} cases, {len(t['failures'])} failures "
             f"in {t['seconds']:.1f} s" for app, t in TOTALS.items()]
    total = [sum(t[k] for t in TOTALS.values()) for k in ("operations", "cases")]
    failures = sum(len(t["failures"]) for t in TOTALS.values())
    lines.append(f"total: {total[0]} operations, {total[1]} cases, {failures} failures")
    for app, t in TOTALS.items():
        lines += [f"  {app} {f}" for f in t["failures"]]
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Past pytest's capture: the totals belong in CI's log even when every test passed.
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\nschemathesis: " + "\n              ".join(lines[:len(TOTALS) + 1]))


def token_for(runtime, operation) -> dict:
    allowed = operation.definition.raw.get("x-sopro-roles") or list(ROLES)
    # A single allowed role, not all of them: the request is made as someone the rule admits.
    return bearer(runtime, [allowed[0]], f"schemathesis-{allowed[0]}")


def describe(exc: BaseException) -> str:
    """One line per failure: schemathesis' titles (a FailureGroup holds one per failed check)."""
    failures = getattr(exc, "exceptions", None) or [exc]
    return "; ".join(getattr(f, "title", type(f).__name__) + ": " + (getattr(f, "message", "") or str(f))
                     .strip().replace("\n", " ")[:200] for f in failures)


def known_ids(app, runtime) -> dict[str, str]:
    """Path parameter -> the id of a seeded item, read from the list under the path's collection
    (`/api/v1/organisations/{organisation_id}` -> the first item of `GET /api/v1/organisations`)."""
    client = app.test_client()
    headers = bearer(runtime, ROLES, "schemathesis-reader")
    paths = sorted(client.get("/api/v1/openapi.json").get_json()["paths"])
    known: dict[str, str] = {}
    for path in paths:
        segments = path.split("/")
        for i, segment in enumerate(segments):
            param = segment[1:-1] if segment.startswith("{") else None
            if param is None or param in known:
                continue
            prefix = "/".join(segments[:i])
            if any(seg.startswith("{") and seg[1:-1] not in known for seg in segments[:i]):
                break
            listing = client.get(prefix.format(**known), headers=headers)
            items = (listing.get_json() or {}).get("items") if listing.status_code == 200 else None
            if not items or not isinstance(items[0], dict) or "id" not in items[0]:
                break
            known[param] = str(items[0]["id"])
    return known


def fuzz(app, runtime, name: str) -> dict:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ids = known_ids(app, runtime)
    totals = {"operations": 0, "cases": 0, "failures": [], "seconds": 0.0, "known_ids": len(ids)}
    started = time.monotonic()
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            totals["failures"].append(f"unloadable operation: {result.err()}")
            continue
        operation = result.ok()
        totals["operations"] += 1
        # Schemathesis' WSGI transport does not undo Content-Encoding; compression has its own tests.
        headers = {**token_for(runtime, operation), "Accept-Encoding": "identity"}
        seen: set[str] = set()
        names = [parameter.name for parameter in operation.path_parameters]
        rounds = list(EXAMPLES.items())
        if names and all(n in ids for n in names):  # and once more on seeded items, not only random ids
            rounds.append(("seeded", {n: ids[n] for n in names}))
        for mode, examples in rounds:
            if mode == "seeded":
                strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=examples)
                examples = SEEDED_EXAMPLES
            else:
                strategy = operation.as_strategy(generation_mode=mode)

            @given(case=strategy)
            @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            def run(case):
                totals["cases"] += 1
                try:
                    case.call_and_validate(headers=headers, checks=CHECKS)
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every failure is collected
                    summary = f"{operation.label} [{getattr(mode, 'value', mode)}]: {describe(exc)}"
                    if summary not in seen:
                        seen.add(summary)
                        totals["failures"].append(summary + "\n" + str(exc)[:1500])

            try:
                run()
            except Unsatisfiable:
                assert mode == GenerationMode.NEGATIVE, operation.label  # nothing in it can be invalid
    totals["seconds"] = time.monotonic() - started
    TOTALS[name] = totals
    return totals


@pytest.fixture(scope="module")
def runtimes(pg_schema, federation, federation_files, tmp_path_factory):
    """HU22 with its demo data, and the hub that has applied HU22's events: lists are not empty."""
    from services.workers import hub_ingest

    made = {}
    for site in (SITE, "EU"):
        made[site] = bootstrap(load_settings(site, env={}, federation=federation, db_url=pg_schema(site),
                                             key_file=federation_files[1] / f"{site}.pem",
                                             var_dir=tmp_path_factory.mktemp(site), rate_limit=TEST_RATE_LIMIT,
                                             token_rate_limit=TEST_RATE_LIMIT, public_write_rate_limit=TEST_RATE_LIMIT))
    seed_site(made[SITE], create_app(made[SITE]))
    _, processor, _ = hub_ingest(made["EU"])
    outcome = processor.process(events_of(made[SITE]))
    assert len(outcome.applied) > 10, "the hub applied the site's demo events"
    yield made
    for runtime in made.values():
        runtime.engine.dispose()


@pytest.mark.parametrize("site", [SITE, "EU"])
def test_schemathesis_finds_no_5xx_no_schema_violation_and_no_ignored_auth(site, runtimes):
    runtime = runtimes[site]
    totals = fuzz(create_app(runtime), runtime, f"site {site}" if site != "EU" else "hub EU")
    assert totals["operations"] > 0 and totals["cases"] >= totals["operations"]
    assert totals["failures"] == [], "\n\n".join(totals["failures"])
