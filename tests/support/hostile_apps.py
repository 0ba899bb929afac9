"""Apps for the hostile-input tests: a site's and the hub's, on SQLite or on a PostgreSQL schema of their
own, each shared by a test module; and bearer tokens of real users of a given role."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

from services.bootstrap import bootstrap
from services.common.users import add_user
from services.common.config import load_settings
from tests.support.services import PG_BASE, TEST_RATE_LIMIT, need

BACKENDS = ("sqlite", "postgresql")
PASSWORD = "hostile-input-pw"


@pytest.fixture(scope="module")
def runtimes(federation, federation_files, tmp_path_factory):
    """runtimes(site_id, backend) -> a migrated runtime, built once per module for each pair."""
    made: dict[tuple[str, str], object] = {}
    schemas: list[str] = []
    admin = None

    def make(site_id: str, backend: str):
        nonlocal admin
        if (site_id, backend) not in made:
            var_dir = tmp_path_factory.mktemp(f"{site_id}-{backend}")
            if backend == "postgresql":
                need("PostgreSQL", "127.0.0.1", 5432)
                admin = admin or create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
                schema = f"t_hostile_{site_id.lower()}_{uuid.uuid4().hex[:8]}"
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
                schemas.append(schema)
                db_url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
            else:
                db_url = f"sqlite:///{var_dir / 'sopro.sqlite'}"
            made[(site_id, backend)] = bootstrap(load_settings(
                site_id, env={}, federation=federation, db_url=db_url, key_file=federation_files[1] / f"{site_id}.pem",
                var_dir=var_dir, rate_limit=TEST_RATE_LIMIT, token_rate_limit=TEST_RATE_LIMIT,
                public_write_rate_limit=TEST_RATE_LIMIT))
        return made[(site_id, backend)]

    yield make
    for runtime in made.values():
        runtime.engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def bearer(runtime, client, role: str, organisation_id: str | None = None) -> dict:
    """The token of a real user holding `role` (made once), as a site issues it at /api/v1/auth/token."""
    username = f"hostile-{role}-{organisation_id or 'none'}"[:100]
    with runtime.engine.begin() as conn:
        known = conn.execute(text("SELECT 1 FROM auth_user WHERE username = :u"), {"u": username}).first()
        if known is None:
            add_user(conn, username, PASSWORD, [role], organisation_id)
    answer = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}
