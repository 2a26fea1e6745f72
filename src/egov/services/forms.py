"""The catalogue's filter form (public list page) and the staff forms of a case's steps."""

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.orgs.models import Organization
from egov.services.models import ServiceItem
from egov.services.processing import SPECIAL_PROCEDURES
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


# Staff step forms of a case (内网办理). Each maps to one action in ``egov.services.processing``.

TEXT_MAX = 2000


class OpinionForm(forms.Form):
    opinion = forms.CharField(label=_("Opinion"), required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ReasonsForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons (told to the applicant)"), max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(forms.Form):
    """A step without fields: the button is the answer."""


class SupplementRequestForm(forms.Form):
    materials = forms.ModelMultipleChoiceField(label=_("Materials to hand in again"), queryset=None,
                                               widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("What is missing or wrong (told to the applicant)"), max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["materials"].queryset = application.item.materials.order_by("sort_order", "pk")


class ReviewForm(forms.Form):
    joint_reviewers = forms.ModelMultipleChoiceField(label=_("Organizations to consult (joint review)"),
                                                     queryset=None, required=False,
                                                     widget=forms.CheckboxSelectMultiple)
    opinion = forms.CharField(label=_("Review opinion"), required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["joint_reviewers"].queryset = (Organization.objects.filter(is_active=True)
                                                   .exclude(pk=application.organization_id).order_by("path"))


class JointOpinionForm(forms.Form):
    agree = forms.TypedChoiceField(label=_("Opinion"), choices=[("1", _("Agree")), ("0", _("Disagree"))],
                                   coerce=lambda value: value == "1", widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("Remarks (required when disagreeing)"), required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Decision"), choices=[("1", _("Approve")), ("0", _("Deny"))],
                                     coerce=lambda value: value == "1", widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("Reasons (required when denying)"), required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))


class SpecialProcedureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Special procedure"))
    reason = forms.CharField(label=_("Reason (told to the applicant)"), max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in SPECIAL_PROCEDURES]


class CaseSearchForm(forms.Form):
    q = forms.CharField(label=_("Tracking number or applicant name"), max_length=100, required=False)
