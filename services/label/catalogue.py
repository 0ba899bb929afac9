"""The versioned criteria catalogue: loaded from a data file, never code constants.

`load(version)` reads `data/criteria-v<version>.yaml`; `load_file(path)` reads any file of that shape
(tests use a second version). A catalogue checks evidence figures against their ranges and scores an
assessment: a missing or failed criterion means no grant. Pure: no I/O beyond reading the file.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGUAGES = ("de", "hu", "en")
KINDS = ("threshold", "scored")
CURRENT_VERSION = 1


class CatalogueError(ValueError):
    """The catalogue file itself is malformed (a deployment error, not bad input)."""


@dataclass(frozen=True)
class Figure:
    name: str
    unit: str
    min: Decimal
    max: Decimal


@dataclass(frozen=True)
class Criterion:
    id: str
    family: str
    kind: str
    text: dict
    figure: Figure | None
    documents: tuple[str, ...]
    minimum: Decimal | None = None   # threshold criteria
    max_score: int | None = None     # scored criteria
    min_score: int | None = None


@dataclass(frozen=True)
class Verdict:
    """The outcome of scoring one assessment against the catalogue."""

    passed: bool
    failures: dict  # criterion id -> why it fails


@dataclass(frozen=True)
class Catalogue:
    version: int
    title: dict
    validity_years: int
    regional: dict
    criteria: tuple[Criterion, ...]

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def check_evidence(self, evidence: dict) -> dict:
        """Field messages for evidence that does not fit the catalogue (empty when it fits)."""
        errors: dict = {}
        for cid, item in evidence.items():
            criterion = self.criterion(cid)
            if criterion is None:
                errors[cid] = [f"not a criterion of catalogue version {self.version}"]
                continue
            value = (item or {}).get("figure")
            if value is None:
                continue
            if criterion.figure is None:
                errors[cid] = ["this criterion takes no figure, only documents"]
            elif not criterion.figure.min <= Decimal(value) <= criterion.figure.max:
                errors[cid] = [f"{criterion.figure.name} must be between {criterion.figure.min} and "
                               f"{criterion.figure.max} {criterion.figure.unit}"]
        return errors

    def missing_evidence(self, evidence: dict) -> dict:
        """Criteria whose evidence is absent: a figure where one is asked, else at least one document."""
        missing = {}
        for c in self.criteria:
            item = evidence.get(c.id) or {}
            if c.figure is not None and item.get("figure") is None:
                missing[c.id] = [f"the figure {c.figure.name} ({c.figure.unit}) is missing"]
            elif c.figure is None and not item.get("documents"):
                missing[c.id] = ["at least one document is needed"]
        return missing

    def check_scores(self, scores: dict) -> dict:
        """Field messages for an assessment's scores that do not fit the catalogue."""
        errors: dict = {}
        for cid, s in scores.items():
            c = self.criterion(cid)
            if c is None:
                errors[cid] = [f"not a criterion of catalogue version {self.version}"]
            elif c.kind == "scored":
                if s.get("score") is None or not 0 <= s["score"] <= c.max_score:
                    errors[cid] = [f"a score from 0 to {c.max_score} is needed"]
            elif s.get("score") is not None:
                errors[cid] = ["a threshold criterion is not scored; it passes on its figure"]
        return errors

    def verdict(self, evidence: dict, scores: dict) -> Verdict:
        """Whether an application passes: every criterion evidenced, thresholds met, scores high enough."""
        failures = dict(self.missing_evidence(evidence))
        for c in self.criteria:
            if c.id in failures:
                continue
            if c.kind == "threshold":
                if Decimal((evidence.get(c.id) or {})["figure"]) < c.minimum:
                    failures[c.id] = [f"below the minimum of {c.minimum} {c.figure.unit}"]
            else:
                score = (scores.get(c.id) or {}).get("score")
                if score is None:
                    failures[c.id] = ["not scored"]
                elif score < c.min_score:
                    failures[c.id] = [f"scored {score}, at least {c.min_score} is needed"]
        return Verdict(not failures, failures)


def _decimal(value, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise CatalogueError(f"{where}: {value!r} is not a number") from None


def _criterion(raw: dict) -> Criterion:
    cid = raw.get("id")
    if not cid or raw.get("kind") not in KINDS:
        raise CatalogueError(f"criterion {cid!r}: an id and a kind in {KINDS} are needed")
    text = raw.get("text") or {}
    if set(LANGUAGES) - set(text):
        raise CatalogueError(f"criterion {cid}: text in {LANGUAGES} is needed")
    evidence = raw.get("evidence") or {}
    fig = evidence.get("figure")
    figure = Figure(fig["name"], fig["unit"], _decimal(fig["min"], cid), _decimal(fig["max"], cid)) if fig else None
    scoring = raw.get("scoring") or {}
    if raw["kind"] == "threshold":
        if figure is None or "minimum" not in scoring:
            raise CatalogueError(f"criterion {cid}: a threshold needs a figure and a minimum")
        return Criterion(cid, raw.get("family", ""), "threshold", text, figure, tuple(evidence.get("documents", [])),
                         minimum=_decimal(scoring["minimum"], cid))
    return Criterion(cid, raw.get("family", ""), "scored", text, figure, tuple(evidence.get("documents", [])),
                     max_score=int(scoring.get("max_score", 5)), min_score=int(scoring.get("min_score", 0)))


def current() -> Catalogue:
    """The version new applications are made under (CURRENT_VERSION, read at call time)."""
    return load(CURRENT_VERSION)


def from_dict(raw: dict, where: str = "catalogue") -> Catalogue:
    """A catalogue from its published shape (the YAML file's, or the body of `hub.criteria.published`)."""
    criteria = tuple(_criterion(c) for c in raw.get("criteria", []))
    if len({c.id for c in criteria}) != len(criteria):
        raise CatalogueError(f"{where}: criterion ids must be unique")
    return Catalogue(int(raw["version"]), raw.get("title", {}), int(raw.get("validity_years", 2)),
                     raw.get("regional", {}), criteria)


def read_file(path: Path) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def load_file(path: Path) -> Catalogue:
    return from_dict(read_file(path), str(path))


def load(version: int, data_dir: Path | None = None) -> Catalogue:
    """Catalogue `version` from `data_dir` (default: the module's DATA_DIR, read at call time)."""
    return _load(int(version), Path(data_dir or DATA_DIR))


@lru_cache(maxsize=None)
def _load(version: int, data_dir: Path) -> Catalogue:
    path = data_dir / f"criteria-v{version}.yaml"
    if not path.exists():
        raise LookupError(f"no criteria catalogue version {version}")
    return load_file(path)
