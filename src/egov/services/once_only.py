"""Once-only applying (免提交): what the platform already holds is not asked of the applicant again.

The service hall defines the hook; the project package (``egov.wiring``) sets it to a provider that
reads the base registers and the e-licences through the exchange (``exchange.exchange_query``), so
that ``services`` imports neither ``registries`` nor ``exchange``. Without a provider (a test of the
hall alone) nothing is filled and every material is asked for, as before.

What is held is named by a ``held_as`` string:

- ``register:population``: the applicant's row of the 人口基础信息库 (a citizen, by the verified
  resident ID number of the account);
- ``register:legal-entity``: the applicant's row of the 法人单位基础信息库 (an enterprise, by its
  USCC) — e.g. the 营业执照 a food business licence asks for;
- ``licence:<item code>``: an e-licence the service hall issued to the applicant for that item.

The applicant's own register row (``applicant_register``) is shown on the apply form, not
editable, and stored with the application; a ``Material`` whose ``held_as`` is set is marked
免提交 when it can be fetched, and fetched at submission with the 办件编号 as purpose.
"""

import logging
from dataclasses import dataclass
from typing import Protocol

from egov.accounts.models import User

logger = logging.getLogger(__name__)

# The legal basis stated with every query of the service hall (purpose ``basis``): agencies must not
# ask applicants for what they can obtain by sharing.
BASIS = "《优化营商环境条例》第三十五条；《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》"
# The purpose's case of a query made to fill the form before a 办件编号 exists, as the applicant reads
# it on "who read my data": ``PREFILL_CASE % item.name``.
PREFILL_CASE = "预填申请表：%s"


@dataclass(frozen=True)
class Fetched:
    """One record the platform gave: ``items`` ``[{"field", "name", "name_en", "value"}]`` (the
    granted 信息项, catalog order), where it came from (provider, resource, time ISO 8601, the
    response's message id in the exchange's log)."""

    held_as: str
    items: list[dict]
    provider_name: str
    provider_name_en: str
    resource_code: str
    resource_name: str
    resource_name_en: str
    fetched_at: str
    message_id: str

    def as_json(self) -> dict:
        """The record as the application stores it (``Application.once_only``)."""
        return {
            "held_as": self.held_as,
            "items": self.items,
            "provider_name": self.provider_name,
            "provider_name_en": self.provider_name_en,
            "resource_code": self.resource_code,
            "resource_name": self.resource_name,
            "resource_name_en": self.resource_name_en,
            "fetched_at": self.fetched_at,
            "message_id": self.message_id,
        }


