"""How the hub applies the registry's, the enquiries service's and the label service's events to its
consolidated store.

The consumer runner (services/sync) calls `HANDLERS[env.type](conn, env)` inside the transaction that
also writes the event's tracking row, only for events it has not applied before, after checking the
signature and validating `env.data`. So a handler only has to get the order right: per aggregate,
the event with the greatest `aggregate_version` wins, whatever order events arrive in (a gap pulled
from the feed later, a redelivery). An upsert that writes only a newer version does that in one
statement; the processor writes a batch's snapshots together (`payload_rows.write_snapshots`: one
multi-row upsert per table), each handler here only turning its event into a `Snapshot`.

The row key is (env.site, env.aggregate_id): the envelope, not the payload, says whose entity it is.
What each payload's row holds is in payload_rows.py.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import Connection, Table

from services.common.envelope import Envelope
from services.contracts.events import community, enquiries, label, registry
from services.hub.community import consumers as community_consumers
from services.hub.crossborder.flow import CrossBorder
from services.hub.enquiries import store as enquiry_store
from services.hub.labels import store as label_store
from services.hub.library.consumers import apply_library_item
from services.hub.payload_rows import (
    Snapshot, agreement_row, batched, case_study_row, confirmed_statement_row, enquiry_row, impact_row, label_row,
    offer_row, organisation_row, profile_row, snapshot, snapshot_handler, support_statement_row,
)
from services.hub.register import store as register_store

# The services whose streams the hub ingests (its queue `hub.ingest` binds their facts from every site).
# Each service here is also a stream `<site>/<service>` the reconciler expects from every member site.
INGEST_SERVICES = ("registry", "enquiries", "label", "community")

Handler = Callable[[Connection, Envelope], None]


def binding_keys() -> list[str]:
    """Facts are routed as `<site>.<type>`: every site's events of each ingested service."""
    return [f"*.{service}.#" for service in INGEST_SERVICES]


# --- handlers ----------------------------------------------------------------------------------------

def _status_change(table: Table, status: str) -> Handler:
    """A withdrawal or erasure: only the status changes; a tombstone if the snapshot is not yet here."""

    def prepare(env: Envelope) -> Snapshot:
        return snapshot(env, table, {"status": status})

    prepare.__name__ = f"mark_{table.name}_{status}"
    return batched(prepare)


def _offer_codes(conn: Connection, written: list[Snapshot]) -> None:
    register_store.replace_offer_cpv_codes(conn, [(s.env.site, s.env.aggregate_id, s.row["cpv_codes"]) for s in written])


def _enquiry_codes(conn: Connection, written: list[Snapshot]) -> None:
    enquiry_store.replace_enquiry_cpv_codes(conn, [(s.env.site, s.env.aggregate_id, s.row["cpv_codes"])
                                                   for s in written])


def _label_codes(conn: Connection, written: list[Snapshot]) -> None:
    label_store.replace_label_cpv_codes(conn, [(s.env.site, s.env.aggregate_id, s.row["cpv_codes"]) for s in written])


@batched
def apply_offer(env: Envelope) -> Snapshot:
    return snapshot(env, register_store.hub_offer, offer_row(env.data), then=_offer_codes)


@batched
def apply_enquiry(env: Envelope) -> Snapshot:
    return snapshot(env, enquiry_store.hub_enquiries, enquiry_row(env.data), then=_enquiry_codes)


class ForeignLabelNumber(ValueError):
    """A site published a label whose number names another site."""


@batched
def apply_label(env: Envelope) -> Snapshot:
    # A number names its deciding site (SOPRO-<site>-...): a site cannot grant or change another's label.
    # Raising quarantines the event (dead-lettered with this reason); the stream moves on.
    # A number already held by another label id fails the same way, on the table's unique constraint.
    if not env.data["number"].startswith(f"SOPRO-{env.site}-"):
        raise ForeignLabelNumber(f"{env.site} published label {env.data['number']} of another site")
    return snapshot(env, label_store.hub_labels, label_row(env.data), then=_label_codes)


