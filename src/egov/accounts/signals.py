"""Events of accounts that apps above it act on, connected explicitly in ``egov.wiring.wire``.

``second_factor_changed`` is sent inside the action's transaction when someone other than the user
changed the user's second factors (an operator issued backup codes, or reset them), with the keyword
arguments ``user`` (the staff user whose factors changed), ``actor`` (who changed them) and
``change`` (``"reset"`` or ``"backup_codes"``). The wiring tells the user (a notification), so that
a change the user did not ask for does not go unseen (issue 17).
"""

from django.dispatch import Signal

second_factor_changed = Signal()
