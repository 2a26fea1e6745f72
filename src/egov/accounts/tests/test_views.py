"""Registration and sign-in pages: form errors naming the rule, the staff TOTP step, throttling."""

import re

import pytest
from django.urls import clear_url_caches, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.actions import staff_backup_codes_issue
from egov.accounts.models import NaturalPerson, User
from egov.accounts.tests.factories import PASSWORD
from egov.audit.models import AuditEvent
from egov.orgs.roles import Role

pytestmark = pytest.mark.django_db

EXT_B = "\U00020bb7"  # 𠮷
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
REGISTER = "/accounts/register/person/"
STAFF_LOGIN = "/staff/login/"
STAFF_CODE = "/staff/login/code/"
STAFF_ENROL = "/staff/login/enrol/"


def field_error(html: str, field: str) -> str:
    """The text of the error shown next to ``field`` (``_form.html``: ``<p id="id_<field>_error">``, after
    a visually hidden "Error:" for screen readers)."""
    match = re.search(rf'<p class="govuk-error-message" id="id_{field}_error">'
                      r'<span class="govuk-visually-hidden">[^<]*</span> (.*?)</p>', html, re.S)
    return match.group(1) if match else ""


def counts():
    return User.objects.count(), NaturalPerson.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize(("id_number", "message"), [
    ("11010519491231002", "An ID number is 17 digits followed by a digit or X."),
    ("1101051949123100X2", "An ID number is 17 digits followed by a digit or X."),
    ("110105194912310021", "The check character (last character) of this ID number is wrong."),
    ("320213199902290018", "The birth date in this ID number is not a real date."),
    ("320213209912310015", "The birth date in this ID number is impossible."),
    ("990000199001010017", "The address code 990000 was never a GB/T 2260 division code."),
])
def test_bad_id_number_shows_the_rule_next_to_the_field(client, id_number, message):
    before = counts()
    response = client.post(REGISTER, {"id_number": id_number, "name": "李四", "password": PASSWORD}, **EN)
    assert response.status_code == 400
    assert field_error(response.content.decode(), "id_number") == message
    assert counts() == before
    assert "_auth_user_id" not in client.session


