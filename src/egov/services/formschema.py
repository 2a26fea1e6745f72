"""Application forms described by JSON Schema (draft 2020-12): check, validate, render, parse.

The subset egov supports is one object of flat fields::

    {"type": "object",
     "properties": {"<name>": {"type": "string" | "integer" | "number" | "boolean",
                               "title": "中文标题", "description": "…",
                               "title_en": "English title", "description_en": "…",
                               "enum": [...] | "oneOf": [{"const": v, "title": "…", "title_en": "…"}, ...],
                               "format": "date" | "email" | "cn-resident-id" | "cn-uscc",
                               "pattern": "…",
                               "minLength", "maxLength", "minimum", "maximum",
                               "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
                               "const": true (a box that must be ticked), "default",
                               "register": "<信息项>"}},
     "required": [...], "additionalProperties": false, "x-order": [...]}

``register`` names the 信息项 of the applicant's own base-register row (``services.once_only``) that
fills the field, e.g. ``"name"`` or ``"uscc"``: when the platform holds that row, the field shows the
register's value, not editable, and the server stores the register's value whatever was sent.
``title_en``/``description_en`` are the English texts (``egov.core.i18n``), shown on English pages.
``x-order`` lists the property names in display order: PostgreSQL's ``jsonb`` does not keep the
order of object keys, so ``form_schema_check`` records it. Names are ``[a-z][a-z0-9_]*``.
``cn-resident-id`` and ``cn-uscc`` check a resident identity number (GB 11643-1999) and a unified
social credit code (GB 32100-2015) in full, check characters included (``egov.orgs.identifiers``).
Validation is the ``jsonschema`` library's (Draft202012Validator with its format checker); this
module turns its errors into messages for people and into ``ValidationFailed`` naming the field
as ``form.<name>`` and the failed keyword as the rule.
"""

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from egov.core.errors import ValidationFailed
from egov.core.i18n import pick_key
from egov.orgs.identifiers import resident_id_check, uscc_check

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
# The bound of every number field, whatever its schema says or leaves out: 10^15 either way (an
# integer still exact in a double, far beyond any area, sum or count a form asks for), so that a
# schema without "maximum" does not store 1e308 or a 400-digit integer.
FORM_NUMBER_LIMIT = 10**15
_TYPES = {"string", "integer", "number", "boolean"}
_FORMATS = {"date", "email"}  # each with its own input widget
_IDENTIFIER_FORMATS = {"cn-resident-id": resident_id_check, "cn-uscc": uscc_check}
_ALL_FORMATS = _FORMATS | set(_IDENTIFIER_FORMATS)
_FORMAT_CHECKER = FormatChecker()
for _name, _check in _IDENTIFIER_FORMATS.items():
    _FORMAT_CHECKER.checks(_name, raises=ValidationFailed)(lambda value, _check=_check: (
        not isinstance(value, str) or bool(_check(value))))
_TOP_KEYWORDS = {"$schema", "$id", "type", "title", "description", "properties", "required",
                 "additionalProperties", "x-order"}
_FIELD_KEYWORDS = {"type", "title", "description", "enum", "oneOf", "format", "pattern", "minLength", "maxLength",
                   "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "const", "default",
                   "examples", "title_en", "description_en", "after", "register"}
_TEXTAREA_FROM = 100  # strings allowed longer than this many characters get a multi-line box
_INTEGER = re.compile(r"^[+-]?\d+$")


def _schema_error(message: str, path: str, rule: str) -> ValidationFailed:
    return ValidationFailed(message, extra={"field": path, "rule": rule})


