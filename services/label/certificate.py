"""The certificate of a granted label (issue 17): one A4 page as PDF, in de, hu or en, with the label's
number, holder, product or service, criteria version, validity and awarding site, and a QR code to the
public verification page of the issuing site (`<site url>/labels/verify?number=<number>`), because a
certificate only says what was true when it was printed: the QR code tells what is true today.

Drawn with reportlab's canvas; the QR code (segno) is drawn as vector modules, so no image library is
needed and it stays sharp at any zoom. Text is set in DejaVu Sans: reportlab's built-in Helvetica has no
Hungarian ő and ű (`services.web.pdf_fonts`, shared with the impact report).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import segno
from flask_babel import force_locale, gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from services.web.badge import verification_url
from services.web.dates import show_date
from services.web.pdf_fonts import dejavu_sans

GREEN, INK, MUTED = (0.10, 0.50, 0.22), (0.14, 0.16, 0.18), (0.34, 0.38, 0.42)
MARGIN = 56  # points: about 2 cm


@dataclass(frozen=True)
class CertifiedLabel:
    """What the certificate says: the label as its site recorded it, and who awarded it."""
    number: str
    holder_name: str
    product: str
    catalogue_version: int
    valid_from: date
    valid_until: date
    site_name: str
    site_url: str

    @property
    def verification_url(self) -> str:
        return verification_url(self.site_url, self.number)


def site_name(site) -> str:
    """The awarding site as its imprint names it (its operator), else by region and id."""
    return site.operator.name if site.operator else f"{site.name} ({site.id})"


def render_certificate(label: CertifiedLabel, lang: str) -> bytes:
    """The PDF; texts and dates in `lang` (call within a request or app context)."""
    regular, bold = dejavu_sans()
    with force_locale(lang):
        words = _words(label)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1, pageCompression=1)
    pdf.setTitle(f"{words['heading']} {label.number}")
    pdf.setAuthor(label.site_name)
    pdf.setSubject(words["label"])
    width, height = A4
    _frame(pdf, width, height)
    y = height - MARGIN - 50
    y = _centred(pdf, words["heading"], bold, 30, GREEN, width, y) - 14
    y = _centred(pdf, words["label"], bold, 15, INK, width, y) - 30
    y = _centred(pdf, words["awarded_to"], regular, 12, MUTED, width, y) - 8
    y = _centred(pdf, label.holder_name, bold, 20, INK, width, y) - 14
    y = _centred(pdf, words["for"], regular, 12, MUTED, width, y) - 8
    y = _centred(pdf, label.product, bold, 16, INK, width, y) - 36
    facts = [(words["number"], label.number), (words["criteria"], words["version"]),
             (words["valid"], words["validity"]), (words["awarded_by"], label.site_name)]
    y = _facts(pdf, facts, regular, bold, y)
    _qr_code(pdf, label.verification_url, words, regular, width, y - 24)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _words(label: CertifiedLabel) -> dict[str, str]:
    return {
        "heading": _("Certificate"),
        "label": _("Quality label “socio-ecologically produced”"),
        "awarded_to": _("is awarded to"),
        "for": _("for the product or service"),
        "number": _("Label number"),
        "criteria": _("Criteria catalogue"),
        "version": _("version %(n)s", n=label.catalogue_version),
        "valid": _("Valid"),
        "validity": _("from %(start)s to %(end)s", start=show_date(label.valid_from, "long"),
                      end=show_date(label.valid_until, "long")),
        "awarded_by": _("Awarded by"),
        "check": _("Whether the label is valid today: scan the code or open"),
    }


def _frame(pdf, width: float, height: float) -> None:
    pdf.setStrokeColorRGB(*GREEN)
    pdf.setLineWidth(3)
    pdf.rect(MARGIN / 2, MARGIN / 2, width - MARGIN, height - MARGIN)
    pdf.setLineWidth(0.8)
    pdf.rect(MARGIN / 2 + 6, MARGIN / 2 + 6, width - MARGIN - 12, height - MARGIN - 12)


def _centred(pdf, text: str, font: str, size: float, colour, width: float, y: float) -> float:
    """Centred lines, wrapped to the page; returns the baseline below the last line."""
    pdf.setFont(font, size)
    pdf.setFillColorRGB(*colour)
    for line in simpleSplit(text, font, size, width - 2 * MARGIN - 20) or [""]:
        pdf.drawCentredString(width / 2, y, line)
        y -= size * 1.3
    return y


def _facts(pdf, facts, regular: str, bold: str, y: float) -> float:
    """Term and value per row, the value wrapped beside its term."""
    left, value_x = MARGIN + 30, MARGIN + 190
    value_width = A4[0] - MARGIN - 30 - value_x
    for term, value in facts:
        pdf.setFont(regular, 11)
        pdf.setFillColorRGB(*MUTED)
        pdf.drawString(left, y, term)
        pdf.setFont(bold, 11)
        pdf.setFillColorRGB(*INK)
        for line in simpleSplit(value, bold, 11, value_width) or [""]:
            pdf.drawString(value_x, y, line)
            y -= 15
        y -= 6
    return y


def _qr_code(pdf, url: str, words: dict, regular: str, width: float, top: float) -> None:
    """The code as dark squares (runs of modules in a row drawn as one rectangle) with its quiet zone,
    and the address written out beside it for those who cannot scan."""
    qr = segno.make(url, error="m", micro=False)
    matrix = qr.matrix
    module = 3.2  # points: about 1.1 mm a module, well above what phone cameras and zbarimg need
    side = len(matrix) * module
    x0, y0 = MARGIN + 30, max(top - side, MARGIN + 20)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x0 - 4 * module, y0 - 4 * module, side + 8 * module, side + 8 * module, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c] & 1:
                start = c
                while c < len(row) and row[c] & 1:
                    c += 1
                pdf.rect(x0 + start * module, y0 + side - (r + 1) * module, (c - start) * module, module,
                         stroke=0, fill=1)
            else:
                c += 1
    text_x = x0 + side + 24
    text_width = width - MARGIN - 30 - text_x
    pdf.setFont(regular, 10)
    pdf.setFillColorRGB(*MUTED)
    y = y0 + side - 12
    for line in simpleSplit(words["check"], regular, 10, text_width):
        pdf.drawString(text_x, y, line)
        y -= 13
    pdf.setFillColorRGB(*INK)
    for line in _split_url(url, regular, 9, text_width):
        pdf.drawString(text_x, y, line)
        y -= 12


def _split_url(url: str, font: str, size: float, width: float) -> list[str]:
    """An address has no spaces to wrap at: it is cut where the line is full."""
    lines, line = [], ""
    for char in url:
        if line and pdfmetrics.stringWidth(line + char, font, size) > width:
            lines.append(line)
            line = ""
        line += char
    return lines + [line] if line else lines
