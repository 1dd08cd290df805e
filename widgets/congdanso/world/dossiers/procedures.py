"""The catalogue of ward-level administrative procedures (thủ tục hành chính cấp xã).

Names, agencies and online levels follow the National Public Service Portal. Fees are those set
by the documents named in ``fee_basis``; civil-status fees not fixed nationally are set by each
province's People's Council, so the simulation shows a typical amount and says so. Processing
times are the statutory maxima, simplified to working days. Trainers: check the portal before
quoting a fee or a time to a resident — they change.
"""

from __future__ import annotations

from dataclasses import dataclass

FULLY_ONLINE = "Trực tuyến toàn trình"
PARTLY_ONLINE = "Trực tuyến một phần"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    key: str
    label: str
    kind: str = "text"  # text, date, id_number, choice, int
    choices: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True, slots=True)
class DocumentSpec:
    kind: str
    label: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class Procedure:
    code: str
    name: str
    agency: str
    field_area: str  # lĩnh vực
    online: str
    fee: int  # VND for one request, 0 = free
    fee_note: str
    fee_basis: str
    processing_days: int  # working days; 0 = within the same working day
    processing_text: str
    extra_fields: tuple[FieldSpec, ...]
    documents: tuple[DocumentSpec, ...]
    result: str
    prefilled: tuple[str, ...] = (
        "full_name",
        "birth_date",
        "gender",
        "id_number",
        "phone",
        "permanent_address",
    )

    def record(self) -> dict:
        return {"code": self.code, "name": self.name, "fee": self.fee}

    @property
    def fee_text(self) -> str:
        return "Miễn phí" if self.fee == 0 else f"{self.fee:,} đồng".replace(",", ".")


UBND = "Uỷ ban nhân dân phường"
CONG_AN = "Công an phường"

