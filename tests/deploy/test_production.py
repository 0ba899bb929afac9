"""The production server's pieces (deploy/PRODUCTION.md): gunicorn's configuration and the web process under
it, the Caddy reverse proxy's configuration, the image's Dockerfile and the locks it installs from."""
from __future__ import annotations

import datetime
import json
import os
import re
import runpy
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
TOKEN = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"  # 43 characters, as secrets.token_urlsafe(32)
SITES = {"at11": "at11", "at12": "at12", "at13": "at13", "at22": "at22", "hu22": "hu22", "hub": "hub"}


def gunicorn_conf(monkeypatch, **env) -> dict:
    for name in ("SOPRO_WEB_WORKERS", "SOPRO_WEB_THREADS", "SOPRO_WEB_TIMEOUT", "SOPRO_WEB_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


# --- gunicorn's configuration ------------------------------------------------------------------------------

def test_gunicorn_serves_on_port_8000_with_workers_threads_and_timeouts(monkeypatch):
    conf = gunicorn_conf(monkeypatch)
    assert conf["bind"] == ["0.0.0.0:8000"]
    assert conf["workers"] == min(2 * (os.cpu_count() or 1) + 1, conf["MAX_DEFAULT_WORKERS"])
    assert (conf["worker_class"], conf["threads"], conf["timeout"], conf["graceful_timeout"]) == ("gthread", 4, 30, 30)
    assert conf["preload_app"] is False, "each worker builds its own app (and database pool) after the fork"
    assert conf["accesslog"] == "-" and conf["errorlog"] == "-"


def test_the_default_number_of_workers_is_capped(monkeypatch):
    conf = gunicorn_conf(monkeypatch)
    assert [conf["default_workers"](cores) for cores in (1, 2, 3, 4, 64)] == [3, 5, 7, 8, 8]


def test_the_environment_sets_workers_threads_timeout_and_access_log(monkeypatch):
    conf = gunicorn_conf(monkeypatch, SOPRO_WEB_WORKERS="3", SOPRO_WEB_THREADS="8", SOPRO_WEB_TIMEOUT="60",
                         SOPRO_WEB_ACCESS_LOG="off")
    assert (conf["workers"], conf["threads"], conf["timeout"], conf["accesslog"]) == (3, 8, 60, None)
    with pytest.raises(ValueError, match="SOPRO_WEB_WORKERS"):
        gunicorn_conf(monkeypatch, SOPRO_WEB_WORKERS="0")


def test_gunicorn_itself_trusts_no_forwarded_header(monkeypatch):
    """Only the app decides, with SOPRO_TRUSTED_PROXIES (tests/web/test_trusted_proxies.py)."""
    conf = gunicorn_conf(monkeypatch)
    assert conf["forwarded_allow_ips"] == "" and conf["secure_scheme_headers"] == {}


def test_the_access_log_holds_no_personal_data_or_secret_whatever_the_format_asks(monkeypatch):
    from gunicorn.config import Config

    conf = gunicorn_conf(monkeypatch)
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = conf["AccessLogger"](cfg)
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": f"/support/confirm/{TOKEN}?email=anna%40example.org",
               "PATH_INFO": f"/support/confirm/{TOKEN}", "QUERY_STRING": "email=anna%40example.org",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9", "HTTP_REFERER": "https://x.example/?q=anna",
               "HTTP_USER_AGENT": "Mozilla/5.0 (Anna's laptop)"}
    request = SimpleNamespace(headers=[("COOKIE", "sopro_at12=secret-session"), ("AUTHORIZATION", "Bearer abc"),
                                       ("X-FORWARDED-FOR", "198.51.100.7"), ("X-CORRELATION-ID", "c-1")])
    response = SimpleNamespace(status="302 FOUND", sent=12,
                               headers=[("Set-Cookie", "sopro_at12=new-session"), ("X-Correlation-ID", "c-1")])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=42))
    line = cfg.access_log_format % atoms + " " + json.dumps(atoms, default=str)
    for private in ("203.0.113.9", "198.51.100.7", "anna", "secret-session", "new-session", "Bearer", TOKEN, "Mozilla"):
        assert private not in line, private
    assert atoms["U"] == "/support/confirm/<token>" and atoms["r"] == "POST /support/confirm/<token> HTTP/1.1"
    assert conf["access_log_format"] % logger.atoms_wrapper_class(atoms) == \
        'access method=POST path="/support/confirm/<token>" status=302 bytes=12 ms=42 correlation_id=c-1'


