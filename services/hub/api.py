"""The hub's API blueprints, for the composition root: one per capability.

- `register.api`: the consolidated organisations, offers, case studies and the agency's statistics;
- `enquiries.api`: every site's enquiries and agreements, and the network's impact totals;
- `labels.api`: label verification and the network label register;
- `crossborder.api`: cross-border orders and their parts (and their OCDS releases, agency roles);
- `ocds.api`: the completed orders as open OCDS data (public);
- `criteria.api`: the label's criteria catalogues (public) and publishing one (agency admin);
- `experts.api`: the network-wide expert search, asking every site at request time (public);
- `community.api`: the network calendar, every site's upcoming events with their counts (public).
What they share (runtime, member sites, query validators, paged bodies) is in `query`.
"""
from __future__ import annotations

from services.hub.community import api as community_api
from services.hub.criteria import api as criteria_api
from services.hub.crossborder import api as crossborder_api
from services.hub.enquiries import api as enquiries_api
from services.hub.experts import api as experts_api
from services.hub.labels import api as labels_api
from services.hub.ocds import api as ocds_api
from services.hub.register import api as register_api

BLUEPRINTS = [register_api.blp, enquiries_api.blp, labels_api.blp, crossborder_api.blp, ocds_api.blp,
              criteria_api.blp, experts_api.blp, community_api.blp]
