"""The network library at the hub (issue 19): every site's library items as their events describe them,
their metadata in de, hu and en and their document's type, size and SHA-256; never an author and never a
document, which stay at the site that owns the item. Searched with the same full-text engine as the
sites' (services.common.fulltext); each item links to its page at its site.

- `store`: the table, the full-text index and the component; `consumers`: the ingest's handlers;
  `queries`: the listing; `pages`: /library; `api`: GET /api/v1/library-items.
"""
