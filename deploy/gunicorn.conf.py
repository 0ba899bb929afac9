# gunicorn's configuration for a SoPro web process (a site's or the hub's API and pages), behind the
# TLS-terminating reverse proxy (deploy/Caddyfile). In the image:
#
#   gunicorn -c /app/deploy/gunicorn.conf.py 'services.wsgi:create_app_from_env()'
#
# The web process serves requests only: the relay, the consumers and the hub's ingest run as their own
# processes (`sopro serve --role relay|ingest`, checked by `sopro health`). See deploy/PRODUCTION.md.
#
# Settings from the environment (all optional):
#   SOPRO_WEB_WORKERS   worker processes (default 2 x cores + 1, at most MAX_DEFAULT_WORKERS)
#   SOPRO_WEB_THREADS   threads per worker (default 4)
#   SOPRO_WEB_TIMEOUT   seconds a request may take before its worker is killed and replaced (default 30)
#   SOPRO_LOG_FORMAT, SOPRO_LOG_LEVEL: the app's own log lines, as for `sopro serve`.
from __future__ import annotations

import os
import threading

from gunicorn.glogging import Logger

from services.common.logs import masked_path  # a mailed link's token in the path is a secret

MAX_DEFAULT_WORKERS = 8


def _positive(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    number = int(value)
    if number < 1:
        raise ValueError(f"{name} must be 1 or more, not {value!r}")
    return number


def default_workers(cores: int | None = None) -> int:
    """2 x cores + 1 (gunicorn's rule of thumb), capped: every worker holds its own database pool."""
    cores = cores or os.cpu_count() or 1
    return min(2 * cores + 1, MAX_DEFAULT_WORKERS)


# --- Server --------------------------------------------------------------------------------------------
bind = ["0.0.0.0:8000"]  # inside the container; only the reverse proxy reaches it (no published port)
workers = _positive("SOPRO_WEB_WORKERS", default_workers())
threads = _positive("SOPRO_WEB_THREADS", 4)
worker_class = "gthread"
timeout = _positive("SOPRO_WEB_TIMEOUT", 30)
graceful_timeout = 30  # on SIGTERM, requests in flight get this long to finish (compose: stop_grace_period > 30s)
# Longer than the proxy keeps an idle upstream connection (Caddyfile: keepalive 30s), so the proxy, not
# gunicorn, closes idle connections, and never sends a request on one gunicorn is closing.
keepalive = 65
# A fresh worker now and then bounds any slow leak; the jitter keeps workers from restarting together.
max_requests = 2000
max_requests_jitter = 200
# The workers' liveness files on a tmpfs, not the container's overlay filesystem (which can stall them).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No control socket: nothing administers gunicorn at run time, and the runtime user has no home for it.
control_socket_disable = True

# preload_app = False: each worker imports and builds the app itself, after the fork. The app holds a
# SQLAlchemy engine (a pool of database connections) and reads the site's key; built before the fork,
# connections made by the master would be shared by every worker (one socket, several processes). The
# cost is memory (no copy-on-write sharing of the code) and a slower start; a broken configuration still
# stops the server at once, as a worker that cannot boot halts gunicorn.
preload_app = False

# --- Proxy headers -------------------------------------------------------------------------------------
# gunicorn trusts no forwarded header itself: the app decides, in one place, with SOPRO_TRUSTED_PROXIES
# (werkzeug's ProxyFix, services/web/__init__.py). Without these two lines gunicorn would take
# X-Forwarded-Proto from 127.0.0.1 (e.g. a health check in the container) on its own.
forwarded_allow_ips = ""
secure_scheme_headers = {}

# --- Logs ----------------------------------------------------------------------------------------------
# Error log and access log to stdout/stderr, where the container runtime collects them.
# The app logs each request too (logger sopro.http, with the same correlation id, JSON with
# SOPRO_LOG_FORMAT=json); SOPRO_WEB_ACCESS_LOG=off leaves that one alone.
errorlog = "-"
accesslog = None if os.environ.get("SOPRO_WEB_ACCESS_LOG", "").lower() in ("off", "0", "false", "no") else "-"
loglevel = os.environ.get("SOPRO_LOG_LEVEL", "info").lower()
# No personal data and no secrets in the access log (see AccessLogger): no client address, no query
# string (it may carry a search term or an address), no referrer, no user agent, no cookie or header
# other than the correlation id; the secret tokens of mailed links in the path are masked (`<token>`).
access_log_format = 'access method=%(m)s path="%(U)s" status=%(s)s bytes=%(B)s ms=%(M)s correlation_id=%({x-correlation-id}o)s'

# The only header atoms the access log may use, whatever format an operator sets.
_ALLOWED_HEADER_ATOMS = frozenset({"{x-correlation-id}i", "{x-correlation-id}o", "{content-type}o"})


class AccessLogger(Logger):
    """gunicorn's logger, whose access-log atoms carry no personal data, whatever the format asks for."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = masked_path(environ.get("PATH_INFO", ""))
        for key in [k for k in atoms if k.startswith("{") and k not in _ALLOWED_HEADER_ATOMS]:
            del atoms[key]  # request and response headers (cookies, Authorization, X-Forwarded-For) and environ
        atoms.update({
            "h": "-",  # the client's (or the proxy's) address
            "u": "-",  # a Basic-auth user name
            "r": f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}",
            "U": path,
            "q": "-",
            "f": "-",
            "a": "-",
        })
        return atoms


logger_class = AccessLogger


# --- Hooks ---------------------------------------------------------------------------------------------

def post_fork(server, worker):
    """The app's own log lines (services.common.logs), in the worker, before the app is built."""
    from services.common.logs import configure_logging

    configure_logging(os.environ.get("SOPRO_LOG_FORMAT") or "text", os.environ.get("SOPRO_LOG_LEVEL", "INFO"))


def post_worker_init(worker):
    """A web worker runs no background thread: the relay, consumers, ingest and mail sender run in their
    own processes (`sopro serve --role relay|ingest`). Were the app to start one, every worker would run a
    copy; the worker refuses to boot, and gunicorn stops with the threads' names."""
    extra = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    if extra:
        raise RuntimeError(f"a web worker must start no background threads; found {extra}: run workers "
                           "with `sopro serve --role relay|ingest`")
