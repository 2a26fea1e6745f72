"""The composition root's credit wiring (issue 16, items 1 and 2): subjects matched against the real
registers, and a licence issued in the hall becoming a published 行政许可 record (双公示)."""

from datetime import date

from egov.audit.models import AuditEvent
from egov.credit.models import CreditRecord, Kind, Status
from egov.orgs.roles import Role
from egov.registries.tests.test_actions import run_import
from egov.services.signals import licence_issued
from egov.services.tests.conftest import casework, hall, media_root  # noqa: F401 (the hall's fixtures)
from egov.wiring import company_enter, licence_to_credit

# The first code the bureau (division 320200) assigns at a 设立登记: GB 32100-2015, worked in
# services' ``uscc_compose`` docstring.
ASSIGNED = "91320200MA0000015X"
ENTITIES_CSV = (
    "统一社会信用代码,名称,类型,法定代表人,注册资本,成立日期,住所,登记状态\n"
    f"{ASSIGNED},无锡示例科技有限公司,有限责任公司,王建国,500,2016-05-03,无锡市梁溪区,存续\n"
)


def test_a_licence_of_a_registered_enterprise_is_published(
    hall,  # noqa: F811
    make_staff,
    django_capture_on_commit_callbacks,
):
    run_import(
        make_staff(hall.casework.bureau, [Role.DATA_STEWARD]),
        ENTITIES_CSV,
        register="legal_entity",
        name="entities.csv",
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = hall.concluded()
    record = CreditRecord.objects.get(source_ref=f"licence:{case.licence.number}")
    assert record.kind == Kind.LICENCE and record.status == Status.PUBLISHED
    assert record.subject_code == ASSIGNED and record.subject_name == case.licence.holder_name
    assert record.decision_document == case.licence.number and record.provider == hall.casework.bureau
    assert record.published_from == case.licence.issued_on
    # The match was a read of the person's row, audited with the record's number as purpose.
    read = AuditEvent.objects.get(action="registries.legal_entity.read")
    assert read.changes["purpose"] == record.number


def test_a_licence_of_an_unregistered_enterprise_is_held(
    hall,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    # The 设立登记 licence enters its company into the register (``wiring.company_enter``) before credit
    # matches it; without that listener the register does not know the company.
    licence_issued.disconnect(dispatch_uid="egov.wiring.company_enter")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            case = hall.concluded()
    finally:  # connected again in the wiring's order (receivers run in the order they were connected)
        licence_issued.disconnect(dispatch_uid="egov.wiring.licence_to_credit")
        licence_issued.connect(company_enter, dispatch_uid="egov.wiring.company_enter")
        licence_issued.connect(licence_to_credit, dispatch_uid="egov.wiring.licence_to_credit")
    record = CreditRecord.objects.get(decision_document=case.licence.number)
    assert record.status == Status.HELD and record.published_from is None
    assert record.publish_due > date(2000, 1, 1)


def test_a_company_established_in_the_hall_is_registered_and_its_licence_published(
    hall,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """Both listeners of ``licence_issued``, in the order the wiring connects them: the 设立登记 enters
    the new company into the legal-entity register, so its 行政许可 record finds it and is published."""
    with django_capture_on_commit_callbacks(execute=True):
        case = hall.concluded()
    record = CreditRecord.objects.get(decision_document=case.licence.number)
    assert record.subject_code == ASSIGNED and record.status == Status.PUBLISHED
