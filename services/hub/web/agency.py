"""The agency dashboard at the hub (agency_viewer, agency_admin, after login): the network at a
glance, consolidated members, offers and enquiries across sites, cross-border orders with their parts
(one order's timeline in `agency_orders`), impact charts per site and year, and the federation's health.

Read-only: the agency looks; the sites act. Filters are the API's query schemas (`public.read_query`).
"""
from __future__ import annotations

from decimal import Decimal

from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from services.common.auth import roles
from services.common.errors import Invalid, NotFound
from services.common.runtime import current_runtime
from services.contracts.events.enquiries import ENQUIRY_STATES, ENQUIRY_TYPES
from services.hub.consumers import INGEST_SERVICES
from services.hub.crossborder import store as crossborder_store
from services.hub.enquiries import store as enquiry_store
from services.hub.web import agency_orders, health
from services.hub.enquiries import impact
from services.hub.register import queries as registry_queries
from services.hub.register import stats, tallies
from services.hub.query import member_site_ids
from services.hub.register.api import ConsolidatedQuery
from services.hub.web.charts import ChartTexts, impact_charts, with_mean_distances
from services.hub.crossborder.api import OrderQuery
from services.hub.enquiries.api import EnquiryQuery, ImpactQuery
from services.contracts.events.hub import ORDER_STATES_V2
from services.hub.web.public import hub_choices, member_sites, read_query, status_of
from services.contracts.events.registry import ORGANISATION_KINDS
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint
from services.web.i18n import language
from services.web.vocabulary import choices

AGENCY = ("agency_viewer", "agency_admin")
PER_PAGE = 25

blp = page_blueprint("agency", __name__, url_prefix="/agency")

for _endpoint, _label, _order in (
    ("overview", _l("Overview"), 10), ("members", _l("Members"), 20), ("offers", _l("Offers"), 30),
    ("enquiries", _l("Enquiries"), 40), ("cross_border", _l("Cross-border orders"), 50),
    ("impact_page", _l("Impact"), 60), ("health_page", _l("Federation health"), 70),
):
    nav_link(blp, _endpoint, _label, roles=AGENCY, area=OFFICE_AREA, order=_order)


def chart_texts() -> dict[str, ChartTexts]:
    return {
        "economic": ChartTexts(str(_l("Economic: value paid to social enterprises")), "EUR"),
        "ecological": ChartTexts(str(_l("Ecological: material diverted from waste")), "kg"),
        "regional": ChartTexts(str(_l("Regional: mean distance from production to delivery")), "km"),
        "social": ChartTexts(str(_l("Social: hours of work for people in integration")), str(_l("hours"))),
    }


def _charts(conn, site: str | None = None, year: int | None = None):
    """The impact totals and charts, from the sums the database keeps per site and year (`tallies`)."""
    sites = [site] if site else member_site_ids()
    summary = impact.summarise(sites, tallies.impact_cells(conn, site, year), tallies.production_regions(conn, site, year))
    charted = with_mean_distances(summary, mean_distances(conn, site, year))
    return summary, impact_charts(charted, chart_texts(), language())


def mean_distances(conn, site: str | None, year: int | None) -> dict[tuple[str, int], Decimal]:
    """(site, year) -> mean distance of the impact records that state one."""
    return tallies.mean_distances(conn, site, year)


def latest_enquiries(conn, limit: int = 8) -> list:
    """The newest submissions, along `ix_hub_enquiries_latest` (no count, no sort of the whole table)."""
    enq = enquiry_store.hub_enquiries
    newest = (enq.c.submitted_at.desc(), enq.c.site.desc(), enq.c.reference.desc(), enq.c.id.desc())
    rows = list(conn.execute(select(enq).where(enq.c.submitted_at.is_not(None)).order_by(*newest).limit(limit))
                .mappings())
    if len(rows) < limit:  # never submitted (at the hub only in tests): after the submitted ones
        rows += conn.execute(select(enq).where(enq.c.submitted_at.is_(None))
                             .order_by(enq.c.site, enq.c.reference, enq.c.id).limit(limit - len(rows))).mappings()
    return rows


def _stream_health(conn) -> list[health.StreamHealth]:
    expected = [f"{site}/{service}" for site in member_site_ids() for service in INGEST_SERVICES]
    return health.summarise_streams(expected, health.positions(conn), health.quarantined_counts(conn),
                                    health.heads(conn), health.paused_streams(conn))


# --- views -------------------------------------------------------------------------------------------

@blp.route("/")
@roles(*AGENCY)
def overview():
    with current_runtime().engine.connect() as conn:
        figures = stats.statistics(conn, member_site_ids())
        latest = latest_enquiries(conn)
        _, charts = _charts(conn)
        streams = _stream_health(conn)
        _, open_dead = health.dead_letters(conn, limit=0)
        orders = crossborder_store.list_orders(conn, 1, 5)
    return render_template("hub/agency/overview.html", figures=figures, latest=latest, charts=charts,
                           streams=streams, open_dead=open_dead, orders=orders.items, order_count=orders.total)