CATALOGUE: tuple[Procedure, ...] = (
    Procedure(
        "HT-KS",
        "Đăng ký khai sinh",
        UBND,
        "Hộ tịch",
        FULLY_ONLINE,
        0,
        "Miễn lệ phí khi đăng ký khai sinh đúng hạn.",
        "Luật Hộ tịch 2014, Điều 11",
        0,
        "Trong ngày làm việc (nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo).",
        (
            FieldSpec("child_name", "Họ, chữ đệm và tên của trẻ"),
            FieldSpec("child_gender", "Giới tính của trẻ", "choice", ("nam", "nữ")),
            FieldSpec("child_birth_date", "Ngày sinh của trẻ", "date"),
            FieldSpec("birth_place", "Nơi sinh (cơ sở y tế)"),
        ),
        (DocumentSpec("giay_chung_sinh", "Giấy chứng sinh"),),
        "Giấy khai sinh (bản điện tử và bản giấy)",
    ),
    Procedure(
        "LT-KS-TT-BHYT",
        "Liên thông đăng ký khai sinh – đăng ký thường trú – cấp thẻ BHYT cho trẻ dưới 6 tuổi",
        UBND,
        "Hộ tịch – Cư trú – Bảo hiểm y tế",
        FULLY_ONLINE,
        0,
        "Miễn lệ phí.",
        "Nghị định 63/2024/NĐ-CP (liên thông thủ tục hành chính)",
        5,
        "Tối đa 5 ngày làm việc cho cả ba kết quả.",
        (
            FieldSpec("child_name", "Họ, chữ đệm và tên của trẻ"),
            FieldSpec("child_gender", "Giới tính của trẻ", "choice", ("nam", "nữ")),
            FieldSpec("child_birth_date", "Ngày sinh của trẻ", "date"),
            FieldSpec("birth_place", "Nơi sinh (cơ sở y tế)"),
        ),
        (DocumentSpec("giay_chung_sinh", "Giấy chứng sinh"),),
        "Giấy khai sinh, xác nhận thường trú của trẻ, thẻ BHYT",
    ),
    Procedure(
        "HT-KT",
        "Đăng ký khai tử",
        UBND,
        "Hộ tịch",
        FULLY_ONLINE,
        0,
        "Miễn lệ phí khi đăng ký đúng hạn.",
        "Luật Hộ tịch 2014, Điều 11",
        0,
        "Trong ngày làm việc.",
        (
            FieldSpec("deceased_id_number", "Số định danh của người đã mất", "id_number"),
            FieldSpec("death_date", "Ngày mất", "date"),
            FieldSpec("relationship", "Quan hệ với người đã mất"),
        ),
        (DocumentSpec("giay_bao_tu", "Giấy báo tử hoặc giấy tờ thay giấy báo tử"),),
        "Trích lục khai tử",
    ),
    Procedure(
        "HT-KH",
        "Đăng ký kết hôn",
        UBND,
        "Hộ tịch",
        PARTLY_ONLINE,
        0,
        "Miễn lệ phí cho công dân Việt Nam cư trú trong nước.",
        "Thông tư 85/2019/TT-BTC; nghị quyết HĐND tỉnh/thành",
        5,
        "Trong ngày; tối đa 5 ngày làm việc nếu cần xác minh. Hai bên cùng có mặt khi nhận "
        "Giấy chứng nhận kết hôn.",
        (
            FieldSpec("partner_id_number", "Số định danh của bên kia", "id_number"),
            FieldSpec("partner_name", "Họ tên của bên kia"),
        ),
        (),
        "Giấy chứng nhận kết hôn (hai bên ký nhận trực tiếp)",
    ),
    Procedure(
        "HT-XNHN",
        "Cấp Giấy xác nhận tình trạng hôn nhân",
        UBND,
        "Hộ tịch",
        FULLY_ONLINE,
        15_000,
        "Mức thường gặp; lệ phí do HĐND tỉnh/thành quy định (mô phỏng).",
        "Thông tư 85/2019/TT-BTC; nghị quyết HĐND tỉnh/thành",
        3,
        "3 ngày làm việc.",
        (FieldSpec("purpose", "Mục đích sử dụng (ví dụ: đăng ký kết hôn, mua bán nhà đất)"),),
        (),
        "Giấy xác nhận tình trạng hôn nhân",
    ),
    Procedure(
        "HT-TLBS",
        "Cấp bản sao trích lục hộ tịch",
        UBND,
        "Hộ tịch",
        FULLY_ONLINE,
        8_000,
        "8.000 đồng một bản sao.",
        "Thông tư 281/2016/TT-BTC",
        0,
        "Trong ngày làm việc.",
        (
            FieldSpec(
                "record_kind",
                "Loại giấy tờ cần bản sao",
                "choice",
                ("Khai sinh", "Kết hôn", "Khai tử"),
            ),
            FieldSpec("copies", "Số bản sao", "int"),
        ),
        (),
        "Bản sao trích lục hộ tịch (bản điện tử có chữ ký số)",
    ),
    Procedure(
        "CT-BS",
        "Chứng thực bản sao điện tử từ bản chính",
        UBND,
        "Chứng thực",
        PARTLY_ONLINE,
        2_000,
        "2.000 đồng một trang (mô phỏng 1 trang).",
        "Thông tư 226/2016/TT-BTC",
        0,
        "Trong ngày làm việc; người dân mang bản chính đến đối chiếu.",
        (
            FieldSpec("document_name", "Tên giấy tờ cần chứng thực"),
            FieldSpec("pages", "Số trang", "int"),
        ),
        (DocumentSpec("ban_chup", "Bản chụp giấy tờ cần chứng thực"),),
        "Bản sao điện tử có chứng thực",
    ),
    Procedure(
        "CT-DKTT",
        "Đăng ký thường trú",
        CONG_AN,
        "Cư trú",
        FULLY_ONLINE,
        10_000,
        "10.000 đồng khi nộp trực tuyến (20.000 đồng khi nộp trực tiếp).",
        "Thông tư 75/2022/TT-BTC",
        7,
        "7 ngày làm việc.",
        (
            FieldSpec("new_address", "Địa chỉ nơi đăng ký thường trú mới"),
            FieldSpec("relationship_to_head", "Quan hệ với chủ hộ nơi đến"),
        ),
        (
            DocumentSpec("cho_o_hop_phap", "Giấy tờ chứng minh chỗ ở hợp pháp"),
            DocumentSpec(
                "y_kien_chu_ho", "Ý kiến đồng ý của chủ hộ (nếu nhập vào hộ đã có)", required=False
            ),
        ),
        "Xác nhận thông tin về cư trú (cập nhật trong Cơ sở dữ liệu dân cư)",
    ),
    Procedure(
        "CT-DKTTR",
        "Đăng ký tạm trú",
        CONG_AN,
        "Cư trú",
        FULLY_ONLINE,
        7_000,
        "7.000 đồng khi nộp trực tuyến (15.000 đồng khi nộp trực tiếp).",
        "Thông tư 75/2022/TT-BTC",
        3,
        "3 ngày làm việc.",
        (
            FieldSpec("stay_address", "Địa chỉ nơi tạm trú"),
            FieldSpec("stay_until", "Tạm trú đến ngày", "date"),
        ),
        (
            DocumentSpec(
                "hop_dong_thue", "Hợp đồng thuê nhà hoặc giấy tờ chứng minh chỗ ở hợp pháp"
            ),
        ),
        "Xác nhận thông tin về cư trú (tạm trú)",
    ),
    Procedure(
        "CT-GHTTR",
        "Gia hạn tạm trú",
        CONG_AN,
        "Cư trú",
        FULLY_ONLINE,
        7_000,
        "7.000 đồng khi nộp trực tuyến (15.000 đồng khi nộp trực tiếp), như đăng ký tạm trú.",
        "Thông tư 75/2022/TT-BTC",
        3,
        "3 ngày làm việc.",
        (FieldSpec("stay_until", "Gia hạn tạm trú đến ngày", "date"),),
        (
            DocumentSpec(
                "hop_dong_thue", "Hợp đồng thuê nhà còn hạn hoặc giấy tờ chứng minh chỗ ở hợp pháp"
            ),
        ),
        "Xác nhận thông tin về cư trú (gia hạn tạm trú)",
    ),
    Procedure(
        "CT-TBLT",
        "Thông báo lưu trú",
        CONG_AN,
        "Cư trú",
        FULLY_ONLINE,
        0,
        "Miễn phí.",
        "Luật Cư trú 2020, Điều 30",
        0,
        "Tiếp nhận ngay khi gửi.",
        (
            FieldSpec("guest_id_number", "Số định danh của người đến lưu trú", "id_number"),
            FieldSpec("stay_from", "Lưu trú từ ngày", "date"),
            FieldSpec("stay_to", "Lưu trú đến ngày", "date"),
        ),
        (),
        "Xác nhận đã tiếp nhận thông báo lưu trú",
    ),
    Procedure(
        "CT-KBTV",
        "Khai báo tạm vắng",
        CONG_AN,
        "Cư trú",
        FULLY_ONLINE,
        0,
        "Miễn phí.",
        "Luật Cư trú 2020, Điều 31",
        1,
        "1 ngày làm việc.",
        (
            FieldSpec("destination", "Nơi đến (địa chỉ)"),
            FieldSpec("away_from", "Vắng mặt từ ngày", "date"),
            FieldSpec("away_until", "Vắng mặt đến ngày", "date"),
            FieldSpec("reason", "Lý do vắng mặt", "choice",
                      ("Đi làm ăn", "Đi học", "Chữa bệnh", "Thăm thân", "Lý do khác")),
        ),
        (),
        "Phiếu khai báo tạm vắng đã được xác nhận",
    ),
)

BY_CODE: dict[str, Procedure] = {p.code: p for p in CATALOGUE}

PROFILE_LABELS = {
    "full_name": "Họ, chữ đệm và tên",
    "birth_date": "Ngày sinh",
    "gender": "Giới tính",
    "id_number": "Số định danh cá nhân",
    "phone": "Số điện thoại",
    "email": "Thư điện tử",
    "permanent_address": "Nơi thường trú",
    "household_head": "Chủ hộ",
    "relation_to_head": "Quan hệ với chủ hộ",
}
