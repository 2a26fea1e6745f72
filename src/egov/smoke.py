"""``egov smoke``: exercise every part that exists on a fresh embedded database.

Each part contributes one step function returning a JSON-ready dict; the command prints them as
one JSON object on its last line, ``{"orgs": {...}, "accounts": {...}, ...}``. A step that fails
raises ``SmokeFailure``; the command then exits 1 with the part named.
"""

import base64
import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov import smoke_credit
from egov.accounts.actions import (
    legal_person_register,
    natural_person_register,
    staff_totp_confirm,
    staff_totp_enrol,
)
from egov.accounts.models import LegalPerson, NaturalPerson, User
from egov.audit.selectors import audit_chain_verify
from egov.core.actors import SYSTEM
from egov.core.errors import NotFound, PermissionDenied, ValidationFailed
from egov.demo import DEMO_CITIZEN, DEMO_ENTERPRISE, DEMO_PASSWORD, demo_load
from egov.documents.actions import (
    document_draft,
    document_import_once,
    document_number_allocate,
    document_print,
    document_receive,
    document_seal,
    document_sign_off,
    document_transition,
)
from egov.documents.flow import document_dispatch
from egov.documents.importing import document_parse
from egov.documents.meetings import (
    attendees_parse,
    meeting_create,
    meeting_minutes_draft,
    meeting_notice_send,
    meeting_notices_for,
    meeting_reply,
)
from egov.documents.selectors import delivery_table, document_seal_for, document_search, documents_published
from egov.documents.supervision import (
    deadline_in_working_days,
    supervision_close,
    supervision_item_create,
    supervision_report,
)
from egov.exchange.smoke import exchange_smoke
from egov.facilities.files import blob_path
from egov.facilities.models import Notification
from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.orgs.selectors import organization_tree
from egov.portal import actions as disclosure
from egov.portal.models import DisclosureRequest
from egov.registries.models import LegalEntityRecord
from egov.services.actions import material_file_store, processing
from egov.services.actions.applying import application_supplement_upload
from egov.services.actions.intake import intake_work
from egov.services.formschema import form_data_validate
from egov.services.models import Application, ServiceItem
from egov.smoke_credit import step_credit_intake
from egov.smoke_credit_report import CreditReportSmokeFailure, credit_report_smoke
from egov.smoke_registries import step_registries_once_only
from egov.trust.models import Seal
from egov.trust.pdf import pdf_one_page
from egov.trust.signing import pdf_sign_with_seal
from egov.trust.verification import pdf_verify, pdf_verify_code
from egov.workflow.actions import process_start, task_claim, task_complete
from egov.workflow.selectors import instance_active_tasks, instance_pauses, instance_task_at


class SmokeFailure(Exception):
    """A smoke step found the platform not working; the message says what was expected."""


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def step_orgs(out_dir: Path) -> dict:
    tree = list(organization_tree())
    roots = [o for o in tree if o.parent_id is None]
    _expect(len(roots) == 1 and roots[0].name == "无锡市人民政府", "one root: 无锡市人民政府")
    departments = [o for o in tree if o.kind == Organization.Kind.DEPARTMENT]
    districts = [o for o in tree if o.kind == Organization.Kind.DISTRICT]
    _expect(len(departments) >= 15, "at least 15 departments")
    return {"root": roots[0].name, "departments": len(departments), "districts": len(districts),
            "organizations": len(tree)}


def step_accounts(out_dir: Path) -> dict:
    person = natural_person_register(id_number="11010519491231002x", name="李𠀀", password="smoke-password-2026")
    _expect(person.id_number == "11010519491231002X", "lowercase x stored as X")
    legal = legal_person_register(uscc="91110000600037341L", name="烟测有限公司", legal_representative="李𠀀",
                                  password="smoke-password-2026", agent=person)
    return {"natural_person": person.user.username, "legal_person": legal.uscc, "agents": legal.agents.count()}


def step_staff_mfa(out_dir: Path) -> dict:
    """Sign the demo approver in over HTTP (Django's test client): password, then a TOTP code."""
    approver = User.objects.get(username="approver")
    device = staff_totp_enrol(user=approver)
    staff_totp_confirm(user=approver, device=device, token=f"{totp(device.bin_key):06d}")
    client = Client()
    response = client.post(reverse("staff_accounts:login"), {"username": "approver", "password": DEMO_PASSWORD})
    _expect(response.status_code == 302 and response["Location"] == reverse("staff_accounts:login_otp"),
            "password step leads to the code step")
    device = TOTPDevice.objects.get(pk=device.pk)
    # The confirmation consumed this time step's code; the next step's code is accepted (tolerance 1).
    response = client.post(reverse("staff_accounts:login_otp"), {"token": f"{totp(device.bin_key, drift=1):06d}"})
    _expect(response.status_code == 302, "code step signs in")
    home = client.get(reverse("staff_home"))
    _expect(home.status_code == 200 and "审批科长陈刚" in home.content.decode(), "workbench shows the approver")
    return {"user": "approver", "mfa": "totp", "workbench": home.status_code}


