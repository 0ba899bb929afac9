"""The 45 CPV divisions with their labels in English, German and Hungarian (data/cpv-divisions.csv).

The English labels are the CPV 2008 ones (services/contracts/data/cpv-2008-en.csv); finer codes are
shown with their English label behind the division's label in the page's language.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from services.contracts import cpv

DIVISIONS_FILE = Path(__file__).resolve().parent / "data" / "cpv-divisions.csv"


@lru_cache(maxsize=1)
def divisions() -> dict[str, dict[str, str]]:
    """{"45000000": {"en": ..., "de": ..., "hu": ...}, ...} in code order."""
    with DIVISIONS_FILE.open(encoding="utf-8", newline="") as f:
        return {row["code"]: {lang: row[lang] for lang in ("en", "de", "hu")} for row in csv.DictReader(f)}


def division_label(code: str, language: str) -> str:
    labels = divisions().get(cpv.division(code))
    return labels.get(language) or labels["en"] if labels else code


def code_label(code: str, language: str) -> str:
    """A code for people: its division in the page's language; a finer code with its number (and, in
    English, its own label: the vocabulary's finer labels exist in English only here)."""
    if code == cpv.division(code):
        return division_label(code, language)
    if language == "en":
        return f"{division_label(code, language)}: {cpv.label(code) or code}"
    return f"{division_label(code, language)} ({code})"


def division_choices(language: str) -> list[tuple[str, str]]:
    """(two digits, label) of every division, for a select list."""
    return [(code[:2], f"{code[:2]} – {labels.get(language) or labels['en']}") for code, labels in divisions().items()]


def division_code_choices(language: str) -> list[tuple[str, str]]:
    """(eight-digit code, label) of every division: a division is a CPV code in its own right."""
    return [(code, f"{code[:2]} – {labels.get(language) or labels['en']}") for code, labels in divisions().items()]
