"""An impact report as a PDF (issue 18): A4, in de, hu or en, for a company to file with its sustainability
report. Title, party and period; the totals as the page shows them; the social value beside the raw figures,
each with its proxy's source and year; where a figure can feed an ESRS disclosure and where it cannot; every
deal with its figures, so that each total is traceable to its deals; and the rates used.

Numbers, amounts and dates are written by the pages' own formatters (`show_number`, `show_money`,
`show_date`) under the report's locale, so the PDF says "1.234,5" wherever the German page does, and
`pdftotext` reads the same totals from both. Set with reportlab's platypus in DejaVu Sans (ő and ű); the
deals' table repeats its header on every page it runs over.
"""
from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from babel import Locale
from flask import current_app
from flask_babel import force_locale, get_locale, gettext as _, ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from services.common.runtime import APP_EXTENSION
from services.contracts.impact_policy import ValuedLine
from services.enquiries.impact import esrs
from services.enquiries.impact.model import CLIENT, DealRow, Report
from services.web.dates import show_date
from services.web.i18n import show_money
from services.web.numbers import show_number
from services.web.pdf_fonts import dejavu_sans
from services.web.pdf_pages import a4_pdf
from services.web.pdf_rows import PagedTable

MARGIN = 16 * mm
WIDTH = A4[0] - 2 * MARGIN
GREEN, MUTED, RULE, SHADE = (colors.Color(0.10, 0.50, 0.22), colors.Color(0.34, 0.38, 0.42),
                             colors.Color(0.75, 0.78, 0.80), colors.Color(0.93, 0.95, 0.94))
# the deals' table: reference and delivery date, counterpart and title, then six figures (the last takes the rest)
DEAL_COLUMNS = (27 * mm, 36 * mm, 23 * mm, 23 * mm, 15 * mm, 16 * mm, 18 * mm)
DEAL_COLUMNS += (WIDTH - sum(DEAL_COLUMNS),)
FIRST_FIGURE = 2  # the column of the value paid
CELL_SIZE, CELL_LEADING, CELL_PADDING, CELL_SIDES = 7.5, 9, 3, 2.5  # table text: points


def render(report: Report, locale: str, author: str | None = None) -> bytes:
    """The report's PDF, its texts, numbers and dates in `locale` (call within an app or request context).
    `author` is the site that made it; by default the site of the running app."""
    regular, bold = dejavu_sans()
    styles = _styles(regular, bold)
    with force_locale(locale):
        title = _("Impact report")
        story = [*_heading(report, title, styles), *_totals(report, styles), *_social_value(report, styles),
                 *_esrs(styles), *_deals(report, styles), *_rates(report, styles)]
        footer = f"{report.party.name} · {_period(report)} · " + _("page %(num)s", num="{page}")
    return a4_pdf(story, margin=MARGIN, footer=footer, colour=MUTED, title=f"{title} – {report.party.name}",
                  author=author or _site(), subject=f"{report.party.name}: {_period(report, locale)}", lang=locale)


def _site() -> str:
    """The running site as its imprint names it (its operator), else by name and id."""
    runtime = current_app.extensions.get(APP_EXTENSION)
    if runtime is None:
        return "SoPro"
    site = runtime.settings.site
    return site.operator.name if site.operator else f"{site.name} ({site.id})"


def _styles(regular: str, bold: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12)
    return {
        "title": ParagraphStyle("title", body, fontName=bold, fontSize=20, leading=24, textColor=GREEN),
        "party": ParagraphStyle("party", body, fontName=bold, fontSize=14, leading=18, spaceBefore=4),
        "h2": ParagraphStyle("h2", body, fontName=bold, fontSize=12, leading=15, spaceBefore=12, spaceAfter=5,
                             textColor=GREEN),
        "body": body,
        "muted": ParagraphStyle("muted", body, fontSize=8, leading=10.5, textColor=MUTED),
        "term": ParagraphStyle("term", body, fontName=bold),
        "cell": ParagraphStyle("cell", body, fontSize=7.5, leading=9),
        "head": ParagraphStyle("head", body, fontName=bold, fontSize=7.5, leading=9),
        "num": ParagraphStyle("num", body, fontSize=7.5, leading=9, alignment=2),
        "numhead": ParagraphStyle("numhead", body, fontName=bold, fontSize=7.5, leading=9, alignment=2),
    }


