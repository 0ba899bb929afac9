"""The network's impact for the agency and the public (issue 18): the comparison by country, site and
year (`comparison`), its cell suppression (`suppression`), the open data (`open_data`) and their pages
(`pages` for the public, `agency_pages` for the agency's analysts)."""
