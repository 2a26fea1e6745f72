"""事项编码: the code of a service item in an implementation list (GB/T 39554.1-2020).

What the public description of GB/T 39554.1-2020 says (the standard's full text is sold, not
published): an item of the basic catalogue (基本目录) carries a *basic code* (基本编码) made of the
item-type code (事项类型代码), the main-item code (主项编码) and the sub-item code (子项编码); the
item as one body implements it (实施清单) carries an *implementation code* (实施编码) made of the
implementing body's unified social credit code (GB 32100-2015), the basic code and the code of the
business-handling item (业务办理项编码, for 新设/变更/延续/注销 and the like).

egov's layout of those parts (32 characters, no separators)::

    91320200MB1234567X 01 0000123 000 00
    └ USCC, 18 ──────┘ │  │       │   └ 业务办理项, 2 digits ("00": not a handling item)
                       │  │       └ 子项, 3 digits ("000": a main item)
                       │  └ 主项, 7 digits (not all zero)
                       └ 事项类型, 2 digits (``ITEM_TYPE_CODES``)

The widths of the basic-code parts and the item-type digits are egov's own assignment: the
standard's tables were not available to check them against, so they live here, in one place, to be
corrected when someone holding the standard compares them.
What is checked for certain: the USCC part (format and GB 32100 check character, through
``orgs.identifiers.uscc_check``) and that it is the implementing organization's own code.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from egov.core.errors import ValidationFailed
from egov.orgs.identifiers import uscc_check

# 事项类型 → its two digits in the basic code (egov's assignment; see the module docstring).
ITEM_TYPE_CODES = {
    "licensing": "01",  # 行政许可
    "levy": "04",  # 行政征收
    "payment": "05",  # 行政给付
    "confirmation": "07",  # 行政确认
    "award": "08",  # 行政奖励
    "adjudication": "09",  # 行政裁决
    "other_power": "10",  # 其他行政权力
    "public_service": "20",  # 公共服务
}

_CODE = re.compile(r"^(?P<uscc>[0-9A-Z]{18})(?P<type>\d{2})(?P<main>\d{7})(?P<sub>\d{3})(?P<handling>\d{2})$")


@dataclass(frozen=True)
class ItemCode:
    """A checked implementation code split into its parts (all strings of digits but ``uscc``)."""

    code: str
    uscc: str
    type_code: str
    main: str
    sub: str
    handling: str

    @property
    def basic_code(self) -> str:
        """基本编码: type + main item + sub-item, 12 digits."""
        return self.type_code + self.main + self.sub

    @property
    def level(self) -> str:
        """``"main"`` (主项), ``"sub"`` (子项) or ``"handling"`` (业务办理项)."""
        if self.handling != "00":
            return "handling"
        return "sub" if self.sub != "000" else "main"


def _fail(rule: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, extra={"field": "code", "rule": rule})


def item_code_compose(*, uscc: str, basic_code: str, handling: str = "00") -> str:
    """Join an implementing body's USCC, a 12-digit basic code and a 2-digit handling code.

    ``item_code_compose(uscc="11320200014000083F", basic_code="010000001000")`` gives
    ``"11320200014000083F01000000100000"``. Nothing is checked here: pass the result to
    ``item_code_check``.
    """
    return f"{uscc}{basic_code}{handling}"


def item_code_check(value: str, *, item_type: str, organization_uscc: str | None) -> ItemCode:
    """Check a service item's implementation code (事项编码) and split it.

    Args:
        value: the code; spaces around it are ignored, letters are read as upper case.
        item_type: the item's ``ServiceItem.ItemType`` value; the type digits must be its code.
        organization_uscc: the implementing organization's USCC, or None when it has none yet
            (then only the USCC part's own check character is verified).

    Returns:
        The ``ItemCode``.

    Raises:
        ValidationFailed: ``extra = {"field": "code", "rule": r}`` with ``r`` one of ``format``
            (not 18 + 14 characters as laid out above), ``uscc`` (the first 18 characters are not a
            valid USCC), ``organization`` (they are not the implementing organization's USCC),
            ``item_type`` (the type digits do not match ``item_type``), ``main_item`` (main-item
            digits all zero).
    """
    code = (value or "").strip().upper()
    match = _CODE.match(code)
    if match is None:
        raise _fail("format", _("A service item code is the implementing body's 18-character unified social "
                                "credit code followed by 14 digits."))
    try:
        uscc_check(match["uscc"], field="code")
    except ValidationFailed:
        raise _fail("uscc", _("The first 18 characters of the item code are not a valid unified social "
                              "credit code.")) from None
    if organization_uscc and match["uscc"] != organization_uscc:
        raise _fail("organization", _("The item code must begin with the implementing organization's unified "
                                      "social credit code %(uscc)s.") % {"uscc": organization_uscc})
    expected = ITEM_TYPE_CODES.get(item_type)
    if match["type"] != expected:
        raise _fail("item_type", _("Digits 19–20 of the item code are %(got)s; this item type needs %(want)s.")
                    % {"got": match["type"], "want": expected or "?"})
    if match["main"] == "0000000":
        raise _fail("main_item", _("The main-item part of the item code cannot be all zeros."))
    return ItemCode(code, match["uscc"], match["type"], match["main"], match["sub"], match["handling"])
