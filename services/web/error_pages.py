"""Errors outside any page blueprint (an unknown address, a wrong method) answer a browser with the
site's HTML error page, in its language and with its navigation; the JSON API and clients that do not
prefer HTML keep the one JSON error shape (services.common.api).

Page blueprints have their own handler (`access.page_error`); this covers the requests no blueprint
claims. A browser is a client whose Accept header ranks text/html above JSON: `curl` (*/*) and API
clients get JSON, as before.
"""
from __future__ import annotations

from flask import g, request
from werkzeug.exceptions import HTTPException

from services.common import api
from services.common.auth import bearer_principal
from services.common.errors import SoproError, Unauthorized
from services.web.access import API_PREFIXES, page_error

JSON_ANSWERS = ((SoproError, api.domain_error), (HTTPException, api.http_error), (Exception, api.unexpected_error))


def init_error_pages(app) -> None:
    for kind, json_answer in JSON_ANSWERS:
        app.register_error_handler(kind, page_or_json(json_answer))


def page_or_json(json_answer):
    def answer(exc):
        if request.path.startswith(API_PREFIXES) or not prefers_html():
            return json_answer(exc)
        show_who_is_logged_in()
        return page_error(exc)
    return answer


def prefers_html() -> bool:
    return request.accept_mimetypes.best_match(("application/json", "text/html")) == "text/html"


def show_who_is_logged_in() -> None:
    """An address with no route has no access rule, so nobody was authenticated: the session's token
    (lent by `access.lend_session_token`) names the user, for the office navigation on the error page."""
    if g.get("principal") is None and "Authorization" in request.headers:
        try:
            g.principal = bearer_principal()
        except Unauthorized:
            g.principal = None
