"""Compressed responses (Flask-Compress): pages, the style sheet, the favicon and the JSON API, in
zstd, brotli or gzip, whichever the client accepts first; `Vary: Accept-Encoding` for caches.

Small answers (under 500 bytes) are sent as they are. The static files are streamed: their ETag gets
the encoding appended, and a conditional request is evaluated again after compression, so a browser
that revalidates the compressed style sheet gets its 304.

BREACH (secrets recovered from the size of compressed pages that also echo attacker input): the one
secret in a page is the CSRF token, which Flask-WTF signs with a timestamp, so its bytes change from
one second to the next, and the session cookie is never in a body.
"""
from __future__ import annotations

from flask_compress import Compress

compress = Compress()


def init_compression(app) -> None:
    app.config.setdefault("COMPRESS_STREAMING_ENDPOINT_CONDITIONAL", ["web.static"])
    compress.init_app(app)
