"""Apps for the hostile-input tests: a site's and the hub's, on SQLite or on a PostgreSQL schema of their
own, each shared by a test module; and bearer tokens of real users of a given role."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from services.common.users import add_user
from services.common.config import load_settings
from tests.support.databases import pg_schemas
from tests.support.migrated import bootstrap
from tests.support.services import TEST_RATE_LIMIT
from tests.support.tokens import logged_in

PASSWORD = "hostile-input-pw"


@pytest.fixture(scope="module")
def runtimes(federation, federation_files, tmp_path_factory):
    """runtimes(site_id, backend) -> a migrated runtime, built once per module for each pair."""
    made: dict[tuple[str, str], object] = {}
    with pg_schemas("t_hostile") as schema_url:

        def make(site_id: str, backend: str):
            if (site_id, backend) not in made:
                var_dir = tmp_path_factory.mktemp(f"{site_id}-{backend}")
                db_url = schema_url(site_id) if backend == "postgresql" else f"sqlite:///{var_dir / 'sopro.sqlite'}"
                made[(site_id, backend)] = bootstrap(load_settings(
                    site_id, env={}, federation=federation, db_url=db_url,
                    key_file=federation_files[1] / f"{site_id}.pem", var_dir=var_dir, rate_limit=TEST_RATE_LIMIT,
                    token_rate_limit=TEST_RATE_LIMIT, public_write_rate_limit=TEST_RATE_LIMIT))
            return made[(site_id, backend)]

        yield make
        for runtime in made.values():
            runtime.engine.dispose()


def user_token(runtime, client, role: str, organisation_id: str | None = None) -> dict:
    """The token of a real user holding `role` (made once), as a site issues it at /api/v1/auth/token."""
    username = f"hostile-{role}-{organisation_id or 'none'}"[:100]
    with runtime.engine.begin() as conn:
        known = conn.execute(text("SELECT 1 FROM auth_user WHERE username = :u"), {"u": username}).first()
        if known is None:
            add_user(conn, username, PASSWORD, [role], organisation_id)
    return logged_in(client, username, PASSWORD)
