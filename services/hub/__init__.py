"""The hub: what the SoPro Innovation Agency does with the facts every site publishes.

Today:
- `store`: the consolidated registry (organisations, offers, support statements, case studies);
- `enquiry_store`: every site's enquiries, agreements and impact records;
- `consumers`: fill both from the registry's and the enquiries service's events;
- `api`: the public consolidated API and the agency's statistics (`stats`);
- `enquiry_api`: the agency's view of enquiries and the network's impact totals (`impact`).
"""
