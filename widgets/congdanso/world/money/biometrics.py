"""Bank-app biometrics: what goes wrong when a resident matches their face with their chip card.

Thông tư 17/2024/TT-NHNN: from 1/1/2025 a personal account is not used online until the owner's
biometrics are matched against the chip of their căn cước card (in the bank app by NFC, or at the
counter), and the bank checks the owner's data against the national population database.
Quyết định 2345/QĐ-NHNN: the face is checked again on the app's first activation, on a new
device, and for transfers over 10 million VND (or over 20 million in a day).

The situations a support point meets, and what the simulation decides for each:

- the chip is not read: NFC switched off, a thick case, the card not on the phone's NFC spot
  (which part of the back holds the antenna varies by phone: the simulation has two spots), or a
  phone without NFC (then only the counter);
- the bank's record differs from the population database (name, birth date): not fixable in the
  app, the owner goes to the counter with the card;
- the record still holds the old 9-digit CMND (no legal value since 1/1/2025, Luật Căn cước 2023):
  updated with the căn cước card at the counter, or in the app where the bank allows it (in the
  simulation the first training bank allows it, the second does not);
- a new phone: the next login waits for the owner's face.

The phone's state (NFC switch, case, antenna spot) is a :class:`Handset`; the rules and their
Vietnamese messages live in :class:`~congdanso.world.money.payments.BankService`, which owns the
accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

NFC_SPOTS = {
    "giua": "giữa mặt lưng điện thoại",
    "tren": "phía trên mặt lưng, gần cụm camera",
    "man-hinh": "mặt trước, trên màn hình",
}
MISMATCH_WORDS = {"ho_ten": "họ tên", "ngay_sinh": "ngày sinh"}


@dataclass(slots=True)
class Handset:
    """The resident's phone as an NFC read of the chip card meets it."""

    has_nfc: bool = True
    nfc_on: bool = True  # many Android phones have an NFC switch in Settings
    thick_case: bool = False  # a thick or metal case, or a wallet case holding other cards
    nfc_spot: str = "giua"  # where this phone's NFC antenna sits (a key of NFC_SPOTS)

    def record(self) -> dict:
        return {"has_nfc": self.has_nfc, "nfc_on": self.nfc_on, "thick_case": self.thick_case}
