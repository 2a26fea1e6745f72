from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a staff member may do within one organization (deny by default: no role, no action)."""

    CLERK = "clerk", _("Intake clerk")  # 窗口受理
    REVIEWER = "reviewer", _("Reviewer")  # 审查
    APPROVER = "approver", _("Approver / signatory")  # 审批/签发
    DOCUMENT_CLERK = "document_clerk", _("Document clerk")  # 文书
    DATA_STEWARD = "data_steward", _("Data steward")  # 数据管理员
    CREDIT_OFFICER = "credit_officer", _("Credit officer")  # 信用管理员
    AUDITOR = "auditor", _("Auditor")  # 审计员
    OPERATOR = "operator", _("Operator")  # 运维管理员
    # 政府信息公开工作机构 (《政府信息公开条例》(2019) 第四条、第二十八条): handles 依申请公开 requests.
    DISCLOSURE_OFFICER = "disclosure_officer", _("Disclosure officer")  # 政府信息公开工作人员
    # Its head approves extending a request's answer period (第三十三条第二款).
    DISCLOSURE_HEAD = "disclosure_head", _("Head of the disclosure office")  # 政府信息公开工作机构负责人
    # 市长信箱 / 12345: the dispatcher (分办员, at 市政府办公室) routes letters to organizations and
    # approves their publication; a handler (承办员) of the organization a letter is routed to answers it.
    LETTER_DISPATCHER = "letter_dispatcher", _("Letter dispatcher")  # 市长信箱分办员
    LETTER_HANDLER = "letter_handler", _("Letter handler")  # 来信承办员
    # The portal's pages (门户网站, egov.portal.pages): an editor drafts the organization's pages, a
    # content reviewer approves them for publication (never a draft they last edited themselves).
    WEB_EDITOR = "web_editor", _("Web editor")  # 网站编辑
    WEB_REVIEWER = "web_reviewer", _("Web content reviewer")  # 网站内容审核


# Roles whose holders approve, sign or administer: their sessions must pass TOTP (django-otp).
MFA_REQUIRED_ROLES = frozenset({Role.APPROVER, Role.OPERATOR, Role.DISCLOSURE_HEAD})
