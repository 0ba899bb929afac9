"""Moved: the client's impact page is services.enquiries.impact.pages (issue 18). The period's schema is
services.enquiries.impact.period; it is named here too while services.enquiries.impact.se_pages imports it
from here."""
from services.enquiries.impact.period import ImpactPeriod, this_year  # noqa: F401
