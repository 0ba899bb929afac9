"""The kernel's acting_for: staff manage anyone's records, a member only its own organisation's."""
from __future__ import annotations

import pytest
from flask import Flask, g

from services.common.auth import acting_for
from services.common.errors import Forbidden
from services.common.tokens import Principal

STAFF = ("site_admin", "broker")
app = Flask("acting_for")


@pytest.mark.parametrize("principal, expected", [
    (Principal("anna", frozenset({"broker"}), "AT12", organisation_id="org-1"), None),
    (Principal("root", frozenset({"site_admin", "member"}), "AT12"), None),
    (Principal("max", frozenset({"member"}), "AT12", organisation_id="org-1"), "org-1"),
])
def test_staff_act_for_anyone_a_member_for_its_organisation(principal, expected):
    with app.test_request_context("/"):
        g.principal = principal
        assert acting_for(STAFF) == expected


def test_a_member_without_an_organisation_is_refused():
    with app.test_request_context("/"):
        g.principal = Principal("max", frozenset({"member"}), "AT12")
        with pytest.raises(Forbidden):
            acting_for(STAFF)
