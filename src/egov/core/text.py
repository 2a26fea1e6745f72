"""The one check of free text that people type (names, reasons, notes, answers)."""

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

    Raises:
        ValidationFailed: ``extra = {"field": field, "rule": "required" | "max_length"}``.
    """
    text = (value or "").strip()
    if required and not text:
        message = required_message or (_("Please fill in %(label)s.") % {"label": label} if label
                                       else _("This field is required."))
        raise ValidationFailed(message, extra={"field": field, "rule": "required"})
    if len(text) > limit:
        message = (_("%(label)s is longer than %(limit)d characters.") % {"label": label, "limit": limit} if label
                   else _("The text is longer than %(n)d characters.") % {"n": limit})
        raise ValidationFailed(message, extra={"field": field, "rule": "max_length"})
    return text
