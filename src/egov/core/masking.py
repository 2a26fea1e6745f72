"""Masking personal data for display to people who may not see it in full (外网公布, tracking).

The rules follow the usual practice of Chinese government disclosure (e.g. 政府信息公开 notices and
the display rules of GB/T 35273-2020 §A: show only what identifies the record, not the person):

- a person's name keeps its surname: ``张*``, ``张**``, ``欧阳**`` (复姓 from ``COMPOUND_SURNAMES``);
- a resident identity number (GB 11643-1999) keeps its first four characters (province and city
  of the address code) and the last four: ``1101**********002X`` (the form issue 15 gives for the
  registers' lists, used everywhere so that a number is masked one way);
- a mobile number keeps the 3-digit network prefix and the last four digits: ``138****0000``.

Characters are counted as user-perceived characters: a base character with its combining marks or
ideographic variation selector (U+E0100–U+E01EF) is one character, so ``𠮷`` (CJK Extension B,
outside the Basic Multilingual Plane) counts once and is never split.
"""

import re
import unicodedata
from collections.abc import Iterable

MASK = "*"

# 复姓: two-character surnames still in use (百家姓 and the 2020 census lists); a name that starts
# with one keeps both characters.
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
    "轩辕", "令狐", "钟离", "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠", "闾丘", "端木",
    "百里", "东郭", "南宫", "西门", "呼延", "万俟", "赫连", "拓跋", "独孤", "司空", "第五", "左丘", "公羊",
    "谷梁", "仲孙", "鲜于", "乐正", "漆雕", "壤驷", "司寇", "巫马", "梁丘", "段干", "羊舌",
})
# Separators inside a name that are not masked (the middle dot of transliterated names, spaces).
_SEPARATORS = frozenset({"·", "•", "‧", "・", " ", "\u3000"})


def _joins_previous(char: str) -> bool:
    code = ord(char)
    return (unicodedata.category(char) in ("Mn", "Me", "Mc") or 0xFE00 <= code <= 0xFE0F
            or 0xE0100 <= code <= 0xE01EF or code == 0x200D)


def graphemes(text: str) -> list[str]:
    """``text`` split into user-perceived characters (a base with its marks and variation selectors)."""
    out: list[str] = []
    for char in text:
        if out and _joins_previous(char):
            out[-1] += char
        else:
            out.append(char)
    return out


def mask_person_name(name: str) -> str:
    """The surname followed by one ``*`` per other character; separators are kept.

    ``张三`` → ``张*``, ``张𠮷明`` → ``张**``, ``欧阳修明`` → ``欧阳**``, ``欧阳`` → ``欧*``
    (a two-character name is a single surname and a given name), ``""`` → ``""``.
    """
    chars = graphemes((name or "").strip())
    if not chars:
        return ""
    keep = 2 if len(chars) > 2 and "".join(chars[:2]) in COMPOUND_SURNAMES else 1
    return "".join(chars[:keep]) + "".join(c if c in _SEPARATORS else MASK for c in chars[keep:])


def mask_id_number(number: str) -> str:
    """An 18-character resident identity number with its county code, birth date and the first
    sequence digits hidden: ``11010519491231002X`` → ``1101**********002X`` (4 kept, 10 hidden, 4
    kept). Other lengths keep their first and last quarter."""
    text = (number or "").strip().upper()
    if len(text) == 18:
        return text[:4] + MASK * 10 + text[14:]
    keep = len(text) // 4
    return text[:keep] + MASK * (len(text) - 2 * keep) + text[len(text) - keep:] if keep else MASK * len(text)


