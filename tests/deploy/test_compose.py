"""docker-compose.yml as docker-compose itself reads it (`docker-compose config`): valid, and it runs
the five sites and the hub from the one Dockerfile, with PostgreSQL (a database each) and RabbitMQ
(loading the definitions), health checks and `depends_on` conditions.

The machine has no Docker engine: the file is validated and resolved, not run. Without the
`docker-compose` command the test skips, unless SOPRO_REQUIRE_SERVICES=1 (CI: `.ci/run` installs it).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FEDERATION = yaml.safe_load((ROOT / "deploy" / "federation.yaml").read_text(encoding="utf-8"))["sites"]
SITES = {site_id.lower() if not entry.get("hub") else "hub": site_id for site_id, entry in FEDERATION.items()}


def binds(service: dict) -> dict[str, str]:
    """Bind mounts, target -> host path, in either syntax `docker-compose config` prints."""
    found = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                found[volume["target"]] = volume["source"]
        else:
            source, target = volume.split(":")[:2]
            if source.startswith("/"):
                found[target] = source
    return found


@pytest.fixture(scope="module")
def config() -> dict:
    command = shutil.which("docker-compose")
    if command is None:
        if os.environ.get("SOPRO_REQUIRE_SERVICES") == "1":
            pytest.fail("docker-compose is not installed and SOPRO_REQUIRE_SERVICES=1 (.ci/run installs it)")
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    done = subprocess.run([command, "-f", str(ROOT / "docker-compose.yml"), "config"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"docker-compose config refused the file:\n{done.stderr}"
    return yaml.safe_load(done.stdout)


def test_the_file_runs_five_sites_the_hub_the_broker_and_the_database(config):
    services = config["services"]
    assert set(SITES) | {"postgres", "rabbitmq", "keys"} == set(services)
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["rabbitmq"]["image"].startswith("rabbitmq:")


def test_every_sopro_process_comes_from_the_one_dockerfile(config):
    builds = {name: config["services"][name]["build"] for name in [*SITES, "keys"]}
    assert {(b["context"], b["dockerfile"]) for b in builds.values()} == {(str(ROOT), "deploy/Dockerfile")}
    assert len({config["services"][name]["image"] for name in builds}) == 1
    assert (ROOT / "deploy" / "Dockerfile").is_file()


@pytest.mark.parametrize("name", sorted(SITES))
def test_each_site_is_itself_on_its_own_database_with_health_check_and_dependencies(config, name):
    service = config["services"][name]
    site_id = SITES[name]
    env = service["environment"]
    assert env["SOPRO_SITE"] == site_id
    assert re.search(rf"@postgres:5432/sopro_{site_id.lower()}$", env["SOPRO_DB_URL"])
    assert env["SOPRO_BUS_URL"].startswith("amqp://") and "@rabbitmq:5672/" in env["SOPRO_BUS_URL"]
    assert service["depends_on"] == {"postgres": {"condition": "service_healthy"},
                                     "rabbitmq": {"condition": "service_healthy"},
                                     "keys": {"condition": "service_completed_successfully"}}
    check = " ".join(service["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/readyz" in check
    assert {"interval", "timeout", "retries"} <= set(service["healthcheck"])
    assert [p["published"] for p in service["ports"]] == [FEDERATION[site_id]["port"]]


def test_the_infrastructure_is_checked_and_configured(config):
    postgres, rabbitmq = config["services"]["postgres"], config["services"]["rabbitmq"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert "rabbitmq-diagnostics" in " ".join(rabbitmq["healthcheck"]["test"])
    mounts = binds(rabbitmq)
    assert mounts["/etc/rabbitmq/definitions.json"] == str(ROOT / "deploy" / "rabbitmq" / "definitions.json")
    conf = Path(mounts["/etc/rabbitmq/rabbitmq.conf"]).read_text(encoding="utf-8")
    assert re.search(r"^load_definitions\s*=\s*/etc/rabbitmq/definitions\.json$", conf, re.M)
    init = binds(postgres)
    script = Path(next(src for dst, src in init.items() if dst.startswith("/docker-entrypoint-initdb.d/")))
    sql = script.read_text(encoding="utf-8")
    for site_id in SITES.values():
        assert re.search(rf"CREATE DATABASE sopro_{site_id.lower()} OWNER sopro_{site_id.lower()}\b", sql), site_id
    keys = config["services"]["keys"]
    assert keys["restart"] == "no" and "sopro keys generate" in " ".join(keys["command"])
