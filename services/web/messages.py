"""The validation messages of the API (marshmallow's and the domain's) in the page's language.

The API answers in English; a page shows the same message translated. Messages with values in them
("Length must be between 1 and 200.") are matched by pattern and translated with their values. A
message not listed here is shown as the API wrote it: `tests/web` checks that the messages its forms
produce are all translated.
"""
from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import gettext, ngettext

from services.web.dates import show_date
from services.web.numbers import show_number
from services.web.vocabulary import TERMS, term


def N_(msgid: str) -> str:
    """Marks a message for extraction (pybabel -k N_); it is translated when shown."""
    return msgid


def _count(value: str) -> int:
    """The count in a message, which chooses its plural form (what is no count reads as many)."""
    return int(value) if value.isdigit() else 2


# English message (with {placeholders}) -> the translatable text (with %(placeholders)s), or a function of
# the placeholders where a count chooses the plural form (ngettext).
MESSAGES = {
    # marshmallow
    "Missing data for required field.": N_("This field is required."),
    "Field may not be null.": N_("This field is required."),
    "Invalid value.": N_("This value is not valid."),
    "Not a valid string.": N_("Please enter text."),
    "Not a valid integer.": N_("Please enter a whole number."),
    "Not a valid number.": N_("Please enter a number."),
    "Number too large.": N_("This number is too large."),
    "Special numeric values (nan or infinity) are not permitted.": N_("Please enter a number."),
    "Not a valid boolean.": N_("Please choose yes or no."),
    "Not a valid date.": N_("Please enter a date (YYYY-MM-DD)."),
    "Not a valid datetime.": N_("Please enter a date and time."),
    "Not a valid email address.": N_("Please enter a valid e-mail address."),
    "Not a valid URL.": N_("Please enter a web address starting with http:// or https://."),
    "Not a valid UUID.": N_("This reference is not valid."),
    "Not a valid list.": N_("Please enter a list."),
    "Invalid type.": N_("This value is not valid."),
    "Unknown field.": N_("This field is not expected."),
    # services/common/keyset.py: a page link whose cursor is not one of this list's
    "not a cursor of this list; follow the `next` of a page":
        N_("This page link is not valid (any more). Please start again from the first page."),
    "String does not match expected pattern.": N_("This value is not valid."),
    "Shorter than minimum length {min}.": N_("Please enter at least %(min)s characters."),
    "Longer than maximum length {max}.": N_("Please enter at most %(max)s characters."),
    "Length must be between {min} and {max}.": N_("Please enter between %(min)s and %(max)s characters."),
    "Must be greater than or equal to {min} and less than or equal to {max}.":
        N_("Please enter a value from %(min)s to %(max)s."),
    "Must be greater than {min} and less than or equal to {max}.":
        N_("Please enter a value above %(min)s and at most %(max)s."),
    "Must be greater than or equal to {min}.": N_("Please enter a value of at least %(min)s."),
    "Must be less than or equal to {max}.": N_("Please enter a value of at most %(max)s."),
    "Must be greater than {min}.": N_("Please enter a value above %(min)s."),
    "Must be one of: {choices}.": N_("Please choose one of the options."),
    # shared fields
    "contains characters that are not allowed": N_("This contains characters that are not allowed."),
    "at most 4 decimal places": N_("Please use at most 4 decimal places."),
    "a CPV code has eight digits, e.g. 45000000": N_("A CPV code has eight digits, e.g. 45000000."),
    "a CPV code or a prefix of 1 to 8 digits": N_("Please enter a CPV code or its first digits."),
    "a NUTS code or prefix, e.g. AT12": N_("Please enter a NUTS region code, e.g. AT12."),
    "not a NUTS-3 code (e.g. AT127)": N_("Please choose a region (NUTS-3 code, e.g. AT127)."),
    "a phone number, e.g. +43 2742 12345": N_("Please enter a phone number, e.g. +43 2742 12345."),
    "ISO 3166 code, e.g. AT": N_("Please enter a two-letter country code, e.g. AT."),
    "ISO 4217 code, e.g. EUR": N_("Please enter a three-letter currency code, e.g. EUR."),
    "must not be blank": N_("This field must not be blank."),
    "{code} is not a CPV 2008 code": N_("%(code)s is not a CPV 2008 code."),
    "not a code of the CPV 2008 vocabulary, e.g. 18930000": N_("This is not a CPV 2008 code, e.g. 18930000."),
    "not a CPV division (two digits, e.g. 45)": N_("Please enter a CPV division (two digits, e.g. 45)."),
    "must be in quarter hours (e.g. 1.25)": N_("Please enter hours in quarter hours (e.g. 1.25)."),
    "must not be before starts_on": N_("The end must not be before the start."),
    "a figure between -10^9 and 10^9": N_("Please enter a figure between -10^9 and 10^9."),
    "a suspension needs its end date": N_("A suspension needs its end date."),
    "only an upheld complaint suspends or revokes": N_("Only an upheld complaint suspends or revokes."),
    # registry domain
    "consent is required to record a statement of support":
        N_("Your consent is required to record a statement of support."),
    "is required for a statement by a person": N_("This field is required for a statement by a person."),
    "is required for a statement on behalf of an organisation":
        N_("This field is required for a statement on behalf of an organisation."),
    "applies to statements on behalf of an organisation only":
        N_("Leave this empty for a statement by a private person."),
    "must be one of {choices}": N_("Please choose one of the options."),
    "give the phone kind (fixed or mobile) with a phone number, and only then":
        N_("Please say whether the phone number is fixed or mobile (only with a phone number)."),
    "must be fixed or mobile": N_("Please choose fixed or mobile."),
    "must not be in the future": N_("The date must not be in the future."),
    "must not be in the past": N_("The date must not be in the past."),
    "must be more than zero": N_("Please enter more than zero."),
    "must not be negative": N_("The value must not be negative."),
    "must not be less than price_min": N_("The highest price must not be below the lowest price."),
    "is required for a social enterprise": N_("This field is required for a social enterprise."),
    "applies to social enterprises only": N_("Leave this empty unless the organisation is a social enterprise."),
    "already registered at this site": N_("This registration number is already registered at this site."),
    "no such organisation at this site": N_("There is no such organisation at this site."),
    "must be a social enterprise": N_("Please choose a social enterprise."),
    "must not be a social enterprise": N_("Please choose an organisation that is not a social enterprise."),
    "the organisation is {status}": N_("The organisation is “%(status)s”."),
    "cannot {action} a organisation that is {status}":
        N_("This organisation is “%(status)s”: that is not possible any more."),
    "cannot {action} a offer that is {status}": N_("This offer is “%(status)s”: that is not possible any more."),
    "cannot {action} a case_study that is {status}":
        N_("This case study is “%(status)s”: that is not possible any more."),
    "cannot {action} a support_statement that is {status}":
        N_("This statement is “%(status)s”: that is not possible any more."),
    "only a statement on behalf of an organisation names one":
        N_("Only a statement on behalf of an organisation can name one."),
    "the organisation has already declared its support": N_("Your organisation has already declared its support."),
    "already a member of the platform since {date}":
        N_("This organisation is a member of the platform since %(date)s."),
    # enquiries domain
    "give a unit with a quantity, and only then": N_("Please give a unit with the quantity (and only then)."),
    "must be the site's currency ({currency}) or EUR": N_("Please use %(currency)s or EUR."),
    "is required for recycling or upcycling (material, amount, frequency)":
        N_("Please describe the material, its amount and how often it arises."),
    "applies to recycling or upcycling only": N_("This applies to recycling or upcycling only."),
    "an anonymous first contact needs a name and an e-mail address or phone":
        N_("Please give your name and an e-mail address or phone number."),
    "an anonymous client has no organisation": N_("An anonymous enquiry has no member organisation."),
    "is required unless the client is anonymous": N_("Please choose the client organisation."),
    "is not an active social enterprise of this site": N_("This is not an active social enterprise of this site."),
    "is not a published offer of the proposing social enterprise":
        N_("This is not a published offer of the proposing social enterprise."),
    # label
    "a score from 0 to {max} is needed": N_("Please give a score from 0 to %(max)s."),
    "a threshold criterion is not scored; it passes on its figure":
        N_("This criterion is not scored; it passes on its figure."),
    "a CPV division (two digits) or a full code": N_("Please enter a CPV division (two digits) or a full code."),
    "{name} must be between {min} and {max} {unit}": N_("Please enter a figure from %(min)s to %(max)s."),
    "must be after {today} and no later than {limit}":
        N_("Please choose a date after %(today)s and no later than %(limit)s."),
    "cannot {doing} a label that is {status}": N_("This label is “%(status)s”: that is not possible now."),
    "the label has already expired; apply again": N_("The label has already expired; the holder applies again."),
    # users (the site admin's form)
    "choose at least one role": N_("Choose at least one role."),
    "2 to 100 letters, digits or . _ @ -": N_("Please use 2 to 100 letters, digits or . _ @ -"),
    # refusals of the lifecycle, negotiation, programmes and the label (409s)
    "cannot move an enquiry that is {state} to {target}; allowed next: {allowed}":
        N_("An enquiry that is “%(state)s” cannot move to “%(target)s”; possible next: %(allowed)s."),
    "cannot move the enquiry from {state} to {target}: {why}":
        N_("The enquiry cannot move from “%(state)s” to “%(target)s” yet: %(why)s."),
    "matching needs {missing}": N_("matching needs %(missing)s"),
    "negotiation needs a proposal": N_("negotiation needs a proposal"),
    "needs an accepted proposal (an active agreement)": N_("it needs an accepted proposal (an active agreement)"),
    "there is no agreement to deliver": N_("there is no agreement to deliver"),
    "{n} agreement(s) not delivered yet": lambda n: ngettext(
        "%(num)s agreement not delivered yet", "%(num)s agreements not delivered yet", _count(n)),
    "the deadline has passed": N_("the deadline has passed"),
    "the deadline has not passed": N_("the deadline has not passed"),
    "the enquiry is {state}; agreements are delivered while it is in_production":
        N_("Agreements are delivered while the enquiry is in production; it is “%(state)s”."),
    "the enquiry is {state}; proposals come in while it is matching or negotiating":
        N_("Proposals come in while the enquiry is matching or negotiating; it is “%(state)s”."),
    "the enquiry is {state}; proposals are accepted while negotiating":
        N_("Proposals are accepted while the enquiry is negotiating; it is “%(state)s”."),
    "the enquiry is {state}; agreements are cancelled before production":
        N_("Agreements are cancelled before production; the enquiry is “%(state)s”."),
    "cannot {action} a proposal that is {status}": N_("This proposal is “%(status)s”: that is not possible any more."),
    "cannot cancel an agreement that is {status}": N_("This agreement is “%(status)s”: it cannot be cancelled."),
    "cannot deliver an agreement that is {status}": N_("This agreement is “%(status)s”: it cannot be delivered."),
    "the proposal's {quantity} exceed what is left to cover: {left} of {total}":
        N_("The proposal's %(quantity)s exceed what is left to cover: %(left)s of %(total)s."),
    "the firm's {kind} allowance has {left} hours left; {hours} hours do not fit":
        N_("The firm's allowance has %(left)s hours left; %(hours)s hours do not fit."),
    "the application is on the waiting list; hours can only be booked on a place":
        N_("The firm is on the waiting list; hours can only be booked on a place."),
    "this firm already has an application to the programme": N_("This firm has already applied to the programme."),
    "the assessor of an application cannot also decide it (four eyes)":
        N_("Whoever assessed an application cannot also decide it (four-eyes rule)."),
    "the assessment does not meet the catalogue; the label cannot be granted":
        N_("The assessment does not meet the criteria; the label cannot be granted."),
    "the application has not been assessed yet": N_("The application has not been assessed yet."),
    "cannot {doing} an application that is {status}": N_("This application is “%(status)s”: that is not possible now."),
    # the shortlist's reasons (matching's ranking)
    "CPV {code} exact: {points}": N_("CPV %(code)s exactly: %(points)s"),
    "CPV {code} within the requested {wanted}: {points}":
        N_("CPV %(code)s within the requested %(wanted)s: %(points)s"),
    "CPV {code} shares the {level} {prefix} with {wanted}: {points}":
        N_("CPV %(code)s shares the %(level)s %(prefix)s with %(wanted)s: %(points)s"),
    "{free} {unit} free before {until}, {share} of {quantity}: {points}":
        N_("%(free)s %(unit)s free before %(until)s, %(share)s of %(quantity)s: %(points)s"),
    "{free} {unit} free before {until}: {points}": N_("%(free)s %(unit)s free before %(until)s: %(points)s"),
    "capacity in {unit}, the enquiry counts in {wanted}: not comparable: +0":
        N_("capacity in %(unit)s, the enquiry counts in %(wanted)s: not comparable: +0"),
    "{km} km away, beyond its delivery radius of {radius} km: +0":
        N_("%(km)s km away, beyond its delivery radius of %(radius)s km: +0"),
    "{km} km from the delivery place (delivery radius {radius} km): {points}":
        N_("%(km)s km from the delivery place (delivery radius %(radius)s km): %(points)s"),
    "{km} km from the delivery place: {points}": N_("%(km)s km from the delivery place: %(points)s"),
    "in the delivery region ({nuts}): {points}": N_("in the delivery region (%(nuts)s): %(points)s"),
    "in the delivery NUTS-2 region ({nuts}): {points}": N_("in the delivery NUTS-2 region (%(nuts)s): %(points)s"),
    "in the delivery country ({nuts}): {points}": N_("in the delivery country (%(nuts)s): %(points)s"),
    "{nuts} is outside the delivery country: +0": N_("%(nuts)s is outside the delivery country: +0"),
    "distance unknown: +0": N_("distance unknown: +0"),
    "holds the label 'socio-ecologically produced': {points}":
        N_("holds the label “socio-ecologically produced”: %(points)s"),
    "label required, not held: {points}": N_("label required, not held: %(points)s"),
    "no label: +0": N_("no label: +0"),
    "supports the platform: {points}": N_("supports the platform: %(points)s"),
    "not a supporter of the platform: +0": N_("not a supporter of the platform: +0"),
    "{segment} labour market, {workers} workers in integration: {points}":
        N_("%(segment)s labour market, %(workers)s workers in integration: %(points)s"),
    "category": N_("category"),
    "class": N_("class"),
    "group": N_("group"),
    "division": N_("division"),
    "second": N_("second"),
    "third": N_("third"),
    # login
    "unknown user or wrong password": N_("Unknown user or wrong password."),
    # the reasons the system writes into an enquiry's or a label's audit trail
    "filed with the enquiry form": N_("Filed with the enquiry form."),
    "a proposal came in": N_("A proposal came in."),
    "the accepted proposals cover the quantity": N_("The accepted proposals cover the quantity."),
    "an agreement was cancelled": N_("An agreement was cancelled."),
    "every agreement was delivered": N_("Every agreement was delivered."),
    "validity ended": N_("The validity ended."),
    "the deadline {date} passed": N_("The deadline %(date)s passed."),  # after "the deadline has passed"
}


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern, object]]:
    found = []
    for english, translated in MESSAGES.items():
        pattern = re.escape(english)
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", pattern)
        found.append((re.compile(f"^{pattern}$"), translated))
    return found


