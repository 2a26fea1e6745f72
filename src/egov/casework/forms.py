"""The inbox's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.casework.inbox import KINDS, URGENCIES, InboxRow


class InboxFilterForm(forms.Form):
    """Filters of the inbox (GET): kind, organization, step and urgency, offered from the rows the
    user has; ``q`` searches cases by tracking number or applicant name."""

    q = forms.CharField(label=_("Find a case: tracking number or applicant name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    organization = forms.TypedChoiceField(label=_("Organization"), required=False, coerce=int, empty_value=None)
    step = forms.ChoiceField(label=_("Step"), required=False)
    urgency = forms.ChoiceField(label=_("Time left"), required=False)

    def __init__(self, *args, rows: list[InboxRow], **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["kind"].choices = every + [(code, label) for code, label in KINDS.items()]
        organizations = {row.organization.pk: row.organization.local_name for row in rows}
        self.fields["organization"].choices = every + sorted(organizations.items(), key=lambda item: item[1])
        self.fields["step"].choices = every + [(step, step) for step in sorted({row.step for row in rows})]
        self.fields["urgency"].choices = every + list(URGENCIES.items())