def step_workflow(out_dir: Path) -> dict:
    """Run standard_permit to the end with a joint review by two other organizations."""
    users = {name: User.objects.get(username=name) for name in ("clerk", "reviewer", "approver", "planner",
                                                                  "ecologist")}
    owner = users["clerk"].memberships.get().organization
    reviewers = [users[name].memberships.get().organization for name in ("planner", "ecologist")]
    case = process_start(actor=users["clerk"], subject=NaturalPerson.objects.get(id_number="320213199003074514"),
                         definition_key="standard_permit", owner=owner, data={"service": "smoke"})

    def work(step: str, user: str, data: dict | None = None, organization=None) -> None:
        task = next(t for t in instance_active_tasks(instance=case) if t.bpmn_id == step
                    and (organization is None or t.candidate_organization_id == organization.pk))
        task_complete(actor=users[user], task=task_claim(actor=users[user], task=task), data=data or {})

    work("receive", "clerk")
    work("accept", "clerk", {"accept_decision": "accept"})
    work("review", "reviewer", {"joint_reviewers": [org.pk for org in reviewers]})
    steps = sorted(t.candidate_organization.name for t in instance_active_tasks(instance=case))
    _expect(steps == sorted(org.name for org in reviewers), "joint review opens one task per organization")
    work("joint_review", "planner", {"joint_opinion": "agree"}, organization=reviewers[0])
    _expect(instance_task_at(instance=case, bpmn_id="joint_review").candidate_organization == reviewers[1],
            "the case waits for the second organization")
    work("joint_review", "ecologist", {"joint_opinion": "agree"}, organization=reviewers[1])
    work("decide", "approver", {"decision": "approve"})
    work("conclude", "clerk")
    work("deliver", "clerk")
    case.refresh_from_db()
    _expect(case.status == "completed" and case.outcome == "delivered", "standard_permit ends at 已送达")
    return {"process": f"{case.definition.key} v{case.definition.version}", "status": case.status,
            "outcome": case.outcome, "joint_opinions": case.data["joint_opinions"], "decision": case.data["decision"],
            "tasks": case.tasks.count()}
def step_services_catalog(out_dir: Path) -> dict:
    """The demo catalogue over the API and the public pages, a form error naming its field, and a
    material file stored once by its hash."""
    client = Client()
    listing = client.get("/api/v1/services/items", {"page_size": 100})
    _expect(listing.status_code == 200, "GET /api/v1/services/items answers 200")
    body = listing.json()
    organizations = {entry["organization"]["id"] for entry in body["items"]}
    _expect(body["count"] >= 20 and len(organizations) >= 8, "at least 20 items from at least 8 organizations")
    item = ServiceItem.objects.get(name="企业设立登记")
    _expect(client.get(f"/api/v1/services/items/{item.code}").status_code == 200, "item detail over the API")
    page = client.get(f"/services/{item.code}/")
    _expect(page.status_code == 200 and "公司章程" in page.content.decode(), "guide page lists the materials")
    try:
        form_data_validate(schema=item.form_schema, data={"registered_capital": -1})
    except ValidationFailed as error:
        named = error.extra["field"]
    else:
        named = ""
    _expect(named == "form.company_name", "the first missing form field is named")
    citizen = User.objects.get(username=DEMO_CITIZEN["id_number"])
    pdf = b"%PDF-1.7\n% egov smoke\n%%EOF\n"
    first = material_file_store(actor=citizen, content=pdf)
    again = material_file_store(actor=citizen, content=pdf)
    _expect(first.pk == again.pk and blob_path(first.sha256).read_bytes() == pdf, "same bytes stored once")
    return {"items": body["count"], "organizations": len(organizations), "form_error": named,
            "stored": first.sha256[:12]}


DEMO_COMPANY_FORM = {"company_name": "无锡烟测科技有限公司", "company_type": "llc", "registered_capital": 100,
                     "shareholders": 2, "legal_representative": "张𠮷明", "address": "无锡市梁溪区人民中路1号",
                     "business_scope": "软件开发；信息技术咨询服务", "contact_phone": "13800000000",
                     "commitment": True}


