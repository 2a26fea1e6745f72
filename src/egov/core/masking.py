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
# number (…路/街/巷/道 12号, …小区 3栋 2单元 501室); and people's names where the text says that a name
# is written (``_person_names``).
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


def _mask_address(match: "re.Match") -> str:
    """An address keeps its road or estate name and hides its numbers (house, building, unit, room):
    ``人民中路12号3栋501室`` → ``人民中路**号*栋***室``; a road without a number is no personal data."""
    text = match.group(0)
    if not _HOUSE.search(text):
        return text
    return re.sub(r"[\d一二三四五六七八九十百零〇]+(?:[-－—]\d+)*(?=号|弄|巷|栋|幢|座|单元|楼|层|室|户)",
                  lambda number: MASK * len(number.group(0)), text)


# Names in free text. A tagger alone cannot tell a name from a place: jieba tags 梁溪区, 高新区 and
# 王府井 as personal names (``nr``) when they stand alone, and any 2–3 characters after a character
# that can be a surname look like a name (梁 + 溪区). So a name is taken only where the text says one
# is written, and it must look like a Chinese name there: a surname (``SURNAMES``, 复姓 from
# ``COMPOUND_SURNAMES``) and one or two more characters.
#
# - after a word that introduces a name: 我叫, 名叫, 我的名字是/叫, 姓名, 联系人, 来信人, 投诉人, 举报人,
#   反映人, 当事人 (a colon may follow); the name runs to the next character that is not a Han
#   character (punctuation, a space, a digit, the end), or, when the text runs on (我叫李四住在…), it is
#   the word jieba reads there as a name;
# - after 我是, 本人, 本人是, which also introduce other things (我是一名教师, 我是梁溪区居民): only a
#   name that stands alone up to the next punctuation, space, digit or the end;
# - before a title (先生, 女士, 小姐, 同志, 老师, 师傅) or a greeting (您好, 你好): the one or two
#   characters after a surname, starting where a word starts (jieba's segmentation: in 梁溪区王先生
#   no name starts at 区, so only the surname 王 is left, and a surname alone with its title is no
#   personal data);
# - never a word ending like a place or an organization (``_PLACE_ENDINGS``: 梁溪区, 联系人：梁溪区城管局)
#   nor one that jieba reads as a place or an organization (``ns``, ``nt``) from its first character.
#
# - and anywhere, a word jieba's tagger reads as a personal name (``nr``: 我的邻居张伟…), unless it
#   ends like a place or an organization or such an ending follows it (梁溪区, 高新区, 梁溪路).
#
# Not found: a name the tagger does not read as one, written with nothing that says it is one —
# unless it is the writer's own name (``known``), which is masked wherever it stands as a name (not
# where its first character is inside another word: 高明 in 提高明显). Masked though
# not a name: a place the tagger reads as a name with no place ending (王府井 → 王**): the safe side.
# The dispatcher reads the masked copy before publishing (``letter_masked_copy``).

# 百家姓's single surnames and the common ones it lacks (付, 肖, 闫, 覃 …), from the 2020 census lists.
SURNAMES = frozenset(
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎"
    "鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄"
    "和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭"
    "梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚"
    "程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫"
    "宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴郁胥能苍双"
    "闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍郤璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容"
    "向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空"
    "曾毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公"
    "付肖闫覃佘兰邝冼揭粟庹矫戚岳帅缪区")
# The words that say "a name follows" (see above); ``_CUE_LOOSE``'s words introduce other things too.
_CUE_NAME = re.compile(r"(?:我叫|名叫|我的名字(?:是|叫)|姓名|联系人|来信人|投诉人|举报人|反映人|当事人)"
                       r"[ \t]*[:：]?[ \t]*")
_CUE_LOOSE = re.compile(r"(?:我是|本人是|本人)[ \t]*[:：]?[ \t]*")
# jieba's tags of one-character words that do not begin or end a name (verbs, prepositions,
# conjunctions, particles, pronouns, adverbs, numerals, measure words, localizers).
_NOT_IN_NAMES = frozenset({"v", "p", "c", "u", "uj", "ul", "uz", "ud", "ug", "uv", "r", "d", "m", "q", "f", "y", "zg"})
_TITLES = ("先生", "女士", "小姐", "同志", "老师", "师傅")
# A title, or the greeting an answer opens with (王小明您好): what precedes it may be a name.
_TITLE = re.compile(r"[ \t]?(?:先生|女士|小姐|同志|老师|师傅|您好|你好)")
# How places and organizations end (GB/T 2260's divisions, streets and estates, offices): never a name.
_PLACE_ENDINGS = ("区", "县", "市", "省", "州", "镇", "乡", "村", "街道", "路", "街", "巷", "小区", "社区",
                  "局", "委", "办", "院", "所", "公司", "中心")


