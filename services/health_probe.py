"""`sopro health --role relay|ingest|consumers|api`: exit 0 when the process of each role asked for is
healthy, 1 otherwise, with one line per role on stdout. For container health checks (deploy/PRODUCTION.md).

- a worker role (relay; ingest, also called consumers): its heartbeat (services.serving) is fresh, the
  database answers and the broker accepts a connection;
- api: the web process answers its readiness probe (`/readyz`) with 200.

Light on purpose: a health check runs every few seconds in every worker container, so this imports
neither the app nor the services (`python -m services.health_probe --role relay` costs a fraction of
`python -m services.cli`, which the image's `sopro` script skips for `sopro health`). Messages name the
check, never hosts or credentials.
"""
from __future__ import annotations

import argparse
import sys

from services.serving import HEARTBEAT_MAX_AGE_SECONDS, canonical_role, heartbeat_age, heartbeat_dir, heartbeat_path

ROLES = ("relay", "ingest", "consumers", "api")
CONNECT_TIMEOUT_SECONDS = 5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", action="append", required=True, choices=ROLES,
                        help="repeatable; consumers is another name for ingest")
    parser.add_argument("--site", help="site id; default SOPRO_SITE")
    parser.add_argument("--max-age", type=float, default=HEARTBEAT_MAX_AGE_SECONDS,
                        help="seconds after which a worker's heartbeat is stale (default %(default)s)")
    parser.add_argument("--heartbeat-only", action="store_true",
                        help="a worker role: check its heartbeat only, not the database and the broker")
    parser.add_argument("--port", type=int, default=8000, help="api: the port of the web server (default 8000)")
    parser.add_argument("--url", help="api: the readiness URL (default http://127.0.0.1:<port>/readyz)")


def run(args) -> int:
    problems: dict[str, list[str]] = {}
    workers = [role for role in args.role if canonical_role(role) != "api"]
    if workers:
        from services.common.config import load_settings

        settings = load_settings(args.site)
        shared = [] if args.heartbeat_only else dependency_problems(settings)
        for role in workers:
            problems[role] = heartbeat_problems(settings, role, args.max_age) + shared
    if "api" in args.role:
        problems["api"] = api_problems(args.url or f"http://127.0.0.1:{args.port}/readyz")
    for role, found in problems.items():
        print(f"{role}: " + ("; ".join(found) if found else "healthy"))
    return 1 if any(problems.values()) else 0


def heartbeat_problems(settings, role: str, max_age: float = HEARTBEAT_MAX_AGE_SECONDS, env=None,
                       now: float | None = None) -> list[str]:
    age = heartbeat_age(heartbeat_path(heartbeat_dir(settings, env), settings.site_id, role), now)
    if age is None:
        return [f"no heartbeat of the {canonical_role(role)} worker"]
    if age > max_age:
        return [f"heartbeat {age:.0f}s old (more than {max_age:.0f}s)"]
    return []


def dependency_problems(settings) -> list[str]:
    """The database answers `SELECT 1`; the broker accepts a connection (unless it is the in-memory one)."""
    from sqlalchemy import text

    from services.common import bus
    from services.common.db import make_engine

    problems = []
    sqlite = settings.db_url.startswith("sqlite")
    engine = make_engine(settings.db_url, **({} if sqlite else {"connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS}}))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to reach the database is unhealthy
        problems.append(f"database: unreachable ({type(exc).__name__})")
    finally:
        engine.dispose()
    if not settings.bus_url.startswith("memory"):
        try:
            with bus.connect(settings.bus_url, connect_timeout=CONNECT_TIMEOUT_SECONDS, heartbeat=0) as conn:
                conn.connect()
        except Exception as exc:  # noqa: BLE001
            problems.append(f"bus: unreachable ({type(exc).__name__})")
    return problems


def api_problems(url: str, timeout: float = 5.0) -> list[str]:
    """What is wrong with the web process answering at `url` (its /readyz): nothing when it answers 200."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - a local URL
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, ValueError) as exc:
        return [f"no answer ({type(exc).__name__})"]
    return [] if status == 200 else [f"answered {status}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sopro health", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
