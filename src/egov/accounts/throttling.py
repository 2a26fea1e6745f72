"""Sign-in throttling and registration limits, without lockouts (docs/security.md "Sign-in and
registration").

An attacker must not be able to lock a person out: nothing here ever refuses a sign-in because of
what happened from *other* addresses to the same account. Failures cost time instead, counted per
(account, address) and per address, each with a wait that doubles with every failure past a free
allowance (OWASP Authentication Cheat Sheet, "Login Throttling"; NIST SP 800-63B 5.2.2 "Rate
Limiting (Throttling)"). A person who signs in from an address without recent failures, with the
right password, is let in at once, whatever an attacker does elsewhere.

Password spraying (a few guesses at many accounts, OWASP "Credential stuffing" / MITRE ATT&CK
T1110.003) stays under per-account counts; it is caught by a detector over all failures: many
distinct accounts failing, or many failures overall, in a short window. While it fires, the free
allowances drop to none, so every address pays a wait from its first failure on; its onset is
audited (``accounts.session.spraying``).

django-axes (what this replaced) locks out by design: a failure limit and a cool-off in which every
attempt is refused, with one limit for all its lockout parameters and no global detector. That is
the lockout an attacker can turn against users, so this is small code of our own on one table
(``Attempt``), shared by every web process through the database.

Each row of ``Attempt`` records where an attempt came from: the address is taken by
``egov.core.clients.client_address`` (through ``EGOV_TRUSTED_PROXIES`` only), so that behind a
load balancer people do not share one address.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone

from egov.accounts.models import Attempt
from egov.audit.actions import audit_record

_EXPONENT_MAX = 30  # 2**30 seconds is far past any EGOV_SIGNIN_MAX_WAIT


def account_key(username: str) -> str:
    """How a typed sign-in name is counted: without surrounding spaces, case-folded, at most 150
    characters (resident IDs end in X or x; staff names are typed in any case)."""
    return (username or "").strip().casefold()[:150]


def _wait(failures, *, free: int, now) -> int:
    """Seconds left to wait after ``failures`` (a queryset): none while their count is within
    ``free``; then ``EGOV_SIGNIN_BASE_WAIT`` doubled for each failure past ``free`` (2, 4, 8 … s with
    the defaults), at most ``EGOV_SIGNIN_MAX_WAIT``, counted from the latest failure."""
    summary = failures.aggregate(n=Count("pk"), last=Max("at"))
    past = summary["n"] - free
    if past <= 0:
        return 0
    wait = min(settings.EGOV_SIGNIN_BASE_WAIT * 2 ** min(past - 1, _EXPONENT_MAX), settings.EGOV_SIGNIN_MAX_WAIT)
    left = (summary["last"] + timedelta(seconds=wait) - now).total_seconds()
    return max(0, math.ceil(left))


def spraying_detected(*, now=None) -> bool:
    """Whether password spraying is going on: within the last ``EGOV_SIGNIN_SPRAY_WINDOW`` seconds,
    failed or held-back sign-ins named at least ``EGOV_SIGNIN_SPRAY_ACCOUNTS`` distinct accounts, or
    numbered at least ``EGOV_SIGNIN_SPRAY_FAILURES`` overall."""
    now = now or timezone.now()
    recent = Attempt.objects.filter(
        kind__in=[Attempt.Kind.SIGNIN_FAILED, Attempt.Kind.SIGNIN_HELD],
        at__gt=now - timedelta(seconds=settings.EGOV_SIGNIN_SPRAY_WINDOW),
    )
    if recent.count() >= settings.EGOV_SIGNIN_SPRAY_FAILURES:
        return True
    return recent.values("account").distinct().count() >= settings.EGOV_SIGNIN_SPRAY_ACCOUNTS


def signin_wait(*, username: str, address: str) -> int:
    """Seconds this address must wait before a password for ``username`` is checked again (0: now).

    The longer of two waits, each counted over the failures of the last ``EGOV_SIGNIN_WINDOW``
    seconds: per (account, address) after ``EGOV_SIGNIN_FREE_FAILURES_PAIR`` free failures (3), per
    address after ``EGOV_SIGNIN_FREE_FAILURES_ADDRESS`` (10); while ``spraying_detected``, no failure
    is free. Failures of the account from other addresses never count.
    """
    now = timezone.now()
    spraying = spraying_detected(now=now)
    failed = Attempt.objects.filter(
        kind=Attempt.Kind.SIGNIN_FAILED, address=address, at__gt=now - timedelta(seconds=settings.EGOV_SIGNIN_WINDOW)
    )
    pair = _wait(
        failed.filter(account=account_key(username)),
        free=0 if spraying else settings.EGOV_SIGNIN_FREE_FAILURES_PAIR,
        now=now,
    )
    whole = _wait(failed, free=0 if spraying else settings.EGOV_SIGNIN_FREE_FAILURES_ADDRESS, now=now)
    return max(pair, whole)


def signin_failed_note(*, username: str, address: str, held: bool = False) -> None:
    """Count a sign-in refused for a wrong password (``held=False``) or held back unchecked during a
    wait (``held=True``: counted by the spraying detector only, so a waiting attacker's hammering
    does not lengthen the waits). Audits the onset of spraying (``accounts.session.spraying``)."""
    now = timezone.now()
    before = spraying_detected(now=now)
    Attempt.objects.create(
        kind=Attempt.Kind.SIGNIN_HELD if held else Attempt.Kind.SIGNIN_FAILED,
        account=account_key(username),
        address=address,
        at=now,
    )
    if not before and spraying_detected(now=now):
        audit_record(
            action="accounts.session.spraying",
            object_type="accounts.user",
            object_id="",
            summary="password spraying detected: every failed sign-in now costs a wait",
            changes={"window_seconds": settings.EGOV_SIGNIN_SPRAY_WINDOW},
        )


def signin_succeeded_note(*, username: str, address: str) -> None:
    """Forget the failures of this (account, address) pair after the right password: a person who
    mistyped is not slowed down next time. The address's own count stays (an attacker holding one
    account cannot wipe the record of his guesses at others)."""
    Attempt.objects.filter(kind=Attempt.Kind.SIGNIN_FAILED, account=account_key(username), address=address).delete()


def registration_wait(*, address: str) -> int:
    """Seconds until an account may be opened from ``address`` (0: now).

    At most ``EGOV_REGISTRATIONS_PER_ADDRESS_HOUR`` accounts per address in any hour and
    ``EGOV_REGISTRATIONS_PER_MINUTE`` overall in any minute. Registrations without a client
    address (commands, the demo loader, tests calling the action) are not limited; a limit of 0 is none. On PostgreSQL
    the count is taken under a transaction-level advisory lock, so concurrent registrations cannot
    all pass the same count.
    """
    if not address:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REGISTRATION_LOCK_KEY])
    opened = Attempt.objects.filter(kind=Attempt.Kind.REGISTRATION)
    return window_wait(windows=(
        (opened.filter(address=address), settings.EGOV_REGISTRATIONS_PER_ADDRESS_HOUR, 3600),
        (opened, settings.EGOV_REGISTRATIONS_PER_MINUTE, 60),
    ), field="at")


def window_wait(*, windows, field: str, now=None) -> int:
    """Seconds until one more event is allowed under every sliding window (0: now).

    Args:
        windows: ``[(queryset of past events, limit, seconds)]``: at most ``limit`` events in any
            ``seconds``; a limit of 0 is none.
        field: the events' time field (``at`` of an ``Attempt``, ``submitted_at`` of a letter).
        now: the time (default: now).

    Returns:
        0 while each window holds fewer than its limit; else the seconds (at least 1) until the
        oldest of the last ``limit`` events leaves its window. Used by registrations (per address)
        and letters to the mayor (per account).
    """
    now = now or timezone.now()
    waits = [0]
    for rows, limit, seconds in windows:
        if limit <= 0:
            continue
        recent = list(rows.filter(**{f"{field}__gt": now - timedelta(seconds=seconds)})
                      .order_by(f"-{field}").values_list(field, flat=True)[:limit])
        if len(recent) >= limit:
            # The oldest of the last ``limit`` leaves the window first: one more may come then.
            waits.append(max(1, math.ceil((recent[-1] + timedelta(seconds=seconds) - now).total_seconds())))
    return max(waits)


_REGISTRATION_LOCK_KEY = 0x65676F76_72656769  # "egov" "regi"


def registration_note(*, address: str) -> None:
    """Count an account opened from ``address`` (nothing without an address)."""
    if address:
        Attempt.objects.create(kind=Attempt.Kind.REGISTRATION, address=address)


def attempts_prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete attempts older than ``older_than`` (longer than every window); returns how many."""
    deleted, _ = Attempt.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted
