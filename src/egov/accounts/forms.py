from django import forms
from django.utils.translation import gettext_lazy as _


class NaturalPersonRegistrationForm(forms.Form):
    # No min_length: a short number reaches resident_id_check, whose error names the rule (format).
    # Room for the spaces or hyphens people type between groups (the check removes them).
    id_number = forms.CharField(label=_("Resident ID number"), max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text",
                                                              "spellcheck": "false"}))
    # Names have no max_length here: a browser's maxlength counts UTF-16 units, so it would cut a name
    # of Extension B characters (𠮷 is two) at half the length; the action checks 200 characters.
    name = forms.CharField(label=_("Name"), widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("At least 10 characters and hard to guess: not only digits, "
                                           "not a common or published password."))


class LegalPersonRegistrationForm(forms.Form):
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=30,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    name = forms.CharField(label=_("Name of the organization"))
    legal_representative = forms.CharField(label=_("Legal representative"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("At least 10 characters and hard to guess: not only digits, "
                                           "not a common or published password."))


class SignInForm(forms.Form):
    username = forms.CharField(label=_("Sign-in name"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TokenForm(forms.Form):
    token = forms.CharField(label=_("Code from your authenticator app, or a backup code"), max_length=16,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True}))


class AccountLookupForm(forms.Form):
    """The service window's first step of a verification: the account by its sign-in name."""

    identifier = forms.CharField(label=_("Resident ID number or unified social credit code"), max_length=30,
                                 widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))


class InPersonVerificationForm(forms.Form):
    """The clerk's confirmation: which document was checked, and that it matches the account."""

    identifier = forms.CharField(widget=forms.HiddenInput)
    document = forms.ChoiceField(label=_("Identity document checked"), widget=forms.RadioSelect, choices=())
    matches = forms.BooleanField(label=_("The document is genuine, and its number and name are the account's."))

    def __init__(self, *args, **kwargs):
        from egov.accounts.actions import IDENTITY_DOCUMENTS

        super().__init__(*args, **kwargs)
        self.fields["document"].choices = list(IDENTITY_DOCUMENTS.items())
