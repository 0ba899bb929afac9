"""The national stakeholder platform at a site (issue 19, item 5): the organisations registered here that
are members of their country's platform, with their role (`services.contracts.events.community`).

- `model`: a membership (join, leave, rejoin), which records `community.platform_member.*`;
- `tables`, `store`: its table (`community_platform_member`, the Alembic branch `community_platforms`);
- `handlers`: the use cases, state and outbox in one transaction;
- `api`: /api/v1/platform-members; `pages`: the staff's /office/platform and the public /platform.

A member is an organisation, never a person: its events carry the organisation's id, country, role, the day
it joined and its status. Which organisations exist is the registry's: asked through the port
`MemberDirectory` (`services.contracts.ports`), never imported.
"""
