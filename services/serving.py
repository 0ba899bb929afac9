"""Serving Flask apps from threads (the embedded demo and `sopro serve`), until a signal stops the process;
and the heartbeats of the worker processes that `sopro health` checks (deploy/PRODUCTION.md)."""
from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

log = logging.getLogger("sopro.serve")


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without its `Server: Werkzeug/<version> Python/<version>`: no versions for an
    attacker to look up (gunicorn, in production, says only `gunicorn`)."""

    def version_string(self) -> str:
        return "sopro"


class AppServer:
    def __init__(self, app, host: str, port: int):
        self.server = make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, name=f"http-{port}", daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_port

    def start(self) -> "AppServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


def wait_for_signal(seconds: float | None = None) -> None:
    """Block until SIGINT or SIGTERM (or `seconds` pass), so that the caller can stop its servers cleanly."""
    stop_on_signal().wait(seconds)


# --- Heartbeats of the worker processes, for container health checks (`sopro health`) -------------------
# A process that runs workers (`sopro serve --role relay|ingest`) writes, every HEARTBEAT_SECONDS while all
# its worker threads are alive, one small file per role: <SOPRO_HEARTBEAT_DIR or the var dir>/<SITE>.<role>.heartbeat.
# `sopro health --role <role>` finds it fresh (and the database and the broker reachable) or says unhealthy.

HEARTBEAT_SECONDS = 5.0
HEARTBEAT_MAX_AGE_SECONDS = 30.0
WORKER_ROLES = ("relay", "ingest")
ROLE_ALIASES = {"consumers": "ingest"}  # at a site, the "ingest" role runs the site's consumers


def canonical_role(role: str) -> str:
    return ROLE_ALIASES.get(role, role)


def heartbeat_dir(settings, env=None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("SOPRO_HEARTBEAT_DIR") or settings.var_dir)


def heartbeat_path(directory: Path, site_id: str, role: str) -> Path:
    return Path(directory) / f"{site_id}.{canonical_role(role)}.heartbeat"


def write_heartbeat(path: Path, now: float | None = None) -> None:
    """Atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"at": time.time() if now is None else now, "pid": os.getpid()})
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, path)


def heartbeat_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the last heartbeat; None when there is none (or it cannot be read)."""
    try:
        at = float(json.loads(path.read_text(encoding="utf-8"))["at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (time.time() if now is None else now) - at


def run_with_heartbeats(threads, paths, stop: threading.Event, interval: float = HEARTBEAT_SECONDS) -> bool:
    """Beat into every path while every thread is alive, until `stop` is set (True). A worker thread
    that died stops the beats and returns False, so that the process can exit and be restarted."""
    while True:
        dead = [t.name for t in threads if not t.is_alive()]
        if dead:
            log.error("worker threads died: %s; no more heartbeats", ", ".join(dead))
            return False
        for path in paths:
            try:
                write_heartbeat(path)
            except OSError as exc:
                log.warning("cannot write the heartbeat %s: %s", path, exc)
        if stop.wait(interval):
            return True


def stop_on_signal() -> threading.Event:
    """An event set by SIGINT or SIGTERM."""
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    return done
