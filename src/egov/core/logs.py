"""Logs as JSON lines (``LOG_FORMAT=json``, the default in production; settings.LOGGING).

One object a line, keys in this order: ``time`` (UTC, ISO 8601 with milliseconds and ``Z``),
``level``, ``logger``, ``message``, ``request_id`` (the ``X-Request-ID`` of the request being served,
``egov.core.context``; "" outside a request), then the request log line's ``method``, ``route``,
``status``, ``duration_ms`` (egov.core.metrics), and ``exc`` (the traceback text) when the record
carries an exception. Non-ASCII text is written as is (UTF-8), one line whatever the message holds.
"""

import datetime
import json
import logging

from egov.core.context import current

REQUEST_FIELDS = ("method", "route", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object (the keys above); never raises on odd arguments."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        entry = {
            "time": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current().request_id,
        }
        for key in REQUEST_FIELDS:  # egov.core.metrics.RequestMetricsMiddleware's line
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
