"""The locks hold what pyproject.toml asks for, with hashes, and the image runs the tests' versions.

`make` and `.ci/run` install requirements/test.lock, the Dockerfile requirements/runtime.lock; a
dependency added to pyproject.toml without `make lock` would install nowhere, and two locks that
disagree would test one version and ship another.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)")


def locked(path: Path) -> dict[str, Version]:
    """{name: version} of a lock; fails on a pin without a hash (pip --require-hashes would too)."""
    pins: dict[str, Version] = {}
    entries = re.split(r"\n(?=\S)", path.read_text())
    for entry in entries:
        match = PIN.match(entry)
        if not match:
            continue
        name = canonicalize_name(Requirement(match.group(1)).name)
        assert "--hash=sha256:" in entry, f"{path.name}: {name} is pinned without a hash"
        pins[name] = Version(match.group(2))
    return pins


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_runtime_lock_pins_every_dependency_within_its_lower_bound():
    pins = locked(ROOT / "requirements" / "runtime.lock")
    for spec in project()["dependencies"]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not in runtime.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} breaks {spec}"


def test_test_lock_adds_the_test_extra_and_keeps_the_runtime_versions():
    runtime = locked(ROOT / "requirements" / "runtime.lock")
    test = locked(ROOT / "requirements" / "test.lock")
    for spec in project()["optional-dependencies"]["test"]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in test, f"{name} is a test dependency but not in test.lock: run `make lock`"
        assert requirement.specifier.contains(test[name]), f"{name}=={test[name]} breaks {spec}"
    differing = {name: (version, test.get(name)) for name, version in runtime.items() if test.get(name) != version}
    assert not differing, f"the image and the tests would run different versions: {differing}"


@pytest.mark.parametrize("lock", ["runtime.lock", "test.lock"])
def test_the_lock_is_what_gets_installed(lock):
    installs = {
        "Makefile": (ROOT / "Makefile").read_text(),
        "deploy/Dockerfile": (ROOT / "deploy" / "Dockerfile").read_text(),
    }
    user = "deploy/Dockerfile" if lock == "runtime.lock" else "Makefile"
    assert f"--require-hashes -r requirements/{lock}" in installs[user]
