"""Appeals on PostgreSQL and SQLite: a refusal, a suspension and a revocation, each upheld and dismissed, with
what each outcome changes, the label's events in the outbox, the audit, and the mail written in the same
transaction (to the approvers who may decide, then to the holder's members); the 30-day limit, one appeal per
decision (also when two are filed at once), and the four-eyes rule against everyone who decided before."""
from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from services.common import notifications
from services.common.clock import utcnow
from services.common.errors import Conflict, Forbidden
from services.common.outbox import outbox
from services.common.users import add_user
from services.label import appeals, handlers as h
from services.web.notify import MailSite
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.labels import GOOD_EVIDENCE, GOOD_SCORES
from tests.support.migrated import bootstrap
from tests.support.sites import Site

TODAY = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 10, tzinfo=timezone.utc)
ORG, OTHER_ORG = str(uuid.uuid4()), str(uuid.uuid4())
MAIL = MailSite("https://hu22.example", ("hu", "de", "en"))
# anna assesses (and may approve), bela decides applications, dora suspends and revokes, csilla decides appeals
USERS = {"anna": (["assessor", "approver"], None, "en"), "bela": (["approver"], None, "hu"),
         "dora": (["approver"], None, "hu"), "csilla": (["approver"], None, "en"),
         "member_en": (["member"], ORG, "en"), "member_de": (["member"], ORG, "de"),
         "stranger": (["member"], OTHER_ORG, "en")}


@pytest.fixture(params=BACKENDS)
def runtime(request, make_settings, tmp_path):
    url = pg_url_if(request, request.param, f"sqlite:///{tmp_path / 'appeals.sqlite'}")
    rt = bootstrap(make_settings("HU22", db_url=url))
    with rt.engine.begin() as conn:
        for username, (roles, org, language) in USERS.items():
            add_user(conn, username, "pw-appeals-1", roles, org)
            notifications.set_contact(conn, username, f"{username}@hu22.example", language)
    yield rt
    rt.engine.dispose()


def decided(rt, outcome: str, at: datetime = NOW) -> str:
    app = h.create_application(rt.uow(), {"holder_organisation_id": ORG, "holder_name": "Textil Kft",
                                          "product": "Tote bag", "cpv_codes": ["18930000"],
                                          "evidence": GOOD_EVIDENCE}, "member_en", acting_for=ORG)
    h.submit_application(rt.uow(), app.id, "member_en", acting_for=ORG)
    h.assess_application(rt.uow(), app.id, "anna", GOOD_SCORES, NOW)
    h.decide_application(rt.uow(), app.id, "bela", outcome, "not convincing" if outcome == "refused" else "ok",
                         at.date(), at)
    return app.id


def granted(rt) -> str:
    return h.get_application(rt.engine, decided(rt, "granted"), None).label_number


def events(rt) -> list[str]:
    with rt.engine.connect() as conn:
        return [r.type for r in conn.execute(select(outbox.c.type).order_by(outbox.c.id))]


def mails(rt, kind: str) -> dict[str, tuple[str, str]]:
    """recipient -> (language, subject) of the notification outbox's mails of `kind`."""
    with rt.engine.connect() as conn:
        rows = conn.execute(select(notifications.notification).where(notifications.notification.c.kind == kind))
        return {r.recipient: (r.language, r.subject) for r in rows}


def file(rt, against: str, target: str, now: datetime | None = None, actor="member_en", acting_for=ORG):
    application_id, number = (target, None) if against == "refused" else (None, target)
    return appeals.file_appeal(rt.uow(), against, application_id, number, "We disagree, see the invoices.", actor,
                               acting_for, now or utcnow(), MAIL)


def decide(rt, appeal_id: str, decider: str, outcome: str, now: datetime | None = None):
    return appeals.decide_appeal(rt.uow(), appeal_id, decider, outcome, f"{outcome} after a second look",
                                 now or utcnow(), MAIL)


def audit_actions(rt, subject_id: str) -> list[str]:
    return [a["action"] for a in h.audit_trail(rt.engine, [subject_id])]


