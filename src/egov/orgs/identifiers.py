"""Checks of the identifiers that carry a GB/T 2260 division code.

Checksums come from python-stdnum; places are checked against our own GB/T 2260 history
(``Division``), because stdnum's table stops in 2014 and would refuse 320213 梁溪区.
Every failure raises ``ValidationFailed`` whose ``extra`` names the field and the rule.
"""

import datetime
import re
import unicodedata
from collections.abc import Container
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc

from egov.core.errors import ValidationFailed
from egov.orgs.models import Division

# [0-9], not \d: \d also matches full-width and other Unicode digits, which int() then accepts.
_RIC = re.compile(r"^[0-9]{17}[0-9X]$")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# GB 32100-2015 §4.1 表1 (with its amendments adding A and N) 统一社会信用代码中登记管理部门代码和机构类别代码:
# the first character names the registration authority (登记管理部门), the second the kind of organization
# (机构类别) that authority registers. A pair outside this table is never issued (e.g. 94: 工商 registers
# no type 4; Y 其他 does not divide further and always uses 1). The one table of the platform: registration,
# register imports, credit and the form schema all check through ``uscc_check``.
USCC_AUTHORITY_TYPES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},  # 机构编制
    "2": {"1": "外国常驻新闻机构", "9": "其他"},  # 外交
    "3": {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构", "5": "仲裁委员会",
          "9": "其他"},  # 司法行政
    "4": {"1": "外国在华文化中心", "9": "其他"},  # 文化
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},  # 民政
    "6": {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},  # 旅游
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},  # 宗教
    "8": {"1": "基层工会", "9": "其他"},  # 工会
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},  # 工商 (市场监管)
    "A": {"1": "军队事业单位", "9": "其他"},  # 中央军委改革和编制办公室
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},  # 农业
    "Y": {"1": "其他"},  # 其他: not divided further, always 1
}
USCC_AUTHORITY_NAMES: dict[str, str] = {
    "1": "机构编制", "2": "外交", "3": "司法行政", "4": "文化", "5": "民政", "6": "旅游", "7": "宗教", "8": "工会",
    "9": "工商", "A": "中央军委改革和编制办公室", "N": "农业", "Y": "其他",
}
_USCC_AUTHORITIES = "".join(USCC_AUTHORITY_TYPES)  # "123456789ANY"
_USCC = re.compile(rf"^[{_USCC_ALPHABET}]{{2}}[0-9]{{6}}[{_USCC_ALPHABET}]{{10}}$")


@dataclass(frozen=True)
class ResidentId:
    """A checked resident identity number: ``number`` (18 characters, X upper case),
    ``division_code`` (6 digits, as printed), ``birth_date``, ``sex`` (``"M"`` or ``"F"``)."""

    number: str
    division_code: str
    birth_date: datetime.date
    sex: str


def _fail(field: str, rule: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, extra={"field": field, "rule": rule})


def _as_typed(value: str) -> str:
    """Undo what input methods and copies add: full-width characters (１２３, Ｘ) become ASCII (NFKC),
    spaces and hyphens between groups go, letters become capitals. Digits of other scripts stay as
    they are, so the ``format`` rule refuses them."""
    if value.isascii() and value.isalnum():  # nothing for NFKC or the pattern to change: bulk imports' path
        return value.upper()
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value or "")).upper()


def identifier_as_typed(value: str) -> str:
    """An ID number or USCC as it is stored, from how it was typed (full-width, spaces, hyphens,
    lowercase letters): the normalization the checks below apply first. Checks nothing."""
    return _as_typed(value)


def division_code_known(code: str, known: Container[str] | None = None) -> bool:
    """True when ``code`` was a GB/T 2260 code in any year since 1981 (in use now or not).

    ``known``: the set of every code ever used, given by bulk callers
    (register imports) so that a million rows do not make a million queries; None asks the table.
    """
    if known is not None:
        return code in known
    return Division.objects.filter(code=code).exists()



