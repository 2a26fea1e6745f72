"""Monitoring: ``/metrics`` for Prometheus (staff site only), liveness and readiness
(docs/operations.md, "Monitoring"). Reads every part; nothing imports it but the URLconfs."""
