"""The sanction check at 受理 (issue 16 item 5) in the service hall alone: a stand-in for the port
``services.sanctions`` (the project package's ``tests/test_credit_intake.py`` wires credit's real check).
An applicant on a black list is taken in only with the clerk's decision, recorded on the timeline and
audited; a red-list applicant gets a hint; without a provider nothing is checked."""

import pytest
from django.utils import translation

from egov.audit.models import AuditEvent
from egov.core.errors import ValidationFailed
from egov.services import sanctions
from egov.services.actions import processing
from egov.services.models import ApplicationStatus as S
from egov.services.tests.factories import submit
from egov.workflow.models import WorkTask

BLACK = sanctions.Membership(
    number="XY-20251011-0001",
    kind="serious",
    list="black",
    list_name="严重失信主体名单",
    list_name_en="List of seriously untrustworthy subjects",
    provider="无锡市市场监督管理局",
    provider_en="Wuxi Administration for Market Regulation",
    decision_document="锡市监信〔2025〕3号",
    decided_on="2025-09-26",
    measures="依法限制其新申请的行政许可",
    measures_en="New licences restricted by law",
    legal_basis="《市场监督管理严重违法失信名单管理办法》第十七条",
    legal_basis_en="Article 17 of the Measures on the List of Serious Illegal and Untrustworthy Conduct",
    published_from="2025-10-11",
    published_until="2028-10-11",
)
RED = sanctions.Membership(
    number="XY-20251011-0002",
    kind="red",
    list="red",
    list_name="红名单（守信激励）",
    list_name_en="Red list (incentive for trustworthiness)",
    provider="无锡市民政局",
    provider_en="Wuxi Civil Affairs Bureau",
    decision_document="锡民〔2025〕21号",
    decided_on="2025-09-26",
    measures="在评优表彰中优先考虑",
    measures_en="Preferred in honours",
    legal_basis="《社会组织信用信息管理办法》第十八条",
    legal_basis_en="",
    published_from="2025-10-11",
    published_until="2027-10-11",
)


class StandIn:
    """A provider answering with fixed memberships and keeping each call."""

    def __init__(self):
        self.memberships: tuple = ()
        self.calls: list[dict] = []

    def check(self, *, actor, subject_kind, code, case):
        self.calls.append({"actor": actor, "subject_kind": subject_kind, "code": code, "case": case})
        return sanctions.Check(memberships=self.memberships)


@pytest.fixture
def provider():
    before = sanctions.provider_get()
    stand_in = StandIn()
    sanctions.provider_set(stand_in)
    yield stand_in
    sanctions.provider_set(before)


@pytest.fixture
def received(casework):
    case = submit(casework.item, casework.citizen)
    return processing.application_receive(actor=casework.staff["clerk"], application=case)


def test_without_a_provider_nothing_is_checked(casework, received, client):
    before = sanctions.provider_get()
    sanctions.provider_set(None)
    try:
        client.force_login(casework.staff["clerk"])
        page = client.get(f"/staff/cases/{received.number}/").content.decode()
        assert 'id="credit-warning"' not in page and 'id="credit-red"' not in page
        assert 'id="step-accept"' in page
        case = processing.application_accept(actor=casework.staff["clerk"], application=received)
    finally:
        sanctions.provider_set(before)
    assert case.status == S.ACCEPTED
    assert not case.events.filter(move="credit_decision").exists()


def test_a_black_listed_applicant_is_accepted_only_with_the_clerks_reasons(casework, received, provider):
    provider.memberships = (BLACK,)
    clerk = casework.staff["clerk"]
    with pytest.raises(ValidationFailed) as raised:
        processing.application_accept(actor=clerk, application=received)
    assert raised.value.extra == {"field": "credit_reasons", "rule": "required", "memberships": [BLACK.number]}
    received.refresh_from_db()
    assert received.status == S.RECEIVED
    # The applicant, a citizen, is checked by the resident ID of the account with the 办件编号.
    assert provider.calls[-1] == {
        "actor": clerk,
        "subject_kind": "natural",
        "code": casework.citizen.natural_person.id_number,
        "case": received.number,
    }
    case = processing.application_accept(
        actor=clerk, application=received, credit_reasons="失信行为已整改，许可事项与惩戒措施无关"
    )
    assert case.status == S.ACCEPTED
    assert list(case.events.values_list("move", flat=True)) == ["submit", "receive", "credit_decision", "accept"]
    line = case.events.get(move="credit_decision")
    assert (line.status_from, line.status_to) == (S.RECEIVED, S.RECEIVED)
    with translation.override("zh-hans"):
        assert line.note_text() == (
            "列入名单：严重失信主体名单（无锡市市场监督管理局，锡市监信〔2025〕3号）。"
            "予以受理，理由：失信行为已整改，许可事项与惩戒措施无关"
        )
    with translation.override("en"):
        assert line.note_text() == (
            "Listed: List of seriously untrustworthy subjects (Wuxi Administration for Market Regulation, "
            "锡市监信〔2025〕3号). Accepted despite the listing: 失信行为已整改，许可事项与惩戒措施无关"
        )
    audit = AuditEvent.objects.get(action="services.application.credit_decision")
    assert audit.actor_id == clerk.pk and audit.object_id == str(case.pk)
    assert audit.changes["decision"] == "accept" and audit.changes["memberships"] == [BLACK.number]
    assert audit.changes["status"] == ["received", "received"]


