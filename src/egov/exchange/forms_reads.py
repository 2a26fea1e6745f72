"""Forms of "who read my data": the person's filter and question, the organization's answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.exchange.actions.inquiries import TEXT_LIMIT


class ReadFilterForm(forms.Form):
    """Filter a person's reads by reading organization and calendar dates (both ends included)."""

    organization = forms.TypedChoiceField(label=_("Organization"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label=_("From (date)"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organizations: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("All organizations"))] + [
            (str(pk), label) for pk, label in organizations]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class InquiryForm(forms.Form):
    """A person's question about one read (the text is optional)."""

    text = forms.CharField(label=_("What do you want to know? (optional)"), required=False, max_length=TEXT_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    """The reading organization's answer."""

    answer = forms.CharField(label=_("Answer"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 5}))
