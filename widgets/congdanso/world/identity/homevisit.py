"""Residents who cannot come to the ward police: the police come to them.

What is public practice (nld.com.vn 21/10/2025, thanhnien.vn 12/2022; Luật Căn cước 2023 and its
circular let the police take applications "lưu động" when needed): for old people who cannot walk,
the bedridden and people with disabilities, the family tells the ward police, and officers come to
the home to take the photo and fingerprints for the căn cước card and the level-2 VNeID account.
Nobody can be enrolled in someone else's place; the relative only asks and is there.

What only this simulation decides (say so in lessons): the visit is booked for the morning two
days later (from 8:00); the police say when they come by SMS to the relative's phone; a booking
can be made only for a reason in :data:`REASONS`, and a booking not yet visited can be changed by
booking again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from congdanso.world.core.errors import StateError, ValidationError
from congdanso.world.core.validate import format_date
from congdanso.world.identity.phone import parse_phone

if TYPE_CHECKING:
    from congdanso.world.world import World

REASONS = (
    "Già yếu, không tự đi lại được",
    "Nằm liệt giường",
    "Khuyết tật vận động",
    "Khuyết tật khác (nhìn, nghe, trí tuệ)",
)
SENDER = "CONG AN PHUONG"
OFFICERS = "Tổ cấp căn cước lưu động của công an phường"


@dataclass(slots=True)
class HomeVisit:
    id: str
    id_number: str  # who is visited
    reason: str
    contact: str  # the relative's phone, where the police say when they come
    due: dt.datetime
    done: bool = False

    def record(self) -> dict:
        return {"id": self.id, "id_number": self.id_number, "reason": self.reason,
                "due": self.due.isoformat(), "done": self.done}


def book(world: World, visits: dict[str, HomeVisit], id_number: str, reason: str,
         contact_phone: str) -> HomeVisit:
    person = world.vneid._person(id_number)
    if reason not in REASONS:
        raise ValidationError("Chọn lý do người dân không đến được: " + "; ".join(REASONS) + ".",
                              field="reason")
    contact = parse_phone(contact_phone)
    account = world.vneid.account_of(person.id_number)
    if account is not None and account.level == 2:
        raise StateError(f"{person.full_name} đã có tài khoản mức 2: không cần công an đến nhà "
                         "nữa, chỉ cần kích hoạt trên điện thoại.")
    waiting = next((v for v in visits.values() if v.id_number == person.id_number and not v.done),
                   None)
    if waiting is not None:  # the family calls again: the booking is corrected, not doubled
        waiting.reason, waiting.contact = reason, contact
        visit = waiting
    else:
        day = world.now.date() + dt.timedelta(days=2)
        visit = HomeVisit(f"DN{world.counter('home-visit'):04d}", person.id_number, reason,
                          contact, dt.datetime.combine(day, dt.time(8, 0)))
        visits[visit.id] = visit
    world.send_sms(contact, SENDER,
                   f"Cong an phuong se den nha {person.full_name} sang ngay "
                   f"{format_date(visit.due.date())} (tu 8:00) de thu nhan ho so can cuoc va dinh "
                   "danh dien tu muc 2. Nguoi dan can co mat, de san the can cuoc (neu co). "
                   "Khong thu phi tai nha.")
    return visit


def visit_home(world: World, visits: dict[str, HomeVisit], visit_id: str, phone: str):
    """The officers at the resident's bedside: photo and fingerprints, then the level-2 account
    (to the resident's own phone number, as at the desk)."""
    visit = visits.get(str(visit_id).strip().upper())
    if visit is None:
        raise ValidationError("Không có lịch hẹn công an đến nhà với mã này.", field="visit")
    if visit.done:
        raise StateError("Công an đã đến nhà theo lịch hẹn này rồi.")
    if world.now < visit.due:
        raise StateError(f"Chưa đến ngày hẹn: công an đến sáng ngày "
                         f"{format_date(visit.due.date())} (từ 8:00). Cho thời gian trôi đến lúc "
                         "đó.")
    account = world.police._enroll(visit.id_number, phone, present=True, officer=OFFICERS)
    visit.done = True
    return account
