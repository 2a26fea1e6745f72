"""Sign-in throttling without lockouts, the spraying detector and registration limits
(egov.accounts.throttling; issue 17 "Lockouts" and "Anyone can register anyone")."""

import ipaddress
from datetime import timedelta

import pytest
from django.utils import timezone

from egov.accounts.models import Attempt, NaturalPerson, User
from egov.accounts.tasks import prune_attempts
from egov.accounts.tests.factories import PASSWORD, NaturalPersonFactory
from egov.accounts.throttling import signin_wait, spraying_detected
from egov.audit.models import AuditEvent
from egov.orgs.roles import Role
from egov.orgs.tests.standards import resident_id

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
STAFF_LOGIN = "/staff/login/"
REGISTER = "/accounts/register/person/"
NATURAL = "/api/v1/accounts/natural-persons"
ATTACKER = "203.0.113.66"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def sign_in(client, username, password, address, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def backdate(seconds: int) -> None:
    """Move every recorded attempt ``seconds`` into the past (instead of sleeping)."""
    for attempt in Attempt.objects.all():
        attempt.at -= timedelta(seconds=seconds)
        attempt.save(update_fields=["at"])


def test_fifty_wrong_passwords_from_an_attacker_do_not_lock_the_user_out(client, citizen):
    """Before: 5 failures per username and address locked the account for 30 minutes, and behind a
    proxy every user shared one address. Now the attacker waits; the user from another address signs in at once."""
    for _ in range(50):
        assert sign_in(client, citizen.id_number, "wrong-password", ATTACKER).status_code in (400, 429)
    assert not signed_in(client)
    response = sign_in(client, citizen.id_number, PASSWORD, "198.51.100.9")
    assert (response.status_code, response["Location"]) == (302, "/accounts/me/")
    assert signed_in(client)


def test_waits_grow_per_account_and_address_after_three_free_failures(client, citizen):
    for _ in range(3):
        assert sign_in(client, citizen.id_number, "wrong-password", ATTACKER).status_code == 400
    assert signin_wait(username=citizen.id_number, address=ATTACKER) == 0
    assert sign_in(client, citizen.id_number, "wrong-password", ATTACKER).status_code == 400  # the 4th: checked
    # 4 failures, 1 past the free 3: 2 s (EGOV_SIGNIN_BASE_WAIT), counted from the last failure.
    assert signin_wait(username=citizen.id_number, address=ATTACKER) == 2
    held = sign_in(client, citizen.id_number, PASSWORD, ATTACKER, **EN)  # even the right password waits here
    assert (held.status_code, held["Retry-After"]) == (429, "2")
    assert "Too many failed sign-ins from here: wait 2 seconds, then try again." in held.content.decode()
    assert not signed_in(client)
    backdate(3)
    assert sign_in(client, citizen.id_number, "wrong-password", ATTACKER).status_code == 400  # the 5th
    assert signin_wait(username=citizen.id_number, address=ATTACKER) == 4  # doubled
    backdate(5)
    assert sign_in(client, citizen.id_number, "wrong-password", ATTACKER).status_code == 400  # the 6th
    assert signin_wait(username=citizen.id_number, address=ATTACKER) == 8


def test_the_wait_is_capped(client, citizen, settings):
    for _ in range(30):
        Attempt.objects.create(kind=Attempt.Kind.SIGNIN_FAILED, account=citizen.id_number.casefold(), address=ATTACKER)
    assert signin_wait(username=citizen.id_number, address=ATTACKER) == settings.EGOV_SIGNIN_MAX_WAIT == 900


def test_failures_older_than_the_window_do_not_count(client, citizen):
    for _ in range(6):
        sign_in(client, citizen.id_number, "wrong-password", ATTACKER)
        backdate(3600)  # each an hour before the next
    assert signin_wait(username=citizen.id_number, address=ATTACKER) == 0


def test_the_right_password_forgets_the_pairs_failures(client, citizen):
    for _ in range(3):
        sign_in(client, citizen.id_number, "wrong-password", "198.51.100.9")
    assert sign_in(client, citizen.id_number, PASSWORD, "198.51.100.9").status_code == 302
    client.post("/accounts/logout/")
    assert sign_in(client, citizen.id_number, "wrong-password", "198.51.100.9").status_code == 400
    assert signin_wait(username=citizen.id_number, address="198.51.100.9") == 0  # 1 failure again, not 4


def test_an_address_guessing_at_many_accounts_waits_after_ten(client):
    people = [NaturalPersonFactory() for _ in range(11)]
    for person in people[:10]:
        assert sign_in(client, person.id_number, "wrong-password", ATTACKER).status_code == 400
    assert signin_wait(username=people[10].id_number, address=ATTACKER) == 0
    assert sign_in(client, people[10].id_number, "wrong-password", ATTACKER).status_code == 400
    # 11 failures from the address, 1 past the free 10: an account it never tried waits too.
    assert sign_in(client, people[0].id_number, PASSWORD, ATTACKER).status_code == 429
    # The people themselves, from their own addresses, are not slowed.
    assert sign_in(client, people[0].id_number, PASSWORD, "198.51.100.9").status_code == 302


@pytest.mark.parametrize("one_address", [True, False])
def test_a_hundred_guesses_over_twenty_five_accounts_are_detected_as_spraying(client, one_address):
    """Before: 100 wrong guesses over 25 accounts locked nothing and nothing noticed them."""
    people = [NaturalPersonFactory() for _ in range(25)]
    for guess in range(100):
        person = people[guess % 25]
        address = ATTACKER if one_address else f"198.18.{guess // 250}.{guess % 250 + 1}"
        sign_in(client, person.id_number, f"Summer{2000 + guess}!", address)
    assert spraying_detected()
    assert AuditEvent.objects.filter(action="accounts.session.spraying").count() == 1
    # The cost rises: while spraying goes on no failure is free, so one wrong password from a fresh
    # address already costs a wait (without spraying the first three are free) …
    sign_in(client, people[0].id_number, "wrong-password", "192.0.2.10")
    assert signin_wait(username=people[0].id_number, address="192.0.2.10") == 2
    # … and the rightful user with the right password, from an address of her own, still signs in at once.
    assert sign_in(client, people[1].id_number, PASSWORD, "192.0.2.11").status_code == 302


def test_many_failures_on_one_account_are_not_spraying(client, citizen):
    for _ in range(50):
        sign_in(client, citizen.id_number, "wrong-password", ATTACKER)
    assert not spraying_detected()


def test_staff_sign_in_is_throttled_the_same_way(client, department, make_staff):
    make_staff(department, [Role.CLERK], username="clerk1")
    for _ in range(4):
        assert (
            client.post(
                STAFF_LOGIN, {"username": "clerk1", "password": "wrong-password"}, REMOTE_ADDR=ATTACKER
            ).status_code
            == 400
        )
    held = client.post(STAFF_LOGIN, {"username": "clerk1", "password": "wrong-password"}, REMOTE_ADDR=ATTACKER)
    assert (held.status_code, held["Retry-After"]) == (429, "2")
    ok = client.post(STAFF_LOGIN, {"username": "clerk1", "password": PASSWORD}, REMOTE_ADDR="198.51.100.9")
    assert ok.status_code == 302


def test_a_held_attempt_is_audited_as_throttled(client, citizen):
    for _ in range(5):
        sign_in(client, citizen.id_number, "wrong-password", ATTACKER)
    reasons = list(
        AuditEvent.objects.filter(action="accounts.session.login_failed")
        .order_by("pk")
        .values_list("changes__reason", flat=True)
    )
    assert reasons == ["password"] * 4 + ["throttled"]


def test_behind_a_trusted_proxy_people_do_not_share_its_address(client, citizen, settings):
    settings.EGOV_TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    for _ in range(50):
        sign_in(client, citizen.id_number, "wrong-password", "10.0.0.2", HTTP_X_FORWARDED_FOR=ATTACKER)
    response = sign_in(client, citizen.id_number, PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert response.status_code == 302


def test_the_audit_log_records_the_client_behind_the_proxy(client, settings):
    """The middleware's request context uses the same helper: the audit event of a failed sign-in
    names the client behind the proxy, not the proxy."""
    settings.EGOV_TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    client.post(
        "/accounts/login/",
        {"username": "nobody", "password": "wrong-password"},
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    event = AuditEvent.objects.filter(action="accounts.session.login_failed").latest("pk")
    assert str(event.client_ip) == "198.51.100.1"


# Registration ------------------------------------------------------------------------------------


def id_number(n: int) -> str:
    """A resident ID of 梁溪区 born in 1990, sequence 95x: none the factories make."""
    return resident_id(f"32021319900{1 + n // 28 % 9}{n % 28 + 1:02d}95{n // 252}")


def register_via_api(client, n: int, address: str):
    return client.post(
        NATURAL,
        {"id_number": id_number(1000 + n), "name": f"市民{n}", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_registration_is_limited_to_five_accounts_an_hour_per_address(client):
    """Before: 40 accounts in 14 s from one address were all accepted (201)."""
    for n in range(5):
        assert register_via_api(client, n, ATTACKER).status_code == 201
    before = User.objects.count(), AuditEvent.objects.count()
    refused = register_via_api(client, 5, ATTACKER)
    assert refused.status_code == 429
    assert 3595 <= int(refused["Retry-After"]) <= 3600  # the first of the five leaves the hour then
    assert refused.json()["extra"]["rule"] == "rate_limit"
    assert (User.objects.count(), AuditEvent.objects.count()) == before
    assert register_via_api(client, 6, "198.51.100.9").status_code == 201  # another address may
    backdate(3601)
    assert register_via_api(client, 7, ATTACKER).status_code == 201


def test_registration_is_limited_overall_per_minute(client, settings):
    settings.EGOV_REGISTRATIONS_PER_MINUTE = 3
    for n in range(3):
        assert register_via_api(client, n, f"198.51.100.{n + 1}").status_code == 201
    refused = register_via_api(client, 3, "198.51.100.50")
    assert refused.status_code == 429
    assert 55 <= int(refused["Retry-After"]) <= 60


def test_the_registration_page_shows_the_limit_as_a_form_error(client, settings):
    settings.EGOV_REGISTRATIONS_PER_ADDRESS_HOUR = 1
    assert register_via_api(client, 0, ATTACKER).status_code == 201
    response = client.post(
        REGISTER, {"id_number": id_number(2000), "name": "李四", "password": PASSWORD}, REMOTE_ADDR=ATTACKER, **EN
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 3500
    assert (
        "Too many accounts have been opened from here just now: try again in 60 minutes." in response.content.decode()
    )
    assert not NaturalPerson.objects.filter(id_number=id_number(2000)).exists()


def test_registrations_without_a_client_address_are_not_limited():
    """The demo loader, commands and tests call the action outside any request."""
    for _ in range(8):
        NaturalPersonFactory()
    assert not Attempt.objects.exists()


def test_old_attempts_are_pruned(client, citizen):
    sign_in(client, citizen.id_number, "wrong-password", ATTACKER)
    backdate(86400 + 1)
    sign_in(client, citizen.id_number, "wrong-password", ATTACKER)
    assert prune_attempts() == 1
    assert Attempt.objects.filter(at__gt=timezone.now() - timedelta(days=1)).count() == 1