def test_an_upheld_refusal_reopens_the_application_and_only_a_new_person_decides(runtime):
    app_id = decided(runtime, "refused")
    appeal = file(runtime, "refused", app_id, NOW + timedelta(days=5))
    assert appeal.excluded == ["anna", "bela"] and appeal.status == "open"
    # the approvers who may decide hear of it; anna (assessed) and bela (refused) do not
    assert set(mails(runtime, "label_appeal_filed")) == {"dora@hu22.example", "csilla@hu22.example"}
    assert mails(runtime, "label_appeal_filed") == {
        "csilla@hu22.example": ("en", "Appeal filed against the refusal of a label application"),
        "dora@hu22.example": ("hu", "Fellebbezés érkezett: egy védjegykérelem elutasítása")}
    with runtime.engine.connect() as conn:  # the mail links to the appeal's page, where the grounds are
        row = conn.execute(select(notifications.notification).where(
            notifications.notification.c.recipient == "csilla@hu22.example")).one()
    assert row.action_url == f"https://hu22.example/office/labels/appeals/{appeal.id}?lang=en"
    assert "We disagree" not in row.body_text
    for before in ("anna", "bela"):
        with pytest.raises(Conflict) as refused:
            decide(runtime, appeal.id, before, "upheld")
        assert refused.value.code == "four_eyes"
    assert appeals.get_appeal(runtime.engine, appeal.id, None).status == "open"

    done = decide(runtime, appeal.id, "csilla", "upheld", NOW + timedelta(days=9))
    assert (done.status, done.decided_by) == ("upheld", "csilla")
    app = h.get_application(runtime.engine, app_id, None)
    assert (app.status, app.assessment, app.decision) == ("submitted", None, None)
    assert audit_actions(runtime, app_id)[-1] == "reopened on appeal"
    assert audit_actions(runtime, appeal.id) == ["filed", "upheld"]
    assert mails(runtime, "label_appeal_decided") == {
        "member_en@hu22.example": ("en", "Your appeal was decided: upheld"),
        "member_de@hu22.example": ("de", "Über Ihren Einspruch wurde entschieden: stattgegeben")}
    # the application goes on: assessed and decided again (a new refusal could be appealed anew)
    h.assess_application(runtime.uow(), app_id, "dora", GOOD_SCORES, NOW + timedelta(days=10))
    h.decide_application(runtime.uow(), app_id, "csilla", "refused", "still no", TODAY, NOW + timedelta(days=11))
    assert file(runtime, "refused", app_id, NOW + timedelta(days=12)).excluded == ["dora", "csilla"]


def test_a_dismissed_refusal_changes_nothing_and_is_final(runtime):
    app_id = decided(runtime, "refused")
    appeal = file(runtime, "refused", app_id, NOW + timedelta(days=1))
    with pytest.raises(Conflict) as second:
        file(runtime, "refused", app_id, NOW + timedelta(days=2))
    assert second.value.code == "appeal_open"
    decide(runtime, appeal.id, "dora", "dismissed", NOW + timedelta(days=3))
    assert h.get_application(runtime.engine, app_id, None).status == "refused"
    assert "reopened on appeal" not in audit_actions(runtime, app_id)
    assert {lang for lang, _ in mails(runtime, "label_appeal_decided").values()} == {"en", "de"}
    assert mails(runtime, "label_appeal_decided")["member_en@hu22.example"][1] == "Your appeal was decided: dismissed"
    with pytest.raises(Conflict) as again:
        file(runtime, "refused", app_id, NOW + timedelta(days=4))
    assert again.value.code == "appeal_decided"
    with pytest.raises(Conflict) as decided_twice:
        decide(runtime, appeal.id, "csilla", "upheld")
    assert decided_twice.value.code == "appeal_decided"


def test_an_upheld_suspension_reinstates_the_label_with_its_event(runtime):
    number = granted(runtime)
    h.suspend_label(runtime.uow(), number, "dora", utc_in(60), "complaint", utcnow().date())
    appeal = file(runtime, "suspended", number)
    assert appeal.excluded == ["dora", "anna", "bela"]
    with pytest.raises(Conflict) as refused:
        decide(runtime, appeal.id, "dora", "upheld")
    assert refused.value.code == "four_eyes"
    decide(runtime, appeal.id, "csilla", "upheld")
    label = h.find_label(runtime.engine, number)
    assert (label.status, label.suspended_until) == ("valid", None)
    assert events(runtime)[-1] == "label.label.reinstated"
    assert audit_actions(runtime, number)[-1] == "reinstated"
    assert "member_en@hu22.example" in mails(runtime, "label_appeal_decided")


