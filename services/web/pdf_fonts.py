"""The font of every PDF a site makes (the label's certificate, the impact report): DejaVu Sans, because
reportlab's built-in Helvetica has no Hungarian ő and ű. Found in `services/web/fonts/` (shipped with the
code and in the wheel's package data) or Debian's fonts-dejavu-core."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from services.common.errors import Unavailable

FONT_DIRS = (Path(__file__).resolve().parent / "fonts", Path("/usr/share/fonts/truetype/dejavu"))
FONT, BOLD = "SoproSans", "SoproSans-Bold"


@lru_cache(maxsize=1)
def dejavu_sans() -> tuple[str, str]:
    """The reportlab names of the regular and bold faces, registered once."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont(FONT, str(regular)))
            pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
            pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
            return FONT, BOLD
    raise Unavailable("the PDF font DejaVu Sans is not installed (Debian: fonts-dejavu-core)")
