"""Writes of the working-day calendar: a year's schedule imported, a day set or cleared. Audited.

The schedule for a year comes from the State Council's notice (国务院办公厅关于…年部分节假日安排的
通知), published late in the previous year. Operators load it with ``egov calendar import FILE``
(the JSON format of the holiday-cn project: ``{"year", "papers", "days": [{"name", "date",
"isOffDay"}]}``) or edit single days in the admin.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.errors import ValidationFailed
from egov.orgs.permissions import require_operator
from egov.workflow.models import CalendarDay, CalendarYear

FIRST_YEAR, LAST_YEAR = 1949, 2200


def _invalid(message: str, field: str, rule: str) -> ValidationFailed:
    return ValidationFailed(message, extra={"field": field, "rule": rule})


def _parse_days(year: int, days: Any) -> list[tuple[date, bool, str]]:
    if not isinstance(days, list) or not days:
        raise _invalid(_("The schedule for %(year)d lists no days.") % {"year": year}, "days", "required")
    parsed, seen = [], set()
    for index, item in enumerate(days):
        if not isinstance(item, dict) or not isinstance(item.get("isOffDay"), bool):
            raise _invalid(_("Day %(n)d needs date, name and isOffDay (true or false).") % {"n": index + 1},
                           "days", "day")
        try:
            day = date.fromisoformat(str(item.get("date")))
        except ValueError:
            raise _invalid(_("Day %(n)d: %(value)s is not a date (YYYY-MM-DD).")
                           % {"n": index + 1, "value": item.get("date")}, "days", "date") from None
        if day.year not in (year - 1, year):
            raise _invalid(_("Day %(n)d: %(day)s is outside the schedule for %(year)d.")
                           % {"n": index + 1, "day": day.isoformat(), "year": year}, "days", "year")
        if day in seen:
            raise _invalid(_("%(day)s is listed twice.") % {"day": day.isoformat()}, "days", "duplicate")
        seen.add(day)
        name = str(item.get("name") or "").strip()[:50]
        if not name:
            raise _invalid(_("Day %(n)d has no holiday name.") % {"n": index + 1}, "days", "name")
        parsed.append((day, item["isOffDay"], name))
    return parsed


@transaction.atomic
def calendar_year_import(*, actor, document: dict[str, Any], source: str) -> CalendarYear:
    """Replace a year's schedule with ``document`` (holiday-cn format).

    Args:
        actor: a platform operator, or None for the platform (``egov calendar import``).
        document: ``{"year": 2027, "papers": [url…], "days": [{"name": "元旦", "date": "2027-01-01",
            "isOffDay": true}, …]}``; days may fall in the previous December (a notice's 调休).
        source: where it came from (a file name), kept with the year.

    Returns:
        The year, now known: its days off and adjusted working days replace any earlier ones.

    Raises:
        PermissionDenied: the actor is not a platform operator.
        ValidationFailed: no or bad year, no days (a year not yet published), a bad day.
    """
    require_operator(actor, None)
    if not isinstance(document, dict):
        raise _invalid(_("The schedule must be a JSON object."), "document", "object")
    year = document.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise _invalid(_("The schedule needs a year from %(a)d to %(b)d.") % {"a": FIRST_YEAR, "b": LAST_YEAR},
                       "year", "year")
    days = _parse_days(year, document.get("days"))
    papers = [str(p)[:500] for p in document.get("papers") or [] if isinstance(p, str)]
    calendar_year, created = CalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"source": source[:200], "papers": papers})
    previous = calendar_year.days.count()
    calendar_year.days.all().delete()
    CalendarDay.objects.filter(date__in=[day for day, _off, _name in days]).delete()
    CalendarDay.objects.bulk_create([CalendarDay(calendar_year=calendar_year, date=day, is_off_day=off, name=name)
                                     for day, off, name in days])
    calendar_year.source, calendar_year.papers = source[:200], papers
    calendar_year.save()
    audit_record(action="workflow.calendar_year.import", actor=actor, obj=calendar_year,
                 summary=f"holiday schedule {year} loaded from {source[:100]}",
                 changes={"year": year, "created": created, "days": len(days), "replaced": previous,
                          "off_days": sum(1 for _d, off, _n in days if off)})
    return calendar_year


@transaction.atomic
def calendar_day_set(*, actor, day: date, is_off_day: bool, name: str) -> CalendarDay:
    """Set one day of a loaded year: a day off, or a weekend day worked (调休上班).

    Raises:
        PermissionDenied: the actor is not a platform operator.
        ValidationFailed: the year's schedule is not loaded (import it first), or no name.
    """
    require_operator(actor, None)
    calendar_year = CalendarYear.objects.filter(year=day.year).first()
    if calendar_year is None:
        raise _invalid(_("Load the schedule of %(year)d first.") % {"year": day.year}, "date", "year_not_loaded")
    name = (name or "").strip()[:50]
    if not name:
        raise _invalid(_("Give the holiday's name."), "name", "required")
    row, created = CalendarDay.objects.update_or_create(
        date=day, defaults={"calendar_year": calendar_year, "is_off_day": is_off_day, "name": name})
    calendar_year.save(update_fields=["updated_at"])  # tells every process's cached calendar (work_calendar)
    audit_record(action="workflow.calendar_day.set", actor=actor, obj=row,
                 summary=f"{day.isoformat()} {'off' if is_off_day else 'working'} ({name})",
                 changes={"date": day.isoformat(), "is_off_day": is_off_day, "created": created})
    return row


@transaction.atomic
def calendar_day_clear(*, actor, row: CalendarDay) -> None:
    """Remove a day's exception: it follows the weekday rule again.

    Raises:
        PermissionDenied: the actor is not a platform operator.
    """
    require_operator(actor, None)
    audit_record(action="workflow.calendar_day.clear", actor=actor, obj=row,
                 summary=f"{row.date.isoformat()} back to the weekday rule", changes={"date": row.date.isoformat()})
    row.delete()
    row.calendar_year.save(update_fields=["updated_at"])  # tells every process's cached calendar (work_calendar)
