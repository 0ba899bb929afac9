"""Consultation programmes (subsidised places, first come first served, hours per firm) and the site's
directory of experts and consultants.

Modules, one idea each:
- `model`: a programme and its rules on places and hours; `applications`: a firm's application and its
  statuses; `hours`: quarter hours, the two kinds of hours and a firm's usage; `consultants`: the directory;
- `tables` (the `programmes_*` tables, one Alembic branch), `store` (programmes and applications),
  `bookings_store`, `consultants_store`: the queries;
- `handlers`: the use cases; `reports`: a programme's report; `schemas`, `api`: /api/v1/programmes and
  /api/v1/consultants; `pages`: the office pages.

The part publishes no events: consultants are site staff (personal data), and the programme's figures
are reported at the site.
"""
