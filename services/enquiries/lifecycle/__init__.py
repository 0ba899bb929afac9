"""Enquiries and their lifecycle: the state machine, proposals and negotiation, agreements, impact.

Modules, one idea each:
- `model`: the enquiry aggregate;
- `transitions`: its states and the table of its lifecycle (who may move it where, and when);
- `values`: its value objects (client and contact person, delivery place, residual material);
- `deals`: proposals (versioned), negotiation messages and agreements;
- `impact`: the impact record of a delivered agreement, computed from stored figures;
- `tables`, `store`, `deals_store`: the tables (one Alembic branch) and their queries;
- `matching_port`: the narrow call site into the matching part (shortlist, reserve, release);
- `handlers`, `deals_handlers`, `expiry`, `case_studies`: use cases;
- `schemas`, `api`, `deals_api`, `public_text_api`: the HTTP API under /api/v1/enquiries;
- `pages`, `deals_pages`, `web`: the enquiry pages of the office and the public form.
"""
