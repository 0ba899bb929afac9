"""An uploaded file checked before it is kept: not empty, at most a limit, and of an allowed type read from
its content (`filetype`), never from its name or the type the browser sent; and its own name made safe to
keep and to offer back as a download name.

A refusal is an `Invalid` naming the field `file`, with a code a page says in its language: EMPTY,
TOO_LARGE or WRONG_TYPE. The label's evidence documents (PDF, PNG, JPEG) and the library's documents (PDF)
are checked here.
"""
from __future__ import annotations

import unicodedata

import filetype

from services.common.errors import Invalid

EMPTY, TOO_LARGE, WRONG_TYPE = "file_empty", "file_too_large", "file_wrong_type"


def checked_type(content: bytes, max_bytes: int, allowed, described: str) -> str:
    """The media type of `content` if it is one of `allowed` (media types), else an Invalid naming `file`;
    `described` names the allowed types in its messages (e.g. "PDF, PNG or JPEG")."""
    if not content:
        raise Invalid("the file is empty", {"file": ["the file is empty"]}, code=EMPTY)
    if len(content) > max_bytes:
        raise Invalid(f"the file is larger than {max_bytes} bytes",
                      {"file": [f"the file is larger than {max_bytes} bytes"]}, code=TOO_LARGE)
    kind = filetype.guess(content)
    if kind is None or kind.mime not in allowed:
        found = kind.mime if kind is not None else "unknown"
        raise Invalid(f"the file is no {described} by its content ({found})",
                      {"file": [f"the file is no {described} by its content, whatever its name"]}, code=WRONG_TYPE)
    return kind.mime


def clean_filename(filename: str | None, default: str = "document") -> str:
    """The file's own name (no folders), without control characters, at most 200 characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C")).strip()
    return name[-200:] or default