def step_services(out_dir: Path) -> dict:
    """One case of 企业设立登记 through the whole flow: the citizen submits over the API (twice with one
    idempotency key: one case), the clerk receives and asks for a 补正, the citizen uploads, the clerk
    accepts, the reviewer asks the planning bureau for a joint review, it agrees, the approver
    approves, the clerk concludes and delivers."""
    item = ServiceItem.objects.get(name="企业设立登记")
    citizen = User.objects.get(username=DEMO_CITIZEN["id_number"])
    staff = {name: User.objects.get(username=name) for name in ("clerk", "reviewer", "approver", "planner")}
    pdf = base64.b64encode(b"%PDF-1.7\n% egov smoke application\n%%EOF\n").decode()
    client = Client()
    client.force_login(citizen)
    payload = {"item": item.code, "form": DEMO_COMPANY_FORM,
               "materials": {str(m.pk): pdf for m in item.materials.filter(required=True)}}
    first = client.post("/api/v1/services/applications", payload, content_type="application/json",
                        headers={"Idempotency-Key": "smoke-application-1"})
    _expect(first.status_code == 202 and first.json()["state"] == "waiting",
            f"submit answers 202 with a receipt ({first.content[:300]!r})")
    receipt = first.json()
    tracked = Client().get(f"/api/v1/services/receipts/{receipt['receipt']}", {"code": receipt["query_code"]})
    _expect(tracked.status_code == 200 and tracked.json()["number"] is None, "the receipt is tracked at once")
    _expect(intake_work() == 1, "the intake worker makes the case")  # 内网办理, here in this process
    again = client.post("/api/v1/services/applications", payload, content_type="application/json",
                        headers={"Idempotency-Key": "smoke-application-1"})
    _expect(again.status_code == 200 and again.json()["receipt"] == receipt["receipt"],
            "the same key again answers 200 with the case")
    number = again.json()["number"]
    _expect(Application.objects.count() == 1, "one application per key")
    case = Application.objects.get(number=number)
    processing.application_receive(actor=staff["clerk"], application=case)
    material = item.materials.get(name="公司章程")
    processing.application_supplement_request(actor=staff["clerk"], application=case, materials=[material],
                                              note="公司章程缺少全体股东签字页")
    application_supplement_upload(actor=citizen, application=case,
                                  files={material.pk: b"%PDF-1.7\n% signed articles\n%%EOF\n"})
    processing.application_supplement_receive(actor=staff["clerk"], application=case)
    processing.application_accept(actor=staff["clerk"], application=case)
    planning = staff["planner"].memberships.get().organization
    processing.application_review(actor=staff["reviewer"], application=case, joint_reviewers=[planning])
    processing.application_joint_opinion(actor=staff["planner"], application=case, agree=True)
    processing.application_decide(actor=staff["approver"], application=case, approve=True)
    processing.application_conclude(actor=staff["clerk"], application=case)
    case = processing.application_deliver(actor=staff["clerk"], application=case)
    tracked = client.get(f"/api/v1/services/applications/{number}")
    _expect(tracked.status_code == 200 and tracked.json()["status"] == "delivered", "the applicant sees 已送达")
    body = tracked.json()
    _expect([e["move"] for e in body["events"]][:4] == ["submit", "receive", "request_supplement",
                                                       "supplement_upload"], "the timeline shows the 补正")
    return {"number": number, "status": case.status, "status_label": body["status_label"],
            "deadlines": body["deadlines"], "steps": [e["move"] for e in body["events"]],
            "clock_pauses": [{"reason": p.reason, "from": p.started_on.isoformat(), "to": p.ended_on.isoformat(),
                              "working_days": p.working_days} for p in instance_pauses(instance=case.process)],
            "joint_review": planning.name}


