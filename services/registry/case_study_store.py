"""Case studies in the registry's tables: loading, saving (with one row per CPV code), search."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, delete, exists, insert, or_, select

from services.common.db import Page, containing, plain, starting_with
from services.registry.case_studies import CaseStudy, Impact, Partner, Text
from services.registry.persistence import load_row, replace_codes, save, search_text
from services.registry.rules import PUBLISHED
from services.registry.search import in_statuses, page_of
from services.registry.tables import case_study, case_study_cpv, case_study_text, handbook, organisation


def case_study_from_row(row) -> CaseStudy:
    return CaseStudy(
        id=row.id, reference=row.reference, title=row.title, summary=row.summary, year=row.year,
        cpv_codes=list(row.cpv_codes), client_organisation_id=row.client_organisation_id,
        social_enterprise_id=row.social_enterprise_id,
        impact=Impact(row.value_paid_eur, row.material_diverted_kg, row.integration_hours),
        status=row.status, version=row.version, partners=[_partner(p) for p in row.partners or ()],
    )


_IMPACT = ("value_paid_eur", "material_diverted_kg", "integration_hours")


def _partner(data: dict) -> Partner:
    impact = data.get("impact") or {}
    return Partner(data["site"], data["organisation_id"], data.get("organisation_name"), data["quantity"],
                   Impact(**{k: None if impact.get(k) is None else plain(Decimal(impact[k])) for k in _IMPACT}))


def _partner_row(p: Partner) -> dict:
    return {"site": p.site, "organisation_id": p.organisation_id, "organisation_name": p.organisation_name,
            "quantity": p.quantity,
            "impact": {k: None if getattr(p.impact, k) is None else str(getattr(p.impact, k)) for k in _IMPACT}}


def load_case_study(conn: Connection, id_: str, lock: bool = False) -> CaseStudy:
    return _with_texts(conn, [case_study_from_row(load_row(conn, case_study, id_, "case study", lock))])[0]


def _with_texts(conn: Connection, studies: list[CaseStudy]) -> list[CaseStudy]:
    """The case studies with their texts in further languages (`registry_case_study_text`), in one query."""
    if studies:
        by_id = {s.id: s for s in studies}
        t = case_study_text
        for row in conn.execute(select(t).where(t.c.case_study_id.in_(list(by_id)))):
            by_id[row.case_study_id].texts[row.language] = Text(row.title, row.summary)
    return studies


def _save_texts(conn: Connection, c: CaseStudy) -> None:
    """The texts replaced whole; and the handbooks (`registry_handbook`) made from the case studies before
    this change are dropped in the same transaction, so the next download is made afresh."""
    conn.execute(delete(case_study_text).where(case_study_text.c.case_study_id == c.id))
    if c.texts:
        conn.execute(insert(case_study_text), [{"case_study_id": c.id, "language": lang, "title": text.title,
                                                "summary": text.summary} for lang, text in c.texts.items()])
    conn.execute(delete(handbook))


def save_case_study(conn: Connection, c: CaseStudy, expected_version: int) -> None:
    save(conn, case_study, dict(
        id=c.id, reference=c.reference, title=c.title, summary=c.summary, year=c.year, cpv_codes=list(c.cpv_codes),
        client_organisation_id=c.client_organisation_id, social_enterprise_id=c.social_enterprise_id,
        value_paid_eur=c.impact.value_paid_eur, material_diverted_kg=c.impact.material_diverted_kg,
        integration_hours=c.impact.integration_hours,
        search_text=search_text(c.title, c.summary, *(x for t in c.texts.values() for x in (t.title, t.summary))),
        status=c.status, version=c.version, partners=[_partner_row(p) for p in c.partners] or None,
    ), expected_version)
    replace_codes(conn, case_study_cpv, "case_study_id", c.id, c.cpv_codes)
    _save_texts(conn, c)


def search_case_studies(conn: Connection, *, page: int = 1, per_page: int = 50, statuses=(PUBLISHED,),
                        cpv: str | None = None, nuts: str | None = None, q: str | None = None,
                        year: int | None = None, organisation_id: str | None = None) -> Page:
    """`nuts`: the region of the case study's social enterprise."""
    t = case_study
    conditions = in_statuses(t, statuses)
    if cpv:
        conditions.append(exists().where(case_study_cpv.c.case_study_id == t.c.id,
                                         starting_with(case_study_cpv.c.code, cpv)))
    if nuts:
        conditions.append(exists().where(organisation.c.id == t.c.social_enterprise_id,
                                         starting_with(organisation.c.nuts3, nuts)))
    if q:
        conditions.append(containing(t.c.search_text, q.casefold()))
    if year:
        conditions.append(t.c.year == year)
    if organisation_id:
        conditions.append(or_(t.c.client_organisation_id == organisation_id,
                              t.c.social_enterprise_id == organisation_id))
    found = page_of(conn, t, conditions, page, per_page, case_study_from_row)
    _with_texts(conn, found.items)
    return found
