"""The outgoing process (BPMN) and 收文办理, action by action, with the workflow tasks they complete."""

import io
import json
import zipfile
from datetime import date

import pytest

from egov.accounts.actions import staff_user_create
from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.documents import incoming as inc
from egov.documents.actions import (
    document_draft,
    document_number_allocate,
    document_print,
    document_receive,
    document_seal,
    document_sign_off,
    document_transition,
    document_update,
)
from egov.documents.archive import archive_package
from egov.documents.flow import document_countersign, document_dispatch
from egov.documents.models import IncomingDocument, Reminder
from egov.documents.process import outgoing_process
from egov.documents.selectors import delivery_table
from egov.documents.tests.conftest import PASSWORD, advance_to_registering
from egov.orgs.roles import Role
from egov.workflow.models import ProcessInstance, WorkTask


def _active(document) -> list[str]:
    return sorted(outgoing_process(document).tasks.filter(
        status__in=[WorkTask.Status.OPEN, WorkTask.Status.CLAIMED]).values_list("bpmn_id", flat=True))


def _issue(wuxi, document, seal):
    document = document_number_allocate(document=advance_to_registering(wuxi, document), actor=wuxi.clerk)
    document = document_print(document=document, actor=wuxi.clerk)
    document = document_seal(document=document, actor=wuxi.clerk, seal=seal)
    return document_dispatch(actor=wuxi.clerk, document=document)


def test_each_step_completes_its_workflow_task(wuxi, draft):
    assert _active(draft) == ["draft"]
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    assert _active(draft) == ["review"]
    document_transition(actor=wuxi.reviewer, document=draft, to="drafting", comment="补充")
    assert _active(draft) == ["draft"]
    advance_to_registering(wuxi, draft)
    assert _active(draft) == ["register"]
    done = WorkTask.objects.filter(status="completed", instance__subject_id=str(draft.pk)).order_by("pk")
    assert [t.bpmn_id for t in done] == ["draft", "review", "draft", "review", "sign_off", "recheck"]
    assert done[1].completed_data == {"review_decision": "return", "opinion": "补充", "countersigners": []}


def test_sign_off_needs_the_second_factor(wuxi, draft):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    document_transition(actor=wuxi.reviewer, document=draft, to="signing")
    with pytest.raises(PermissionDenied) as error:
        document_sign_off(actor=wuxi.leader, document=draft, mfa_verified=False)
    assert error.value.extra == {"rule": "mfa_required"}
    assert _active(draft) == ["sign_off"]


def test_countersign_one_task_per_organization_then_sign_off(wuxi, draft):
    finance_leader = staff_user_create(actor=None, username="fin-leader", name="财政局长", password=PASSWORD,
                                       organization=wuxi.finance, roles=[Role.APPROVER])
    reform_leader = staff_user_create(actor=None, username="fgw-leader", name="发改主任", password=PASSWORD,
                                      organization=wuxi.reform, roles=[Role.APPROVER])
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    with pytest.raises(ValidationFailed) as error:
        document_transition(actor=wuxi.reviewer, document=draft, to="countersigning")
    assert error.value.extra["field"] == "countersigners"
    document_update(actor=wuxi.reviewer, document=draft, countersigners=[wuxi.finance, wuxi.reform])
    document_transition(actor=wuxi.reviewer, document=draft, to="countersigning")
    tasks = outgoing_process(draft).tasks.filter(bpmn_id="countersign", status="open")
    assert sorted(t.candidate_organization_id for t in tasks) == sorted([wuxi.finance.pk, wuxi.reform.pk])
    with pytest.raises(PermissionDenied):  # police is no countersigner (and cannot see the draft: 404 first)
        document_countersign(actor=wuxi.finance_clerk, document=draft, agree=True, mfa_verified=True)
    with pytest.raises(ValidationFailed):
        document_countersign(actor=finance_leader, document=draft, agree=False, mfa_verified=True)
    assert document_countersign(actor=finance_leader, document=draft, agree=True, mfa_verified=True,
                                ).status == "countersigning"
    signed = document_countersign(actor=reform_leader, document=draft, agree=False, opinion="建议缓发",
                                  mfa_verified=True)
    assert signed.status == "signing"
    assert _active(draft) == ["sign_off"]
    with pytest.raises(NotFound):
        document_countersign(actor=wuxi.police_clerk, document=draft, agree=True, mfa_verified=True)


