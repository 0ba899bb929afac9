"""A PDF's text as `pdftotext -layout` reads it (Debian poppler-utils; .ci/run installs it), and its page
count (`pdfinfo`), for the tests that read back the PDFs the sites make."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def need_poppler() -> None:
    missing = [tool for tool in ("pdftotext", "pdfinfo") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{missing} are needed (Debian poppler-utils; .ci/run installs it)")


def pdf_text(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "read.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                              timeout=120).stdout.decode()


def pdf_info(pdf: bytes) -> dict[str, str]:
    """pdfinfo's fields (Title, Author, Pages, ...)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "read.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, timeout=60).stdout.decode()
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^([A-Za-z ]+):[ \t]*(.*)$", out, re.M)}


def one_spaced(text: str) -> str:
    """Runs of spaces (layout columns) as one; no-break and thin spaces as plain ones."""
    return re.sub(r"[ \u00a0\u202f]+", " ", text)
