"""Criteria catalogues for the governance tests: the bundled first version as the agency's next one."""
from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import yaml

from services.hub.criteria.store import GENESIS_FILE


def version_1() -> dict:
    return yaml.safe_load(Path(GENESIS_FILE).read_text(encoding="utf-8"))


def next_version(applies_from: date, version: int = 2, se_share_minimum: str = "40", **changes) -> dict:
    """Version 1 as version `version`: the social enterprise's share must reach `se_share_minimum` percent."""
    body = copy.deepcopy(version_1())
    body.update(version=version, applies_from=applies_from.isoformat(), validity_years=3, **changes)
    for lang, title in body["title"].items():
        body["title"][lang] = title.replace("1", str(version))
    se_share = next(c for c in body["criteria"] if c["id"] == "se_share")
    se_share["scoring"]["minimum"] = se_share_minimum
    for c in body["criteria"]:  # as the contract writes decimals: strings
        fig = c["evidence"].get("figure")
        if fig:
            fig["min"], fig["max"] = str(fig["min"]), str(fig["max"])
    return body
