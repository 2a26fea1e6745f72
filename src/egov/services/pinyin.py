"""Pinyin of service items' names, so that a person who types ``gsdj`` or ``gongsi`` (on a phone
without Chinese input, or at a kiosk's letter keypad) finds 公司登记.

Each item stores its name's pinyin twice (``ServiceItem.name_pinyin``, ``name_initials``), worked
out when the item is saved (``ServiceItem.save``) and, for items saved before, by migration
``0012_name_pinyin``: the full pinyin without tones or spaces (公司登记 → ``gongsidengji``) and the
initials (``gsdj``). pypinyin reads phrases with their usual readings (银行 → ``yinhang``, not
``yinxing``). Letters and digits in the name (ICP, 2026) are kept as they are, lowercased, in both.
ü is written ``v`` (绿 → ``lv``), as on a keyboard.

A query is compared in the same form (``pinyin_query``): tone marks dropped (gōngsī → ``gongsi``),
ü as ``v``, spaces and apostrophes dropped (``gong si``, ``xi'an``), lowercase. An item matches
when its full pinyin or its initials begin with it (a prefix: an index on PostgreSQL,
``varchar_pattern_ops``).
"""

import re
import unicodedata

_ALNUM = re.compile(r"[^a-z0-9]+")
_OTHER = "\x00"
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# At least this many letters before pinyin is matched: one letter begins a tenth of the catalogue.
PINYIN_MIN_CHARS = 2
PINYIN_MAX_CHARS = 60


def name_pinyin(name: str) -> tuple[str, str]:
    """``(full, initials)`` of ``name``: 公司登记 → ``("gongsidengji", "gsdj")``; ICP许可 →
    ``("icpxuke", "icpxk")``; "" for a name without Chinese characters, letters or digits."""
    from pypinyin import Style, lazy_pinyin  # its dictionaries are large: loaded when first needed

    full, initials = [], []
    # Text that is not Chinese (ICP, 2026) comes back marked, so that it is kept whole in the initials.
    pieces = lazy_pinyin(unicodedata.normalize("NFKC", name or ""), style=Style.NORMAL, v_to_u=False,
                         errors=lambda text: [_OTHER + text])
    for piece in pieces:
        other = piece.startswith(_OTHER)
        letters = _ALNUM.sub("", piece.lower())
        if not letters:
            continue
        full.append(letters)
        initials.append(letters if other else letters[0])
    return "".join(full)[:1200], "".join(initials)[:400]


def pinyin_query(query: str) -> str:
    """``query`` in the stored form of pinyin (``gōng sī`` → ``gongsi``; ``lü`` → ``lv``), or "" when it
    is not pinyin (it holds a Chinese character) or is shorter than ``PINYIN_MIN_CHARS``."""
    text = unicodedata.normalize("NFKC", query or "").lower().replace("ü", "v").replace("u:", "v")
    if _HAN.search(text):
        return ""
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    letters = _ALNUM.sub("", text)[:PINYIN_MAX_CHARS]
    return letters if len(letters) >= PINYIN_MIN_CHARS else ""
