"""Drafting official documents (拟稿): a new draft, its changes while editable, its attachments.

Each action is atomic, checks permission, validates and audits.
"""

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.actors import is_system
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.core.text import text_clean
from egov.documents import rules
from egov.documents.body import body_sanitize
from egov.documents.models import (
    UPWARD_KINDS,
    Attachment,
    OfficialDocument,
    Recipient,
)
from egov.documents.permissions import require_issuer_role
from egov.documents.process import outgoing_start
from egov.documents.search import search_fields_fill
from egov.documents.states import EDITABLE, Status
from egov.facilities.files import MEDIA_TYPES, detect_kind
from egov.orgs.models import Organization
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role

_TEXT_FIELDS = {"title": 300, "main_to_text": 500, "signature": 300, "note": 300, "copy_to_text": 500}


def attachment_max_bytes() -> int:
    """The largest attachment accepted, in bytes (setting ``EGOV_DOCUMENT_ATTACHMENT_MAX_MB``, default 20)."""
    return int(getattr(settings, "EGOV_DOCUMENT_ATTACHMENT_MAX_MB", 20)) * 1024 * 1024


def _text(field: str, value: str) -> str:
    return text_clean(value, field=field, limit=_TEXT_FIELDS[field], required=False)


def _organizations(field: str, organizations: Iterable[Organization]) -> list[Organization]:
    result = []
    for organization in organizations:
        if not organization.is_active:
            raise ValidationFailed(_("%(name)s is no longer active.") % {"name": organization.name},
                                   extra={"field": field, "rule": "inactive"})
        if organization not in result:
            result.append(organization)
    return result


def _set_recipients(document: OfficialDocument, kind: str, organizations: list[Organization]) -> None:
    document.recipients.filter(kind=kind).delete()
    Recipient.objects.bulk_create([
        Recipient(document=document, kind=kind, organization=organization, name=organization.name, position=index)
        for index, organization in enumerate(organizations)
    ])


def _apply(document: OfficialDocument, fields: dict[str, Any]) -> dict[str, Any]:
    """Validate ``fields`` onto ``document`` (unsaved); return the plain changes for the audit log."""
    changes: dict[str, Any] = {}

    def put(name: str, value: Any) -> None:
        old = getattr(document, name)
        if old != value:
            setattr(document, name, value)
            changes[name] = "changed" if name == "body_html" else [_plain(old), _plain(value)]

    if "kind" in fields:
        put("kind", rules.kind_check(fields["kind"]))
    if "kind" in fields or "direction" in fields:
        # Without a direction given, 请示/报告 become 上行文 and other kinds keep theirs (or get the usual one).
        given = fields.get("direction") or (None if document.kind in UPWARD_KINDS else document.direction)
        put("direction", rules.direction_for(document.kind, given))
    if "classification" in fields:
        put("classification", rules.classification_check(fields["classification"]))
    if "urgency" in fields:
        put("urgency", rules.urgency_check(fields["urgency"]))
    if "copy_number" in fields:
        put("copy_number", rules.copy_number_check(fields["copy_number"]))
    if "disclosure" in fields or ("classification" in changes and document.disclosure):
        put("disclosure", rules.disclosure_check(fields.get("disclosure", document.disclosure),
                                                 classification=document.classification))
    if "title" in fields:
        fields = {**fields, "title": rules.title_check(fields["title"])}
    for name in _TEXT_FIELDS:
        if name in fields:
            put(name, _text(name, fields[name]))
    if "body" in fields:
        put("body_html", body_sanitize(rules.body_length_check(fields["body"])))
    if "written_on" in fields and fields["written_on"] != document.written_on:
        put("written_on", rules.written_on_check(fields["written_on"], today=timezone.localdate()))
    if "printer" in fields:
        put("printer", fields["printer"])
    if not document.title:
        raise ValidationFailed(_("The title is required."), extra={"field": "title", "rule": "required"})
    if "title" in changes or "body_html" in changes:
        search_fields_fill(document)
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Organization):
        return value.pk
    return value


