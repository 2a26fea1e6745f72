"""The sanction check at intake (联合奖惩核查 at 受理, issue 16 item 5).

When a clerk takes a case in (受理), the applicant — an enterprise by its USCC, a person by the
resident ID of the account — is checked against the published credit lists:

- a **black list** (严重失信主体名单 or 经营异常名录, the lists credit names ``BLACK_LISTS``): the case page
  shows a warning naming each list, the deciding organization, its decision document, the measures and
  their basis, and the clerk must record a decision before the case moves on: accept with reasons
  (``processing.application_accept`` with ``credit_reasons``) or not accept under the listing's
  measures (``processing.application_refuse`` with ``under_measure``). Both lists require the decision:
  the measures of a 严重失信 listing may bar the licence, those of the 经营异常名录 (重点监管; restrictions in
  procurement, tendering, land transfers and honours) mostly call for a careful review rather than a
  refusal, and which applies is in the measures the clerk reads (the project's reading, to be checked
  against the measures' texts). The decision is a line of the case's timeline (move ``credit_decision``, audited
  ``services.application.credit_decision``); the applicant reads it, as the rules of 国办发〔2020〕49号
  want the listed subject told of the measures applied to it.
- a **red list** (守信激励): a hint that 容缺受理 or a fast track may apply, with the incentives; nothing to
  decide.

The service hall defines the hook; the project package (``egov.wiring``) sets it to credit's check
(``credit.selectors.subject_sanctions``: each check audited ``credit.subject.check`` with the 办件编号 as
purpose), so that ``services`` does not import ``credit``. Without a provider (a deployment without
credit, a test of the hall alone) nothing is checked and nothing shows.
"""

from dataclasses import asdict, dataclass, fields
from typing import Protocol

from egov.accounts.models import LegalPerson, NaturalPerson, User
from egov.core.i18n import pick


@dataclass(frozen=True)
class Membership:
    """One published list membership of the applicant, both languages side by side (an ``_en`` text may
    be ""): the record's ``number``, ``kind`` (credit's code), ``list`` (``black`` or ``red``), the list's
    name, the deciding organization, the decision document and date, the measures and their legal basis,
    the publication period (ISO 8601 dates)."""

    number: str
    kind: str
    list: str
    list_name: str
    list_name_en: str
    provider: str
    provider_en: str
    decision_document: str
    decided_on: str
    measures: str
    measures_en: str
    legal_basis: str
    legal_basis_en: str
    published_from: str
    published_until: str

    @classmethod
    def from_json(cls, data: dict) -> "Membership":
        """A membership from the provider's dict (keys beyond the fields are ignored)."""
        return cls(**{f.name: str(data.get(f.name, "") or "") for f in fields(cls)})

    def as_json(self) -> dict:
        return asdict(self)

    @property
    def local_list_name(self) -> str:
        return pick(self.list_name, self.list_name_en)

    @property
    def local_provider(self) -> str:
        return pick(self.provider, self.provider_en)

    @property
    def local_measures(self) -> str:
        return pick(self.measures, self.measures_en)

    @property
    def local_legal_basis(self) -> str:
        return pick(self.legal_basis, self.legal_basis_en)


@dataclass(frozen=True)
class Check:
    """The answer of one check: the applicant's published list memberships."""

    memberships: tuple[Membership, ...] = ()

    @property
    def black(self) -> list[Membership]:
        """The black-list memberships (a decision is required)."""
        return [m for m in self.memberships if m.list == "black"]

    @property
    def red(self) -> list[Membership]:
        """The red-list memberships (a 容缺 / fast-track hint)."""
        return [m for m in self.memberships if m.list == "red"]


class Provider(Protocol):
    def check(self, *, actor: User, subject_kind: str, code: str, case: str) -> Check:
        """The published list memberships of the subject ``code`` (``subject_kind`` ``legal``: a USCC;
        ``natural``: a resident ID), checked by ``actor`` for the case ``case`` (its 办件编号, the
        purpose audited).

        Raises:
            PermissionDenied: the actor may not check subjects.
        """


_provider: Provider | None = None


def provider_set(provider: Provider | None) -> None:
    """Set the provider (the composition root does, once, when the apps are ready; tests may swap it)."""
    global _provider
    _provider = provider


def provider_get() -> Provider | None:
    """The provider set by ``provider_set``, or None."""
    return _provider


def applicant_subject(application) -> tuple[str, str] | None:
    """``(subject kind, code)`` of the case's applicant: ``("legal", USCC)`` of an enterprise's account,
    ``("natural", resident ID)`` of a citizen's; None for any other account."""
    user = application.applicant
    if user.kind == User.Kind.LEGAL:
        code = LegalPerson.objects.filter(user=user).values_list("uscc", flat=True).first()
        return ("legal", code) if code else None
    if user.kind == User.Kind.NATURAL:
        code = NaturalPerson.objects.filter(user=user).values_list("id_number", flat=True).first()
        return ("natural", code) if code else None
    return None


def intake_check(*, actor: User, application) -> Check | None:
    """Check the applicant of ``application`` for ``actor`` (the clerk at 受理), with the case's 办件编号 as
    purpose (each call is one audited check). None when no provider is set or the applicant is neither an
    enterprise nor a citizen.

    Raises:
        PermissionDenied: as the provider (the actor may not check subjects).
    """
    provider = provider_get()
    subject = applicant_subject(application)
    if provider is None or subject is None:
        return None
    kind, code = subject
    return provider.check(actor=actor, subject_kind=kind, code=code, case=application.number)
