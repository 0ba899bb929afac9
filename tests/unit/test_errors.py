"""The kernel's one-field 422."""
from __future__ import annotations

from services.common.errors import Invalid, invalid


def test_invalid_names_the_field_in_the_message_and_the_errors():
    error = invalid("quantity", "must be more than zero")
    assert isinstance(error, Invalid) and error.status == 422 and error.code == "invalid"
    assert error.message == "quantity: must be more than zero"
    assert error.errors == {"quantity": ["must be more than zero"]}
