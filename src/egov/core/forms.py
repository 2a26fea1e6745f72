"""The one mapping of ``ApplicationError`` to form errors (STYLE.md "Errors")."""

from django import forms

from egov.core.errors import ApplicationError


def add_application_error(form: forms.Form, error: ApplicationError) -> None:
    """Show ``error`` on the field named in ``error.extra["field"]``, or above the form when the
    form has no such field."""
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)