def test_withdraw_cancels_the_process(wuxi, draft):
    document_transition(actor=wuxi.clerk, document=draft, to="withdrawn", comment="不再发文")
    assert outgoing_process(draft).status == ProcessInstance.Status.CANCELLED
    assert _active(draft) == []


def test_dispatch_delivers_to_every_recipient_organization(wuxi, draft, government_seal):
    issued = _issue(wuxi, draft, government_seal)
    assert issued.status == "issued"
    assert outgoing_process(issued).status == ProcessInstance.Status.COMPLETED
    assert outgoing_process(issued).outcome == "issued"
    rows = delivery_table(actor=wuxi.clerk, document=issued)
    assert [(r.recipient.name, r.state) for r in rows] == [
        ("无锡市财政局", "delivered"), ("无锡市教育局", "delivered"), ("无锡市发展和改革委员会", "delivered")]
    assert {r.recipient.transport for r in rows} == {"platform"}
    # 平件: 2 working days to sign for; dispatched today, due two working days later.
    assert all(r.recipient.receipt_due > date.today() for r in rows)
    receipt_due = rows[0].recipient.receipt_due
    later = delivery_table(actor=wuxi.clerk, document=issued, today=date.fromordinal(receipt_due.toordinal() + 1))
    assert {r.state for r in later} == {"overdue"}
    with pytest.raises(NotFound):
        delivery_table(actor=wuxi.police_clerk, document=issued)


def test_receiving_clerk_from_signing_for_to_archive(wuxi, draft, government_seal):
    issued = _issue(wuxi, draft, government_seal)
    office = staff_user_create(actor=None, username="fin-office", name="财政办公室主任", password=PASSWORD,
                               organization=wuxi.finance, roles=[Role.REVIEWER])
    chief = staff_user_create(actor=None, username="fin-chief", name="财政局长", password=PASSWORD,
                              organization=wuxi.finance, roles=[Role.APPROVER])
    handler = staff_user_create(actor=None, username="fin-handler", name="预算处科员", password=PASSWORD,
                                organization=wuxi.finance, roles=[])
    (row,) = document_receive(document=issued, actor=wuxi.finance_clerk)
    incoming = IncomingDocument.objects.get(recipient=row)
    assert incoming.status == "received" and incoming.organization == wuxi.finance
    with pytest.raises(NotFound):
        inc.incoming_register(actor=wuxi.police_clerk, incoming=incoming)
    with pytest.raises(Conflict) as error:
        inc.incoming_propose(actor=office, incoming=incoming, proposal="x")
    assert "已签收" in error.value.message or "Signed for" in error.value.message
    incoming = inc.incoming_register(actor=wuxi.finance_clerk, incoming=incoming)
    assert incoming.registration_number == f"锡财收〔{incoming.registration_year}〕1号"
    incoming = inc.incoming_accept(actor=wuxi.finance_clerk, incoming=incoming)
    with pytest.raises(PermissionDenied):
        inc.incoming_propose(actor=wuxi.finance_clerk, incoming=incoming, proposal="请局长阅示")
    incoming = inc.incoming_propose(actor=office, incoming=incoming, proposal="请局长阅示，由预算处承办")
    with pytest.raises(ValidationFailed):
        inc.incoming_instruct(actor=chief, incoming=incoming, instruction="同意", handler=wuxi.police_clerk)
    incoming = inc.incoming_instruct(actor=chief, incoming=incoming, instruction="同意，预算处抓紧落实",
                                     handler=handler)
    inc.incoming_circulate(actor=wuxi.finance_clerk, incoming=incoming, readers=[chief, office])
    receipt = inc.incoming_read(actor=chief, incoming=incoming)
    assert receipt.read_at is not None
    with pytest.raises(Conflict):
        inc.incoming_read(actor=handler, incoming=incoming)
    with pytest.raises(PermissionDenied):
        inc.incoming_handle(actor=wuxi.finance_clerk, incoming=incoming, result="x")
    incoming = inc.incoming_handle(actor=handler, incoming=incoming, result="已安排专项资金")
    incoming = inc.incoming_reply(actor=handler, incoming=incoming, reply="已落实，特此报告")
    with pytest.raises(Conflict):
        archive_package(actor=wuxi.finance_clerk, incoming=incoming)
    incoming = inc.incoming_archive(actor=wuxi.finance_clerk, incoming=incoming)
    assert incoming.status == "archived"
    rows = {r.recipient.organization_id: r for r in delivery_table(actor=wuxi.clerk, document=issued)}
    assert rows[wuxi.finance.pk].state == "signed" and rows[wuxi.finance.pk].incoming.reply == "已落实，特此报告"

    with pytest.raises(NotFound):
        archive_package(actor=wuxi.police_clerk, incoming=incoming)
    with pytest.raises(NotFound):  # the sender sees the delivery table, not the recipient's file
        archive_package(actor=wuxi.clerk, incoming=incoming)
    name, data = archive_package(actor=wuxi.finance_clerk, incoming=incoming)
    assert name.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == ["document.pdf", "history.json", "metadata.json", "verification.json"]
    assert archive.read("document.pdf") == issued.sealed_pdf.open("rb").read()
    metadata = json.loads(archive.read("metadata.json"))
    assert metadata["incoming"]["registration_number"] == incoming.registration_number
    assert metadata["incoming"]["circulation"][0]["reader"] == "财政局长"
    assert metadata["document"]["number"] == str(issued.number)
    history = json.loads(archive.read("history.json"))
    assert [e["action"] for e in history["incoming"]] == [
        "documents.incoming.receive", "documents.incoming.register", "documents.incoming.check",
        "documents.incoming.propose", "documents.incoming.instruct", "documents.incoming.circulate",
        "documents.incoming.read", "documents.incoming.handle", "documents.incoming.reply",
        "documents.incoming.archive"]
    # Of the document's history only what 财政局 is a party to: the seal, the dispatch, its own receipt;
    # not the issuer's drafting, review or sign-off.
    document_actions = [e["action"] for e in history["document"]]
    assert set(document_actions) == {"documents.document.sealed", "documents.document.dispatched",
                                     "documents.document.receive"}
    assert document_actions.count("documents.document.receive") == 1
    assert json.loads(archive.read("verification.json"))["valid"] is True


