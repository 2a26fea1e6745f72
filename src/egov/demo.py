"""Demo data: the Wuxi municipal government, its departments and districts, staff, a citizen, an
enterprise and the service catalogue, created through the same audited actions as real use.

Names of organizations are real (fixtures/demo_city.json); their USCCs are generated with valid
check characters and their 机关代字 are illustrative. Every demo account has the password
``DEMO_PASSWORD``; staff who must pass MFA get printed one-time backup codes.
"""

import json
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.actions import (
    account_verify_by_register,
    legal_person_register,
    natural_person_register,
    staff_backup_codes_issue,
    staff_user_create,
)
from egov.accounts.models import User
from egov.core.actors import SYSTEM
from egov.documents.actions import document_import
from egov.documents.importing import document_parse
from egov.documents.meetings import meeting_create, meeting_notice_send, meeting_reply
from egov.documents.supervision import deadline_in_working_days, supervision_item_create, supervision_report
from egov.exchange.demo import (
    demo_credit_check_grants_load,
    demo_information_resources_load,
    demo_once_only_grants_load,
    demo_sharing_load,
    demo_subscriptions_load,
)
from egov.orgs.actions import organization_create, position_create
from egov.orgs.models import Membership, Organization, Position
from egov.orgs.roles import MFA_REQUIRED_ROLES, Role
from egov.portal.demo import demo_disclosure_load
from egov.portal.demo_letters import demo_letters_load
from egov.portal.demo_pages import demo_pages_load
from egov.registries.actions import indicator_define, indicator_values_import, register_import
from egov.registries.models import EconomicIndicator, PopulationRecord
from egov.services.demo import demo_catalog_load, demo_licence_seals_load
from egov.trust.actions import ca_init, seal_create, seal_grant
from egov.trust.models import Seal
from egov.workflow.actions import process_definitions_install_shipped

DEMO_CITY = Path(__file__).parent / "fixtures" / "demo_city.json"
SEED_DOCUMENT = Path(__file__).parent / "fixtures" / "seed" / "wuxi-egov-guidance-2004.zh-hans.txt"
DEMO_PASSWORD = "egov-demo-2026"
DEMO_BACKUP_CODES = ["24681357", "13572468", "86421357", "75318642", "97531864"]

