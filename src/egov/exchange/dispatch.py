"""Where subscriptions are delivered from: a provider node's dispatcher process (``egov node
dispatch``, started by ``egov node serve`` beside its listeners), and on the platform the Celery
task ``exchange.subscriptions_deliver`` (``tasks.py``; ``make demo`` runs it, delivering in
process, ``local_transport``).

The dispatcher is one process per node: it alone sends deliveries, so that a node's listeners
(gunicorn, any number of workers) never race for the same events; on PostgreSQL a subscription's
row is also locked for its round (``SKIP LOCKED``), so a second dispatcher started by mistake
delivers other subscriptions, not the same events twice.
"""

import logging
import signal
import threading

import httpx
from django.db import close_old_connections

from egov.core.errors import ApplicationError
from egov.exchange.actions.subscriptions import (
    DELIVER_SERVICE,
    DeliveryFailed,
    DeliveryPolicy,
    Receipt,
    Transport,
    changes_poll,
    deliveries_run,
)
from egov.exchange.config import NodeConfig
from egov.exchange.models import InformationResource, Subscription
from egov.exchange.sources import change_source_get

logger = logging.getLogger(__name__)


def node_policy(config: NodeConfig) -> DeliveryPolicy:
    """The delivery policy of a node's configuration (``backoff_base``, ``backoff_cap``,
    ``max_attempts``, ``max_age``, ``delivery_batch``)."""
    return DeliveryPolicy(base=config.backoff_base, cap=config.backoff_cap, max_attempts=config.max_attempts,
                          max_age=config.max_age, batch=config.delivery_batch)


def node_transport(node) -> Transport:
    """Deliver through ``node`` (``egov.exchange.node.Node``): one signed, logged request
    ``subscription.deliver`` to the consumer's node, purpose ``{"case": "SUB-<id>", "basis": the
    subscription's legal basis}``; the answer must be 200 and acknowledge the events."""

    def send(subscription: Subscription, events: list[dict]) -> Receipt:
        try:
            reply = node.send(receiver=subscription.consumer_code, service=DELIVER_SERVICE, query={"events": events},
                              purpose={"case": f"SUB-{subscription.pk}", "basis": subscription.legal_basis})
        except httpx.HTTPError as exc:
            # Stored as the technical record it is (the status page shows it as written): English, like the reason.
            raise DeliveryFailed(f"The subscriber's node cannot be reached: {str(exc)[:200] or type(exc).__name__}"
                                 ) from None
        except ApplicationError as error:
            raise DeliveryFailed(f"{error.extra.get('rule', error.status)}: {error.message}",
                                 status=error.status) from None
        if reply.status != 200:
            raise DeliveryFailed(f"{reply.status}: {str(reply.body.get('message', ''))[:300]}", status=reply.status,
                                 message_id=reply.message_id)
        acknowledged = reply.body.get("acknowledged")
        return Receipt(acknowledged=frozenset(acknowledged if isinstance(acknowledged, list) else []),
                       message_id=reply.message_id)

    return send


def pollers_run(config: NodeConfig) -> int:
    """Poll every ``[pollers.<name>]`` of ``config`` once; return the events published. A poller
    whose source fails is logged and tried again next round."""
    published = 0
    for spec in config.pollers.values():
        try:
            resource = InformationResource.objects.get(code=spec.resource)
            published += changes_poll(name=spec.name, resource=resource, source=change_source_get(spec.source))
        except Exception:  # a source that is down must not stop the deliveries
            logger.exception("exchange.poller %s (%s) failed", spec.name, spec.resource)
    return published


def dispatcher_run(node, *, stop: threading.Event, rounds: int | None = None) -> None:
    """Poll and deliver every ``subscription_interval`` seconds until ``stop`` is set."""
    policy, transport = node_policy(node.config), node_transport(node)
    done = 0
    while not stop.is_set() and (rounds is None or done < rounds):
        try:
            pollers_run(node.config)
            totals = deliveries_run(transport=transport, policy=policy)
            if totals["delivered"] or totals["failed"] or totals["dead"]:
                logger.info("exchange.dispatch: %s", totals)
        except Exception:  # the database restarting: try again next round
            logger.exception("exchange.dispatch round failed")
        finally:
            close_old_connections()
        done += 1
        stop.wait(node.config.subscription_interval)


def dispatcher_main(node) -> None:
    """Run the dispatcher in this process until SIGTERM or SIGINT (``egov node dispatch``)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    dispatcher_run(node, stop=stop)
