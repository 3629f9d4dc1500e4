"""Time as a committee counts it, in the factory's own time zone, week and holidays."""

from datetime import date, datetime, timedelta, timezone

import pytest

from grievance.models.policy import CALENDAR_HOURS, WORKING_DAYS, WORKING_HOURS
from grievance.workflows.working_time import NoWorkingDays, WorkingCalendar

JAKARTA = WorkingCalendar("Asia/Jakarta", weekend=frozenset({6}))
AMMAN = WorkingCalendar("Asia/Amman", weekend=frozenset({4, 5}))
TWO_DAYS = timedelta(days=2)


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_indonesia_friday_afternoon_plus_two_working_days_is_monday_afternoon():
    # Friday 16:00 Asia/Jakarta (UTC+7); Saturday is a working day in Indonesian factories.
    assert JAKARTA.add(utc(2025, 11, 21, 9), TWO_DAYS, WORKING_DAYS) == utc(2025, 11, 24, 9)


def test_jordan_thursday_afternoon_plus_two_working_days_skips_friday_and_saturday():
    # Thursday 16:00 Asia/Amman (UTC+3) → Sunday is the first working day, Monday the second.
    assert AMMAN.add(utc(2025, 11, 20, 13), TWO_DAYS, WORKING_DAYS) == utc(2025, 11, 24, 13)


def test_a_message_sent_on_the_day_off_counts_from_the_start_of_the_next_working_day():
    # Sunday 10:00 Jakarta: counting starts Monday 08:00, two working days → Wednesday 08:00.
    assert JAKARTA.add(utc(2025, 11, 23, 3), TWO_DAYS, WORKING_DAYS) == utc(2025, 11, 26, 1)


def test_jordan_friday_message_counts_from_sunday_morning():
    # Friday 20:00 Amman: Sunday 08:00 starts the count; one working day → Monday 08:00 (05:00 UTC).
    assert AMMAN.add(utc(2025, 11, 21, 17), timedelta(days=1), WORKING_DAYS) == utc(2025, 11, 24, 5)


def test_local_midnight_is_not_confused_with_utc_midnight():
    # Saturday 23:30 in Jakarta is still Saturday there (16:30 UTC), a working day.
    assert JAKARTA.add(utc(2025, 11, 22, 16, 30), timedelta(days=1), WORKING_DAYS) == utc(2025, 11, 24, 16, 30)


def test_holidays_every_year_and_on_one_date_are_skipped():
    calendar = WorkingCalendar("Asia/Jakarta", weekend=frozenset({6}), yearly_holidays=frozenset({(8, 17)}),
                                dated_holidays=frozenset({date(2026, 8, 18)}))
    # Friday 14 August 2026 16:00: Saturday counts, Sunday off, 17 (every year) and 18 (this year) off.
    assert calendar.add(utc(2026, 8, 14, 9), TWO_DAYS, WORKING_DAYS) == utc(2026, 8, 19, 9)


def test_working_hours_count_only_inside_the_working_day():
    # Friday 16:00 Jakarta, 4 working hours: 1 on Friday (to 17:00), 3 on Saturday from 08:00 → 11:00.
    assert JAKARTA.add(utc(2025, 11, 21, 9), timedelta(hours=4), WORKING_HOURS) == utc(2025, 11, 22, 4)


def test_calendar_hours_ignore_weekends_and_holidays():
    assert AMMAN.add(utc(2025, 11, 20, 13), timedelta(hours=24), CALENDAR_HOURS) == utc(2025, 11, 21, 13)


def test_working_days_keep_the_wall_clock_across_a_daylight_saving_change():
    # Port-au-Prince moves its clocks forward on Sunday 8 March 2026: Friday 16:00 stays 16:00.
    haiti = WorkingCalendar("America/Port-au-Prince", weekend=frozenset({6}))
    assert haiti.add(utc(2026, 3, 6, 21), TWO_DAYS, WORKING_DAYS) == utc(2026, 3, 9, 20)


def test_counted_time_is_the_inverse_of_adding_it():
    start = utc(2025, 11, 21, 9)
    for unit in (WORKING_DAYS, WORKING_HOURS, CALENDAR_HOURS):
        for amount in (timedelta(hours=1), timedelta(hours=13), timedelta(days=3)):
            assert JAKARTA.counted(start, JAKARTA.add(start, amount, unit), unit) == amount


def test_a_calendar_without_any_working_day_says_so_instead_of_looping():
    nobody_works = WorkingCalendar("UTC", weekend=frozenset(range(7)))
    with pytest.raises(NoWorkingDays):
        nobody_works.add(utc(2026, 1, 1), TWO_DAYS, WORKING_DAYS)
