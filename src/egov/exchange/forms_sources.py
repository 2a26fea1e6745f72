"""The form of a resource source (异源): kind, connection details, table, key and change columns,
and, for each 信息项 of the resource, the source column it is read from. ``resource_source_save``
decides; its refusals come back as errors on the field they name (``add_application_error``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.exchange.models import InformationResource, ResourceSource

SQL_KINDS = (ResourceSource.Kind.POSTGRESQL, ResourceSource.Kind.MYSQL)
FILE_KINDS = (ResourceSource.Kind.CSV, ResourceSource.Kind.XLSX)


class SourceForm(forms.Form):
    code = forms.SlugField(label=_("Source code"), max_length=60,
                           help_text=_("Lower-case letters, digits, - and _; the node's service names it as "
                                       "source = \"adapter:<code>\"."))
    kind = forms.ChoiceField(label=_("Kind of source"), choices=ResourceSource.Kind.choices, widget=forms.RadioSelect)
    location = forms.CharField(label=_("Database address, file path or API address"), required=False,
                               max_length=1000, widget=forms.PasswordInput(render_value=False),
                               help_text=_("For example postgresql://user:password@host/db, /srv/data/people.xlsx "
                                           "or https://api.example/people. Stored "
                                           "encrypted and never shown again; leave empty to keep the stored one."))
    table = forms.CharField(label=_("Table or view"), required=False, max_length=200,
                            help_text=_("Databases only: name or schema.name."))
    key_column = forms.CharField(label=_("Key column"), max_length=100,
                                 help_text=_("The column a lookup matches (resident ID, USCC) and an extract "
                                             "pages by."))
    change_column = forms.CharField(label=_("Change column"), required=False, max_length=100,
                                    help_text=_("Optional: a column every change moves on (time or sequence)."))

    def __init__(self, *args, resource: InformationResource, editing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = resource
        if editing:
            self.fields["code"].disabled = True
        self.items = list(resource.items.all())
        for item in self.items:
            self.fields[f"map_{item.field}"] = forms.CharField(
                label=f"{item.local_name} ({item.field}, {item.get_data_type_display()})", required=False,
                max_length=100)
        self.editing = editing

    def connection(self) -> dict | None:
        """The connection details the form gives, or None to keep the stored ones."""
        location = self.cleaned_data.get("location", "").strip()
        if not location:
            return None
        if self.cleaned_data["kind"] in FILE_KINDS:
            return {"path": location}
        return {"url": location}

    def mapping(self) -> dict[str, str]:
        return {item.field: self.cleaned_data[f"map_{item.field}"].strip() for item in self.items
                if self.cleaned_data.get(f"map_{item.field}", "").strip()}

    def item_field_name(self, item_field: str) -> str:
        return f"map_{item_field}"
