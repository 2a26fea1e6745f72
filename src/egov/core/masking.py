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

import unicodedata

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
