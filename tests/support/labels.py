"""Label applications for tests: a second catalogue version, evidence and scores that pass version 1."""

V2 = """
version: 2
validity_years: 3
criteria:
  - id: se_share
    family: social
    kind: threshold
    text: {de: Anteil SU, hu: SZV arány, en: SE share}
    evidence: {figure: {name: share_percent, unit: percent, min: 0, max: 100}}
    scoring: {minimum: 40}
"""

GOOD_EVIDENCE = {
    "se_share": {"figure": "45"},
    "regional_primary_products": {"figure": "60"},
    "resource_saving": {"figure": "3"},
    "quality_innovation": {"documents": [{"sha256": "a" * 64, "size": 10}]},
}
GOOD_SCORES = {"se_share": {"reason": "timesheets checked"},
               "regional_primary_products": {"score": 4, "reason": "r"},
               "resource_saving": {"score": 3, "reason": "r"},
               "quality_innovation": {"score": 4, "reason": "r"}}
