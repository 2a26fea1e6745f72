"""Events of the service hall that other parts act on, sent after the transaction that caused them
commits (``transaction.on_commit``), so that a listener never sees what was rolled back and its
failure never undoes the service hall's decision. The service hall imports none of its listeners:
the composition root (``egov.wiring``) connects them.

- ``licence_issued``: an e-licence was issued at 办结. Arguments: ``licence`` (the ``Licence``) and
  ``establishment``: for a 设立登记 (the licence brings a company into being) the new company as the
  register records it, else None — ``{"uscc", "name", "entity_type", "legal_representative",
  "registered_capital" (in 万 of CNY, as the form states it), "established_on" (ISO 8601, the day of
  issue), "address", "business_scope", "source" (the licence's name and number), "organization"
  (the issuing organization's name)}``, every value text.
"""

from django.dispatch import Signal

licence_issued = Signal()
