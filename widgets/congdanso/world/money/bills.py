"""Bills of the simulated households: electricity (EVN), water (Biwase), environmental services.

EVN customer codes start with the power corporation and branch: PB04 is (former) Bình Dương in
EVNSPC, PB0401 Thủ Dầu Một, PB0402 Dĩ An, PB0403 Thuận An… (13 characters here). The formats of
water and environmental-service codes are not published, so they are modelled generically and
said to be simulated. Amounts and periods come from the seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from congdanso.world import normalize
from congdanso.world.core.actions import action
from congdanso.world.core.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from congdanso.world.society.people import Household
    from congdanso.world.world import World

EVN_BRANCHES = {
    "PB0401": "Điện lực Thủ Dầu Một",
    "PB0402": "Điện lực Dĩ An",
    "PB0403": "Điện lực Thuận An",
    "PB0404": "Điện lực Bến Cát",
    "PB0405": "Điện lực Dầu Tiếng",
    "PB0406": "Điện lực Tân Uyên",
    "PB0407": "Điện lực Phú Giáo",
    "PB0408": "Điện lực Trung Tâm",
}
BRANCH_OF_CITY = {"TP. Thủ Dầu Một": "PB0401", "TP. Dĩ An": "PB0402", "TP. Thuận An": "PB0403"}

SERVICES = {
    "dien": ("Tiền điện", "Tổng công ty Điện lực miền Nam (EVNSPC) – mô phỏng"),
    "nuoc": ("Tiền nước", "Biwase – Công ty cấp nước Bình Dương (mô phỏng)"),
    "moi_truong": ("Phí dịch vụ môi trường (thu gom rác)", "Đơn vị thu gom rác phường (mô phỏng)"),
}
PERIOD = "03/2026"


@dataclass(slots=True)
class Bill:
    service: str
    customer_code: str
    customer_name: str
    address: str
    period: str
    amount: int
    due: dt.date
    biller: str
    household_id: str
    branch: str | None = None
    paid_at: dt.datetime | None = None
    paid_by: str | None = None  # transfer id
    receipt_no: str | None = None
    # Money that reached the biller for this bill but did not pay it (the bill was paid already,
    # or the amount differed): transfer ids and the total. The biller keeps it until the
    # customer asks (deducted from the next bill or refunded: what the simulation says).
    overpaid: list[str] = field(default_factory=list)
    overpaid_amount: int = 0

    @property
    def service_name(self) -> str:
        return SERVICES[self.service][0]

    @property
    def bill_number(self) -> str:
        return f"{self.customer_code}-{self.period.replace('/', '')}"

    def record(self) -> dict:
        return {
            "service": self.service,
            "customer_code": self.customer_code,
            "period": self.period,
            "amount": self.amount,
            "paid": self.paid_at is not None,
        }

    def _repr_html_(self) -> str:
        """Shown in a notebook as the bill card the bank app shows."""
        from congdanso.ui.cards import Card

        return Card(self.view(), title="Hoá đơn")._repr_html_()

    def view(self) -> dict[str, str]:
        rows = {
            "Dịch vụ": self.service_name,
            "Mã khách hàng": self.customer_code,
            "Tên khách hàng": self.customer_name,
            "Địa chỉ": self.address,
            "Kỳ": self.period,
            "Số tiền": f"{self.amount:,} đồng".replace(",", "."),
            "Hạn thanh toán": self.due.strftime("%d/%m/%Y"),
            "Trạng thái": "Đã thanh toán" if self.paid_at else "Chưa thanh toán",
        }
        if self.branch:
            rows["Điện lực"] = self.branch
        if self.overpaid_amount:
            rows["Tiền trả thừa"] = (
                f"{self.overpaid_amount:,} đồng".replace(",", ".")
                + " — đơn vị thu đã nhận nhưng không tính vào hoá đơn; liên hệ đơn vị thu để "
                "trừ vào kỳ sau hoặc xin hoàn lại")
        return rows


def _number(seed: int, text: str, digits: int) -> int:
    value = int.from_bytes(hashlib.sha256(f"{seed}:{text}".encode()).digest()[:8], "big")
    return value % (10**digits)


def check_customer_code(service: str, code: str) -> str:
    value = normalize.code(code)
    if service not in SERVICES:
        raise ValidationError("Hãy chọn dịch vụ: điện, nước hoặc môi trường.", field="service")
    if not value:
        raise ValidationError(
            "Hãy nhập mã khách hàng in trên hoá đơn hoặc tin nhắn báo tiền.", field="customer_code"
        )
    if service == "dien":
        if not value.startswith("P"):
            raise ValidationError(
                "Mã khách hàng tiền điện bắt đầu bằng chữ P (ví dụ "
                "PB0403…). Hãy xem trên hoá đơn điện.",
                field="customer_code",
            )
        if not 11 <= len(value) <= 13 or not value[1:].isalnum():
            raise ValidationError(
                "Mã khách hàng tiền điện dài 11–13 ký tự, chỉ gồm chữ và số.", field="customer_code"
            )
    return value


class BillService:
    """The billers' systems: look up a bill by customer code; the bank marks it paid."""

    def __init__(self, world: World):
        self.world = world
        self.bills: dict[tuple[str, str], Bill] = {}
        for household in world.population.households:
            for bill in self._bills_for(household):
                self.bills[(bill.service, bill.customer_code)] = bill

    def _bills_for(self, household: Household) -> list[Bill]:
        seed = self.world.seed
        branch = BRANCH_OF_CITY.get(household.ward.former_city, "PB0408")
        electric = f"{branch}{_number(seed, 'dien' + household.id, 7):07d}"
        water = f"{_number(seed, 'nuoc' + household.id, 10):010d}"
        waste = f"MT{household.ward.code}{_number(seed, 'rac' + household.id, 6):06d}"
        people = len(household.members)
        due = dt.date(2026, 3, 20)
        name, address = household.head.full_name, household.full_address
        return [
            Bill(
                "dien",
                electric,
                name,
                address,
                PERIOD,
                (150_000 + _number(seed, "kwh" + household.id, 3) * 1_000 * max(1, people // 2)),
                due,
                SERVICES["dien"][1],
                household.id,
                EVN_BRANCHES[branch],
            ),
            Bill(
                "nuoc",
                water,
                name,
                address,
                PERIOD,
                people * 4 * 12_000 + _number(seed, "m3" + household.id, 2) * 1_000,
                due,
                SERVICES["nuoc"][1],
                household.id,
            ),
            Bill(
                "moi_truong",
                waste,
                name,
                address,
                PERIOD,
                40_000 + 10_000 * min(people, 4),
                due,
                SERVICES["moi_truong"][1],
                household.id,
            ),
        ]

    def of_household(self, household_id: str) -> list[Bill]:
        return [b for b in self.bills.values() if b.household_id == household_id]

    def find(self, service: str, customer_code: str) -> Bill:
        code = check_customer_code(service, customer_code)
        bill = self.bills.get((service, code))
        if bill is None:
            raise NotFoundError(
                f"Không tìm thấy khách hàng có mã {code} ({SERVICES[service][0]}"
                "). Hãy đối chiếu từng ký tự với hoá đơn giấy hoặc tin nhắn.",
                field="customer_code",
            )
        return bill

    def by_bill_number(self, bill_number: str) -> Bill | None:
        for bill in self.bills.values():
            if bill.bill_number == bill_number:
                return bill
        return None

    @action("bills.lookup")
    def lookup(self, service: str, customer_code: str) -> Bill:
        """ "Tra cứu hoá đơn" by customer code: amount due and period."""
        return self.find(service, customer_code)
