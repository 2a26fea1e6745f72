"""Demo requests for government information: the demo citizen asks 无锡市财政局 twice; the disclosure
office has registered and answered one, the other waits for registration. Made through the same
audited actions as real use; loaded once (nothing is added when the citizen has requests already)."""

from egov.accounts.models import User
from egov.orgs.models import Organization
from egov.portal import actions
from egov.portal.models import AnswerKind, DisclosureRequest, FormWanted

DEMO_AGENCY = "无锡市财政局"


def demo_disclosure_load(*, citizen_username: str, officer_username: str) -> None:
    """Create the two demo requests unless the citizen has requests, or the officer is missing (a
    demo database made before the disclosure office existed)."""
    citizen = User.objects.filter(username=citizen_username).first()
    officer = User.objects.filter(username=officer_username).first()
    if citizen is None or officer is None or DisclosureRequest.objects.filter(applicant=citizen).exists():
        return
    agency = Organization.objects.get(name=DEMO_AGENCY)
    answered = actions.request_submit(
        actor=citizen, agency=agency, form_wanted=FormWanted.ELECTRONIC, email=citizen.email, phone=citizen.phone,
        description="无锡市财政局2025年度政府采购项目清单（项目名称、预算金额、采购方式）",
        purpose="了解本市政府采购情况", idempotency_key="demo-disclosure-request-1")
    answered = actions.request_register(actor=officer, request=answered)
    actions.request_answer(actor=officer, request=answered, kind=AnswerKind.DISCLOSED,
                           text="所申请信息已在无锡市政府采购网主动公开，可在“采购公告—采购意向”栏目按年度查询。")
    actions.request_submit(
        actor=citizen, agency=agency, form_wanted=FormWanted.PAPER, phone=citizen.phone,
        address="无锡市梁溪区人民中路1号", description="2025年度市级部门“三公”经费决算明细表",
        idempotency_key="demo-disclosure-request-2")