def test_a_dismissed_suspension_keeps_the_label_suspended_and_publishes_nothing(runtime):
    number = granted(runtime)
    h.suspend_label(runtime.uow(), number, "dora", utc_in(60), "complaint", utcnow().date())
    before = events(runtime)
    decide(runtime, file(runtime, "suspended", number).id, "csilla", "dismissed")
    assert h.find_label(runtime.engine, number).status == "suspended" and events(runtime) == before


def test_an_upheld_revocation_makes_the_label_valid_again_or_expired_after_its_validity(runtime):
    number = granted(runtime)
    h.revoke_label(runtime.uow(), number, "dora", "misleading use")
    decide(runtime, file(runtime, "revoked", number).id, "csilla", "upheld")
    assert h.find_label(runtime.engine, number).status == "valid"
    assert events(runtime)[-2:] == ["label.label.revoked", "label.label.reinstated"]

    ended = granted(runtime)  # valid until 2028-03-01; the appeal is decided after that
    h.revoke_label(runtime.uow(), ended, "dora", "misleading use")
    decide(runtime, file(runtime, "revoked", ended).id, "csilla", "upheld", datetime(2028, 3, 2, tzinfo=timezone.utc))
    assert h.find_label(runtime.engine, ended).status == "expired"
    assert events(runtime)[-1] == "label.label.expired"


def test_a_dismissed_revocation_keeps_the_label_revoked(runtime):
    number = granted(runtime)
    h.revoke_label(runtime.uow(), number, "dora", "misleading use")
    before = events(runtime)
    decide(runtime, file(runtime, "revoked", number).id, "csilla", "dismissed")
    assert h.find_label(runtime.engine, number).status == "revoked" and events(runtime) == before


def test_an_appeal_is_filed_within_30_days_by_the_holder_against_a_standing_decision(runtime):
    app_id = decided(runtime, "refused")
    with pytest.raises(Conflict) as late:
        file(runtime, "refused", app_id, NOW + timedelta(days=31))
    assert late.value.code == "appeal_too_late" and "30 days" in late.value.message
    with pytest.raises(Forbidden):
        file(runtime, "refused", app_id, NOW, actor="stranger", acting_for=OTHER_ORG)
    assert file(runtime, "refused", app_id, NOW + timedelta(days=30), actor="admin", acting_for=None).filed_by == "admin"
    with pytest.raises(Conflict) as standing:
        file(runtime, "refused", decided(runtime, "granted"), NOW + timedelta(days=1))
    assert standing.value.code == "not_appealable"
    with pytest.raises(Conflict):
        file(runtime, "suspended", granted(runtime))  # a valid label is no suspension


def test_two_appeals_filed_at_once_against_one_decision_make_one(runtime):
    app_id = decided(runtime, "refused")
    barrier = threading.Barrier(2)

    def attempt(_):
        barrier.wait(timeout=30)
        try:
            return file(runtime, "refused", app_id, NOW + timedelta(days=1)).id
        except Conflict as exc:
            return exc.code

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(attempt, range(2)))
    assert sorted(r == "appeal_open" for r in results) == [False, True], results
    assert appeals.list_appeals(runtime.engine, ORG, "open", 1, 10).total == 1


def utc_in(days: int) -> date:
    return utcnow().date() + timedelta(days=days)


