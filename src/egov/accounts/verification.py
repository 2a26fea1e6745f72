"""The identity-verification port of real-name verification (实名认证, issue 17, item 1).

``accounts`` sits below the registers and the exchange and cannot import them, so the composition
root (``egov.wiring``) sets the implementation with ``register_set``: explicitly, once, no import
side effect. Three ways confirm who holds an account (``User.Verification``):

- ``register``: the population register holds the resident ID number with the same name (a legal
  person: the legal-entity register holds the USCC with the same name), asked through the exchange
  when a consumer organization is configured (``settings.EGOV_REAL_NAME_CONSUMER``), else read in
  process through the registers' selectors. Asked at registration (``actions.account_verify_by_register``).
- ``oidc``: a sign-in at the provincial identity provider, egov the OpenID Connect relying party
  (``accounts.oidc``, ``actions.account_verify_by_oidc``), offered when ``EGOV_OIDC_ISSUER`` is set.
- ``in_person``: a clerk checks the identity document at a service window and confirms
  (``actions.account_verify_in_person``, the staff page /staff/accounts/verify/). Always available:
  it is the way for people the register does not hold (yet) and where no register is configured.
"""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class RegisterAnswer:
    """What a register said about an account's identifier and name.

    ``holds``: the register holds the identifier, in force (a person not deceased or moved out), with
    exactly this name. ``reference``: what was asked (resource code or register), kept on the account.
    """

    holds: bool
    reference: str


class IdentityRegister(Protocol):
    """Answers whether a base register holds an identity (the port ``wiring`` implements)."""

    def check(self, *, kind: str, code: str, name: str, purpose: str) -> RegisterAnswer:
        """Ask whether the register holds ``code`` (a resident ID number when ``kind`` is
        ``"natural"``, a USCC when ``"legal"``) under ``name``; ``purpose`` names the account for the
        read's audit event. Never raises for an unknown person: ``holds`` is False."""
        ...


_register: IdentityRegister | None = None


def register_set(register: IdentityRegister | None) -> None:
    """Set (or, with None, remove) the register that registration asks (``egov.wiring.wire``)."""
    global _register
    _register = register


def register_get() -> IdentityRegister | None:
    """The configured register, or None: then only the service window verifies."""
    return _register
