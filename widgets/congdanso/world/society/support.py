"""The support point's visit log (sổ theo dõi lượt hỗ trợ), kept as the law on personal data asks.

Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 (in force 1/1/2026): personal data is recorded only
with the person's consent, for a stated purpose, no more than the purpose needs, and is erased
when the person asks. So a visit is written with the resident's name and household only when they
agree (the volunteer says why: counting who was helped, following up); without consent the visit
is only counted. The log has no field for a password, an OTP or a photo of a document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from congdanso.world.core.actions import action
from congdanso.world.core.clock import format_time
from congdanso.world.core.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from congdanso.world.world import World

TASKS = (
    "Kích hoạt VNeID",
    "Tạo tài khoản Cổng DVC",
    "Nộp hồ sơ trực tuyến",
    "Ký số",
    "Thanh toán không dùng tiền mặt",
    "Gỡ rối tài khoản",
)
RESULTS = ("Đã xong", "Hẹn lần sau", "Chuyển công an phường")
PURPOSE = "thống kê số người được hỗ trợ và hẹn theo dõi"


@dataclass(slots=True)
class Visit:
    id_number: str
    full_name: str
    household: str
    khu_pho: str
    ward: str
    task: str
    result: str
    at: dt.datetime

    def record(self) -> dict[str, str]:
        return {"id_number": self.id_number, "task": self.task, "result": self.result,
                "at": self.at.isoformat()}

    def row(self) -> dict[str, str]:
        """What the log shows (no ID number: the household and name are enough to follow up)."""
        return {"Họ tên": self.full_name, "Hộ": self.household, "Khu phố": self.khu_pho,
                "Phường": self.ward, "Việc đã giúp": self.task, "Kết quả": self.result,
                "Lúc": format_time(self.at)}


class SupportPointService:
    def __init__(self, world: World):
        self.world = world
        self.visits: list[Visit] = []
        self.anonymous = 0  # visits of residents who did not agree to be written down

    @action("support.log_visit")
    def log_visit(self, id_number: str, task: str, result: str, consent: bool) -> dict[str, str]:
        """Write one visit: with name and household if the resident agreed, else only a count."""
        if task not in TASKS:
            raise ValidationError("Hãy chọn việc đã giúp trong danh sách.", field="task")
        if result not in RESULTS:
            raise ValidationError("Hãy chọn kết quả trong danh sách.", field="result")
        if not consent:
            self.anonymous += 1
            return {"recorded": "dem_luot",
                    "note": "Người dân không đồng ý: chỉ đếm một lượt, không ghi tên."}
        person = self.world.population.require(id_number)
        home = self.world.population.household_of(person)
        visit = Visit(person.id_number, person.full_name, home.id, home.khu_pho, home.ward.name,
                      task, result, self.world.now)
        self.visits.append(visit)
        return {"recorded": "ghi_so", **visit.record()}

    @action("support.erase")
    def erase(self, id_number: str) -> dict[str, int]:
        """The resident asks to be removed from the log: every line about them goes (the visits
        still count)."""
        person = self.world.population.require(id_number)
        mine = [v for v in self.visits if v.id_number == person.id_number]
        if not mine:
            raise NotFoundError("Sổ không có dòng nào về người dân này.", field="id_number")
        self.visits = [v for v in self.visits if v.id_number != person.id_number]
        self.anonymous += len(mine)
        return {"erased": len(mine)}

    def rows(self) -> list[dict[str, str]]:
        return [v.row() for v in self.visits]

    @property
    def total(self) -> int:
        return len(self.visits) + self.anonymous
