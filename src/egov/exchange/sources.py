"""Named record sources: where a service finds its records when they are not in a CSV file.

A source is a function ``lookup(*, key, consumer, consumer_code, purpose) -> dict | None`` that
returns the record whose identifier is ``key`` (a dict of JSON values keyed by the resource's 信息项
field names) or None. ``consumer`` is the asking ``Organization`` when this database knows it (else
None) and ``consumer_code`` its unified social credit code; ``purpose`` is ``{"case", "basis"}``.
A source reads personal data, so it audits the read itself (with the consumer and the purpose).

The exchange knows no source of its own: the project package (the composition root,
``egov.wiring``) registers the base registers' lookups (``population``, ``legal_entity``) and the
service hall's e-licences (``licence``) when the apps are ready, by explicit calls. A node's
service names one with ``source = "population"`` in its configuration (``config.py``), beside
``csv = …`` for CSV services (``records.csv_lookup``).
"""

from collections.abc import Callable

from django.utils.translation import gettext as _

from egov.core.errors import NotFound

RecordSource = Callable[..., dict | None]

_sources: dict[str, RecordSource] = {}


def record_source_register(*, name: str, lookup: RecordSource) -> None:
    """Make ``lookup`` the source called ``name`` (a later registration of the name replaces it)."""
    _sources[name] = lookup


def record_source_names() -> list[str]:
    """The names of the registered sources, sorted."""
    return sorted(_sources)


def record_source_read(*, name: str, key: str, consumer_code: str, purpose: dict, consumer=None) -> dict | None:
    """The record ``key`` of source ``name``, read for ``consumer_code`` with ``purpose``; None if none.

    Raises:
        NotFound: no source of that name is registered (``extra["source"]``).
    """
    lookup = _sources.get(name)
    if lookup is None:
        raise NotFound(_("This node has no such record source."), extra={"source": name})
    return lookup(key=key, consumer=consumer, consumer_code=consumer_code, purpose=purpose)


# Change sources: what a node's pollers read (``[pollers.<name>]`` in its configuration). A factory
# ``() -> ChangeSource`` (``actions.subscriptions.ChangeSource``: ``changes_since(cursor)``), registered
# by the composition root like the record sources; ``adapter:<code>`` names a resource source's change
# column (``resource_sources.SourceChanges``) without registration.

_change_sources: dict[str, Callable[[], object]] = {}


def change_source_register(*, name: str, factory: Callable[[], object]) -> None:
    """Make ``factory`` (returning an object with ``changes_since``) the change source ``name``."""
    _change_sources[name] = factory


def change_source_get(name: str):
    """A new change source ``name``.

    Raises:
        NotFound: no change source of that name is registered (``extra["source"]``).
    """
    if name.startswith("adapter:"):  # a resource source's change column (issue 20 item 1)
        from egov.exchange.resource_sources import SourceChanges

        return SourceChanges(name.removeprefix("adapter:"))
    factory = _change_sources.get(name)
    if factory is None:
        raise NotFound(_("This node has no such change source."), extra={"source": name})
    return factory()
