"""The blueprint of the staff's registry pages (`office_pages` lists the modules adding their views to it),
and what those views share: reading, the organisations to choose from, refusals shown on a form, the
confirmation page of a withdrawal."""
from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from services.common.errors import SoproError
from services.common.runtime import current_runtime
from services.registry.organisation_store import search_organisations
from services.registry.organisations import SOCIAL_ENTERPRISE, Organisation
from services.registry.rules import ACTIVE
from services.registry.schemas import Reason
from services.registry.tables import organisation
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint

STAFF = ("site_admin", "broker")
blp = page_blueprint("office_pages", __name__)
# After the enquiries (10) and the statements (25): a broker still lands on the enquiries' board.
nav_link(blp, "organisations", _l("Organisations"), roles=STAFF, area=OFFICE_AREA, order=26)
nav_link(blp, "case_studies", _l("Case studies"), roles=STAFF, area=OFFICE_AREA, order=27)

PER_PAGE = 25
CHOICES_LIMIT = 500  # the organisations a select offers: a site has a few hundred members at most


def read(fn, *args, **kwargs):
    with current_runtime().engine.connect() as conn:
        return fn(conn, *args, **kwargs)


def active_organisations() -> list[Organisation]:
    """The site's active organisations by name, for a select list."""
    found = read(search_organisations, statuses=(ACTIVE,), per_page=CHOICES_LIMIT).items
    return sorted(found, key=lambda o: o.name.casefold())


def organisation_names(conn, ids) -> dict[str, str]:
    """The names of the organisations `ids`, withdrawn ones too (staff see what a record names)."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    t = organisation
    return dict(conn.execute(select(t.c.id, t.c.name).where(t.c.id.in_(wanted))).all())


def organisation_choices(social_enterprises: bool) -> list[tuple[str, str]]:
    """(id, "name · town") of the active social enterprises, or of the other organisations (clients)."""
    return [(o.id, f"{o.name} · {o.address.town}") for o in active_organisations()
            if (o.kind == SOCIAL_ENTERPRISE) == social_enterprises]


def refused(exc: SoproError, state: forms.FormState) -> None:
    """A 422 beside its fields, a 409 above the form; a 403 or 404 is the kernel's error page."""
    if exc.status not in (409, 422):
        raise exc
    if exc.code == "duplicate_registration":  # a conflict about one field: said beside it
        state.add_errors(exc.errors)
        return
    forms.apply_domain_error(exc, state)


def status_of(state: forms.FormState) -> int:
    return 409 if state.message and not state.errors else 422


def withdrawal_page(withdraw, done: str, done_url: str, **page):
    """A withdrawal's confirmation page (registry/office_withdraw.html, `page` fills it) and its POST: with a
    reason given (the API's `Reason`), `withdraw(uow, reason)` runs and the person goes on to `done_url`
    with the message `done`; a refusal is said on the page."""
    state = forms.FormState()
    if request.method == "POST":
        body, state.values = forms.body_from(request.form, ("reason",))
        loaded = forms.load(Reason(), body, state)
        if loaded is not None:
            try:
                withdraw(current_runtime().uow(), loaded["reason"])
            except SoproError as exc:
                refused(exc, state)
            else:
                flash(done, "success")
                return redirect(done_url)
    return render_template("registry/office_withdraw.html", form=state, **page), \
        200 if request.method == "GET" else status_of(state)
