"""The catalogue's filter form (public list page)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.services.models import ServiceItem
from egov.services.selectors import catalog_organizations


class CatalogFilterForm(forms.Form):
    """Filters of the public catalogue: organization, item type, words of the name."""

    q = forms.CharField(label=_("Search by name"), max_length=100, required=False)
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=None, required=False,
                                          empty_label=_("All organizations"))
    item_type = forms.ChoiceField(label=_("Item type"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = catalog_organizations()
        self.fields["item_type"].choices = [("", _("All types")), *ServiceItem.ItemType.choices]
