"""docker-compose.yml keeps each site's secrets to itself and publishes nothing but the proxy; and
`sopro deploy init` makes those secrets (keys, passwords, env files) once, privately, consistently.

Fast: the compose file is read with PyYAML (anchors and merge keys resolved), nothing is run.
`docker-compose config` is checked in tests/deploy/test_compose.py.
"""
from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from services.common.signing import load_private_key, public_pem
from services.deploy_init import (CONTAINER_USER, check_rabbit_password, init, rabbit_password_hash, site_env,
                                  sites_of)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
FEDERATION = yaml.safe_load((ROOT / "deploy" / "federation.yaml").read_text(encoding="utf-8"))
SITES = sites_of(FEDERATION)
SITE_IDS = [s.id for s in SITES]
SECRETS_DIR = "deploy/secrets"
INFRASTRUCTURE = {"postgres", "rabbitmq", "proxy"}
SOPRO_SERVICES = {name: service for name, service in SERVICES.items() if name not in INFRASTRUCTURE}
DB_AND_BROKER_PORTS = {5432, 5672, 5671, 15672, 15671, 25672, 4369, 15692}


def _env_files(service: dict) -> list[str]:
    files = service.get("env_file") or []
    return [files] if isinstance(files, str) else list(files)


def site_of(name: str) -> str:
    """The site a SoPro service runs, by its env file (deploy/secrets/env/<site>.env)."""
    [env_file] = _env_files(SOPRO_SERVICES[name])
    match = re.fullmatch(rf"{SECRETS_DIR}/env/(\w+)\.env", env_file)
    assert match, f"{name}: env file {env_file} is not a generated one"
    [site] = [s.id for s in SITES if s.env_name == match.group(1)]
    return site


def _mounts(service: dict) -> list[tuple[str, str]]:
    """(source, target) of every volume entry, short or long syntax."""
    found = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            found.append((str(volume.get("source", "")), str(volume["target"])))
        else:
            source, target = (volume.split(":") + [""])[:2]
            found.append((source, target))
    return found


def _secret_sources(service: dict) -> list[tuple[str, str]]:
    """(file on the host, target name) of every secret the service gets."""
    found = []
    for secret in service.get("secrets", []):
        source = secret if isinstance(secret, str) else secret["source"]
        target = source if isinstance(secret, str) else secret.get("target", source)
        found.append((COMPOSE["secrets"][source]["file"], target))
    return found


def _published(service: dict) -> list[str]:
    return [str(p if not isinstance(p, dict) else p.get("published")) for p in service.get("ports", [])]


def test_every_site_and_the_hub_has_a_web_and_a_worker_service():
    assert {site_of(name) for name in SOPRO_SERVICES} == set(SITE_IDS)
    for site in SITES:
        assert site_of(site.service) == site.id and site_of(f"{site.service}-worker") == site.id


@pytest.mark.parametrize("name", sorted(SOPRO_SERVICES))
def test_a_sopro_service_gets_its_own_private_key_and_no_other(name):
    site = site_of(name)
    own = {s.id: s for s in SITES}[site]
    secrets = _secret_sources(SOPRO_SERVICES[name])
    keys = [(f, t) for f, t in secrets if f.endswith(".pem")]
    assert keys[0] == (f"./{SECRETS_DIR}/keys/{site}.pem", f"{site}.pem"), keys
    for file, target in keys[1:]:  # a rotated key (deploy/README.md): <SITE>.<label>.pem, under its own name
        assert re.fullmatch(rf"\./{SECRETS_DIR}/keys/{site}\.[\w-]+\.pem", file) and target == Path(file).name, file
    for file, target in secrets:
        assert Path(file).parent.name in ("keys", "smtp"), file
        assert Path(file).name.split(".")[0] in (site, own.env_name), f"{name} gets {file}, not its own"
        for other in SITE_IDS:
            if other != site:
                assert other not in target and other.lower() not in Path(file).name.lower(), (name, file)
    for source, target in _mounts(SOPRO_SERVICES[name]):
        # No key directory, no shared keys volume, no other secret: only the public federation file.
        assert not source.endswith(".pem") and "keys" not in source.split("/") and source != "keys", (name, source)
        assert not target.startswith("/keys") and not target.startswith("/run/secrets"), (name, target)
        if source.startswith(f"./{SECRETS_DIR}"):
            assert (source, target) == (f"./{SECRETS_DIR}/federation.yaml", "/etc/sopro/federation.yaml"), source