def form_schema_check(schema: dict) -> dict:
    """Check that ``schema`` is valid draft 2020-12 and inside the supported subset.

    Returns:
        A copy with ``x-order`` filled in from the order of ``properties`` when it was missing
        (``{}`` stays ``{}``: an item without a form).

    Raises:
        ValidationFailed: ``extra["field"]`` is ``form_schema`` or ``form_schema.properties.<name>``;
            rules: ``json_schema`` (not a valid schema), ``unsupported`` (outside the subset),
            ``title`` (a field without a title), ``order`` (``x-order`` is not the field names).
    """
    if schema in (None, {}):
        return {}
    if not isinstance(schema, dict):
        raise _schema_error(_("The form must be a JSON object."), "form_schema", "json_schema")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise _schema_error(_("The form is not a valid JSON Schema: %(reason)s") % {"reason": error.message},
                            "form_schema", "json_schema") from None
    unknown = sorted(set(schema) - _TOP_KEYWORDS)
    if schema.get("type") != "object" or unknown:
        raise _schema_error(_("A form is one object of fields; unsupported: %(what)s")
                            % {"what": ", ".join(unknown) or "type"}, "form_schema", "unsupported")
    properties = schema.get("properties") or {}
    for name, field in properties.items():
        path = f"form_schema.properties.{name}"
        if not _NAME.match(name):
            raise _schema_error(_("Field names are lower-case letters, digits and _: %(name)s") % {"name": name},
                                path, "unsupported")
        extra_keywords = sorted(set(field) - _FIELD_KEYWORDS)
        if field.get("type") not in _TYPES or extra_keywords or field.get("format", "date") not in _ALL_FORMATS:
            raise _schema_error(_("Field %(name)s uses what forms do not support: %(what)s")
                                % {"name": name, "what": ", ".join(extra_keywords) or "type/format"},
                                path, "unsupported")
        if "oneOf" in field and not all(isinstance(o, dict) and set(o) - {"title_en"} == {"const", "title"}
                                        for o in field["oneOf"]):
            raise _schema_error(_("Field %(name)s: each choice is {\"const\", \"title\"}.") % {"name": name},
                                path, "unsupported")
        if not str(field.get("title", "")).strip():
            raise _schema_error(_("Field %(name)s needs a title.") % {"name": name}, path, "title")
        for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if keyword in field and not (isinstance(field[keyword], int | float)
                                         and math.isfinite(field[keyword]) and not isinstance(field[keyword], bool)):
                raise _schema_error(_("Field %(name)s: %(keyword)s must be a finite number.")
                                    % {"name": name, "keyword": keyword}, path, "unsupported")
        if "register" in field and not (isinstance(field["register"], str) and _NAME.match(field["register"])):
            raise _schema_error(_("Field %(name)s: \"register\" names an item of the register, e.g. name.")
                                % {"name": name}, path, "unsupported")
        if "after" in field:
            other = properties.get(field["after"]) if isinstance(field["after"], str) else None
            if field.get("format") != "date" or not other or other.get("format") != "date" or field["after"] == name:
                raise _schema_error(_("Field %(name)s: \"after\" names another date field of the form.")
                                    % {"name": name}, path, "unsupported")
    missing = [name for name in schema.get("required", []) if name not in properties]
    if missing:
        raise _schema_error(_("Required fields that do not exist: %(names)s") % {"names": ", ".join(missing)},
                            "form_schema", "unsupported")
    checked = dict(schema)
    order = checked.setdefault("x-order", list(properties))
    if sorted(order) != sorted(properties):
        raise _schema_error(_("x-order must list every field once."), "form_schema", "order")
    return checked


@dataclass(frozen=True)
class FormField:
    """One field of a form, in display order (for guides and for rendering)."""

    name: str
    title: str
    description: str
    type: str
    required: bool
    choices: list[tuple[Any, str]]
    spec: dict

    def display(self, value: Any) -> Any:
        """``value`` as people read it: the label of a choice (``llc`` → 有限责任公司), else the value."""
        for choice, label in self.choices:
            if choice == value:
                return label
        return value

    @property
    def widget(self) -> str:
        """``select``, ``checkbox``, ``textarea``, ``date``, ``email``, ``number`` or ``text``."""
        if self.choices:
            return "select"
        if self.type == "boolean":
            return "checkbox"
        if self.type in ("integer", "number"):
            return "number"
        if self.spec.get("format") in _FORMATS:
            return self.spec["format"]
        return "textarea" if self.spec.get("maxLength", 0) > _TEXTAREA_FROM else "text"

    @property
    def register(self) -> str:
        """The 信息项 of the applicant's register row that fills this field (``""``: the applicant's)."""
        return str(self.spec.get("register", ""))

    @property
    def must_be_true(self) -> bool:
        return self.type == "boolean" and self.spec.get("const") is True


