"""The sanction check over HTTP (staff site): memberships with their measures, unknown subjects without a
404, refusals by role."""

from datetime import date

import pytest

from egov.audit.models import AuditEvent
from egov.credit import actions
from egov.credit.models import Kind, SubjectKind
from egov.credit.tests.conftest import ENTERPRISE, UNKNOWN_ENTERPRISE
from egov.orgs.roles import Role

CHECK = "/api/v1/staff/credit/check"


@pytest.fixture
def listed(registers, approver, market):
    """ENTERPRISE on the 严重失信主体名单 (published after its window) and fined (a 双公示 record)."""
    common = dict(
        actor=approver,
        provider=market,
        subject_kind=SubjectKind.LEGAL,
        subject_code=ENTERPRISE,
        subject_name="无锡示例科技有限公司",
        decided_on=date(2025, 9, 26),
        today=date(2025, 9, 26),
    )
    actions.record_enter(
        **common,
        kind=Kind.PENALTY,
        severity="general",
        legal_basis="《食品安全法》第一百二十六条",
        decision_document="锡市监罚〔2025〕12号",
    )
    record = actions.record_enter(
        **common,
        kind=Kind.SERIOUS,
        legal_basis="《市场监督管理严重违法失信名单管理办法》",
        decision_document="锡市监信〔2025〕3号",
        measures="限制参与政府采购",
        measures_en="Barred from government procurement",
    )
    actions.credit_daily(today=date(2025, 10, 11))
    return record


def test_a_listed_subject_is_returned_with_its_measures(client, listed, city, make_staff):
    client.force_login(make_staff(city, [Role.CLERK]))
    answer = client.get(CHECK, {"subject": ENTERPRISE.lower()}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["subject"], body["known"], body["black"], body["red"]) == (ENTERPRISE, True, True, False)
    assert [
        (m["number"], m["list"], m["measures"], m["published_from"], m["published_until"]) for m in body["memberships"]
    ] == [
        (listed.number, "black", "Barred from government procurement", "2025-10-11", "2028-09-26")
    ]  # 3 years from the decision
    assert AuditEvent.objects.filter(action="credit.subject.check", object_id=ENTERPRISE).count() == 1


def test_an_unknown_subject_is_an_empty_answer(client, registers, city, make_staff):
    client.force_login(make_staff(city, [Role.REVIEWER]))
    answer = client.get(CHECK, {"subject": UNKNOWN_ENTERPRISE})
    assert answer.status_code == 200
    assert answer.json() == {
        "subject": UNKNOWN_ENTERPRISE,
        "kind": "legal",
        "known": False,
        "black": False,
        "red": False,
        "memberships": [],
    }


def test_refusals(client, registers, city, make_staff, citizen):
    assert client.get(CHECK, {"subject": ENTERPRISE}).status_code == 401
    client.force_login(make_staff(city, [Role.DOCUMENT_CLERK]))
    assert client.get(CHECK, {"subject": ENTERPRISE}).status_code == 403
    client.force_login(make_staff(city, [Role.CLERK]))
    answer = client.get(CHECK, {"subject": "12345"})
    assert answer.status_code == 400 and answer.json()["extra"] == {"field": "subject", "rule": "format"}
