"""The blueprint of a service's pages (`pages.py`), and the navigation it adds to the layout."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from services.common.errors import SoproError
from services.common.ratelimit import RateLimitExceeded
from services.web.access import page_error

PUBLIC_AREA, OFFICE_AREA = "public", "office"


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: object  # a lazy gettext string, translated when the page is drawn
    roles: frozenset[str] | None  # None: everybody
    area: str
    order: int


def page_blueprint(name: str, import_name: str, url_prefix: str | None = None) -> Blueprint:
    """A Flask blueprint for HTML pages, with templates in the service's `templates/` folder.

    Its views declare `@public` or `@roles(...)` like API views; the session login authorises them.
    Its errors answer a browser with HTML and anyone else with the JSON error shape.
    """
    bp = Blueprint(name, import_name, url_prefix=url_prefix, template_folder="templates")
    bp.sopro_pages = True
    # RateLimitExceeded by name too: the app's handler for it is registered under its code (429),
    # which Flask consults before handlers registered by class.
    for kind in (SoproError, HTTPException, RateLimitExceeded, Exception):
        bp.register_error_handler(kind, page_error)
    return bp


def nav_link(bp: Blueprint, endpoint: str, label, roles=None, area: str = PUBLIC_AREA, order: int = 50) -> None:
    """Put a link in the layout's navigation (the office area only for users holding `roles`)."""
    qualified = endpoint if "." in endpoint else f"{bp.name}.{endpoint}"
    link = NavLink(qualified, label, frozenset(roles) if roles else None, area, order)

    def add(state):
        links = state.app.extensions.setdefault("sopro.nav", [])
        if link not in links:
            links.append(link)

    bp.record_once(add)


def visible_links(app, principal, area: str) -> list[NavLink]:
    links = sorted(app.extensions.get("sopro.nav", []), key=lambda link: (link.order, link.endpoint))
    held = principal.roles if principal is not None else frozenset()
    return [link for link in links if link.area == area and (link.roles is None or link.roles & held)]
