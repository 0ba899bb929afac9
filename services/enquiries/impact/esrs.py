"""Where a report's figure can feed a disclosure of the European Sustainability Reporting Standards
(ESRS, Commission Delegated Regulation (EU) 2023/2772), and where it cannot, said honestly.

The references use the standard's own names: the disclosure requirement ("E5-5 – Resource outflows")
and, where one exists, the paragraph of its datapoint. None of our figures is a datapoint as it stands:
each names the condition under which the company may use it, or why no datapoint asks for it.
`FIT` orders how directly a figure applies: a datapoint under a condition, support for a narrative or
an entity-specific disclosure (ESRS 1 §11), or none at all.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

CONDITIONAL = "conditional"  # feeds the datapoint if the condition holds
SUPPORTS = "supports"  # no datapoint asks for it; it can support a narrative or entity-specific disclosure
NONE = "none"  # no ESRS disclosure to feed
FIT = (CONDITIONAL, SUPPORTS, NONE)


@dataclass(frozen=True)
class Disclosure:
    figure: str  # the report's figure: value_paid, integration_hours, material_diverted_kg, regional_share,
    # distance_km, social_value
    fit: str
    reference: str | None  # the standard's name for the disclosure requirement and paragraph; None if none
    explanation: object  # a lazy translated sentence


DISCLOSURES: tuple[Disclosure, ...] = (
    Disclosure("material_diverted_kg", CONDITIONAL,
               "ESRS E5-5 – Resource outflows, §37(b): total amount by weight diverted from disposal",
               _l("Only for material that was your own waste and that you handed over for reuse or recycling. "
                  "The breakdown the datapoint also asks for (hazardous or not; preparation for reuse, recycling, "
                  "other recovery) is not recorded here.")),
    Disclosure("material_diverted_kg", CONDITIONAL,
               "ESRS E5-4 – Resource inflows, §31(c): weight of secondary reused or recycled components and "
               "materials used to manufacture the undertaking’s products",
               _l("Only if the delivered products are made from the diverted material and go into your own "
                  "products or packaging. The figure is what was kept from waste, not what you used.")),
    Disclosure("integration_hours", SUPPORTS,
               "ESRS S2-4 – Taking action on material impacts on value chain workers",
               _l("No ESRS datapoint asks for hours of work-integration employment. The hours can support your "
                  "description of actions for workers in your value chain and of their effectiveness, as an "
                  "entity-specific metric.")),
    Disclosure("value_paid", SUPPORTS, None,
               _l("No ESRS datapoint asks for spending with social enterprises. G1-6 (payment practices) asks "
                  "for payment terms and late payments, not for amounts. The value can support an "
                  "entity-specific disclosure (ESRS 1, §11).")),
    Disclosure("regional_share", NONE, None,
               _l("No ESRS datapoint asks for the regional origin of primary products. E5-4 asks about "
                  "secondary materials and sustainably sourced biological materials, which a regional share "
                  "does not state.")),
    Disclosure("distance_km", NONE,
               "ESRS E1-6 – Gross Scopes 1, 2, 3 and Total GHG emissions (Scope 3, category 4: upstream "
               "transportation and distribution)",
               _l("A distance is not an emission. Scope 3 needs the weight moved, the mode of transport and an "
                  "emission factor, which are not recorded here; the distance can only be one input to that "
                  "calculation.")),
    Disclosure("social_value", NONE, None,
               _l("The ESRS do not ask for social value in money. The values shown are proxies, each with its "
                  "source and year, and belong beside the raw figures, never in their place.")),
)


def for_figure(figure: str) -> list[Disclosure]:
    return [d for d in DISCLOSURES if d.figure == figure]
