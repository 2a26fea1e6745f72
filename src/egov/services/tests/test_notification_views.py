"""The applicant's notifications page: each status change, linked to its case, marked read once shown."""

from django.urls import reverse

from egov.facilities.models import Notification
from egov.services.tests.factories import submit


def test_the_page_links_each_message_to_its_case(client, casework):
    case = submit(casework.item, casework.citizen)
    client.force_login(casework.citizen)
    page = client.get(reverse("services:notifications")).content.decode()
    assert case.number in page
    assert f'href="/services/applications/{case.number}/"' in page
    assert not Notification.objects.filter(recipient=casework.citizen, read_at__isnull=True).exists()
    client.force_login(casework.stranger)
    assert case.number not in client.get(reverse("services:notifications")).content.decode()
