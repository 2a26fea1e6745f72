"""Forms of the catalog pages: the search filters (GET), a resource with its 信息项 as a repeatable
table, and the upload of a catalog file. They shape input; the rules are ``resource_publish``'s."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.exchange.models import InformationItem, InformationResource

R, I = InformationResource, InformationItem  # noqa: E741


def _with_all(choices, label):
    return [("", label), *choices]


class CatalogFilterForm(forms.Form):
    """Search of the catalog: words, catalog, provider, sharing type, format, open or not. All optional."""

    q = forms.CharField(label=_("Name, code, provider or information item"), required=False, max_length=100)
    catalog = forms.ChoiceField(label=_("Catalog"), required=False,
                                choices=_with_all(R.Catalog.choices, _("All catalogs")))
    provider = forms.ChoiceField(label=_("Provider"), required=False)
    sharing_type = forms.ChoiceField(label=_("Sharing type of an item"), required=False,
                                     choices=_with_all(I.SharingType.choices, _("Any sharing type")))
    format = forms.ChoiceField(label=_("Format"), required=False, choices=_with_all(R.Format.choices, _("All formats")))
    is_open = forms.ChoiceField(label=_("Open to the public"), required=False,
                                choices=[("", _("Open or not")), ("yes", pgettext_lazy("open data", "Open")),
                                         ("no", _("Not open"))])

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = _with_all([(code, name) for code, name in providers], _("All providers"))


class OpenDataFilterForm(forms.Form):
    """Search of the open resources on the public site."""

    q = forms.CharField(label=_("Name, code, provider or data item"), required=False, max_length=100)
    provider = forms.ChoiceField(label=_("Provider"), required=False)
    format = forms.ChoiceField(label=_("Format"), required=False, choices=_with_all(R.Format.choices, _("All formats")))

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = _with_all([(code, name) for code, name in providers], _("All providers"))


class ResourceForm(forms.Form):
    """A resource's own fields (GB/T 21063.3; 2017 指南). The provider is one of the organizations
    the staff member is an operator of."""

    code = forms.CharField(label=_("Resource code (资源代码)"), max_length=60)
    name = forms.CharField(label=_("Resource name (资源名称)"), max_length=200)
    name_en = forms.CharField(label=_("Resource name in English"), max_length=200, required=False)
    classification = forms.RegexField(
        label=_("Classification (类-项-目-细目)"), max_length=40, regex=r"^[0-9A-Za-z]+(-[0-9A-Za-z]+){0,3}$",
        help_text=_("Up to four levels joined by hyphens, e.g. 1-01-001 (类 1 基础, 项 01 人口, 目 001)."),
        error_messages={"invalid": _("Write up to four levels of letters or digits joined by hyphens.")})
    catalog = forms.ChoiceField(label=_("Catalog"), choices=R.Catalog.choices)
    provider_code = forms.ChoiceField(label=_("Provider (提供方)"))
    summary = forms.CharField(label=_("Summary (摘要)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    summary_en = forms.CharField(label=_("Summary in English"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    format = forms.ChoiceField(label=_("Format"), choices=R.Format.choices)
    sharing_mode = forms.ChoiceField(label=_("Sharing mode (共享方式)"), choices=R.SharingMode.choices)
    update_cycle = forms.ChoiceField(label=_("Update cycle (更新周期)"), choices=R.UpdateCycle.choices)
    published_on = forms.DateField(label=_("Publication date (发布日期)"), help_text=_("YYYY-MM-DD"),
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    related_codes = forms.CharField(label=_("Related resource codes (关联资源代码)"), required=False,
                                    help_text=_("Separated by commas."))
    is_open = forms.BooleanField(label=_("Open to the public (开放)"), required=False)

    def __init__(self, *args, providers=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider_code"].choices = [(org.uscc, org.local_name) for org in providers]
        if editing:
            self.fields["code"].disabled = True

    def clean_related_codes(self) -> list[str]:
        text = self.cleaned_data["related_codes"].replace("，", ",")
        return [code.strip() for code in text.split(",") if code.strip()]


class ItemForm(forms.Form):
    """One 信息项 row. ``condition`` is the 共享条件 of an item shared on conditions, or the legal
    reason of one not shared (one column: the sharing type says which); ``condition_en`` its
    English text (``core.i18n``)."""

    field = forms.RegexField(label=pgettext_lazy("data field", "Field"), max_length=60, required=False,
                             regex=r"^[A-Za-z_][A-Za-z0-9_]*$",
                             error_messages={"invalid": _("Letters, digits and _ only, not starting with a digit.")},
                             widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))
    name = forms.CharField(label=_("Item name"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))
    name_en = forms.CharField(label=_("Item name in English"), max_length=100, required=False,
                              widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))
    data_type = forms.ChoiceField(label=_("Data type"), choices=I.DataType.choices)
    is_personal = forms.BooleanField(label=_("Personal data"), required=False)
    sharing_type = forms.ChoiceField(label=_("Sharing type"), choices=I.SharingType.choices)
    condition = forms.CharField(label=_("Conditions or legal reason"), max_length=500, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    condition_en = forms.CharField(label=_("Conditions or legal reason in English"), max_length=500, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    is_open = forms.BooleanField(label=pgettext_lazy("open data", "Open"), required=False)

    def is_blank(self) -> bool:
        """A row without field and name is left out (the selects always send their first choice)."""
        return not (self.data.get(self.add_prefix("field"), "").strip()
                    or self.data.get(self.add_prefix("name"), "").strip())

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        for name in ("field", "name"):
            if name in data and not data[name].strip():
                self.add_error(name, _("This field is required."))
        kind = data.get("sharing_type")
        if kind in (I.SharingType.CONDITIONAL, I.SharingType.NONE) and not data.get("condition", "").strip():
            self.add_error("condition", _("An item shared on conditions needs its conditions.")
                           if kind == I.SharingType.CONDITIONAL
                           else _("An item that is not shared needs its legal reason."))
        return data

    def as_item(self) -> dict:
        """The row as ``resource_publish`` takes an item."""
        data = dict(self.cleaned_data)
        condition = data.pop("condition", "").strip()
        condition_en = data.pop("condition_en", "").strip()
        data.pop("DELETE", None)
        conditional, refused = (data["sharing_type"] == I.SharingType.CONDITIONAL,
                                data["sharing_type"] == I.SharingType.NONE)
        data["sharing_condition"] = condition if conditional else ""
        data["sharing_condition_en"] = condition_en if conditional else ""
        data["refusal_basis"] = condition if refused else ""
        data["refusal_basis_en"] = condition_en if refused else ""
        return data


ItemFormSet = formset_factory(ItemForm, extra=2, can_delete=True, max_num=200, validate_max=True)


def item_initial(item: InformationItem) -> dict:
    """An item as the initial data of its row."""
    return {"field": item.field, "name": item.name, "name_en": item.name_en, "data_type": item.data_type,
            "is_personal": item.is_personal, "sharing_type": item.sharing_type,
            "condition": item.refusal_basis if item.sharing_type == I.SharingType.NONE else item.sharing_condition,
            "condition_en": (item.refusal_basis_en if item.sharing_type == I.SharingType.NONE
                             else item.sharing_condition_en),
            "is_open": item.is_open}


class CatalogUploadForm(forms.Form):
    """A catalog file to import: XLSX as the export writes it, or JSON (``egov exchange import``'s
    resources)."""

    file = forms.FileField(label=_("Catalog file (.xlsx or .json)"),
                           help_text=_("Sheets 信息资源 and 信息项 with the columns of the export. "
                                       "A file with one bad row imports nothing."))
