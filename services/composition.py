"""The table of services: what each one contributes to a site or to the hub, as plain imported objects.

A reader goes from a route, an event type or a queue to its code by following these imports; nothing
is discovered by name. `services.bootstrap` builds apps, databases and workers from this table.
A port (`services.contracts.ports`) a service asks for in-process is answered by the implementation
another service lists in `provides` here.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from flask import Blueprint

from services import jobs, workers
from services.common.db import Component
from services.contracts.ports import CaseStudyPublisher, LabelRegister, MemberDirectory, OfferDirectory
from services.contracts.ports import ImpactConsent, ImpactTotals, PlatformSupporters
from services.community.library import api as library_api, pages as library_pages, tables as library_tables
from services.community.calendar import api as community_calendar_api, pages as community_calendar_pages
from services.community.calendar import office_pages as community_calendar_office_pages
from services.community.calendar import privacy as community_calendar_privacy, tables as community_calendar_tables
from services.community.platforms import api as platforms_api, pages as platforms_pages, tables as platforms_tables
from services.enquiries import privacy as enquiries_privacy
from services.enquiries.crossborder import api as crossborder_api, parts_api as crossborder_parts_api
from services.enquiries.crossborder import consortium_pages, inbox_pages, store as crossborder_store
from services.enquiries.impact import ports as impact_ports, se_pages as impact_se_pages
from services.enquiries.impact import api as impact_api, pages as impact_pages
from services.enquiries.lifecycle import api as lifecycle_api, deals_pages, tables as lifecycle_tables
from services.enquiries.lifecycle import client_pages as lifecycle_client_pages
from services.enquiries.lifecycle import member_pages as lifecycle_member_pages
from services.enquiries.matching import store as matching_store
from services.enquiries.programmes import api as programmes_api, pages as programmes_pages
from services.enquiries.programmes import client_pages as programmes_client_pages
from services.enquiries.programmes import experts_api, experts_pages
from services.enquiries.programmes import tables as programmes_tables
from services.hub import api as hub_api, pages as hub_pages, store as hub_store
from services.hub.library import api as hub_library_api, pages as hub_library_pages, store as hub_library_store
from services.hub.community import store as hub_community_store
from services.label import api as label_api, member_pages as label_member_pages, pages as label_pages
from services.label import label_pages as label_staff_pages
from services.label import appeal_api as label_appeal_api, appeal_pages as label_appeal_pages
from services.label import certificate_pages as label_certificate_pages, complaint_pages as label_complaint_pages
from services.label import criteria_pages as label_criteria_pages, document_api as label_document_api
from services.label import renewal_pages as label_renewal_pages, spot_check_pages as label_spot_check_pages
from services.label import ports as label_ports, privacy as label_privacy, store as label_store
from services.registry import api as registry_api, member_pages as registry_member_pages, pages as registry_pages
from services.registry import office_pages as registry_office_pages, ports as registry_ports
from services.registry import profile_pages as registry_profile_pages
from services.registry import handbook_pages as registry_handbook_pages
from services.registry import impact_consent as registry_impact_consent
from services.registry import supporter_pages as registry_supporter_pages, supporters as registry_supporters
from services.registry import privacy as registry_privacy, tables as registry_tables
from services.sync import agency_pages as sync_agency_pages, api as sync_api, feed as sync_feed
from services.web import account_pages, notification_pages

HUB_TRANSLATIONS = Path(hub_api.__file__).parent / "translations"


@dataclass(frozen=True)
class Service:
    """What one service brings. `exporter(conn, email=, statement=)` lists a person's records and
    `eraser(conn, email, actor, ground)` erases them (GDPR art. 15, 17); a job runs at `sopro tick`."""

    name: str
    components: tuple[Component, ...] = ()  # tables, and migrations as one Alembic branch each
    api: tuple[Blueprint, ...] = ()  # flask-smorest blueprints
    pages: tuple[Blueprint, ...] = ()  # HTML pages (services.web.page_blueprint)
    translations: tuple[Path, ...] = ()
    consumers: tuple[Callable, ...] = ()  # runtime -> (QueueSpec, EventProcessor): a site's queues
    ingest: Callable | None = None  # runtime -> (QueueSpec, EventProcessor, streams): the hub's, with healing
    exporter: Callable | None = None
    eraser: Callable | None = None
    jobs: tuple[Callable, ...] = ()  # (runtime, now) -> report lines
    # (port, runtime -> its implementation): the ports of services.contracts.ports this service answers
    provides: tuple[tuple[type, Callable], ...] = ()


REGISTRY = Service(
    "registry", components=(registry_tables.COMPONENT,), api=(registry_api.blp,),
    pages=(registry_pages.blp, registry_member_pages.blp, registry_profile_pages.blp, registry_office_pages.blp,
           registry_supporter_pages.blp, registry_handbook_pages.blp),
    jobs=(jobs.make_handbooks,),
    # no eraser: a person's statements are erased through the registry's handler, so that the hub learns
    # they no longer count, then the contacts (services.privacy.erase_person)
    exporter=registry_privacy.personal_records,
    provides=((CaseStudyPublisher, registry_ports.CaseStudies), (MemberDirectory, registry_ports.Members),
              (OfferDirectory, registry_ports.Offers), (ImpactConsent, registry_impact_consent.Consents),
              (PlatformSupporters, registry_supporters.Supporters)))
ENQUIRIES = Service(
    "enquiries",
    components=(lifecycle_tables.COMPONENT, programmes_tables.COMPONENT, matching_store.COMPONENT,
                crossborder_store.COMPONENT),
    api=(lifecycle_api.blp, programmes_api.blp, crossborder_api.blp, crossborder_parts_api.blp, impact_api.blp,
         experts_api.blp),
    # deals_pages adds the negotiation views to the enquiry pages' blueprint (it is lifecycle.pages.blp)
    pages=(deals_pages.blp, lifecycle_client_pages.blp, lifecycle_member_pages.blp, programmes_pages.blp,
           programmes_client_pages.blp, consortium_pages.blp, inbox_pages.blp, impact_pages.blp,
           impact_se_pages.blp, experts_pages.blp),
    consumers=(workers.site_members, workers.site_inbox),
    exporter=enquiries_privacy.personal_records, eraser=enquiries_privacy.erase_person,
    jobs=(jobs.expire_enquiries, jobs.fail_overdue_forwarded_parts),
    provides=((ImpactTotals, impact_ports.Totals),))
LABEL = Service(
    "label", components=(label_store.COMPONENT,), api=(label_api.blp, label_document_api.blp, label_appeal_api.blp),
    pages=(label_pages.blp, label_member_pages.blp, label_staff_pages.blp, label_renewal_pages.blp,
           label_certificate_pages.blp, label_appeal_pages.blp, label_complaint_pages.blp,
           label_spot_check_pages.blp, label_criteria_pages.blp),
    exporter=label_privacy.personal_records, eraser=label_privacy.erase_person,
    jobs=(jobs.expire_labels, jobs.end_label_suspensions, jobs.remind_label_expiry, jobs.draw_spot_checks),
    provides=((LabelRegister, label_ports.PublicRegister),))
SYNC = Service("sync", api=(sync_feed.blp, sync_api.blp))
# At the hub the same service also has the agency admin's pages: pause and resume streams, re-drive dead letters.
SYNC_AT_HUB = Service("sync", api=SYNC.api, pages=(sync_agency_pages.blp,))
HUB = Service(
    "hub", components=(hub_store.COMPONENT, hub_community_store.COMPONENT, hub_library_store.COMPONENT),
    api=(*hub_api.BLUEPRINTS, hub_library_api.blp), pages=(*hub_pages.BLUEPRINTS, hub_library_pages.blp),
    translations=(HUB_TRANSLATIONS,), ingest=workers.hub_ingest, jobs=(jobs.send_criteria_to_joined_sites,))

# The kernel's mail at a site: the people's notification settings, one-click unsubscribe, account links by
# mail, and the job that sends the outbox and writes the daily digests. Not at the hub: it keeps no addresses.
MAIL = Service("mail", pages=(notification_pages.blp, account_pages.blp), jobs=(jobs.send_notifications,))

# The platform's knowledge and community (issue 19): its events, library and national stakeholder platform.
COMMUNITY = Service(
    "community",
    components=(library_tables.COMPONENT, community_calendar_tables.COMPONENT, platforms_tables.COMPONENT),
    api=(library_api.blp, community_calendar_api.blp, platforms_api.blp),
    pages=(library_pages.blp, community_calendar_pages.blp, community_calendar_office_pages.blp, platforms_pages.blp),
    # registrations for events are personal data: listed and erased by address
    exporter=community_calendar_privacy.personal_records, eraser=community_calendar_privacy.erase_person,
    jobs=(jobs.remind_community_events,))

SITE_SERVICES = (REGISTRY, ENQUIRIES, LABEL, COMMUNITY, SYNC, MAIL)
HUB_SERVICES = (HUB, SYNC_AT_HUB)
