"""Template helpers that render Django form fields and navigation as GOV.UK Frontend components.

``{% load govuk %}`` gives:

- ``field|govuk_kind``: which component a bound field is drawn with — ``"radios"``,
  ``"checkboxes"`` (a multiple choice), ``"checkbox"`` (one yes/no box), ``"select"``,
  ``"textarea"``, ``"file"``, ``"hidden"`` or ``"input"`` (every ``<input>`` kind: text, number,
  date, e-mail, password…). ``templates/_form.html`` switches on it.
- ``field|govuk_widget``: the field's own widget (Django renders it, with ``required``,
  ``aria-invalid`` and ``aria-describedby`` of its help and error texts) carrying the component's
  class and its error modifier.
- ``field|govuk_anchor``: the id that the error summary links to (the first option of a group).
- ``{% govuk_nav_item "app:name" _("Label") [exact=True] [count=n] %}``: one item of the service
  navigation, marked current when the page is at (or below) that URL; with ``count`` (a number
  above 0) the number follows the label, said in words to screen readers ("3 unread").

Reference: GOV.UK Frontend 6 components (design-system.service.gov.uk/components), vendored in
``egov/static/egov/govuk`` (``docs/design-system.md``).
"""

from django import forms, template
from django.forms.boundfield import BoundField
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

register = template.Library()

# Component class of each widget kind, and the class added when the field has an error.
_CLASSES = {
    "input": ("govuk-input", "govuk-input--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
}


@register.filter
def govuk_kind(field: BoundField) -> str:
    """The component kind of ``field`` (see the module docstring); ``"input"`` for any other widget."""
    widget = field.field.widget
    if widget.is_hidden:
        return "hidden"
    # CheckboxSelectMultiple is a subclass of RadioSelect (Django 4.0+): ask for it first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):  # SelectMultiple too
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


@register.filter
def govuk_widget(field: BoundField) -> SafeString:
    """The field's widget as HTML with its component class (``govuk-input`` etc.) added to the
    classes the form gave it, and the error modifier when the field has errors."""
    kind = govuk_kind(field)
    if kind not in _CLASSES:
        return field.as_widget()
    base, error = _CLASSES[kind]
    classes = [base, field.field.widget.attrs.get("class", "")]
    if field.errors:
        classes.append(error)
    return field.as_widget(attrs={"class": " ".join(c for c in classes if c)})


@register.filter
def govuk_anchor(field: BoundField) -> str:
    """The element id an error summary's link for ``field`` points at: the input itself, or the first
    option of a radio or checkbox group (Django numbers them ``<id>_0``, ``<id>_1``…)."""
    if govuk_kind(field) in ("radios", "checkboxes"):
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id


@register.simple_tag(takes_context=True)
def govuk_nav_item(context, url_name: str, label: str, exact: bool = False, count: int = 0) -> SafeString:
    """One ``govuk-service-navigation__item`` linking to the URL named ``url_name``; current
    (``aria-current="page"``) when the request's path is that URL or, unless ``exact``, lies below it.
    A ``count`` above 0 (unread notifications) follows the label as a number and, for screen
    readers, in words."""
    url = reverse(url_name)
    request = context.get("request")
    path = request.path if request is not None else ""
    return nav_item_html(url=url, label=label, current=path == url or (not exact and path.startswith(url)),
                         count=count)


def nav_item_html(*, url: str, label: str, current: bool, count: int = 0) -> SafeString:
    """The markup of one service navigation item (``govuk_nav_item``), for tags that find their URL
    and whether it is current in their own way (the portal's CMS sections)."""
    if count:
        unread = ngettext("(%(n)s unread)", "(%(n)s unread)", count) % {"n": count}
        label = format_html('{} <span class="egov-count egov-count--nav" aria-hidden="true">{}</span>'
                            '<span class="govuk-visually-hidden">{}</span>', label, count, unread)
    if not current:
        return format_html('<li class="govuk-service-navigation__item"><a class="govuk-service-navigation__link" '
                           'href="{}">{}</a></li>', url, label)
    return format_html('<li class="govuk-service-navigation__item govuk-service-navigation__item--active">'
                       '<a class="govuk-service-navigation__link" href="{}" aria-current="page">'
                       '<strong class="govuk-service-navigation__active-fallback">{}</strong></a></li>', url, label)