def _relations(document: OfficialDocument, fields: dict[str, Any], changes: dict[str, Any]) -> None:
    for field, kind in (("main_to", Recipient.Kind.MAIN), ("copy_to", Recipient.Kind.COPY)):
        if field in fields:
            organizations = _organizations(field, fields[field])
            _set_recipients(document, kind, organizations)
            changes[field] = [o.pk for o in organizations]
    if any(o.pk == document.issuer_id for o in fields.get("countersigners") or []):
        raise ValidationFailed(_("The issuing organization does not countersign its own document."),
                               extra={"field": "countersigners", "rule": "issuer"})
    for field in ("co_issuers", "countersigners"):
        if field in fields:
            organizations = [o for o in _organizations(field, fields[field]) if o.pk != document.issuer_id]
            getattr(document, field).set(organizations)
            changes[field] = [o.pk for o in organizations]


@transaction.atomic
def document_draft(*, actor, issuer: Organization, kind: str, title: str, **fields: Any) -> OfficialDocument:
    """Start a document (拟稿) of ``issuer``; it waits in status ``drafting``.

    Args:
        actor: a document clerk (文书) of ``issuer``, or None for the platform.
        issuer: the issuing organization; its 机关代字 numbers the document later.
        kind: a ``Kind`` value (the 15 kinds of 条例 §8).
        title: 标题, at most 100 characters (``rules.TITLE_MAX``, GB/T 9704-2012 §7.3.1).
        fields: any of ``direction`` (default from the kind), ``classification`` (公开/内部;
            秘密/机密/绝密 refused), ``urgency`` (""/加急/特急), ``copy_number`` (6 digits), ``body``
            (HTML or plain text, sanitized; at most 100,000 characters: ``rules.BODY_MAX``),
            ``main_to``/``copy_to`` (organizations), ``main_to_text``/
            ``copy_to_text`` (names as written), ``co_issuers`` (联合行文), ``countersigners`` (会签),
            ``signature`` (default: the issuer's name), ``written_on`` (date, 1949-10-01 to a year ahead:
            ``rules.written_on_check``), ``note`` (附注),
            ``printer`` (印发机关, an organization), ``disclosure`` (公开属性, a ``Disclosure``
            value: 主动公开, 依申请公开 or 不予公开; required before 签发, changeable until then).

    Raises:
        PermissionDenied: the actor is not a document clerk of ``issuer``.
        ValidationFailed: a field broke a rule (``extra["field"]``, ``extra["rule"]``).
    """
    document, changes = _document_new(actor=actor, issuer=issuer, kind=kind, title=title, fields=fields)
    outgoing_start(actor=actor, document=document)
    audit_record(action="documents.document.draft", actor=actor, organization=issuer, obj=document,
                 summary=f"drafted {document.title}"[:500], changes=changes)
    return document


def _document_new(*, actor, issuer: Organization, kind: str, title: str,
                  fields: dict[str, Any]) -> tuple[OfficialDocument, dict[str, Any]]:
    """Check the actor and the fields and save a new document (drafted or imported); no audit."""
    if not is_system(actor) and not has_role(actor, issuer, Role.DOCUMENT_CLERK):
        raise PermissionDenied(_("Only a document clerk of %(organization)s can draft its documents.")
                               % {"organization": issuer.name}, extra={"role": Role.DOCUMENT_CLERK})
    document = OfficialDocument(issuer=issuer, kind=rules.kind_check(kind), created_by=actor, signature=issuer.name)
    changes = _apply(document, {"kind": kind, "title": title, **fields})
    document.save()
    _relations(document, fields, changes)
    return document, changes


@transaction.atomic
def document_update(*, actor, document: OfficialDocument, **fields: Any) -> OfficialDocument:
    """Change a document's text and recipients while it is being drafted or reviewed.

    ``fields`` are those of ``document_draft`` (``title`` too). In 拟稿 the document clerk edits;
    in 核稿 the reviewer does.

    Raises:
        NotFound: the actor may not see the document.
        PermissionDenied: the actor lacks the role of the step.
        Conflict: the document is past review (its text is fixed).
        ValidationFailed: a field broke a rule; in 核稿, an element ``rules.document_elements_check``
            requires is gone (e.g. every 主送, ``field: "main_to"``).
    """
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    if document.status not in EDITABLE:
        raise Conflict(_("A document in status %(status)s can no longer be edited.")
                       % {"status": document.get_status_display()}, extra={"status": document.status})
    role = Role.DOCUMENT_CLERK if document.status == Status.DRAFTING else Role.REVIEWER
    require_issuer_role(actor, document, role)
    changes = _apply(document, fields)
    document.save()
    _relations(document, fields, changes)
    if document.status == Status.REVIEWING:
        # The reviewer's edit is held to the rules of the move it came by: it cannot undo a 主送.
        rules.document_elements_check(document, target=Status.REVIEWING)
    audit_record(action="documents.document.update", actor=actor, organization=document.issuer, obj=document,
                 summary=f"edited {document.title}"[:500], changes=changes)
    return document