# (sign-in name, name, organization key, position, roles). Names may use any Unicode: 𠮷 is CJK Extension B.
DEMO_STAFF = [
    ("admin", "系统管理员", "wuxi", "系统管理员", [Role.OPERATOR]),
    ("auditor", "审计员周敏", "dept22", "审计员", [Role.AUDITOR]),
    ("clerk", "窗口受理员李娜", "dept25", "窗口工作人员", [Role.CLERK]),
    ("reviewer", "审查员王𠮷", "dept25", "审查科科员", [Role.REVIEWER]),
    ("approver", "审批科长陈刚", "dept25", "审批科科长", [Role.APPROVER]),
    ("docclerk", "文书刘芳", "dept2", "文书", [Role.DOCUMENT_CLERK]),
    ("leader", "副秘书长赵强", "dept2", "副秘书长", [Role.APPROVER]),
    # 核稿 of 市政府办公室's own documents: without it a draft sent for review waits in nobody's inbox.
    ("docreviewer", "秘书科科长许静", "dept2", "秘书科科长", [Role.REVIEWER]),
    ("steward", "数据管理员孙磊", "dept26", "数据管理员", [Role.DATA_STEWARD]),
    # 信用办 of 市发展改革委 (the credit office): objections, repair, credit reports (demo_credit_office_load).
    ("xinyong", "信用管理科科员顾信", "dept3", "信用管理科科员", [Role.CREDIT_OFFICER]),
    # 共享申请: the data stewards of a consumer (行政审批局) and a provider (公安局) of shared data.
    ("spjdata", "行政审批局数据管理员邓辉", "dept25", "数据管理员", [Role.DATA_STEWARD]),
    ("gajdata", "公安局数据管理员韩雪", "dept7", "数据管理员", [Role.DATA_STEWARD]),
    ("planner", "规划审查员吴昊", "dept12", "审查员", [Role.REVIEWER]),  # joint review (并联审查)
    ("ecologist", "环评审查员郑洁", "dept13", "审查员", [Role.REVIEWER]),
    # Official documents of the municipal government (发文): drafting, review (核稿), sign-off (签发).
    ("govclerk", "市政府文书吴静", "wuxi", "文书", [Role.DOCUMENT_CLERK]),
    ("govreviewer", "市政府秘书钱𠀀", "wuxi", "秘书", [Role.REVIEWER]),
    ("vicemayor", "副市长孙明", "wuxi", "副市长", [Role.APPROVER]),
    # 收文: the document clerks of three departments sign for the government's documents.
    ("fgwclerk", "发改委文书周洁", "dept3", "文书", [Role.DOCUMENT_CLERK]),
    ("czclerk", "财政局文书陈晨", "dept10", "文书", [Role.DOCUMENT_CLERK]),
    # The receiving side of a 公文 in 财政局: 拟办 (reviewer), 批办 (approver, MFA), 承办 (a staff member).
    ("czreviewer", "财政局办公室主任钱伟", "dept10", "办公室主任", [Role.REVIEWER]),
    ("czleader", "财政局副局长冯敏", "dept10", "副局长", [Role.APPROVER]),
    ("czstaff", "财政局预算处科员孙悦", "dept10", "预算处科员", [Role.REVIEWER]),
    ("sjclerk", "数据局文书郑好", "dept26", "文书", [Role.DOCUMENT_CLERK]),
    ("sjreviewer", "数据局办公室主任杨帆", "dept26", "办公室主任", [Role.REVIEWER]),  # its own 发文: 核稿
    ("sjleader", "数据局副局长唐宁", "dept26", "副局长", [Role.APPROVER]),  # and 签发
    # 依申请公开: the disclosure office of 财政局 (政府信息公开工作机构); its head approves extensions (MFA).
    ("gkofficer", "财政局信息公开专员林晓", "dept10", "政府信息公开科科员", [Role.DISCLOSURE_OFFICER]),
    ("gkhead", "财政局信息公开科科长何平", "dept10", "政府信息公开科科长",
     [Role.DISCLOSURE_OFFICER, Role.DISCLOSURE_HEAD]),
    # 市长信箱: the dispatcher of 市政府办公室 routes letters; handlers of 住建局 and 城管局 answer them.
    ("xxdispatcher", "市长信箱分办员周婷", "dept2", "督查科科员", [Role.LETTER_DISPATCHER]),
    ("zjhandler", "住建局来信承办员蒋磊", "dept14", "办公室科员", [Role.LETTER_HANDLER]),
    ("cghandler", "城管局来信承办员顾颖", "dept27", "办公室科员", [Role.LETTER_HANDLER]),
    # The portal's pages (issue 21): the municipal government's web editor drafts, its reviewer approves
    # (never a draft they last edited), in Wagtail's admin at /staff/cms/.
    ("webeditor", "市政府网站编辑蒋文", "wuxi", "网站编辑", [Role.WEB_EDITOR]),
    ("webreviewer", "市政府网站审核员沈清", "wuxi", "网站审核员", [Role.WEB_REVIEWER]),
]
DEMO_CITIZEN = {"id_number": "320213199003074514", "name": "张𠮷明", "phone": "13800000000",
                "email": "zhang.jiming@example.cn"}
# (organization name, seal kind, roles granted its use)
DEMO_SEALS = [
    ("无锡市人民政府", Seal.Kind.OFFICIAL, [Role.APPROVER, Role.DOCUMENT_CLERK]),
    ("无锡市人民政府办公室", Seal.Kind.DOCUMENT, [Role.DOCUMENT_CLERK, Role.APPROVER]),
    ("无锡市行政审批局", Seal.Kind.BUSINESS, [Role.APPROVER]),
    # 食品经营许可证 (新办, 延续) are issued by 市场监管局 under its 业务专用章.
    ("无锡市市场监督管理局", Seal.Kind.BUSINESS, [Role.APPROVER]),
    # Credit reports and batch checks carry the credit office's 业务专用章 (egov.credit.reports).
    ("无锡市发展和改革委员会", Seal.Kind.BUSINESS, [Role.CREDIT_OFFICER]),
]
DEMO_ENTERPRISE = {"uscc": "91320213MA1X2Y3W4U", "name": "无锡示范科技有限公司", "legal_representative": "王建国",
                   "phone": "13912340000"}


