"""The hub fed events directly, for tests of its store, API and pages: its handlers, no bus, no checks."""
from __future__ import annotations

import pytest

from services.bootstrap import create_app
from services.common.envelope import Envelope
from services.hub.consumers import HANDLERS
from tests.support import events
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.migrated import bootstrap


def apply(runtime, *envelopes: Envelope) -> None:
    """Apply `envelopes` to the hub's store in order, one transaction each."""
    events.apply(HANDLERS, runtime, *envelopes)


@pytest.fixture(params=BACKENDS)
def runtime(request, make_settings):
    """The hub on SQLite (the embedded federation runs its sums and orderings there too) and PostgreSQL."""
    rt = bootstrap(make_settings("EU", db_url=pg_url_if(request, request.param)))
    yield rt
    rt.engine.dispose()


@pytest.fixture
def client(runtime):
    return create_app(runtime).test_client()
