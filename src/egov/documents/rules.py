"""Checks and policies for document fields that are not plain model validation."""

import math
import re
from datetime import date

from django.utils.translation import gettext as _

from egov.core.errors import ValidationFailed
from egov.core.workdays import WorkCalendar, working_days_add
from egov.documents.models import (
    CLASSIFIED_LEVELS,
    UPWARD_KINDS,
    Classification,
    Direction,
    Disclosure,
    Kind,
    OfficialDocument,
    Recipient,
    Urgency,
)
from egov.documents.states import TRANSITIONS, Status
from egov.orgs.models import Organization, RoleAssignment
from egov.orgs.roles import Role

_COPY_NUMBER = re.compile(r"^\d{6}$")


def classification_check(value: str) -> str:
    """Return the ``Classification`` value for ``value`` (``public``/``internal`` or 公开/内部).

    Raises:
        ValidationFailed: ``rule: "classified"`` for 秘密, 机密 and 绝密 (with or without a 保密期限
            such as 机密★1年): this system is not for classified information; ``rule: "choice"`` for
            anything else unknown.
    """
    value = (value or Classification.PUBLIC).strip()
    labels = {"公开": Classification.PUBLIC, "内部": Classification.INTERNAL}
    if value in labels:
        return labels[value]
    if value in Classification.values:
        return value
    if any(value.lower().startswith(level) for level in CLASSIFIED_LEVELS):
        raise ValidationFailed(
            _("This system is not for classified information: documents marked 秘密, 机密 or 绝密 must not be "
              "entered here."),
            extra={"field": "classification", "rule": "classified"},
        )
    raise ValidationFailed(_("The classification must be 公开 or 内部."),
                           extra={"field": "classification", "rule": "choice"})


def disclosure_check(value: str, *, classification: str) -> str:
    """Return the 公开属性 ``value`` (a ``Disclosure`` value other than undecided) of a document.

    主动公开 (《政府信息公开条例》(2019) 第十九条、第二十条) is for documents meant for the public:
    a 内部 document (``classification``) is 依申请公开 or 不予公开 at most.

    Raises:
        ValidationFailed: ``rule: "required"`` when undecided; ``rule: "choice"`` for an unknown
            value; ``rule: "internal"`` for 主动公开 of a 内部 document.
    """
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_("Choose whether the document is disclosed (公开属性)."),
                               extra={"field": "disclosure", "rule": "required"})
    if value not in Disclosure.values:
        raise ValidationFailed(_("Unknown disclosure: %(value)s") % {"value": value},
                               extra={"field": "disclosure", "rule": "choice"})
    if value == Disclosure.PROACTIVE and classification == Classification.INTERNAL:
        raise ValidationFailed(_("An internal (内部) document cannot be disclosed proactively (主动公开)."),
                               extra={"field": "disclosure", "rule": "internal"})
    return value


def kind_check(value: str) -> str:
    """Return ``value`` when it is one of the 15 kinds (``Kind``), else raise ValidationFailed."""
    if value not in Kind.values:
        raise ValidationFailed(_("Unknown kind of document: %(kind)s") % {"kind": value},
                               extra={"field": "kind", "rule": "choice"})
    return value


def direction_for(kind: str, direction: str | None) -> str:
    """The 行文方向 of a document of ``kind``: the one given, or the usual one for the kind.

    请示 and 报告 are always 上行文; without a given direction, 函 and 议案 are 平行文 and every other
    kind 下行文.

    Raises:
        ValidationFailed: an unknown direction, or 请示/报告 marked other than 上行文
            (``rule: "upward_kind"``).
    """
    if not direction:
        if kind in UPWARD_KINDS:
            return Direction.UPWARD
        return Direction.PARALLEL if kind in (Kind.LETTER, Kind.MOTION) else Direction.DOWNWARD
    if direction not in Direction.values:
        raise ValidationFailed(_("Unknown direction: %(direction)s") % {"direction": direction},
                               extra={"field": "direction", "rule": "choice"})
    if kind in UPWARD_KINDS and direction != Direction.UPWARD:
        raise ValidationFailed(_("A 请示 or 报告 goes to a superior body: it is an upward document (上行文)."),
                               extra={"field": "direction", "rule": "upward_kind"})
    return direction


def urgency_check(value: str) -> str:
    """Return the ``Urgency`` value for ``value`` (``""``/``urgent``/``extra_urgent`` or 加急/特急)."""
    value = (value or "").strip()
    labels = {"加急": Urgency.URGENT, "特急": Urgency.EXTRA_URGENT, "平件": Urgency.NORMAL}
    value = labels.get(value, value)
    if value not in Urgency.values:
        raise ValidationFailed(_("The urgency must be 特急, 加急 or none."),
                               extra={"field": "urgency", "rule": "choice"})
    return value