# role: (sign-in name suffix, position)
HALL_POSTS = {Role.CLERK: ("intake", "窗口工作人员"), Role.REVIEWER: ("reviewer", "审查员"),
              Role.APPROVER: ("approver", "审批科长")}


def demo_hall_staff(city: dict) -> list[tuple[str, str, str, str, list[Role]]]:
    """The windows of the organizations that own service items (``hall_staff`` of demo_city.json):
    for each, ``(sign-in name, name, organization key, position, roles)`` rows, as ``DEMO_STAFF``,
    of an intake clerk (``<prefix>intake``), a reviewer (``<prefix>reviewer``) and an approver
    (``<prefix>approver``)."""
    rows = []
    for window in city.get("hall_staff", []):
        for role, (suffix, title) in HALL_POSTS.items():
            rows.append((f"{window['prefix']}{suffix}", window[role.value], window["organization"], title, [role]))
    return rows


@dataclass
class DemoSignIns:
    """What the demo prints: ``(site, sign-in name, password, note)`` rows in ``rows`` (the public
    accounts) and, for staff, the same rows grouped by organization name in ``by_organization``
    (in the order of the organization tree)."""

    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    by_organization: dict[str, list[tuple[str, str, str, str]]] = field(default_factory=dict)


def demo_loaded() -> bool:
    """True when the demo city is in the database already."""
    return Organization.objects.filter(parent__isnull=True, name="无锡市人民政府").exists()


def _unpublished_password() -> str:
    """A random password that passes every password rule, replaced at once by ``_demo_password_set``."""
    return secrets.token_urlsafe(24)


def _demo_password_set(user: User) -> None:
    """Give a demo account the published ``DEMO_PASSWORD`` directly: the password rules refuse a
    published password (``egov.accounts.passwords.PublishedPasswordValidator``) for everyone who
    registers or is created through the actions, which is the point; the demo's people are the one
    exception, printed on the demo's sign-in sheet."""
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])


