"""The archive packages (归档): of a received document (``archive_package``: what arrived, who
handled it and how, with its 处理单) and of an issued one for its issuer (``document_archive_package``:
what was sent, with its 发文稿纸: who drafted it, the 核稿, 会签, 签发 and 复核 opinions with their
authors and dates, the 签发人, the number, the seal and the recipients).

Contents (all UTF-8 JSON except the PDFs):

- ``document.pdf``: the sealed PDF as delivered (the issuer's PAdES e-seal inside);
- ``attachments/<n>-<name>``: the document's attachments;
- ``metadata.json``: the GB/T 9704 elements, the 发文字号, the 收文编号 and every handling record
  (拟办, 批办, 承办, 答复, 传阅 with read receipts, 催办), and the SHA-256 of each file above;
- ``history.json``: the audit events of this 收文 record and those of the document that the
  receiving organization is a party to (用印, 核发, its own 签收), with their chain hashes (``egov
  audit verify`` checks the chain they belong to); the issuer's drafting history is not included;
- ``verification.json``: trust's verification report of ``document.pdf`` at export time.

The issuer's package has ``document.pdf``, ``attachments/``, ``verification.json``, ``metadata.json``
(the elements and ``draft_sheet``, the 发文稿纸 as data), ``draft_sheet.txt`` (the same as lines to
read, in the language of the request) and ``history.json`` (every audit event of the document, with
its sentence in that language and its chain hashes).
"""

import hashlib
import io
import json
import zipfile

from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.selectors import audit_events_for
from egov.core.errors import Conflict
from egov.documents.history import actor_names, event_sentence
from egov.documents.incoming import require_incoming_visible
from egov.documents.models import IncomingDocument, OfficialDocument
from egov.documents.permissions import require_issuing_side, require_visible
from egov.documents.states import IncomingStatus, Status
from egov.trust.verification import pdf_verify


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def _events(model, pk, keep=None) -> list[dict]:
    return [{"seq": e.seq, "time": e.occurred_at.isoformat(), "actor": e.actor_label,
             "organization": e.organization_label, "action": e.action, "summary": e.summary, "changes": e.changes,
             "hash": e.hash, "prev_hash": e.prev_hash}
            for e in audit_events_for(object_type=model._meta.label_lower, object_id=pk) if keep is None or keep(e)]


# Of the document's own history a recipient keeps what it is a party to: the seal on the PDF it
# holds, the dispatch, and its own receipt; the issuer's drafting (opinions, who signed off when) is
# the issuer's (``permissions.require_issuing_side``).
_RECIPIENT_ACTIONS = {"documents.document.sealed", "documents.document.dispatched"}


def _metadata(incoming: IncomingDocument, files: dict[str, str]) -> dict:
    document = incoming.document
    return {
        "document": _document_elements(document),
        "incoming": {
            "organization": incoming.organization.name, "registration_number": incoming.registration_number,
            "status": incoming.status, "signed_for_at": incoming.recipient.received_at,
            "signed_for_by": incoming.recipient.received_by.name if incoming.recipient.received_by else "",
            "handling_due": incoming.handling_due, "return_reasons": incoming.return_reasons,
            "proposal": incoming.proposal, "instruction": incoming.instruction,
            "handler": incoming.handler.name if incoming.handler else "", "result": incoming.result,
            "reply": incoming.reply,
            "circulation": [{"reader": c.reader.name, "sent_at": c.sent_at, "read_at": c.read_at}
                            for c in incoming.circulations.select_related("reader")],
            "reminders": [{"kind": r.kind, "sent_on": r.sent_on, "due_on": r.due_on}
                          for r in incoming.recipient.reminders.all()],
        },
        "files": files,
        "exported_at": timezone.now(),
    }


def archive_package(*, actor, incoming: IncomingDocument) -> tuple[str, bytes]:
    """The archive package of an archived 收文 record: ``(file name, ZIP bytes)``.

    Raises:
        NotFound: the actor is not of the receiving organization (the same answer as for a
            document that does not exist).
        Conflict: the record is not archived yet (the message names its status).
    """
    require_incoming_visible(actor, incoming)
    if incoming.status != IncomingStatus.ARCHIVED:
        raise Conflict(_("Only an archived document is exported; this one is %(status)s.")
                       % {"status": incoming.get_status_display()}, extra={"status": incoming.status})
    document = incoming.document
    with document.sealed_pdf.open("rb") as handle:
        pdf = handle.read()
    files = {"document.pdf": pdf}
    for attachment in document.attachments.all():
        with attachment.file.open("rb") as handle:
            files[f"attachments/{attachment.position}-{attachment.name}"] = handle.read()
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("metadata.json", _json(_metadata(incoming, digests)))
        ours = incoming.organization_id
        archive.writestr("history.json", _json({
            "document": _events(OfficialDocument, document.pk, keep=lambda e: e.action in _RECIPIENT_ACTIONS or (
                e.action == "documents.document.receive" and e.organization_id == ours)),
            "incoming": _events(IncomingDocument, incoming.pk)}))
        archive.writestr("verification.json", _json(pdf_verify(pdf=pdf).as_json()))
    name = f"archive-{incoming.registration_year or ''}-{incoming.registration_seq or incoming.pk}.zip"
    return name, buffer.getvalue()


