"""Places: province codes of the ID number and the wards and khu phố of (former) Bình Dương.

Province codes are those of Circular 07/2016/TT-BCA (the first three digits of a personal ID
number), for the 63 provinces that registered births before the 2025 merger — an ID number keeps
its code for life.

Wards are those of 2026: since 1/7/2025 former Bình Dương belongs to Thành phố Hồ Chí Minh
(Resolution 202/2025/QH15) and an address has two levels, "…, khu phố, phường, Thành phố Hồ Chí
Minh", with no district (BRIEF "2026 facts"). The seed's places keep their stories under today's
names: Lái Thiêu (with khu phố Đông Nhì), Phú Lợi, and Tân Bình, now part of phường Tân Đông Hiệp;
Phú Cường is now part of phường Thủ Dầu Một. A pre-merger ward name (a roster, an old paper) is
mapped by :func:`ward_for`. Khu phố and street names are for the simulation only.
"""

from __future__ import annotations

from dataclasses import dataclass

PROVINCES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa – Vũng Tàu",
    "079": "TP. Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

HOME_PROVINCE = "074"  # Bình Dương: most residents of the simulated wards were registered here.

# Where residents who moved to Bình Dương for work were born, with rough weights: the industrial
# parks drew workers from the Mekong delta and the north-central coast.
MIGRANT_PROVINCES: dict[str, int] = {
    "038": 4,
    "040": 4,
    "042": 2,
    "036": 2,
    "034": 2,
    "052": 2,
    "066": 1,
    "079": 3,
    "089": 3,
    "087": 3,
    "091": 2,
    "096": 3,
    "094": 2,
    "084": 2,
    "075": 2,
    "072": 1,
    "070": 1,
    "083": 2,
    "086": 1,
    "051": 1,
}


CITY = "Thành phố Hồ Chí Minh"


@dataclass(frozen=True, slots=True)
class Ward:
    code: str  # short code used in dossier numbers and file names
    name: str  # "Phường Lái Thiêu"
    former_city: str  # the city it belonged to before 1/7/2025 (history, power-branch codes)
    khu_pho: tuple[str, ...]
    streets: tuple[str, ...]
    former: tuple[str, ...] = ()  # pre-merger wards now part of this one

    @property
    def full_name(self) -> str:
        """The ward as an address names it since 1/7/2025: two levels, no district."""
        return f"{self.name}, {CITY}"


WARDS: tuple[Ward, ...] = (
    Ward(
        "LTH",
        "Phường Lái Thiêu",
        "TP. Thuận An",
        (
            "Khu phố Đông Nhì",
            "Khu phố Đông Tư",
            "Khu phố Đông Ba",
            "Khu phố Bình Đức 1",
            "Khu phố Bình Đức 2",
            "Khu phố Hòa Long",
            "Khu phố Long Thới",
        ),
        (
            "Đường Nguyễn Trãi",
            "Đường Phan Đình Phùng",
            "Đường Đông Nhì",
            "Đường Châu Văn Tiếp",
            "Đường Trần Quốc Tuấn",
            "Đường Gia Long",
        ),
        ("Lái Thiêu", "Bình Nhâm", "An Thạnh", "Hưng Định", "An Sơn"),
    ),
    Ward(
        "PLO",
        "Phường Phú Lợi",
        "TP. Thủ Dầu Một",
        ("Khu phố 1", "Khu phố 2", "Khu phố 3", "Khu phố 4", "Khu phố 5", "Khu phố 6"),
        (
            "Đường Phú Lợi",
            "Đường Huỳnh Văn Lũy",
            "Đường Lê Hồng Phong",
            "Đường Nguyễn Văn Tiết",
            "Đường Phan Đăng Lưu",
        ),
        ("Phú Lợi",),
    ),
    Ward(
        "TDH",
        "Phường Tân Đông Hiệp",
        "TP. Dĩ An",
        (
            "Khu phố Tân Phước",
            "Khu phố Tân Lập",
            "Khu phố Tân Hòa",
            "Khu phố Tân Thắng",
            "Khu phố Tân Quý",
        ),
        ("Đường ĐT743", "Đường Nguyễn Thị Minh Khai", "Đường Tân Bình 2", "Đường Cây Da"),
        ("Tân Bình", "Tân Đông Hiệp", "An Phú"),
    ),
    Ward(
        "TDM",
        "Phường Thủ Dầu Một",
        "TP. Thủ Dầu Một",
        ("Khu phố 1", "Khu phố 2", "Khu phố 3", "Khu phố 4"),
        ("Đường Bạch Đằng", "Đường Đinh Bộ Lĩnh", "Đường Ngô Quyền", "Đường Cách Mạng Tháng Tám"),
        ("Phú Cường",),
    ),
    Ward(
        "DAN",
        "Phường Dĩ An",
        "TP. Dĩ An",
        ("Khu phố Bình Minh", "Khu phố Nhị Đồng", "Khu phố Thống Nhất", "Khu phố Đông A"),
        ("Đường Trần Hưng Đạo", "Đường Lý Thường Kiệt", "Đường Nguyễn An Ninh"),
        ("Dĩ An",),
    ),
    Ward(
        "TGI",
        "Phường Thuận Giao",
        "TP. Thuận An",
        ("Khu phố Bình Thuận", "Khu phố Hòa Lân", "Khu phố Thuận Giao", "Khu phố Bình Hòa"),
        ("Đường Thuận Giao 21", "Đường Bình Chuẩn 69", "Đường Nguyễn Văn Tiết"),
        ("Thuận Giao", "Bình Chuẩn"),
    ),
)

WARDS_BY_CODE: dict[str, Ward] = {w.code: w for w in WARDS}


def _key(name: str) -> str:
    from congdanso.world.core.text import nfc, strip_diacritics

    text = " ".join(nfc(name).strip().casefold().split()).removeprefix("phường ").strip()
    return strip_diacritics(text)


def ward_by_name(name: str) -> Ward | None:
    """A ward of today by its name (with or without "Phường", accents or case) or code."""
    key = _key(name)
    for ward in WARDS:
        if _key(ward.name) == key or ward.code.casefold() == key:
            return ward
    return None


def ward_for(name: str) -> tuple[Ward | None, str | None]:
    """Today's ward for a name that may be a pre-merger one, and a note when it was mapped."""
    ward = ward_by_name(name)
    if ward is not None:
        return ward, None
    key = _key(name)
    for ward in WARDS:
        for old in ward.former:
            if _key(old) == key:
                return ward, f"phường {old} (trước 1/7/2025) nay thuộc {ward.name}"
    return None, None