def test_the_env_file_points_at_the_key_the_service_gets():
    for site in SITES:
        env = dict(line.split("=", 1) for line in site_env(site, SITES, "p", "q").splitlines()
                   if line and not line.startswith("#"))
        assert env["SOPRO_KEY_FILE"] == f"/run/secrets/{site.id}.pem"
        assert env["SOPRO_FEDERATION_FILE"] == "/etc/sopro/federation.yaml"
        assert env["SOPRO_SMTP_PASSWORD_FILE"] == "/run/secrets/smtp_password"
        # Its public address is the one the proxy serves it under (deploy/Caddyfile).
        assert env[f"SOPRO_URL_{site.id}"] == f"https://{site.service}.localhost"
        caddyfile = ROOT / "deploy" / "Caddyfile"
        if caddyfile.is_file():
            text = caddyfile.read_text(encoding="utf-8")
            assert re.search(rf"^{site.service}\.\{{\$SOPRO_DOMAIN:localhost\}} \{{", text, re.M), site.id
            assert re.search(rf"\b{site.service}:8000\b", text) or f"import site {site.service}" in text, site.id
    assert SERVICES["proxy"]["environment"]["SOPRO_DOMAIN"] == "${SOPRO_DOMAIN:-localhost}"


def test_the_smtp_password_goes_to_the_worker_only():
    for site in SITES:
        worker = [t for f, t in _secret_sources(SERVICES[f"{site.service}-worker"])]
        web = [t for f, t in _secret_sources(SERVICES[site.service])]
        assert "smtp_password" in worker and "smtp_password" not in web
        assert SERVICES[site.service]["environment"]["SOPRO_SMTP_PASSWORD_FILE"] == ""


def test_no_database_or_broker_port_is_published_and_only_the_proxy_publishes_any():
    for name, service in SERVICES.items():
        published = _published(service)
        for port in published:
            numbers = {int(n) for n in re.findall(r"\d+", port)}
            assert not numbers & DB_AND_BROKER_PORTS, (name, port)
        if name != "proxy":
            assert not published, f"{name} publishes {published}"
    assert sorted(_published(SERVICES["proxy"])) == ["443:443", "80:80"]
    assert "network_mode" not in str(COMPOSE)  # host networking would publish everything


def test_the_management_ui_is_only_an_opt_in_on_loopback():
    override = yaml.safe_load((ROOT / "deploy" / "compose.management.yml").read_text(encoding="utf-8"))
    assert list(override["services"]) == ["rabbitmq"]
    assert override["services"]["rabbitmq"]["ports"] == ["127.0.0.1:15672:15672"]


def test_each_site_has_its_own_backup_volume():
    owner: dict[str, str] = {}
    for name, service in SOPRO_SERVICES.items():
        for source, target in _mounts(service):
            if target == "/backups":
                assert not source.startswith((".", "/")), f"{name}: backups on a bind mount {source}"
                assert owner.setdefault(source, site_of(name)) == site_of(name), f"{source} shared by two sites"
                assert source in COMPOSE["volumes"]
    assert set(owner.values()) == set(SITE_IDS), "every site (and the hub) has a backup target"


def test_processes_run_under_gunicorn_and_as_workers_behind_a_pinned_caddy():
    for site in SITES:
        web, worker = SERVICES[site.service], SERVICES[f"{site.service}-worker"]
        assert web["entrypoint"] == ["gunicorn"]
        assert web["command"] == ["--config", "/app/deploy/gunicorn.conf.py", "services.wsgi:create_app_from_env()"]
        assert web["environment"]["SOPRO_TRUSTED_PROXIES"] == "1"
        assert "/readyz" in " ".join(web["healthcheck"]["test"])
        assert web["depends_on"] == {f"{site.service}-worker": {"condition": "service_healthy"}}
        assert worker["command"] == ["serve", "--role", "relay", "--role", "ingest"]
        check = " ".join(worker["healthcheck"]["test"])
        assert "sopro health --role relay" in check and "sopro health --role ingest" in check
        assert SERVICES["proxy"]["depends_on"][site.service] == {"condition": "service_healthy"}
    proxy = SERVICES["proxy"]
    assert re.fullmatch(r"caddy:2\.\d+\.\d+(-\w+)?", proxy["image"]), proxy["image"]
    assert ("./deploy/Caddyfile", "/etc/caddy/Caddyfile") in _mounts(proxy)
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]