def resident_id_check(value: str, *, field: str = "id_number", today: datetime.date | None = None,
                      division_codes: Container[str] | None = None) -> ResidentId:
    """Check an 18-character resident identity number (GB 11643-1999).

    The number is read as typed: full-width digits, spaces and hyphens between groups are accepted.
    Rules, in order: ``format`` (17 digits then a digit or X; a lowercase x is read as X),
    ``check_character`` (ISO 7064 MOD 11-2, GB 11643-1999 §8.2), ``birth_date`` (a real date,
    not after ``today``, not before 1880), ``division_code`` (the first six digits were a
    GB/T 2260 code in some year: an old code such as 320202 崇安区 still resolves).

    ``division_codes``: every code ever used, for bulk callers (register imports); None
    asks the ``Division`` table.

    Raises:
        ValidationFailed: ``extra = {"field": field, "rule": <rule>}``.
    """
    number = _as_typed(value)
    if not _RIC.match(number):
        raise _fail(field, "format", _("An ID number is 17 digits followed by a digit or X."))
    if ric.calc_check_digit(number) != number[17]:  # stdnum takes the full 18 characters
        raise _fail(field, "check_character", _("The check character (last character) of this ID number is wrong."))
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise _fail(field, "birth_date", _("The birth date in this ID number is not a real date.")) from None
    today = today or timezone.localdate()
    if birth > today or birth.year < 1880:
        raise _fail(field, "birth_date", _("The birth date in this ID number is impossible."))
    if not division_code_known(number[:6], division_codes):
        raise _fail(
            field, "division_code", _("The address code %(code)s was never a GB/T 2260 division code.") % {
                "code": number[:6]}
        )
    return ResidentId(number, number[:6], birth, "M" if int(number[16]) % 2 else "F")


def uscc_authority_type_allowed(code: str) -> bool:
    """True when the first two characters of ``code`` (登记管理部门代码, 机构类别代码) are a pair of
    GB 32100-2015 Table 1 (``USCC_AUTHORITY_TYPES``). ``code``: upper case, as ``uscc_check`` returns it."""
    return code[1:2] in USCC_AUTHORITY_TYPES.get(code[:1], {})


def uscc_check(value: str, *, field: str = "uscc", division_codes: Container[str] | None = None) -> str:
    """Check a unified social credit code (GB 32100-2015) and return it normalized (upper case).

    The code is read as typed (full-width characters, spaces and hyphens accepted). Rules, in order:
    ``format`` (§4.1: 18 characters of 0-9 and A–Y without I, O, S, V, Z; characters 3–8 digits),
    ``registration_authority`` (the first character is a 登记管理部门代码 of GB 32100-2015 Table 1:
    1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 市场监管 (工商), A 中央军委改革和
    编制办公室, N 农业, Y 其他),
    ``check_character`` (§4.2 and Annex: weights 3^(i-1) mod 31, check = 31 − Σ mod 31; via stdnum),
    ``authority_type_pair`` (Table 1: the second character, 机构类别代码, is one that the first character's
    authority issues, ``USCC_AUTHORITY_TYPES``; 9 工商 issues only 1 企业, 2 个体工商户, 3 农民专业合作社, Y
    only 1. This is what tells most resident ID numbers that happen to satisfy the checksum from codes:
    14…, 22…, 37… or 44… are no pair), ``division_code`` (characters 3–8 were a GB/T 2260 code in some
    year; stdnum does not check this). ``division_codes`` as in ``resident_id_check``.

    Raises:
        ValidationFailed: ``extra = {"field": field, "rule": <rule>}``.
    """
    code = _as_typed(value)
    if not _USCC.match(code):
        raise _fail(field, "format", _("A unified social credit code is 18 characters: digits and capital letters "
                                        "except I, O, S, V and Z."))
    if code[0] not in _USCC_AUTHORITIES:
        raise _fail(field, "registration_authority",
                    _("The first character %(char)s is not a registration authority code (1–9, A, N or Y).")
                    % {"char": code[0]})
    if uscc.calc_check_digit(code[:17]) != code[17]:
        raise _fail(field, "check_character", _("The check character (last character) of this code is wrong."))
    if not uscc_authority_type_allowed(code):
        types = USCC_AUTHORITY_TYPES[code[0]]
        raise _fail(field, "authority_type_pair", _(
            "The type character %(type)s is not one that registration authority %(authority)s (%(name)s) issues; "
            "it issues %(types)s (GB 32100-2015 Table 1).") % {
                "type": code[1], "authority": code[0], "name": USCC_AUTHORITY_NAMES[code[0]],
                "types": "、".join(f"{key} {name}" for key, name in types.items())})
    if not division_code_known(code[2:8], division_codes):
        raise _fail(
            field, "division_code", _("The division code %(code)s was never a GB/T 2260 division code.") % {
                "code": code[2:8]}
        )
    return code
