"""Vietnamese mobile numbers: 10 digits starting with a carrier prefix.

Prefixes from the brief (carriers' published ranges). A number ported to another carrier keeps
its prefix, so the prefix names the original carrier only.
"""

from __future__ import annotations

from congdanso.world.core.errors import ValidationError

CARRIER_PREFIXES: dict[str, tuple[str, ...]] = {
    "Viettel": ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039"),
    "MobiFone": ("070", "076", "077", "078", "079", "089", "090", "093"),
    "VinaPhone": ("081", "082", "083", "084", "085", "088", "091", "094"),
    "Vietnamobile": ("052", "056", "058", "092"),
    "Gmobile": ("059", "099"),
}
PREFIX_CARRIER: dict[str, str] = {p: c for c, ps in CARRIER_PREFIXES.items() for p in ps}
# Market shares, roughly, so a synthetic population looks like a real one.
CARRIER_WEIGHTS: dict[str, int] = {
    "Viettel": 54,
    "VinaPhone": 22,
    "MobiFone": 20,
    "Vietnamobile": 3,
    "Gmobile": 1,
}


def clean_phone(text: str) -> str:
    """Normalise a typed number: drop spaces/dots/dashes, turn +84 / 84 into a leading 0."""
    from congdanso.world.core.normalize import phone

    return phone(text)


def parse_phone(text: str) -> str:
    """Return the number as 10 digits, or raise ``ValidationError`` with a Vietnamese reason."""
    value = clean_phone(text)
    if not value:
        raise ValidationError("Bạn chưa nhập số điện thoại.", field="phone")
    if not value.isascii() or not value.isdigit():
        raise ValidationError(
            "Số điện thoại chỉ gồm chữ số (có thể bắt đầu bằng +84). "
            "Hãy xoá chữ cái hoặc ký hiệu lạ.",
            field="phone",
        )
    if len(value) == 11 and value.startswith("01"):
        raise ValidationError(
            "Đây là số 11 chữ số kiểu cũ. Từ năm 2018 các số này đã chuyển sang 10 chữ số "
            "(ví dụ 0168… thành 038…). Hãy hỏi người dân số mới.",
            field="phone",
        )
    if len(value) != 10:
        raise ValidationError(
            f"Số di động phải có đúng 10 chữ số; bạn đã nhập {len(value)}.", field="phone"
        )
    if not value.startswith("0"):
        raise ValidationError("Số di động phải bắt đầu bằng số 0 (hoặc +84).", field="phone")
    if value[:3] not in PREFIX_CARRIER:
        raise ValidationError(
            f"Đầu số {value[:3]} không phải đầu số di động ở Việt Nam. Hãy kiểm tra lại ba số đầu.",
            field="phone",
        )
    return value


def carrier_of(phone: str) -> str:
    return PREFIX_CARRIER[parse_phone(phone)[:3]]
