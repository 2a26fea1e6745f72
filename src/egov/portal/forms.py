"""Forms of the portal: the filters of the disclosure list (GET), and the pages of requests for
government information, which shape input while the rules are the actions' (``egov.portal.actions``),
whose errors the views put on these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.forms import LocalNameChoiceField
from egov.documents.selectors import published_issuers, published_kinds, published_years
from egov.portal import deadlines
from egov.portal.actions import CORRECTION_PERIOD_MAX, DESCRIPTION_MAX, TEXT_MAX
from egov.portal.models import AnswerKind, FormWanted
from egov.portal.selectors import agencies_accepting_requests


class DisclosureFilterForm(forms.Form):
    """Filters of 政务公开: issuing organization, kind (文种), year of 成文日期. Every field optional."""

    organization = LocalNameChoiceField(label=_("Issuing organization"), queryset=None, required=False,
                                        empty_label=_("All organizations"))
    kind = forms.ChoiceField(label=pgettext_lazy("kind of official document", "Kind"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = published_issuers()
        self.fields["kind"].choices = [("", _("All kinds")), *published_kinds()]
        self.fields["year"].choices = [("", _("All years")), *((year, str(year)) for year in published_years())]


class RequestForm(forms.Form):
    """The public request form (第二十九条)."""

    agency = LocalNameChoiceField(label=_("Agency"), queryset=None, empty_label=_("Choose an agency"))
    description = forms.CharField(
        label=_("Information requested"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Its title, document number, or other features that help find it."))
    purpose = forms.CharField(label=_("Purpose (optional)"), required=False, max_length=DESCRIPTION_MAX,
                              widget=forms.Textarea(attrs={"rows": 2}))
    form_wanted = forms.ChoiceField(label=_("Form wanted"), choices=FormWanted.choices, widget=forms.RadioSelect,
                                    initial=FormWanted.ELECTRONIC)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(label=_("E-mail"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    address = forms.CharField(label=_("Postal address (needed for a paper copy)"), required=False, max_length=300,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies_accepting_requests()


class CorrectForm(forms.Form):
    description = forms.CharField(label=_("Corrected description of the information requested"),
                                  max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 5}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class ConfirmForm(forms.Form):
    """A step with nothing to fill in."""


class CorrectionForm(forms.Form):
    note = forms.CharField(label=_("What is to be corrected (told to the applicant)"), max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))
    period_days = forms.IntegerField(label=_("Period for the correction (working days)"), min_value=1,
                                     max_value=CORRECTION_PERIOD_MAX, initial=15)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Extension (working days)"), min_value=1,
                              max_value=deadlines.EXTENSION_MAX_DAYS, initial=deadlines.EXTENSION_MAX_DAYS)
    reason = forms.CharField(label=_("Reason (told to the applicant)"), max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ConsultForm(forms.Form):
    third_party = forms.CharField(label=_("Third party consulted"), max_length=200)


class AnswerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=AnswerKind.choices)
    text = forms.CharField(label=_("Answer (the information, how to get it, or the reasons)"), max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 5}))
    legal_basis = forms.CharField(label=_("Legal basis (required when not or partly disclosed)"), required=False,
                                  max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    competent_agency = forms.CharField(label=_("Competent agency, if known (not this agency's to disclose)"),
                                       required=False, max_length=200)
    file = forms.FileField(label=_("Answer document (PDF, optional)"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))


class EconomyFilterForm(forms.Form):
    """Filters of one indicator's page (GET): the division whose figures over time are charted, and
    the period whose figures across divisions are charted. Choices are what the indicator has figures
    for (``division_choices``, ``period_choices``: ``(value, label)`` pairs); both optional."""

    division = forms.ChoiceField(label=_("Division"), required=False)
    period = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(self, *args, division_choices, period_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = division_choices
        self.fields["period"].choices = period_choices
