"""Rate limits in tests: two client addresses, the refusal every limit answers with, and an anonymous
write that the public-write limit counts."""
from __future__ import annotations

HERE, ELSEWHERE = {"REMOTE_ADDR": "192.0.2.1"}, {"REMOTE_ADDR": "192.0.2.2"}
ENQUIRY = {"type": "service", "title": "Catering for 40", "description": "Lunch for a workshop",
           "cpv_codes": ["55520000"], "quantity": "40", "unit": "meals", "deadline": "2099-01-31",
           "delivery": {"nuts3": "AT123"}, "contact": {"name": "Lena Pichler", "email": "lena@example.org"}}


def assert_too_many(response):
    assert response.status_code == 429, response.get_json()
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == "too_many_requests" and body["status"] == 429
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 60, retry_after