def test_ids_stay_in_the_path_only_tokens_are_masked():
    from services.common.logs import masked_path

    uuid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert masked_path(f"/api/v1/enquiries/{uuid}/offers") == f"/api/v1/enquiries/{uuid}/offers"
    assert masked_path(f"/account/password/reset/{TOKEN}") == "/account/password/reset/<token>"
    assert masked_path("/office/organisations/AT12-ORG-0001") == "/office/organisations/AT12-ORG-0001"


# --- the web process under gunicorn ---------------------------------------------------------------------------

@pytest.fixture
def web_env(federation_files, tmp_path):
    from tests.support.migrated import bootstrap
    from services.common.config import load_settings

    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOPRO_FEDERATION_FILE": str(federation_files[0]),
           "SOPRO_SITE": "AT12", "SOPRO_KEY_FILE": str(federation_files[1] / "AT12.pem"),
           "SOPRO_VAR_DIR": str(tmp_path), "SOPRO_DB_URL": f"sqlite:///{tmp_path / 'AT12.sqlite'}",
           "SOPRO_BUS_URL": "memory://", "SOPRO_WEB_WORKERS": "2", "SOPRO_WEB_THREADS": "2"}
    env.pop("SOPRO_TRUSTED_PROXIES", None)
    bootstrap(load_settings(env=env))  # `sopro db upgrade`: the web process does not migrate
    return env


def start(argv, env, cwd=ROOT) -> subprocess.Popen:
    return subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{proc.communicate()[0]}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.3)
    proc.terminate()
    pytest.fail(f"no answer from {url}:\n{proc.communicate(timeout=30)[0]}")


def test_sopro_web_runs_the_app_under_gunicorn_and_logs_requests_without_personal_data(web_env):
    port = free_port()
    proc = start([sys.executable, "-m", "services.cli", "web", "--bind", f"127.0.0.1:{port}"], web_env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", proc)
        forged = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "Accept": "text/html",
                  "Cookie": "sopro_at12=secret-session", "User-Agent": "Anna's browser"}
        page = requests.get(f"{base}/?email=anna%40example.org", headers=forged, timeout=10)
        assert page.status_code == 200
        assert "Strict-Transport-Security" not in page.headers, "neither gunicorn nor the app believes the client"
        assert page.headers["Server"] == "gunicorn", "no version"
        requests.get(f"{base}/notifications/unsubscribe/{TOKEN}", timeout=10)
        assert requests.get(f"{base}/readyz", timeout=10).status_code == 200
    finally:
        proc.terminate()
        output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0, output
    assert output.count("Booting worker") == 2
    assert "Using worker: gthread" in output
    access = [line for line in output.splitlines() if line.startswith("access ")]
    assert 'access method=GET path="/" status=200' in "\n".join(access)
    assert 'path="/notifications/unsubscribe/<token>"' in "\n".join(access)
    for private in ("203.0.113.9", "anna", "secret-session", TOKEN, "127.0.0.1 -"):
        assert private not in output, private


def test_a_web_worker_that_would_run_a_background_thread_stops_gunicorn(tmp_path):
    """The relay or a consumer started by the app would run once per worker: the worker refuses to boot."""
    (tmp_path / "threaded_app.py").write_text(
        "import threading, time\n"
        "def create():\n"
        "    threading.Thread(target=time.sleep, args=(60,), name='relay-AT12', daemon=True).start()\n"
        "    return lambda environ, start_response: []\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}", "SOPRO_WEB_WORKERS": "1"}
    proc = start([sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{free_port()}",
                  "threaded_app:create()"], env, cwd=tmp_path)
    try:
        output = proc.communicate(timeout=60)[0]
    finally:
        proc.kill()
    assert proc.returncode == 3, output  # gunicorn halts: a worker failed to boot
    assert "must start no background threads" in output and "relay-AT12" in output


# --- Caddy -----------------------------------------------------------------------------------------------