def test_return_to_the_sender_with_reasons(wuxi, draft, government_seal):
    issued = _issue(wuxi, draft, government_seal)
    (row,) = document_receive(document=issued, actor=wuxi.finance_clerk)
    incoming = inc.incoming_register(actor=wuxi.finance_clerk, incoming=row.incoming)
    with pytest.raises(ValidationFailed):
        inc.incoming_return(actor=wuxi.finance_clerk, incoming=incoming, reasons=" ")
    incoming = inc.incoming_return(actor=wuxi.finance_clerk, incoming=incoming, reasons="不属于本单位职责范围")
    rows = {r.recipient.organization_id: r for r in delivery_table(actor=wuxi.clerk, document=issued)}
    assert rows[wuxi.finance.pk].incoming.status == "returned"
    assert rows[wuxi.finance.pk].incoming.return_reasons == "不属于本单位职责范围"


def test_registration_numbers_count_per_organization(wuxi, draft, government_seal):
    issued = _issue(wuxi, draft, government_seal)
    (row,) = document_receive(document=issued, actor=wuxi.finance_clerk)
    first = inc.incoming_register(actor=wuxi.finance_clerk, incoming=row.incoming)
    second_doc = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="第二件",
                                main_to=[wuxi.finance], printer=wuxi.office, disclosure="not_disclosed")
    second_doc = _issue(wuxi, second_doc, government_seal)
    (row2,) = document_receive(document=second_doc, actor=wuxi.finance_clerk)
    second = inc.incoming_register(actor=wuxi.finance_clerk, incoming=row2.incoming)
    assert (first.registration_seq, second.registration_seq) == (1, 2)


def test_reminders_before_the_deadline_once_a_day(wuxi, draft, government_seal):
    issued = _issue(wuxi, draft, government_seal)
    due = issued.recipients.first().receipt_due
    assert inc.reminders_send(today=date.fromordinal(due.toordinal() - 30)) == 0
    # On the due day all three deliveries are reminded, once.
    assert inc.reminders_send(today=due) == 3
    assert inc.reminders_send(today=due) == 0
    assert Reminder.objects.filter(kind="receipt").count() == 3
    assert AuditEvent.objects.filter(action="documents.reminder.receipt").count() == 3


def test_a_reminder_reaches_the_receiving_clerks_inbox(wuxi, draft, government_seal):
    from egov.facilities.models import Notification

    issued = _issue(wuxi, draft, government_seal)
    due = issued.recipients.get(organization=wuxi.finance).receipt_due
    inc.reminders_send(today=due)
    told = Notification.objects.get(recipient=wuxi.finance_clerk)
    assert issued.title[:20] in told.subject and due.isoformat() in told.subject
    assert told.url == "/staff/documents/inbox/"
    assert not Notification.objects.filter(recipient=wuxi.clerk).exists()  # the sender is not reminded