class ForeignProfile(ValueError):
    """A profile event whose data names another organisation than its envelope's aggregate."""


@batched
def apply_profile(env: Envelope) -> Snapshot:
    # The envelope says whose row it is; a payload naming another organisation is quarantined with this
    # reason (dead-lettered) rather than filed under either.
    if str(env.data["organisation_id"]) != str(env.aggregate_id):
        raise ForeignProfile(f"profile of {env.data['organisation_id']} sent as organisation {env.aggregate_id}")
    return snapshot(env, register_store.hub_organisation_profile, profile_row(env.data))


# Agreement events are full snapshots whatever their verb: the status says made, cancelled or delivered.
apply_agreement = snapshot_handler(enquiry_store.hub_agreements, agreement_row)

HANDLERS: dict[str, Handler] = {
    registry.OrganisationRegistered.TYPE: snapshot_handler(register_store.hub_organisation, organisation_row),
    registry.OrganisationUpdated.TYPE: snapshot_handler(register_store.hub_organisation, organisation_row),
    registry.OrganisationWithdrawn.TYPE: _status_change(register_store.hub_organisation, "withdrawn"),
    registry.OrganisationProfileChanged.TYPE: apply_profile,
    registry.OfferPublished.TYPE: apply_offer,
    registry.OfferUpdated.TYPE: apply_offer,
    registry.OfferWithdrawn.TYPE: _status_change(register_store.hub_offer, "withdrawn"),
    registry.SupportStatementRecorded.TYPE: snapshot_handler(register_store.hub_support_statement, support_statement_row),
    registry.SupportStatementConfirmed.TYPE: snapshot_handler(register_store.hub_support_statement, confirmed_statement_row),
    registry.SupportStatementWithdrawn.TYPE: _status_change(register_store.hub_support_statement, "withdrawn"),
    registry.SupportStatementErased.TYPE: _status_change(register_store.hub_support_statement, "erased"),
    registry.CaseStudyPublished.TYPE: snapshot_handler(register_store.hub_case_study, case_study_row),
    registry.CaseStudyUpdated.TYPE: snapshot_handler(register_store.hub_case_study, case_study_row),
    registry.CaseStudyWithdrawn.TYPE: _status_change(register_store.hub_case_study, "withdrawn"),
    enquiries.EnquirySubmitted.TYPE: apply_enquiry,
    enquiries.EnquiryChanged.TYPE: apply_enquiry,
    enquiries.AgreementMade.TYPE: apply_agreement,
    enquiries.AgreementCancelled.TYPE: apply_agreement,
    enquiries.AgreementDelivered.TYPE: apply_agreement,
    enquiries.ImpactRecorded.TYPE: snapshot_handler(enquiry_store.hub_impact, impact_row),
    # Label events are full snapshots whatever their verb: the status says which decision it was.
    label.LabelGranted.TYPE: apply_label,
    label.LabelRenewed.TYPE: apply_label,
    label.LabelSuspended.TYPE: apply_label,
    label.LabelReinstated.TYPE: apply_label,
    label.LabelRevoked.TYPE: apply_label,
    label.LabelExpired.TYPE: apply_label,
    # Library items are full snapshots whatever their verb: the status says published or withdrawn.
    community.LibraryItemPublished.TYPE: apply_library_item,
    community.LibraryItemUpdated.TYPE: apply_library_item,
    community.LibraryItemWithdrawn.TYPE: apply_library_item,
    # Community events and platform members: full snapshots (services/hub/community/consumers.py).
    **community_consumers.HANDLERS,
}


def handlers(settings) -> dict[str, Handler]:
    """Every handler of the hub's ingest: the consolidated store's, and the cross-border flow's
    (`crossborder.flow`: requests, answers of both versions, and the parts' production, deliveries and
    failures), which needs the federation's rates, costs and site coordinates."""
    return {**HANDLERS, **CrossBorder(settings).handlers(apply_enquiry)}