def form_fields(schema: dict) -> list[FormField]:
    """The fields of a checked schema in ``x-order`` order (empty for ``{}``)."""
    properties = (schema or {}).get("properties") or {}
    required = set((schema or {}).get("required", []))
    order = (schema or {}).get("x-order") or list(properties)
    fields = []
    for name in order:
        spec = properties[name]
        if "oneOf" in spec:
            choices = [(option["const"], pick_key(option, "title")) for option in spec["oneOf"]]
        else:
            choices = [(value, str(value)) for value in spec.get("enum", [])]
        fields.append(FormField(name, pick_key(spec, "title"), pick_key(spec, "description"), spec["type"],
                                name in required, choices, spec))
    return fields


def _limit(value: Any) -> str:
    return format(value, "g") if isinstance(value, float) else str(value)


def _message(error) -> tuple[str, str, str]:
    """``(field name, rule, message)`` for one ``jsonschema`` error (``required`` is handled apart)."""
    rule = error.validator
    name = str(error.absolute_path[0]) if error.absolute_path else ""
    value = error.validator_value
    if rule == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return (extra[0] if extra else ""), rule, _("This field is not part of the form.")
    if rule == "type":
        kinds = {"string": _("text"), "integer": _("a whole number"), "number": _("a number"),
                 "boolean": _("yes or no"), "object": _("a form")}
        return name, rule, _("Enter %(kind)s.") % {"kind": kinds.get(value, value)}
    if rule in ("enum", "oneOf"):
        return name, "enum", _("Choose one of the options.")
    if rule == "const":
        if value is True:
            return name, rule, _("This must be confirmed.")
        return name, rule, _("Choose one of the options.")
    if rule == "format":
        if value in _IDENTIFIER_FORMATS and isinstance(error.cause, ValidationFailed):
            return name, rule, error.cause.message  # which rule of the number it breaks, e.g. its check character
        if value == "date":
            return name, rule, _("Enter a date as YYYY-MM-DD.")
        return name, rule, _("Enter a valid e-mail address.")
    messages = {
        "minimum": _("Must be at least %(limit)s."),
        "maximum": _("Must be at most %(limit)s."),
        "exclusiveMinimum": _("Must be more than %(limit)s."),
        "exclusiveMaximum": _("Must be less than %(limit)s."),
        "minLength": _("Must be at least %(limit)s characters."),
        "maxLength": _("Must be at most %(limit)s characters."),
        "multipleOf": _("Must be a multiple of %(limit)s."),
        "pattern": _("Is not in the expected form."),
    }
    if rule in messages:
        return name, rule, messages[rule] % {"limit": _limit(value)}
    return name, rule, error.message


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def form_errors(*, schema: dict, data: Any) -> list[dict]:
    """Every rule that ``data`` breaks, one entry per field, in display order.

    Returns:
        ``[{"field": "<name>", "rule": "<keyword>", "message": "…"}, ...]``; ``field`` is ``""`` for
        a whole-form error (``data`` is not an object). Empty when ``data`` is valid.
    """
    if not schema:
        return [] if data in ({}, None) else [{"field": "", "rule": "no_form", "message": _("This item has no form.")}]
    validator = Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)
    by_field: dict[str, dict] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.validator)):
        if error.validator == "required":
            # jsonschema reports each missing name in its message only: take them from the data.
            for name in error.validator_value:
                if name not in error.instance:
                    by_field.setdefault(name, {"field": name, "rule": "required",
                                               "message": _("This field is required.")})
            continue
        name, rule, message = _message(error)
        by_field.setdefault(name, {"field": name, "rule": rule, "message": message})
    if isinstance(data, dict):
        for name, value in data.items():
            if isinstance(value, float) and not math.isfinite(value):
                # said first: "at most …" would hide that the value is not a number one can store
                by_field[name] = {"field": name, "rule": "finite", "message": _("Enter a finite number.")}
        for name, field in (schema.get("properties") or {}).items():
            value = data.get(name)
            if (field.get("type") in ("number", "integer") and name not in by_field and not isinstance(value, bool)
                    and isinstance(value, (int, float)) and abs(value) > FORM_NUMBER_LIMIT):
                if value > 0:
                    rule, message = "maximum", _("Must be at most %(limit)s.") % {"limit": FORM_NUMBER_LIMIT}
                else:
                    rule, message = "minimum", _("Must be at least %(limit)s.") % {"limit": -FORM_NUMBER_LIMIT}
                by_field[name] = {"field": name, "rule": rule, "message": message}
            other = field.get("after")
            if other and name not in by_field and other not in by_field:
                start, end = _date_or_none(data.get(other)), _date_or_none(data.get(name))
                if start and end and end < start:
                    by_field[name] = {"field": name, "rule": "after", "message": _(
                        "Must not be before %(other)s.") % {"other": _title(schema, other)}}
        # Control characters (NUL above all, which PostgreSQL cannot store) never belong in form text;
        # the HTML form refuses them too. Line breaks and tabs are text.
        for name, value in data.items():
            if isinstance(value, str) and _CONTROL.search(value):
                by_field.setdefault(name, {"field": name, "rule": "control_character",
                                           "message": _("This field contains a control character.")})
    order = {name: index for index, name in enumerate(schema.get("x-order") or schema.get("properties", {}))}
    return sorted(by_field.values(), key=lambda e: order.get(e["field"], -1))


