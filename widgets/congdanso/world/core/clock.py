"""The simulated clock.

Time in the world moves in two ways: at the pace of the learner's real time between actions
(so an OTP left for six minutes really expires), and by explicit jumps (``World.advance``) so a
dossier's days of processing pass in a lesson. Every event records the simulated time at which
it happened, and replay sets the clock from the record, so outcomes never depend on when a
journal is replayed.
"""

from __future__ import annotations

import datetime as dt

START = dt.datetime(2026, 3, 2, 8, 0)  # a Monday morning at the support point
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


class SimClock:
    def __init__(self, start: dt.datetime = START):
        self.now = start

    def set(self, when: dt.datetime) -> None:
        if when < self.now:
            raise ValueError("the simulated clock never goes back")
        self.now = when

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta

    def text(self) -> str:
        return format_time(self.now)


VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


def vietnam_time(moment: dt.datetime) -> str:
    """08:30 ngày 02/03/2026 (giờ Việt Nam): an aware moment converted, a naive one taken as
    already local."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(VIETNAM)
    return f"{moment:%H:%M ngày %d/%m/%Y} (giờ Việt Nam)"


def format_time(when: dt.datetime) -> str:
    return f"{when:%H:%M} {WEEKDAYS[when.weekday()]} {when:%d/%m/%Y}"


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """Add working days (Monday–Friday), as processing times of procedures are counted."""
    current = start
    added = 0
    while added < days:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current
