"""Forms of the registers' staff pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.registries.models import Register


class SearchForm(forms.Form):
    register = forms.ChoiceField(label=_("Which register"), choices=Register.choices, widget=forms.RadioSelect,
                                 initial=Register.POPULATION)
    query = forms.CharField(label=_("Identifier"), max_length=40,
                            help_text=_("The resident ID number (18 characters) or the unified social credit code."))


class ImportForm(forms.Form):
    register = forms.ChoiceField(label=_("Which register"), choices=Register.choices, widget=forms.RadioSelect,
                                 initial=Register.POPULATION)
    file = forms.FileField(label=_("File"), help_text=_(
        "CSV (UTF-8 or GB 18030) or XLSX, with a header row of the Chinese column names or the English field names."))
    source = forms.CharField(label=_("Source of the data"), max_length=200, required=False,
                             help_text=_("The organization the rows come from (default: yours)."))
