"""The portal's GET form: filters of the disclosure list."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.documents.models import Kind
from egov.documents.selectors import published_issuers, published_years


class DisclosureFilterForm(forms.Form):
    """Filters of 政务公开: issuing organization, kind (文种), year of 成文日期. Every field optional."""

    organization = forms.ModelChoiceField(label=_("Issuing organization"), queryset=None, required=False,
                                          empty_label=_("All organizations"))
    kind = forms.ChoiceField(label=pgettext_lazy("kind of official document", "Kind"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = published_issuers()
        self.fields["kind"].choices = [("", _("All kinds")), *Kind.choices]
        self.fields["year"].choices = [("", _("All years")), *((year, str(year)) for year in published_years())]

