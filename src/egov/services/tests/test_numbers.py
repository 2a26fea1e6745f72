"""Tracking numbers (办件编号): layout, ISO 7064 MOD 11-2 check character, allocation without races."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from egov.core.errors import ValidationFailed
from egov.orgs.actions import organization_create
from egov.services.actions.numbers import tracking_number_allocate, tracking_number_check, tracking_number_compose

# Worked by hand for 320200 + 001 + 20260928 + 000001: p = 0, then p = ((p + d) × 2) mod 11 for each
# digit 3 2 0 2 0 0 0 0 1 2 0 2 6 0 9 2 8 0 0 0 0 0 1 gives
# 6 5 10 2 4 8 5 10 0 4 8 9 8 5 6 5 4 8 5 10 9 7 5; check = (12 − 5) mod 11 = 7.
HAND_WORKED = "320200001-20260928-0000017"


def test_compose_gives_the_hand_worked_check_character():
    assert tracking_number_compose(prefix="320200001", day=date(2026, 9, 28), sequence=1) == HAND_WORKED


def test_check_character_ten_is_written_x():
    # Sequence 000005 instead of 000001: the last p before the check is (7 + 5) × 2 mod 11 = 2, so
    # the check is (12 − 2) mod 11 = 10, written X.
    assert tracking_number_compose(prefix="320200001", day=date(2026, 9, 28), sequence=5).endswith("000005X")


def test_check_accepts_the_number_typed_without_hyphens_and_in_lower_case():
    assert tracking_number_check(" 320200001 20260928 0000017 ") == HAND_WORKED
    x_number = tracking_number_compose(prefix="320200001", day=date(2026, 9, 28), sequence=5)
    assert tracking_number_check(x_number.replace("-", "").lower()) == x_number


def test_every_single_character_typo_fails_the_check():
    for position, character in enumerate(HAND_WORKED):
        if character == "-":
            continue
        for typo in "0123456789X":
            if typo == character or (typo == "X" and position != len(HAND_WORKED) - 1):
                continue
            typed = HAND_WORKED[:position] + typo + HAND_WORKED[position + 1:]
            with pytest.raises(ValidationFailed) as raised:
                tracking_number_check(typed)
            assert raised.value.extra == {"field": "number", "rule": "check_character"}, typed


def test_swapping_two_neighbouring_digits_fails_the_check():
    digits = HAND_WORKED.replace("-", "")
    for i in range(len(digits) - 1):
        if digits[i] != digits[i + 1]:
            swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:]
            with pytest.raises(ValidationFailed):
                tracking_number_check(swapped)


@pytest.mark.parametrize("typed", ["", "320200001-20260928-000001", "32020000120260928000001Y", "abc"])
def test_malformed_numbers_are_refused_as_format(typed):
    with pytest.raises(ValidationFailed) as raised:
        tracking_number_check(typed)
    assert raised.value.extra["rule"] == "format"


@pytest.mark.django_db
def test_numbers_count_per_organization_and_day_and_organizations_per_division():
    first = organization_create(actor=None, name="甲局", kind="department", division_code="320200")
    second = organization_create(actor=None, name="乙局", kind="department", division_code="320200")
    day = date(2026, 9, 28)
    assert tracking_number_allocate(organization=first, day=day).startswith("320200001-20260928-000001")
    assert tracking_number_allocate(organization=first, day=day).startswith("320200001-20260928-000002")
    assert tracking_number_allocate(organization=second, day=day).startswith("320200002-20260928-000001")
    assert tracking_number_allocate(organization=first, day=date(2026, 9, 29)).startswith("320200001-20260929-000001")


@pytest.mark.django_db
def test_a_counter_is_one_update_returning_and_stops_at_its_limit(django_assert_num_queries):
    from egov.facilities.numbering import counter_take
    from egov.services.models import TrackingNumberCounter

    def take() -> int:
        return counter_take(model=TrackingNumberCounter, key={"scope": "test:limit"}, limit=2, label="test:limit")

    with django_assert_num_queries(3):  # UPDATE … RETURNING (no row yet), INSERT … ON CONFLICT DO NOTHING, UPDATE
        assert take() == 1
    with django_assert_num_queries(1):  # the UPDATE … RETURNING alone
        assert take() == 2
    with pytest.raises(ValidationFailed) as raised:
        take()
    assert raised.value.extra == {"field": "number", "rule": "exhausted"}
    assert TrackingNumberCounter.objects.get(scope="test:limit").value == 2


@pytest.mark.django_db(transaction=True)
def test_parallel_transactions_get_distinct_consecutive_numbers(reference_data):
    assert connection.vendor == "postgresql"
    organization = organization_create(actor=None, name="并发局", kind="department", division_code="320200")
    day = date(2026, 9, 28)
    numbers, errors = [], []
    start = threading.Barrier(8)

    def submit_one():
        try:
            start.wait()
            with transaction.atomic():
                numbers.append(tracking_number_allocate(organization=organization, day=day))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(number[19:25] for number in numbers) == [f"{n:06d}" for n in range(1, 9)]


def test_full_width_digits_and_hyphens_are_read_as_typed_with_a_chinese_input_method():
    full_width = HAND_WORKED.translate(str.maketrans("0123456789-X", "０１２３４５６７８９－Ｘ"))
    assert full_width != HAND_WORKED and tracking_number_check(full_width) == HAND_WORKED
    assert tracking_number_check("　" + full_width.replace("－", "") + " ") == HAND_WORKED
