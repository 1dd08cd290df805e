"""Places: province codes of the ID number, the wards and xã of Thành phố Hồ Chí Minh, and the
simulated wards of (former) Bình Dương with their khu phố.

Province codes are those of Circular 07/2016/TT-BCA (the first three digits of a personal ID
number), for the 63 provinces that registered births before the 2025 merger — an ID number keeps
its code for life.

Wards are those of 2026: since 1/7/2025 former Bình Dương belongs to Thành phố Hồ Chí Minh
(Resolution 202/2025/QH15) and an address has two levels, "…, khu phố, phường, Thành phố Hồ Chí
Minh", with no district (BRIEF "2026 facts"). The city's 168 units (113 phường, 54 xã, 1 đặc khu)
are those of Resolution 1685/NQ-UBTVQH15 (16/6/2025): a trainer's roster may name any of them.
Six of them are simulated, with residents, khu phố and streets: Lái Thiêu (khu phố Đông Nhì of
the seed), Phú Lợi, Tân Đông Hiệp (with the seed's old phường Tân Bình), Thủ Dầu Một, Dĩ An and
Thuận Giao. A pre-merger name (a roster, an old paper) is mapped by :func:`city_ward` with the
final resolution (:data:`FORMER`), never with the March 2025 draft. Khu phố and street names of the
simulated wards are for the simulation only.
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

    @property
    def full_name(self) -> str:
        """The ward as an address names it since 1/7/2025: two levels, no district."""
        return f"{self.name}, {CITY}"

    @property
    def former(self) -> tuple[FormerUnit, ...]:
        """Pre-merger units, whole or in part, now in this ward (as far as :data:`FORMER` says)."""
        return tuple(unit for unit in FORMER if self.name in unit.now)


WARDS: tuple[Ward, ...] = (
    Ward(
        "LTH",
        "Phường Lái Thiêu",
        "TP. Thuận An",
        (
            "Khu phố Đông Nhì",
            "Khu phố Đông Tư",
            "Khu phố Đông Ba",
            "Khu phố Bình Nhâm",
            "Khu phố Phú Long",
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
    ),
    Ward(
        "TDM",
        "Phường Thủ Dầu Một",
        "TP. Thủ Dầu Một",
        ("Khu phố 1", "Khu phố 2", "Khu phố 3", "Khu phố 4"),
        ("Đường Bạch Đằng", "Đường Đinh Bộ Lĩnh", "Đường Ngô Quyền", "Đường Cách Mạng Tháng Tám"),
    ),
    Ward(
        "DAN",
        "Phường Dĩ An",
        "TP. Dĩ An",
        ("Khu phố Bình Minh", "Khu phố Nhị Đồng", "Khu phố Thống Nhất", "Khu phố Đông A"),
        ("Đường Trần Hưng Đạo", "Đường Lý Thường Kiệt", "Đường Nguyễn An Ninh"),
    ),
    Ward(
        "TGI",
        "Phường Thuận Giao",
        "TP. Thuận An",
        ("Khu phố Bình Thuận", "Khu phố Hòa Lân", "Khu phố Thuận Giao", "Khu phố Bình Hòa"),
        ("Đường Thuận Giao 21", "Đường Bình Chuẩn 69", "Đường Nguyễn Văn Tiết"),
    ),
)

WARDS_BY_CODE: dict[str, Ward] = {w.code: w for w in WARDS}


# The 168 units of Thành phố Hồ Chí Minh from 1/7/2025 (Resolution 1685/NQ-UBTVQH15): 113 phường,
# 54 xã and the đặc khu Côn Đảo. Former Bình Dương's 36 are the 24 phường and 12 xã of the
# province's plan (BRIEF "2026 facts"); the counts are checked in tests.
CITY_UNITS: tuple[str, ...] = (
    # former TP. Hồ Chí Minh
    "Phường Sài Gòn", "Phường Tân Định", "Phường Bến Thành", "Phường Cầu Ông Lãnh",
    "Phường Bàn Cờ", "Phường Xuân Hòa", "Phường Nhiêu Lộc", "Phường Xóm Chiếu",
    "Phường Khánh Hội", "Phường Vĩnh Hội", "Phường Chợ Quán", "Phường An Đông", "Phường Chợ Lớn",
    "Phường Bình Tây", "Phường Bình Tiên", "Phường Bình Phú", "Phường Phú Lâm",
    "Phường Tân Thuận", "Phường Phú Thuận", "Phường Tân Mỹ", "Phường Tân Hưng",
    "Phường Chánh Hưng", "Phường Phú Định", "Phường Bình Đông", "Phường Diên Hồng",
    "Phường Vườn Lài", "Phường Hòa Hưng", "Phường Minh Phụng", "Phường Bình Thới",
    "Phường Hòa Bình", "Phường Phú Thọ", "Phường Đông Hưng Thuận", "Phường Trung Mỹ Tây",
    "Phường Tân Thới Hiệp", "Phường Thới An", "Phường An Phú Đông", "Phường An Lạc",
    "Phường Bình Tân", "Phường Tân Tạo", "Phường Bình Trị Đông", "Phường Bình Hưng Hòa",
    "Phường Gia Định", "Phường Bình Thạnh", "Phường Bình Lợi Trung", "Phường Thạnh Mỹ Tây",
    "Phường Bình Quới", "Phường Hạnh Thông", "Phường An Nhơn", "Phường Gò Vấp",
    "Phường An Hội Đông", "Phường Thông Tây Hội", "Phường An Hội Tây", "Phường Đức Nhuận",
    "Phường Cầu Kiệu", "Phường Phú Nhuận", "Phường Tân Sơn Hòa", "Phường Tân Sơn Nhất",
    "Phường Tân Hòa", "Phường Bảy Hiền", "Phường Tân Bình", "Phường Tân Sơn", "Phường Tây Thạnh",
    "Phường Tân Sơn Nhì", "Phường Phú Thọ Hòa", "Phường Tân Phú", "Phường Phú Thạnh",
    "Phường Hiệp Bình", "Phường Thủ Đức", "Phường Tam Bình", "Phường Linh Xuân",
    "Phường Tăng Nhơn Phú", "Phường Long Bình", "Phường Long Phước", "Phường Long Trường",
    "Phường Cát Lái", "Phường Bình Trưng", "Phường Phước Long", "Phường An Khánh",
    "Xã Vĩnh Lộc", "Xã Tân Vĩnh Lộc", "Xã Bình Lợi", "Xã Tân Nhựt", "Xã Bình Chánh",
    "Xã Hưng Long", "Xã Bình Hưng", "Xã Bình Khánh", "Xã An Thới Đông", "Xã Cần Giờ",
    "Xã Thạnh An", "Xã Củ Chi", "Xã Tân An Hội", "Xã Thái Mỹ", "Xã An Nhơn Tây", "Xã Nhuận Đức",
    "Xã Phú Hòa Đông", "Xã Bình Mỹ", "Xã Đông Thạnh", "Xã Hóc Môn", "Xã Xuân Thới Sơn",
    "Xã Bà Điểm", "Xã Nhà Bè", "Xã Hiệp Phước",
    # former Bình Dương
    "Phường Đông Hòa", "Phường Dĩ An", "Phường Tân Đông Hiệp", "Phường Thuận An",
    "Phường Thuận Giao", "Phường Bình Hòa", "Phường Lái Thiêu", "Phường An Phú",
    "Phường Bình Dương", "Phường Chánh Hiệp", "Phường Thủ Dầu Một", "Phường Phú Lợi",
    "Phường Vĩnh Tân", "Phường Bình Cơ", "Phường Tân Uyên", "Phường Tân Hiệp", "Phường Tân Khánh",
    "Phường Phú An", "Phường Tây Nam", "Phường Long Nguyên", "Phường Bến Cát",
    "Phường Chánh Phú Hòa", "Phường Thới Hòa", "Phường Hòa Lợi",
    "Xã Bắc Tân Uyên", "Xã Thường Tân", "Xã An Long", "Xã Phước Thành", "Xã Phước Hòa",
    "Xã Phú Giáo", "Xã Trừ Văn Thố", "Xã Bàu Bàng", "Xã Minh Thạnh", "Xã Long Hòa",
    "Xã Dầu Tiếng", "Xã Thanh An",
    # former Bà Rịa – Vũng Tàu
    "Phường Vũng Tàu", "Phường Tam Thắng", "Phường Rạch Dừa", "Phường Phước Thắng",
    "Phường Long Hương", "Phường Bà Rịa", "Phường Tam Long", "Phường Tân Hải", "Phường Tân Phước",
    "Phường Phú Mỹ", "Phường Tân Thành",
    "Xã Châu Pha", "Xã Long Hải", "Xã Long Điền", "Xã Phước Hải", "Xã Đất Đỏ", "Xã Nghĩa Thành",
    "Xã Ngãi Giao", "Xã Kim Long", "Xã Châu Đức", "Xã Bình Giã", "Xã Xuân Sơn", "Xã Hồ Tràm",
    "Xã Xuyên Mộc", "Xã Hòa Hội", "Xã Bàu Lâm", "Xã Bình Châu", "Xã Hòa Hiệp", "Xã Long Sơn",
    "Đặc khu Côn Đảo",
)


@dataclass(frozen=True, slots=True)
class FormerUnit:
    """A phường or xã of former Bình Dương before 1/7/2025 and where it went."""

    name: str  # "Xã An Sơn", with its type of the time
    former_city: str  # "TP. Thuận An"
    now: tuple[str, ...]  # today's unit(s) it went to
    whole: bool = True  # False: split, and only the parts listed in ``now`` are known here

    @property
    def short(self) -> str:
        return self.name.split(" ", 1)[1]


# Old → new for the seed's places and their neighbours, as finally decided (Resolution
# 1685/NQ-UBTVQH15; thanhnien.vn 14/7/2025, nld.com.vn 16/6/2025; BRIEF "2026 facts"). The March
# 2025 draft differed (it put An Thạnh, Hưng Định and An Sơn in Lái Thiêu and An Phú in Tân Đông
# Hiệp): an old name not listed here is not guessed.
FORMER: tuple[FormerUnit, ...] = (
    FormerUnit("Phường Lái Thiêu", "TP. Thuận An", ("Phường Lái Thiêu",)),
    FormerUnit("Phường Bình Nhâm", "TP. Thuận An", ("Phường Lái Thiêu",)),
    FormerUnit("Phường Vĩnh Phú", "TP. Thuận An", ("Phường Lái Thiêu",), whole=False),
    FormerUnit("Phường An Thạnh", "TP. Thuận An", ("Phường Thuận An",)),
    FormerUnit("Phường Hưng Định", "TP. Thuận An", ("Phường Thuận An",)),
    FormerUnit("Xã An Sơn", "TP. Thuận An", ("Phường Thuận An",)),
    FormerUnit("Phường An Phú", "TP. Thuận An", ("Phường An Phú",)),
    FormerUnit("Phường Bình Hòa", "TP. Thuận An", ("Phường Bình Hòa",)),
    FormerUnit("Phường Thuận Giao", "TP. Thuận An", ("Phường Thuận Giao",)),
    FormerUnit("Phường Bình Chuẩn", "TP. Thuận An", ("Phường Thuận Giao",)),
    FormerUnit("Phường Tân Bình", "TP. Dĩ An", ("Phường Tân Đông Hiệp",)),
    FormerUnit("Phường Tân Đông Hiệp", "TP. Dĩ An", ("Phường Tân Đông Hiệp",), whole=False),
    FormerUnit("Phường Phú Cường", "TP. Thủ Dầu Một", ("Phường Thủ Dầu Một",)),
    FormerUnit("Phường Phú Thọ", "TP. Thủ Dầu Một", ("Phường Thủ Dầu Một",)),
    FormerUnit("Phường Chánh Nghĩa", "TP. Thủ Dầu Một", ("Phường Thủ Dầu Một",)),
    FormerUnit("Phường Hiệp Thành", "TP. Thủ Dầu Một", ("Phường Thủ Dầu Một",), whole=False),
    FormerUnit("Phường Chánh Mỹ", "TP. Thủ Dầu Một", ("Phường Thủ Dầu Một",), whole=False),
    FormerUnit("Phường Hòa Phú", "TP. Thủ Dầu Một", ("Phường Bình Dương",)),
    FormerUnit("Phường Phú Mỹ", "TP. Thủ Dầu Một", ("Phường Bình Dương",)),
    FormerUnit("Phường Phú Tân", "TP. Thủ Dầu Một", ("Phường Bình Dương",)),
    FormerUnit("Phường Phú Chánh", "TP. Tân Uyên", ("Phường Bình Dương",)),
)

# Words that say a name is meant as before 1/7/2025: "(cũ)", or the old city or province.
_OLD_HINTS = ("cu", "truoc", "thuan an", "di an", "thu dau mot", "tan uyen", "ben cat",
              "binh duong")
_TYPES = ("phuong ", "p. ", "p.", "xa ", "thi tran ", "tt. ", "dac khu ")


def _key(name: str, accents: bool = False) -> str:
    """A name to compare: any case, no "Phường"/"Xã" before it, and without accents unless
    ``accents`` (Thạnh An and Thanh An are two xã)."""
    from congdanso.world.core.text import nfc, strip_diacritics

    text = " ".join(nfc(name).strip().casefold().split())
    plain = strip_diacritics(text)
    for prefix in _TYPES:
        if plain.startswith(prefix):
            text, plain = text[len(prefix):].strip(), plain.removeprefix(prefix).strip()
            break
    return text if accents else plain


@dataclass(frozen=True, slots=True)
class WardMatch:
    """What a typed ward name means today."""

    name: str | None = None  # today's unit, "Phường Thuận An"; None when not understood
    note: str | None = None  # how an old or ambiguous name was read, for the trainer
    problem: str | None = None  # why it was not understood, and what to write instead

    @property
    def ward(self) -> Ward | None:
        """The simulated ward (with residents and khu phố), when it is one."""
        return ward_by_name(self.name) if self.name else None


_CURRENT: dict[str, str] = {_key(name, accents=True): name for name in CITY_UNITS}
_PLAIN: dict[str, list[str]] = {}
for _name in CITY_UNITS:
    _PLAIN.setdefault(_key(_name), []).append(_name)


def _current(written: str) -> str | None:
    """Today's unit named ``written``: with its accents, or without when that is not ambiguous."""
    exact = _CURRENT.get(_key(written, accents=True))
    if exact is not None:
        return exact
    plain = _PLAIN.get(_key(written), [])
    return plain[0] if len(plain) == 1 else None


