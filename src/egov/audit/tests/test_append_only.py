"""The audit log refuses UPDATE and DELETE on PostgreSQL (migration 0002's trigger).

Regression: the migration once passed its SQL with an empty parameter tuple, so psycopg read the
``%`` of ``RAISE EXCEPTION '… % refused'`` as a placeholder and the migration failed on PostgreSQL.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from egov.audit.actions import audit_record
from egov.audit.models import AuditEvent


@pytest.mark.django_db
def test_update_and_delete_are_refused():
    assert connection.vendor == "postgresql"  # the suite runs on PostgreSQL, where the trigger lives
    event = audit_record(action="test.event.record", summary="kept")
    with pytest.raises(DatabaseError, match="append-only: UPDATE refused"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="changed")
    with pytest.raises(DatabaseError, match="append-only: DELETE refused"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "kept"
