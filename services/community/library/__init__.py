"""The library at a site (issue 19): publications, theses, training modules, handbooks and reports, with
their metadata in de, hu and en, their authors (personal data: shown here, never sent) and their PDF kept
here; searched in the database's own full-text engine (services.common.fulltext).

- `tables`: the tables and the full-text index; `model`: the item and its events; `documents`: the PDF check;
- `handlers`: publish, update, withdraw (state and outbox in one transaction); `search`: the listing;
- `schemas`, `api` (/api/v1/library-items), `pages` (/library, /office/library).
"""
