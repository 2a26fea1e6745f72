"""The catalogue's filter form (public list page), the staff forms of a case's steps, and the forms of
tracking, published results, ratings and rectifications."""

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.core.forms import LocalNameChoiceField, LocalNameMultipleChoiceField
from egov.orgs.models import Organization
from egov.services.actions.processing import SPECIAL_PROCEDURES
from egov.services.models import LEGAL_EVENTS, NATURAL_EVENTS, Rating, ServiceItem
from egov.services.selectors import catalog_organizations


class CatalogFilterForm(forms.Form):
    """Filters of the public catalogue: life event (主题分类), who applies (individuals or enterprises),
    organization, item type, words of the name."""

    q = forms.CharField(label=_("Search by name"), max_length=100, required=False)
    audience = forms.ChoiceField(label=_("Who applies"), required=False,
                                 choices=[("", _("Everyone")), ("natural", _("Individuals")),
                                          ("legal", _("Enterprises and institutions"))])
    organization = LocalNameChoiceField(label=_("Organization"), queryset=None, required=False,
                                          empty_label=_("All organizations"))
    item_type = forms.ChoiceField(label=_("Item type"), required=False)
    theme = forms.ChoiceField(label=_("Life event"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = catalog_organizations()
        self.fields["item_type"].choices = [("", _("All types")), *ServiceItem.ItemType.choices]
        self.fields["theme"].choices = [
            ("", _("All life events")),
            (_("For individuals"), [(event.value, event.label) for event in NATURAL_EVENTS]),
            (_("For enterprises"), [(event.value, event.label) for event in LEGAL_EVENTS]),
        ]


# Staff step forms of a case (内网办理). Each maps to one action in ``egov.services.actions.processing``.

TEXT_MAX = 2000


class OpinionForm(forms.Form):
    opinion = forms.CharField(label=_("Opinion"), required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ReasonsForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons (told to the applicant)"), max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))


class CreditDecisionForm(forms.Form):
    """The clerk's decision at 受理 on an applicant on a black list (``processing.application_credit_decide``)."""

    decision = forms.ChoiceField(
        label=_("Your decision"), widget=forms.RadioSelect,
        choices=[("accept", _("Accept the application despite the listing")),
                 ("refuse", _("Do not accept it under the listing's measures"))])
    reasons = forms.CharField(label=_("Reasons (recorded on the case and told to the applicant)"),
                              max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(forms.Form):
    """A step without fields: the button is the answer."""


class SupplementRequestForm(forms.Form):
    materials = LocalNameMultipleChoiceField(label=_("Materials to hand in again"), queryset=None,
                                             widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("What is missing or wrong (told to the applicant)"), max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["materials"].queryset = application.item.materials.order_by("sort_order", "pk")


class ReviewForm(forms.Form):
    joint_reviewers = LocalNameMultipleChoiceField(label=_("Organizations to consult (joint review)"),
                                                     queryset=None, required=False,
                                                     widget=forms.CheckboxSelectMultiple)
    opinion = forms.CharField(label=_("Review opinion"), required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["joint_reviewers"].queryset = (
            Organization.objects.filter(is_active=True).exclude(kind=Organization.Kind.EXTERNAL)
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


# Public pages of tracking, published results and ratings.


class TrackForm(forms.Form):
    number = forms.CharField(label=_("Tracking number or receipt number"), max_length=40,
                             help_text=_("The receipt number (starting with SL) works before the case has its "
                                         "tracking number."))
    code = forms.CharField(label=_("Query code"), max_length=20)


class ResultFilterForm(forms.Form):
    organization = LocalNameChoiceField(label=_("Organization"), queryset=None, required=False,
                                          empty_label=_("All organizations"))
    item = forms.CharField(label=_("Item code"), max_length=40, required=False)
    month = forms.RegexField(label=_("Month concluded (YYYY-MM)"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False,
                             widget=forms.TextInput(attrs={"type": "month"}),
                             error_messages={"invalid": _("Write the month as YYYY-MM, e.g. 2026-03.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = catalog_organizations()


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(label=_("How satisfied are you with this service?"), coerce=int,
                                   choices=[(str(value), label) for value, label in Rating.Level.choices],
                                   widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (required when dissatisfied)"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))


# Staff forms of a 差评's rectification (``egov.services.actions.rating``).


class CallBackForm(forms.Form):
    note = forms.CharField(label=_("Call-back record"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Reply to the applicant: what was rectified"), max_length=1000,
                            widget=forms.Textarea(attrs={"rows": 3}))


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("Why the rating is malicious"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class AppealDecisionForm(forms.Form):
    malicious = forms.TypedChoiceField(label=_("Review decision"), coerce=lambda value: value == "1",
                                       choices=[("1", _("Malicious: exclude the rating")),
                                                ("0", _("Not malicious: rectify"))], widget=forms.RadioSelect)
    decision = forms.CharField(label=_("Reasons (told to the applicant)"), max_length=1000,
                               widget=forms.Textarea(attrs={"rows": 3}))
