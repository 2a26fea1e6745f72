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
