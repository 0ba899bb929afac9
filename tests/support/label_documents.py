"""Tiny files for the evidence-document tests: what `filetype` reads as PDF, PNG and JPEG by their content,
and what it does not (a ZIP, plain text) under an allowed name."""
from __future__ import annotations

import struct
import zlib

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


# One white pixel.
PNG = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
       + _chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + _chunk(b"IEND", b""))
# The start of a JFIF file (SOI, APP0): what identifies a JPEG.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x00\x00" + b"\x00" * 20 + b"report.txt"
TEXT = b"This is a report, honestly a PDF.\n"