def step_services_outcomes(out_dir: Path) -> dict:
    """The smoke case's e-licence (issued at 办结): downloaded by the citizen, written to
    ``licence.pdf``, verified by file and on the public page by its code; the case tracked without
    sign-in, published with the name masked, rated, and the applicant notified of each step."""
    case = Application.objects.get()
    citizen = User.objects.get(username=DEMO_CITIZEN["id_number"])
    client = Client()
    client.force_login(citizen)
    download = client.get(f"/api/v1/services/applications/{case.number}/licence")
    _expect(download.status_code == 200 and download["Content-Type"] == "application/pdf", "the licence downloads")
    pdf = download.content
    path = out_dir / "licence.pdf"
    path.write_bytes(pdf)
    report = pdf_verify(pdf=pdf)
    _expect(report.valid and report.signatures[0].seal is not None, f"the licence verifies ({report.message})")
    licence = case.licence
    page = Client().get(reverse("trust:verify"), {"code": licence.document.code})
    _expect(page.status_code == 200 and pdf_verify_code(code=licence.document.code).valid,
            "the verification page finds the licence by its code")
    anonymous = Client()
    tracked = anonymous.get(f"/api/v1/services/track/{case.number}", {"code": case.query_code})
    wrong = anonymous.get(f"/api/v1/services/track/{case.number}", {"code": "AAAA-AAAA"})
    _expect(tracked.status_code == 200 and tracked.json()["status"] == "delivered" and wrong.status_code == 404,
            "tracking by number and query code; a wrong code is 404")
    results = anonymous.get("/api/v1/services/results").json()
    _expect([row["applicant"] for row in results["items"]] == ["张**"], "the published result masks the name")
    rated = client.post(f"/api/v1/services/applications/{case.number}/rating", {"level": 5, "comment": "办事快"},
                        content_type="application/json")
    _expect(rated.status_code == 201, "the citizen rates the service")
    notified = Notification.objects.filter(recipient=citizen, link_name="services:application",
                                           link_args=[case.number]).count()
    _expect(notified == 11, f"one notification per status change ({notified})")
    # The company this 设立登记 established is entered into the legal-entity register (issue 15), by its new code.
    company = LegalEntityRecord.objects.filter(uscc=licence.holder_uscc).first()
    _expect(bool(licence.holder_uscc) and company is not None and company.name == licence.holder_name,
            "the established company is in the legal-entity register")
    return {"licence": licence.number, "code": licence.document.code, "file": path.name,
            "register": {"uscc": company.uscc, "name": company.name, "source": company.source},
            "valid": report.valid, "seal": report.signatures[0].seal["name"], "tracked": tracked.json()["status"],
            "published_applicant": results["items"][0]["applicant"], "rating": rated.json()["level_label"],
            "notifications": notified}


def step_trust(out_dir: Path) -> dict:
    """Seal a one-page PDF with the 行政审批局's 业务专用章 at PAdES B-LT, verify it by file and by
    code, and fetch the CRL and the verification page over HTTP (Django's test client)."""
    seal = Seal.objects.get(organization__name="无锡市行政审批局", kind=Seal.Kind.BUSINESS, is_active=True)
    pdf = pdf_one_page(lines=["egov smoke test", "Licence No. SMOKE-0001"])
    signed = pdf_sign_with_seal(actor=SYSTEM, seal=seal, pdf=pdf, title="smoke licence")
    path = out_dir / "trust-signed.pdf"
    path.write_bytes(signed.pdf)
    report = pdf_verify(pdf=signed.pdf)
    _expect(report.valid and len(report.signatures) == 1, f"the signed PDF verifies ({report.message})")
    signature = report.signatures[0]
    _expect(signature.timestamp is not None and signature.timestamp["valid"], "the signature has a valid timestamp")
    _expect(signature.ltv and signature.revocation["status"] == "good", "revocation info embedded, status good")
    _expect(pdf_verify_code(code=signed.document.code).valid, "the verification code finds the document")
    client = Client()
    crl = client.get(reverse("trust:crl", args=["issuing-1"]))
    _expect(crl.status_code == 200 and crl["Content-Type"] == "application/pkix-crl", "the CRL is published")
    page = client.get(reverse("trust:verify"), {"code": signed.document.code})
    _expect(page.status_code == 200, "the verification page answers")
    return {"seal": str(seal), "code": signed.document.code, "valid": report.valid, "file": path.name,
            "signer": signature.signer, "timestamp": signature.timestamp["time"]}


def step_exchange(out_dir: Path) -> dict:
    """市公安局 publishes a resource and grants two of its items to 市行政审批局; their two nodes run
    as processes (certificates from their CSRs, their own SQLite databases) and a person is looked
    up through them; the provider's log archive is verified offline (``egov.exchange.smoke``)."""
    return exchange_smoke(out_dir, expect=_expect)


