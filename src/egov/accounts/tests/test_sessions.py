"""The session store and the authentication backend that read their rows without compiling SQL
(``egov.accounts.sessions``, ``egov.accounts.backends``, issue 18): the same answers as Django's."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from egov.accounts.actions import natural_person_register
from egov.accounts.backends import ModelBackend
from egov.accounts.models import User
from egov.accounts.sessions import SessionStore
from egov.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_stored_session_is_read_an_expired_or_unknown_one_is_not():
    store = SessionStore()
    store["answer"] = "四十二"
    store.save()
    key = store.session_key
    assert SessionStore(session_key=key).load() == {"answer": "四十二"}

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(session_key=key)
    assert expired.load() == {} and expired.session_key is None  # a new key is made at the next save

    unknown = SessionStore(session_key="x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_the_backend_loads_an_active_user_as_the_orm_does_and_no_inactive_or_unknown_one():
    person = natural_person_register(id_number="11010519491231002X", name="𠀀李四", password=PASSWORD)
    user = person.user
    loaded = ModelBackend().get_user(user.pk)
    expected = User.objects.get(pk=user.pk)
    assert loaded is not None and loaded.pk == user.pk
    assert {f.attname: getattr(loaded, f.attname) for f in User._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in User._meta.concrete_fields}
    assert ModelBackend().get_user(str(user.pk)).pk == user.pk  # as the session stores it
    assert ModelBackend().get_user(user.pk + 1000) is None
    assert ModelBackend().get_user("not-an-id") is None
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert ModelBackend().get_user(user.pk) is None


def test_a_signed_in_public_user_stays_signed_in_across_requests_and_not_after_a_password_change(client):
    person = natural_person_register(id_number="11010519491231002X", name="李四", password=PASSWORD)
    assert client.post("/accounts/login/", {"username": "11010519491231002X", "password": PASSWORD}).status_code == 302
    mine = "/api/v1/services/applications/NO-SUCH-CASE"
    assert client.get(mine).status_code == 404  # signed in: no such case of hers
    assert client.get(mine).status_code == 404
    user = person.user
    user.set_password("another-horse-2027")
    user.save(update_fields=["password"])
    assert client.get(mine).status_code == 401  # the session's password hash no longer matches
