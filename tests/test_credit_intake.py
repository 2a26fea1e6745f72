"""The sanction check (联合奖惩核查, issue 16 item 5) as the composition root wires it: credit's published
lists read by the service hall at 受理 (``services.sanctions`` ← ``credit.selectors.subject_sanctions``) and
by other organizations through the exchange (the record source ``credit``, under a grant of the catalog
resource ``320200-FGW-0001``), each check audited ``credit.subject.check`` with its purpose."""

import json
from datetime import date, timedelta

import pytest

from egov.accounts.actions import legal_person_register
from egov.audit.models import AuditEvent
from egov.core.actors import SYSTEM
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.credit import actions as credit
from egov.credit.models import Kind, SubjectKind
from egov.exchange.actions import catalog_import, exchange_query, grant_create
from egov.exchange.demo import DEMO_RESOURCES
from egov.exchange.models import LoggedMessage
from egov.orgs.roles import Role
from egov.orgs.tests.factories import OrganizationFactory
from egov.registries.tests.test_actions import run_import
from egov.services.actions import processing
from egov.services.models import ApplicationStatus as S
from egov.services.tests.conftest import casework, media_root  # noqa: F401 (the hall's fixtures)
from egov.services.tests.factories import submit

# GB 32100-2015 check characters worked by hand in the credit tests (conftest ENTERPRISE) and the
# registries' tests (the association, a 社会团体 of 民政, 51…).
ENTERPRISE = "913202137654321AB2"
ASSOCIATION = "51320200MJ5500034D"
ENTITIES_CSV = (
    "统一社会信用代码,名称,类型,法定代表人,注册资本,成立日期,住所,登记状态\n"
    f"{ENTERPRISE},无锡示例科技有限公司,有限责任公司,王建国,500,2016-05-03,无锡市梁溪区,存续\n"
    f"{ASSOCIATION},无锡市软件行业协会,社会团体,孙伟,,2009-11-11,无锡市梁溪区五爱北路20号,存续\n"
)
RESOURCE = "320200-FGW-0001"
MEASURES = "依法限制其新申请的行政许可"
MEASURES_EN = "New licences restricted by law"
BASIS = "《市场监督管理严重违法失信名单管理办法》第十七条"


@pytest.fixture
def market(casework, make_staff):  # noqa: F811
    """市场监管局 with an approver who enters listings, and the registers knowing both subjects."""
    organization = OrganizationFactory(name="无锡市市场监督管理局", name_en="Wuxi Administration for Market Regulation")
    run_import(make_staff(casework.bureau, [Role.DATA_STEWARD]), ENTITIES_CSV, register="legal_entity", name="e.csv")
    return organization, make_staff(organization, [Role.APPROVER])


def _listing(market, *, kind=Kind.SERIOUS, code=ENTERPRISE, name="无锡示例科技有限公司", publish=True):
    """A listing decided on 2025-09-26: its objection window of 5 working days (9-28, a working Sunday,
    9-29, 9-30, then 10-9 and 10-10 after the National Day holidays) closes on 2025-10-10, so the daily
    run of the 11th publishes it."""
    organization, approver = market
    record = credit.record_enter(
        actor=approver,
        provider=organization,
        kind=kind,
        subject_kind=SubjectKind.LEGAL,
        subject_code=code,
        subject_name=name,
        legal_basis=BASIS,
        decision_document="锡市监信〔2025〕3号",
        decided_on=date(2025, 9, 26),
        measures=MEASURES,
        measures_en=MEASURES_EN,
        today=date(2025, 9, 26),
    )
    assert record.objection_until == date(2025, 10, 10)
    if publish:
        credit.credit_daily(today=date(2025, 10, 11))
        record.refresh_from_db()
        # 36 months for a black list, 24 for the red list, counted from the decision of 2025-09-26
        # (credit's PERIOD_MONTHS; 国办发〔2025〕22号 二 for the black list's maximum; the red list's is the
        # city's choice).
        until = date(2027, 9, 26) if kind == Kind.RED else date(2028, 9, 26)
        assert (record.published_from, record.published_until) == (date(2025, 10, 11), until)
    return record


def _applied(casework, code=ENTERPRISE, name="无锡示例科技有限公司"):  # noqa: F811
    """The enterprise's own account applies; the clerk receives (接件): the case waits for 受理."""
    enterprise = legal_person_register(uscc=code, name=name, legal_representative="王建国", password="intake-2026-x")
    case = submit(casework.item, enterprise.user)
    return processing.application_receive(actor=casework.staff["clerk"], application=case)


