"""The demo mailbox page (only in `sopro demo`): the mails this site handed to the demo's SMTP server,
newest first, each Message-ID once, with its text and its links. For the site's brokers and admins:
the mails are addressed to them."""
from __future__ import annotations

import re

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from services.common.auth import roles
from services.common.runtime import current_runtime
from services.web.blueprints import OFFICE_AREA, nav_link, page_blueprint

blp = page_blueprint("demo_mailbox", __name__)
nav_link(blp, "mailbox", _l("Demo mailbox"), roles=("broker", "site_admin"), area=OFFICE_AREA, order=95)

MAILBOX_KEY = "sopro_demo_mailbox"
_URL = re.compile(r"(https?://[^\s<>\"]+)")


def install(app, mailbox) -> None:
    """Give a site's app the demo's mailbox and its page."""
    app.extensions[MAILBOX_KEY] = mailbox
    app.register_blueprint(blp)


def segments(text: str) -> list[tuple[str, str]]:
    """The text as ("text", ...) and ("link", url) pieces, so that the page makes the links clickable."""
    return [("link" if i % 2 else "text", piece) for i, piece in enumerate(_URL.split(text)) if piece]


@blp.route("/demo/mailbox")
@roles("broker", "site_admin")
def mailbox():
    sender = current_runtime().settings.mail.sender
    mails = [m for m in current_app.extensions[MAILBOX_KEY].mails() if m.sender == sender]
    return render_template("demo/mailbox.html", mails=mails, segments=segments, sender=sender)
