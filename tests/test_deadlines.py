"""Working-day deadlines in the factory's own time zone and week."""

from datetime import datetime, timezone

from grievance.workflows.deadlines import add_working_days

SUNDAY_OFF = [6]
FRIDAY_SATURDAY_OFF = [4, 5]


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_indonesia_friday_afternoon_plus_two_working_days_is_monday_afternoon():
    # Friday 16:00 Asia/Jakarta (UTC+7).
    assert add_working_days(utc(2025, 11, 21, 9), 2, "Asia/Jakarta", SUNDAY_OFF) == utc(2025, 11, 24, 9)


def test_jordan_thursday_afternoon_plus_two_working_days_skips_friday_and_saturday():
    # Thursday 16:00 Asia/Amman (UTC+3) → Sunday is the first working day, Monday the second.
    assert add_working_days(utc(2025, 11, 20, 13), 2, "Asia/Amman", FRIDAY_SATURDAY_OFF) == utc(2025, 11, 24, 13)


def test_a_message_sent_on_the_day_off_counts_from_the_start_of_the_next_working_day():
    # Sunday 10:00 Jakarta: counting starts Monday 08:00, two working days → Wednesday 08:00.
    assert add_working_days(utc(2025, 11, 23, 3), 2, "Asia/Jakarta", SUNDAY_OFF) == utc(2025, 11, 26, 1)


def test_jordan_friday_message_counts_from_sunday_morning():
    # Friday 20:00 Amman: Sunday 08:00 starts the count; one working day → Monday 08:00 (05:00 UTC).
    assert add_working_days(utc(2025, 11, 21, 17), 1, "Asia/Amman", FRIDAY_SATURDAY_OFF) == utc(2025, 11, 24, 5)


def test_local_midnight_is_not_confused_with_utc_midnight():
    # Saturday 23:30 in Jakarta is still Saturday there (16:30 UTC), a working day.
    assert add_working_days(utc(2025, 11, 22, 16, 30), 1, "Asia/Jakarta", SUNDAY_OFF) == utc(2025, 11, 24, 16, 30)
