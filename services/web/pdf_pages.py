"""The A4 document every PDF with running pages is set in (the impact report, the good-practice handbook):
DejaVu Sans, the PDF's title, author, subject and language in its metadata, and a footer line with the page's
number at the foot of each page. Reproducible (`invariant`): the same story makes the same bytes, so a stored
PDF can be compared and reused."""
from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from services.web.pdf_fonts import dejavu_sans

FOOTER_ROOM = 6 * mm  # below the story, above the bottom margin: the footer's line


def a4_pdf(story: list, *, margin: float, footer: str, colour, title: str, author: str, subject: str, lang: str,
           footer_from: int = 1) -> bytes:
    """`story` set on A4 within `margin` on every side; `footer` ("{page}" where the page's number goes) drawn
    in `colour` at the foot of every page from page `footer_from` on (2: not on a title page)."""
    regular = dejavu_sans()[0]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
                            bottomMargin=margin + FOOTER_ROOM, title=title, author=author, subject=subject,
                            lang=lang, invariant=1, pageCompression=1, creator="SoPro")

    def stamp(canvas, document):
        if document.page < footer_from:
            return
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(colour)
        canvas.drawString(margin, margin, footer.replace("{page}", str(document.page)))
        canvas.restoreState()
    doc.build(story, onFirstPage=stamp, onLaterPages=stamp)
    return out.getvalue()
