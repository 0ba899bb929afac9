"""docker-compose.yml as docker-compose itself reads it (`docker-compose config`): valid, and it runs
the five sites and the hub from the one Dockerfile, with PostgreSQL (a database each) and RabbitMQ
(loading the definitions), health checks and `depends_on` conditions.

The machine has no Docker engine: the file is validated and resolved, not run. Without the
`docker-compose` command the test skips, unless SOPRO_REQUIRE_SERVICES=1 (CI: `.ci/run` installs it).
The compose file reads the secrets `sopro deploy init` makes (deploy/secrets/, never committed), so the
test resolves it in a copy of the repository's deploy/ (links) with freshly made secrets.
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
def project(tmp_path_factory) -> Path:
    """The compose file beside links to the repository's deploy/ files and freshly made secrets."""
    from services.deploy_init import init

    root = tmp_path_factory.mktemp("compose")
    shutil.copy(ROOT / "docker-compose.yml", root / "docker-compose.yml")
    (root / "deploy").mkdir()
    for item in (ROOT / "deploy").iterdir():
        if item.name != "secrets":
            (root / "deploy" / item.name).symlink_to(item)
    init(root / "deploy" / "secrets", ROOT / "deploy" / "federation.yaml", owner=None)
    return root


@pytest.fixture(scope="module")
def config(project) -> dict:
    command = shutil.which("docker-compose")
    if command is None:
        if os.environ.get("SOPRO_REQUIRE_SERVICES") == "1":
            pytest.fail("docker-compose is not installed and SOPRO_REQUIRE_SERVICES=1 (.ci/run installs it)")
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    env = {k: v for k, v in os.environ.items() if k != "SOPRO_BASE_IMAGE"}
    done = subprocess.run([command, "-f", str(project / "docker-compose.yml"), "config"], cwd=project,
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, f"docker-compose config refused the file:\n{done.stderr}"
    return yaml.safe_load(done.stdout)


def test_the_file_runs_five_sites_the_hub_the_broker_the_database_and_the_proxy(config):
    services = config["services"]
    assert set(SITES) | {f"{name}-worker" for name in SITES} | {"postgres", "rabbitmq", "proxy"} == set(services)
    assert services["proxy"]["image"].startswith("caddy:2.")
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["rabbitmq"]["image"].startswith("rabbitmq:")


def test_every_sopro_process_comes_from_the_one_dockerfile(config):
    builds = {name: config["services"][name]["build"] for name in [*SITES, *(f"{n}-worker" for n in SITES)]}
    assert {(Path(b["context"]).name, b["dockerfile"]) for b in builds.values()} == {(
        Path(builds["hub"]["context"]).name, "deploy/Dockerfile")}
    assert len({b["args"]["BASE_IMAGE"] for b in builds.values()}) == 1
    assert len({config["services"][name]["image"] for name in builds}) == 1
    assert (ROOT / "deploy" / "Dockerfile").is_file()


@pytest.mark.parametrize("name", sorted(SITES))
def test_each_site_is_itself_on_its_own_database_with_health_check_and_dependencies(config, name):
    site_id = SITES[name]
    for service in (config["services"][name], config["services"][f"{name}-worker"]):
        env = service["environment"]
        assert env["SOPRO_SITE"] == site_id
        assert re.search(rf"@postgres:5432/sopro_{site_id.lower()}$", env["SOPRO_DB_URL"])
        assert env["SOPRO_BUS_URL"].startswith("amqp://") and "@rabbitmq:5672/" in env["SOPRO_BUS_URL"]
        assert env["SOPRO_KEY_FILE"] == f"/run/secrets/{site_id}.pem"
        assert {"interval", "timeout", "retries"} <= set(service["healthcheck"])
        assert "ports" not in service
        assert [s["target"] for s in service["secrets"]][0] == f"{site_id}.pem"
        assert config["secrets"][service["secrets"][0]["source"]]["file"].endswith(f"/keys/{site_id}.pem")
    web, worker = config["services"][name], config["services"][f"{name}-worker"]
    assert worker["depends_on"] == {"postgres": {"condition": "service_healthy"},
                                    "rabbitmq": {"condition": "service_healthy"}}
    assert web["depends_on"] == {f"{name}-worker": {"condition": "service_healthy"}}
    assert "http://127.0.0.1:8000/readyz" in " ".join(web["healthcheck"]["test"])


def test_the_infrastructure_is_checked_and_configured(config):
    postgres, rabbitmq = config["services"]["postgres"], config["services"]["rabbitmq"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert "rabbitmq-diagnostics" in " ".join(rabbitmq["healthcheck"]["test"])
    mounts = binds(rabbitmq)
    assert mounts["/etc/rabbitmq/definitions.json"].endswith("/deploy/secrets/rabbitmq/definitions.json")
    conf = Path(mounts["/etc/rabbitmq/rabbitmq.conf"]).read_text(encoding="utf-8")
    assert re.search(r"^load_definitions\s*=\s*/etc/rabbitmq/definitions\.json$", conf, re.M)
    init = binds(postgres)
    script = Path(next(src for dst, src in init.items() if dst.startswith("/docker-entrypoint-initdb.d/")))
    assert "CREATE DATABASE" in script.read_text(encoding="utf-8")
    databases = postgres["environment"]["SOPRO_DATABASES"].split()
    assert sorted(databases) == sorted(site_id.lower() for site_id in SITES.values())
    assert "ports" not in postgres and "ports" not in rabbitmq
    assert sorted(p["published"] for p in config["services"]["proxy"]["ports"]) == [80, 443]