def step_documents(out_dir: Path) -> dict:
    """A 通知 of the municipal government to three departments: drafted, reviewed, signed off,
    numbered (锡政发〔year〕N号), printed as a GB/T 9704 PDF and sealed with the government's 公章
    (the sealed PDF is kept in ``out_dir`` and verifies)."""
    users = {name: User.objects.get(username=name) for name in ("govclerk", "govreviewer", "vicemayor")}
    government = Organization.objects.exclude(kind=Organization.Kind.EXTERNAL).get(parent__isnull=True)
    departments = list(Organization.objects.filter(doc_code__in=["锡发改", "锡财", "锡数据"]).order_by("path"))
    document = document_draft(
        actor=users["govclerk"], issuer=government, kind="notice", title="无锡市人民政府关于推进电子政务建设的通知",
        body="一、总体要求\n（一）加强领导。各部门要把电子政务建设列入重要议事日程。\n二、保障措施\n1.资金保障。",
        main_to=departments, printer=Organization.objects.get(doc_code="锡政办发"), note="此件公开发布",
        disclosure="proactive",
    )
    document_transition(actor=users["govclerk"], document=document, to="reviewing")
    document_transition(actor=users["govreviewer"], document=document, to="signing")
    document_sign_off(actor=users["vicemayor"], document=document, mfa_verified=True)
    document_transition(actor=users["govclerk"], document=document, to="registering")
    document = document_number_allocate(document=document, actor=users["govclerk"])
    _expect(str(document.number) == f"锡政发〔{document.number_year}〕1号", "the first number of the year is 1")
    document = document_print(document=document, actor=users["govclerk"])
    seal = document_seal_for(actor=users["govclerk"], document=document)
    _expect(seal is not None, "the government's document clerk may use its 公章")
    document = document_seal(document=document, actor=users["govclerk"], seal=seal)
    pdf = document.sealed_pdf.read()
    report = pdf_verify(pdf=pdf)
    _expect(report.valid, f"the sealed document verifies ({report.message})")
    document = document_dispatch(actor=users["govclerk"], document=document)
    _expect(document.status == "issued", "核发: the document is issued")
    _expect(document.published_at is not None and documents_published().filter(pk=document.pk).exists(),
            "核发 publishes the 主动公开 document on the public site")
    for username in ("fgwclerk", "czclerk", "sjclerk"):
        document_receive(document=document, actor=User.objects.get(username=username))
    rows = delivery_table(actor=users["govclerk"], document=document)
    _expect([row.state for row in rows] == ["signed"] * 3, "all three departments signed for it")
    path = out_dir / f"document-{document.pk}.pdf"
    path.write_bytes(pdf)
    verified = StringIO()
    try:
        call_command("trust", "verify-pdf", str(path), "--json", stdout=verified)
    except CommandError as error:
        raise SmokeFailure(f"egov trust verify-pdf refuses the issued PDF: {error}") from None
    _expect(json.loads(verified.getvalue())["valid"] is True, "egov trust verify-pdf accepts the issued PDF")
    return {"number": str(document.number), "recipients": [o.name for o in departments], "status": document.status,
            "signed_for": [row.recipient.received_at.isoformat() for row in rows],
            "seal": str(seal), "verification_code": document.verification_code, "pdf_bytes": len(pdf),
            "file": path.name}


def step_documents_import(out_dir: Path) -> dict:
    """Import the seed document from its text and publish it (issue 8). The demo city published the
    simplified copy (锡政发〔2004〕99号); the traditional one (錫政發〔2004〕99號, its issuer found through
    OpenCC) is the same document in the other script (issue 19, item 1): importing it reports the
    demo's document, and importing the simplified copy again does too; nothing new."""
    seeds = Path(__file__).parent / "fixtures" / "seed"
    traditional = seeds / "wuxi-egov-guidance-2004.txt"
    parsed = document_parse(traditional.read_bytes())
    document, created = document_import_once(actor=SYSTEM, parsed=parsed, source_name=traditional.name, publish=True)
    _expect(
        parsed.document_number == "錫政發〔2004〕99號"
        and not created
        and str(document.number) == "锡政发〔2004〕99号"
        and document.number_key == "锡政发〔2004〕99号"
        and document.written_on.isoformat() == "2004-03-24",
        "the traditional seed 錫政發〔2004〕99號 is the demo's 锡政发〔2004〕99号 of 2004-03-24, imported before",
    )
    _expect(
        document.issuer.name == "无锡市人民政府" and document.published_at is not None,
        "issued by 无锡市人民政府 and published",
    )
    simplified = seeds / "wuxi-egov-guidance-2004.zh-hans.txt"
    again, created_again = document_import_once(
        actor=SYSTEM, parsed=document_parse(simplified.read_bytes()), source_name=simplified.name, publish=True
    )
    _expect(
        not created_again and again.pk == document.pk,
        "the simplified seed, published by the demo, is not imported twice",
    )
    return {
        "number": parsed.document_number,
        "date": document.written_on.isoformat(),
        "kind": document.kind,
        "published": document.published_at is not None,
        "created": created,
        "again": not created_again,
        "body_characters": len(document.body_html),
    }


