"""The federation as separate processes: every site and the hub run `sopro serve` on PostgreSQL (a schema
each) and RabbitMQ (a vhost of the test's own). A process can be stopped and started again mid-test."""
from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import yaml

from services.common.config import load_settings
from services.common.db import make_engine
from services.common.users import add_user
from tests.support import migrated
from tests.support.databases import schema_url
from tests.support.polling import started
from tests.support.schema_pool import SCHEMAS
from tests.support.services import PG_ADDRESS, need, rabbitmqctl
from tests.support.tokens import http_session

SITES = ("AT11", "AT12", "AT13", "AT22", "HU22")
PASSWORD = "e2e-password"


def free_port() -> int:
    """A free port below the kernel's ephemeral range, so no outgoing connection takes it meanwhile."""
    while True:
        port = random.randint(20000, 29999)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until `url` answers 200 while `proc` (the server) starts."""

    def answers() -> bool:
        try:
            return requests.get(url, timeout=1).status_code == 200
        except requests.RequestException:
            return False

    started(proc, answers, f"the process serving {url}", timeout)


def session_for(url: str, username: str = "e2e") -> requests.Session:
    """A session of one of the users every process of the federation is given (`e2e` is its site admin)."""
    return http_session(url, username, PASSWORD)


class DistributedFederation:
    def __init__(self, root: Path, federation_files):
        need("PostgreSQL", *PG_ADDRESS)
        need("RabbitMQ", "127.0.0.1", 5672)
        self.root = root
        doc = yaml.safe_load(federation_files[0].read_text())
        self.keys = federation_files[1]
        self.ports = {site_id: free_port() for site_id in doc["sites"]}
        for site_id, entry in doc["sites"].items():
            entry["port"] = self.ports[site_id]
            entry["url"] = f"http://127.0.0.1:{self.ports[site_id]}"
        self.federation_file = root / "federation.yaml"
        self.federation_file.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        self.urls = {s: f"http://127.0.0.1:{p}" for s, p in self.ports.items()}
        self.vhost = f"e2e-{uuid.uuid4().hex[:8]}"
        self.site_ids = list(doc["sites"])
        self.schemas: dict[str, str] = {}  # site -> its PostgreSQL schema, made on entering
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, object] = {}

    def env_for(self, site_id: str) -> dict:
        return {**os.environ, "SOPRO_SITE": site_id, "SOPRO_FEDERATION_FILE": str(self.federation_file),
                "SOPRO_DB_URL": schema_url(self.schemas[site_id]),
                "SOPRO_BUS_URL": f"amqp://guest:guest@127.0.0.1:5672/{self.vhost}",
                "SOPRO_KEY_FILE": str(self.keys / f"{site_id}.pem"), "SOPRO_VAR_DIR": str(self.root),
                "SOPRO_RECONCILE_SECONDS": "2"}

    def __enter__(self) -> "DistributedFederation":
        rabbitmqctl("add_vhost", self.vhost)
        rabbitmqctl("set_permissions", "-p", self.vhost, "guest", ".*", ".*", ".*")
        self.schemas.update({site_id: SCHEMAS.create("e2e", site_id) for site_id in self.site_ids})
        try:
            self.prepare("EU")
            self.start("EU")  # the hub first, so its queue exists before the sites publish
            for site_id in SITES:
                self.prepare(site_id)
                self.start(site_id, wait=False)
            for site_id in SITES:
                wait_http(f"{self.urls[site_id]}/api/v1/openapi.json", self.procs[site_id])
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def prepare(self, site_id: str) -> None:
        """The site's schema at head and its users, as `sopro db upgrade` and `sopro users add` make them; in this
        process, with the CLI's own functions (two fresh interpreters per site took most of a minute's setup)."""
        settings = load_settings(site_id, env=self.env_for(site_id))
        migrated.prepare(settings)
        users = {"e2e": "broker,site_admin"} if site_id != "EU" else {"e2e": "agency_viewer"}
        if site_id == "HU22":  # the label's four eyes: one assesses, another approves
            users.update({"e2e-assessor": "assessor", "e2e-approver": "approver"})
        engine = make_engine(settings.db_url)
        try:
            with engine.begin() as conn:
                for username, roles in users.items():
                    add_user(conn, username, PASSWORD, roles.split(","))
        finally:
            engine.dispose()

    def start(self, site_id: str, wait: bool = True) -> None:
        if site_id in self.logs:
            self.logs[site_id].close()
        self.logs[site_id] = open(self.root / f"{site_id}.log", "a")
        self.procs[site_id] = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", "--no-migrate"], env=self.env_for(site_id),
            stdout=self.logs[site_id], stderr=subprocess.STDOUT)
        if wait:
            wait_http(f"{self.urls[site_id]}/api/v1/openapi.json", self.procs[site_id])

    def stop(self, site_id: str, kill: bool = False) -> None:
        proc = self.procs[site_id]
        proc.kill() if kill else proc.terminate()
        self._reap(site_id)

    def _reap(self, site_id: str) -> None:
        proc = self.procs[site_id]
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def log_tail(self, site_id: str, chars: int = 3000) -> str:
        path = self.root / f"{site_id}.log"
        return path.read_text()[-chars:] if path.exists() else ""

    def __exit__(self, *exc) -> None:
        running = [site_id for site_id, proc in self.procs.items() if proc.poll() is None]
        for site_id in running:  # all at once: each takes its time to stop its workers
            self.procs[site_id].terminate()
        for site_id in running:
            self._reap(site_id)
        for log in self.logs.values():
            log.close()
        for schema in self.schemas.values():
            SCHEMAS.give_back(schema)
        rabbitmqctl("delete_vhost", self.vhost)


@contextmanager
def logged_federation(tmp_path_factory, federation_files, request):
    """A distributed federation; its processes' logs go to stderr if a test failed."""
    with DistributedFederation(tmp_path_factory.mktemp("distributed"), federation_files) as fed:
        yield fed
        if request.session.testsfailed:
            for site_id in fed.procs:
                sys.stderr.write(f"--- {site_id} log ---\n{fed.log_tail(site_id)}\n")


@pytest.fixture(scope="module")
def running_federation(tmp_path_factory, federation_files, request):
    """The distributed federation of a test module, to stop and start its processes."""
    with logged_federation(tmp_path_factory, federation_files, request) as fed:
        yield fed


@pytest.fixture(scope="module")
def federation(tmp_path_factory, federation_files, request):
    """The distributed federation of a test module, described by its URLs, processes and directory."""
    with logged_federation(tmp_path_factory, federation_files, request) as fed:
        yield {"urls": fed.urls, "procs": fed.procs, "root": fed.root}


def staff_sessions(fed: DistributedFederation) -> tuple[dict[str, requests.Session], requests.Session]:
    """A staff session at every site, and one at the hub."""
    return {s: session_for(fed.urls[s]) for s in SITES}, session_for(fed.urls["EU"])


def organisation(name: str, regno: str, nuts3: str, country: str, kind="social_enterprise") -> dict:
    return {"kind": kind, "name": name, "registration_number": regno,
            "address": {"street": "Hauptstraße 1", "postcode": "1000", "town": "Town", "country": country},
            "nuts3": nuts3, "labour_market_segment": "second_labour_market" if kind == "social_enterprise" else None,
            "workers_in_integration": 5 if kind == "social_enterprise" else None}
