"""The smoke scenario against the compose stack brought up with Podman (`make deploy-check`,
deploy/podman/check.sh), through the reverse proxy, as a client on the host sees it:

1. an organisation registered at AT12 appears at the hub;
2. a label granted at HU22 (applied for, assessed and decided by two different people) verifies at AT12
   and at the hub;
3. AT12's containers cannot read HU22's key (nor the hub's): only their own is in /run/secrets.

Not a pytest module (pytest collects test_*.py only): it needs the running stack. Run it from the
repository root:  .venv/bin/python tests/deploy/smoke_stack.py [--project sopro-check] [--domain localhost]

Every `<service>.<domain>` is sent to --address (default 127.0.0.1, where the proxy publishes 443), so
nothing needs /etc/hosts. TLS is verified against the proxy's own CA (Caddy `tls internal`), read from
the proxy container; the users the scenario logs in as are made in the sites' workers with
`sopro users add`, with a password of this run.
"""
from __future__ import annotations

import argparse
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import requests

TIMEOUT = 15


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["podman", *args], capture_output=True, text=True, timeout=120, check=check)


def route_to(domain: str, address: str) -> None:
    """Resolve every <name>.<domain> to `address` in this process (the proxy on the host)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith("." + domain):
            host = address
        return real(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


def eventually(check, timeout: float = 180.0, every: float = 2.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except requests.RequestException as exc:
            result = None
            log(f"  (not yet: {type(exc).__name__})")
        if result:
            return result
        if time.monotonic() > deadline:
            return result
        time.sleep(every)


class VerifyingSession(requests.Session):
    """A session that checks the proxy's certificate against its CA on every request (a session's own
    `verify` loses to REQUESTS_CA_BUNDLE from the environment)."""

    def __init__(self, ca_file: str):
        super().__init__()
        self.ca_file = ca_file

    def request(self, method, url, **kwargs):
        kwargs.setdefault("verify", self.ca_file)
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(method, url, **kwargs)


class Stack:
    def __init__(self, project: str, domain: str, ca_file: str):
        self.project, self.domain, self.ca_file = project, domain, ca_file
        self.password = secrets.token_urlsafe(18)
        self.suffix = uuid.uuid4().hex[:6]

    def url(self, service: str) -> str:
        return f"https://{service}.{self.domain}"

    def container(self, service: str) -> str:
        return f"{self.project}_{service}_1"  # podman-compose 1.0's naming

    def get(self, url: str, **kwargs) -> requests.Response:
        return requests.get(url, verify=self.ca_file, timeout=TIMEOUT, **kwargs)

    def add_user(self, service: str, name: str, roles: str) -> str:
        username = f"smoke-{name}-{self.suffix}"
        podman("exec", self.container(f"{service}-worker"), "sopro", "users", "add", username,
               "--password", self.password, "--roles", roles)
        return username

    def session(self, service: str, username: str) -> requests.Session:
        r = requests.post(f"{self.url(service)}/api/v1/auth/token", verify=self.ca_file, timeout=TIMEOUT,
                          json={"username": username, "password": self.password})
        assert r.status_code == 200, f"login of {username} at {service}: {r.status_code} {r.text[:300]}"
        http = VerifyingSession(self.ca_file)
        http.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        return http


def proxy_ca(project: str) -> str:
    """Caddy's local root certificate (tls internal), from the proxy's data volume, as a file."""
    pem = eventually(lambda: podman("exec", f"{project}_proxy_1", "cat",
                                    "/data/caddy/pki/authorities/local/root.crt", check=False).stdout, 60)
    assert pem and "BEGIN CERTIFICATE" in pem, "the proxy's local CA certificate"
    f = tempfile.NamedTemporaryFile("w", suffix=".crt", delete=False)
    f.write(pem)
    f.close()
    return f.name


def organisation_reaches_the_hub(stack: Stack) -> None:
    log("1. an organisation registered at AT12 appears at the hub")
    at12 = stack.session("at12", stack.add_user("at12", "broker", "broker,site_admin"))
    name = f"Traisentaler Werkstatt {stack.suffix}"
    r = at12.post(f"{stack.url('at12')}/api/v1/organisations", timeout=TIMEOUT, json={
        "kind": "social_enterprise", "name": name, "registration_number": f"ZVR {stack.suffix}",
        "address": {"street": "Hauptstraße 1", "postcode": "3100", "town": "St. Pölten", "country": "AT"},
        "nuts3": "AT123", "labour_market_segment": "second_labour_market", "workers_in_integration": 5})
    assert r.status_code == 201, f"register at AT12: {r.status_code} {r.text[:500]}"
    org_id = r.json()["id"]
    log(f"  registered at AT12: {org_id}")
    started = time.monotonic()
    assert eventually(lambda: stack.get(f"{stack.url('hub')}/api/v1/organisations/{org_id}").ok), \
        "the organisation did not reach the hub"
    body = stack.get(f"{stack.url('hub')}/api/v1/organisations/{org_id}").json()
    assert body["site"] == "AT12" and body["name"] == name, body
    log(f"  at the hub after {time.monotonic() - started:.1f} s: site {body['site']}, name {body['name']!r}")


def label_verifies_at_at12(stack: Stack) -> None:
    log("2. a label granted at HU22 verifies at AT12")
    hu22 = stack.url("hu22")
    admin = stack.session("hu22", stack.add_user("hu22", "admin", "broker,site_admin"))
    assessor = stack.session("hu22", stack.add_user("hu22", "assessor", "assessor"))
    approver = stack.session("hu22", stack.add_user("hu22", "approver", "approver"))
    application = admin.post(f"{hu22}/api/v1/label-applications", timeout=TIMEOUT, json={
        "holder_organisation_id": str(uuid.uuid4()), "holder_name": "Soproni Textil Szövetkezet",
        "product": "Újrahasznosított vászontáska", "cpv_codes": ["18930000"],
        "evidence": {"se_share": {"figure": "45"}, "regional_primary_products": {"figure": "60"},
                     "resource_saving": {"figure": "3"},
                     "quality_innovation": {"documents": [{"sha256": "a" * 64, "size": 10}]}}})
    assert application.status_code == 201, f"apply: {application.status_code} {application.text[:500]}"
    app_id = application.json()["id"]
    r = admin.post(f"{hu22}/api/v1/label-applications/{app_id}/submit", timeout=TIMEOUT)
    assert r.status_code == 200, f"submit: {r.status_code} {r.text[:500]}"
    scores = {"se_share": {"reason": "timesheets checked"},
              "regional_primary_products": {"score": 4, "reason": "invoices"},
              "resource_saving": {"score": 3, "reason": "visit"}, "quality_innovation": {"score": 4, "reason": "visit"}}
    r = assessor.post(f"{hu22}/api/v1/label-applications/{app_id}/assessment", json={"scores": scores},
                      timeout=TIMEOUT)
    assert r.status_code == 200, f"assess: {r.status_code} {r.text[:500]}"
    r = approver.post(f"{hu22}/api/v1/label-applications/{app_id}/decision", timeout=TIMEOUT,
                      json={"outcome": "granted", "reason": "meets every criterion"})
    assert r.status_code == 200, f"decide: {r.status_code} {r.text[:500]}"
    number = r.json()["label_number"]
    assert number.startswith("SOPRO-HU22-"), number
    log(f"  granted at HU22: {number}")

    def status_at(service: str):
        r = stack.get(f"{stack.url(service)}/api/v1/labels/{number}")
        return r.json() if r.status_code == 200 else None

    started = time.monotonic()
    at_hub = eventually(lambda: (status_at("hub") or {}).get("status") == "valid")
    assert at_hub, f"the label is not valid at the hub: {status_at('hub')}"
    at12 = eventually(lambda: status_at("at12"))
    assert at12 and at12["status"] == "valid" and at12["deciding_site"] == "HU22", at12
    log(f"  verified at AT12 after {time.monotonic() - started:.1f} s: status {at12['status']}, "
        f"deciding site {at12['deciding_site']}")
    unknown = stack.get(f"{stack.url('at12')}/api/v1/labels/SOPRO-HU22-2026-9999")
    assert unknown.status_code == 404, unknown.status_code


def keys_stay_apart(stack: Stack) -> None:
    log("3. AT12's containers cannot read HU22's key")
    for service in ("at12", "at12-worker"):
        c = stack.container(service)
        own = podman("exec", c, "test", "-r", "/run/secrets/AT12.pem", check=False)
        assert own.returncode == 0, f"{c} cannot read its own key /run/secrets/AT12.pem"
        for other in ("HU22", "EU", "AT11"):
            for test in ("!", "-e"), ("!", "-r"):
                r = podman("exec", c, "test", *test, f"/run/secrets/{other}.pem", check=False)
                assert r.returncode == 0, f"{c}: test {' '.join(test)} /run/secrets/{other}.pem failed"
        found = podman("exec", c, "find", "/", "-xdev", "-name", "*.pem", "-not", "-path", "/proc/*",
                       check=False).stdout.split()
        found = [p for p in found if not p.startswith(("/etc/ssl", "/usr/", "/opt/venv/"))]
        assert found == ["/run/secrets/AT12.pem"] or not found, f"{c}: key files {found}"
        listing = podman("exec", c, "ls", "/run/secrets").stdout.split()
        assert "HU22.pem" not in listing and "AT12.pem" in listing, listing
        log(f"  {c}: /run/secrets holds {listing}; HU22.pem neither exists nor is readable")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default="sopro-check", help="the podman-compose project (-p)")
    parser.add_argument("--domain", default="localhost", help="SOPRO_DOMAIN of the stack")
    parser.add_argument("--address", default="127.0.0.1", help="where the proxy listens")
    args = parser.parse_args(argv)
    route_to(args.domain, args.address)
    stack = Stack(args.project, args.domain, proxy_ca(args.project))
    started = time.monotonic()
    failed = []
    for scenario in (organisation_reaches_the_hub, label_verifies_at_at12, keys_stay_apart):
        try:
            scenario(stack)
        except (AssertionError, requests.RequestException, subprocess.SubprocessError) as exc:
            detail = getattr(exc, "stderr", "") or ""
            log(f"  FAILED: {type(exc).__name__}: {exc} {detail}".rstrip())
            failed.append(scenario.__name__)
    log(f"smoke: {3 - len(failed)} of 3 passed in {time.monotonic() - started:.1f} s"
        + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