def _registry_list(template: str, listing):
    """A consolidated list page by cursor: `after` (the link of "Next page") continues it."""
    args, state = read_query(ConsolidatedQuery())
    found = None
    if args is not None:
        with current_runtime().engine.connect() as conn:
            try:
                found = listing(conn, _registry_filters(args), args["page"], PER_PAGE, args.get("after"))
            except Invalid as exc:
                state.add_errors(exc.errors)
    return render_template(template, form=state, rows=found.items if found else [], found=found,
                           sites=member_sites(), kinds=choices(ORGANISATION_KINDS)), status_of(state)


@blp.route("/members")
@roles(*AGENCY)
def members():
    return _registry_list("hub/agency/members.html", registry_queries.list_organisations)


@blp.route("/offers")
@roles(*AGENCY)
def offers():
    return _registry_list("hub/agency/offers.html", registry_queries.list_offers)


def _registry_filters(args: dict) -> registry_queries.Filters:
    return registry_queries.Filters(site=args.get("site"), kind=args.get("kind"), cpv=args.get("cpv"),
                                    region=args.get("region"), text=args.get("q"))


@blp.route("/enquiries")
@roles(*AGENCY)
def enquiries():
    args, state = read_query(EnquiryQuery())
    found = None
    if args is not None:
        with current_runtime().engine.connect() as conn:
            try:
                found = enquiry_store.list_enquiries(conn, _enquiry_filters(args), args["page"], PER_PAGE,
                                                     args.get("after"))
            except Invalid as exc:
                state.add_errors(exc.errors)
    return render_template("hub/agency/enquiries.html", form=state, rows=found.items if found else [], found=found,
                           sites=member_sites(), types=choices(ENQUIRY_TYPES), states=choices(ENQUIRY_STATES)), \
        status_of(state)


def _enquiry_filters(args: dict) -> enquiry_store.EnquiryFilters:
    return enquiry_store.EnquiryFilters(
        site=args.get("site"), state=args.get("state"), type=args.get("type"), cpv=args.get("cpv"),
        year=args.get("year"), cross_border_flagged=args.get("cross_border_flagged"))


@blp.route("/enquiries/<uuid:enquiry_id>")
@roles(*AGENCY)
def enquiry(enquiry_id):
    with current_runtime().engine.connect() as conn:
        found = enquiry_store.get_enquiry(conn, str(enquiry_id))
        if found is None:
            raise NotFound(f"no enquiry {enquiry_id}")
        site, key = found["site"], found["id"]
        agreements = enquiry_store.agreements_of(conn, site, key)
        impact_records = enquiry_store.impact_of(conn, site, key)
        order = crossborder_store.order_for_enquiry(conn, site, key)
        parts = agency_orders.parts_of(conn, order) if order else []
        names = agency_orders.organisation_names(conn, site, [a["organisation_id"] for a in agreements])
    return render_template("hub/agency/enquiry.html", enquiry=found, agreements=agreements,
                           impact_records=impact_records, order=order, parts=parts, names=names)


@blp.route("/cross-border")
@roles(*AGENCY)
def cross_border():
    """Cross-border orders, each with its parts (every part forwarded, declined ones included)."""
    args, state = read_query(OrderQuery())
    found, parts = None, {}
    if args is not None:
        with current_runtime().engine.connect() as conn:
            try:
                found = crossborder_store.list_orders(conn, args["page"], PER_PAGE, args.get("status"),
                                                      args.get("site"), args.get("after"))
            except Invalid as exc:
                state.add_errors(exc.errors)
            else:
                parts = {o["id"]: agency_orders.parts_of(conn, o) for o in found.items}
    return render_template("hub/agency/cross_border.html", form=state, orders=found.items if found else [],
                           parts=parts, found=found, sites=member_sites(), statuses=hub_choices(ORDER_STATES_V2)), \
        status_of(state)


blp.add_url_rule("/cross-border/<uuid:order_id>", view_func=roles(*AGENCY)(agency_orders.order_page))


@blp.route("/impact")
@roles(*AGENCY)
def impact_page():
    args, state = read_query(ImpactQuery())
    summary, charts = None, []
    if args is not None:
        with current_runtime().engine.connect() as conn:
            summary, charts = _charts(conn, args.get("site"), args.get("year"))
    return render_template("hub/agency/impact.html", form=state, summary=summary, charts=charts,
                           sites=member_sites()), status_of(state)


@blp.route("/health")
@roles(*AGENCY)
def health_page():
    with current_runtime().engine.connect() as conn:
        streams = _stream_health(conn)
        letters, open_dead = health.dead_letters(conn, limit=50)
    return render_template("hub/agency/health.html", streams=streams, letters=letters, open_dead=open_dead,
                           form=forms.FormState())
