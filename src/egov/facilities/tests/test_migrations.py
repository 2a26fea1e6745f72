"""The handover of the notification and stored-file tables from ``services`` keeps every row
(services migration 0006): a case's notification gets a link to the case's page."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# accounts goes back too: the historical User of that state lacks the later NOT NULL columns
# (accounts 0003, real-name verification), which the rows created here would leave empty.
BEFORE = [("services", "0005_timeline_note_keys"), ("accounts", "0001_initial")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_rows_survive_the_handover():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    User = old.get_model("accounts", "User")
    Application = old.get_model("services", "Application")
    Notification = old.get_model("services", "Notification")
    StoredFile = old.get_model("services", "StoredFile")
    person = User.objects.create(username="11010519491231002X", kind="natural", name="张三")
    stored = StoredFile.objects.create(sha256="a" * 64, size=15, kind="pdf", created_by=person)
    Organization = old.get_model("orgs", "Organization")
    ServiceItem = old.get_model("services", "ServiceItem")
    division = old.get_model("orgs", "Division").objects.filter(code="320200").first()
    organization = Organization.objects.create(name="无锡市行政审批局", kind="department", path="0001",
                                               division=division)
    item = ServiceItem.objects.create(organization=organization, code="1" * 32, name="测试事项", item_type="license",
                                      promised_limit_days=5, online_depth=4)
    case = Application.objects.create(number="320200001-20260928-0000017", item=item, organization=organization,
                                      applicant=person, applicant_name="张三", submitted_by=person,
                                      idempotency_key="k" * 8, limit_days=5, submitted_at=timezone.now())
    with_case = Notification.objects.create(recipient=person, application=case, subject="办件已受理", body="b")
    without = Notification.objects.create(recipient=person, subject="依申请公开", body="c")

    MigrationExecutor(connection).migrate(latest)

    from egov.facilities.models import Notification as Moved
    from egov.facilities.models import StoredFile as MovedFile

    moved = Moved.objects.get(pk=with_case.pk)
    assert (moved.subject, moved.link_name, moved.link_args) == ("办件已受理", "services:application",
                                                                 ["320200001-20260928-0000017"])
    assert Moved.objects.get(pk=without.pk).link_name == ""
    assert MovedFile.objects.get(pk=stored.pk).sha256 == "a" * 64