class Unavailable(Exception):
    """The record could not be fetched (no grant, not found, not the applicant's kind): ``reason``
    is for the staff (the case page, the log); the applicant is told only that the part could not
    be filled in, and uploads the material or types the data instead."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Provider(Protocol):
    def fetch(self, *, held_as: str, applicant: User, consumer, purpose: dict) -> Fetched:
        """The record ``held_as`` of ``applicant`` for ``consumer`` (the implementing
        ``Organization``), read with ``purpose`` (``{"case", "basis"}``).

        Raises:
            Unavailable: it cannot be fetched (with the reason).
        """


_provider: Provider | None = None


def provider_set(provider: Provider | None) -> None:
    """Set the provider (the composition root does, once, when the apps are ready; tests may swap it)."""
    global _provider
    _provider = provider


def provider_get() -> Provider | None:
    """The provider set by ``provider_set``, or None."""
    return _provider


def applicant_register(applicant: User) -> str:
    """The ``held_as`` of the applicant's own register row: population for a citizen, legal entity
    for an enterprise; "" for anyone else."""
    return {User.Kind.NATURAL: "register:population", User.Kind.LEGAL: "register:legal-entity"}.get(applicant.kind, "")


def fetch(*, held_as: str, applicant: User, consumer, case: str) -> Fetched:
    """Fetch ``held_as`` of ``applicant`` for ``consumer`` with ``case`` (the 办件编号, or the
    ``PREFILL_CASE`` of the item) as purpose and ``BASIS`` as legal basis.

    Raises:
        Unavailable: no provider, or the provider could not fetch it.
    """
    provider = provider_get()
    if provider is None or not held_as:
        raise Unavailable("")
    return provider.fetch(
        held_as=held_as, applicant=applicant, consumer=consumer, purpose={"case": case, "basis": BASIS}
    )


def preview(*, applicant: User, item, materials) -> dict:
    """What the apply form shows before submission: ``{"register": Fetched | None, "register_error":
    reason, "held": {material id: Fetched}, "held_errors": {material id: reason}}``. Read through the
    exchange with ``PREFILL_CASE`` as purpose (each read audited like any other)."""
    result = {"register": None, "register_error": "", "held": {}, "held_errors": {}}
    if provider_get() is None:
        return result
    case = PREFILL_CASE % item.name
    cache: dict[str, Fetched | Unavailable] = {}

    def one(held_as: str):
        if held_as not in cache:
            try:
                cache[held_as] = fetch(held_as=held_as, applicant=applicant, consumer=item.organization, case=case)
            except Unavailable as error:
                # The reason (a grant missing, no record) is for the staff: the applicant's page
                # says only that the part could not be filled in (services/apply.html).
                logger.warning("once-only prefill of %s for %s unavailable: %s", held_as, item.code, error.reason,
                               extra={"held_as": held_as, "item": item.code, "reason": str(error.reason)})
                cache[held_as] = error
        return cache[held_as]

    own = applicant_register(applicant)
    if own:
        answer = one(own)
        result["register" if isinstance(answer, Fetched) else "register_error"] = (
            answer if isinstance(answer, Fetched) else answer.reason
        )
    for material in materials:
        if material.held_as:
            answer = one(material.held_as)
            if isinstance(answer, Fetched):
                result["held"][material.pk] = answer
            else:
                result["held_errors"][material.pk] = answer.reason
    return result


def form_from_register(schema: dict, record: dict | None) -> dict:
    """The form fields that the applicant's register row fills: ``{field name: value}`` for each
    field of ``schema`` with ``"register": "<信息项>"`` whose item ``record`` (a stored or fetched
    record, ``Fetched.as_json()``; None or an error record gives ``{}``) holds with a value."""
    values = {row["field"]: row.get("value") for row in (record or {}).get("items", [])}
    filled = {}
    for name, spec in ((schema or {}).get("properties") or {}).items():
        value = values.get(spec.get("register", ""))
        if spec.get("register") and value not in (None, ""):
            filled[name] = value
    return filled


def _labels() -> dict[str, dict[str, str]]:
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    return {
        "sex": {"M": _("Male"), "F": _("Female")},
        "status": {
            "normal": pgettext("population register status", "Normal"),
            "deceased": pgettext("population register status", "Deceased"),
            "moved_out": pgettext("population register status", "Moved out"),
            "existing": pgettext("registration status", "Existing"),
            "operating": pgettext("registration status", "Operating"),
            "revoked": pgettext("registration status", "Licence revoked"),
            "cancelled": pgettext("registration status", "Deregistered"),
        },
    }


def rows(record: dict) -> list[dict]:
    """A stored or fetched record's items as a summary list shows them, in the reader's language:
    ``[{"name", "value"}]`` (coded values — sex, status — worded; the registered capital, stored in
    万 of ``capital_currency``, with its unit: ``core.i18n.capital_text``, the currency's own row
    folded into it; CNY, the register's default, when the currency was not given)."""
    from egov.core.i18n import capital_text, pick

    labels = _labels()
    items = record.get("items", [])
    currency = next((str(i.get("value") or "") for i in items if i["field"] == "capital_currency"), "")
    shown = []
    for item in items:
        value = item.get("value")
        value = "" if value is None else str(value)
        if item["field"] == "capital_currency":
            continue
        if item["field"] in labels:
            value = labels[item["field"]].get(value, value)
        elif item["field"] == "registered_capital":
            value = capital_text(amount=value, currency=currency)
        shown.append({"name": pick(item.get("name", ""), item.get("name_en", "")), "value": value})
    return shown


def shown(record: dict) -> dict:
    """A stored or fetched record with what pages show added: ``rows`` (``rows``) and ``when``
    (the fetch time in local time, ``YYYY-MM-DD HH:MM``)."""
    import datetime

    from django.utils import timezone

    when = ""
    if record.get("fetched_at"):
        when = timezone.localtime(datetime.datetime.fromisoformat(record["fetched_at"])).strftime("%Y-%m-%d %H:%M")
    return {**record, "rows": rows(record), "when": when}
