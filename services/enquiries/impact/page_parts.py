"""What the client's impact report (`pages.py`) and the social enterprise's own page (`se_pages.py`) share:
the period asked for, the page number, country names, and the report as a CSV or PDF download."""
from __future__ import annotations

from typing import Callable

from babel import Locale
from flask import Response, request

from services.common.clock import utc_today
from services.enquiries.impact import csv_export, pdf
from services.enquiries.impact.model import Party, Report
from services.enquiries.impact.period import ImpactPeriod, this_year
from services.enquiries.impact.reading import build_report
from services.web import forms
from services.web.i18n import language

FORMATS = {"csv": ("text/csv", csv_export.to_csv),
           "pdf": ("application/pdf", lambda found: pdf.render(found, language()))}


def asked_period() -> forms.FormState:
    """From and to as typed; this year when the request names neither."""
    typed = {name: request.args.get(name, "") for name in ("from", "to")}
    return forms.FormState(values=typed if any(name in request.args for name in typed) else this_year(utc_today()))


def load_period(state: forms.FormState) -> dict | None:
    """The period, or None with its errors beside the fields of `state`."""
    body = {name: value.strip() for name, value in state.values.items() if value.strip()}
    return forms.load(ImpactPeriod(), body, state)


def page_number() -> int:
    """The page asked for; anything that is not a page number is the first page (the links are ours)."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def country_name(code: str | None) -> str:
    return Locale.parse(language()).territories.get(code, code) if code else "–"


def download(party: Party, extension: str, wrong_period: Callable[[forms.FormState], object]):
    """The party's report over the asked period with every row, as a file in `FORMATS`; a wrong period is
    answered by `wrong_period` (the page with its errors beside the fields, 422), as on the page itself."""
    state = asked_period()
    period = load_period(state)
    if period is None:
        return wrong_period(state)
    found: Report = build_report(party, period["start"], period["end"], None)
    mimetype, write = FORMATS[extension]
    return Response(write(found), mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{csv_export.filename(found)}.{extension}"'})