@transaction.atomic
def attachment_add(*, actor, document: OfficialDocument, name: str, file: File,
                   content_type: str = "") -> Attachment:
    """Attach a file (附件) named ``name`` (printed in 附件说明) while the document is editable.

    Raises:
        NotFound, PermissionDenied: the actor is not a document clerk of the issuer.
        Conflict: the document's text is fixed.
        ValidationFailed: no name (``rule: "required"``), a file larger than the limit
            (``rule: "max_size"``; the message names the limit in MB, ``extra["limit_bytes"]``), or a
            file that is not a PDF, image, OFD or office document by its bytes (``rule: "file_type"``,
            ``facilities.files.detect_kind``).

    ``content_type`` (the uploader's header) is not trusted: the attachment records the media type
    of the kind its bytes were checked to be (issue 17).
    """
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    require_issuer_role(actor, document, Role.DOCUMENT_CLERK)
    if document.status not in EDITABLE:
        raise Conflict(_("A document in status %(status)s can no longer be edited.")
                       % {"status": document.get_status_display()}, extra={"status": document.status})
    name = (name or "").strip().rstrip("。.;；，,")
    if not name or len(name) > 200:
        raise ValidationFailed(_("Give the attachment a name (at most 200 characters)."),
                               extra={"field": "name", "rule": "required"})
    limit = attachment_max_bytes()
    if file.size > limit:
        raise ValidationFailed(
            _("The attachment is larger than the limit of %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
            extra={"field": "file", "rule": "max_size", "limit_bytes": limit, "size": file.size},
        )
    digest = hashlib.sha256()
    head = b""
    for chunk in file.chunks():
        digest.update(chunk)
        head = head or chunk
    file.seek(0)
    kind = detect_kind(head if not head.startswith(b"PK") else file.read())  # a ZIP is read whole
    file.seek(0)
    if kind is None:
        raise ValidationFailed(_("Attach a PDF, an image (JPEG, PNG), an OFD or an office document."),
                               extra={"field": "file", "rule": "file_type"})
    position = document.attachments.count() + 1
    attachment = Attachment(document=document, name=name, size=file.size, sha256=digest.hexdigest(),
                            content_type=MEDIA_TYPES[kind], position=position)
    attachment.file.save(f"{document.pk}-{position}-{digest.hexdigest()[:12]}", file, save=False)
    attachment.save()
    audit_record(action="documents.attachment.add", actor=actor, organization=document.issuer, obj=document,
                 summary=f"attachment {position}: {name}"[:500],
                 changes={"attachment": attachment.pk, "size": file.size, "sha256": attachment.sha256})
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment: Attachment) -> None:
    """Remove an attachment while its document is editable; the later ones move up one place.

    Raises:
        NotFound, PermissionDenied, Conflict: as ``attachment_add``.
    """
    document = OfficialDocument.objects.select_for_update().get(pk=attachment.document_id)
    require_issuer_role(actor, document, Role.DOCUMENT_CLERK)
    if document.status not in EDITABLE:
        raise Conflict(_("A document in status %(status)s can no longer be edited.")
                       % {"status": document.get_status_display()}, extra={"status": document.status})
    position, name = attachment.position, attachment.name
    attachment.file.delete(save=False)
    attachment.delete()
    for later in document.attachments.filter(position__gt=position).order_by("position"):
        later.position -= 1
        later.save(update_fields=["position"])
    audit_record(action="documents.attachment.remove", actor=actor, organization=document.issuer, obj=document,
                 summary=f"attachment {position} removed: {name}"[:500], changes={"position": position})
