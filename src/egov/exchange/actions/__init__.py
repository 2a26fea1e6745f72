"""Writes of the exchange app, by sub-domain: the catalog (``catalog``), grants (``grants``) and
sharing requests (``requests``). Callers import from here or from the module."""

from egov.exchange.actions.catalog import catalog_import, resource_publish
from egov.exchange.actions.grants import grant_create, grant_revoke, grants_expire
from egov.exchange.actions.requests import request_decide, request_submit, request_withdraw, requests_remind

__all__ = ["catalog_import", "grant_create", "grant_revoke", "grants_expire", "request_decide", "request_submit",
           "request_withdraw", "requests_remind", "resource_publish"]