@transaction.atomic
def demo_load() -> DemoSignIns:
    """Load the demo city (idempotent: does nothing but list the sign-ins when it is there already)."""
    city = json.loads(DEMO_CITY.read_text(encoding="utf-8"))
    if not demo_loaded():
        by_key: dict[str, Organization] = {}
        for order, item in enumerate(city["organizations"]):
            by_key[item["key"]] = organization_create(
                actor=SYSTEM, name=item["name"], name_en=item["name_en"], short_name=item["short_name"],
                kind=item["kind"], division_code=item["division"], parent=by_key.get(item.get("parent")),
                uscc=item["uscc"], doc_code=item["doc_code"], sort_order=order,
            )
        for username, name, org_key, title, roles in [*DEMO_STAFF, *demo_hall_staff(city)]:
            organization = by_key[org_key]
            position = (Position.objects.filter(organization=organization, title=title).first()
                        or position_create(actor=SYSTEM, organization=organization, title=title))
            user = staff_user_create(actor=SYSTEM, username=username, name=name, password=_unpublished_password(),
                                     organization=organization, roles=roles, position=position)
            _demo_password_set(user)
            if username == "admin":
                User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
            if MFA_REQUIRED_ROLES & set(roles):
                staff_backup_codes_issue(actor=SYSTEM, user=user, codes=DEMO_BACKUP_CODES)
        citizen = natural_person_register(password=_unpublished_password(), **DEMO_CITIZEN)
        _demo_password_set(citizen.user)
        enterprise = legal_person_register(password=_unpublished_password(), agent=citizen, **DEMO_ENTERPRISE)
        _demo_password_set(enterprise.user)
        demo_meeting_and_supervision_load()
        # 政务公开 shows a real document from the first day: the guidance this platform follows.
        document_import(actor=SYSTEM, parsed=document_parse(SEED_DOCUMENT.read_bytes()), source_name=SEED_DOCUMENT.name,
                        publish=True)
    process_definitions_install_shipped(actor=SYSTEM)
    demo_catalog_load(organizations={item["key"]: Organization.objects.get(name=item["name"])
                                     for item in city["organizations"]})
    demo_trust_load()
    demo_licence_seals_load()
    demo_registers_load()
    # 实名认证 (issue 17): the demo's people are in the demo registers under their names, so the same check
    # as at registration verifies them, before their first request below (they registered before the
    # registers were loaded).
    for username in (DEMO_CITIZEN["id_number"], DEMO_ENTERPRISE["uscc"]):
        account_verify_by_register(user=User.objects.get(username=username))
    demo_disclosure_load(citizen_username=DEMO_CITIZEN["id_number"], officer_username="gkofficer")
    demo_letters_load(citizen_username=DEMO_CITIZEN["id_number"], dispatcher_username="xxdispatcher",
                      handlers={"无锡市住房和城乡建设局": "zjhandler", "无锡市城市管理局": "cghandler"})
    demo_economy_load()
    demo_information_resources_load()
    demo_sharing_load(steward_username="spjdata")
    demo_once_only_grants_load()
    demo_subscriptions_load()
    demo_credit_check_grants_load()
    demo_credit_office_load(city)
    demo_credit_load()
    demo_web_staff_load()
    demo_pages_load(editor_username="webeditor")
    signins = DemoSignIns()
    signins.rows.append(("public", DEMO_CITIZEN["id_number"], DEMO_PASSWORD, "citizen " + DEMO_CITIZEN["name"]))
    signins.rows.append(("public", DEMO_ENTERPRISE["uscc"], DEMO_PASSWORD, "enterprise " + DEMO_ENTERPRISE["name"]))
    staff = {username: (name, roles) for username, name, _org, _title, roles in [*DEMO_STAFF, *demo_hall_staff(city)]}
    memberships = (Membership.objects.filter(user__username__in=staff).select_related("user", "organization")
                   .order_by("organization__path", "user__pk"))
    for membership in memberships:
        username = membership.user.username
        name, roles = staff[username]
        note = ", ".join(str(role.label) for role in roles)
        if MFA_REQUIRED_ROLES & set(roles):
            note += "; " + demo_second_factor_note(user=membership.user)
        signins.by_organization.setdefault(membership.organization.name, []).append(
            ("staff", username, DEMO_PASSWORD, f"{name}: {note}"))
    return signins


def demo_web_staff_load() -> None:
    """The portal's web editor and reviewer (``DEMO_STAFF``) in a demo database made before them."""
    organization = Organization.objects.get(name="无锡市人民政府")
    for username, name, _org, title, roles in DEMO_STAFF:
        if Role.WEB_EDITOR not in roles and Role.WEB_REVIEWER not in roles:
            continue
        if User.objects.filter(username=username).exists():
            continue
        position = (Position.objects.filter(organization=organization, title=title).first()
                    or position_create(actor=SYSTEM, organization=organization, title=title))
        user = staff_user_create(actor=SYSTEM, username=username, name=name, password=_unpublished_password(),
                                 organization=organization, roles=roles, position=position)
        _demo_password_set(user)


DEMO_REGISTERS = Path(__file__).parent / "fixtures" / "demo_registers"


def demo_registers_load() -> None:
    """The population and legal-entity registers of the demo city (idempotent): the demo citizen and
    enterprise with the same ID number and USCC as their accounts, a few neighbours, one child whose
    ID carries 320202 (崇安区, abolished in 2015, before the birth date: flagged for review)."""
    if PopulationRecord.objects.exists():
        return
    for register, name in (("population", "population.csv"), ("legal_entity", "legal_entities.csv")):
        register_import(actor=SYSTEM, actor_label="egov demo", register=register,
                        content=(DEMO_REGISTERS / name).read_bytes(), file_name=name, source="无锡市数据局")
DEMO_ECONOMY = Path(__file__).parent / "fixtures" / "demo_economy"