def _date_or_none(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _title(schema: dict, name: str) -> str:
    return pick_key((schema or {}).get("properties", {}).get(name) or {}, "title") or name


def form_data_validate(*, schema: dict, data: Any) -> dict:
    """Validate an application's form data against the item's schema; return it unchanged.

    Raises:
        ValidationFailed: the first broken rule in display order, as
            ``extra = {"field": "form.<name>", "rule": "<keyword>", "errors": [every error]}``,
            e.g. ``{"field": "form.registered_capital", "rule": "minimum", ...}``; the message
            begins with the field's title. ``field`` is ``"form"`` when ``data`` is not an object.
    """
    errors = form_errors(schema=schema, data=data)
    if not errors:
        return data
    first = errors[0]
    label = _title(schema, first["field"]) if first["field"] else _("Application form")
    raise ValidationFailed(
        f"{label}: {first['message']}",
        extra={"field": f"form.{first['field']}" if first["field"] else "form", "rule": first["rule"],
               "errors": [{**e, "field": f"form.{e['field']}" if e["field"] else "form"} for e in errors]},
    )


def _parse_value(field: FormField, raw: str) -> tuple[Any, str | None]:
    """Turn one submitted string into the field's JSON type: ``(value, rule of the failure or None)``."""
    if field.choices and not all(isinstance(value, str) for value, _label in field.choices):
        for value, _label in field.choices:
            if str(value) == raw:
                return value, None
        return raw, "enum"
    if field.type == "integer":
        text = unicodedata.normalize("NFKC", raw).replace(",", "")
        return (int(text), None) if _INTEGER.match(text) else (raw, "type")
    if field.type == "number":
        text = unicodedata.normalize("NFKC", raw).replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return raw, "type"
        if not number.is_finite():
            return raw, "type"
        return (int(number), None) if number == number.to_integral_value() else (float(number), None)
    if field.spec.get("pattern") or field.spec.get("format") in ("email", "date"):
        # A code-like text (phone, postcode, e-mail, date) typed with a Chinese input method comes in
        # full-width digits and letters: read them as ASCII. Free text (names, addresses) is kept as typed.
        return unicodedata.normalize("NFKC", raw), None
    return raw, None


class SchemaForm:
    """An application form bound to submitted data, for pages (the applying page uses it).

    ``SchemaForm(schema, request.POST)`` reads the fields named ``<prefix>-<name>``; ``is_valid()``
    converts them to JSON types (strings, ints, floats, booleans; empty inputs are left out) and
    validates them (a field in ``locked``, ``{name: value}`` from the register, takes that value
    whatever was sent, and is rendered as text with its source); ``cleaned_data`` is then the JSON
    to store, ``errors`` maps field names to messages, and ``render()`` gives the accessible HTML of
    the fields (no ``<form>`` element and no submit button: the page owns those).
    ``SchemaForm(schema, initial={...})`` renders values.
    """

    def __init__(self, schema: dict, data=None, *, initial: dict | None = None, prefix: str = "form",
                 locked: dict | None = None):
        self.schema = schema or {}
        self.locked = {name: value for name, value in (locked or {}).items() if value not in (None, "")}
        self.fields = form_fields(self.schema)
        self.prefix = prefix
        self.is_bound = data is not None
        self.data = data
        self.cleaned_data: dict = {}
        self.errors: dict[str, str] = {}
        self.rules: dict[str, str] = {}
        self.raw: dict[str, str] = {}
        for field in self.fields:
            if initial and field.name in initial:
                value = initial[field.name]
                self.raw[field.name] = ("true" if value else "") if field.type == "boolean" else str(value)
            if field.name in self.locked:
                self.raw[field.name] = str(self.locked[field.name])
        self._validated = False

    def html_name(self, field: FormField) -> str:
        return f"{self.prefix}-{field.name}"

    def html_id(self, field: FormField) -> str:
        return f"id_{self.prefix}-{field.name}"

    def is_valid(self) -> bool:
        if not self.is_bound:
            return False
        if not self._validated:
            self._validate()
        return not self.errors

    def _validate(self) -> None:
        self._validated = True
        parsed: dict[str, Any] = {}
        for field in self.fields:
            key = self.html_name(field)
            if field.type == "boolean":
                checked = str(self.data.get(key, "")).lower() in ("true", "on", "1")
                self.raw[field.name] = "true" if checked else ""
                parsed[field.name] = checked
                continue
            raw = str(self.locked[field.name] if field.name in self.locked else self.data.get(key, "") or "").strip()
            self.raw[field.name] = raw
            if raw == "":
                continue
            value, failed = _parse_value(field, raw)
            if failed:
                self.rules[field.name] = failed
                self.errors[field.name] = (_("Choose one of the options.") if failed == "enum"
                                           else _("Enter %(kind)s.") % {"kind": _("a whole number")
                                                                        if field.type == "integer"
                                                                        else _("a number")})
                continue
            parsed[field.name] = value
        for error in form_errors(schema=self.schema, data=parsed):
            self.errors.setdefault(error["field"], error["message"])
            self.rules.setdefault(error["field"], error["rule"])
        if not self.errors:
            self.cleaned_data = parsed

    def first_error(self) -> ValidationFailed | None:
        """The first error in display order as the ``ValidationFailed`` the API would raise."""
        for field in self.fields:
            if field.name in self.errors:
                return ValidationFailed(f"{field.title}: {self.errors[field.name]}",
                                        extra={"field": f"form.{field.name}", "rule": self.rules[field.name]})
        if "" in self.errors:
            return ValidationFailed(self.errors[""], extra={"field": "form", "rule": self.rules[""]})
        return None

    def error_links(self) -> list[tuple[str, str]]:
        """The errors in display order as ``(input id, "title：message")`` pairs, for the page's error
        summary to link each to its field."""
        colon = pgettext("label colon", ": ")
        return [(self.html_id(field), f"{field.title}{colon}{self.errors[field.name]}")
                for field in self.fields if field.name in self.errors]

    def render(self) -> SafeString:
        """The fields as HTML: labels tied to inputs, required marks, help and error text tied to the
        input with ``aria-describedby``, ``aria-invalid`` on fields in error, HTML constraint attributes
        mirroring the schema (the server checks again)."""
        if not self.fields:
            return mark_safe("")
        parts = [format_html('<p class="govuk-hint">{}</p>', _("Fields marked * are required."))]
        if "" in self.errors:
            parts.append(format_html('<div class="govuk-error-message" role="alert"><p class="govuk-body">{}</p></div>',
                                     self.errors[""]))
        parts.extend(self._render_field(field) for field in self.fields)
        return mark_safe("\n".join(parts))

    __html__ = render

    def __str__(self) -> str:
        return self.render()

    def _attrs(self, field: FormField) -> dict[str, Any]:
        spec = field.spec
        attrs: dict[str, Any] = {"id": self.html_id(field), "name": self.html_name(field)}
        if field.required or field.must_be_true:
            attrs["required"] = True
        described = []
        if field.description:
            described.append(f"{self.html_id(field)}-help")
        if field.name in self.errors:
            described.append(f"{self.html_id(field)}-error")
            attrs["aria-invalid"] = "true"
        if described:
            attrs["aria-describedby"] = " ".join(described)
        widget = field.widget
        if widget in ("text", "textarea", "email"):
            for keyword, attr in (("minLength", "minlength"), ("maxLength", "maxlength"), ("pattern", "pattern")):
                if keyword in spec and not (widget == "textarea" and keyword == "pattern"):
                    attrs[attr] = spec[keyword]
            if "maxLength" in spec:
                # JSON Schema counts characters (code points); a browser's maxlength counts UTF-16
                # units, two for a character outside the BMP (CJK Extension B on: 𠮷). Twice the
                # limit never stops a valid value; the server checks the exact count.
                attrs["maxlength"] = 2 * spec["maxLength"]
        if widget == "number":
            attrs["step"] = spec.get("multipleOf", 1 if field.type == "integer" else "any")
            attrs["inputmode"] = "numeric" if field.type == "integer" else "decimal"
            for keyword, attr, bound in (("minimum", "min", -FORM_NUMBER_LIMIT), ("maximum", "max", FORM_NUMBER_LIMIT)):
                attrs[attr] = spec.get(keyword, bound)
        return attrs

    @staticmethod
    def _attr_html(attrs: dict[str, Any]) -> SafeString:
        return format_html_join(
            "", " {}", ((format_html("{}", key) if value is True else format_html('{}="{}"', key, value),)
                        for key, value in attrs.items() if value is not False and value is not None)
        )

    def _render_field(self, field: FormField) -> SafeString:
        attrs = self._attrs(field)
        raw = self.raw.get(field.name, "")
        if not self.is_bound and raw == "" and "default" in field.spec:
            raw = str(field.spec["default"]) if field.type != "boolean" else ("true" if field.spec["default"] else "")
        mark = mark_safe(' <span class="egov-required" aria-hidden="true">*</span>') if attrs.get("required") else ""
        in_error = field.name in self.errors
        error = (format_html('<p class="govuk-error-message" id="{}-error">'
                             '<span class="govuk-visually-hidden">{}</span> {}</p>',
                             attrs["id"], _("Error:"), self.errors[field.name]) if in_error else "")
        widget = field.widget
        if widget == "checkbox":
            # GOV.UK checkboxes: the box first, its label beside it, the hint under the label.
            if raw == "true":
                attrs["checked"] = True
            attrs["class"] = "govuk-checkboxes__input"
            control = format_html('<input type="checkbox" value="true"{}>', self._attr_html(attrs))
            label = format_html('<label class="govuk-label govuk-checkboxes__label" for="{}">{}{}</label>',
                                attrs["id"], field.title, mark)
            help_text = (format_html('<div class="govuk-hint govuk-checkboxes__hint" id="{}-help">{}</div>',
                                     attrs["id"], field.description) if field.description else "")
            return format_html('<div class="govuk-form-group{}">{}'
                               '<div class="govuk-checkboxes" data-module="govuk-checkboxes">'
                               '<div class="govuk-checkboxes__item">{}{}{}</div></div></div>',
                               " govuk-form-group--error" if in_error else "", error, control, label, help_text)
        label = format_html('<label class="govuk-label govuk-label--s" for="{}">{}{}</label>',
                            attrs["id"], field.title, mark)
        help_text = (format_html('<div class="govuk-hint" id="{}-help">{}</div>', attrs["id"], field.description)
                     if field.description else "")
        if field.name in self.locked:
            # From the register: shown as text, not an input (nothing is sent; the server takes the
            # register's value), its source said under the title.
            source = format_html('<div class="govuk-hint" id="{}-source">{}</div>', attrs["id"],
                                 _("Source: base register (cannot be changed here)"))
            return format_html('<div class="govuk-form-group"><p class="govuk-label govuk-label--s">{}</p>{}{}'
                               '<p class="govuk-body govuk-!-font-weight-bold" id="{}">{}</p></div>',
                               field.title, help_text, source, attrs["id"], raw)
        elif widget == "select":
            attrs["class"] = "govuk-select" + (" govuk-select--error" if in_error else "")
            options = [format_html('<option value="">{}</option>', _("— choose —"))]
            for value, text in field.choices:
                selected = " selected" if str(value) == raw else ""
                options.append(format_html('<option value="{}"{}>{}</option>', value, selected, text))
            control = format_html("<select{}>{}</select>", self._attr_html(attrs), mark_safe("".join(options)))
        elif widget == "textarea":
            attrs["class"] = "govuk-textarea" + (" govuk-textarea--error" if in_error else "")
            control = format_html("<textarea rows=\"4\"{}>{}</textarea>", self._attr_html(attrs), raw)
        else:
            attrs["class"] = "govuk-input" + (" govuk-input--error" if in_error else "")
            attrs["value"] = raw if raw != "" else None
            control = format_html('<input type="{}"{}>', widget, self._attr_html(attrs))
        # GOV.UK order: label, hint, error message, then the control.
        return format_html('<div class="govuk-form-group{}">{}{}{}{}</div>',
                           " govuk-form-group--error" if in_error else "", label, help_text, error, control)
