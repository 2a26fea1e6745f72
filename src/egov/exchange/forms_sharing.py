"""Forms of the sharing pages: they shape input; the rules are the actions' (``exchange.actions``),
whose errors the views put on these forms (``core.forms.add_application_error``)."""

import secrets

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from egov.exchange.actions.grants import default_valid_until
from egov.exchange.actions.requests import TEXT_MAX
from egov.exchange.models import InformationItem, SharingRequestItem

EVERY = [("", _("All"))]
SIDES = [("consumer", _("Asked by my organizations")), ("provider", _("Asked of my organizations"))]
REQUEST_STATES = [("open", _("In progress")), ("decided", _("Decided"))]
GRANT_SIDES = [("consumer", _("Held by my organizations")), ("provider", _("Given by my organizations"))]
GRANT_STATES = [("in_force", _("In force")), ("expired", _("Expired")), ("revoked", _("Revoked"))]


class _Filters(forms.Form):
    organization = forms.TypedChoiceField(label=_("Organization"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = EVERY + [(o.pk, o.local_name) for o in organizations]


class RequestFilterForm(_Filters):
    """Filters of the request list (GET): side, state, organization."""

    side = forms.ChoiceField(label=_("Side"), required=False, choices=EVERY + SIDES)
    state = forms.ChoiceField(label=_("State"), required=False, choices=EVERY + REQUEST_STATES)
    field_order = ["side", "state", "organization"]


class GrantFilterForm(_Filters):
    """Filters of the grant list (GET): side, state, organization."""

    side = forms.ChoiceField(label=_("Side"), required=False, choices=EVERY + GRANT_SIDES)
    state = forms.ChoiceField(label=_("State"), required=False, choices=EVERY + GRANT_STATES)
    field_order = ["side", "state", "organization"]


class ResourceChoiceForm(forms.Form):
    """Step one of asking: which resource (GET)."""

    resource = forms.ChoiceField(label=_("Information resource"))

    def __init__(self, *args, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [("", _("Choose a resource"))] + [
            (r.code, f"{r.code} {r.local_name} · {r.local_provider_name}") for r in resources]


def item_label(item: InformationItem) -> str:
    """How a 信息项 is offered: its name, key, sharing type and condition or legal reason."""
    label = f"{item.local_name} ({item.field}) · {item.get_sharing_type_display()}"
    note = item.local_sharing_condition if item.sharing_type == "conditional" else (
        item.local_refusal_basis if item.sharing_type == "none" else "")
    return f"{label}{pgettext('label separator', ': ')}{note}" if note else label


class RequestForm(forms.Form):
    """Step two: the items, on whose behalf, what for and under which law; ``idempotency_key`` makes a
    form sent twice one request."""

    consumer = forms.TypedChoiceField(label=_("Asking organization"), coerce=int)
    items = forms.MultipleChoiceField(label=_("Information items"), widget=forms.CheckboxSelectMultiple,
                                       help_text=_("Items shared without conditions are granted at once; items "
                                                   "shared on conditions wait for the provider's decision; items "
                                                   "not shared are refused with their legal reason."))
    purpose = forms.CharField(label=_("Purpose (the duty the data serves)"), max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={"rows": 2}))
    case_number = forms.CharField(label=_("Case served (办件编号), if any"), max_length=40, required=False)
    legal_basis = forms.CharField(label=pgettext_lazy("sharing", "Legal basis"), max_length=TEXT_MAX,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, resource, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consumer"].choices = [(o.pk, o.local_name) for o in organizations]
        self.fields["items"].choices = [(item.field, item_label(item)) for item in resource.items.all()]
        self.fields["idempotency_key"].initial = secrets.token_urlsafe(24)


class DecisionForm(forms.Form):
    """The provider's decision, item by item: share (with conditions of use) or not (with reasons,
    required), and how long the grant runs."""

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("grant", _("Share")), ("refuse", _("Do not share"))]
        self.pending = list(request.items.filter(outcome=SharingRequestItem.Outcome.PENDING))
        for row in self.pending:
            condition = row.item.local_sharing_condition if row.item is not None else ""
            self.fields[f"item_{row.field}"] = forms.ChoiceField(
                label=f"{row.local_name} ({row.field})", choices=choices, widget=forms.RadioSelect,
                help_text=_("Catalog condition: %(condition)s") % {"condition": condition} if condition else "")
            self.fields[f"reason_{row.field}"] = forms.CharField(
                label=_("Conditions of use or reasons for not sharing: %(item)s") % {"item": row.local_name},
                required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Required when not sharing."))
        self.fields["valid_until"] = forms.DateField(
            label=_("Grant valid until"), initial=default_valid_until(timezone.localdate()),
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        data = super().clean()
        for row in self.pending:
            if data.get(f"item_{row.field}") == "refuse" and not (data.get(f"reason_{row.field}") or "").strip():
                self.add_error(f"reason_{row.field}", _("Give the reasons for not sharing %(item)s.")
                               % {"item": row.local_name})
        return data

    def decisions(self) -> dict[str, tuple[str, str]]:
        """``{field: (decision, text)}`` as ``request_decide`` takes it."""
        return {row.field: (self.cleaned_data[f"item_{row.field}"], self.cleaned_data.get(f"reason_{row.field}", ""))
                for row in self.pending}


class WithdrawForm(forms.Form):
    """Withdrawing a request: nothing to fill in."""


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revoking (told to the consumer)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ReplayForm(forms.Form):
    """Replay one dead letter (``delivery``) or, without it, all of a subscription's."""

    delivery = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