def demo_economy_load() -> None:
    """The macro-economic database of the demo city (idempotent): three indicators and their yearly
    figures for 无锡市 and its districts, 2019–2024 (illustrative, not official: see the fixture's
    README)."""
    if EconomicIndicator.objects.exists():
        return
    for order, spec in enumerate(json.loads((DEMO_ECONOMY / "indicators.json").read_text(encoding="utf-8"))):
        indicator_define(actor=SYSTEM, sort_order=order, **spec)
    indicator_values_import(actor=SYSTEM, actor_label="egov demo", content=(DEMO_ECONOMY / "figures.csv").read_bytes(),
                            file_name="figures.csv", source="无锡市统计局")


def demo_second_factor_note(*, user: User) -> str:
    """What a demo staff member who must pass MFA signs in with, as printed by ``egov demo``.

    The backup codes left; or, when all are used and no authenticator is bound, a fresh set of
    ``DEMO_BACKUP_CODES`` issued now (audited, as ``staff_backup_codes_issue`` does), so that a
    demo approver is never locked out after five sign-ins; or, when codes are used up and an
    authenticator is bound, that authenticator. Fresh codes are issued only where ``EGOV_ENV`` is
    ``demo`` or ``test``, never in production.
    """
    unused = sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    if unused:
        return f"MFA backup codes left (one use each): {' '.join(unused)}"
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return "MFA: backup codes used up; use the authenticator you bound"
    if settings.EGOV_ENV not in ("demo", "test"):
        return "MFA: backup codes used up and no authenticator bound; an operator must issue new codes"
    staff_backup_codes_issue(actor=SYSTEM, user=user, codes=DEMO_BACKUP_CODES)
    return f"MFA backup codes issued anew (one use each): {' '.join(sorted(DEMO_BACKUP_CODES))}"


def demo_meeting_and_supervision_load() -> None:
    """A meeting of the municipal government next week (notice sent; 发改委 and 市政府办公室 replied,
    财政局 and 数据局 not yet) and a supervision item (督查督办) of the government office for 财政局
    from that meeting, 20 working days from today, with one progress report."""
    users = {name: User.objects.get(username=name) for name in ("govclerk", "docclerk", "fgwclerk", "czclerk")}
    by_code = {o.doc_code: o for o in Organization.objects.filter(doc_code__in=["锡发改", "锡财", "锡数据"])}
    government = Organization.objects.get(parent__isnull=True, name="无锡市人民政府")
    office = users["docclerk"].memberships.get().organization
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=7)
    meeting = meeting_create(
        actor=users["govclerk"], organizer=government, title="全市电子政务工作推进会", starts_at=start,
        ends_at=start + timedelta(hours=2), place="市政府第一会议室", reply_due=start - timedelta(days=2),
        notice="请各单位分管负责同志参会，并于回执截止前报送参会人员。",
        agenda=[("通报全市电子政务建设进展", "市数据局"), ("部署2027年电子政务重点工作", "副市长孙明")],
        invited=[(office, 1), (by_code["锡发改"], 2), (by_code["锡财"], 2), (by_code["锡数据"], 2)])
    meeting_notice_send(actor=users["govclerk"], meeting=meeting)
    for username, organization, people in (
        ("docclerk", office, [{"name": "刘芳", "position": "文书"}]),
        ("fgwclerk", by_code["锡发改"], [{"name": "周洁", "position": "办公室主任"}]),
    ):
        meeting_reply(actor=users[username], invitation=meeting.invitations.get(organization=organization),
                      attending=True, attendees=people)
    item = supervision_item_create(
        actor=users["docclerk"], supervisor=office, title="落实电子政务推进会部署：政务数据共享资金保障",
        requirement="财政局会同市数据局落实2027年政务数据共享平台建设资金，按月报送进展。",
        owner=by_code["锡财"], co_owners=[by_code["锡数据"]], deadline=deadline_in_working_days(20),
        source_meeting=meeting)
    supervision_report(actor=users["czclerk"], item=item, text="已将平台建设资金列入2027年预算草案。", percent=40)


def demo_trust_load() -> None:
    """Set up the platform CA (``ca_init`` is idempotent) and the demo seals that are missing."""
    ca_init(actor=SYSTEM)
    for name, kind, roles in DEMO_SEALS:
        organization = Organization.objects.get(name=name)
        if Seal.objects.filter(organization=organization, kind=kind, is_active=True).exists():
            continue
        seal = seal_create(actor=SYSTEM, organization=organization, kind=kind)
        for role in roles:
            seal_grant(actor=SYSTEM, seal=seal, role=role)