def step_supervision_meetings(out_dir: Path) -> dict:
    """会议管理 and 督查督办: a meeting of the municipal government → its notice → 财政局's reply →
    the minutes drafted as a 纪要 addressed to the attending → a supervision item from the minutes
    for 财政局 → its progress report → closed by the government (issue 8, items 4 and 5)."""
    users = {name: User.objects.get(username=name) for name in ("govclerk", "czclerk", "fgwclerk")}
    government = Organization.objects.exclude(kind=Organization.Kind.EXTERNAL).get(parent__isnull=True)
    finance, reform = Organization.objects.get(doc_code="锡财"), Organization.objects.get(doc_code="锡发改")
    start = timezone.now() + timedelta(days=3)
    meeting = meeting_create(actor=users["govclerk"], organizer=government, title="政务公开工作专题", starts_at=start,
                             ends_at=start + timedelta(hours=1), place="市政府第二会议室",
                             reply_due=start - timedelta(days=1), agenda=[("部署政务公开重点工作", "市政府办公室")],
                             invited=[(finance, 1), (reform, 1)])
    meeting_notice_send(actor=users["govclerk"], meeting=meeting)
    _expect(list(meeting_notices_for(actor=users["czclerk"]).filter(meeting=meeting).values_list(
        "organization", flat=True)) == [finance.pk], "财政局 has the notice in its meeting inbox")
    meeting_reply(actor=users["czclerk"], invitation=meeting.invitations.get(organization=finance), attending=True,
                  attendees=attendees_parse("陈晨，文书"))
    meeting_reply(actor=users["fgwclerk"], invitation=meeting.invitations.get(organization=reform), attending=False)
    minutes = meeting_minutes_draft(actor=users["govclerk"], meeting=meeting, now=start + timedelta(hours=2))
    main_to = [r.organization_id for r in minutes.recipients.filter(kind="main")]
    _expect(minutes.kind == "minutes" and minutes.status == "drafting" and main_to == [finance.pk],
            "the minutes are a 纪要 at 拟稿, addressed to the attending 财政局 only")
    _expect(minutes.title == "政务公开工作专题会议纪要", f"the minutes' title ({minutes.title})")
    item = supervision_item_create(actor=users["govclerk"], supervisor=government, title="落实政务公开重点工作",
                                   requirement="按会议纪要要求推进。", owner=finance,
                                   deadline=deadline_in_working_days(10), source_document=minutes)
    supervision_report(actor=users["czclerk"], item=item, text="已完成主动公开目录梳理。", percent=100)
    supervision_close(actor=users["govclerk"], item=item, note="经核查已落实。")
    item.refresh_from_db()
    _expect(item.status == "closed", "the government closes the item")
    return {"meeting": meeting.pk, "replies": meeting.invitations.filter(replied_at__isnull=False).count(),
            "minutes": minutes.title, "minutes_status": minutes.status, "item": item.pk,
            "deadline": item.deadline.isoformat(), "item_status": item.status}


def step_portal_search(out_dir: Path) -> dict:
    """Find the imported seed by searching 电子政务 (電子政務 finds it too, through the same
    normalization) and by its number as printed and in traditional script, beside the document
    issued in the flow step; then the public pages."""
    results = document_search("电子政务", public=True)
    seeds = [hit for hit in results.hits if hit.document.number_key == "锡政发〔2004〕99号"]
    _expect(len(seeds) == 1, "the seed is one public hit for 电子政务")
    seed = seeds[0]
    document = seed.document
    _expect(
        seed.title_match and "<mark>电子政务</mark>" in seed.title_html,
        "the seed matches by its title, the word marked",
    )
    _expect(
        [hit.document for hit in document_search("電子政務", public=True).hits if hit.document.number_year == 2004]
        == [document],
        "電子政務 finds the seed",
    )
    for typed in ("锡政发〔2004〕99号", "錫政發［2004］99號"):
        _expect(
            [hit.document for hit in document_search(typed, public=True).hits] == [document], f"{typed} finds the seed"
        )
    client = Client()
    page = client.get(reverse("portal:search"), {"q": "电子政务"})
    detail_url = reverse("portal:disclosure_detail", args=[document.pk])
    links = re.findall(r'href="(/disclosure/\d+/)"', page.content.decode())
    _expect(page.status_code == 200 and detail_url in links, "the search page lists the seed")
    detail = client.get(detail_url)
    _expect(
        detail.status_code == 200 and "锡政发〔2004〕99号" in detail.content.decode(),
        "the seed's disclosure page shows its number",
    )
    listed = client.get(reverse("portal:disclosure_list"))
    _expect(listed.status_code == 200 and f'href="{detail_url}"' in listed.content.decode(),
            "the seed is on the disclosure list")
    return {"query": "电子政务", "hits": results.total, "found": str(document.number),
            "search_page": page.status_code, "disclosure_page": detail.status_code,
            "disclosed": documents_published().count()}