def translate(message: str) -> str:
    """`message` in the page's language (as written when it is not a known message)."""
    text = str(message)
    for pattern, translated in _patterns():
        match = pattern.match(text)
        if match:
            values = {k: _value(v) for k, v in match.groupdict().items()}
            return translated(**values) if callable(translated) else gettext(translated, **values)
    return text


_API_DECIMAL = re.compile(r"\d+\.\d+")  # a number as the API writes it ("2451.428"); whole ones may be codes
_API_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # a date as the API writes it


def _value(value: str) -> str:
    """A value inside a message: a code (a state, a unit) in words, a decimal or a date as the page writes
    them, a known phrase translated, else as it is."""
    if ", " in value:
        return ", ".join(_value(part) for part in value.split(", "))
    if _API_DECIMAL.fullmatch(value):
        return show_number(value)
    if _API_DATE.fullmatch(value):
        return show_date(value)
    return term(value) if value in TERMS else translate(value)


def audit_text(text: str | None) -> str:
    """An audit entry's step or reason: a code in words, a sentence the system writes translated, what a
    person typed as typed."""
    if not text:
        return ""
    return term(text) if text in TERMS else translate(text)


def is_known(message: str) -> bool:
    return any(pattern.match(str(message)) for pattern, _ in _patterns())
