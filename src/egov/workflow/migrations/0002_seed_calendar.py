"""Seed the working-day calendar 2004–2026 from chinesecalendar (its published-schedule data).

Operators load later years with ``egov calendar import FILE`` (holiday-cn JSON) or in the admin.
"""

from django.db import migrations

FIRST_YEAR, LAST_YEAR = 2004, 2026

# chinesecalendar's English holiday names → the names of the State Council's notices.
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def seed(apps, schema_editor):
    from chinese_calendar import constants

    CalendarYear = apps.get_model("workflow", "CalendarYear")
    CalendarDay = apps.get_model("workflow", "CalendarDay")
    years = {
        year: CalendarYear.objects.create(year=year, source="chinesecalendar")
        for year in range(FIRST_YEAR, LAST_YEAR + 1)
    }
    days = []
    for table, is_off_day in ((constants.holidays, True), (constants.workdays, False)):
        for day, holiday in table.items():
            if FIRST_YEAR <= day.year <= LAST_YEAR:
                name = NAMES.get(getattr(holiday, "value", holiday), str(holiday))
                days.append(CalendarDay(calendar_year=years[day.year], date=day, is_off_day=is_off_day, name=name))
    CalendarDay.objects.bulk_create(days, batch_size=500)


def unseed(apps, schema_editor):
    apps.get_model("workflow", "CalendarYear").objects.filter(source="chinesecalendar").delete()


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