def _p(text, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _period(report: Report, locale: str | None = None) -> str:
    if locale is not None:
        with force_locale(locale):
            return _period(report)
    return _("From %(start)s to %(end)s", start=show_date(report.start), end=show_date(report.end))


def _share(value) -> str:
    return "–" if value is None else f"{show_number(value * 100, 1)} %"


def _figure(value, digits: int = 1) -> str:
    return "–" if value is None else show_number(value, digits)


def _heading(report: Report, title: str, styles) -> list:
    whose = (_("Deals delivered to this organisation by social enterprises") if report.party.role == CLIENT
             else _("Deals this social enterprise delivered"))
    return [_p(title, styles["title"]), _p(report.party.name, styles["party"]),
            _p(_period(report), styles["body"]), _p(whose, styles["muted"]), Spacer(1, 4 * mm)]


def _totals(report: Report, styles) -> list:
    t = report.totals
    paid = " · ".join(show_money(amount, currency) for currency, amount in t.value_paid.items()) or "–"
    facts = [
        (_("Number of deals"), show_number(t.deals)),
        (_("Value paid"), paid),
        (_("Value paid in EUR"), show_money(t.value_paid_eur, "EUR")),
        (_("Hours of people in integration"), show_number(t.integration_hours, 1)),
        (_("Material kept from waste (kg)"), show_number(t.material_diverted_kg, 1)),
        (_("Regional share"), _share(t.regional_share)),
        (_("Distance from production (km)"), _figure(t.distance_km)),
    ]
    table = Table([[_p(term, styles["term"]), _p(value, styles["body"])] for term, value in facts],
                  colWidths=(90 * mm, WIDTH - 90 * mm), hAlign="LEFT")
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (0, -1), 0)]))
    story = [_p(_("Totals"), styles["h2"]), table]
    if t.recorded < t.deals:
        story.append(_p(ngettext("%(count)s deal has no impact record (delivered before impact was recorded); "
                                 "it counts among the deals but adds no figures.",
                                 "%(count)s deals have no impact record (delivered before impact was recorded); "
                                 "they count among the deals but add no figures.",
                                 t.deals - t.recorded, count=show_number(t.deals - t.recorded)), styles["muted"]))
    story.append(_p(_("Regional share and distance are averages weighted by the quantity each deal delivered."),
                    styles["muted"]))
    return story


def _country(code: str) -> str:
    return Locale.parse(str(get_locale() or "en")).territories.get(code, code)


def _per_unit(line: ValuedLine) -> str:
    value = show_money(line.proxy.value, line.proxy.currency)
    if line.proxy.figure == "integration_hours":
        return _("%(value)s per hour", value=value)
    return _("%(value)s per kg", value=value)


def _source(line: ValuedLine, style: ParagraphStyle) -> Paragraph:
    """The proxy's source, a link to it where the federation file gives its address."""
    source = escape(line.proxy.source)
    if line.proxy.url and line.proxy.url.startswith(("https://", "http://")):
        source = f'<a href="{escape(line.proxy.url, {chr(34): "&quot;"})}" color="#1a7f38">{source}</a>'
    return Paragraph(source, style)


def _social_value(report: Report, styles) -> list:
    story = [_p(_("Social value in money"), styles["h2"]),
             _p(_("A proxy puts a money value on a raw figure of the country where the work was done. The values "
                  "are estimates beside the raw figures, never in their place."), styles["muted"]),
             Spacer(1, 2 * mm)]
    if not report.social_value:
        return story + [_p(_("No social-value proxy applies to the figures of this report."), styles["body"])]
    head = [_p(_("Figure"), styles["head"]), _p(_("Quantity"), styles["numhead"]), _p(_("Proxy"), styles["head"]),
            _p(_("Social value"), styles["numhead"]), _p(_("in EUR"), styles["numhead"]),
            _p(_("Year"), styles["head"]), _p(_("Source"), styles["head"])]
    rows = [head]
    for line in report.social_value:
        figure = (_("Hours of people in integration") if line.proxy.figure == "integration_hours"
                  else _("Material kept from waste (kg)"))
        rows.append([_p(f"{figure} ({_country(line.proxy.country)})", styles["cell"]),
                     _p(show_number(line.quantity, 1), styles["num"]), _p(_per_unit(line), styles["cell"]),
                     _p(show_money(line.value, line.proxy.currency), styles["num"]),
                     _p(show_money(line.value_eur, "EUR"), styles["num"]),
                     str(line.proxy.year), _source(line, styles["cell"])])
    total = sum((line.value_eur for line in report.social_value), start=Decimal(0))
    rows.append([_p(_("Total"), styles["head"]), "", "", "", _p(show_money(total, "EUR"), styles["numhead"]), "", ""])
    table = Table(rows, colWidths=(36 * mm, 18 * mm, 28 * mm, 25 * mm, 25 * mm, 9 * mm, WIDTH - 141 * mm), repeatRows=1)
    table.setStyle(TableStyle([*_grid(numbers=5), ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)]))
    return story + [table]


def _esrs(styles) -> list:
    names = {"value_paid": _("Value paid"), "integration_hours": _("Hours of people in integration"),
             "material_diverted_kg": _("Material kept from waste (kg)"), "regional_share": _("Regional share"),
             "distance_km": _("Distance from production (km)"), "social_value": _("Social value in money")}
    fits = {esrs.CONDITIONAL: _("Can feed this disclosure if the condition holds"),
            esrs.SUPPORTS: _("No datapoint; can support a narrative or entity-specific disclosure"),
            esrs.NONE: _("Feeds no ESRS disclosure")}
    story = [_p(_("Where the figures can feed an ESRS disclosure"), styles["h2"]),
             _p(_("The European Sustainability Reporting Standards (ESRS) by the standard’s own names. None of "
                  "these figures is a datapoint as it stands: each says under which condition it can be used, "
                  "or why it cannot."), styles["muted"])]
    for disclosure in esrs.DISCLOSURES:
        reference = disclosure.reference or _("No ESRS disclosure requirement")
        story.append(KeepTogether([
            Spacer(1, 2.5 * mm),
            _p(f"{names[disclosure.figure]} – {fits[disclosure.fit]}", styles["term"]),
            _p(reference, styles["body"]),
            _p(str(disclosure.explanation), styles["muted"])]))
    return story


