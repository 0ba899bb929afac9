"""A library item's document: a PDF, checked by its content (never by its name or the browser's type),
not empty and at most the site's limit (services.common.files); its SHA-256 recorded. A refusal is an
`Invalid` naming `file`, with a code a page says in its language."""
from __future__ import annotations

import hashlib

from services.common import files

PDF = "application/pdf"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
EMPTY, TOO_LARGE, WRONG_TYPE = files.EMPTY, files.TOO_LARGE, files.WRONG_TYPE


def checked(content: bytes, max_bytes: int) -> dict:
    """{"media_type", "size", "sha256"} of an acceptable PDF, else an Invalid naming `file`."""
    media_type = files.checked_type(content, max_bytes, (PDF,), "PDF")
    return {"media_type": media_type, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def clean_filename(filename: str | None) -> str:
    return files.clean_filename(filename, "document.pdf")
