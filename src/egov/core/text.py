"""The one check of free text that people type (names, reasons, notes, answers)."""

import unicodedata

from django.utils.translation import gettext as _

from egov.core.errors import ValidationFailed


def text_clean(value: str | None, *, field: str, limit: int, required: bool = True, label: str = "",
               required_message: str = "") -> str:
    """``value`` without surrounding white space, checked.

    Args:
        field: the field's name in ``extra["field"]`` (``note``, ``materials.0.name``).
        limit: the most characters allowed.
        required: whether an empty text is refused.
        label: how the message names the field (translated, e.g. “the answer”); none: “this field”.
        required_message: a message of its own for an empty text (“Give the reasons.”).

    Text made only of white space and invisible characters (zero-width, other format and control
    characters: ``"\u200b"``) is empty: refused when required, ``""`` otherwise. Bidirectional
    controls (U+202A–202E, U+2066–2069: Unicode TR #9 explicit formatting, which reorder what a reader
    sees; TR #36 2.4) are refused anywhere in the text.

    Raises:
        ValidationFailed: ``extra = {"field": field, "rule": "required" | "max_length"}``, or for a
            bidirectional control ``{"field": field, "rule": "invalid", "character": "U+202E"}``.
    """
    text = (value or "").strip()
    if not any(_visible(char) for char in text):
        text = ""
    if required and not text:
        message = required_message or (_("Please fill in %(label)s.") % {"label": label} if label
                                       else _("This field is required."))
        raise ValidationFailed(message, extra={"field": field, "rule": "required"})
    if len(text) > limit:
        message = (_("%(label)s is longer than %(limit)d characters.") % {"label": label, "limit": limit} if label
                   else _("The text is longer than %(n)d characters.") % {"n": limit})
        raise ValidationFailed(message, extra={"field": field, "rule": "max_length"})
    for char in text:
        if char in _BIDI_EXPLICIT:
            code = f"U+{ord(char):04X}"
            raise ValidationFailed(
                _("The text contains a control character (%(code)s) that changes the order it reads in: "
                  "type it again without it.") % {"code": code},
                extra={"field": field, "rule": "invalid", "character": code},
            )
    return text


def _visible(char: str) -> bool:
    """Whether ``char`` shows as something: not white space, not a format, control or separator
    character (categories Cc, Cf, Cs, Zs, Zl, Zp)."""
    return not char.isspace() and unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"}


# Characters that make one name look like another or hide what it says (Unicode TR #9 explicit
# directional formatting; TR #36 "Unicode Security Considerations" 2.4 invisible characters):
# bidirectional overrides, embeddings and isolates, implicit marks, zero-width characters.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# The explicit embeddings, overrides and isolates (U+202A–202E, U+2066–2069), refused in any free text.
_BIDI_EXPLICIT = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def name_character_refused(text: str) -> str | None:
    """The first character of ``text`` that a name may not hold, or None.

    Refused: bidirectional controls (U+202A–202E, U+2066–2069, U+200E, U+200F, U+061C), zero-width
    characters (U+200B–200D, U+2060, U+FEFF), every other format character (category Cf, e.g. the
    soft hyphen U+00AD: written Chinese needs none), control characters (Cc, which include line
    breaks and tabs), line and paragraph separators (Zl, Zp) and lone surrogates (Cs).

    Welcome: every letter of every script, CJK unified ideographs of all extensions, including those
    this Python's Unicode tables (14.0) do not know yet (Extension H and later read as unassigned,
    Cn, and are kept), ideographic variation selectors (Mn) and private-use characters (Co), which
    older population registers use for rare characters of names (生僻字).
    """
    for char in text:
        if char in _BIDI_CONTROLS or char in _ZERO_WIDTH:
            return char
        if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Zl", "Zp"}:
            return char
    return None


def name_clean(value: str | None, *, field: str, limit: int = 200, label: str = "", required_message: str = "") -> str:
    """``value`` checked as a name a person or organization is known by (registered names,
    legal representatives, staff names, any display name a user sets): ``text_clean`` (required,
    at most ``limit`` characters, surrounding white space removed) and no character that
    ``name_character_refused`` refuses.

    Raises:
        ValidationFailed: ``extra = {"field": field, "rule": "required" | "max_length"}``, or for a
            refused character ``{"field": field, "rule": "invalid", "character": "U+202E"}`` (the
            first one, as a code point).
    """
    text = text_clean(value, field=field, limit=limit, label=label, required_message=required_message)
    char = name_character_refused(text)
    if char is not None:
        code = f"U+{ord(char):04X}"
        raise ValidationFailed(
            _(
                "The name contains an invisible or control character (%(code)s) that would make it look like "
                "another name: type it again without it."
            )
            % {"code": code},
            extra={"field": field, "rule": "invalid", "character": code},
        )
    return text