def _is_han(char: str) -> bool:
    """A CJK unified ideograph (the basic block, extension A, extensions B–H)."""
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x323AF


def _surname_at(text: str, start: int) -> int:
    """The length of the surname at ``start`` (2 for a 复姓, 1), 0 when none starts there."""
    if text[start:start + 2] in COMPOUND_SURNAMES:
        return 2
    return 1 if text[start:start + 1] in SURNAMES else 0


class _Words:
    """jieba's reading of a text: where its words start and end, and how each is tagged."""

    def __init__(self, text: str):
        import jieba.posseg  # noqa: PLC0415 - loads its dictionary on first use, only where needed

        self.starts: dict[int, tuple[str, str]] = {}  # start → (word, tag)
        self.boundaries = {0}
        position = 0
        for word, flag in jieba.posseg.lcut(text):
            self.starts[position] = (word, flag)
            position += len(word)
            self.boundaries.add(position)

    def straddled(self, start: int, end: int) -> bool:
        """True when a word crosses ``start``, or starts inside ``start..end`` and runs past ``end``."""
        if start not in self.boundaries:
            return True
        return any(start < at < end and at + len(word) > end for at, (word, _tag) in self.starts.items())


def _looks_like_name(text: str, start: int, end: int, words: _Words, *, places_read: bool = True) -> bool:
    """``text[start:end]`` is a surname and one or two more Han characters, not ending like a place;
    with ``places_read``, not a word jieba reads as a place or an organization either."""
    name = text[start:end]
    surname = _surname_at(text, start)
    if not surname or not surname + 1 <= len(name) <= surname + 2 or not all(_is_han(c) for c in name):
        return False
    if name.endswith(_PLACE_ENDINGS) or name.endswith(_TITLES):  # 王先生 is a surname and a title
        return False
    first = words.starts.get(start)
    return not (places_read and first is not None and first[1] in ("ns", "nt"))


def _name_after_cue(text: str, start: int, words: _Words, *, loose: bool) -> str:
    """The name introduced at ``start`` (just after the cue), or ""."""
    surname = _surname_at(text, start)
    if not surname:
        return ""
    end = start
    while end < len(text) and end - start <= surname + 2 and _is_han(text[end]):
        end += 1
    if end - start <= surname + 2 and _looks_like_name(text, start, end, words, places_read=loose):
        return text[start:end]  # stands alone up to punctuation, a space, a digit or the end
    if loose:
        return ""
    word, flag = words.starts.get(start, ("", ""))
    following, tag = words.starts.get(start + len(word), ("", ""))
    if len(word) == surname or (flag == "nr" and len(word) == surname + 1 and len(following) == 1
                                and tag not in _NOT_IN_NAMES):
        word += following  # jieba split a rarer name: 赵|大宝, 司马光|明
    elif flag != "nr":
        return ""
    return word if _looks_like_name(text, start, start + len(word), words) else ""


def person_names(text: str) -> set[str]:
    """The people's names ``text`` says it contains (the rules above ``SURNAMES``), unmasked, e.g.
    ``{"李四"}`` for ``我叫李四，住在滨湖区``. A caller masking several texts about one matter (a letter
    and its answer) passes them to ``mask_personal_data(known=...)`` of each."""
    return _person_names(text)


def _person_names(text: str) -> set[str]:
    """The names ``text`` says it contains (the rules above)."""
    words = _Words(text)
    names = set()
    for cue, loose in ((_CUE_NAME, False), (_CUE_LOOSE, True)):
        for match in cue.finditer(text):
            name = _name_after_cue(text, match.end(), words, loose=loose)
            if name:
                names.add(name)
    for match in _TITLE.finditer(text):
        names.add(_name_before_title(text, match.start(), words))
    # jieba's personal-name tag (``nr``) anywhere: a name with nothing around it that says it is one
    # (我的邻居张伟…, 社区主任陈红…, 阿依古丽). The tagger also tags places (梁溪区, 高新区, 梁溪路, 钱桥村):
    # a word ending like a place or an organization, or followed by such an ending (新|吴|区), is kept,
    # and so is a surname with its title read as one word (王先生).
    # Masking too much is the safe side: what the tagger alone takes for a name is masked.
    for start, (word, flag) in words.starts.items():
        if (flag == "nr" and len(graphemes(word)) >= 2 and not word.endswith(_PLACE_ENDINGS + _TITLES)
                and not text.startswith(_PLACE_ENDINGS, start + len(word))):
            names.add(word)
    names.discard("")
    return names


