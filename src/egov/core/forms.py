"""The one mapping of ``ApplicationError`` to form errors (STYLE.md "Errors")."""

from django import forms

from egov.core.errors import ApplicationError


def add_application_error(form: forms.Form, error: ApplicationError) -> None:
    """Show ``error`` on the field named in ``error.extra["field"]``, or above the form when the
    form has no such field."""
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


class LocalNameChoiceField(forms.ModelChoiceField):
    """A choice of records (organizations) labelled by their name in the active language: the
    record's ``local_name`` (``core.i18n``), else ``str()``."""

    def label_from_instance(self, obj) -> str:
        return getattr(obj, "local_name", None) or str(obj)


class LocalNameMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several records labelled as in ``LocalNameChoiceField``."""

    def label_from_instance(self, obj) -> str:
        return getattr(obj, "local_name", None) or str(obj)


class DateInput(forms.DateInput):
    """The one date widget of our forms: an ``<input type="date">`` whose value is written as
    ISO 8601 (``2026-12-06``), the only format the HTML standard lets a date input show
    (HTML Living Standard §4.10.5.1.7 "valid date string"). Django's ``DateInput`` writes the
    active language's ``DATE_INPUT_FORMATS[0]`` instead (``2026/12/06`` in Chinese), which the
    browser shows as empty, so a re-saved form lost its date."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