# The demo's credit records (issue 16): (source, kind, provider key, subject USCC, subject name, days before today
# decided, severity, decision document, legal basis, legal basis in English, facts, facts in English, measures,
# measures in English). Illustrative, not real decisions.
DEMO_CREDIT = [
    ("demo:licence:JY13202130000001", "licence", "dept23", DEMO_ENTERPRISE["uscc"], DEMO_ENTERPRISE["name"], 40, "",
     "JY13202130000001", "《中华人民共和国食品安全法》第三十五条", "Article 35 of the Food Safety Law",
     "准予许可：食品经营许可证（预包装食品销售）", "Licence granted: food business licence (sale of prepackaged food)",
     "", ""),
    ("demo:abnormal:1", "abnormal", "dept23", "91320214MA1Y001127", "无锡新吴精密机械有限公司", 45, "",
     "锡市监异〔2026〕7号", "《企业经营异常名录管理暂行办法》第八条",
     "Article 8 of the Interim Measures on the List of Abnormal Business Operations",
     "未按规定期限公示2025年度报告", "Its 2025 annual report not published in time",
     "在政府采购、工程招投标、国有土地出让、授予荣誉称号等工作中依法予以限制",
     "Restricted by law in government procurement, tendering, state land transfers and honours"),
    ("demo:penalty:1", "penalty", "dept23", "92320211MA1T00023W", "无锡市滨湖区湖畔小吃店", 20, "general",
     "锡市监罚〔2026〕15号", "《中华人民共和国食品安全法》第一百二十四条", "Article 124 of the Food Safety Law",
     "经营超过保质期的食品；警告，没收违法所得，罚款五千元", "Sold food past its shelf life; warning, illegal gains "
     "confiscated, fine of 5,000 yuan", "", ""),
    ("demo:red:1", "red", "dept8", "51320200MJ5500034D", "无锡市软件行业协会", 45, "",
     "锡民〔2026〕21号", "《社会组织信用信息管理办法》第十八条",
     "Article 18 of the Measures on Credit Information of Social Organizations", "评为诚信示范社会组织",
     "Named an exemplary trustworthy social organization", "在评估、政府购买服务和评优表彰中优先考虑",
     "Preferred in assessments, government purchase of services and honours"),
]


def demo_credit_load() -> None:
    """The demo city's credit records (idempotent, each once by its source): the 行政许可 records of the
    licences the demo enterprise holds (双公示, as the hall makes them) and one more its market regulator
    decided, a penalty of a shop, an enterprise on the 经营异常名录 and an association on the red list,
    both published after their objection windows (entered 30 days ago, published by the daily run of the day
    after each window closed). Needs the registers (``demo_registers_load``): subjects are matched there."""
    from egov.credit.actions import credit_daily, record_enter
    from egov.credit.models import CreditRecord
    from egov.services.models import Licence
    from egov.wiring import licence_to_credit

    # The wiring's listener of issued licences: a licence's 行政许可 record, once each.
    for licence in Licence.objects.filter(holder_uscc=DEMO_ENTERPRISE["uscc"]):
        licence_to_credit(sender=Licence, licence=licence)
    today = timezone.localdate()
    city = json.loads(DEMO_CITY.read_text(encoding="utf-8"))
    organizations = {item["key"]: item["name"] for item in city["organizations"]}
    for (source, kind, provider, code, name, days, severity, document, basis, basis_en, facts, facts_en, measures,
         measures_en) in DEMO_CREDIT:
        if CreditRecord.objects.filter(source_ref=source).exists():
            continue
        entered = today - timedelta(days=days - 2)  # entered two days after the decision
        record = record_enter(
            actor=SYSTEM, provider=Organization.objects.get(name=organizations[provider]), kind=kind,
            subject_kind="legal", subject_code=code, subject_name=name, legal_basis=basis, legal_basis_en=basis_en,
            decision_document=document, decided_on=today - timedelta(days=days), severity=severity, facts=facts,
            facts_en=facts_en, measures=measures, measures_en=measures_en, source_ref=source, today=entered)
        if record.objection_until is not None:
            credit_daily(today=record.objection_until + timedelta(days=1))
    demo_credit_requests_load(today=today)