def test_registration_signs_in_and_the_profile_shows_an_extension_b_name(client):
    response = client.post(REGISTER, {"id_number": "11010519491231002x", "name": f"张{EXT_B}明", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/accounts/me/")
    profile = client.get("/accounts/me/")
    html = profile.content.decode()
    assert f'<dd class="govuk-summary-list__value">张{EXT_B}明</dd>' in html
    assert '<dd class="govuk-summary-list__value">11010519491231002X</dd>' in html
    assert NaturalPerson.objects.get().name == f"张{EXT_B}明"


def test_the_profile_says_which_enterprises_the_person_acts_for(client):
    """Found by a tester: /accounts/me/ did not say that the citizen is the agent of an enterprise."""
    from egov.accounts.actions import legal_person_register, natural_person_register

    person = natural_person_register(id_number="11010519491231002X", name="李四", password=PASSWORD)
    client.force_login(person.user)
    assert "91320213MA1X2Y3W4U" not in client.get("/accounts/me/").content.decode()
    legal_person_register(uscc="91320213MA1X2Y3W4U", name="无锡示范科技有限公司", legal_representative="王建国",
                          password=PASSWORD, agent=person)
    html = client.get("/accounts/me/").content.decode()
    assert "代办的企业" in html
    assert "无锡示范科技有限公司（统一社会信用代码 91320213MA1X2Y3W4U）" in html


def test_registration_goes_on_to_where_the_user_was_going(client, settings):
    """Found by a tester: registering from a "sign in to apply" link forgot the apply form. The sign-in
    page's register link, both registration pages and their switch link carry ``next``."""
    target = "/services/CODE/apply/"
    login_page = client.get(f"/accounts/login/?next={target}").content.decode()
    assert 'href="/accounts/register/person/?next=/services/CODE/apply/"' in login_page
    page = client.get(f"{REGISTER}?next={target}").content.decode()
    assert '<input type="hidden" name="next" value="/services/CODE/apply/">' in page
    assert 'href="/accounts/register/legal-person/?next=/services/CODE/apply/"' in page
    response = client.post(REGISTER, {"id_number": "11010519491231002X", "name": "李四", "password": PASSWORD,
                                      "next": target})
    assert (response.status_code, response["Location"]) == (302, target)
    client.post("/accounts/logout/")
    response = client.post("/accounts/register/legal-person/", {
        "uscc": "91110000600037341L", "name": "示例有限公司", "legal_representative": "王建国",
        "password": PASSWORD, "next": "https://elsewhere.example/"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/me/")


def test_registration_refuses_a_ten_digit_mobile_number(client):
    response = client.post(REGISTER, {"id_number": "11010519491231002X", "name": "李四", "password": PASSWORD,
                                      "phone": "1380000000"}, **EN)
    assert response.status_code == 400
    assert field_error(response.content.decode(), "phone") == "A mobile number is 11 digits starting with 13 to 19."
    assert not User.objects.exists()


def test_register_legal_person_page(client):
    page = "/accounts/register/legal-person/"
    fields = {"uscc": "91110000600037341M", "name": "示例有限公司", "legal_representative": "王建国",
              "password": PASSWORD}
    response = client.post(page, fields, **EN)
    message = "The check character (last character) of this code is wrong."
    assert field_error(response.content.decode(), "uscc") == message
    # A resident ID number that satisfies the USCC checksum: the page names the pair rule (issue 19).
    response = client.post(page, fields | {"uscc": "152102198001010569"}, **EN)
    assert field_error(response.content.decode(), "uscc") == (
        "The type character 5 is not one that registration authority 1 (机构编制) issues; it issues 1 机关、"
        "2 事业单位、3 中央编办直接管理机构编制的群众团体、9 其他 (GB 32100-2015 Table 1).")
    response = client.post(page, fields | {"uscc": "91110000600037341L"})
    assert response.status_code == 302


def test_profile_needs_a_public_sign_in(client, department, make_staff):
    assert client.get("/accounts/me/")["Location"] == "/accounts/login/?next=/accounts/me/"
    client.force_login(make_staff(department, [Role.CLERK]))
    assert client.get("/accounts/me/")["Location"] == "/accounts/login/?next=/accounts/me/"


def test_citizen_signs_in_publicly_but_not_on_the_staff_site(client, citizen):
    response = client.post(STAFF_LOGIN, {"username": citizen.id_number, "password": PASSWORD}, **EN)
    assert response.status_code == 400
    assert "The sign-in name or the password is wrong." in response.content.decode()
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login/", {"username": citizen.id_number, "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/accounts/me/")
    assert AuditEvent.objects.filter(action="accounts.session.login", actor_id=citizen.user_id).exists()
    assert client.get("/staff/")["Location"].startswith("/staff/login/")


def test_staff_cannot_use_the_public_sign_in(client, department, make_staff):
    make_staff(department, [Role.CLERK], username="clerk1")
    response = client.post("/accounts/login/", {"username": "clerk1", "password": PASSWORD}, **EN)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_clerk_without_an_mfa_role_signs_in_directly(client, department, make_staff):
    clerk = make_staff(department, [Role.CLERK], username="clerk1", name="窗口受理员李娜")
    response = client.post(STAFF_LOGIN, {"username": "clerk1", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/staff/")
    home = client.get("/staff/").content.decode()
    assert "窗口受理员李娜" in home and "无锡市行政审批局" in home
    event = AuditEvent.objects.filter(action="accounts.session.login").get()
    assert (event.actor_id, event.changes) == (clerk.pk, {"mfa": False})


def test_approver_without_a_device_enrols_over_http(client, department, make_staff):
    approver = make_staff(department, [Role.APPROVER], username="approver1", name="审批科长陈刚")
    response = client.post(STAFF_LOGIN, {"username": "approver1", "password": PASSWORD})
    assert response["Location"] == STAFF_ENROL
    assert client.get("/staff/")["Location"].startswith("/staff/login/")  # not signed in yet
    page = client.get(STAFF_ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=approver, confirmed=False)
    assert "<svg" in page.content.decode()
    assert page.context["secret"] in device.config_url
    assert client.post(STAFF_ENROL, {"token": f"{(totp(device.bin_key) + 1) % 10**6:06d}"}).status_code == 400
    device.throttle_reset()
    response = client.post(STAFF_ENROL, {"token": f"{totp(device.bin_key):06d}"})
    assert (response.status_code, response["Location"]) == (302, "/staff/")
    assert "审批科长陈刚" in client.get("/staff/").content.decode()
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    event = AuditEvent.objects.filter(action="accounts.session.login").get()
    assert (event.actor_id, event.changes) == (approver.pk, {"mfa": True})


def test_approver_with_a_device_passes_the_code_step(client, department, make_staff):
    approver = make_staff(department, [Role.APPROVER], username="approver1")
    device = TOTPDevice.objects.create(user=approver, name="app", confirmed=True)
    response = client.post(STAFF_LOGIN, {"username": "approver1", "password": PASSWORD, "next": "/staff/?tab=1"})
    assert response["Location"] == STAFF_CODE
    wrong = client.post(STAFF_CODE, {"token": f"{(totp(device.bin_key) + 1) % 10**6:06d}"}, **EN)
    assert wrong.status_code == 400
    assert field_error(wrong.content.decode(), "token") == "The code is wrong or has expired."
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(STAFF_CODE, {"token": f"{totp(device.bin_key):06d}"})
    assert (response.status_code, response["Location"]) == (302, "/staff/?tab=1")
    assert client.get("/staff/").status_code == 200


def test_enrolment_cannot_bypass_an_existing_second_factor(client, department, make_staff):
    """With only the password, the enrolment page must not hand out a new authenticator when the
    user has one (or backup codes): that would make the second factor worthless."""
    approver = make_staff(department, [Role.APPROVER], username="approver1")
    TOTPDevice.objects.create(user=approver, name="app", confirmed=True)
    client.post(STAFF_LOGIN, {"username": "approver1", "password": PASSWORD})
    response = client.get(STAFF_ENROL)
    assert (response.status_code, response["Location"]) == (302, STAFF_CODE)
    assert not TOTPDevice.objects.filter(user=approver, confirmed=False).exists()


def test_backup_codes_are_single_use(client, department, make_staff):
    approver = make_staff(department, [Role.APPROVER], username="approver1")
    staff_backup_codes_issue(actor=None, user=approver, codes=["24681357", "13572468"])
    client.post(STAFF_LOGIN, {"username": "approver1", "password": PASSWORD})
    assert client.post(STAFF_CODE, {"token": "24681357"})["Location"] == "/staff/"
    client.post("/staff/logout/")
    assert client.get("/staff/").status_code == 302
    client.post(STAFF_LOGIN, {"username": "approver1", "password": PASSWORD})
    assert client.post(STAFF_CODE, {"token": "24681357"}).status_code == 400
    approver.staticdevice_set.get().throttle_reset()
    assert client.post(STAFF_CODE, {"token": "13572468"})["Location"] == "/staff/"


def test_used_up_backup_codes_do_not_open_enrolment_on_the_password_alone(client, department, make_staff):
    """Found by a tester: once the last backup code was used, the password step led to the enrolment
    page, so a password alone could set up a new second factor."""
    approver = make_staff(department, [Role.APPROVER], username="approver1")
    staff_backup_codes_issue(actor=None, user=approver, codes=["24681357"])
    client.post(STAFF_LOGIN, {"username": "approver1", "password": PASSWORD})
    assert client.post(STAFF_CODE, {"token": "24681357"})["Location"] == "/staff/"
    client.post("/staff/logout/")
    response = client.post(STAFF_LOGIN, {"username": "approver1", "password": PASSWORD}, **EN)
    assert response.status_code == 400
    assert "ask an operator for new backup codes" in response.content.decode()
    assert client.get(STAFF_ENROL)["Location"] == STAFF_LOGIN
    assert not TOTPDevice.objects.filter(user=approver).exists()
    event = AuditEvent.objects.filter(action="accounts.session.login_failed").latest("seq")
    assert (event.object_id, event.changes) == ("approver1", {"reason": "no_second_factor_left"})


def test_a_session_that_passed_a_backup_code_may_set_up_an_authenticator(client, department, make_staff):
    approver = make_staff(department, [Role.APPROVER], username="approver1")
    staff_backup_codes_issue(actor=None, user=approver, codes=["24681357"])
    client.post(STAFF_LOGIN, {"username": "approver1", "password": PASSWORD})
    client.post(STAFF_CODE, {"token": "24681357"})
    assert client.get(STAFF_ENROL).status_code == 200
    device = TOTPDevice.objects.get(user=approver, confirmed=False)
    response = client.post(STAFF_ENROL, {"token": f"{totp(device.bin_key):06d}"})
    assert response["Location"] == "/staff/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed


def test_refused_sign_ins_are_audited(client, citizen, department, make_staff):
    make_staff(department, [Role.APPROVER], username="approver1")
    client.post(STAFF_LOGIN, {"username": "approver1", "password": "wrong-password"})
    client.post(STAFF_LOGIN, {"username": citizen.id_number, "password": PASSWORD})
    client.post(STAFF_LOGIN, {"username": "approver1", "password": PASSWORD})
    client.post(STAFF_CODE, {"token": "000000"})
    reasons = [(e.object_id, e.changes["reason"]) for e in AuditEvent.objects.filter(
        action="accounts.session.login_failed").order_by("seq")]
    assert reasons == [("approver1", "password"), (citizen.id_number, "wrong_site"), ("approver1", "second_factor")]


def test_repeated_wrong_codes_say_how_long_to_wait(client, department, make_staff):
    """django-otp doubles the wait after each wrong code (1 s, 2 s, 4 s…); a right code typed during
    the wait is refused too, so the page says when to try again."""
    approver = make_staff(department, [Role.APPROVER], username="approver1")
    device = TOTPDevice.objects.create(user=approver, name="app", confirmed=True)
    client.post(STAFF_LOGIN, {"username": "approver1", "password": PASSWORD})
    wrong = {"token": f"{(totp(device.bin_key) + 1) % 10**6:06d}"}
    assert field_error(client.post(STAFF_CODE, wrong, **EN).content.decode(), "token") == \
        "The code is wrong or has expired."
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)  # the 1 s wait is over
    second = field_error(client.post(STAFF_CODE, wrong, **EN).content.decode(), "token")
    assert second == "Too many wrong codes: wait 2 seconds, then try again."


def test_a_right_backup_code_right_after_a_wrong_one_is_accepted(client, department, make_staff):
    """Found by a tester: after one wrong try a right backup code was refused as "wrong or expired"
    (django-otp's wait after a failure); one wrong code is forgiven, and an authenticator code is
    never tried against the backup codes (where it counted as a wrong one)."""
    approver = make_staff(department, [Role.APPROVER], username="approver1")
    staff_backup_codes_issue(actor=None, user=approver, codes=["24681357", "13572468"])
    TOTPDevice.objects.create(user=approver, name="app", confirmed=True)
    client.post(STAFF_LOGIN, {"username": "approver1", "password": PASSWORD})
    assert client.post(STAFF_CODE, {"token": "99999999"}).status_code == 400
    assert client.post(STAFF_CODE, {"token": "24681357"})["Location"] == "/staff/"
    backup = approver.staticdevice_set.get()
    assert (backup.throttling_failure_count, backup.token_set.count()) == (0, 1)
    assert TOTPDevice.objects.get(user=approver).throttling_failure_count == 0


def test_repeated_wrong_backup_codes_are_still_slowed_down(client, department, make_staff):
    approver = make_staff(department, [Role.APPROVER], username="approver1")
    staff_backup_codes_issue(actor=None, user=approver, codes=["24681357"])
    client.post(STAFF_LOGIN, {"username": "approver1", "password": PASSWORD})
    client.post(STAFF_CODE, {"token": "99999999"})
    second = client.post(STAFF_CODE, {"token": "88888888"}, **EN)
    assert field_error(second.content.decode(), "token") == "Too many wrong codes: wait 2 seconds, then try again."
    # The right code within those 2 seconds is refused too; nothing was used up.
    assert client.post(STAFF_CODE, {"token": "24681357"}).status_code == 400
    assert approver.staticdevice_set.get().token_set.count() == 1


def test_code_step_needs_the_password_step_first(client):
    assert client.get(STAFF_CODE)["Location"] == STAFF_LOGIN
    assert client.get(STAFF_ENROL)["Location"] == STAFF_LOGIN


def test_next_must_stay_on_this_site(client, citizen):
    response = client.post("/accounts/login/", {"username": citizen.id_number, "password": PASSWORD,
                                                "next": "https://evil.example/"})
    assert response["Location"] == "/accounts/me/"


def test_the_sign_in_wait_renders_on_the_staff_only_site(client, department, make_staff, settings):
    """Served alone (EGOV_SITE=staff) the site has no public URLs; the page that asks to wait must not need them."""
    make_staff(department, [Role.CLERK], username="clerk1")
    settings.ROOT_URLCONF = "egov.urls_staff"
    clear_url_caches()
    try:
        for _attempt in range(4):
            assert client.post(STAFF_LOGIN, {"username": "clerk1", "password": "wrong-password"}).status_code == 400
        held = client.post(STAFF_LOGIN, {"username": "clerk1", "password": "wrong-password"})
        assert held.status_code == 429
        assert reverse("staff_accounts:login") == STAFF_LOGIN
    finally:
        clear_url_caches()


def test_a_short_password_is_refused_in_chinese_on_the_chinese_page(client):
    # Django 5.2 words this check with "%d" while its zh_Hans catalogue has only the older
    # "%(min_length)d" wording: the message came out in English on the Chinese page.
    before = counts()
    response = client.post(REGISTER, {"id_number": "11010519491231002X", "name": "李四", "password": "a8#kq"},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert field_error(response.content.decode(), "password") == "密码太短：至少需要 10 个字符。"
    assert counts() == before
