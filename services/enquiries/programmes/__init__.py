"""Consultation programmes (subsidised places, first come first served, hours per firm) and the site's
directory of experts and consultants.

`model` holds the rules, `store` the `programmes_*` tables, `handlers` the use cases, `api` the
/api/v1/programmes and /api/v1/consultants endpoints. The part publishes no events: consultants are
site staff (personal data), and the programme's figures are reported at the site.
"""
