"""The site's good-practice handbook (issue 19): its published case studies, each in the reader's language,
set by the kernel's `services.web.handbook`.

A PDF is kept per language in `registry_handbook` with the fingerprint of what it was made from, and handed
out again while the fingerprint is unchanged. Saving a case study drops the kept PDFs in its own transaction
(`case_study_store`), and the fingerprint is checked on every download besides, so a download right after
a change already shows it, even if a change raced with the making of a PDF. The scheduled job
(`services.jobs.make_handbooks`) makes the dropped ones again, so that the next reader does not wait.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select

from services.common.clock import utc_today, utcnow
from services.common.db import dialect_insert
from services.registry.case_studies import LANGUAGES
from services.registry.case_study_store import search_case_studies
from services.registry.rules import ACTIVE
from services.registry.tables import handbook, organisation
from services.web.handbook import Entry, Handbook, ordered, outside_requests, render_pdf

ALL = 1_000_000  # every published case study is in the handbook


def author(site) -> str:
    """The site as its imprint names it (its operator), else by name and id."""
    return site.operator.name if site.operator else f"SoPro {site.name} ({site.id})"


def _names(conn: Connection, ids) -> dict[str, str]:
    """The names of the active organisations among `ids`: a withdrawn one is no longer named in public."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    query = select(organisation.c.id, organisation.c.name).where(organisation.c.id.in_(wanted),
                                                                 organisation.c.status == ACTIVE)
    return {row.id: row.name for row in conn.execute(query)}


def site_handbook(conn: Connection, language: str, site) -> Handbook:
    """The handbook of the site's published case studies in `language`."""
    studies = search_case_studies(conn, per_page=ALL).items
    names = _names(conn, [i for s in studies for i in (s.client_organisation_id, s.social_enterprise_id)])
    entries = []
    for study in studies:
        text = study.text_in(language)
        enterprises = [names[study.social_enterprise_id]] if study.social_enterprise_id in names else []
        enterprises += [p.organisation_name for p in study.partners
                        if p.organisation_name and p.organisation_name not in enterprises]
        impact = study.impact
        entries.append(Entry(
            title=text.title, summary=text.summary, year=study.year, cpv_codes=tuple(study.cpv_codes),
            social_enterprises=tuple(enterprises), client=names.get(study.client_organisation_id),
            value_paid_eur=impact.value_paid_eur, material_diverted_kg=impact.material_diverted_kg,
            integration_hours=impact.integration_hours))
    return Handbook(language=language, author=author(site), whose=site.name, entries=ordered(entries))


def handbook_pdf(runtime, language: str, today: date | None = None) -> bytes:
    """The PDF in `language`: the kept one while its fingerprint holds, else made now and kept (within an
    app context, for the language's words)."""
    site = runtime.settings.site
    with runtime.engine.connect() as conn:
        book = site_handbook(conn, language, site)
        kept = conn.execute(select(handbook.c.fingerprint, handbook.c.pdf)
                            .where(handbook.c.language == language)).first()
    fingerprint = book.fingerprint()
    if kept is not None and kept.fingerprint == fingerprint:
        return kept.pdf
    pdf = render_pdf(book, today or utc_today())
    row = {"language": language, "fingerprint": fingerprint, "pdf": pdf, "generated_at": utcnow()}
    with runtime.engine.begin() as conn:
        insert = dialect_insert(conn, handbook).values(**row)
        conn.execute(insert.on_conflict_do_update(index_elements=[handbook.c.language],
                                                  set_={k: v for k, v in row.items() if k != "language"}))
    return pdf


def missing_languages(runtime) -> list[str]:
    """The languages whose PDF is not kept (dropped by a change, or never made)."""
    with runtime.engine.connect() as conn:
        kept = set(conn.execute(select(handbook.c.language)).scalars())
    return [lang for lang in LANGUAGES if lang not in kept]


def make_missing(runtime, today: date) -> list[str]:
    """The scheduled job's work: every language's PDF the last change dropped is made again."""
    made = []
    with outside_requests(runtime):
        for language in missing_languages(runtime):
            handbook_pdf(runtime, language, today)
            made.append(language)
    return made
