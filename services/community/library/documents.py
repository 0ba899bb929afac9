"""A library item's document: a PDF, checked by its content (never by its name or the browser's type),
not empty and at most the site's limit; its SHA-256 recorded. A refusal is an `Invalid` naming `file`,
with a code a page says in its language."""
from __future__ import annotations

import hashlib
import unicodedata

import filetype

from services.common.errors import Invalid

PDF = "application/pdf"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
EMPTY, TOO_LARGE, WRONG_TYPE = "file_empty", "file_too_large", "file_wrong_type"


def checked(content: bytes, max_bytes: int) -> dict:
    """{"media_type", "size", "sha256"} of an acceptable PDF, else an Invalid naming `file`."""
    if not content:
        raise Invalid("the file is empty", {"file": ["the file is empty"]}, code=EMPTY)
    if len(content) > max_bytes:
        raise Invalid(f"the file is larger than {max_bytes} bytes",
                      {"file": [f"the file is larger than {max_bytes} bytes"]}, code=TOO_LARGE)
    kind = filetype.guess(content)
    if kind is None or kind.mime != PDF:
        raise Invalid("the file is no PDF by its content", {"file": ["the file is no PDF by its content, "
                                                                      "whatever its name"]}, code=WRONG_TYPE)
    return {"media_type": PDF, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def clean_filename(filename: str | None) -> str:
    """The file's own name (no folders, no control characters), at most 200 characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C")).strip()
    return name[-200:] or "document.pdf"
