"""What the service hall announces after a decision commits, for the parts that act on it (双公示 of
licences by ``credit``, issue 16 item 2).

``services`` imports none of its siblings: it defines the hook, and the project package
(``egov.wiring``) sets the listener. The listener runs after the issuing transaction commits (a
rolled-back 办结 announces nothing); a listener that fails is logged and leaves the case concluded
(Django's ``on_commit(robust=True)``).
"""

from collections.abc import Callable

from django.db import transaction

Listener = Callable[..., None]

_licence_listener: Listener | None = None


def licence_listener_set(listener: Listener | None) -> None:
    """Set the function called as ``listener(licence_id=…)`` after a licence is issued (one listener:
    the composition root sets it once; tests may swap it)."""
    global _licence_listener
    _licence_listener = listener


def licence_listener_get() -> Listener | None:
    """The listener set by ``licence_listener_set``, or None."""
    return _licence_listener


def licence_issued(*, licence_id: int) -> None:
    """Announce, once the caller's transaction commits, that the licence ``licence_id`` was issued."""
    listener = _licence_listener
    if listener is not None:
        transaction.on_commit(lambda: listener(licence_id=licence_id), robust=True)
