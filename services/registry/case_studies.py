"""Case studies: published examples of a social enterprise's work for a client, with their impact
(value paid, material diverted, hours of integration work). No I/O."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from services.common.errors import invalid
from services.common.events import Aggregate
from services.contracts.events import registry as events
from services.registry.rules import PUBLISHED, WITHDRAWN, Changeable, check_cpv, require_state

LANGUAGES = events.CASE_STUDY_LANGUAGES


@dataclass(frozen=True)
class Impact:
    value_paid_eur: Decimal | None = None
    material_diverted_kg: Decimal | None = None
    integration_hours: Decimal | None = None


@dataclass(frozen=True)
class Text:
    """The title and summary in one further language (the case study's own stay its original text)."""

    title: str
    summary: str


@dataclass(frozen=True)
class Partner:
    """A social enterprise of a consortium the case study credits, at its own site, with its part's impact."""

    site: str
    organisation_id: str
    organisation_name: str | None
    quantity: int
    impact: Impact = field(default_factory=Impact)


@dataclass
class CaseStudy(Changeable, Aggregate):
    id: str
    reference: str
    title: str
    summary: str
    year: int
    cpv_codes: list[str] = field(default_factory=list)
    client_organisation_id: str | None = None
    social_enterprise_id: str | None = None
    impact: Impact = field(default_factory=Impact)
    status: str = PUBLISHED
    partners: list[Partner] = field(default_factory=list)  # set when published, from a consortium order
    texts: dict[str, Text] = field(default_factory=dict)  # by language: the title and summary translated

    UPDATABLE = ("title", "summary", "year", "cpv_codes", "client_organisation_id", "social_enterprise_id",
                 "impact", "texts")

    @classmethod
    def publish(cls, **fields) -> "CaseStudy":
        study = cls(**fields)
        study._check()
        study._record(events.CaseStudyPublishedV2(**study.snapshot()))
        return study

    def _check(self) -> None:
        self.cpv_codes = list(dict.fromkeys(self.cpv_codes))
        self.texts = {lang: t if isinstance(t, Text) else Text(**t) for lang, t in (self.texts or {}).items()
                      if t is not None}
        for lang, text in self.texts.items():
            if lang not in LANGUAGES:
                raise invalid(f"texts.{lang}", f"must be one of {', '.join(LANGUAGES)}")
            if not text.title.strip() or len(text.title) > events.CASE_STUDY_TITLE_MAX:
                raise invalid(f"texts.{lang}.title", f"must be 1 to {events.CASE_STUDY_TITLE_MAX} characters")
            if not text.summary.strip():
                raise invalid(f"texts.{lang}.summary", "must not be empty")
        check_cpv(self.cpv_codes)
        if not 1990 <= self.year <= 2100:
            raise invalid("year", "must be between 1990 and 2100")
        for name in ("value_paid_eur", "material_diverted_kg", "integration_hours"):
            value = getattr(self.impact, name)
            if value is not None and value < 0:
                raise invalid(name, "must not be negative")

    def update(self, **changes) -> None:
        require_state("case_study", self.status, (PUBLISHED,), "update")
        if self._apply(changes):
            self._record(events.CaseStudyUpdatedV2(**self.snapshot()))

    def withdraw(self, reason: str | None = None) -> None:
        require_state("case_study", self.status, (PUBLISHED,), "withdraw")
        self.status = WITHDRAWN
        self._record(events.CaseStudyWithdrawn(id=self.id, reason=reason))

    def snapshot(self) -> dict:
        return dict(
            case_study_id=self.id, title=self.title, summary=self.summary,
            client_organisation_id=self.client_organisation_id, social_enterprise_id=self.social_enterprise_id,
            cpv_codes=list(self.cpv_codes), year=self.year, value_paid_eur=self.impact.value_paid_eur,
            material_diverted_kg=self.impact.material_diverted_kg, integration_hours=self.impact.integration_hours,
            status=self.status,
            texts=[{"language": lang, "title": self.texts[lang].title, "summary": self.texts[lang].summary}
                   for lang in sorted(self.texts)],
        )

    def text_in(self, language: str) -> Text:
        """The title and summary to show a reader of `language`: its translation, else the original."""
        return self.texts.get(language) or Text(self.title, self.summary)