def ward_by_name(name: str) -> Ward | None:
    """A simulated ward by its name (with or without "Phường", accents or case) or code."""
    key = _key(name)
    for ward in WARDS:
        if _key(ward.name) == key or ward.code.casefold() == key:
            return ward
    return None


def city_ward(text: str) -> WardMatch:
    """Today's phường, xã or đặc khu of Thành phố Hồ Chí Minh for a name as a roster or a paper
    writes it: with or without "Phường"/"Xã", accents or case, or a former Bình Dương name
    (mapped with :data:`FORMER`; "(cũ)" or the old city after it says the old one is meant)."""
    import difflib
    import re

    written = " ".join(str(text).split())
    if not written:
        return WardMatch(problem="Chưa ghi phường, xã.")
    if len(written) > 80:  # a roster is untrusted: no ward name is this long
        return WardMatch(problem=f"Tên phường, xã dài quá ({len(written)} ký tự): hãy ghi tên "
                                 "phường, xã hiện nay, ví dụ \"Phường Lái Thiêu\".")
    head = re.split(r"\s*[(,]\s*", written, maxsplit=1)[0]
    qualifier = _key(written[len(head):].strip(" (),"))
    if _key(head).endswith(" cu"):  # "Tân Bình cũ"
        head, qualifier = head[:-3].rstrip(), (qualifier + " cu").strip()
    head_key = _key(head)
    old_meant = any(re.search(rf"\b{re.escape(hint)}\b", qualifier) for hint in _OLD_HINTS)
    former = next((unit for unit in FORMER if _key(unit.name) == head_key), None)
    current = _current(head)
    if former is not None and (old_meant or current is None):
        old = f"{former.name} ({former.former_city}, trước 1/7/2025)"
        if not former.whole:
            return WardMatch(problem=(
                f"{old} đã chia cho nhiều phường (một phần nay thuộc {', '.join(former.now)}). "
                "Hãy ghi tên phường, xã hiện nay của học viên (xem trên thẻ căn cước hoặc "
                "ứng dụng VNeID)."))
        now = former.now[0]
        return WardMatch(now, note=f"{old} nay thuộc {now}")
    if current is not None:
        note = None
        if former is not None and former.now != (current,):
            note = (f"\"{head}\" được hiểu là {current} hiện nay; nếu là {former.name} cũ "
                    f"({former.former_city}) thì ghi \"{former.short} ({former.former_city.removeprefix('TP. ')})\".")
        return WardMatch(current, note=note)
    close = [_CURRENT[k] for k in difflib.get_close_matches(
        _key(head, accents=True), list(_CURRENT), n=3, cutoff=0.75)]
    close += [name for name in _PLAIN.get(head_key, []) if name not in close]
    hint = (" Có phải: " + ", ".join(close) + "?") if close else ""
    return WardMatch(problem=(
        f"Không có phường, xã \"{written}\" ở Thành phố Hồ Chí Minh.{hint} Ghi tên phường, xã "
        "hiện nay (từ 1/7/2025); tên cũ chỉ đổi được với các phường cũ của Bình Dương mà khoá "
        "học biết chắc nơi chuyển đến."))


def ward_for(name: str) -> tuple[Ward | None, str | None]:
    """The simulated ward for a name that may be a pre-merger one, and a note when it was mapped."""
    match = city_ward(name)
    return match.ward, match.note