def test_the_base_image_is_a_build_argument_defaulting_to_the_dockerfile_s():
    builds = {name: s["build"] for name, s in SOPRO_SERVICES.items()}
    args = {json.dumps(b.get("args"), sort_keys=True) for b in builds.values()}
    assert len(args) == 1
    value = next(iter(builds.values()))["args"]["BASE_IMAGE"]
    default = re.fullmatch(r"\$\{SOPRO_BASE_IMAGE:-(.+)\}", value)
    assert default, value
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    declared = re.search(r"^ARG BASE_IMAGE=(\S+)", dockerfile, re.M)
    if declared:
        assert default.group(1) == declared.group(1), "compose repeats the Dockerfile's default base image"


def test_the_infrastructure_reads_the_generated_secrets():
    assert _env_files(SERVICES["postgres"]) == [f"{SECRETS_DIR}/env/postgres.env"]
    assert (f"./{SECRETS_DIR}/rabbitmq/definitions.json", "/etc/rabbitmq/definitions.json") in _mounts(SERVICES["rabbitmq"])
    assert ("./deploy/postgres/init-databases.sh", "/docker-entrypoint-initdb.d/10-init-databases.sh") in \
        _mounts(SERVICES["postgres"])
    assert os.access(ROOT / "deploy" / "postgres" / "init-databases.sh", os.X_OK)


def test_generated_files_are_not_committed():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert f"{SECRETS_DIR}/" in ignored
    assert not list((ROOT / "deploy" / "env").glob("*.env")), "env files with passwords are generated, not committed"


def test_the_committed_env_examples_are_what_deploy_init_writes():
    for site in SITES:
        example = (ROOT / "deploy" / "env" / f"{site.env_name}.env.example").read_text(encoding="utf-8")
        assert site_env(site, SITES, "<generated>", "<generated>") in example


# --- sopro deploy init ---------------------------------------------------------------------------------

def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _env(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#"))


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_deploy_init_makes_each_site_s_keys_passwords_and_env_files_privately(tmp_path):
    out = tmp_path / "secrets"
    report = init(out, ROOT / "deploy" / "federation.yaml", owner=None)
    assert not report.kept and not report.warnings
    assert _mode(out) == 0o700
    federation = yaml.safe_load((out / "federation.yaml").read_text(encoding="utf-8"))
    passwords = json.loads((out / "passwords.json").read_text(encoding="utf-8"))
    definitions = json.loads((out / "rabbitmq" / "definitions.json").read_text(encoding="utf-8"))
    users = {u["name"]: u for u in definitions["users"]}
    postgres = _env(out / "env" / "postgres.env")
    assert _mode(out / "passwords.json") == 0o600 and _mode(out / "env" / "postgres.env") == 0o600
    seen_passwords = set()
    for site in SITES:
        key = out / "keys" / f"{site.id}.pem"
        assert _mode(key) == 0o600
        # The key pair is valid: the federation file lists the public half of this private key.
        assert federation["sites"][site.id]["public_key"] == public_pem(load_private_key(key))
        env_file = out / "env" / f"{site.env_name}.env"
        assert _mode(env_file) == 0o600 and _mode(out / "smtp" / f"{site.env_name}.password") == 0o600
        env = _env(env_file)
        assert env["SOPRO_SITE"] == site.id
        db, bus = urlsplit(env["SOPRO_DB_URL"]), urlsplit(env["SOPRO_BUS_URL"])
        assert db.username == site.db and db.path == f"/{site.db}"
        assert db.password == passwords["db"][site.id] == postgres[f"SOPRO_DB_PASSWORD_{site.id}"]
        assert bus.username == site.bus_user and bus.password == passwords["bus"][site.bus_user]
        assert check_rabbit_password(bus.password, users[site.bus_user]["password_hash"])
        assert users[site.bus_user]["hashing_algorithm"] == "rabbit_password_hashing_sha256"
        seen_passwords |= {db.password, bus.password}
    assert len(seen_passwords) == 2 * len(SITES), "no two passwords alike"
    assert postgres["SOPRO_DATABASES"].split() == [s.id.lower() for s in SITES]
    assert all("password" not in u for u in definitions["users"]), "no clear-text password for the broker"
    assert set(users) >= {"admin"} and check_rabbit_password(passwords["bus"]["admin"], users["admin"]["password_hash"])
    committed = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text(encoding="utf-8"))
    assert definitions["permissions"] == committed["permissions"] and definitions["queues"] == committed["queues"]


