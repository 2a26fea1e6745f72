"""Shared facilities (共用设施): the machinery every business app needs, one way each.

Below ``trust``, ``workflow`` and the business apps, above ``core``, ``audit``, ``orgs`` and
``accounts``; it imports nothing of the apps above it. Its modules:

- ``notifications``: the site message and its e-mail after commit (``notification_send``), the
  inbox of anyone, citizen or staff (``notifications_of``, ``notifications_mark_read``);
- ``files``: the content-addressed store of uploaded files (``file_store``), checked by their bytes
  against a ``FileSpec`` (allowed kinds, largest size); who may download is the owner app's call;
- ``numbering``: counters, gapless (发文字号) or gap-tolerant (办件编号, request numbers);
- ``idempotency``: one submission per client key, a replay with another body refused (409);
- ``transitions``: a declarative table of an object kind's moves and the one function that makes a
  move (lock, check, save, timeline line, audit, notify).
"""
