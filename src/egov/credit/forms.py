"""Forms of the credit pages: the public 信用公示 search and the staff form for a 行政处罚."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PublicSearchForm(forms.Form):
    """信用公示 search on the public site: a name, a unified social credit code or a resident ID."""

    q = forms.CharField(
        label=_("Name, unified social credit code or resident ID number"),
        required=False,
        max_length=100,
        help_text=_("A code finds exactly its subject; a person's name and ID number are shown masked."),
    )
