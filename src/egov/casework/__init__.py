"""The clerk's workbench above the business apps: one inbox of workflow tasks, cases (办件) and
received 公文 waiting for 签收; the generic task page and the staff task API, which carry out a
task's subject's own action (``dispatch``). It may read ``services``, ``documents`` and ``portal``
(the business apps do not import each other)."""
