"""The stored working-day calendar: seeded from chinesecalendar, cross-checked day by day against the
holiday-cn data (fixtures/holiday-cn, MIT), imported by operators, and the fallback for unknown years."""

import json
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from egov.audit.models import AuditEvent
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.workflow.calendar_actions import calendar_day_clear, calendar_day_set, calendar_year_import
from egov.workflow.models import CalendarDay, CalendarYear
from egov.workflow.selectors import calendar_years_missing, work_calendar, working_days_add, working_days_between

HOLIDAY_CN = Path(__file__).resolve().parents[2] / "fixtures" / "holiday-cn"


def _holiday_cn_days() -> dict[date, bool]:
    listed = {}
    for path in sorted(HOLIDAY_CN.glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8"))["days"]:
            listed[date.fromisoformat(item["date"])] = item["isOffDay"]
    return listed


@pytest.mark.django_db
def test_seeded_calendar_agrees_with_holiday_cn_on_every_day_2007_to_2026():
    calendar = work_calendar()
    listed = _holiday_cn_days()
    day, disagreements = date(2007, 1, 1), []
    while day <= date(2026, 12, 31):
        expected = (not listed[day]) if day in listed else day.weekday() < 5
        if calendar.is_working_day(day) != expected:
            disagreements.append(day)
        day += timedelta(days=1)
    assert disagreements == []
    assert set(range(2004, 2027)) <= calendar.known_years


@pytest.mark.django_db
def test_spring_festival_2026_pause_is_worked_by_hand():
    # 春节 2026: 02-15…02-23 off, Saturdays 02-14 and 02-28 worked. Stopped Friday 02-13, restarted
    # Tuesday 02-24: 02-14 and 02-24 are not counted, so a deadline of Friday 02-27 moves to 02-28
    # (Saturday, worked) and then Monday 03-02.
    assert working_days_between(start=date(2026, 2, 13), end=date(2026, 2, 24)) == 2
    assert working_days_add(start=date(2026, 2, 27), days=2) == date(2026, 3, 2)
    assert working_days_add(start=date(2026, 2, 13), days=1) == date(2026, 2, 14)
    assert working_days_add(start=date(2026, 2, 14), days=1) == date(2026, 2, 24)


@pytest.mark.django_db
def test_a_year_without_schedule_falls_back_and_is_reported(city):
    assert working_days_add(start=date(2027, 9, 30), days=1) == date(2027, 10, 4)  # 10-01 Fri, then weekend
    assert calendar_years_missing(today=date(2026, 11, 30)) == [2027]
    assert calendar_years_missing(today=date(2025, 3, 1)) == []


@pytest.mark.django_db
def test_import_2027_schedule_from_a_holiday_cn_file(city, tmp_path):
    document = {"year": 2027, "papers": ["https://www.gov.cn/example"], "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
        {"name": "春节", "date": "2027-02-06", "isOffDay": False},  # a Saturday worked
        {"name": "国庆节", "date": "2027-10-04", "isOffDay": True},
    ]}
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("calendar", "import", str(path), stdout=out)
    assert "2027: 3 days" in out.getvalue()
    assert calendar_years_missing(today=date(2026, 11, 30)) == []
    calendar = work_calendar()
    assert calendar.is_working_day(date(2027, 2, 6))
    assert not calendar.is_working_day(date(2027, 10, 4))
    # 10-01…10-03 are no longer assumed off once the year is known: only what the notice says is.
    assert calendar.is_working_day(date(2027, 10, 1))
    assert AuditEvent.objects.filter(action="workflow.calendar_year.import").count() == 1
    # Importing again replaces the year's days.
    document["days"] = document["days"][:1]
    calendar_year_import(actor=None, document=document, source="again")
    assert CalendarDay.objects.filter(date__year=2027).count() == 1


@pytest.mark.django_db
def test_import_replaces_december_days_set_by_the_next_years_notice():
    document = {"year": 2019, "days": [{"name": "元旦", "date": "2018-12-29", "isOffDay": False}]}
    calendar_year_import(actor=None, document=document, source="test")
    assert CalendarDay.objects.get(date=date(2018, 12, 29)).calendar_year.year == 2019


@pytest.mark.django_db
@pytest.mark.parametrize(("document", "rule"), [
    ({"year": 2027, "papers": [], "days": []}, "required"),  # holiday-cn's 2027.json before publication
    ({"days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": True}]}, "year"),
    ({"year": 2027, "days": [{"name": "元旦", "date": "2027-13-01", "isOffDay": True}]}, "date"),
    ({"year": 2027, "days": [{"name": "元旦", "date": "2025-01-01", "isOffDay": True}]}, "year"),
    ({"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01"}]}, "day"),
    ({"year": 2027, "days": [{"name": "", "date": "2027-01-01", "isOffDay": True}]}, "name"),
    ({"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": True}] * 2}, "duplicate"),
])
def test_bad_schedules_are_refused_and_nothing_is_written(document, rule):
    with pytest.raises(ValidationFailed) as refused:
        calendar_year_import(actor=None, document=document, source="test")
    assert refused.value.extra["rule"] == rule
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_import_command_exits_2_with_one_line(tmp_path):
    path = tmp_path / "2027.json"
    path.write_text((HOLIDAY_CN / "2027.json").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CommandError) as failed:
        call_command("calendar", "import", str(path))
    assert failed.value.returncode == 2
    assert "lists no days" in str(failed.value)
    with pytest.raises(CommandError) as failed:
        call_command("calendar", "import", str(tmp_path / "missing.json"))
    assert failed.value.returncode == 2
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError) as failed:
        call_command("calendar", "import", str(path))
    assert failed.value.returncode == 2


@pytest.mark.django_db
def test_calendar_missing_command_lists_years(city):
    out = StringIO()
    call_command("calendar", "missing", "--today", "2026-11-30", stdout=out)
    assert out.getvalue().strip() == "2027"


@pytest.mark.django_db
def test_single_days_are_set_and_cleared_by_operators_only(city):
    with pytest.raises(PermissionDenied):
        calendar_day_set(actor=city.users["clerk"], day=date(2026, 12, 31), is_off_day=True, name="test")
    row = calendar_day_set(actor=city.users["operator"], day=date(2026, 12, 31), is_off_day=True, name="临时休假")
    assert not work_calendar().is_working_day(date(2026, 12, 31))
    calendar_day_clear(actor=city.users["operator"], row=row)
    assert work_calendar().is_working_day(date(2026, 12, 31))
    with pytest.raises(ValidationFailed) as refused:
        calendar_day_set(actor=None, day=date(2031, 1, 2), is_off_day=True, name="x")
    assert refused.value.extra["rule"] == "year_not_loaded"


@pytest.mark.django_db
def test_every_process_sees_an_edited_day_at_once(city):
    # work_calendar keeps the calendar it read; an edit of an existing day (same rows, same ids)
    # must still reach the next deadline. 2026-10-01 (National Day) is a day off in the seed.
    assert not work_calendar().is_working_day(date(2026, 10, 1))
    calendar_day_set(actor=city.users["operator"], day=date(2026, 10, 1), is_off_day=False, name="演练：改为上班")
    assert work_calendar().is_working_day(date(2026, 10, 1))
    # Thursday 2026-09-24 + 4 working days: 25–27 September are 中秋节, then 28, 29, 30 September and
    # now 1 October (without the edit: 8 October, after the National Day week).
    assert working_days_add(start=date(2026, 9, 24), days=4) == date(2026, 10, 1)
