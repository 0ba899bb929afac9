"""The supporters' newsletter in the office (/office/newsletter): a broker or site administrator writes a
subject and a text in each of the site's languages and sends it to the supporters who asked for it on
their confirmed statement (newsletter.py). The form carries the issue's id, so sending it twice (a
double click, a reload) mails nobody twice. A subject is one line: a line break (which could add a mail
header) is refused beside the field."""
from __future__ import annotations

import uuid

import marshmallow as ma
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from services.common.auth import current_principal, roles
from services.common.clock import utcnow
from services.common.runtime import current_runtime
from services.contracts.fields import Line, Prose, Strict
from services.registry import newsletter
from services.registry.office_blueprint import STAFF, blp, read
from services.registry.profile_pages import language_name, site_languages
from services.web import OFFICE_AREA, forms, nav_link
from services.web.notify import MailSite

nav_link(blp, "newsletter_form", _l("Newsletter"), roles=STAFF, area=OFFICE_AREA, order=28)
ISSUE = ma.fields.UUID(required=True)


def issue_schema(languages: tuple[str, ...]) -> ma.Schema:
    """A subject and a text per language, and the issue's id."""
    fields = {"issue": ISSUE}
    for lang in languages:
        fields[f"subject_{lang}"] = Line(newsletter.SUBJECT_MAX, required=True)
        fields[f"text_{lang}"] = Prose(newsletter.TEXT_MAX, required=True)
    return Strict.from_dict(fields, name="NewsletterIssue")()


def _fields(languages) -> list[tuple[str, str, str]]:
    """(subject field, text field, language name) per language."""
    return [(f"subject_{lang}", f"text_{lang}", language_name(lang)) for lang in languages]


def _page(state: forms.FormState, status: int = 200):
    languages = site_languages()
    readers, sent = read(lambda conn: (len(newsletter.readers(conn, languages)), newsletter.issues(conn)))
    return render_template("registry/office_newsletter.html", form=state, fields=_fields(languages),
                           readers=readers, sent=sent, subject_max=newsletter.SUBJECT_MAX), status


@blp.route("/office/newsletter", methods=["GET"])
@roles(*STAFF)
def newsletter_form():
    return _page(forms.FormState(values={"issue": str(uuid.uuid4())}))


@blp.route("/office/newsletter", methods=["POST"])
@roles(*STAFF)
def send_newsletter():
    languages = site_languages()
    names = ["issue"] + [name for subject, text, _name in _fields(languages) for name in (subject, text)]
    body, values = forms.body_from(request.form, names)
    state = forms.FormState(values=values)
    broken = [f"subject_{lang}" for lang in languages
              if any(c in request.form.get(f"subject_{lang}", "") for c in "\r\n")]
    loaded = forms.load(issue_schema(languages), body, state)
    for name in broken:
        state.errors[name] = [_("The subject must be one line.")]
    if loaded is None or broken:
        return _page(state, 422)
    texts = {lang: {"subject": loaded[f"subject_{lang}"], "text": loaded[f"text_{lang}"]} for lang in languages}
    site = current_runtime().settings.site
    count = newsletter.send(current_runtime().uow(), MailSite.of(site), texts,
                            current_principal().subject, utcnow(), str(loaded["issue"]))
    flash(ngettext("The newsletter goes to %(num)s supporter.", "The newsletter goes to %(num)s supporters.", count),
          "success")
    return redirect(url_for(".newsletter_form"))
