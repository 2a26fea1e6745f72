"""Accounts made through ``egov.accounts.actions`` (audited, validated as in real use).

Public accounts are verified (实名认证) unless made with ``verified=False``: most tests apply or
request, which an unverified account may not (issue 17); their people stand for verified ones.
"""

import datetime

import factory

from egov.accounts.actions import (
    account_verification_import,
    legal_person_register,
    natural_person_register,
    staff_user_create,
)
from egov.accounts.models import LegalPerson, NaturalPerson, User
from egov.core.actors import SYSTEM
from egov.orgs.tests.standards import resident_id, uscc

PASSWORD = "correct-horse-2026"


def make_verified(user: User) -> User:
    """``user`` (a public account) verified, as at a service window: for fixtures whose people apply."""
    if not user.is_real_name_verified:
        account_verification_import(actor=SYSTEM, user=user, method=User.Verification.IN_PERSON,
                                    reference="test fixture")
    return user


def _id_number(n: int) -> str:
    # 320213 梁溪区, a birth date that moves one day per person from 1980-01-01, sequence 001.
    birth = datetime.date(1980, 1, 1) + datetime.timedelta(days=n)
    return resident_id(f"320213{birth:%Y%m%d}001")


class NaturalPersonFactory(factory.Factory):
    class Meta:
        model = NaturalPerson

    id_number = factory.Sequence(_id_number)
    name = factory.Sequence(lambda n: f"市民{n}")
    password = PASSWORD
    phone = ""
    email = ""
    verified = True

    @classmethod
    def _create(cls, model_class, verified: bool = True, **kwargs):
        person = natural_person_register(**kwargs)
        if verified:
            make_verified(person.user)
        return person


class LegalPersonFactory(factory.Factory):
    class Meta:
        model = LegalPerson

    uscc = factory.Sequence(lambda n: uscc(f"91320213{n:09d}"))
    name = factory.Sequence(lambda n: f"示例企业{n}有限公司")
    legal_representative = "王建国"
    password = PASSWORD
    agent = None
    verified = True

    @classmethod
    def _create(cls, model_class, verified: bool = True, **kwargs):
        legal = legal_person_register(**kwargs)
        if verified:
            make_verified(legal.user)
        return legal


class StaffUserFactory(factory.Factory):
    """A staff account in ``organization`` (required) with ``roles`` (default: none)."""

    class Meta:
        model = User

    actor = None
    username = factory.Sequence(lambda n: f"staff{n}")
    name = factory.Sequence(lambda n: f"工作人员{n}")
    password = PASSWORD
    organization = None
    roles = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return staff_user_create(**kwargs)
