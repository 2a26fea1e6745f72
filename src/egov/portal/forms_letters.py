"""Forms of letters to the mayor: they shape input; the rules are the actions'
(``egov.portal.actions_letters``), whose errors the views put on these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.forms import LocalNameChoiceField
from egov.portal.actions_letters import ATTACHMENTS_MAX, BODY_MAX, COMMENT_MAX, SUBJECT_MAX
from egov.portal.models_letters import LetterRating, LetterTopic
from egov.portal.selectors_letters import routing_organizations


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); the action checks their bytes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,.ofd"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class LetterForm(forms.Form):
    """The letter: topic, subject, text, attachments, consent to publication."""

    topic = forms.ChoiceField(label=pgettext_lazy("letter", "Topic"), choices=LetterTopic.choices)
    subject = forms.CharField(label=pgettext_lazy("letter", "Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(label=pgettext_lazy("letter", "Your letter"), max_length=BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("What happened, where and when, and what you ask for."))
    attachments = MultipleFileField(label=_("Attachments (optional)"), required=False)
    publish_consent = forms.BooleanField(
        label=_("I agree that my letter and its answer may be published on this site, with my personal data hidden"),
        required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Worded per request, in the page's language (a class attribute would be worded once).
        self.fields["attachments"].help_text = _("Up to %(max)d files: PDF, JPEG, PNG or OFD, at most 10 MB "
                                                 "each.") % {"max": ATTACHMENTS_MAX}


class RouteForm(forms.Form):
    organization = LocalNameChoiceField(label=_("Organization to handle it"), queryset=None,
                                        empty_label=_("Choose an organization"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = routing_organizations()


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer to the writer"), max_length=BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 6}))


class SendBackForm(forms.Form):
    reason = forms.CharField(label=_("Why this organization cannot handle it (told to the dispatcher)"),
                             max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class PublicationForm(forms.Form):
    publish = forms.TypedChoiceField(
        label=_("Publish this letter (personal data masked)?"), coerce=lambda value: value == "yes",
        choices=[("yes", _("Publish")), ("no", _("Do not publish"))], widget=forms.RadioSelect)


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("How satisfied are you with the answer?"), choices=LetterRating.choices,
                               widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))
    reopen = forms.BooleanField(label=_("Dissatisfied: ask for the letter to be handled again (once only)"),
                                required=False)


class WithdrawForm(forms.Form):
    """Withdrawing a letter: an optional reason and the writer's confirmation (a checkbox with its
    label, so that a keyboard or a screen reader meets the warning before the button; unticked, the
    form is refused and nothing changes)."""

    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=COMMENT_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(
        label=_("I understand that a withdrawn letter is no longer handled, is never published, and that "
                "this cannot be undone"),
        error_messages={"required": _("Tick the box to confirm that you want to withdraw the letter.")})


class PublishedFilterForm(forms.Form):
    topic = forms.ChoiceField(label=pgettext_lazy("letter", "Topic"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("All topics")), *LetterTopic.choices]