def test_deploy_init_run_again_keeps_everything_and_force_makes_it_anew(tmp_path):
    out = tmp_path / "secrets"
    init(out, ROOT / "deploy" / "federation.yaml", owner=None)
    (out / "env" / "at12.env").write_text("SOPRO_SITE=AT12\n# edited by the operator\n")
    os.chmod(out / "env" / "at12.env", 0o600)
    before = _snapshot(out)
    report = init(out, ROOT / "deploy" / "federation.yaml", owner=None)
    assert not report.made and not report.updated
    assert _snapshot(out) == before
    forced = init(out, ROOT / "deploy" / "federation.yaml", owner=None, force=True)
    assert not forced.kept
    after = _snapshot(out)
    assert all(after[f"keys/{s.id}.pem"] != before[f"keys/{s.id}.pem"] for s in SITES)
    assert after["passwords.json"] != before["passwords.json"]


def test_deploy_init_gives_a_new_region_its_secrets_and_keeps_a_rotated_key(tmp_path):
    fed_in = tmp_path / "federation.yaml"
    doc = json.loads(json.dumps(FEDERATION))
    fed_in.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    definitions = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text(encoding="utf-8"))
    out = tmp_path / "secrets"
    init(out, fed_in, owner=None)
    # A rotation recorded in the deployment's federation file (sopro keys rotate --write-federation ...).
    generated = yaml.safe_load((out / "federation.yaml").read_text(encoding="utf-8"))
    generated["sites"]["AT12"]["public_keys"] = {"AT12:2027-01": "-----BEGIN PUBLIC KEY-----\nX\n-----END PUBLIC KEY-----\n"}
    (out / "federation.yaml").write_text(yaml.safe_dump(generated, sort_keys=False, allow_unicode=True))
    at11_key = (out / "keys" / "AT11.pem").read_bytes()
    # A new region: its federation entry and its broker user.
    doc["sites"]["SI03"] = dict(doc["sites"]["AT11"], name="Vzhodna Slovenija", port=8203, public_key=None)
    fed_in.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    with pytest.raises(ValueError, match="si03"):
        init(out, fed_in, owner=None)
    definitions["users"].append({"name": "si03", "password": "x", "tags": []})
    defs_in = tmp_path / "definitions.json"
    defs_in.write_text(json.dumps(definitions))
    report = init(out, fed_in, defs_in, owner=None)
    assert str(out / "keys" / "SI03.pem") in report.made and str(out / "env" / "si03.env") in report.made
    assert (out / "keys" / "AT11.pem").read_bytes() == at11_key
    federation = yaml.safe_load((out / "federation.yaml").read_text(encoding="utf-8"))
    assert federation["sites"]["SI03"]["public_key"] == public_pem(load_private_key(out / "keys" / "SI03.pem"))
    assert "AT12:2027-01" in federation["sites"]["AT12"]["public_keys"]
    assert _env(out / "env" / "si03.env")["SOPRO_BUS_URL"].startswith("amqp://si03:")
    # The existing postgres.env is kept: the new role is made by hand (deploy/README.md), with this password.
    assert "SI03" in json.loads((out / "passwords.json").read_text(encoding="utf-8"))["db"]


def test_deploy_init_hands_the_key_files_to_the_container_user_when_it_can(tmp_path):
    out = tmp_path / "secrets"
    report = init(out, ROOT / "deploy" / "federation.yaml")
    uid = int(CONTAINER_USER.split(":")[0])
    key = out / "keys" / "AT12.pem"
    if os.geteuid() == 0:
        assert key.stat().st_uid == uid and not report.warnings
    else:
        assert key.stat().st_uid == os.geteuid() and "chown" in report.warnings[0]
    assert (out / "env" / "at12.env").stat().st_uid == os.geteuid(), "env files are read by compose on the host"


def test_rabbit_password_hash_is_rabbitmq_s_sha256_scheme():
    # From RabbitMQ's documentation of rabbit_password_hashing_sha256: salt 908DC60A, password "test12".
    assert rabbit_password_hash("test12", bytes.fromhex("908DC60A")) == "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR"


def test_a_backup_file_is_private_from_its_creation_on(tmp_path):
    """Each site's backups go to its own volume, and each file is 0600 whatever the umask (and a stale
    partial file of another mode is not reused)."""
    from services.common.backup import _write_private

    stale = tmp_path / "at12.json.gz.partial"
    stale.write_bytes(b"old")
    os.chmod(stale, 0o644)
    old_umask = os.umask(0)
    try:
        _write_private(stale, b"new")
    finally:
        os.umask(old_umask)
    assert _mode(stale) == 0o600 and stale.read_bytes() == b"new"