def _name_before_title(text: str, end: int, words: _Words) -> str:
    """The name just before a title at ``end``: the word jieba reads as a name there (和|李四|同志),
    else the longest surname-and-given-name that starts a word and not with a particle (欧阳修|明)."""
    for start, (word, flag) in words.starts.items():
        if start + len(word) == end and flag == "nr" and _looks_like_name(text, start, end, words):
            return word
    for length in (4, 3, 2):
        start = end - length
        if start < 0 or words.straddled(start, end):
            continue
        first, tag = words.starts[start]
        if len(first) == 1 and tag in _NOT_IN_NAMES:
            continue  # 向|李|… : a preposition, not a surname
        if _looks_like_name(text, start, end, words):
            return text[start:end]
    return ""


def mask_personal_data(text: str, *, known: Iterable[str] = ()) -> str:
    """``text`` with the personal data in it masked, for publication.

    Args:
        text: free text typed by people (a letter, an answer).
        known: values known to be personal data of the person concerned (their name, identity
            number, phone): masked wherever they occur (a name where it stands as one), whatever
            the patterns find.

    Returns:
        The text with resident IDs as ``mask_id_number``, mobile numbers as ``mask_phone``,
        fixed-line numbers and bank cards keeping their last four digits, e-mail addresses their
        domain, car plates their province and letter, addresses with a house number their road or
        estate (the numbers hidden), and names their surname (``mask_person_name``).

    Names masked: the ``known`` ones wherever they stand as a name (not inside another word:
    ``高明`` in ``提高明显`` is kept; ``_mask_names``), those the text says are names (after
    我叫, 名叫, 姓名, 联系人, 来信人, 投诉人 …; after 我是/本人 when the name stands alone; before 先生, 女士,
    同志 …) and those jieba's tagger reads as names (邻居张伟), then wherever else they stand as a
    name in the text. Not masked: places, organizations and ordinary words (梁溪区, 江阴市, 市民中心,
    联系人：梁溪区城管局, 我是一名教师) and a surname with a title alone (王先生) (the module's notes
    above ``SURNAMES``).

    Examples (worked by hand): ``我叫王小明，住在梁溪区人民中路12号3栋501室，电话13912345678`` →
    ``我叫王**，住在梁溪区人民中路**号*栋***室，电话139****5678``; ``张三 先生反映梁溪区市民中心`` →
    ``张* 先生反映梁溪区市民中心``; ``联系人：王五`` → ``联系人：王*``.
    """
    if not text:
        return ""
    out = text
    names = []
    for value in known:
        value = (value or "").strip()
        if len(value) >= 2 and value in out:
            if value.isdigit() and len(value) == 11:
                out = out.replace(value, mask_phone(value))
            elif len(value) in (15, 18) and value[:-1].isdigit():
                out = out.replace(value, mask_id_number(value))
            else:
                names.append(value)
    out = _mask_names(out, names)
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
    return _mask_names(out, [name for name in _person_names(out) if MASK not in name])


def _mask_names(text: str, names: Iterable[str]) -> str:
    """``text`` with each of ``names`` masked (``mask_person_name``) where it stands as a name: not
    where its first character is inside a word jieba reads there (我叫高明 masks 高明 in 高明您好 but
    not in 提高明显, read 提高|明显). A name's end may run into the next word (张伟大声说 is read
    张|伟大|声|说, 王五一起 王|五一|起): it is masked there, the safe side. Longest names first; an
    occurrence inside one already masked is left."""
    names = sorted({name for name in names if name and name in text}, key=len, reverse=True)
    if not names:
        return text
    words = _Words(text)
    taken = [False] * len(text)
    spans = []
    for name in names:
        at = text.find(name)
        while at != -1:
            end = at + len(name)
            if at in words.boundaries and not any(taken[at:end]):
                spans.append((at, end))
                taken[at:end] = [True] * len(name)
            at = text.find(name, at + 1)
    out = text
    for at, end in sorted(spans, reverse=True):
        out = out[:at] + mask_person_name(out[at:end]) + out[end:]
    return out