def test_not_accepted_under_the_listings_measures(casework, received, provider):
    provider.memberships = (BLACK, RED)
    case = processing.application_refuse(
        actor=casework.staff["clerk"],
        application=received,
        reasons="申请人被列入严重失信主体名单，依法限制新申请的行政许可",
        under_measure=True,
    )
    assert case.status == S.NOT_ACCEPTED
    assert list(case.events.values_list("move", flat=True))[-2:] == ["credit_decision", "refuse"]
    with translation.override("zh-hans"):
        # Only the black list is the ground of the refusal.
        assert case.events.get(move="credit_decision").note_text() == (
            "列入名单：严重失信主体名单（无锡市市场监督管理局，锡市监信〔2025〕3号）。依名单所列惩戒措施不予受理。"
        )
    assert case.events.get(move="refuse").note == "申请人被列入严重失信主体名单，依法限制新申请的行政许可"
    assert AuditEvent.objects.get(action="services.application.credit_decision").changes["decision"] == "refuse"


def test_a_refusal_under_a_measure_needs_a_listing(casework, received, provider):
    with pytest.raises(ValidationFailed) as raised:
        processing.application_refuse(
            actor=casework.staff["clerk"], application=received, reasons="失信", under_measure=True
        )
    assert raised.value.extra == {"field": "under_measure", "rule": "not_listed"}
    # Refused for another reason, the case needs no decision on a listing.
    case = processing.application_refuse(actor=casework.staff["clerk"], application=received, reasons="材料不齐")
    assert case.status == S.NOT_ACCEPTED and not case.events.filter(move="credit_decision").exists()


def test_a_red_listed_applicant_needs_no_decision_and_the_clerk_sees_a_hint(casework, received, provider, client):
    provider.memberships = (RED,)
    client.force_login(casework.staff["clerk"])
    with translation.override("en"):
        page = client.get(f"/staff/cases/{received.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="credit-red"' in page and 'id="credit-warning"' not in page
    assert "Red list (incentive for trustworthiness)" in page and "Preferred in honours" in page
    assert 'id="step-accept"' in page and 'id="step-credit_decide"' not in page
    case = processing.application_accept(actor=casework.staff["clerk"], application=received)
    assert case.status == S.ACCEPTED and not case.events.filter(move="credit_decision").exists()


def test_the_case_page_warns_and_takes_the_decision(casework, received, provider, client):
    provider.memberships = (BLACK,)
    client.force_login(casework.staff["clerk"])
    url = f"/staff/cases/{received.number}/"
    page = client.get(url).content.decode()
    assert 'id="credit-warning"' in page
    for text in (
        "严重失信主体名单",
        "无锡市市场监督管理局",
        "锡市监信〔2025〕3号",
        "依法限制其新申请的行政许可",
        "《市场监督管理严重违法失信名单管理办法》第十七条",
        "2028-10-11",
    ):
        assert text in page, text
    # 受理 is offered only through the decision on the listing; 补正 and 不予受理 stay.
    assert 'id="step-credit_decide"' in page and 'id="step-accept"' not in page
    assert 'id="step-refuse"' in page and 'id="step-request_supplement"' in page
    assert provider.calls[-1]["case"] == received.number
    step = f"/staff/cases/{received.number}/steps/credit_decide/"
    empty = client.post(step, {"credit_decide-decision": "accept", "credit_decide-reasons": ""})
    assert empty.status_code == 400
    received.refresh_from_db()
    assert received.status == S.RECEIVED
    done = client.post(step, {"credit_decide-decision": "accept", "credit_decide-reasons": "已核实，予以受理"})
    assert done.status_code == 302
    received.refresh_from_db()
    assert received.status == S.ACCEPTED
    assert received.events.get(move="credit_decision").note_args["reasons"] == "已核实，予以受理"
    # After 受理 nothing is checked on the page any more.
    calls = len(provider.calls)
    assert 'id="credit-warning"' not in client.get(url).content.decode()
    assert len(provider.calls) == calls


def test_the_page_refuses_under_the_measure(casework, received, provider, client):
    provider.memberships = (BLACK,)
    client.force_login(casework.staff["clerk"])
    step = f"/staff/cases/{received.number}/steps/credit_decide/"
    done = client.post(step, {"credit_decide-decision": "refuse", "credit_decide-reasons": "依惩戒措施不予受理"})
    assert done.status_code == 302
    received.refresh_from_db()
    assert received.status == S.NOT_ACCEPTED and received.reasons == "依惩戒措施不予受理"


def test_the_task_api_passes_the_clerks_reasons(casework, received, provider):
    provider.memberships = (BLACK,)
    clerk = casework.staff["clerk"]
    task = WorkTask.objects.get(instance=received.process, bpmn_id="accept")
    with pytest.raises(ValidationFailed) as raised:
        processing.case_task_complete(actor=clerk, application=received, task=task, data={"accept_decision": "accept"})
    assert raised.value.extra["field"] == "credit_reasons"
    case = processing.case_task_complete(
        actor=clerk,
        application=received,
        task=task,
        data={"accept_decision": "accept", "credit_reasons": "已核实"},
    )
    assert case.status == S.ACCEPTED
