"""Writes of the exchange app, by sub-domain: the catalog (``catalog``), grants (``grants``),
sharing requests (``requests``) and the platform's own query (``query``). Callers import from here
or from the module."""

from egov.exchange.actions.catalog import catalog_import, resource_publish
from egov.exchange.actions.grants import grant_create, grant_revoke, grants_expire
from egov.exchange.actions.query import QueryAnswer, exchange_query
from egov.exchange.actions.requests import request_decide, request_submit, request_withdraw, requests_remind

__all__ = ["QueryAnswer", "catalog_import", "exchange_query", "grant_create", "grant_revoke", "grants_expire",
           "request_decide", "request_submit", "request_withdraw", "requests_remind", "resource_publish"]
