"""The GOV.UK form components chosen for Django widgets (core.templatetags.govuk)."""

from django import forms

from egov.core.templatetags.govuk import govuk_kind


class Choices(forms.Form):
    one = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple)
    flag = forms.BooleanField()


def test_a_multiple_choice_is_a_group_of_checkboxes_not_of_radios():
    # Django's CheckboxSelectMultiple subclasses RadioSelect: checked first, or every group of
    # checkboxes became radios (one choice only).
    form = Choices()
    assert [govuk_kind(form[name]) for name in ("one", "many", "flag")] == ["radios", "checkboxes", "checkbox"]
