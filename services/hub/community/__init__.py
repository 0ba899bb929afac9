"""The network's community at the hub (issue 19): the calendar of every site's events (counts only) and the
national stakeholder platforms' members and forums, built from the sites' `<site>/community` streams.

`store` (its tables, an Alembic branch `hub_community` of its own), `consumers` (the ingest handlers,
newest aggregate version wins), `queries` (what the pages read) and `pages` (the public pages and the
network's iCalendar feed).
"""
