"""The one staff step view: a posted form, one action, and either the next page or the form again
with the action's error on it (STYLE.md "Errors": refused input loses nothing)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from egov.core.errors import ApplicationError
from egov.core.forms import add_application_error


def step_post(request: HttpRequest, *, form: forms.Form, run: Callable[[dict[str, Any]], Any], done: str,
              next_url: str | Callable[[Any], str], again: Callable[[forms.Form, int], HttpResponse]
              ) -> HttpResponse:
    """Take one step posted with ``form`` (bound to ``request.POST``).

    Args:
        run: the action, called with the form's cleaned data; what it returns is passed to
            ``next_url`` when that is callable.
        done: the success message (e.g. "Done: 受理").
        next_url: where to go after the step (a URL, or a function of the action's result).
        again: renders the page again with the bound form and a status (400 for an invalid form,
            the error's 4xx status for a refused action).

    Returns:
        A redirect to ``next_url`` with ``done`` as a success message; or the page again, the
        action's error on its field (``core.forms.add_application_error``) and as an error message
        above the page (the step's form may be gone when the case moved on meanwhile).
    """
    if not form.is_valid():
        return again(form, 400)
    try:
        result = run(form.cleaned_data)
    except ApplicationError as error:
        add_application_error(form, error)
        messages.error(request, error.message)
        return again(form, error.status)
    messages.success(request, done)
    return redirect(next_url(result) if callable(next_url) else next_url)
