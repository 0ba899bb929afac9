"""Alembic migrations, one branch per component (the kernel, and each service).

A site upgrades the kernel's branch and those of its services; the hub the kernel's and its own.
`create_all` is never used outside tests of the migrations themselves.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from services.common import account_links, inbox, notifications, outbox, sessions, users  # noqa: F401 - they declare the kernel's tables
from services.common.db import Component, kernel_metadata

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

KERNEL = Component("common", kernel_metadata, MIGRATIONS_DIR / "versions")


def alembic_config(engine: Engine, components: list[Component]) -> Config:
    cfg = _config(_version_locations(components))
    cfg.attributes["engine"] = engine
    cfg.attributes["metadata"] = [c.metadata for c in components]
    return cfg


def upgrade(engine: Engine, components: list[Component]) -> None:
    """Each component's branch to its head, in the order given (a service's tables may refer to the kernel's).

    What `alembic upgrade <branch>@head` does, with the script directory read once per process and set of
    components: Alembic's command reads and compiles every revision file on each call, which took a third of
    an upgrade's time (a test process upgrades hundreds of fresh schemas; a demo six)."""
    cfg = alembic_config(engine, components)
    script = _script_directory(_version_locations(components))
    for component in components:
        target = f"{component.name}@head"

        def steps(current, _context, target=target):
            return script._upgrade_revs(target, current)  # as alembic.command.upgrade does

        with EnvironmentContext(cfg, script, fn=steps, destination_rev=target):
            script.run_env()


@lru_cache(maxsize=None)
def _script_directory(version_locations: tuple[str, ...]) -> ScriptDirectory:
    return ScriptDirectory.from_config(_config(version_locations))


def _version_locations(components: list[Component]) -> tuple[str, ...]:
    return tuple(str(c.versions_dir) for c in components)


def _config(version_locations: tuple[str, ...]) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("version_locations", " ".join(version_locations))
    cfg.set_main_option("path_separator", "space")
    return cfg


def revision(engine: Engine, components: list[Component], component: Component, message: str) -> None:
    """Autogenerate the next revision of `component` (developer tool), on a scratch database."""
    cfg = alembic_config(engine, components)
    existing = [c for c in components if _has_branch(cfg, c)]
    upgrade(engine, existing)
    first = component not in existing
    command.revision(
        cfg, message=message, autogenerate=True, version_path=str(component.versions_dir),
        head="base" if first else f"{component.name}@head", branch_label=component.name if first else None,
    )


def _has_branch(cfg: Config, component: Component) -> bool:
    try:
        ScriptDirectory.from_config(cfg).get_revisions(f"{component.name}@head")
        return True
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown branch
        return False
