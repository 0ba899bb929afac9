"""The kernel's all-or-nothing field changes (services.common.changes)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from services.common.changes import apply_changes, refuse_unknown
from services.common.errors import Invalid


@dataclass
class Thing:
    name: str
    size: int

    def check(self) -> None:
        if self.size < 0:
            raise Invalid("size: must not be negative", {"size": ["must not be negative"]})


def test_unknown_fields_are_refused_by_name():
    with pytest.raises(Invalid) as refused:
        refuse_unknown({"name": "x", "colour": "red", "age": 3}, ("name",))
    assert refused.value.errors == {"age": ["cannot be changed"], "colour": ["cannot be changed"]}


def test_a_refused_change_puts_every_field_back():
    thing = Thing("box", 1)
    with pytest.raises(Invalid):
        apply_changes(thing, {"name": "crate", "size": -1}, ("name", "size"), thing.check)
    assert thing == Thing("box", 1)


def test_it_says_whether_anything_changed():
    thing = Thing("box", 1)
    assert apply_changes(thing, {"name": "box"}, ("name", "size"), thing.check) is False
    assert apply_changes(thing, {"size": 2}, ("name", "size"), thing.check) is True
    assert thing == Thing("box", 2)


def test_only_the_refused_errors_roll_back():
    thing = Thing("box", 1)

    def explode() -> None:
        raise KeyError("not a refusal")

    with pytest.raises(KeyError):
        apply_changes(thing, {"size": 5}, ("size",), explode)
    assert thing.size == 5  # not one of `refused`: not this helper's business
