"""The distributed deployment agrees with itself and with deploy/federation.yaml.

No I/O beyond reading repository files: docker-compose.yml, deploy/env/*.env.example (what
`sopro deploy init` writes, with placeholders for the passwords), deploy/rabbitmq/definitions.json,
deploy/postgres/init-databases.sh, deploy/Dockerfile. The secrets per container, the published ports and
`sopro deploy init` itself: tests/unit/test_compose_file.py.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VHOST = "sopro"
EVENTS, UNROUTED = "sopro.events", "sopro.unrouted"
HUB_USER = "hub"


def _federation() -> dict:
    return yaml.safe_load((DEPLOY / "federation.yaml").read_text(encoding="utf-8"))["sites"]


FEDERATION = _federation()
HUB_ID = next(site for site, entry in FEDERATION.items() if entry.get("hub"))
MEMBERS = sorted(site for site in FEDERATION if site != HUB_ID)


def _dead_exchange(queue: str) -> str:
    """The dead-letter exchange services/common/bus.py gives a queue: its owner's own (`AT12.dead`)."""
    from services.common.bus import QueueSpec

    return QueueSpec(queue, ()).dead_exchange.name


def _env_file(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"{path.name}: not KEY=VALUE: {line!r}"
            env[key.strip()] = value.strip()
    return env


def _site_envs() -> dict[str, dict[str, str]]:
    """SOPRO_SITE -> environment, for every example env file that configures a SoPro process."""
    envs = {}
    for path in sorted((DEPLOY / "env").glob("*.env.example")):
        env = _env_file(path)
        if "SOPRO_SITE" in env:
            assert env["SOPRO_SITE"] not in envs, f"two env files for {env['SOPRO_SITE']}"
            envs[env["SOPRO_SITE"]] = env | {"_file": path.name}
    return envs


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def definitions() -> dict:
    return json.loads((DEPLOY / "rabbitmq" / "definitions.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def envs() -> dict[str, dict[str, str]]:
    return _site_envs()


def _service_of(site: str) -> str:
    """The compose service of a site's web process (its worker is `<service>-worker`)."""
    return "hub" if site == HUB_ID else site.lower()


# --- docker-compose.yml ----------------------------------------------------------------------------

def test_compose_has_every_site_the_hub_and_the_infrastructure(compose):
    services = compose["services"]
    for name in ("at11", "at12", "at13", "at22", "hu22", "hub", "rabbitmq", "postgres", "proxy"):
        assert name in services, name
    for site in FEDERATION:
        assert f"{_service_of(site)}-worker" in services, site
    assert services["rabbitmq"]["image"].startswith("rabbitmq:3.12-management")
    assert services["postgres"]["image"].startswith("postgres:16")


@pytest.mark.parametrize("site", sorted(FEDERATION))
def test_compose_runs_each_site_with_its_env_and_dependencies(compose, site):
    name = _service_of(site)
    web, worker = compose["services"][name], compose["services"][f"{name}-worker"]
    env_file = f"deploy/secrets/env/{site.lower()}.env"
    assert web["env_file"] == worker["env_file"] == env_file
    assert (DEPLOY / "env" / f"{site.lower()}.env.example").is_file()
    assert worker["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "rabbitmq": {"condition": "service_healthy"},
    }
    assert web["depends_on"] == {f"{name}-worker": {"condition": "service_healthy"}}
    assert "/readyz" in " ".join(web["healthcheck"]["test"])


def test_compose_mounts_the_broker_and_database_configuration(compose):
    rabbit = " ".join(compose["services"]["rabbitmq"]["volumes"])
    for f in ("rabbitmq.conf", "enabled_plugins"):
        assert f"./deploy/rabbitmq/{f}:/etc/rabbitmq/{f}" in rabbit
    # The definitions with the generated password hashes (`sopro deploy init`).
    assert "./deploy/secrets/rabbitmq/definitions.json:/etc/rabbitmq/definitions.json" in rabbit
    conf = (DEPLOY / "rabbitmq" / "rabbitmq.conf").read_text(encoding="utf-8")
    assert re.search(r"^load_definitions\s*=\s*/etc/rabbitmq/definitions\.json$", conf, re.M)
    postgres = " ".join(compose["services"]["postgres"]["volumes"])
    assert "./deploy/postgres/init-databases.sh:/docker-entrypoint-initdb.d/" in postgres
    for service in ("rabbitmq", "postgres"):
        assert compose["services"][service]["healthcheck"]["test"]


# --- deploy/env --------------------------------------------------------------------------------------

def test_every_env_file_names_a_site_of_the_federation_and_every_site_has_one(envs):
    assert set(envs) == set(FEDERATION)


@pytest.mark.parametrize("site", sorted(FEDERATION))
def test_env_points_each_site_at_its_database_bus_user_and_key(envs, site):
    env = envs[site]
    low = site.lower()
    db = urlsplit(env["SOPRO_DB_URL"])
    assert (db.scheme, db.hostname, db.port, db.path) == ("postgresql+psycopg", "postgres", 5432, f"/sopro_{low}")
    assert db.username == f"sopro_{low}"
    bus = urlsplit(env["SOPRO_BUS_URL"])
    assert (bus.scheme, bus.hostname, bus.port, bus.path) == ("amqp", "rabbitmq", 5672, f"/{VHOST}")
    assert bus.username == (HUB_USER if site == HUB_ID else low)
    assert env["SOPRO_FEDERATION_FILE"] == "/etc/sopro/federation.yaml"
    assert env["SOPRO_KEY_FILE"] == f"/run/secrets/{site}.pem"  # the compose secret <service>_key


def test_env_of_the_hub_reaches_every_site_by_its_service_name(compose, envs):
    hub = envs[HUB_ID]
    for site in MEMBERS:
        name = _service_of(site)
        assert name in compose["services"]
        assert hub[f"SOPRO_URL_{site}"] == f"http://{name}:8000"


def test_postgres_init_creates_each_database_for_its_role_with_the_env_password(envs):
    script = (DEPLOY / "postgres" / "init-databases.sh").read_text(encoding="utf-8")
    postgres = _env_file(DEPLOY / "env" / "postgres.env.example")
    names = postgres["SOPRO_DATABASES"].split()
    for site, env in envs.items():
        db = urlsplit(env["SOPRO_DB_URL"])
        assert db.username == db.path.lstrip("/") == f"sopro_{site.lower()}", site
        assert site.lower() in names and f"SOPRO_DB_PASSWORD_{site}" in postgres, site
    for statement in ("CREATE ROLE :\"role\" LOGIN PASSWORD :'password';",
                      "CREATE DATABASE :\"role\" OWNER :\"role\" ENCODING 'UTF8' TEMPLATE template0;",
                      "REVOKE ALL ON DATABASE :\"role\" FROM PUBLIC;"):
        assert statement in script
    assert 'role="sopro_$sopro_name"' in script


# --- deploy/rabbitmq/definitions.json ------------------------------------------------------------------

def _by_name(items: list[dict]) -> dict[str, dict]:
    return {item["name"]: item for item in items}


def test_definitions_exchanges_queues_and_bindings_are_consistent(definitions):
    assert [v["name"] for v in definitions["vhosts"]] == [VHOST]
    exchanges = _by_name(definitions["exchanges"])
    queues = _by_name(definitions["queues"])
    for item in definitions["exchanges"] + definitions["queues"] + definitions["bindings"]:
        assert item["vhost"] == VHOST
    assert exchanges[EVENTS]["type"] == "topic"
    assert exchanges[EVENTS]["arguments"] == {"alternate-exchange": UNROUTED}
    assert exchanges[UNROUTED]["type"] == "fanout"
    for item in list(exchanges.values()) + list(queues.values()):
        assert item["durable"] is True and item["auto_delete"] is False, item["name"]
    for ex in exchanges.values():
        ae = ex["arguments"].get("alternate-exchange")
        assert ae is None or ae in exchanges
    bound = {(b["source"], b["destination"], b["routing_key"]) for b in definitions["bindings"]}
    for b in definitions["bindings"]:
        assert b["source"] in exchanges, b
        assert b["destination_type"] == "queue" and b["destination"] in queues, b
    assert (UNROUTED, UNROUTED, "") in bound
    for name, queue in queues.items():
        dlx = queue["arguments"].get("x-dead-letter-exchange")
        if dlx is None:
            continue
        assert dlx in exchanges and exchanges[dlx]["type"] == "direct", name
        # The arguments are exactly those services/common/bus.py QueueSpec declares.
        assert queue["arguments"] == {"x-dead-letter-exchange": _dead_exchange(name), "x-dead-letter-routing-key": name}
        assert f"{name}.dlq" in queues, name
        assert (dlx, f"{name}.dlq", name) in bound, name
    # No dead-letter exchange is shared: a direct exchange cannot be restricted by routing key.
    dead = [q["arguments"]["x-dead-letter-exchange"] for q in queues.values() if q["arguments"]]
    assert sorted(set(dead)) == sorted(n for n in exchanges if n.endswith(".dead")) and len(set(dead)) == len(dead)
    assert (EVENTS, "hub.ingest", "*.registry.#") in bound
    assert (EVENTS, "hub.ingest", "*.label.#") in bound


@pytest.mark.parametrize("site", MEMBERS)
def test_definitions_give_each_site_an_inbox_with_a_dead_letter_queue(definitions, site):
    queues = _by_name(definitions["queues"])
    inbox = f"{site}.inbox"
    assert queues[inbox]["arguments"]["x-dead-letter-exchange"] == f"{site}.dead"
    assert f"{inbox}.dlq" in queues
    bound = {(b["source"], b["destination"], b["routing_key"]) for b in definitions["bindings"]}
    assert (EVENTS, inbox, f"to.{site}.#") in bound


def _permission(definitions, user: str) -> dict:
    [perm] = [p for p in definitions["permissions"] if p["user"] == user and p["vhost"] == VHOST]
    return perm


def _topic_permission(definitions, user: str) -> dict:
    [perm] = [p for p in definitions["topic_permissions"]
              if p["user"] == user and p["vhost"] == VHOST and p["exchange"] == EVENTS]
    return perm


def _matches(pattern: str, name: str) -> bool:
    return re.search(pattern, name) is not None  # RabbitMQ matches unanchored (PCRE), like re.search


@pytest.mark.parametrize("site", MEMBERS)
def test_definitions_give_each_site_a_user_confined_to_its_own_id(definitions, envs, site):
    user = site.lower()
    assert urlsplit(envs[site]["SOPRO_BUS_URL"]).username == user
    assert user in _by_name(definitions["users"])
    perm = _permission(definitions, user)
    queues = list(_by_name(definitions["queues"]))
    exchanges = list(_by_name(definitions["exchanges"])) + ["amq.default"]
    own = [q for q in queues if q.startswith(f"{site}.")]
    assert own == [f"{site}.inbox", f"{site}.inbox.dlq"]
    assert [q for q in queues if _matches(perm["configure"], q)] == own
    assert [e for e in exchanges if _matches(perm["configure"], e)] == [f"{site}.dead"]
    # Binding its own queues needs write on them and read on the exchange; its dead letters go to its own
    # exchange, and no other's may it read (bind to) or write.
    for kind in ("read", "write"):
        assert [q for q in queues if _matches(perm[kind], q)] == own, kind
        assert sorted(e for e in exchanges if _matches(perm[kind], e)) == sorted([f"{site}.dead", EVENTS]), kind

    topic = _topic_permission(definitions, user)
    assert topic["write"] == f"^{site}\\."
    for other in FEDERATION:
        key = f"{other}.registry.organisation.registered"
        assert _matches(topic["write"], key) is (other == site), key
        assert not _matches(topic["write"], f"to.{other}.enquiries.forwarded")
        assert _matches(topic["read"], f"to.{other}.#") is (other == site)
        assert _matches(topic["read"], f"{other}.registry.#") is (other == site)
    assert not _matches(topic["write"], f"{site}X.registry.x")  # the dot is escaped and required


def test_definitions_let_the_hub_read_its_queues_and_write_only_hub_and_directed_keys(definitions, envs):
    assert urlsplit(envs[HUB_ID]["SOPRO_BUS_URL"]).username == HUB_USER
    perm = _permission(definitions, HUB_USER)
    queues = list(_by_name(definitions["queues"]))
    readable = [q for q in queues if _matches(perm["read"], q)]
    assert "hub.ingest" in readable and "hub.ingest.dlq" in readable
    assert not any(q.endswith(".inbox") or q.endswith(".inbox.dlq") for q in readable)
    assert not _matches(perm["write"], "amq.default")
    topic = _topic_permission(definitions, HUB_USER)
    assert _matches(topic["write"], f"{HUB_ID}.hub.statistics.published")
    assert _matches(topic["write"], "to.AT12.enquiries.forwarded")
    for site in MEMBERS:
        assert not _matches(topic["write"], f"{site}.registry.organisation.registered")


def test_definitions_have_no_unknown_users_and_mark_passwords_as_development_ones(definitions):
    # `sopro deploy init` replaces every one with a generated password's hash (deploy/secrets/rabbitmq/).
    users = _by_name(definitions["users"])
    assert set(users) == {s.lower() for s in MEMBERS} | {HUB_USER, "admin"}
    for user in users.values():
        assert "CHANGE-ME" in user["password"], user["name"]
    for perm in definitions["permissions"] + definitions["topic_permissions"]:
        assert perm["user"] in users


# --- deploy/Dockerfile -------------------------------------------------------------------------------

def test_dockerfile_keeps_the_repository_layout_and_runs_sopro_unprivileged():
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG BASE_IMAGE=python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}$", text, re.M)
    assert re.search(r"^FROM \$\{BASE_IMAGE\}$", text, re.M)
    assert "PYTHONPATH=/app" in text  # the repository layout, imported from /app (REPO_ROOT)
    for copied in ("COPY services ./services", "COPY schemas ./schemas",
                   "COPY deploy/federation.yaml ./deploy/federation.yaml"):
        assert copied in text
    assert re.search(r"^USER sopro", text, re.M)
    assert 'ENTRYPOINT ["sopro"]' in text
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert "*.pem" in ignored and "!deploy/federation.yaml" in ignored and "!deploy/gunicorn.conf.py" in ignored