def mask_phone(phone: str) -> str:
    """An 11-digit mobile number keeps its prefix and last four digits: ``13800000000`` →
    ``138****0000``; other numbers keep only their last four digits."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if len(digits) == 11:
        return digits[:3] + MASK * 4 + digits[7:]
    if len(digits) <= 4:
        return MASK * len(digits)
    return MASK * (len(digits) - 4) + digits[-4:]


# Personal data in free text (a letter to the mayor and its answer, published): what the patterns
# below find is masked with the rules above. Resident IDs (GB 11643-1999: 17 digits and a check
# character; 15-digit ones of before 1999 too), mobile numbers (11 digits from 13–19), fixed-line
# numbers with an area code (0xx-xxxxxxxx), e-mail addresses; street addresses down to the house
# number (…路/街/巷/道 12号, …小区 3栋 2单元 501室); and people's names, found by jieba's part-of-speech
# tagger (``nr``, a personal name) and by a name after 我叫/本人/姓名, since a tagger misses some.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d(?:[- ]?\d){16}[- ]?[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d[-. ]?\d{4}[-. ]?\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)((?:[(（]0\d{2,3}[)）]|0\d{2,3})[- ]?\d{3,4}[- ]?\d{4})(?!\d)")
# Bank card numbers (GB/T 35273-2020 B.1: financial accounts are sensitive personal data).
_CARD = re.compile(r"(?<![0-9A-Za-z*])(\d{16,19})(?![0-9A-Za-z])")
# Car plates (GA 36-2018: the province's character, the issuing office's letter, 5 or 6 characters).
_PLATE = re.compile(r"([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼])([A-Z])"
                    r"([·•・ ]?[A-Z0-9]{5,6})(?![A-Za-z0-9])")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_ADDRESS = re.compile(
    r"[\u4e00-\u9fff]{1,12}(?:路|街|巷|大道|道|弄|村|小区|花园|新村|公寓|大厦)"
    r"(?:[\d一二三四五六七八九十百零〇]+(?:[-－—]\d+)*(?:号|弄|巷))?"
    r"(?:[\d一二三四五六七八九十]+(?:号楼|栋|幢|座|单元|楼|层|室|号|户))*"
    r"(?:[\d]+(?:室|号|户))?")
_HOUSE = re.compile(r"[\d一二三四五六七八九十百零〇]+(?:[-－—]\d+)*(?:号楼|栋|幢|座|单元|层|室|号|户)")
# Buildings, units and rooms wherever they are written (an estate without a road word, 阳光城3栋2单元501室;
# a lettered block, A座): the number or letter before 号楼/栋/幢/座/单元/室, and a bare room number after
# a building or unit (锦绣苑12幢301). Counts of households (200户) and 发文字号 (〔2024〕3号) are kept.
_ROOM_BEFORE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]|\d+(?:[-－—]\d+)*)(?=号楼|栋|幢|座|单元|室)")
_ROOM_AFTER = re.compile(r"(?<=号楼|单元)(\d+)(?![0-9])|(?<=[栋幢座])(\d+)(?![0-9])")
_NAME_AFTER = re.compile(
    r"(?:我叫|我是|本人|姓名[:：]?|联系人[:：]?)\s*([\u4e00-\u9fff]{2,4}?)(?=[，,。.\s、；;（(]|$)")


def _mask_address(match: "re.Match") -> str:
    """An address keeps its road or estate name and hides its numbers (house, building, unit, room):
    ``人民中路12号3栋501室`` → ``人民中路**号*栋***室``; a road without a number is no personal data."""
    text = match.group(0)
    if not _HOUSE.search(text):
        return text
    return re.sub(r"[\d一二三四五六七八九十百零〇]+(?:[-－—]\d+)*(?=号|弄|巷|栋|幢|座|单元|楼|层|室|户)",
                  lambda number: MASK * len(number.group(0)), text)


def _person_names(text: str) -> set[str]:
    import jieba.posseg  # noqa: PLC0415 - loads its dictionary on first use, only where needed

    names = {word for word, flag in jieba.posseg.lcut(text) if flag == "nr" and len(graphemes(word)) >= 2}
    names |= set(_NAME_AFTER.findall(text))
    return names


def mask_personal_data(text: str, *, known: Iterable[str] = ()) -> str:
    """``text`` with the personal data in it masked, for publication.

    Args:
        text: free text typed by people (a letter, an answer).
        known: values known to be personal data of the person concerned (their name, identity
            number, phone): masked wherever they occur, whatever the patterns find.

    Returns:
        The text with resident IDs as ``mask_id_number``, mobile numbers as ``mask_phone``,
        fixed-line numbers and e-mail addresses keeping their last four characters or their domain,
        addresses with a house number keeping their first two characters, and names keeping their
        surname (``mask_person_name``). ``我叫王小明，住在梁溪区人民中路12号3栋501室，电话13912345678`` →
        ``我叫王**，住在梁溪区人民中路**号*栋***室，电话139****5678``.
    """
    if not text:
        return ""
    out = text
    for value in known:
        value = (value or "").strip()
        if len(value) >= 2 and value in out:
            if value.isdigit() and len(value) == 11:
                masked = mask_phone(value)
            elif len(value) in (15, 18) and value[:-1].isdigit():
                masked = mask_id_number(value)
            else:
                masked = mask_person_name(value)
            out = out.replace(value, masked)
    out = out.translate(_FULLWIDTH_DIGITS)
    out = _ID_NUMBER.sub(lambda m: mask_id_number(re.sub(r"[- ]", "", m.group(1))), out)
    out = _CARD.sub(lambda m: MASK * (len(m.group(1)) - 4) + m.group(1)[-4:], out)
    out = _MOBILE.sub(lambda m: m.group(0).replace(m.group(1), mask_phone(m.group(1))), out)
    out = _LANDLINE.sub(lambda m: MASK * (len(m.group(1)) - 4) + m.group(1)[-4:], out)
    out = _PLATE.sub(lambda m: m.group(1) + m.group(2) + MASK * len(m.group(3)), out)
    out = _EMAIL.sub(lambda m: MASK * 3 + m.group(0)[m.group(0).index("@"):], out)
    out = _ADDRESS.sub(_mask_address, out)
    out = _ROOM_BEFORE.sub(lambda m: MASK * len(m.group(1)), out)
    out = _ROOM_AFTER.sub(lambda m: MASK * len(m.group(0)), out)
    for name in sorted(_person_names(out), key=len, reverse=True):
        if MASK not in name:
            out = out.replace(name, mask_person_name(name))
    return out
