"""The label's network policy, from the federation file's `label:` section (deploy/federation.yaml).

The agency sets it for every site alike: how long a renewal under assessment keeps a label valid past its
last day, the share of valid labels drawn each year for a spot check, and the largest evidence document.
It is part of the contract because the hub reads it too (the grace decides what its register shows).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.common.config import Federation


@dataclass(frozen=True)
class LabelPolicy:
    renewal_grace_days: int = 90
    spot_check_share: Decimal = Decimal("0.10")
    document_max_bytes: int = 5 * 1024 * 1024

    @classmethod
    def of(cls, federation: Federation) -> "LabelPolicy":
        raw = federation.label or {}
        default = cls()
        share = Decimal(str(raw.get("spot_check_share", default.spot_check_share)))
        if not Decimal(0) <= share <= Decimal(1):
            raise ValueError(f"label.spot_check_share must be from 0 to 1, not {share}")
        return cls(renewal_grace_days=int(raw.get("renewal_grace_days", default.renewal_grace_days)),
                   spot_check_share=share,
                   document_max_bytes=int(raw.get("document_max_bytes", default.document_max_bytes)))
