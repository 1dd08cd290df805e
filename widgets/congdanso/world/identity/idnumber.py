"""The 12-digit personal ID number (số định danh cá nhân, printed on the căn cước card).

Structure (Circular 07/2016/TT-BCA): 3 digits for the province where the birth was registered,
1 digit for century and gender (1900s: male 0, female 1; 2000s: 2/3; 2100s: 4/5; ...), 2 digits
for the last two digits of the birth year, then 6 random digits. No library parses it, so it is
written here.
"""

from __future__ import annotations

from dataclasses import dataclass

from congdanso.world.core.errors import ValidationError
from congdanso.world.society.places import PROVINCES

MALE, FEMALE = "nam", "nữ"


@dataclass(frozen=True, slots=True)
class IdParts:
    province_code: str
    gender: str  # MALE or FEMALE
    birth_year: int
    serial: str

    @property
    def province(self) -> str:
        return PROVINCES[self.province_code]


def century_digit(birth_year: int, gender: str) -> int:
    century = birth_year // 100 - 19  # 1900s → 0, 2000s → 1, ...
    if not 0 <= century <= 4:
        raise ValidationError(
            f"Năm sinh {birth_year} nằm ngoài khoảng 1900–2399 mà số định danh mã hoá được.",
            field="birth_year",
        )
    return century * 2 + (1 if gender == FEMALE else 0)


def make_id_number(province_code: str, birth_year: int, gender: str, serial: int) -> str:
    if province_code not in PROVINCES:
        raise ValidationError(
            f"Mã tỉnh {province_code} không có trong danh sách.", field="province"
        )
    if not 0 <= serial < 1_000_000:
        raise ValueError("serial must have at most 6 digits")
    return f"{province_code}{century_digit(birth_year, gender)}{birth_year % 100:02d}{serial:06d}"


def clean_id_number(text: str) -> str:
    """Remove the spaces and dots people type between digit groups (:mod:`normalize`)."""
    from congdanso.world.core.normalize import id_number

    return id_number(text)


def parse_id_number(text: str) -> IdParts:
    """Parse a typed ID number, or raise ``ValidationError`` saying what is wrong in Vietnamese."""
    value = clean_id_number(text)
    if not value:
        raise ValidationError(
            "Bạn chưa nhập số định danh cá nhân (12 chữ số trên thẻ căn cước).", field="id_number"
        )
    if not value.isascii() or not value.isdigit():
        raise ValidationError(
            "Số định danh chỉ gồm chữ số 0–9. Hãy xoá chữ cái hoặc ký hiệu và nhập lại 12 chữ số "
            "in trên thẻ căn cước.",
            field="id_number",
        )
    if len(value) == 9:
        raise ValidationError(
            "Bạn vừa nhập 9 chữ số — đó là số chứng minh nhân dân cũ. Hãy nhập số định danh cá nhân "
            "12 chữ số in trên thẻ căn cước (căn cước công dân).",
            field="id_number",
        )
    if len(value) != 12:
        raise ValidationError(
            f"Số định danh phải có đúng 12 chữ số; bạn đã nhập {len(value)} chữ số. "
            "Hãy đối chiếu lại từng nhóm số trên thẻ căn cước.",
            field="id_number",
        )
    province_code = value[:3]
    if province_code not in PROVINCES:
        raise ValidationError(
            f"Ba chữ số đầu ({province_code}) phải là mã tỉnh nơi đăng ký khai sinh, nhưng không có "
            "tỉnh nào mang mã này. Hãy kiểm tra lại ba số đầu trên thẻ.",
            field="id_number",
        )
    digit = int(value[3])
    century = 1900 + (digit // 2) * 100
    gender = FEMALE if digit % 2 else MALE
    return IdParts(province_code, gender, century + int(value[4:6]), value[6:])


def check_id_matches(
    text: str, *, birth_year: int | None = None, gender: str | None = None
) -> IdParts:
    """Parse an ID number and check that it agrees with what is known of its holder."""
    parts = parse_id_number(text)
    if birth_year is not None and parts.birth_year != birth_year:
        raise ValidationError(
            f"Số định danh này ghi năm sinh {parts.birth_year} (chữ số thứ 4–6), nhưng người dân "
            f"sinh năm {birth_year}. Có thể bạn nhập nhầm số — hãy đọc lại từ thẻ căn cước.",
            field="id_number",
        )
    if gender is not None and parts.gender != gender:
        raise ValidationError(
            f"Chữ số thứ 4 của số định danh ứng với giới tính {parts.gender}, nhưng người dân là "
            f"{gender}. Hãy kiểm tra lại số trên thẻ căn cước.",
            field="id_number",
        )
    return parts