def test_the_api_answers_422_409_403_and_404_in_its_one_error_shape(make_settings, tmp_path):
    site = Site(make_settings("HU22", db_url=f"sqlite:///{tmp_path / 'api.sqlite'}"), [
        ("admin", ["site_admin"], None), ("anna", ["assessor"], None), ("bela", ["approver"], None),
        ("csilla", ["approver"], None), ("member", ["member"], ORG), ("stranger", ["member"], OTHER_ORG)])
    app_id = decided(site.runtime, "refused", utcnow())  # the API files at the real time
    for body, field in (({"against": "refused", "grounds": "no"}, "application_id"),
                        ({"against": "suspended", "grounds": "no"}, "label_number"),
                        ({"against": "granted", "application_id": app_id, "grounds": "no"}, "against"),
                        ({"against": "refused", "application_id": app_id}, "grounds"),
                        ({"against": "refused", "application_id": app_id, "grounds": "x" * 5001}, "grounds"),
                        ({"against": "refused", "application_id": app_id, "grounds": "ok", "status": "upheld"},
                         "status")):
        answer = site.call("POST", "/label-appeals", "member", 422, json=body).json
        assert answer["code"] == "invalid" and list(answer["errors"]) == [field], answer
    site.call("POST", "/label-appeals", "stranger", 403, json={"against": "refused", "application_id": app_id,
                                                               "grounds": "not ours"})
    site.call("POST", "/label-appeals", "bela", 403, json={"against": "refused", "application_id": app_id,
                                                           "grounds": "an approver files none"})
    site.call("POST", "/label-appeals", "member", 404, json={
        "against": "revoked", "label_number": "SOPRO-HU22-2026-0999", "grounds": "unknown label"})
    appeal = site.ok("POST", "/label-appeals", "member", 201, json={
        "against": "refused", "application_id": app_id, "grounds": "Please look again."})
    assert appeal["status"] == "open" and "excluded" not in appeal
    assert site.call("POST", "/label-appeals", "member", 409, json={
        "against": "refused", "application_id": app_id, "grounds": "again"}).json["code"] == "appeal_open"

    assert [a["id"] for a in site.ok("GET", "/label-appeals", "member")["items"]] == [appeal["id"]]
    assert site.ok("GET", "/label-appeals", "stranger")["items"] == []
    assert site.ok("GET", "/label-appeals?status=open", "anna")["items"][0]["excluded"] == ["anna", "bela"]
    site.call("GET", f"/label-appeals/{appeal['id']}", "stranger", 404)
    site.call("GET", f"/label-appeals/{uuid.uuid4()}", "admin", 404)
    site.call("GET", "/label-appeals?status=maybe", "admin", 422)

    decision = f"/label-appeals/{appeal['id']}/decision"
    site.call("POST", decision, "member", 403, json={"outcome": "upheld", "reason": "mine"})
    site.call("POST", decision, "admin", 403, json={"outcome": "upheld", "reason": "site admins file, not decide"})
    assert list(site.call("POST", decision, "csilla", 422, json={"outcome": "granted"}).json["errors"]) == [
        "outcome", "reason"]
    refused = site.call("POST", decision, "bela", 409, json={"outcome": "upheld", "reason": "mine again"}).json
    assert refused["code"] == "four_eyes" and "four eyes" in refused["message"]
    done = site.ok("POST", decision, "csilla", json={"outcome": "dismissed", "reason": "The refusal stands."})
    assert (done["status"], done["decided_by"], done["decision_reason"]) == ("dismissed", "csilla", "The refusal stands.")
    site.runtime.engine.dispose()


def test_the_privacy_export_lists_a_persons_appeals_and_erasure_removes_their_name(runtime):
    from services.label import privacy

    appeal = file(runtime, "refused", decided(runtime, "refused"), NOW + timedelta(days=1))
    with runtime.engine.begin() as conn:
        [exported] = privacy.personal_records(conn, email="member_en@hu22.example")["label_appeals"]
        assert (exported["id"], exported["filed_by"]) == (appeal.id, "member_en")
        assert exported["grounds"] == "We disagree, see the invoices."
        assert privacy.personal_records(conn, email="member_de@hu22.example")["label_appeals"] == []
        assert privacy.erase_person(conn, "member_en@hu22.example", "admin", "art. 17")["label_appeals"] == 1
        assert privacy.personal_records(conn, email="member_en@hu22.example")["label_appeals"] == []
    assert appeals.get_appeal(runtime.engine, appeal.id, None).filed_by == privacy.ERASED_FILER
    assert audit_actions(runtime, appeal.id)[-1] == "filer erased"


def test_after_a_renewal_the_deciders_of_the_first_application_still_may_not_decide(runtime):
    number = granted(runtime)  # anna assessed, bela granted
    renewal = h.start_renewal(runtime.uow(), number, "member_en", utcnow().date(), ORG)
    h.update_application(runtime.uow(), renewal.id, {"evidence": GOOD_EVIDENCE}, "member_en", ORG)
    h.submit_application(runtime.uow(), renewal.id, "member_en", ORG)
    h.assess_application(runtime.uow(), renewal.id, "anna", GOOD_SCORES, NOW)
    h.decide_application(runtime.uow(), renewal.id, "dora", "granted", "renewed", utcnow().date(), NOW)
    h.suspend_label(runtime.uow(), number, "dora", utc_in(60), "complaint", utcnow().date())
    appeal = file(runtime, "suspended", number)
    assert set(appeal.excluded) == {"anna", "bela", "dora"}
    with pytest.raises(Conflict) as refused:
        decide(runtime, appeal.id, "bela", "upheld")  # granted the label first, before the renewal
    assert refused.value.code == "four_eyes"
    assert decide(runtime, appeal.id, "csilla", "upheld").status == "upheld"
