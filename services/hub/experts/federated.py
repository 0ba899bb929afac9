"""The federated expert search: every member site's `GET /api/v1/experts` asked at once, each answer
validated against the contract (services/contracts/experts.py) and merged; a site that does not answer
by the deadline, refuses the connection, answers with an error or with something that is no valid answer
is named as missing, with the reason, instead of being left out in silence.

Nothing is stored, and only counts and site ids are logged (never a name). The overall deadline is
`SOPRO_EXPERT_SEARCH_TIMEOUT` seconds (settings.extra["expert_search_timeout"] first), default 3.
"""
from __future__ import annotations

import logging
import os
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable

import marshmallow as ma
import requests

from services.contracts.experts import ExpertAnswerSchema

log = logging.getLogger("sopro.hub.experts")

DEFAULT_DEADLINE_SECONDS = 3.0
TIMEOUT, UNREACHABLE, ERROR, INVALID = "timeout", "unreachable", "error", "invalid"
REASONS = (TIMEOUT, UNREACHABLE, ERROR, INVALID)
MAX_BODY_BYTES = 2_000_000


@dataclass(frozen=True)
class Missing:
    site: str
    reason: str  # one of REASONS
    detail: str = ""


@dataclass
class Result:
    items: list[dict] = field(default_factory=list)
    sites_answered: list[str] = field(default_factory=list)
    sites_missing: list[Missing] = field(default_factory=list)
    total: int = 0


class SiteFailed(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason, detail)
        self.reason, self.detail = reason, detail


def deadline_seconds(settings, env=None) -> float:
    env = os.environ if env is None else env
    value = settings.extra.get("expert_search_timeout") or env.get("SOPRO_EXPERT_SEARCH_TIMEOUT")
    try:
        seconds = float(value) if value else DEFAULT_DEADLINE_SECONDS
    except ValueError:
        seconds = DEFAULT_DEADLINE_SECONDS
    return seconds if 0 < seconds <= 60 else DEFAULT_DEADLINE_SECONDS


def ask_site(url: str, query: dict, timeout: float) -> dict:
    """One site's answer, validated; SiteFailed with the reason otherwise."""
    try:
        response = requests.get(f"{url.rstrip('/')}/api/v1/experts", params=query, timeout=timeout,
                                headers={"Accept": "application/json"}, allow_redirects=False)
    except requests.Timeout:
        raise SiteFailed(TIMEOUT) from None
    except requests.ConnectionError as exc:
        raise SiteFailed(UNREACHABLE, exc.__class__.__name__) from None
    except requests.RequestException as exc:
        raise SiteFailed(ERROR, exc.__class__.__name__) from None
    if response.status_code != 200:
        raise SiteFailed(ERROR, f"HTTP {response.status_code}")
    if len(response.content) > MAX_BODY_BYTES:
        raise SiteFailed(INVALID, "too large")
    try:
        return ExpertAnswerSchema().load(response.json())
    except (ValueError, ma.ValidationError, TypeError):
        raise SiteFailed(INVALID, "not an expert answer") from None


def merge(answers: dict[str, dict]) -> tuple[list[dict], int]:
    """Every site's experts in one list by name (then site), each naming its site; and the sum of totals."""
    items = [{**item, "site": site} for site, answer in answers.items() for item in answer["items"]]
    items.sort(key=lambda e: (e["name"].casefold(), e["site"], e["id"]))
    return items, sum(answer["total"] for answer in answers.values())


def search(sites: list[tuple[str, str]], query: dict, deadline: float,
           ask: Callable[[str, dict, float], dict] = ask_site) -> Result:
    """Ask `sites` ((id, url) pairs) concurrently; return by `deadline` seconds whatever has come."""
    answers: dict[str, dict] = {}
    failed: dict[str, Missing] = {}
    started = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=max(1, len(sites)), thread_name_prefix="expert-search")
    try:
        futures = {pool.submit(ask, url, query, deadline): site for site, url in sites}
        pending = set(futures)
        while pending:
            left = deadline - (time.monotonic() - started)
            if left <= 0:
                break
            done, pending = wait(pending, timeout=left, return_when=FIRST_COMPLETED)
            for future in done:
                site = futures[future]
                try:
                    answers[site] = future.result()
                except SiteFailed as exc:
                    failed[site] = Missing(site, exc.reason, exc.detail)
                except Exception as exc:  # noqa: BLE001 - one site's fault is that site's, never the search's
                    failed[site] = Missing(site, ERROR, exc.__class__.__name__)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # a hanging site's thread ends with its own timeout
    for site, _url in sites:
        if site not in answers and site not in failed:
            failed[site] = Missing(site, TIMEOUT)
    items, total = merge({site: answers[site] for site, _url in sites if site in answers})
    result = Result(items, [s for s, _u in sites if s in answers], [failed[s] for s, _u in sites if s in failed],
                    total)
    log.info("expert search: %d experts from %s; missing %s", len(items), ",".join(result.sites_answered) or "-",
             ",".join(f"{m.site}:{m.reason}" for m in result.sites_missing) or "-")
    return result
