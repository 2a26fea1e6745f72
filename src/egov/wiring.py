"""The composition root's wiring of sibling apps (issue 15, items 5 and 6), set up by
``EgovConfig.ready``: explicit calls, no import side effects.

- The exchange's record sources (``exchange.sources``): ``population`` and ``legal_entity`` read the
  base registers (``registries.selectors.record_read``, each read audited on the register's row
  with the consumer and the purpose), ``licence`` the service hall's e-licences
  (``services.selectors.licence_read``; key ``<item code>:<holder's ID number or USCC>``).
- The service hall's 设立登记 into the 法人单位基础信息库: when a licence that brings a company into
  being is issued (``services.signals.licence_issued``, after commit), the company is entered with
  its assigned USCC (``registries.actions.legal_entity_enter``), the licence as its source.
- Credit (issue 16): subjects matched against the base registers (``credit.matching``: a
  ``record_read`` of the subject's row, audited with the record's number as purpose), and every
  licence the service hall issues becomes a 行政许可 record after its transaction commits (the same
  ``services.signals.licence_issued`` → ``credit.actions.record_from_licence``, 双公示).
- The service hall's once-only provider (``services.once_only``): fetches what a ``held_as`` names
  through ``exchange.exchange_query``, for the implementing organization, with the purpose given.
- The sanction check at 受理 (``services.sanctions``, issue 16 item 5): credit's
  ``credit.selectors.subject_sanctions`` (audited ``credit.subject.check`` with the 办件编号 as purpose).
- 联合奖惩核查 through the exchange: the record source ``credit`` (``credit.selectors.subject_record_shared``,
  the subject's published list memberships, audited with the consumer and the purpose).

- Accounts (issue 17): a staff member whose second factor someone else changed (reset by an
  operator, backup codes issued) is told by a notification (``accounts.signals.second_factor_changed``
  → ``facilities.notifications.notification_send``), inside the change's transaction.

- Audit (issue 17): the anchors of the audit log are timestamped by the platform's TSA
  (``audit.anchoring`` ← ``trust.timestamps``; the trust app sits above audit).

- Real-name verification (issue 17, item 1): ``accounts.verification``'s register is
  ``RegisterIdentity``: the population register (a citizen) or the legal-entity register (an
  enterprise), through ``exchange.exchange_query`` for ``settings.EGOV_REAL_NAME_CONSUMER`` (the
  USCC of the organization that runs the accounts) when it is set, else read in process
  (``registries.selectors.record_read``). Either way the read is audited on the register's row.

Which catalog resource publishes each source is ``settings.EGOV_ONCE_ONLY_RESOURCES``.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from egov.accounts import verification
from egov.accounts.models import User
from egov.accounts.signals import second_factor_changed
from egov.audit import anchoring
from egov.core.actors import SYSTEM
from egov.core.errors import ApplicationError, NotFound, PermissionDenied
from egov.credit import matching as credit_matching
from egov.exchange.reads import case_links_set
from egov.exchange.sources import record_source_register
from egov.registries.models import Register
from egov.services import once_only, sanctions
from egov.services.signals import licence_issued

# The readers are imported when first called, not when the apps are ready: the service hall's
# selectors pull in the trust app's PDF signing (pyHanko), whose import warns on stderr, and every
# command (whose error output is one line) would carry it.

DEFAULT_RESOURCES = {
    "population": "320200-GA-0001",
    "legal_entity": "320200-SCJG-0001",
    "licence": "320200-SP-0001",
    "credit": "320200-FGW-0001",
}
# held_as → (record source, the applicant kind it is about)
REGISTERS = {"register:population": "population", "register:legal-entity": "legal_entity"}


def _register_lookup(register: str):
    def lookup(*, key: str, consumer, consumer_code: str, purpose: dict) -> dict | None:
        from egov.registries.selectors import record_read

        return record_read(
            register=register, key=key, organization=consumer, purpose={**purpose, "consumer": consumer_code}
        )

    return lookup


def _licence_lookup(*, key: str, consumer, consumer_code: str, purpose: dict) -> dict | None:
    from egov.services.selectors import licence_read

    item_code, _sep, holder = key.rpartition(":")
    return licence_read(item_code=item_code, holder=holder, organization=consumer, purpose=purpose)


def resources() -> dict[str, str]:
    """Record source → catalog resource code (``EGOV_ONCE_ONLY_RESOURCES`` over the demo city's codes)."""
    return {**DEFAULT_RESOURCES, **getattr(settings, "EGOV_ONCE_ONLY_RESOURCES", {})}


def own_case_links(user, cases) -> dict[str, str]:
    """``exchange.reads`` port: ``{办件编号: URL of the applicant's page}`` for those of ``cases`` that
    are ``user``'s own applications (a read's case someone else applied for is shown, not linked)."""
    from django.urls import reverse

    from egov.services.models import Application

    numbers = Application.objects.filter(number__in=list(cases), applicant=user).values_list("number", flat=True)
    return {number: reverse("services:application", args=[number]) for number in numbers}


class ExchangeOnceOnly:
    """The service hall's once-only provider: every fetch is an ``exchange_query`` by the platform
    (``SYSTEM``) for the implementing organization."""

    def fetch(self, *, held_as: str, applicant, consumer, purpose: dict) -> once_only.Fetched:
        """See ``services.once_only.Provider.fetch``."""
        from egov.exchange.actions import exchange_query

        kind, _sep, argument = held_as.partition(":")
        if held_as in REGISTERS:
            if once_only.applicant_register(applicant) != held_as:
                raise once_only.Unavailable(_("The platform holds this only for another kind of applicant."))
            source, key = REGISTERS[held_as], applicant.username
        elif kind == "licence" and argument:
            source, key = "licence", f"{argument}:{applicant.username}"
        else:
            raise once_only.Unavailable(_("The platform does not hold this material."))
        try:
            answer = exchange_query(
                actor=SYSTEM,
                consumer=consumer,
                resource_code=resources()[source],
                source=source,
                key=key,
                purpose=purpose,
            )
        except PermissionDenied:
            raise once_only.Unavailable(
                _("The data could not be fetched: %(organization)s holds no sharing grant for it.")
                % {"organization": consumer.local_name}
            ) from None
        except NotFound:
            raise once_only.Unavailable(
                _("The data could not be fetched: the platform holds no record of yours.")
            ) from None
        except ApplicationError as error:
            raise once_only.Unavailable(error.message) from None
        return once_only.Fetched(
            held_as=held_as,
            items=[
                {"field": field, "name": name, "name_en": name_en, "value": answer.record[field]}
                for field, name, name_en in answer.items
            ],
            provider_name=answer.provider_name,
            provider_name_en=answer.provider_name_en,
            resource_code=answer.resource_code,
            resource_name=answer.resource_name,
            resource_name_en=answer.resource_name_en,
            fetched_at=answer.answered_at.isoformat(),
            message_id=answer.message_id,
        )


def company_enter(*, sender, licence, establishment: dict | None, **kwargs):
    """``licence_issued`` listener: enter the company a 设立登记 licence establishes into the
    legal-entity register (nothing for other licences). Returns the ``LegalEntityRecord`` or None.

    Raises:
        ValidationFailed: the register refuses the row (logged by the sender, the licence stands).
    """
    if not establishment:
        return None
    from egov.registries.actions import legal_entity_enter

    cells = {
        field: establishment.get(field, "")
        for field in (
            "uscc",
            "name",
            "entity_type",
            "legal_representative",
            "registered_capital",
            "established_on",
            "address",
            "business_scope",
        )
    }
    source = f"{establishment.get('organization', '')} {establishment['source']}".strip()
    return legal_entity_enter(actor=SYSTEM, actor_label="设立登记", cells={**cells, "status": "存续"}, source=source)


def _credit_lookup(*, key: str, consumer, consumer_code: str, purpose: dict) -> dict | None:
    """The record source ``credit``: 联合奖惩核查 of the subject ``key``
    (``credit.selectors.subject_record_shared``)."""
    from egov.credit.selectors import subject_record_shared

    return subject_record_shared(key=key, consumer=consumer, consumer_code=consumer_code, purpose=purpose)


class CreditSanctions:
    """The service hall's sanction check at 受理 (``services.sanctions.Provider``): credit's published list
    memberships of the applicant, checked by the clerk with the 办件编号 as purpose."""

    def check(self, *, actor, subject_kind: str, code: str, case: str) -> sanctions.Check:
        """See ``services.sanctions.Provider.check``."""
        from egov.credit.selectors import subject_sanctions

        rows = subject_sanctions(actor=actor, code=code, case=case)
        return sanctions.Check(memberships=tuple(sanctions.Membership.from_json(row) for row in rows))


def _credit_subject_known(*, subject_kind: str, code: str, organization, purpose: dict) -> bool:
    """``credit.matching``'s matcher: whether the legal-entity (``legal``) or population register holds
    ``code``; the read is audited like any other (the subject sees it on "who read my data")."""
    from egov.registries.selectors import record_read

    register = Register.LEGAL_ENTITY if subject_kind == "legal" else Register.POPULATION
    found = record_read(register=register, key=code, organization=organization, purpose=purpose) is not None
    if found:
        _register_read_shown(register=register, code=code, organization=organization, purpose=purpose)
    return found


REGISTER_NAMES = {Register.POPULATION: ("人口基础信息库", "Population register"),
                  Register.LEGAL_ENTITY: ("法人单位基础信息库", "Legal-entity register")}


def _register_read_shown(*, register: str, code: str, organization, purpose: dict) -> None:
    """Record a register read made outside the exchange (credit matching, real-name checks) for "who
    read my data" (``audit.actions.audit_subject_read``): the whole record, for ``purpose``."""
    from egov.audit.actions import audit_subject_read

    name, name_en = REGISTER_NAMES[register]
    audit_subject_read(subject=code, subject_kind="legal" if register == Register.LEGAL_ENTITY else "natural",
                       organization=organization, action=f"registries.{register}.read",
                       case=purpose.get("case", ""), basis=purpose.get("basis", ""), resource_name=name,
                       resource_name_en=name_en, via="platform")


def licence_to_credit(*, sender, licence, **kwargs) -> None:
    """``licence_issued`` listener: 双公示 of a licence the hall issued, its 行政许可 credit record
    (once per licence)."""
    from egov.credit.actions import LicenceDecided, record_from_licence
    from egov.services.selectors import licence_decided

    record_from_licence(licence=LicenceDecided(**licence_decided(licence_id=licence.pk)))


def second_factor_notify(*, sender, user, actor, change: str, **kwargs):
    """``second_factor_changed`` listener: tell ``user`` that ``actor`` reset their second factor or
    issued them backup codes, in both languages, linking to nothing (the sign-in page guides them).
    Returns the notification."""
    from egov.facilities.notifications import in_both_languages, notification_send

    def compose():
        if change == "reset":
            return (
                _("Your second factor was reset"),
                _(
                    "%(actor)s removed your authenticator and backup codes. At your next sign-in you will "
                    "set up a new authenticator. If you did not ask for this, tell your security officer "
                    "at once."
                )
                % {"actor": actor},
            )
        return (
            _("Backup codes were issued for your account"),
            _(
                "%(actor)s issued new backup codes for your account; earlier ones no longer work. If you did "
                "not ask for this, tell your security officer at once."
            )
            % {"actor": actor},
        )

    return notification_send(recipient=user, **in_both_languages(compose))


def _anchor_stamp(digest: bytes) -> bytes:
    from egov.trust.timestamps import timestamp_digest

    return timestamp_digest(digest=digest)


def _anchor_check(token: bytes, digest: bytes):
    from egov.trust.timestamps import timestamp_token_check

    return timestamp_token_check(token=token, digest=digest)


# 《中华人民共和国网络安全法》第二十四条: a network operator that provides services to users confirms
# their real identity; the purpose every verification read states.
REAL_NAME_BASIS = "《中华人民共和国网络安全法》第二十四条"
# Rows the register holds but not in force: a person deceased or moved out, a company revoked or deregistered.
REAL_NAME_STATUSES_OUT = {"deceased", "moved_out", "revoked", "cancelled", "死亡", "迁出", "吊销", "注销"}


class RegisterIdentity:
    """``accounts.verification.IdentityRegister`` over the base registers (see the module)."""

    def check(self, *, kind: str, code: str, name: str, purpose: str) -> verification.RegisterAnswer:
        """See ``accounts.verification.IdentityRegister.check``. The names are compared exactly as
        stored (no folding: 𠮷 is not 吉)."""
        source = "legal_entity" if kind == "legal" else "population"
        consumer_code = getattr(settings, "EGOV_REAL_NAME_CONSUMER", "")
        record, reference = None, ("register:" + source)
        if consumer_code:
            from egov.exchange.actions import exchange_query
            from egov.orgs.models import Organization

            consumer = Organization.objects.filter(uscc=consumer_code).first()
            reference = resources()[source]
            if consumer is not None:
                try:
                    # a refusal (no grant, no such record) is raised after its messages and audit event
                    # are written: they stay, and so does the registration
                    record = exchange_query(actor=SYSTEM, consumer=consumer, resource_code=reference, source=source,
                                            key=code, purpose={"case": purpose, "basis": REAL_NAME_BASIS}).record
                except ApplicationError:
                    record = None
        else:
            from egov.registries.selectors import record_read

            register = Register.LEGAL_ENTITY if kind == "legal" else Register.POPULATION
            record = record_read(register=register, key=code, organization=None,
                                 purpose={"case": purpose, "basis": REAL_NAME_BASIS})
            if record:
                _register_read_shown(register=register, code=code, organization=None,
                                     purpose={"case": purpose, "basis": REAL_NAME_BASIS})
        holds = bool(record) and record.get("name") == name and record.get("status", "") not in REAL_NAME_STATUSES_OUT
        return verification.RegisterAnswer(holds=holds, reference=reference)


def wire() -> None:
    """Register the record sources, set the once-only provider, the sanction check at 受理 and the credit
    matcher, and connect the service hall's events to the registers and to credit (idempotent)."""
    # In this order (Django calls receivers in the order they were connected): a company established
    # by the licence is in the register before credit matches the licence's holder there.
    anchoring.timestamper_set(anchoring.Timestamper(stamp=_anchor_stamp, check=_anchor_check))
    second_factor_changed.connect(second_factor_notify, sender=User, dispatch_uid="egov.wiring.second_factor_notify")
    licence_issued.connect(company_enter, dispatch_uid="egov.wiring.company_enter")
    licence_issued.connect(licence_to_credit, dispatch_uid="egov.wiring.licence_to_credit")
    record_source_register(name="population", lookup=_register_lookup(Register.POPULATION))
    record_source_register(name="legal_entity", lookup=_register_lookup(Register.LEGAL_ENTITY))
    record_source_register(name="licence", lookup=_licence_lookup)
    record_source_register(name="credit", lookup=_credit_lookup)
    once_only.provider_set(ExchangeOnceOnly())
    case_links_set(own_case_links)
    sanctions.provider_set(CreditSanctions())
    credit_matching.matcher_set(_credit_subject_known)
    verification.register_set(RegisterIdentity())
