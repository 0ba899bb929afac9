"""Impact reports of a site: a client's (what its orders to social enterprises achieved) and a social
enterprise's own (what its deliveries achieved), as a page, a CSV and a PDF (issue 18)."""