def test_the_clerk_is_warned_of_a_published_listing_and_decides(casework, market, client):  # noqa: F811
    record = _listing(market)
    case = _applied(casework)
    clerk = casework.staff["clerk"]
    client.force_login(clerk)
    page = client.get(f"/staff/cases/{case.number}/").content.decode()
    assert 'id="credit-warning"' in page
    for text in ("严重失信主体名单", "无锡市市场监督管理局", "锡市监信〔2025〕3号", MEASURES, BASIS, "2028-09-26"):
        assert text in page, text
    english = client.get(f"/staff/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "List of seriously untrustworthy subjects" in english and MEASURES_EN in english
    assert "Wuxi Administration for Market Regulation" in english
    # Each check is audited with the 办件编号 as purpose: the two page views so far.
    checks = AuditEvent.objects.filter(action="credit.subject.check", object_id=ENTERPRISE)
    assert checks.count() == 2
    first = checks.first()
    assert first.actor_id == clerk.pk
    assert (first.changes["purpose"], first.changes["memberships"], first.changes["via"]) == (
        case.number,
        [record.number],
        "intake",
    )
    with pytest.raises(ValidationFailed):
        processing.application_accept(actor=clerk, application=case)
    # Tester's M1: a zero-width space is no reason (it showed as an empty line on the timeline).
    with pytest.raises(ValidationFailed) as refused:
        processing.application_accept(actor=clerk, application=case, credit_reasons="\u200b \u2060")
    assert (refused.value.extra["field"], refused.value.extra["rule"]) == ("credit_reasons", "required")
    assert refused.value.extra["memberships"] == [record.number]
    with pytest.raises(ValidationFailed) as refused:
        processing.application_accept(actor=clerk, application=case, credit_reasons="已核实\u202e关无施措戒惩与")
    assert refused.value.extra == {"field": "credit_reasons", "rule": "invalid", "character": "U+202E"}
    case = processing.application_accept(actor=clerk, application=case, credit_reasons="已核实，与惩戒措施无关")
    assert case.status == S.ACCEPTED
    assert list(case.events.values_list("move", flat=True))[-2:] == ["credit_decision", "accept"]
    line = case.events.get(move="credit_decision")
    assert line.note_args["lists"] == [
        {
            "name": "严重失信主体名单",
            "name_en": "List of seriously untrustworthy subjects",
            "provider": "无锡市市场监督管理局",
            "provider_en": "Wuxi Administration for Market Regulation",
            "document": "锡市监信〔2025〕3号",
        }
    ]
    decision = AuditEvent.objects.get(action="services.application.credit_decision")
    assert decision.changes["memberships"] == [record.number] and decision.changes["decision"] == "accept"


def test_a_listing_in_its_objection_window_is_not_a_sanction(casework, market, client):  # noqa: F811
    _listing(market, publish=False)
    case = _applied(casework)
    client.force_login(casework.staff["clerk"])
    assert 'id="credit-warning"' not in client.get(f"/staff/cases/{case.number}/").content.decode()
    case = processing.application_accept(actor=casework.staff["clerk"], application=case)
    assert case.status == S.ACCEPTED and not case.events.filter(move="credit_decision").exists()
    check = AuditEvent.objects.filter(action="credit.subject.check").last()
    assert check.changes["memberships"] == [] and check.changes["purpose"] == case.number


def test_a_red_listed_applicant_gets_the_hint(casework, market, client):  # noqa: F811
    _listing(market, kind=Kind.RED, code=ASSOCIATION, name="无锡市软件行业协会")
    case = _applied(casework, code=ASSOCIATION, name="无锡市软件行业协会")
    client.force_login(casework.staff["clerk"])
    page = client.get(f"/staff/cases/{case.number}/").content.decode()
    assert 'id="credit-red"' in page and 'id="credit-warning"' not in page and "容缺受理" in page
    assert processing.application_accept(actor=casework.staff["clerk"], application=case).status == S.ACCEPTED


# 联合奖惩核查 through the exchange: the demo catalog's resource, granted to the bureau of the hall.


def _resource_and_grant(casework, fields):  # noqa: F811
    spec = next(r for r in json.loads(DEMO_RESOURCES.read_text(encoding="utf-8"))["resources"] if r["code"] == RESOURCE)
    catalog_import(actor=SYSTEM, data={"resources": [spec]})
    from egov.exchange.models import InformationResource

    grant_create(
        actor=SYSTEM,
        resource=InformationResource.objects.get(code=RESOURCE),
        consumer_code=casework.bureau.uscc,
        consumer_name=casework.bureau.name,
        fields=fields,
        purpose="受理时核查申请人的失信惩戒记录",
        legal_basis="国办发〔2020〕49号",
    )


def test_the_check_through_the_exchange_answers_the_granted_items_logged_and_audited(casework, market):  # noqa: F811
    record = _listing(market)
    _resource_and_grant(casework, ["subject_code", "black", "memberships"])
    purpose = {"case": "SP2026120600001", "basis": "国办发〔2020〕49号"}
    answer = exchange_query(
        actor=SYSTEM,
        consumer=casework.bureau,
        resource_code=RESOURCE,
        source="credit",
        key=ENTERPRISE.lower(),
        purpose=purpose,
    )
    # Granted: the code, the black flag and the memberships; not the name nor the red flag.
    assert answer.record == {
        "subject_code": ENTERPRISE,
        "black": True,
        "memberships": [
            {
                "number": record.number,
                "kind": "serious",
                "list": "black",
                "list_name": "严重失信主体名单",
                "list_name_en": "List of seriously untrustworthy subjects",
                "provider": "无锡市市场监督管理局",
                "provider_en": "Wuxi Administration for Market Regulation",
                "decision_document": "锡市监信〔2025〕3号",
                "decided_on": "2025-09-26",
                "measures": MEASURES,
                "measures_en": MEASURES_EN,
                "legal_basis": BASIS,
                "legal_basis_en": "",
                "published_from": "2025-10-11",
                "published_until": "2028-09-26",
            }
        ],
    }
    assert [name for _field, name, _en in answer.items] == ["主体代码", "是否列入惩戒名单", "名单明细"]
    assert answer.provider_name == "无锡市发展和改革委员会"
    logged = LoggedMessage.objects.filter(service="platform:credit").order_by("pk")
    assert [(row.direction, row.kind, row.status) for row in logged] == [
        ("out", "request", 0),
        ("in", "response", 200),
    ]
    check = AuditEvent.objects.get(action="credit.subject.check", object_id=ENTERPRISE)
    assert check.organization_id == casework.bureau.pk and check.actor_id is None
    assert (check.changes["purpose"], check.changes["basis"], check.changes["consumer"], check.changes["via"]) == (
        "SP2026120600001",
        "国办发〔2020〕49号",
        casework.bureau.uscc,
        "exchange",
    )
    assert check.changes["memberships"] == [record.number]
    query = AuditEvent.objects.get(action="exchange.query")
    assert query.changes["status"] == 200 and query.changes["purpose"] == purpose


def test_a_subject_on_no_list_is_a_clean_answer_and_a_bad_code_is_refused(casework, market):  # noqa: F811
    _resource_and_grant(casework, ["subject_code", "subject_name", "black", "red", "memberships"])
    purpose = {"case": "SP2026120600002", "basis": "国办发〔2020〕49号"}
    answer = exchange_query(
        actor=SYSTEM, consumer=casework.bureau, resource_code=RESOURCE, source="credit", key=ENTERPRISE, purpose=purpose
    )
    assert answer.record == {
        "subject_code": ENTERPRISE,
        "subject_name": "",
        "black": False,
        "red": False,
        "memberships": [],
    }
    with pytest.raises(ValidationFailed) as raised:
        exchange_query(
            actor=SYSTEM,
            consumer=casework.bureau,
            resource_code=RESOURCE,
            source="credit",
            key="12345",
            purpose=purpose,
        )
    assert raised.value.extra == {"field": "subject", "rule": "format"}


def test_without_a_grant_nothing_is_read(casework, market):  # noqa: F811
    _listing(market)
    _resource_and_grant(casework, ["subject_code", "black"])
    stranger = OrganizationFactory(name="无锡市无关局")
    with pytest.raises(PermissionDenied) as raised:
        exchange_query(
            actor=SYSTEM,
            consumer=stranger,
            resource_code=RESOURCE,
            source="credit",
            key=ENTERPRISE,
            purpose={"case": "SP2026120600003", "basis": "国办发〔2020〕49号"},
        )
    assert raised.value.extra["rule"] == "no_grant"
    assert not AuditEvent.objects.filter(action="credit.subject.check").exists()
    refused = AuditEvent.objects.get(action="exchange.query")
    assert refused.changes["status"] == 403 and refused.organization_id == stranger.pk


# The demo city as ``egov smoke`` runs it.


@pytest.mark.django_db
def test_the_smoke_step_lists_an_enterprise_and_warns_at_intake_and_the_demo_grant_answers(settings, tmp_path):
    from egov.demo import demo_load
    from egov.orgs.models import Organization
    from egov.smoke_credit import NAME, USCC, step_credit_intake
    from egov.wiring import resources

    settings.LANGUAGE_CODE = "zh-hans"
    demo_load()
    result = step_credit_intake(tmp_path)
    assert (result["credit_listed"], result["credit_intake_warning"], result["credit_subject"]) == (True, True, USCC)
    assert result["warning"]["list"] == "严重失信主体名单" and result["warning"]["provider"] == "无锡市市场监督管理局"
    assert result["steps"][-2:] == ["credit_decision", "accept"]
    # Published the day after its objection window closed.
    closed = date.fromisoformat(result["objection_until"])
    assert date.fromisoformat(result["published_from"]) == closed + timedelta(days=1)
    # 行政审批局 holds the demo grant of 联合奖惩核查: it checks the same enterprise through the exchange.
    answer = exchange_query(
        actor=SYSTEM,
        consumer=Organization.objects.get(name="无锡市行政审批局"),
        resource_code=resources()["credit"],
        source="credit",
        key=USCC,
        purpose={"case": "SP-DEMO-CHECK", "basis": "国办发〔2020〕49号"},
    )
    assert (answer.record["subject_name"], answer.record["black"], answer.record["red"]) == (NAME, True, False)
    assert [m["number"] for m in answer.record["memberships"]] == [result["credit_record"]]
