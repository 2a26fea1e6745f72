from datetime import date

import pytest

from egov.core.errors import ValidationFailed
from egov.core.workdays import WorkCalendar
from egov.documents import rules


@pytest.mark.parametrize("level", ["秘密", "机密", "绝密", "机密★1年", "绝密★长期", "secret"])
def test_classified_documents_are_refused_with_the_reason(level):
    with pytest.raises(ValidationFailed) as error:
        rules.classification_check(level)
    assert error.value.extra == {"field": "classification", "rule": "classified"}
    assert error.value.message == "本系统不处理涉密信息：标注秘密、机密或绝密的公文不得录入本系统。"


@pytest.mark.parametrize(("given", "stored"), [("公开", "public"), ("内部", "internal"), ("internal", "internal"),
                                               ("", "public")])
def test_unclassified_levels(given, stored):
    assert rules.classification_check(given) == stored


def test_unknown_classification():
    with pytest.raises(ValidationFailed) as error:
        rules.classification_check("保密")
    assert error.value.extra["rule"] == "choice"


@pytest.mark.parametrize(("urgency", "normal", "days"), [
    ("", 5, 5), ("urgent", 5, 3), ("urgent", 10, 3), ("urgent", 4, 2), ("urgent", 1, 1), ("extra_urgent", 5, 1),
    ("extra_urgent", 1, 1), ("加急", 6, 3), ("特急", 20, 1),
])
def test_urgency_shortens_handling_time(urgency, normal, days):
    assert rules.handling_working_days(urgency=urgency, normal_days=normal) == days


def test_handling_time_needs_a_day():
    with pytest.raises(ValidationFailed):
        rules.handling_working_days(urgency="", normal_days=0)


@pytest.mark.parametrize(("kind", "given", "direction"), [
    ("request", None, "upward"), ("report", "", "upward"), ("notice", None, "downward"), ("letter", None, "parallel"),
    ("notice", "upward", "upward"), ("reply", None, "downward"),
])
def test_direction(kind, given, direction):
    assert rules.direction_for(kind, given) == direction


def test_request_is_always_upward():
    with pytest.raises(ValidationFailed) as error:
        rules.direction_for("request", "downward")
    assert error.value.extra == {"field": "direction", "rule": "upward_kind"}


@pytest.mark.parametrize("value", ["00001", "0000001", "A00001"])
def test_copy_number_has_six_digits(value):
    with pytest.raises(ValidationFailed):
        rules.copy_number_check(value)
    assert rules.copy_number_check("000123") == "000123"


@pytest.mark.parametrize(("urgency", "due"), [("", date(2026, 12, 4)), ("加急", date(2026, 12, 2)),
                                              ("特急", date(2026, 11, 30))])
def test_handling_deadline_in_working_days(urgency, due):
    # Received Friday 2026-11-27: the weekend does not count.
    assert rules.handling_deadline(received_on=date(2026, 11, 27), urgency=urgency, normal_days=5,
                                   calendar=WorkCalendar()) == due


def test_handling_deadline_skips_the_national_day_holidays():
    # 2025 schedule (国办发明电〔2024〕12号): 10-01…10-08 off, Saturday 10-11 worked.
    holidays = frozenset(date(2025, 10, day) for day in range(1, 9))
    calendar = WorkCalendar(off_days=holidays, extra_working_days=frozenset({date(2025, 10, 11)}),
                            known_years=frozenset({2025}))
    assert rules.handling_deadline(received_on=date(2025, 9, 30), urgency="extra_urgent", normal_days=5,
                                   calendar=calendar) == date(2025, 10, 9)
    assert rules.handling_deadline(received_on=date(2025, 9, 30), urgency="urgent", normal_days=5,
                                   calendar=calendar) == date(2025, 10, 11)
