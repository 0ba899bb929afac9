"""The network's handbook from the hub's consolidated case studies (`hub_case_study`, as the sites' events
made it): each in the reader's language (its `texts`, event version 2; a case study sent as version 1 has
none and is shown in its original language), its parties named where the hub knows them as active
organisations, and the site that published it.

The PDFs are kept in memory, one per language, with the fingerprint of what each was made from: a
case-study event the hub ingests changes what `network_handbook` gathers, so its fingerprint, and the next
download is made again. The hub keeps no table for it; a restarted hub makes each language once more.
"""
from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import Connection, select

from services.hub.register.store import (
    CASE_STUDY_PUBLISHED, ORGANISATION_ACTIVE, hub_case_study, hub_organisation)
from services.web.handbook import Entry, Handbook, ordered, render_pdf, text_in

_kept: dict[str, tuple[str, bytes]] = {}  # language -> (fingerprint, PDF)
_lock = threading.Lock()


def author(federation) -> str:
    hub = federation.hub
    return hub.operator.name if hub.operator else hub.name


def _names(conn: Connection, keys) -> dict[tuple[str, str], str]:
    wanted = {k for k in keys if k[1]}
    if not wanted:
        return {}
    o = hub_organisation
    query = select(o.c.site, o.c.id, o.c.name).where(o.c.status == ORGANISATION_ACTIVE,
                                                   o.c.id.in_(sorted({i for _, i in wanted})))
    return {(row.site, str(row.id)): row.name for row in conn.execute(query) if (row.site, str(row.id)) in wanted}


def network_handbook(conn: Connection, language: str, federation) -> Handbook:
    t = hub_case_study
    rows = conn.execute(select(t).where(t.c.status == CASE_STUDY_PUBLISHED)).all()
    names = _names(conn, [(r.site, str(r.client_organisation_id or "")) for r in rows]
                   + [(r.site, str(r.social_enterprise_id or "")) for r in rows])
    entries = []
    for r in rows:
        title, summary = text_in(language, r.title or "", r.summary or "", r.texts)
        enterprise = names.get((r.site, str(r.social_enterprise_id or "")))
        site = federation.sites.get(r.site)
        entries.append(Entry(
            title=title, summary=summary, year=r.year, cpv_codes=tuple(r.cpv_codes or ()),
            social_enterprises=(enterprise,) if enterprise else (),
            client=names.get((r.site, str(r.client_organisation_id or ""))),
            value_paid_eur=r.value_paid_eur, material_diverted_kg=r.material_diverted_kg,
            integration_hours=r.integration_hours, site=f"{site.name} ({r.site})" if site else r.site))
    return Handbook(language=language, author=author(federation), whose=None, entries=ordered(entries))


def handbook_pdf(runtime, language: str, today: date) -> bytes:
    """The PDF in `language`: the kept one while its fingerprint holds, else made now (within an app context)."""
    with runtime.engine.connect() as conn:
        book = network_handbook(conn, language, runtime.settings.federation)
    fingerprint = book.fingerprint()
    with _lock:
        kept = _kept.get(language)
    if kept is not None and kept[0] == fingerprint:
        return kept[1]
    pdf = render_pdf(book, today)
    with _lock:
        _kept[language] = (fingerprint, pdf)
    return pdf
