"""Privileged changes to staff accounts go through audited actions (issue 17): the admin shows no
second factor's secret and changes none; resetting a second factor is audited and tells the user."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.actions import (
    staff_backup_codes_issue,
    staff_second_factor_reset,
    staff_totp_confirm,
    staff_totp_enrol,
)
from egov.accounts.models import User
from egov.audit.models import AuditEvent
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.facilities.models import Notification
from egov.orgs.roles import Role

pytestmark = pytest.mark.django_db


def _approver_with_authenticator(department, make_staff):
    approver = make_staff(department, [Role.APPROVER])
    device = staff_totp_enrol(user=approver)
    staff_totp_confirm(user=approver, device=device, token=f"{totp(device.bin_key):06d}")
    return approver, device


@pytest.fixture
def admin_client(client, city, make_staff):
    """An operator of the city who may use the admin (a superuser), signed in with a backup code."""
    operator = make_staff(city, [Role.OPERATOR], username="operator")
    User.objects.filter(pk=operator.pk).update(is_staff=True, is_superuser=True)
    staff_backup_codes_issue(actor=None, user=operator, codes=["97531864"])
    client.post("/staff/login/", {"username": "operator", "password": "correct-horse-2026"})
    assert client.post("/staff/login/code/", {"token": "97531864"}).status_code == 302
    client.operator = operator
    return client


def test_the_admin_never_shows_another_users_totp_key(admin_client, department, make_staff):
    """Found by a tester: django-otp's admin showed another staff member's TOTP key (and its QR code)."""
    _approver, device = _approver_with_authenticator(department, make_staff)
    listing = admin_client.get("/admin/otp_totp/totpdevice/")
    assert listing.status_code == 200
    change = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert change.status_code == 200
    for html in (listing.content.decode(), change.content.decode()):
        assert device.key not in html and device.key.upper() not in html
        assert "qrcode" not in html and 'name="key"' not in html
    for view in ("config", "qrcode"):
        assert admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{view}/").status_code in (302, 404)


def test_the_admin_adds_no_backup_code_and_edits_no_device(admin_client, department, make_staff):
    """Found by a tester: an operator added a backup code to another staff member's account in the
    admin, and the audit log recorded nothing."""
    approver, device = _approver_with_authenticator(department, make_staff)
    staff_backup_codes_issue(actor=None, user=approver, codes=["11223344"])
    backup = StaticDevice.objects.get(user=approver)
    before = AuditEvent.objects.count()
    assert admin_client.get("/admin/otp_static/staticdevice/add/").status_code == 403
    assert (
        admin_client.post(
            "/admin/otp_static/staticdevice/add/", {"user": approver.pk, "name": "mine", "confirmed": "on"}
        ).status_code
        == 403
    )
    change = admin_client.get(f"/admin/otp_static/staticdevice/{backup.pk}/change/")
    assert change.status_code == 200 and "11223344" not in change.content.decode()
    posted = admin_client.post(
        f"/admin/otp_static/staticdevice/{backup.pk}/change/",
        {
            "user": approver.pk,
            "name": "backup",
            "confirmed": "on",
            "token_set-TOTAL_FORMS": "1",
            "token_set-INITIAL_FORMS": "0",
            "token_set-0-token": "99990000",
        },
    )
    assert posted.status_code == 403
    assert (
        admin_client.post(
            f"/admin/otp_totp/totpdevice/{device.pk}/change/", {"user": approver.pk, "name": "mine", "key": "00" * 20}
        ).status_code
        == 403
    )
    assert list(StaticToken.objects.filter(device__user=approver).values_list("token", flat=True)) == ["11223344"]
    assert TOTPDevice.objects.get(pk=device.pk).key == device.key
    assert AuditEvent.objects.count() == before
    # Django's groups carry no right here and are not offered for editing.
    assert admin_client.get("/admin/auth/group/add/").status_code == 404


def test_resetting_a_second_factor_in_the_admin_is_audited_and_tells_the_user(admin_client, department, make_staff):
    approver, _device = _approver_with_authenticator(department, make_staff)
    staff_backup_codes_issue(actor=None, user=approver, codes=["11223344"])
    response = admin_client.post(
        "/admin/accounts/user/", {"action": "second_factor_reset", "_selected_action": [approver.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=approver).exists()
    assert not StaticDevice.objects.filter(user=approver).exists()
    event = AuditEvent.objects.get(action="accounts.second_factor.reset")
    assert (event.actor_id, event.object_type, event.object_id) == (
        admin_client.operator.pk,
        "accounts.user",
        str(approver.pk),
    )
    assert event.changes == {"totp_devices": 1, "backup_devices": 1, "reason": "admin"}
    (notice,) = Notification.objects.filter(recipient=approver)
    assert notice.subject == "您的第二认证因素已被重置"
    assert notice.subject_en == "Your second factor was reset"
    assert "operator" in notice.body and "operator" in notice.body_en


def test_only_an_operator_over_the_user_resets_a_second_factor(city, department, make_staff):
    approver, device = _approver_with_authenticator(department, make_staff)
    clerk = make_staff(department, [Role.CLERK])
    with pytest.raises(PermissionDenied):
        staff_second_factor_reset(actor=clerk, user=approver)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not AuditEvent.objects.filter(action="accounts.second_factor.reset").exists()


def test_a_citizen_has_no_second_factor_to_reset(citizen):
    with pytest.raises(ValidationFailed) as info:
        staff_second_factor_reset(actor=None, user=citizen.user)
    assert info.value.extra == {"field": "user", "rule": "staff_only"}


def test_backup_codes_issued_by_an_operator_tell_the_user(city, department, make_staff):
    approver = make_staff(department, [Role.APPROVER])
    operator = make_staff(city, [Role.OPERATOR])
    staff_backup_codes_issue(actor=operator, user=approver, codes=["55556666"])
    (notice,) = Notification.objects.filter(recipient=approver)
    assert notice.subject_en == "Backup codes were issued for your account"
    # issued by the platform (the demo, a command): nobody else acted, nobody to warn
    staff_backup_codes_issue(actor=None, user=approver, codes=["77778888"])
    assert Notification.objects.filter(recipient=approver).count() == 1