def demo_pdf(text: str) -> bytes:
    """A one-page PDF 1.7 (ISO 32000-1 §7.5) showing one line of ASCII ``text`` in Helvetica, with its
    cross-reference table's offsets counted, so that any viewer opens it: the demo's supporting files."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def demo_credit_requests_load(*, today) -> None:
    """The demo enterprise's objection and credit repair (idempotent, each once): a 一般 penalty of
    市场监管局 decided 200 days ago and published two days later, whose repair the enterprise applied for 100
    days ago (after the 3 months' shortest period) with its rectification report, granted by the credit
    office 95 days ago (the record 已修复, off the public pages); and an objection filed two days ago, with a
    PDF, against the published 行政许可 record of its food business licence, awaiting the credit office
    (``xinyong``, or the platform when an older demo has no such account)."""
    from egov.credit.actions import record_enter, request_decide, request_file
    from egov.credit.models import CreditRecord, CreditRequest

    enterprise = User.objects.get(username=DEMO_ENTERPRISE["uscc"])
    office = User.objects.filter(username="xinyong").first() or SYSTEM
    market = Organization.objects.get(name="无锡市市场监督管理局")
    decided = today - timedelta(days=200)
    penalty = CreditRecord.objects.filter(source_ref="demo:penalty:2").first() or record_enter(
        actor=SYSTEM,
        provider=market,
        kind="penalty",
        subject_kind="legal",
        subject_code=DEMO_ENTERPRISE["uscc"],
        subject_name=DEMO_ENTERPRISE["name"],
        severity="general",
        decision_document=f"锡市监罚〔{decided.year}〕9号",
        decided_on=decided,
        legal_basis="《中华人民共和国广告法》第五十五条",
        legal_basis_en="Article 55 of the Advertising Law",
        facts="在网站发布含有虚假内容的广告；罚款一万元",
        facts_en="Published an advertisement with false claims on its website; fine of 10,000 yuan",
        source_ref="demo:penalty:2",
        today=decided + timedelta(days=2),
    )
    if not CreditRequest.objects.filter(record=penalty, kind="repair").exists():
        repair = request_file(
            actor=enterprise,
            record=penalty,
            kind="repair",
            today=today - timedelta(days=100),
            reason="已删除虚假广告并缴清罚款，已完成整改并作出信用承诺。",
            attachment=demo_pdf("Rectification report: advertisement removed, fine paid."),
        )
        request_decide(
            actor=office,
            request=repair,
            accept=True,
            today=today - timedelta(days=95),
            reasons="罚款已缴清，违法广告已删除，最短公示期已满，予以修复。",
        )
    licence = CreditRecord.objects.get(source_ref="demo:licence:JY13202130000001")
    if not CreditRequest.objects.filter(record=licence, kind="objection").exists():
        request_file(
            actor=enterprise,
            record=licence,
            kind="objection",
            today=today - timedelta(days=2),
            reason="公示的许可内容漏列“热食类食品制售”，请按许可证副本更正。",
            attachment=demo_pdf("Food business licence JY13202130000001, copy of the certificate."),
        )


def demo_credit_office_load(city: dict) -> None:
    """The credit office's demo credit officer (``xinyong`` of 市发展改革委) when a demo loaded before it
    existed lacks it (idempotent; a new demo makes it from ``DEMO_STAFF``). Its seal is in ``DEMO_SEALS``."""
    if User.objects.filter(username="xinyong").exists():
        return
    organizations = {item["key"]: item["name"] for item in city["organizations"]}
    username, name, org_key, title, roles = next(row for row in DEMO_STAFF if row[0] == "xinyong")
    organization = Organization.objects.get(name=organizations[org_key])
    position = (Position.objects.filter(organization=organization, title=title).first()
                or position_create(actor=SYSTEM, organization=organization, title=title))
    staff_user_create(actor=SYSTEM, username=username, name=name, password=DEMO_PASSWORD,
                      organization=organization, roles=roles, position=position)
