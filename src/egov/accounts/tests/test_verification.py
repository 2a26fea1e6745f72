"""Real-name verification (实名认证, issue 17) inside accounts: the window's action and page, the
platform's import, the state on the account pages, the refusal for an unverified account. The
register side (the port wired to the population register) is tested on the demo city in
tests/test_real_name.py."""

import pytest

from egov.accounts.actions import account_verification_import, account_verify_in_person
from egov.accounts.models import User
from egov.accounts.permissions import require_verified_public_user
from egov.accounts.tests.factories import NaturalPersonFactory
from egov.audit.models import AuditEvent
from egov.core.actors import SYSTEM
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.orgs.roles import Role

pytestmark = pytest.mark.django_db
WINDOW = "/staff/accounts/verify/"


@pytest.fixture
def unverified():
    return NaturalPersonFactory(name="赵𠮷", verified=False).user


@pytest.fixture
def clerk(department, make_staff):
    return make_staff(department, [Role.CLERK], username="window1")


def test_an_unverified_account_is_refused_naming_the_rule_and_the_way(unverified):
    with pytest.raises(PermissionDenied) as refused:
        require_verified_public_user(unverified)
    assert refused.value.extra == {"rule": "unverified", "verify": "/accounts/me/verify/"}
    account_verification_import(actor=SYSTEM, user=unverified, method="in_person", reference="migrated")
    require_verified_public_user(unverified)  # no error now


def test_the_clerk_verifies_once_with_a_known_document(unverified, clerk):
    with pytest.raises(ValidationFailed) as wrong:
        account_verify_in_person(actor=clerk, user=unverified, document="passport")
    assert wrong.value.extra == {"field": "document", "rule": "choice"}
    user = account_verify_in_person(actor=clerk, user=unverified, document="resident_id_card")
    user.refresh_from_db()
    assert (user.verification_method, user.verification_reference) == ("in_person",
                                                                       "resident_id_card checked by window1")
    event = AuditEvent.objects.get(action="accounts.user.verify")
    assert (event.actor_id, event.changes["method"]) == (clerk.pk, "in_person")
    with pytest.raises(Conflict):
        account_verify_in_person(actor=clerk, user=user, document="resident_id_card")


def test_a_staff_account_is_not_verified_and_only_the_platform_imports(unverified, clerk):
    with pytest.raises(ValidationFailed):
        account_verify_in_person(actor=clerk, user=clerk, document="resident_id_card")
    with pytest.raises(PermissionDenied):
        account_verification_import(actor=clerk, user=unverified, method="in_person", reference="x")
    with pytest.raises(ValidationFailed):
        account_verification_import(actor=SYSTEM, user=unverified, method="face", reference="x")


def test_the_window_page_finds_confirms_and_says_so(client, unverified, clerk, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(clerk)
    page = client.get(WINDOW)
    assert page.status_code == 200 and "窗口实名认证" in page.content.decode()
    missing = client.post(WINDOW, {"identifier": "110105194912310021", "lookup": "1"})
    assert missing.status_code == 400 and "没有使用此登录名的自然人或法人账户。" in missing.content.decode()
    found = client.post(WINDOW, {"identifier": unverified.username, "lookup": "1"})
    html = found.content.decode()
    assert found.status_code == 200 and "赵𠮷" in html and "未认证" in html and 'name="confirm"' in html
    done = client.post(WINDOW, {"identifier": unverified.username, "confirm": "1", "document": "resident_id_card",
                                "matches": "on"}, follow=True)
    assert "赵𠮷 已通过实名认证。" in done.content.decode()
    assert User.objects.get(pk=unverified.pk).verification_method == "in_person"


def test_the_account_pages_show_the_state(client, unverified, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(unverified)
    html = client.get("/accounts/me/verify/").content.decode()
    assert "未认证" in html and "如何完成实名认证" in html
    account_verification_import(actor=SYSTEM, user=unverified, method="register", reference="register:population")
    html = client.get("/accounts/me/").content.decode()
    assert "已认证" in html and "人口或法人单位基础信息库比对" in html
    english = client.get("/accounts/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Verified" in english and "Population or legal-entity register" in english
