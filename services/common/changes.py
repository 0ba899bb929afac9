"""Changing an aggregate's fields all at once or not at all (a PATCH is whole or a 422 with nothing changed)."""
from __future__ import annotations

from typing import Callable, Iterable

from services.common.errors import Invalid


def refuse_unknown(changes: dict, allowed: Iterable[str]) -> None:
    """A 422 naming every field that is not one of `allowed`."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise Invalid("these fields cannot be changed", {name: ["cannot be changed"] for name in sorted(unknown)})


def apply_changes(target, changes: dict, allowed: Iterable[str], check: Callable[[], None],
                  refused: tuple[type[Exception], ...] = (Invalid,)) -> bool:
    """Set `changes` on `target` and run `check`; if it raises one of `refused`, put every field back and
    re-raise. True if any field now differs, so that an update changing nothing records nothing."""
    refuse_unknown(changes, allowed)
    before = {name: getattr(target, name) for name in changes}
    for name, value in changes.items():
        setattr(target, name, value)
    try:
        check()
    except refused:
        for name, value in before.items():
            setattr(target, name, value)
        raise
    return any(before[name] != getattr(target, name) for name in changes)
