"""Page forms validated by the API's own marshmallow schemas and domain rules.

A page form posts flat HTML fields; nested API fields are named with dots (`address.street`). The
page turns the post into the API's request body (`body_from`), loads it with the API's schema and calls
the same handler. Whatever is wrong comes back as field messages (`FormState.errors`, keyed by the
dotted field name, translated into the page's language) and the page is drawn again with the values
the person typed, each message next to its field. Numbers are read as the page's language writes them
(`services.web.numbers`) before the schema sees them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from services.common.errors import SoproError
from flask_babel import gettext

from services.web.messages import is_known, translate
from services.web.numbers import read_numbers

_SPLIT = re.compile(r"[\s,;]+")


@dataclass
class FormState:
    """The values a form shows, its field messages and a message about the whole form."""

    values: dict = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str | None = None
    labels: dict[str, str] = field(default_factory=dict)  # filled as the fields are drawn
    id_prefix: str = ""  # when a page has several forms with a field of the same name

    def scoped(self, prefix: str, keep: bool = True) -> "FormState":
        """This form under another id prefix (e.g. one per agreement), with its values and messages or
        empty."""
        if not keep:
            return FormState(id_prefix=prefix)
        return FormState(self.values, self.errors, self.message, self.labels, prefix)

    @property
    def valid(self) -> bool:
        return not self.errors and not self.message

    def value(self, name: str, default=""):
        value = self.values.get(name)
        return default if value is None else value

    def errors_of(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    def remember(self, name: str, label) -> str:
        """Called by the field macros: the error summary names each field by its label."""
        self.labels[name] = str(label)
        return ""

    def errors_in_page_order(self) -> list[tuple[str, list[str]]]:
        """The messages in the order of their fields on the page (the summary is drawn after the fields):
        the schema's and the domain's messages come in one round, not one after the other."""
        order = {name: i for i, name in enumerate(self.labels)}
        return sorted(self.errors.items(), key=lambda item: order.get(item[0], len(order)))

    def add_errors(self, errors, prefix: str = "") -> None:
        for name, messages in flatten(errors, prefix).items():
            shown = self.errors.setdefault(name, [])
            shown.extend(t for t in dict.fromkeys(translate(m) for m in messages) if t not in shown)


def flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as {"address.street": [...]}; list items belong to their list."""
    if isinstance(errors, (str, bytes)):
        return {prefix or "_form": [str(errors)]}
    if isinstance(errors, list):
        found: dict[str, list[str]] = {}
        for item in errors:
            for name, messages in flatten(item, prefix).items():
                found.setdefault(name, []).extend(messages)
        return found
    found = {}
    # marshmallow's Dict field says whether an entry's key or its value is wrong: both are the entry
    dict_entry = bool(errors) and set(errors) <= {"key", "value"}
    for key, value in (errors or {}).items():
        if isinstance(key, int) or (isinstance(key, str) and key.isdigit()) or dict_entry:
            name = prefix  # the n-th item of a list field, or a dict's entry
        elif key == "_schema":
            name = prefix or "_form"
        else:
            name = f"{prefix}.{key}" if prefix else str(key)
        for sub, messages in flatten(value, name).items():
            found.setdefault(sub, []).extend(messages)
    return found


def body_from(form: MultiDict, fields, lists=(), flags=()) -> tuple[dict, dict]:
    """The API request body of a posted form, and the values to show again.

    `fields` are the (dotted) names to take; empty ones are left out, so a required one is "missing".
    `lists` are typed as words separated by commas or spaces (CPV codes); `flags` are checkboxes.
    """
    body: dict = {}
    shown: dict = {}
    for name in fields:
        raw = form.get(name, "")
        shown[name] = raw
        if name in flags:
            _put(body, name, raw in ("on", "true", "1", "yes"))
        elif name in lists:
            words = [w for w in _SPLIT.split(raw.strip()) if w]
            if words:
                _put(body, name, words)
        elif raw.strip() != "":
            _put(body, name, raw)
    return body, shown


def _put(body: dict, dotted: str, value) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        body = body.setdefault(part, {})
    body[leaf] = value


def load(schema: ma.Schema, body: dict, state: FormState):
    """The schema's result, or None with the field messages added to `state`."""
    body, unread = read_numbers(schema, body)
    try:
        data = schema.load(body)
    except ma.ValidationError as exc:
        _refuse(state, exc.messages, unread)
        return None
    state.add_errors(unread)  # what is no number in the page's language, even if Python could read it
    return None if unread else data


def load_checked(schema: ma.Schema, body: dict, state: FormState, problems):
    """The schema's result, or None with every message added to `state`: the schema's and, in the same
    round, the domain's rules on what the schema could read.

    `problems(data, refused)` returns the domain's (field, messages) pairs for `data` (the schema's result,
    or the part of the body it read when some fields were refused; `post_load` has then not run) and
    `refused` (the dotted names of the refused fields, whose rules the domain leaves out).
    """
    body, unread = read_numbers(schema, body)
    try:
        data, refused = schema.load(body), dict(unread)
    except ma.ValidationError as exc:
        data, refused = exc.valid_data or {}, {**flatten(exc.messages), **unread}
        _refuse(state, exc.messages, unread)
    else:
        state.add_errors(unread)
    broken = problems(data, frozenset(refused))
    for name, messages in broken:
        if name not in state.errors:  # the schema's message about a field says enough
            state.add_errors({name: messages})
    return None if refused or broken else data


def _refuse(state: FormState, messages, unread: dict[str, list[str]]) -> None:
    """The schema's messages, except about a number it read differently (a schema reads "2.400,50" as no
    number): the page's message about it stands."""
    state.add_errors(unread)
    state.add_errors({name: m for name, m in flatten(messages).items() if name not in unread})


def apply_domain_error(exc: SoproError, state: FormState) -> None:
    """A 422 from the domain names fields; a 409 or 403 is a message about the whole form."""
    if exc.status == 422 and exc.errors:
        state.add_errors(exc.errors)
    elif is_known(exc.message):
        state.message = translate(exc.message)
    else:  # a refusal not worded here yet: said in the page's language, with the domain's detail
        state.message = gettext("This is not possible now (%(detail)s).", detail=exc.message)
