"""Who acts: a person (a ``User``) or the platform itself.

The platform acts on its own in scheduled runs (deadlines passed, reminders), in the workflow engine
and when it loads reference data or runs a command. Those calls say ``actor=SYSTEM`` and checks say
``is_system(actor)``, so that a reader sees the platform named where it acts. ``SYSTEM`` is ``None``
underneath, as the audit log has always recorded the platform (an event without an actor, labelled
``actor_label``): no stored row changes meaning.
"""

from typing import Final

SYSTEM: Final = None


def is_system(actor) -> bool:
    """True when ``actor`` is the platform (``SYSTEM``)."""
    return actor is SYSTEM