def _document_elements(document: OfficialDocument) -> dict:
    return {
        "id": document.pk, "number": str(document.number or ""), "title": document.title,
        "kind": document.kind, "direction": document.direction, "classification": document.classification,
        "urgency": document.urgency, "issuer": document.issuer.name, "signers": document.signers,
        "written_on": document.written_on, "printed_on": document.printed_on,
        "printer": document.printer.name if document.printer else "",
        "verification_code": document.verification_code, "sealed_pdf_sha256": document.sealed_pdf_sha256,
        "recipients": [{"kind": r.kind, "name": r.name} for r in document.recipients.all()],
        "disclosure": document.disclosure, "published_at": document.published_at,
    }


def draft_sheet(document: OfficialDocument) -> dict:
    """The 发文稿纸 of ``document`` as data: who drafted it and when, every opinion (step, decision,
    text, author, organization, time), the 签发人 and when it was signed off."""
    return {
        "drafted_by": document.created_by.name if document.created_by else "",
        "drafted_at": document.created_at,
        "opinions": [{"step": o.step, "step_label": o.step_label, "decision": o.decision_label, "text": o.text,
                      "author": o.author_name, "organization": o.organization.name if o.organization else "",
                      "time": o.created_at} for o in document.opinions.select_related("organization")],
        "signers": document.signers,
        "signed_off_at": document.signed_off_at,
    }


def _draft_sheet_text(document: OfficialDocument, sheet: dict) -> str:
    lines = [document.title, str(document.number or ""), ""]
    lines.append(_("Drafted by: %(name)s, %(time)s") % {
        "name": sheet["drafted_by"] or "—", "time": timezone.localtime(sheet["drafted_at"]).strftime("%Y-%m-%d %H:%M")})
    for opinion in sheet["opinions"]:
        lines.append(f"{opinion['step_label']}：{opinion['decision']} {opinion['text']}".rstrip()
                     + f" — {opinion['author']} {timezone.localtime(opinion['time']).strftime('%Y-%m-%d %H:%M')}")
    if sheet["signers"]:
        lines.append(_("Signed off by: %(names)s") % {"names": sheet["signers"]})
    return "\n".join(lines) + "\n"


def document_archive_package(*, actor, document: OfficialDocument) -> tuple[str, bytes]:
    """The issuer's archive package of an issued document (发文归档): ``(file name, ZIP bytes)``,
    with its 发文稿纸 (see the module docstring).

    Raises:
        NotFound: the actor may not see the document or only receives it (the drafting is the
            issuer's).
        Conflict: the document is not issued yet, or was issued elsewhere (imported: no sealed PDF).
    """
    require_visible(actor, document)
    require_issuing_side(actor, document)
    if document.status != Status.ISSUED or not document.sealed_pdf:
        raise Conflict(_("Only a document issued and sealed here is archived; this one is %(status)s.")
                       % {"status": document.get_status_display()}, extra={"status": document.status})
    with document.sealed_pdf.open("rb") as handle:
        pdf = handle.read()
    files = {"document.pdf": pdf}
    for attachment in document.attachments.all():
        with attachment.file.open("rb") as handle:
            files[f"attachments/{attachment.position}-{attachment.name}"] = handle.read()
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    sheet = draft_sheet(document)
    sources = list(audit_events_for(object_type=OfficialDocument._meta.label_lower, object_id=document.pk))
    names = actor_names(sources)
    events = [{**event, "sentence": event_sentence(source, names)}
              for event, source in zip(_events(OfficialDocument, document.pk), sources, strict=True)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("metadata.json", _json({"document": _document_elements(document), "draft_sheet": sheet,
                                                 "files": digests, "exported_at": timezone.now()}))
        archive.writestr("draft_sheet.txt", _draft_sheet_text(document, sheet).encode("utf-8"))
        archive.writestr("history.json", _json({"document": events}))
        archive.writestr("verification.json", _json(pdf_verify(pdf=pdf).as_json()))
    number = document.number
    name = f"document-{number.year}-{number.seq}.zip" if number else f"document-{document.pk}.zip"
    return name, buffer.getvalue()
