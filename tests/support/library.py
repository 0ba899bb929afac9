"""The library's tests: a tiny PDF (what `filetype` reads as PDF), a text file named .pdf, the multipart form
of an item, and items whose words only stemming finds (German compounds, Hungarian suffixes)."""
from __future__ import annotations

import io

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
TEXT = b"This is a report, honestly a PDF.\n"

GERMAN = {"kind": "master_thesis", "year": "2024", "authors": "Anna Beispiel\nKarl Muster",
          "title_de": "Arbeitsmarktintegration in Beschäftigungsprojekten",
          "abstract_de": "Wie Sozialunternehmen Menschen in Beschäftigung bringen.",
          "keywords_de": "Sozialunternehmen, Inklusion",
          "title_en": "Labour market integration in employment projects",
          "abstract_en": "How social enterprises open regional labour markets.", "keywords_en": "social enterprises"}
GERMAN_REPORT = {"kind": "report", "year": "2023", "title_de": "Regionale Arbeitsmärkte im Wandel",
                 "abstract_de": "Ein Bericht aus Niederösterreich.", "keywords_de": "Region"}
HUNGARIAN = {"kind": "report", "year": "2025", "authors": "Kovács Éva",
             "title_hu": "Szociális vállalkozásoknak szóló útmutató",
             "abstract_hu": "A foglalkoztatás gyakorlata Nyugat-Dunántúlon.",
             "keywords_hu": "szociális vállalkozás"}


def form(fields: dict, document: bytes | None = PDF, filename: str = "thesis.pdf") -> dict:
    """The multipart body of an item (a fresh file object per call)."""
    data = dict(fields)
    if document is not None:
        data["file"] = (io.BytesIO(document), filename)
    return data
