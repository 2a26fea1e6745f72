"""The smoke's step of the sanction check at 受理 (issue 16 item 5): an enterprise of the legal-entity
register is proposed for the 严重失信主体名单 by 市场监管局, its objection window passes (the daily run of the
day after it closes), it is published; its application is received and, at 受理, the clerk's case page
warns of the listing (list, deciding organization, document, measures, basis); accepting without reasons
is refused, the clerk's decision is recorded on the timeline and every check audited with the 办件编号.

Kept apart from ``egov/smoke.py`` (like ``smoke_registries``): the JSON line carries
``"credit_listed": true, "credit_intake_warning": true`` and the enterprise's code (``credit_subject``), the
subject a sealed credit report of the smoke may be about."""

from datetime import timedelta
from pathlib import Path

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egov.accounts.actions import legal_person_register
from egov.audit.models import AuditEvent
from egov.core.actors import SYSTEM
from egov.core.errors import ValidationFailed
from egov.credit.actions import credit_daily, record_enter
from egov.credit.models import Status
from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.registries.actions import legal_entity_enter
from egov.services import sanctions
from egov.services.actions import processing
from egov.services.actions.applying import application_submit
from egov.services.models import ServiceItem

# GB 32100-2015: the check character C of 91320214MA1XK7P2Q (weights 3^i mod 31) — an illustrative company.
USCC = "91320214MA1XK7P2QC"
NAME = "无锡新吴示例建材有限公司"
MARKET = "无锡市市场监督管理局"
MEASURES = "依法限制其新申请的行政许可，列为重点监管对象"
BASIS = "《市场监督管理严重违法失信名单管理办法》第二条、第十七条"
PDF = b"%PDF-1.7\n% egov smoke credit intake\n%%EOF\n"


def _expect(condition: bool, message: str) -> None:
    from egov.smoke import SmokeFailure

    if not condition:
        raise SmokeFailure(message)


def step_credit_intake(out_dir: Path) -> dict:
    from egov.smoke import sample_form

    legal_entity_enter(
        actor=SYSTEM,
        actor_label="egov smoke",
        cells={
            "uscc": USCC,
            "name": NAME,
            "entity_type": "有限责任公司",
            "legal_representative": "周建",
            "registered_capital": "300",
            "established_on": "2019-05-20",
            "address": "无锡市新吴区长江路18号",
            "business_scope": "建筑材料销售。",
            "status": "存续",
        },
        source="egov smoke",
    )
    account = legal_person_register(uscc=USCC, name=NAME, legal_representative="周建", password="smoke-password-2026")
    market = Organization.objects.get(name=MARKET)
    decided = timezone.localdate() - timedelta(days=40)
    record = record_enter(
        actor=SYSTEM,
        provider=market,
        kind="serious",
        subject_kind="legal",
        subject_code=USCC,
        subject_name=NAME,
        legal_basis=BASIS,
        legal_basis_en="Articles 2 and 17 of the Measures on the List of Serious Illegal and Untrustworthy Conduct",
        decision_document="锡市监信〔2026〕9号",
        decided_on=decided,
        facts="提供虚假材料骗取行政许可，情节严重",
        facts_en="Obtained a licence with false materials; serious",
        measures=MEASURES,
        measures_en="New licences restricted by law; a subject of close supervision",
        source_ref="smoke:credit:serious",
        today=decided,
    )
    _expect(record.status == Status.OBJECTION, f"the listing is in its objection window ({record.status})")
    credit_daily(today=record.objection_until)
    record.refresh_from_db()
    _expect(record.status == Status.OBJECTION, "not published on the window's last day")
    credit_daily(today=record.objection_until + timedelta(days=1))
    record.refresh_from_db()
    _expect(record.status == Status.PUBLISHED, f"published the day after the window closed ({record.status})")

    item = ServiceItem.objects.get(name="食品经营许可（新办）")
    case, _created = application_submit(
        actor=account.user,
        item=item,
        idempotency_key="smoke-credit-intake-1",
        files={m.pk: PDF for m in item.materials.all()},
        form_data=sample_form(item.form_schema, id_number="", uscc=USCC),
    )
    clerk = (
        item.organization.memberships.filter(roles__role=Role.CLERK).select_related("user").order_by("pk").first().user
    )
    case = processing.application_receive(actor=clerk, application=case)
    check = sanctions.intake_check(actor=clerk, application=case)
    _expect(check is not None and len(check.black) == 1, "the intake check finds the black listing")
    warning = check.black[0]
    _expect(
        (warning.number, warning.list_name, warning.provider, warning.measures, warning.legal_basis)
        == (record.number, "严重失信主体名单", MARKET, MEASURES, BASIS),
        f"the warning names the list, the deciding organization, the measures and the basis ({warning})",
    )
    client = Client()
    client.force_login(clerk)
    page = client.get(reverse("services_staff:case", args=[case.number]))
    html = page.content.decode()
    _expect(
        page.status_code == 200 and 'id="credit-warning"' in html and "锡市监信〔2026〕9号" in html,
        "the clerk's case page shows the warning",
    )
    _expect('id="step-credit_decide"' in html and 'id="step-accept"' not in html, "受理 only with the decision")
    try:
        processing.application_accept(actor=clerk, application=case)
    except ValidationFailed as error:
        _expect(error.extra.get("field") == "credit_reasons", f"accepting without reasons: {error.extra}")
    else:
        _expect(False, "a black-listed applicant was accepted without the clerk's reasons")
    reasons = "申请事项为食品经营许可，非惩戒措施限制范围；列为重点审查"
    case = processing.application_credit_decide(actor=clerk, application=case, decision="accept", reasons=reasons)
    _expect(case.status == "accepted", f"accepted with the clerk's reasons ({case.status})")
    moves = list(case.events.values_list("move", flat=True))
    _expect(moves[-2:] == ["credit_decision", "accept"], f"the decision is on the timeline ({moves})")
    checks = AuditEvent.objects.filter(action="credit.subject.check", object_id=USCC, changes__purpose=case.number)
    decision = AuditEvent.objects.filter(action="services.application.credit_decision", object_id=str(case.pk))
    _expect(checks.count() >= 2 and decision.count() == 1, "each check and the decision are audited")
    return {
        "credit_subject": USCC,
        "credit_record": record.number,
        "credit_listed": True,
        "objection_until": record.objection_until.isoformat(),
        "published_from": record.published_from.isoformat(),
        "published_until": record.published_until.isoformat(),
        "case": case.number,
        "credit_intake_warning": True,
        "warning": {
            "list": warning.list_name,
            "provider": warning.provider,
            "decision_document": warning.decision_document,
            "measures": warning.measures,
        },
        "decision": "accept",
        "checks_audited": checks.count(),
        "steps": moves,
    }