def step_disclosure_requests(out_dir: Path) -> dict:
    """依申请公开: the citizen requests information from 财政局 on the public page, its disclosure office
    registers it on Monday 2026-09-28 (due 20 working days later, after 国庆: 2026-10-30, 《政府信息公开
    条例》第三十三条) and answers 予以公开; the citizen sees the answer and was notified."""
    citizen = User.objects.get(username=DEMO_CITIZEN["id_number"])
    officer = User.objects.get(username="gkofficer")
    agency = Organization.objects.get(name="无锡市财政局")
    client = Client()
    client.force_login(citizen)
    response = client.post("/disclosure-requests/new/", {
        "agency": agency.pk, "description": "2026年无锡市财政预算执行情况报告全文", "form_wanted": "electronic",
        "email": "zhang.jiming@example.cn"})
    _expect(response.status_code == 302, f"the request form answers 302, not {response.status_code}")
    number = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    row = DisclosureRequest.objects.get(number=number)
    row = disclosure.request_register(actor=officer, request=row, today=date(2026, 9, 28))
    _expect(row.due_on == date(2026, 10, 30), f"registered 2026-09-28, due 2026-10-30, not {row.due_on}")
    row = disclosure.request_answer(actor=officer, request=row, kind="disclosed",
                                    text="所申请信息已在市财政局门户网站“财政预决算”栏目公开。")
    page = client.get(f"/disclosure-requests/{number}/").content.decode()
    _expect("市财政局门户网站" in page, "the citizen sees the answer")
    told = Notification.objects.filter(recipient=citizen, subject__contains=number).count()
    _expect(told == 3, f"submit, register and answer notify the citizen (3), not {told}")
    return {"number": number, "status": row.status, "received_on": row.received_on.isoformat(),
            "due_on": row.due_on.isoformat(), "answer": row.answer_kind, "notifications": told}


# Answers for the pattern-checked fields of the demo catalogue (each worked out to match its pattern).
SAMPLE_BY_PATTERN = {
    "^1[3-9][0-9]{9}$": "13800000000",  # mainland mobile number, 11 digits
    "^[0-9]{12,19}$": "6222020200001234567",  # bank card, 19 digits
    "^[0-9]{10,25}$": "32050161360000000123",  # escrow account, 20 digits
    "^[0-9A-Z]{28}$": "320213001001GB00001F00010001",  # 不动产单元代码, 28 characters
}


