"""The good-practice handbook (issue 19): the published case studies and their impact, in de, hu or en, as a
PDF and as a web page, of one site or of the whole network.

Pure and shared: a site (services/registry/handbook.py) and the hub (services/hub/handbook/) each gather
their published case studies into a `Handbook` of `Entry`s, with each case study's title and summary
already in the handbook's language, and this module sets it. So the two never import each other and the
PDF reads the same wherever it is made. `fingerprint()` says what a handbook was made from: a stored PDF
is reused while it is unchanged and made again when any case study in it changed.

Set with reportlab's platypus in DejaVu Sans (ő and ű), A4, like the impact report: a title page (whose
handbook, the language, the date), an introduction, one section per case study (its year, its fields of
the CPV in the language, the social enterprises and the client that are public, the impact figures
written by the pages' own formatters), and a closing table of the totals.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from flask_babel import force_locale, gettext as _, ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from services.web.cpv_labels import division_label
from services.web.dates import show_date
from services.web.i18n import LANGUAGE_NAMES, show_money
from services.web.numbers import show_number
from services.web.pdf_fonts import dejavu_sans
from services.web.pdf_pages import a4_pdf

LAYOUT = 1  # raised when the PDF's layout changes, so stored PDFs of the old layout are made again
MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
GREEN, MUTED, RULE = colors.Color(0.10, 0.50, 0.22), colors.Color(0.34, 0.38, 0.42), colors.Color(0.75, 0.78, 0.80)
FIGURES = ("value_paid_eur", "material_diverted_kg", "integration_hours")


@dataclass(frozen=True)
class Entry:
    """One case study as the handbook shows it: its texts in the handbook's language, the names of the
    parties that are public (an organisation withdrawn since is not named), and its figures."""

    title: str
    summary: str
    year: int
    cpv_codes: tuple[str, ...] = ()
    social_enterprises: tuple[str, ...] = ()
    client: str | None = None
    value_paid_eur: Decimal | None = None
    material_diverted_kg: Decimal | None = None
    integration_hours: Decimal | None = None
    site: str | None = None  # the network's handbook: the site that published it


@dataclass(frozen=True)
class Handbook:
    """`whose`: the site's name, or None for the whole network; `author`: who makes it (the PDF's author)."""

    language: str
    author: str
    whose: str | None = None
    entries: tuple[Entry, ...] = field(default_factory=tuple)

    def totals(self) -> dict[str, Decimal | None]:
        return {name: sum((getattr(e, name) for e in self.entries if getattr(e, name) is not None), Decimal(0))
                if any(getattr(e, name) is not None for e in self.entries) else None for name in FIGURES}

    def fingerprint(self) -> str:
        """SHA-256 over everything the PDF shows but its date: equal fingerprints, equal handbooks."""
        content = {"layout": LAYOUT, "language": self.language, "author": self.author, "whose": self.whose,
                   "entries": [asdict(e) for e in self.entries]}
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def text_in(language: str, title: str, summary: str, texts) -> tuple[str, str]:
    """A case study's title and summary for a reader of `language`: its text in that language (`texts` as
    the events carry them, [{"language", "title", "summary"}], or {language: object with title, summary}),
    else its original text."""
    if isinstance(texts, dict):
        found = texts.get(language)
        return (found.title, found.summary) if found is not None else (title, summary)
    for text in texts or ():
        if text.get("language") == language:
            return text["title"], text["summary"]
    return title, summary


def ordered(entries) -> tuple[Entry, ...]:
    """The newest year first, then by title."""
    return tuple(sorted(entries, key=lambda e: (-e.year, e.title.casefold())))


# --- words and figures, shared by the PDF and the web page -------------------------------------------

def heading(book: Handbook) -> str:
    return _("Good-practice handbook")


def scope(book: Handbook) -> str:
    return book.whose or _("The whole network")


def introduction(book: Handbook) -> list[str]:
    count = len(book.entries)
    return [
        _("This handbook collects the published case studies of social enterprises working for clients: what "
          "was made or done, for whom, and what it achieved."),
        ngettext("It holds %(num)s case study, with the value paid to social enterprises, the material kept "
                 "from waste and the hours of work of people in integration.",
                 "It holds %(num)s case studies, with the value paid to social enterprises, the material kept "
                 "from waste and the hours of work of people in integration.", count),
        _("It is made again whenever a case study is published, changed or withdrawn."),
    ]


def figure_rows(entry) -> list[tuple[str, str]]:
    """(what, how much) of an entry's or the totals' figures, in the language of the locale in force."""
    get = entry.get if isinstance(entry, dict) else (lambda name: getattr(entry, name))
    rows = [(_("Value paid"), show_money(get("value_paid_eur"), "EUR")),
            (_("Material kept from waste"), _("%(amount)s kg", amount=show_number(get("material_diverted_kg")))),
            (_("Hours of people in integration"), show_number(get("integration_hours")))]
    return [(what, amount) for (what, amount), name in zip(rows, FIGURES) if get(name) is not None]


def fields_of(entry: Entry, language: str) -> str:
    return ", ".join(dict.fromkeys(division_label(code, language) for code in entry.cpv_codes)) or "–"


def facts(entry: Entry, language: str) -> list[tuple[str, str]]:
    rows = [(_("Year"), str(entry.year)), (_("Fields (CPV)"), fields_of(entry, language))]
    if entry.social_enterprises:
        several = len(entry.social_enterprises) > 1
        rows.append((_("Social enterprises") if several else _("Social enterprise"), ", ".join(entry.social_enterprises)))
    if entry.client:
        rows.append((_("Client"), entry.client))
    if entry.site:
        rows.append((_("Site"), entry.site))
    return rows + figure_rows(entry)


# --- the PDF -------------------------------------------------------------------------------------------

def render_pdf(book: Handbook, made_on: date) -> bytes:
    """The handbook's PDF in its language (call within an app or request context)."""
    regular, bold = dejavu_sans()
    styles = _styles(regular, bold)
    with force_locale(book.language):
        title = heading(book)
        story = [*_title_page(book, made_on, styles), *_introduction(book, styles)]
        for entry in book.entries:
            story.append(_section(entry, book.language, styles))
        story += _totals(book, styles)
        footer = f"{title} · {scope(book)} · " + _("page %(num)s", num="{page}")
    return a4_pdf(story, margin=MARGIN, footer=footer, colour=MUTED, title=f"{title} – {scope(book)}",
                  author=book.author, subject=f"{title} ({LANGUAGE_NAMES.get(book.language, book.language)})",
                  lang=book.language, footer_from=2)


