"""What one online submission costs the database (issue 18 item 2: less work per case).

Runs without a test transaction around it (``transactional_db``), as a worker runs: each
submission's own transactions commit, and the per-process caches that live across cases (the
organization's case code, the item's materials, the working-day calendar, the parsed BPMN) are
filled by a first case, as in a worker that has handled one case of the item before.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.services.models import ServiceItem
from egov.services.tests.factories import required_files, submit


def test_one_submission_costs_the_queries_worked_out_by_hand(casework, transactional_db):
    submit(casework.item, casework.citizen, key="warm-up-000001")
    item = ServiceItem.objects.get(pk=casework.item.pk)  # as a worker reads the item of each intake record
    files = required_files(item)
    with CaptureQueriesContext(connection) as captured:
        submit(item, casework.stranger, key="counted-000001", files=files)
    for query in captured.captured_queries:
        print(query["sql"][:200])
    assert len(captured) == -1