def sample_form(schema: dict, *, id_number: str, uscc: str) -> dict:
    """A valid answer to an item's form (the subset ``egov.services.formschema`` renders): the first
    choice, the lowest number, today for dates, the applicant's own identifiers, ``SAMPLE_BY_PATTERN``
    for other patterns and Chinese text of the shortest allowed length.

    Raises:
        SmokeFailure: a pattern the table does not know (add its sample there).
    """
    answer = {}
    for name, field in schema.get("properties", {}).items():
        if "const" in field:
            value = field["const"]
        elif "oneOf" in field:
            value = field["oneOf"][0]["const"]
        elif "enum" in field:
            value = field["enum"][0]
        elif field["type"] == "boolean":
            value = True
        elif field["type"] in ("integer", "number"):
            value = field.get("minimum", 1)
        elif field.get("format") == "date":
            value = timezone.localdate().isoformat()
        elif field.get("format") == "cn-resident-id":
            value = id_number
        elif field.get("format") == "cn-uscc":
            value = uscc
        elif field.get("format") == "email":
            value = "smoke@example.cn"
        elif "pattern" in field:
            _expect(field["pattern"] in SAMPLE_BY_PATTERN, f"a sample for the pattern {field['pattern']} of {name}")
            value = SAMPLE_BY_PATTERN[field["pattern"]]
        else:
            value = "无锡市梁溪区人民中路" * max(1, -(-field.get("minLength", 1) // 10))
        answer[name] = value
    return answer


def step_services_every_organization(out_dir: Path) -> dict:
    """Every organization that owns items processes one (issue 12, item 5): for each, its first item
    that can be applied for online (办理深度 ≥ 3, no sub-items) is submitted over the API by the demo
    citizen (or, for items only legal persons apply for, by the citizen as 经办人 of the demo
    enterprise), then received (接件) and accepted (受理) by that organization's own intake clerk
    (its printed demo sign-in, role 窗口受理); nobody of another organization may take it in."""
    citizen = User.objects.get(username=DEMO_CITIZEN["id_number"])
    enterprise = LegalPerson.objects.get(uscc=DEMO_ENTERPRISE["uscc"])
    client = Client()
    client.force_login(citizen)
    # The smallest files each kind is recognized by (their magic numbers).
    samples = {"pdf": b"%PDF-1.7\n% egov smoke: every organization\n%%EOF\n",
               "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "jpeg": b"\xff\xd8\xff\xe0" + b"\x00" * 16}
    outsider = User.objects.get(username="clerk")  # 行政审批局's clerk
    accepted = {}
    owners = Organization.objects.filter(service_items__is_published=True).distinct().order_by("path")
    for organization in owners:
        item = next(item for item in ServiceItem.objects.filter(organization=organization, is_published=True,
                                                                online_depth__gte=3, children__isnull=True)
                    .order_by("sort_order"))
        as_enterprise = "natural" not in item.applicant_kinds
        files = {str(m.pk): base64.b64encode(next(samples[kind] for kind in m.accepted_types if kind in samples)
                                             ).decode() for m in item.materials.filter(required=True)}
        payload = {"item": item.code, "materials": files,
                   "form": sample_form(item.form_schema, id_number=DEMO_CITIZEN["id_number"], uscc=enterprise.uscc)}
        if as_enterprise:
            payload["legal_person"] = enterprise.uscc
        response = client.post("/api/v1/services/applications", payload, content_type="application/json",
                               headers={"Idempotency-Key": f"smoke-every-{item.pk}"})
        _expect(response.status_code == 202, f"{item.name}: submit answers 202 ({response.content[:300]!r})")
        _expect(intake_work() == 1, f"{item.name}: the intake worker makes the case")
        case = Application.objects.get(intake__receipt=response.json()["receipt"])
        clerk = User.objects.filter(memberships__organization=organization,
                                    memberships__roles__role=Role.CLERK).order_by("pk").first()
        _expect(clerk is not None, f"{organization.name} has an intake clerk")
        if organization != outsider.memberships.get().organization:
            try:
                processing.application_receive(actor=outsider, application=case)
            except (NotFound, PermissionDenied):
                pass
            else:
                raise SmokeFailure(f"{item.name}: another organization's clerk took the case in")
        processing.application_receive(actor=clerk, application=case)
        case = processing.application_accept(actor=clerk, application=case)
        _expect(case.status == "accepted", f"{item.name}: 受理 by {clerk.username}")
        accepted[organization.name] = {"item": item.name, "case": case.number, "clerk": clerk.username,
                                       "applicant": "legal" if as_enterprise else "natural",
                                       "status": case.status}
    return {"organizations": len(accepted), "cases": accepted}


def step_credit_report(out_dir: Path) -> dict:
    """The sealed credit report of the enterprise that ``step_credit_intake`` listed as seriously untrustworthy
    (issue 16's "Done when"), verified; a batch check (``egov.smoke_credit_report``)."""
    try:
        return credit_report_smoke(out_dir, code=smoke_credit.USCC)
    except CreditReportSmokeFailure as failure:
        raise SmokeFailure(str(failure)) from None


def step_audit(out_dir: Path) -> dict:
    report = audit_chain_verify()
    _expect(report.ok, f"audit chain intact (broken at {report.broken_seq}: {report.reason})")
    return {"events": report.checked, "intact": report.ok}


STEPS: list[tuple[str, Callable[[Path], dict]]] = [
    ("orgs", step_orgs),
    ("accounts", step_accounts),
    ("staff_mfa", step_staff_mfa),
    ("workflow", step_workflow),
    ("services_catalog", step_services_catalog),
    ("services", step_services),
    ("services_outcomes", step_services_outcomes),
    ("trust", step_trust),
    ("exchange", step_exchange),
    ("documents", step_documents),
    ("documents_import", step_documents_import),
    ("supervision_meetings", step_supervision_meetings),
    ("portal_search", step_portal_search),
    ("disclosure_requests", step_disclosure_requests),
    ("services_every_organization", step_services_every_organization),
    ("registries_once_only", step_registries_once_only),
    ("credit_intake", step_credit_intake),
    ("credit_report", step_credit_report),
    ("audit", step_audit),
]


def smoke_run(out_dir: Path) -> dict:
    """Migrate the configured (fresh) database, load the demo, run every step; return their results."""
    call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())
    demo_load()
    results = {}
    for name, step in STEPS:
        try:
            results[name] = step(out_dir)
        except SmokeFailure as failure:
            raise SmokeFailure(f"{name}: {failure}") from None
    return results


def smoke_json(results: dict) -> str:
    """The last line the command prints."""
    return json.dumps(results, ensure_ascii=False, sort_keys=False)
