"""Use cases of the stakeholder platform, one unit of work each: the membership's row and its event commit
together (`uow.record`). Which organisations exist is asked of the registry by the caller (the port
`MemberDirectory`) and passed in as `known`, so that these use cases stay free of Flask."""
from __future__ import annotations

from datetime import date
from typing import Mapping

from services.common.errors import NotFound, invalid
from services.common.uow import UnitOfWork
from services.community.platforms import store
from services.community.platforms.model import Membership, check_role
from services.contracts.ports import MemberOrganisation


def join(uow: UnitOfWork, organisation_id: str, role: str, country: str, today: date,
         known: Mapping[str, MemberOrganisation]) -> Membership:
    """The organisation joins (or rejoins) the platform of `country` (the site's). 422 for an organisation
    not registered here (or withdrawn) or an unknown role; 409 while it is a member."""
    organisation_id = str(organisation_id)
    found = known.get(organisation_id)
    if found is None or not found.active:
        raise invalid("organisation_id", "no such organisation at this site")
    check_role(role)
    with uow:
        membership = store.find(uow.conn, organisation_id, lock=True)
        if membership is None:
            membership = Membership.join(organisation_id, country, role, today)
            store.save(uow.conn, membership, 0)
        else:
            loaded_at = membership.version
            membership.rejoin(role, today)
            store.save(uow.conn, membership, loaded_at)
        uow.record(membership)
        uow.commit()
    return membership


def leave(uow: UnitOfWork, organisation_id: str, today: date) -> Membership:
    """404 for an organisation that never joined; 409 for one that has left."""
    with uow:
        membership = store.find(uow.conn, str(organisation_id), lock=True)
        if membership is None:
            raise NotFound(f"organisation {organisation_id} is not a member of the platform")
        loaded_at = membership.version
        membership.leave(today)
        store.save(uow.conn, membership, loaded_at)
        uow.record(membership)
        uow.commit()
    return membership
