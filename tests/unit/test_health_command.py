"""`sopro health --role relay|ingest|consumers|api`: 0 when the process of the role is healthy, 1 otherwise.

A worker process (`sopro serve --role relay|ingest`) writes a heartbeat per role while its worker threads
live; the check finds it fresh, and the database and the broker reachable. The web process answers its
readiness probe."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from services.cli import main
from services.common.config import REPO_ROOT
from services.health_probe import dependency_problems, heartbeat_problems
from services.serving import AppServer, heartbeat_age, heartbeat_path, run_with_heartbeats, write_heartbeat
from tests.support.ports import free_port


@pytest.fixture
def site_env(monkeypatch, federation_files, tmp_path):
    """The environment of AT12's worker container: SQLite, the in-memory bus, heartbeats in tmp_path/beats."""
    env = {"SOPRO_FEDERATION_FILE": str(federation_files[0]), "SOPRO_SITE": "AT12",
           "SOPRO_KEY_FILE": str(federation_files[1] / "AT12.pem"), "SOPRO_VAR_DIR": str(tmp_path),
           "SOPRO_DB_URL": f"sqlite:///{tmp_path / 'AT12.sqlite'}", "SOPRO_BUS_URL": "memory://",
           "SOPRO_HEARTBEAT_DIR": str(tmp_path / "beats")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def beat(env, role: str, seconds_ago: float = 0.0) -> None:
    write_heartbeat(heartbeat_path(env["SOPRO_HEARTBEAT_DIR"], "AT12", role), time.time() - seconds_ago)


@pytest.mark.parametrize("role", ["relay", "ingest"])
def test_a_fresh_heartbeat_is_healthy(site_env, role, capsys):
    beat(site_env, role, seconds_ago=2)
    assert main(["health", "--role", role]) == 0
    assert capsys.readouterr().out.strip() == f"{role}: healthy"


@pytest.mark.parametrize("role", ["relay", "ingest"])
def test_a_stale_heartbeat_is_unhealthy(site_env, role, capsys):
    beat(site_env, role, seconds_ago=120)
    assert main(["health", "--role", role]) == 1
    assert "heartbeat 120s old" in capsys.readouterr().out
    assert main(["health", "--role", role, "--max-age", "300"]) == 0


def test_no_heartbeat_is_unhealthy(site_env, capsys):
    beat(site_env, "relay")
    assert main(["health", "--role", "ingest"]) == 1, "the relay's heartbeat says nothing of the consumers"
    assert "no heartbeat of the ingest worker" in capsys.readouterr().out


def test_consumers_is_the_ingest_role(site_env):
    beat(site_env, "ingest")
    assert main(["health", "--role", "consumers"]) == 0


def test_a_broken_heartbeat_file_is_unhealthy(site_env):
    path = heartbeat_path(site_env["SOPRO_HEARTBEAT_DIR"], "AT12", "relay")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    assert heartbeat_age(path) is None
    assert main(["health", "--role", "relay"]) == 1


def test_an_unreachable_broker_is_unhealthy_unless_only_the_heartbeat_is_asked(site_env, monkeypatch, capsys):
    port = free_port()  # a port nobody listens on
    monkeypatch.setenv("SOPRO_BUS_URL", f"amqp://guest:guest@127.0.0.1:{port}//")
    beat(site_env, "relay")
    assert main(["health", "--role", "relay"]) == 1
    out = capsys.readouterr().out
    assert "bus: unreachable" in out and "guest" not in out, "the check is named, not the credentials"
    assert main(["health", "--role", "relay", "--heartbeat-only"]) == 0


def test_an_unreachable_database_is_unhealthy(make_settings, tmp_path):
    settings = make_settings("AT12", db_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    write_heartbeat(heartbeat_path(tmp_path, "AT12", "relay"))
    assert heartbeat_problems(settings, "relay", env={"SOPRO_HEARTBEAT_DIR": str(tmp_path)}) == []
    assert dependency_problems(settings) == ["database: unreachable (OperationalError)"]


def test_one_check_for_both_roles_of_a_worker_container(site_env, capsys):
    beat(site_env, "relay")
    assert main(["health", "--role", "relay", "--role", "ingest"]) == 1
    assert capsys.readouterr().out.splitlines() == ["relay: healthy", "ingest: no heartbeat of the ingest worker"]
    beat(site_env, "ingest")
    assert main(["health", "--role", "relay", "--role", "ingest"]) == 0


def test_the_light_probe_imports_neither_the_app_nor_the_services(site_env):
    """It runs every few seconds in every worker container: `python -m services.health_probe`, which the
    image's `sopro health` runs, answers like `sopro health` without building any app."""
    beat(site_env, "relay")
    env = {**os.environ, **site_env, "PYTHONPATH": str(REPO_ROOT)}
    probe = "import sys, runpy; sys.argv = ['probe', '--role', 'relay']; " \
            "code = 0\ntry:\n    runpy.run_module('services.health_probe', run_name='__main__')\n" \
            "except SystemExit as exit:\n    code = exit.code\n" \
            "heavy = sorted(m for m in ('flask', 'alembic', 'services.bootstrap', 'services.cli') if m in sys.modules)\n" \
            "print('heavy:', heavy); sys.exit(code)"
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["relay: healthy", "heavy: []"]


def test_heartbeats_stop_when_a_worker_thread_dies(tmp_path):
    path = tmp_path / "AT12.relay.heartbeat"
    alive, stop = threading.Event(), threading.Event()
    worker = threading.Thread(target=alive.wait, name="relay-AT12", daemon=True)
    worker.start()
    runner = threading.Thread(target=lambda: results.append(run_with_heartbeats([worker], [path], stop, 0.05)))
    results: list[bool] = []
    runner.start()
    time.sleep(0.2)
    assert heartbeat_age(path) < 1
    alive.set()  # the worker thread ends
    runner.join(5)
    assert results == [False], "a dead worker ends the process (exit 1), so the container is restarted"
    path.unlink()
    stop.set()
    assert run_with_heartbeats([], [path], stop, 0.05) is True and path.is_file(), "until stopped, it beats"


def test_the_api_role_asks_the_web_process_readiness(make_settings):
    from services.bootstrap import create_app
    from tests.support.migrated import bootstrap

    server = AppServer(create_app(bootstrap(make_settings("AT12"))), "127.0.0.1", 0).start()
    try:
        assert main(["health", "--role", "api", "--port", str(server.port)]) == 0
        assert main(["health", "--role", "api", "--url", f"http://127.0.0.1:{server.port}/no-such-probe"]) == 1
    finally:
        server.stop()
    assert main(["health", "--role", "api", "--port", str(server.port)]) == 1, "nobody answers"


def test_serve_relay_writes_heartbeats_until_stopped(site_env, tmp_path):
    """The real command: `sopro serve --role relay` beats; `sopro health` says healthy; after SIGTERM the
    process exits 0, its heartbeat is gone, and the check says unhealthy."""
    env = {**os.environ, **site_env, "PYTHONPATH": str(REPO_ROOT)}
    path = heartbeat_path(site_env["SOPRO_HEARTBEAT_DIR"], "AT12", "relay")
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "serve", "--role", "relay"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not path.is_file() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert path.is_file(), proc.communicate(timeout=5)[0] if proc.poll() is not None else "no heartbeat"
        health = [sys.executable, "-m", "services.cli", "health", "--role", "relay"]
        assert subprocess.run(health, env=env, capture_output=True).returncode == 0
        assert not heartbeat_path(site_env["SOPRO_HEARTBEAT_DIR"], "AT12", "ingest").exists(), "only its role"
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
    assert not path.exists()
    assert subprocess.run(health, env=env, capture_output=True).returncode == 1
