"""Banks by BIN (the 6-digit NAPAS bank identifier carried in a VietQR code).

Real banks are listed so that any real VietQR string a learner meets can be read and its bank
named. The simulated world's own banks use BINs in the 9997xx range, which no bank in the NAPAS
list has: a training QR code can never move real money, in any banking app.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bank:
    bin: str
    short_name: str
    name: str
    training: bool = False


REAL_BANKS: tuple[Bank, ...] = (
    Bank("970436", "Vietcombank", "Ngân hàng TMCP Ngoại thương Việt Nam"),
    Bank("970415", "VietinBank", "Ngân hàng TMCP Công thương Việt Nam"),
    Bank("970418", "BIDV", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam"),
    Bank("970405", "Agribank", "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam"),
    Bank("970407", "Techcombank", "Ngân hàng TMCP Kỹ thương Việt Nam"),
    Bank("970422", "MB", "Ngân hàng TMCP Quân đội"),
    Bank("970416", "ACB", "Ngân hàng TMCP Á Châu"),
    Bank("970432", "VPBank", "Ngân hàng TMCP Việt Nam Thịnh Vượng"),
    Bank("970423", "TPBank", "Ngân hàng TMCP Tiên Phong"),
    Bank("970403", "Sacombank", "Ngân hàng TMCP Sài Gòn Thương Tín"),
    Bank("970443", "SHB", "Ngân hàng TMCP Sài Gòn – Hà Nội"),
    Bank("970437", "HDBank", "Ngân hàng TMCP Phát triển TP. Hồ Chí Minh"),
    Bank("970441", "VIB", "Ngân hàng TMCP Quốc tế Việt Nam"),
    Bank("970426", "MSB", "Ngân hàng TMCP Hàng Hải Việt Nam"),
    Bank("970448", "OCB", "Ngân hàng TMCP Phương Đông"),
)

TRAINING_BANKS: tuple[Bank, ...] = (
    Bank("999701", "NH Tập huấn Sông Bé", "Ngân hàng Tập huấn Sông Bé (mô phỏng)", True),
    Bank("999702", "NH Tập huấn Lái Thiêu", "Ngân hàng Tập huấn Lái Thiêu (mô phỏng)", True),
    Bank("999703", "Ví Tập huấn", "Ví điện tử Tập huấn (mô phỏng)", True),
)

BY_BIN: dict[str, Bank] = {b.bin: b for b in REAL_BANKS + TRAINING_BANKS}


def bank_of(bin_code: str) -> Bank | None:
    return BY_BIN.get(bin_code)