def _deals(report: Report, styles) -> list:
    story = [_p(_("The deals"), styles["h2"])]
    if report.empty:
        return story + [_p(_("No deal was delivered in this period."), styles["body"])]
    counterpart = _("Social enterprise") if report.party.role == CLIENT else _("Client")

    first, *figures = [f"{escape(_('Reference'))}<br/>{escape(_('Delivered on'))}", escape(counterpart),
                       *(escape(text) for text in (_("Value paid"), _("in EUR"), _("Hours"), _("Material (kg)"),
                                                   _("Regional share"), _("Distance (km)")))]

    def head() -> list:  # called as the pages are laid out, after the texts were translated
        return [Paragraph(first, styles["head"]), Paragraph(figures[0], styles["head"]),
                *(Paragraph(text, styles["numhead"]) for text in figures[1:])]
    no_record = _("No impact was recorded for this delivery.")
    rows = [_deal_row(row, no_record) for row in report.rows] + [_total_row(report)]
    unrecorded = [("SPAN", (FIRST_FIGURE, 0), (-1, 0))]
    total = [("FONT", (0, 0), (0, 0), dejavu_sans()[1], CELL_SIZE), ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black)]
    row_commands = {i: unrecorded for i, row in enumerate(report.rows) if not row.recorded}
    row_commands[len(rows) - 1] = total
    return story + [PagedTable(head, rows, DEAL_COLUMNS, _grid(), CELL_LEADING, CELL_PADDING, row_commands)]


def _lines(text: str, width: float) -> list[str]:
    """`text` wrapped to a cell of `width`; a word longer than the cell (a title typed without spaces) is cut
    where the line is full rather than drawn across the next columns."""
    font, room = dejavu_sans()[0], width - 2 * CELL_SIDES
    lines = []
    for line in simpleSplit(text, font, CELL_SIZE, room) or [""]:
        while stringWidth(line, font, CELL_SIZE) > room and len(line) > 1:
            cut = next(i for i in range(len(line), 0, -1) if stringWidth(line[:i], font, CELL_SIZE) <= room or i == 1)
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines


def _deal_row(row: DealRow, no_record: str) -> list[str]:
    """Text cells (lines split by "\n"): the paged table measures them by their lines."""
    who = "\n".join(_lines(row.counterpart_name or "–", DEAL_COLUMNS[1]) + _lines(row.title, DEAL_COLUMNS[1]))
    start = [f"{row.reference}\n{show_date(row.delivered_on)}", who]
    if not row.recorded:
        return start + [no_record, "", "", "", "", ""]
    return start + [show_money(row.value_paid, row.currency), show_money(row.value_paid_eur, "EUR"),
                    _figure(row.integration_hours), _figure(row.material_diverted_kg), _share(row.regional_share),
                    _figure(row.distance_km)]


def _total_row(report: Report) -> list[str]:
    t = report.totals
    paid = "\n".join(show_money(amount, currency) for currency, amount in t.value_paid.items())
    return [_("Total"), "", paid or "–", show_money(t.value_paid_eur, "EUR"), show_number(t.integration_hours, 1),
            show_number(t.material_diverted_kg, 1), _share(t.regional_share), _figure(t.distance_km)]


def _grid(numbers: int = FIRST_FIGURE) -> list[tuple]:
    """Rules between rows, the header shaded, text cells from column `numbers` on to the right (Paragraph
    cells keep their own alignment)."""
    return [
        ("FONT", (0, 0), (-1, -1), dejavu_sans()[0], CELL_SIZE), ("LEADING", (0, 0), (-1, -1), CELL_LEADING),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (numbers, 1), (-1, -1), "RIGHT"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE), ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_PADDING), ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_SIDES), ("RIGHTPADDING", (0, 0), (-1, -1), CELL_SIDES),
    ]


def _rates(report: Report, styles) -> list:
    rates = "; ".join(f"1 {currency} = {show_number(rate, 5)} EUR"
                      for currency, rate in sorted(report.rates_to_eur.items()) if currency != "EUR")
    text = _("Amounts in different currencies are added up per currency. The value in euros is converted when "
             "each delivery is recorded, at the federation’s configured rate:")
    story = [_p(_("Rates used"), styles["h2"]), _p(f"{text} {rates or '–'}.", styles["body"])]
    story.append(_p(_("Social values are converted to euros at the same rates and rounded to the cent per line."),
                    styles["muted"]))
    return story
