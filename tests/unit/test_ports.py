"""The kernel's ports: one implementation per Protocol, checked when provided, named when missing."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

import pytest
from flask import Flask

from services.common.ports import MissingPort, port, provide


@runtime_checkable
class Greeter(Protocol):
    def greet(self, name: str) -> str: ...


class English:
    def greet(self, name: str) -> str:
        return f"Hello {name}"


class Mute:
    pass


def test_a_provided_port_is_found_by_its_protocol():
    app = Flask("ports")
    provide(app, Greeter, English())
    with app.app_context():
        assert port(Greeter).greet("Anna") == "Hello Anna"


def test_a_missing_port_is_named_with_where_to_provide_it():
    with Flask("ports").app_context(), pytest.raises(MissingPort, match=r"test_ports\.Greeter.*composition"):
        port(Greeter)


def test_an_implementation_without_the_ports_methods_is_refused_at_start():
    with pytest.raises(TypeError, match="does not implement Greeter"):
        provide(Flask("ports"), Greeter, Mute())


def test_a_port_is_provided_once():
    app = Flask("ports")
    provide(app, Greeter, English())
    with pytest.raises(ValueError, match="Greeter is provided twice"):
        provide(app, Greeter, English())
