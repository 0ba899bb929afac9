"""The demo's library (issue 19): a few items at AT12 (German) and HU22 (Hungarian), each with a small real
PDF made here with reportlab, published through the site's own API as a broker would (multipart)."""
from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from services.web.pdf_fonts import dejavu_sans

# (kind, year, authors, {language: (title, abstract, keywords)}, the document's language)
ITEMS = {
    "AT12": [
        ("master_thesis", 2024, ["Julia Steiner"],
         {"de": ("Arbeitsmarktintegration in Beschäftigungsprojekten des Mostviertels",
                 "Die Arbeit untersucht, wie Sozialunternehmen Langzeitarbeitslose über Aufträge der regionalen "
                 "Wirtschaft in den ersten Arbeitsmarkt begleiten.",
                 "Sozialunternehmen, Arbeitsmarktintegration, Transitarbeitsplätze"),
          "en": ("Labour market integration in employment projects of the Mostviertel",
                 "How social enterprises take the long-term unemployed into the regular labour market through "
                 "orders from regional businesses.", "social enterprises, labour market integration")}, "de"),
        ("report", 2023, ["Servicestelle Niederösterreich"],
         {"de": ("Endbericht des Pilotprojekts Soziale Produktion Niederösterreich",
                 "Der Endbericht des Pilotprojekts mit vielen Praxisbeispielen: Aufträge, Wirkung, Gütesiegel.",
                 "Pilotprojekt, Praxisbeispiele, Gütesiegel"),
          "en": ("Final report of the Lower Austrian social production pilot",
                 "The pilot's final report with many practice examples: orders, impact, the quality label.",
                 "pilot, practice examples, quality label")}, "de"),
        ("training_module", 2025, ["Mag. Thomas Leitner"],
         {"de": ("Schulungsmodul: Kalkulation und Angebote für Sozialunternehmen",
                 "Ein Modul mit Übungen zur Preiskalkulation und zu öffentlichen Aufträgen.",
                 "Kalkulation, Angebote, öffentliche Aufträge")}, "de"),
    ],
    "HU22": [
        ("report", 2024, ["Kovács Anna"],
         {"hu": ("Szociális vállalkozások a Nyugat-Dunántúlon: helyzetkép",
                 "A jelentés a régió szociális szövetkezeteinek foglalkoztatási eredményeit és piaci "
                 "kapcsolatait mutatja be.", "szociális vállalkozás, foglalkoztatás, szövetkezet"),
          "en": ("Social enterprises in West Hungary: an overview",
                 "The employment results and market links of the region's social cooperatives.",
                 "social enterprise, employment")}, "hu"),
        ("bachelor_thesis", 2025, ["Szabó Réka"],
         {"hu": ("Textil-újrahasznosítás szociális szövetkezetekben",
                 "A szakdolgozat a textilhulladék feldolgozásának lehetőségeit vizsgálja a szociális "
                 "szövetkezetekben.", "textil, újrahasznosítás, körforgásos gazdaság")}, "hu"),
    ],
}


def pdf(title: str, abstract: str) -> bytes:
    """A one-page PDF with the item's title and abstract (DejaVu Sans: Hungarian ő and ű too)."""
    regular, bold = dejavu_sans()
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=1)
    page.setTitle(title)
    page.setFont(bold, 14)
    page.drawString(60, 780, title[:90])
    page.setFont(regular, 10)
    y = 750
    line = ""
    for word in abstract.split():
        if len(line) + len(word) > 95:
            page.drawString(60, y, line)
            y, line = y - 14, ""
        line = f"{line} {word}".strip()
    page.drawString(60, y, line)
    page.showPage()
    page.save()
    return out.getvalue()


def seed_library(http, base_url: str, site_id: str, ok) -> list[str]:
    """Publish the site's demo items; returns their references."""
    references = []
    for kind, year, authors, texts, doc_language in ITEMS.get(site_id, []):
        form = {"kind": kind, "year": str(year), "authors": "\n".join(authors), "document_language": doc_language}
        for lang, (title, abstract, keywords) in texts.items():
            form.update({f"title_{lang}": title, f"abstract_{lang}": abstract, f"keywords_{lang}": keywords})
        title, abstract, _ = texts[doc_language]
        item = ok(http.post(f"{base_url}/api/v1/library-items", data=form,
                            files={"file": (f"{title[:40]}.pdf", pdf(title, abstract), "application/pdf")}))
        references.append(item["reference"])
    return references
