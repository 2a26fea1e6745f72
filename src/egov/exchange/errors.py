"""Errors of the exchange beyond the core family: sizes and timestamping."""

from egov.core.errors import ApplicationError


class MessageTooLarge(ApplicationError):
    """A message body above the node's ``max_message_bytes`` (HTTP 413)."""

    status = 413


class ExchangeUnavailable(ApplicationError):
    """The node cannot log evidence as it must (timestamps overdue past the grace period, or a
    certificate's status cannot be learned): it refuses until that recovers (HTTP 503)."""

    status = 503
