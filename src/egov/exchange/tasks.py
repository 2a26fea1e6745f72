"""Celery tasks of the exchange: named, thin, calling the actions."""

from celery import shared_task

from egov.exchange.actions import grants_expire, requests_remind
from egov.exchange.actions.inquiries import read_inquiries_remind
from egov.exchange.actions.subscriptions import DeliveryPolicy, deliveries_run, local_transport


@shared_task(name="exchange.sharing_daily")
def sharing_daily() -> dict[str, int]:
    """Mark expired grants and tell consumers ahead of an expiry (``grants_expire``); mark overdue
    sharing requests and remind providers near the deadline (``requests_remind``); remind organizations of
    questions about reads due within a working day (``read_inquiries_remind``). Run daily by beat;
    returns the counts together."""
    return {**grants_expire(), **requests_remind(), **read_inquiries_remind()}


@shared_task(name="exchange.subscriptions_deliver")
def subscriptions_deliver() -> dict[str, int]:
    """Deliver the platform's due subscriptions in process (``local_transport``: the consumer's copy
    is in this database). Run every 10 s by beat; returns ``deliveries_run``'s counts."""
    return deliveries_run(transport=local_transport, policy=DeliveryPolicy.from_settings())