def _styles(regular: str, bold: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=14)
    return {
        "cover": ParagraphStyle("cover", body, fontName=bold, fontSize=28, leading=34, textColor=GREEN),
        "whose": ParagraphStyle("whose", body, fontName=bold, fontSize=18, leading=24, spaceBefore=10),
        "h1": ParagraphStyle("h1", body, fontName=bold, fontSize=16, leading=20, spaceAfter=8, textColor=GREEN),
        "h2": ParagraphStyle("h2", body, fontName=bold, fontSize=13, leading=17, spaceBefore=14, spaceAfter=6,
                             textColor=GREEN),
        "body": body,
        "muted": ParagraphStyle("muted", body, fontSize=9, leading=12, textColor=MUTED),
        "term": ParagraphStyle("term", body, fontSize=9, leading=12, textColor=MUTED),
        "value": ParagraphStyle("value", body, fontSize=9, leading=12),
        "num": ParagraphStyle("num", body, fontSize=9, leading=12, alignment=2),
    }


def _p(text, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _title_page(book: Handbook, made_on: date, styles) -> list:
    return [Spacer(1, 60 * mm), _p(heading(book), styles["cover"]), _p(scope(book), styles["whose"]),
            Spacer(1, 8 * mm), _p(LANGUAGE_NAMES.get(book.language, book.language), styles["body"]),
            _p(show_date(made_on, "long"), styles["body"]), Spacer(1, 4 * mm), _p(book.author, styles["muted"]),
            PageBreak()]


def _introduction(book: Handbook, styles) -> list:
    story = [_p(_("Introduction"), styles["h1"])]
    story += [_p(paragraph, styles["body"]) for paragraph in introduction(book)]
    if not book.entries:
        story.append(_p(_("No case study is published yet."), styles["body"]))
    return story


def _facts_table(rows, styles) -> Table:
    table = Table([[_p(term, styles["term"]), _p(value, styles["value"])] for term, value in rows],
                  colWidths=(50 * mm, WIDTH - 50 * mm))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 1)]))
    return table


def _section(entry: Entry, language: str, styles) -> KeepTogether:
    return KeepTogether([_p(entry.title, styles["h2"]), _facts_table(facts(entry, language), styles),
                         Spacer(1, 2 * mm), _p(entry.summary, styles["body"])])


def _totals(book: Handbook, styles) -> list:
    rows = [(_("Case studies"), show_number(len(book.entries))), *figure_rows(book.totals())]
    table = Table([[_p(what, styles["value"]), _p(amount, styles["num"])] for what, amount in rows],
                  colWidths=(WIDTH - 60 * mm, 60 * mm))
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Spacer(1, 6 * mm), _p(_("The case studies together"), styles["h2"]), table]


# --- the web page ----------------------------------------------------------------------------------

def page(book: Handbook, pdf_url: str, languages=tuple(LANGUAGE_NAMES)):
    """The handbook as a web page (template `web/handbook.html`, shared by the sites and the hub), in the
    request's language, with the PDF's download in each language."""
    from flask import render_template  # noqa: PLC0415 - only the page needs Flask's templates

    return render_template(
        "web/handbook.html", book=book, heading=heading(book), whose=scope(book), introduction=introduction(book),
        sections=[(entry, facts(entry, book.language)) for entry in book.entries],
        totals=[(_("Case studies"), show_number(len(book.entries))), *figure_rows(book.totals())],
        downloads=[(lang, LANGUAGE_NAMES[lang], f"{pdf_url}?lang={lang}") for lang in languages])


def outside_requests(runtime, translation_dirs=()):
    """An app context with the pages' translations, for making a handbook where no request is (the scheduled
    job that makes them again after a change)."""
    from flask import Flask  # noqa: PLC0415
    from services.web.i18n import init_i18n  # noqa: PLC0415

    app = Flask("sopro.handbook")
    init_i18n(app, runtime, translation_dirs)
    return app.app_context()


def pdf_response(pdf: bytes, name: str, language: str):
    """The PDF as a download, named `<name>-<language>.pdf`."""
    from flask import make_response  # noqa: PLC0415

    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{language}.pdf"'
    response.headers["Content-Language"] = language
    return response