def copy_number_check(value: str) -> str:
    """份号: empty, or 6 Arabic digits (GB/T 9704-2012 §7.2.1, "一般用6位3号阿拉伯数字")."""
    value = (value or "").strip()
    if value and not _COPY_NUMBER.match(value):
        raise ValidationFailed(_("The copy number (份号) has 6 digits, e.g. 000001."),
                               extra={"field": "copy_number", "rule": "format"})
    return value


# Where a move leads back to the drafter or ends the document, the elements are not checked.
_NOT_FORWARD = (Status.DRAFTING, Status.WITHDRAWN)
# From 登记 on the 签发人 of a 上行文 is printed (GB/T 9704-2012 §7.2.5).
_NUMBERED = (Status.PRINTING, Status.SEALING, Status.DISPATCHING, Status.ISSUED)


def document_elements_check(document: OfficialDocument, *, target: str) -> None:
    """The one rule set of a document's elements for a move to ``target`` (a ``Status`` value),
    checked by every forward move (``actions.outgoing._move``) and by a save in 核稿
    (``document_update``), so that nothing reaches 登记 and spends a 发文字号 without them.

    - a 主送 (an organization or a name as written; 条例 §9 (七)), for every forward move;
    - the 公开属性 decided (``disclosure_check``), for every forward move;
    - a 上行文's 签发人, from 登记 (``target`` 印制) on.

    A move back to 拟稿 and 作废 are not checked.

    Raises:
        ValidationFailed: ``field: "main_to"``, ``"disclosure"`` or ``"signers"``, ``rule: "required"``
            (``"required_upward"`` for the 签发人).
    """
    if target in _NOT_FORWARD:
        return
    if not document.main_to_text.strip() and not document.recipients.filter(kind=Recipient.Kind.MAIN).exists():
        raise ValidationFailed(_("Name at least one main recipient (主送机关)."),
                               extra={"field": "main_to", "rule": "required"})
    disclosure_check(document.disclosure, classification=document.classification)
    if target in _NUMBERED and document.direction == Direction.UPWARD and not document.signers:
        raise ValidationFailed(_("An upward document (上行文) needs its 签发人."),
                               extra={"field": "signers", "rule": "required_upward"})


def handling_working_days(*, urgency: str, normal_days: int) -> int:
    """The time to handle a document of ``urgency``, in working days, where a 平件 takes ``normal_days``.

    egov's policy for "紧急公文应当按照时限要求办理" (党政机关公文处理工作条例 §24 (三)):
    特急 is handled within 1 working day (随到随办); 加急 within half the normal time, rounded up,
    and at most 3 working days; a 平件 within ``normal_days``. Never more than ``normal_days``.

    ``handling_working_days(urgency="urgent", normal_days=5)`` is 3; with 10 normal days it is 3;
    with 4 it is 2. ``extra_urgent`` always gives 1.

    Raises:
        ValidationFailed: ``normal_days`` < 1, or an unknown urgency.
    """
    if normal_days < 1:
        raise ValidationFailed(_("A time limit is at least one working day."),
                               extra={"field": "normal_days", "rule": "min"})
    urgency = urgency_check(urgency)
    if urgency == Urgency.EXTRA_URGENT:
        return 1
    if urgency == Urgency.URGENT:
        return min(normal_days, 3, math.ceil(normal_days / 2))
    return normal_days


def handling_deadline(*, received_on: date, urgency: str, normal_days: int, calendar: WorkCalendar) -> date:
    """The last day to handle a document received on ``received_on``: ``handling_working_days``
    working days after it (the day of receipt not counted), on ``calendar`` (statutory holidays and
    调休 included; ``egov.workflow.selectors.work_calendar()`` gives the stored one).

    Received Friday 2026-11-27, a 平件 of 5 working days is due Friday 12-04, a 加急 one Wednesday
    12-02, a 特急 one Monday 11-30.
    """
    days = handling_working_days(urgency=urgency, normal_days=normal_days)
    return working_days_add(received_on, days, calendar=calendar)


# GB/T 9704-2012 §7.3.1: the 标题 is "一般用2号小标宋体字，编排于红色分隔线下空二行位置，分一行或多行居中排布"; a
# title of a few lines holds some 15–20 characters a line. 100 characters is already five such lines,
# more than any real title (锡政发〔2004〕99号's has 24): a longer text is a body typed in the wrong box.
TITLE_MAX = 100
# The 正文 of a 公文 is short by rule (条例 §3 "简明扼要"); 100,000 characters is about 160 pages of
# 22 lines × 28 characters (GB/T 9704-2012 §5.2.2), far past any document and still printed (PDF
# preview) in well under a minute. Longer texts go as attachments (附件).
BODY_MAX = 100_000
# The 成文日期 (条例 §9 (十一)) of a document of the People's Republic: not before its founding
# (1949-10-01), and not more than a year ahead: a date later than that is a typing error.
WRITTEN_ON_EARLIEST = date(1949, 10, 1)
WRITTEN_ON_AHEAD_DAYS = 366


