"""Run the whole federation in one process: five sites and the hub, SQLite and the in-memory bus.

Every site and the hub get their own SQLite database under the var directory, their own HTTP port,
and their own workers (relay; for the hub, ingest and reconciliation). Demo data is entered through
each site's public API, as a broker would, and reaches the hub over the bus.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import replace
from pathlib import Path

import requests
from sqlalchemy import select

from services.bootstrap import bootstrap, create_app, start_consumers
from services.common import memory_bus
from services.common.mail import MailSettings
from services.common.notifications import set_contact
from services.common.passwords import hash_password
from services.common.users import add_user, auth_user
from services.common.config import DEFAULT_FEDERATION_FILE, Federation, load_federation, load_settings
from services.common.keys import generate_federation
from services.demo import data, mailbox_pages
from services.demo.mailbox import MailServer
from services.demo import practice
from services.demo.seed import deliver_agreements, propose_to_clients, request_cross_border, seed_site
from services.serving import AppServer, wait_for_signal
from services.workers import Workers, start_notification_sender, start_relay

# The only settings the embedded demo takes from its environment: its sites are configured here, but the rate
# limits are per remote address, and a demo used by a class (or a browser test package) behind one address needs
# wider ones.
RATE_LIMIT_VARIABLES = ("SOPRO_RATE_LIMIT", "SOPRO_TOKEN_RATE_LIMIT", "SOPRO_PUBLIC_WRITE_RATE_LIMIT")

log = logging.getLogger("sopro.demo")


@functools.cache
def demo_password_hash() -> str:
    """The demo's one password, hashed once for its 42 users (scrypt costs ~50 ms a hash)."""
    return hash_password(data.DEMO_PASSWORD)


