"""The CPV 2008 vocabulary (EU Common Procurement Vocabulary): which codes exist, their labels, their tree.

Pure and importable by any service (enquiries and the hub classify with it too). The CSV next to this
module is read once, on first use. Codes are the eight digits without the check digit; a code written
with its check digit (`45000000-7`) is accepted by `normalise`.

The hierarchy lives in the digits: `39000000` is a division, `39100000` a group, `39110000` a class,
`39111000` a category. A code's *significant prefix* is its digits without the trailing zeros that
only pad it (never shorter than the two-digit division), so "everything under 39110000" is every code
starting with `3911`.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

CSV_FILE = Path(__file__).resolve().parent / "data" / "cpv-2008-en.csv"
_WRITTEN = re.compile(r"^\s*([0-9]{8})(?:-[0-9])?\s*$")
PREFIX = re.compile(r"^[0-9]{1,8}$")


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, str]:
    """Every code and its English label."""
    with CSV_FILE.open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["label_en"] for row in csv.DictReader(f)}


def normalise(written: str) -> str | None:
    """The eight-digit code of `45000000` or `45000000-7`; None if it does not look like a CPV code."""
    if not isinstance(written, str):
        return None
    match = _WRITTEN.match(written)
    return match.group(1) if match else None


def is_known(code: str) -> bool:
    normalised = normalise(code)
    return normalised is not None and normalised in vocabulary()


def label(code: str) -> str | None:
    normalised = normalise(code)
    return vocabulary().get(normalised) if normalised else None


def division(code: str) -> str:
    """The division a code belongs to, as a full code: `45233120` -> `45000000`."""
    return code[:2] + "000000"


def significant_prefix(code: str) -> str:
    """The digits that place a code in the tree: `39110000` -> `3911`, `03000000` -> `03`."""
    return code[:2] + code[2:].rstrip("0")


def search_prefix(text: str) -> str | None:
    """What a filter means: a full code stands for itself and everything under it, fewer digits are a
    plain prefix. None when `text` is neither."""
    code = normalise(text)
    if code is not None:
        return significant_prefix(code)
    return text if isinstance(text, str) and PREFIX.match(text) else None


def is_under(code: str, ancestor: str) -> bool:
    """True if `code` is `ancestor` or lies below it in the tree."""
    return code.startswith(significant_prefix(ancestor))


def unknown(codes) -> list[str]:
    """The codes of `codes` that are not in the vocabulary, in their given order."""
    return [c for c in codes if not is_known(c)]
