"""Matching a record's subject against the base registers (issue 16 item 1, "Bad input").

``credit`` imports no sibling: it defines the hook, and the project package (``egov.wiring``) sets it
to a matcher that asks the population and legal-entity registers. A record whose subject the
registers do not know is held for matching and not published. Without a matcher (a test of credit
alone) no subject is known, so nothing is published unmatched.
"""

from collections.abc import Callable

# (subject kind "legal" | "natural", code, purpose {"case", "basis"}, organization) → known?
Matcher = Callable[..., bool]

# The legal basis stated when the registers are asked about a subject.
BASIS = "《国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见》（国办发〔2020〕49号）"

_matcher: Matcher | None = None


def matcher_set(matcher: Matcher | None) -> None:
    """Set the matcher (the composition root does, once, when the apps are ready; tests may swap it).

    The matcher is called as ``matcher(subject_kind=…, code=…, organization=…, purpose={"case",
    "basis"})`` and returns whether the registers know the subject."""
    global _matcher
    _matcher = matcher


def matcher_get() -> Matcher | None:
    """The matcher set by ``matcher_set``, or None."""
    return _matcher


def subject_known(*, subject_kind: str, code: str, organization, case: str) -> bool:
    """Whether the registers know the subject ``code`` (USCC or resident ID), asked for ``organization``
    with the record's number ``case`` as purpose; False when no matcher is set."""
    if _matcher is None:
        return False
    return bool(
        _matcher(
            subject_kind=subject_kind, code=code, organization=organization, purpose={"case": case, "basis": BASIS}
        )
    )
