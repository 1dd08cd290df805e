"""The mobile carrier's shop: who a SIM is registered to (the TTTB → 1414 check) and moving a
subscription into the name of the person who actually uses it ("chuẩn hoá thông tin thuê bao").

VNeID level 2, the portal and banks all want a phone registered to the citizen themselves; many
older residents use a SIM registered to a grown child. The population records the owner each SIM
was generated with; changes made at the shop are kept here, in the world's state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from congdanso.world.core.actions import action
from congdanso.world.core.errors import NotFoundError, PermissionDeniedError, StateError
from congdanso.world.identity.phone import parse_phone

if TYPE_CHECKING:
    from congdanso.world.world import World

SENDER = "1414"


class CarrierService:
    def __init__(self, world: World):
        self.world = world
        self.owners: dict[str, str] = {}  # phone → ID number, for subscriptions moved at the shop
        self.lost: set[str] = set()  # numbers whose SIM was lost with the phone: SMS go nowhere

    def is_lost(self, phone: str) -> bool:
        return phone in self.lost

    def owner_of(self, phone: str) -> str | None:
        number = parse_phone(phone)
        return self.owners.get(number, self.world.population.sim_owner.get(number))

    def _known(self, phone: str) -> str:
        number = parse_phone(phone)
        if self.owner_of(number) is None:
            raise NotFoundError("Số điện thoại này không có trong danh bạ thuê bao mô phỏng. Hãy "
                                "đọc lại từng số.", field="phone")
        return number

    @action("carrier.check_subscriber")
    def check_subscriber(self, phone: str) -> dict[str, str]:
        """What texting TTTB to 1414 answers: the name the subscription is registered to."""
        number = self._known(phone)
        owner = self.world.population.require(self.owner_of(number) or "")
        text = (f"Thuê bao {number} đang đăng ký cho {owner.full_name.upper()}, giấy tờ số "
                f"…{owner.id_number[-4:]}. Nếu không đúng người sử dụng, hãy đến cửa hàng nhà "
                "mạng để chuẩn hoá thông tin.")
        self.world.send_sms(number, SENDER, text)
        return {"phone": number, "registered_to": owner.id_number}

    @action("carrier.update_subscriber")
    def update_subscriber(self, phone: str, id_number: str, present: bool = True,
                          current_owner_agrees: bool = True) -> dict[str, str]:
        """Register the subscription to the person who uses it (at the shop, with their card)."""
        number = self._known(phone)
        person = self.world.population.require(id_number)
        if not present:
            raise PermissionDeniedError("Người sẽ đứng tên thuê bao phải có mặt tại cửa hàng, "
                                        "mang thẻ căn cước bản gốc.", field="present")
        if not person.has_chip_card:
            raise PermissionDeniedError(f"{person.full_name} chưa có thẻ căn cước gắn chip: làm "
                                        "thẻ căn cước trước.", field="id_number")
        if self.owner_of(number) == person.id_number:
            raise StateError("Thuê bao này đã đứng tên đúng người dân; không cần chuẩn hoá.",
                             field="phone")
        if not current_owner_agrees:
            raise PermissionDeniedError("Người đang đứng tên thuê bao phải đồng ý chuyển (có mặt "
                                        "hoặc có giấy uỷ quyền).", field="current_owner_agrees")
        self.owners[number] = person.id_number
        self.world.send_sms(number, SENDER, f"Thuê bao {number} đã được đăng ký cho "
                            f"{person.full_name.upper()}.")
        return {"phone": number, "registered_to": person.id_number}

    @action("carrier.replace_sim")
    def replace_sim(self, phone: str, id_number: str, present: bool = True) -> dict[str, str]:
        """"Cấp lại SIM giữ số": a lost or broken SIM is replaced at the shop, for the person the
        subscription is registered to, who comes with the căn cước card. SMS arrive again."""
        number = self._known(phone)
        person = self.world.population.require(id_number)
        if not present:
            raise PermissionDeniedError("Người đứng tên thuê bao phải có mặt tại cửa hàng, mang "
                                        "thẻ căn cước bản gốc, để được cấp lại SIM.",
                                        field="present")
        if self.owner_of(number) != person.id_number:
            raise PermissionDeniedError(
                f"Thuê bao {number} không đứng tên {person.full_name}: chỉ người đứng tên được "
                "cấp lại SIM. Hãy nhờ người đứng tên đến cùng, hoặc chuẩn hoá thuê bao trước.",
                field="id_number")
        self.lost.discard(number)
        self.world.send_sms(number, SENDER, f"SIM mới của thuê bao {number} đã được kích hoạt. "
                            "SIM cũ không còn dùng được.")
        return {"phone": number, "registered_to": person.id_number}
