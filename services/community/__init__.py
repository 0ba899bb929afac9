"""The platform's knowledge and community at a site (issue 19).

- `calendar/`: forums, conferences, seminars, trainings and good-practice visits, with registration,
  a waiting list, reminders and iCalendar; registrations (personal data) stay here, the hub gets counts.
- `library/`: publications, theses, training modules, handbooks and reports, with their documents kept
  here and full-text search in the database's own engine.
- `platforms/`: the country's national stakeholder platform: its member organisations.

Its events (`services.contracts.events.community`) go to the hub on the stream `<site>/community`.
"""
