"""The demo's stakeholder platform and supporter (services/demo/community_platforms.py), seeded through
AT12's API like the rest of the demo: its members join AT12's platform, and the supporting social
enterprise's statement is linked and confirmed, so the registry counts it as supporting the platform."""
from __future__ import annotations

from sqlalchemy import select

from services.bootstrap import create_app
from services.community.platforms import store
from services.demo.community_platforms import PLATFORM_MEMBERS, SUPPORTERS
from services.registry.supporters import supporting
from services.registry.tables import organisation
from tests.support.migrated import bootstrap
from tests.support.seeding import seed_site


def test_the_demo_seeds_platform_members_and_a_supporting_social_enterprise(make_settings):
    runtime = bootstrap(make_settings("AT12"))
    seed_site(runtime, create_app(runtime))
    with runtime.engine.connect() as conn:
        names = dict(conn.execute(select(organisation.c.id, organisation.c.name)).all())
        members = {names[m.id]: (m.role, m.country, m.status) for m in store.members(conn)}
        supporters = {names[i] for i in supporting(conn)}
    assert members == {name: (role, "AT", "active") for name, role in PLATFORM_MEMBERS["AT12"]}
    assert supporters == {name for name, _ in SUPPORTERS["AT12"]} == {"Waldviertler Spielzeugwerkstatt"}
    runtime.engine.dispose()
