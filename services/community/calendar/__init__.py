"""Community events at a site (issue 19, item 1): forums, conferences, seminars, trainings and good-practice
visits, with registration, a waiting list, cancellation, reminders by mail and iCalendar.

One idea per module: the rules in `model` (no I/O), the tables in `tables`, queries in `store`, use cases in
`handlers` (one unit of work each; seats are decided under the event row's lock), mail in `notices`, the
calendar files in `feed`, the API in `api` (schemas in `schemas`), pages in `pages` (public) and
`office_pages` (brokers and site admins), GDPR in `privacy`.

Registrations are personal data and stay here; the hub hears of an event with its counts only
(`services.contracts.events.community`).
"""