class LateApp:
    """A WSGI app set after its server has bound its port (the port goes into the federation first)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


class EmbeddedFederation:
    """The federation in this process. `start()`, then `seed()`; `stop()` when done."""

    def __init__(self, var_dir: Path, host: str = "127.0.0.1", ephemeral_ports: bool = False,
                 reconcile_interval: float = 30.0):
        self.var_dir = Path(var_dir)
        self.host = host
        self.ephemeral_ports = ephemeral_ports
        self.reconcile_interval = reconcile_interval
        self.runtimes = {}
        self.servers: dict[str, AppServer] = {}
        self.workers = Workers()
        self.federation: Federation | None = None
        self.practice_letters: list[dict] = []
        # Every mail of the sites goes to this SMTP server on loopback (the demo mailbox page shows them).
        self.mail_server = MailServer(host)
        # Its own in-memory broker: another federation in this process (a test run) has its own queues.
        self.bus_url = f"memory://localhost/{uuid.uuid4().hex}"

    def _bind(self) -> Federation:
        """Bind every site's port, and return the federation with the bound ports and URLs."""
        federation_file = self.var_dir / "federation.yaml"
        if not federation_file.exists():
            generate_federation(DEFAULT_FEDERATION_FILE, self.var_dir / "keys", federation_file)
        federation = load_federation(federation_file, env={})
        sites = {}
        for site in federation.sites.values():
            server = AppServer(LateApp(), self.host, 0 if self.ephemeral_ports else site.port)
            self.servers[site.id] = server
            sites[site.id] = replace(site, port=server.port, url=f"http://{self.host}:{server.port}")
        return replace(federation, sites=sites)

    def start(self) -> "EmbeddedFederation":
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.federation = self._bind()
        self.mail_server.start()
        hub_id = self.federation.hub.id
        # The hub first: its ingest queue must exist before the sites publish on the in-memory bus.
        order = [hub_id] + [s.id for s in self.federation.member_sites]
        for site_id in order:
            settings = load_settings(
                site_id, env={name: os.environ[name] for name in RATE_LIMIT_VARIABLES if os.environ.get(name)},
                federation=self.federation, db_url=f"sqlite:///{self.var_dir / site_id}.sqlite",
                bus_url=self.bus_url, key_file=self.var_dir / "keys" / f"{site_id}.pem", var_dir=self.var_dir,
                reconcile_interval_seconds=self.reconcile_interval, mail=self._mail_settings(site_id),
            )
            runtime = bootstrap(settings)
            self.runtimes[site_id] = runtime
            self._add_users(runtime)
            # Consumers first: on the in-memory bus a message to a queue not yet declared is lost.
            start_consumers(runtime, self.workers)
            for consumer in self.workers.consumers:
                consumer.ready.wait(10)
            start_relay(runtime, self.workers)
            start_notification_sender(runtime, self.workers)
            site = settings.site
            app = create_app(runtime)
            if not settings.is_hub:
                mailbox_pages.install(app, self.mail_server.mailbox)
            self.servers[site_id].server.app.app = app
            self.servers[site_id].start()
            log.info("%s %s: %s", site_id, site.name, site.url)
        return self

    def _add_users(self, runtime) -> None:
        users = data.HUB_USERS if runtime.settings.is_hub else data.SITE_USERS
        with runtime.engine.begin() as conn:
            existing = set(conn.execute(select(auth_user.c.username)).scalars())
            for username, roles in users:
                if username not in existing:
                    add_user(conn, username, None, roles, password_hash=demo_password_hash())
                if not runtime.settings.is_hub:  # every site user gets mail, in the site's first language
                    set_contact(conn, username, demo_address(runtime.site_id, username))

    def _mail_settings(self, site_id: str) -> MailSettings:
        return MailSettings(host=self.mail_server.host, port=self.mail_server.port, security="none",
                            sender=f"noreply@{site_id.lower()}.sopro.example", timeout=5.0)

    def seed(self) -> dict:
        members = {}
        for site in self.federation.member_sites:
            members[site.id] = seed_site(site.url, site.id)
        # The hub composes consortia from what it has heard: let every site's offers reach it first.
        self._wait_for_hub_offers(sum(len(offers) for offers in data.OFFERS.values()))
        for site in self.federation.member_sites:
            request_cross_border(site.url, site.id, members[site.id]["enquiries"])
        for site in self.federation.member_sites:  # impact for the agency's charts
            deliver_agreements(site.url, site.id, members[site.id]["organisations"])
        for site in self.federation.member_sites:  # the members' history: open proposals
            propose_to_clients(site.url, site.id, members[site.id]["organisations"])
            self._add_members(site.id, members[site.id]["organisations"])
        # dead letters for the agency to practise re-driving on (services/demo/practice.py)
        hub = self.runtimes[self.federation.hub.id]
        engines = {site_id: runtime.engine for site_id, runtime in self.runtimes.items()}
        self.practice_letters = practice.send_forged_events(hub.settings.bus_url, engines, hub.engine)
        return members

    def _add_members(self, site_id: str, organisation_ids: dict[str, str]) -> None:
        with self.runtimes[site_id].engine.begin() as conn:
            existing = set(conn.execute(select(auth_user.c.username)).scalars())
            for username, organisation in data.MEMBERS[site_id]:
                if username not in existing:
                    add_user(conn, username, None, ["member"], organisation_ids[organisation],
                             password_hash=demo_password_hash())
                    set_contact(conn, username, demo_address(site_id, username))

    def _wait_for_hub_offers(self, expected: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = requests.get(f"{self.federation.hub.url}/api/v1/offers", params={"per_page": 1}, timeout=5)
            if found.ok and found.json()["total"] >= expected:
                return
            time.sleep(0.2)
        log.warning("the hub knows fewer than %d offers after %.0fs; cross-border orders may come up short",
                    expected, timeout)

    def describe(self) -> dict:
        """What var/demo/federation.json holds: every base URL and the demo users, each with its roles and
        its site's first language, a member also with its organisation's name."""
        sites = {}
        for site in self.federation.sites.values():
            sites[site.id] = {
                "name": site.name, "url": site.url, "hub": site.is_hub,
                "openapi": f"{site.url}/api/v1/openapi.json",
                **({} if site.is_hub else {"mailbox": f"{site.url}/demo/mailbox"}),
                "users": [{**user, "password": data.DEMO_PASSWORD, "language": site.languages[0],
                           **({"email": demo_address(site.id, user["username"])}
                              if "broker" in user["roles"] and not site.is_hub else {})}
                          for user in demo_users(site.id, site.is_hub)],
            }
        return {"hub": self.federation.hub.url, "sites": sites,
                "token_endpoint": "POST <url>/api/v1/auth/token {username, password}",
                "smtp": {"host": self.mail_server.host, "port": self.mail_server.port},
                "practice_dead_letters": self.practice_letters}

    def write_description(self) -> Path:
        path = self.var_dir / "federation.json"
        path.write_text(json.dumps(self.describe(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()
        self.workers.shutdown()
        for runtime in self.runtimes.values():
            runtime.engine.dispose()
        self.mail_server.stop()
        memory_bus.forget(self.bus_url.rsplit("/", 1)[1])


def demo_address(site_id: str, username: str) -> str:
    """A demo user's mail address: fictitious (the reserved .example domain), received by the demo's server."""
    return f"{username}@{site_id.lower()}.sopro.example"


def demo_users(site_id: str, is_hub: bool) -> list[dict]:
    """The demo's users of a site: {username, roles}, and a member's organisation."""
    if is_hub:
        return [{"username": u, "roles": r} for u, r in data.HUB_USERS]
    return [{"username": u, "roles": r} for u, r in data.SITE_USERS] + [
        {"username": u, "roles": ["member"], "organisation": organisation} for u, organisation in data.MEMBERS[site_id]]


def run_demo(var_dir: Path, fresh: bool = True, host: str = "127.0.0.1", duration: float | None = None,
             free_ports: bool = False) -> int:
    if fresh and var_dir.exists():
        shutil.rmtree(var_dir)
    federation = EmbeddedFederation(var_dir, host, ephemeral_ports=free_ports).start()
    started = time.monotonic()
    if fresh:
        federation.seed()
    path = federation.write_description()
    log.info("demo federation up in %.1fs; URLs and demo users in %s", time.monotonic() - started, path)
    log.info("hub: %s/api/v1/organisations  (Ctrl-C stops)", federation.federation.hub.url)
    try:
        wait_for_signal(duration)
    finally:
        federation.stop()
    return 0
