"""The criteria catalogue: loaded from its data file, checks evidence, scores assessments."""
from pathlib import Path

import pytest

from services.label import catalogue
from tests.support.labels import GOOD_EVIDENCE, GOOD_SCORES, V2


def test_version_1_covers_the_three_families_in_three_languages():
    cat = catalogue.load(1)
    assert cat.version == 1 and cat.validity_years == 2
    assert {c.family for c in cat.criteria} == {"social", "ecological", "quality"}
    assert all(set(c.text) == {"de", "hu", "en"} for c in cat.criteria)
    se = cat.criterion("se_share")
    assert se.kind == "threshold" and se.minimum == 30 and se.figure.unit == "percent"
    assert cat.regional["radius_km"] > 0


def test_unknown_version_is_a_lookup_error():
    with pytest.raises(LookupError):
        catalogue.load(99)


def test_a_second_version_from_another_file(tmp_path: Path):
    (tmp_path / "criteria-v2.yaml").write_text(V2, encoding="utf-8")
    v2 = catalogue.load(2, data_dir=tmp_path)
    assert v2.version == 2 and v2.criterion("se_share").minimum == 40
    assert catalogue.load(1).criterion("se_share").minimum == 30


def test_percentages_outside_0_100_are_field_errors():
    cat = catalogue.load(1)
    errors = cat.check_evidence({"se_share": {"figure": "101"}, "regional_primary_products": {"figure": "-1"},
                                 "nope": {"figure": "1"}})
    assert set(errors) == {"se_share", "regional_primary_products", "nope"}
    assert cat.check_evidence({"se_share": {"figure": "100"}}) == {}


def test_complete_evidence_and_good_scores_pass():
    assert catalogue.load(1).verdict(GOOD_EVIDENCE, GOOD_SCORES).passed


def test_a_missing_mandatory_criterion_means_no_grant():
    evidence = {k: v for k, v in GOOD_EVIDENCE.items() if k != "se_share"}
    verdict = catalogue.load(1).verdict(evidence, GOOD_SCORES)
    assert not verdict.passed and "se_share" in verdict.failures


def test_a_share_below_the_threshold_fails():
    verdict = catalogue.load(1).verdict({**GOOD_EVIDENCE, "se_share": {"figure": "29.9"}}, GOOD_SCORES)
    assert not verdict.passed and list(verdict.failures) == ["se_share"]


def test_a_low_score_fails_and_bad_scores_are_rejected():
    cat = catalogue.load(1)
    low = {**GOOD_SCORES, "quality_innovation": {"score": 2, "reason": "r"}}
    assert cat.verdict(GOOD_EVIDENCE, low).failures.keys() == {"quality_innovation"}
    assert cat.check_scores({"quality_innovation": {"score": 6}, "se_share": {"score": 3}}).keys() == {
        "quality_innovation", "se_share"}
