"""The checker's classes, on made-up histories (no services needed)."""
from __future__ import annotations

import json

import pytest

from tests.support.faults import checker
from tests.support.faults.checker import assert_clean, classify


@pytest.fixture(autouse=True)
def artifacts(tmp_path, monkeypatch):
    monkeypatch.setattr(checker, "ARTIFACTS", tmp_path)
    return tmp_path


def test_each_event_falls_in_its_class():
    figures = classify("made up", written=["a", "b", "c", "d", "p"],
                       applications={"a": 1, "b": 2, "d": 1, "x": 1},
                       routes={"a": "bus", "b": "bus", "d": "feed", "x": "bus"},
                       in_doubt={"c", "d"}, dead_lettered={"p"}, absorbed=3)
    assert (figures.lost, figures.duplicated, figures.unexpected) == (1, 1, 1)
    assert (figures.lost_ids, figures.duplicated_ids, figures.unexpected_ids) == (["c"], ["b"], ["x"])
    assert (figures.recovered, figures.in_doubt) == (1, 2), "d was in doubt and arrived once; c never did"
    assert (figures.dead_lettered, figures.via_bus, figures.via_feed) == (1, 3, 1)


@pytest.mark.parametrize("applications, broken", [
    ({"a": 1}, "lost"),
    ({"a": 1, "b": 2}, "applied twice"),
    ({"a": 1, "b": 1, "z": 1}, "no site"),
])
def test_a_broken_history_fails_the_test(applications, broken):
    with pytest.raises(AssertionError, match=broken):
        assert_clean(classify("broken", ["a", "b"], applications))


def test_figures_are_appended_to_the_artifact(artifacts):
    assert_clean(classify("first", ["a"], {"a": 1}))
    assert_clean(classify("second", ["a"], {"a": 1}, drain_rate_per_s=12.5))
    runs = json.loads((artifacts / "faults.json").read_text())
    assert [r["fault"] for r in runs] == ["first", "second"]
    assert runs[1]["extra"] == {"drain_rate_per_s": 12.5}