def title_check(value: str) -> str:
    """Return the 标题 ``value`` stripped.

    Raises:
        ValidationFailed: ``field: "title"``, ``rule: "required"`` when empty, ``rule:
            "max_length"`` when over ``TITLE_MAX`` (100) characters (GB/T 9704-2012 §7.3.1).
    """
    title = (value or "").strip()
    if not title:
        raise ValidationFailed(_("The title is required."), extra={"field": "title", "rule": "required"})
    if len(title) > TITLE_MAX:
        raise ValidationFailed(
            _("The title has %(n)d characters; a title of an official document has at most %(max)d "
              "(GB/T 9704-2012 §7.3.1).") % {"n": len(title), "max": TITLE_MAX},
            extra={"field": "title", "rule": "max_length", "max": TITLE_MAX})
    return title


def body_length_check(value: str) -> str:
    """Return the 正文 ``value`` (as typed) when it has at most ``BODY_MAX`` (100,000) characters.

    Raises:
        ValidationFailed: ``field: "body"``, ``rule: "max_length"``.
    """
    value = value or ""
    if len(value) > BODY_MAX:
        raise ValidationFailed(
            _("The body has %(n)d characters; at most %(max)d are accepted. Put long texts in attachments.")
            % {"n": len(value), "max": BODY_MAX}, extra={"field": "body", "rule": "max_length", "max": BODY_MAX})
    return value


def written_on_check(value: date | None, *, today: date) -> date | None:
    """Return the 成文日期 ``value`` (None: not set yet) when it lies between 1949-10-01 and
    ``WRITTEN_ON_AHEAD_DAYS`` (366) calendar days after ``today``.

    Raises:
        ValidationFailed: ``field: "written_on"``, ``rule: "range"``.
    """
    if value is None:
        return None
    latest = date.fromordinal(today.toordinal() + WRITTEN_ON_AHEAD_DAYS)
    if not WRITTEN_ON_EARLIEST <= value <= latest:
        raise ValidationFailed(
            _("The date written must lie between %(earliest)s and %(latest)s (at most a year ahead).")
            % {"earliest": WRITTEN_ON_EARLIEST.isoformat(), "latest": latest.isoformat()},
            extra={"field": "written_on", "rule": "range"})
    return value


def _next_role(target: str) -> Role | None:
    """The role that takes the step a document waits at in status ``target`` (the role of the
    first forward move of ``states.TRANSITIONS`` from it, as the BPMN step's ``role``), or None
    at the end (issued, withdrawn)."""
    for (start, _end), move in TRANSITIONS.items():
        if start == target and move.name not in ("withdraw", "return"):
            return move.role
    return None


def role_held_in(organization: Organization, role: Role) -> bool:
    """True when an active person holds ``role`` through a membership of ``organization`` itself
    (how ``orgs.permissions.has_role`` and the workflow's inbox find the holders of a step)."""
    return RoleAssignment.objects.filter(membership__organization=organization, role=role,
                                         membership__user__is_active=True).exists()


def next_step_holder_check(document: OfficialDocument, *, target: str) -> None:
    """Refuse to move ``document`` to ``target`` when nobody could take the step it would wait at:
    no active holder of that step's role in the issuing organization (送核稿 to an office without a
    核稿 person, the reviewer role), or, for 送会签, in a countersigning organization (the approver
    role). Without this the document would wait in nobody's inbox, with no warning.

    Raises:
        ValidationFailed: ``field: "to"``, ``rule: "no_holder"``, ``extra["role"]`` the missing role
            and ``extra["organization"]`` the organization's id; the message names both and the step.
    """
    role = _next_role(target)
    if role is None or target == Status.DRAFTING:
        return
    organizations = list(document.countersigners.filter(is_active=True).order_by("path")) \
        if target == Status.COUNTERSIGNING else [document.issuer]
    for organization in organizations:
        if not role_held_in(organization, role):
            raise ValidationFailed(
                _("Nobody in %(organization)s holds the role “%(role)s” that takes the next step (%(step)s): "
                  "ask its administrator to give someone that role, then take this step again.")
                % {"organization": organization.name, "role": role.label, "step": Status(target).label},
                extra={"field": "to", "rule": "no_holder", "role": role.value, "organization": organization.pk})