def caddy(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    home = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SOPRO_")}
    return subprocess.run(["caddy", *args, "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
                          env={**environ, **home, **env}, capture_output=True, text=True, timeout=60)


needs_caddy = pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed (apt-get install caddy)")


@needs_caddy
def test_the_caddyfile_is_valid(tmp_path):
    result = caddy(tmp_path, "validate")
    assert result.returncode == 0, result.stderr


@needs_caddy
@pytest.mark.parametrize("env, issuer", [({}, "internal"), ({"SOPRO_TLS": "ops@agency.example"}, "acme")])
def test_each_site_has_its_host_name_and_upstream_and_tls(tmp_path, env, issuer):
    result = caddy(tmp_path, "adapt", SOPRO_DOMAIN="sopro.example", **env)
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["admin"] == {"disabled": True}
    routes = config["apps"]["http"]["servers"]["srv0"]["routes"]
    upstreams = {}
    for route in routes:
        (host,) = route["match"][0]["host"]
        handlers = [h for sub in route["handle"][0]["routes"] for h in sub["handle"]]
        (proxy,) = [h for h in handlers if h["handler"] == "reverse_proxy"]
        upstreams[host] = [u["dial"] for u in proxy["upstreams"]]
        assert "headers_up" not in json.dumps(proxy), "forwarded headers as Caddy sets them"
        assert any(h["handler"] == "static_response" and h.get("status_code") == 404 for h in handlers), "no /metrics"
    assert upstreams == {f"{name}.sopro.example": [f"{service}:8000"] for name, service in SITES.items()}
    (policy,) = config["apps"]["tls"]["automation"]["policies"]
    assert [i["module"] for i in policy["issuers"]][0] == issuer
    assert set(policy["subjects"]) == set(upstreams)


def test_the_caddyfile_sets_no_security_headers_of_its_own():
    text = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    lines = [line.split("#")[0] for line in text.splitlines()]
    for header in ("Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options"):
        assert not any(header in line for line in lines), f"{header} is the app's"


# --- the image ----------------------------------------------------------------------------------------------

def test_the_dockerfile_pins_its_base_installs_by_hash_and_runs_gunicorn_unprivileged():
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG BASE_IMAGE=python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}$", text, re.M)
    assert re.search(r"^FROM \$\{BASE_IMAGE\}$", text, re.M)
    assert "--require-hashes -r requirements/runtime.lock" in text
    assert "COPY deploy/gunicorn.conf.py ./deploy/gunicorn.conf.py" in text
    assert re.search(r"^USER sopro", text, re.M)
    assert 'ENTRYPOINT ["sopro"]' in text and 'CMD ["web"]' in text
    copied = re.findall(r"^COPY (\S+)", text, re.M)
    assert not [c for c in copied if "key" in c or c.endswith((".pem", ".env")) or "secrets" in c], copied
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {"*.pem", "*.env", "deploy/*", "!deploy/gunicorn.conf.py"} <= set(ignored)


@pytest.mark.parametrize("lock", ["runtime.lock", "test.lock"])
def test_gunicorn_is_locked_with_hashes(lock):
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    entry = re.search(r"^gunicorn==(\S+) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}.*\n)+)", text, re.M)
    assert entry, f"gunicorn is not pinned with hashes in requirements/{lock}"
    from importlib.metadata import version
    assert version("gunicorn") == entry.group(1), "the tests run the version the image installs"


def test_the_image_s_sopro_script_runs_the_cli_and_the_light_health_probe(tmp_path):
    """The script the Dockerfile writes with printf, run as written (its interpreter replaced by this one)."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    (body,) = re.findall(r"^RUN printf '([^']*)' > /usr/local/bin/sopro", text, re.M)
    script = tmp_path / "sopro"
    subprocess.run(["sh", "-c", f"printf '{body}' > {script}"], check=True)
    lines = script.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#!/opt/venv/bin/python"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    usage = subprocess.run([sys.executable, str(script), "--help"], env=env, capture_output=True, text=True)
    assert usage.returncode == 0 and "usage: sopro" in usage.stdout
    probe = subprocess.run([sys.executable, str(script), "health", "--role", "api", "--port", str(free_port())],
                           env=env, capture_output=True, text=True)
    assert (probe.returncode, probe.stdout.strip()) == (1, "api: no answer (URLError)"), probe.stderr
