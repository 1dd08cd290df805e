"""VietQR payloads (NAPAS, on the EMVCo merchant-presented QR format): encode and decode.

Each element is a 2-digit ID, a 2-digit length and the value; tag 38 nests the receiver (GUID
A000000727, bank BIN + account, service code) and tag 62 the additional data; tag 63 is a
CRC-16/CCITT-FALSE over everything before it including "6304". No maintained Python library
decodes VietQR with reasons a learner can act on, so the format is written here; the CRC is the
standard library's ``binascii.crc_hqx`` (poly 0x1021) started at 0xFFFF.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass, field

from congdanso.world.core.errors import ValidationError
from congdanso.world.money.banks import TRAINING_BANKS, bank_of

NAPAS_GUID = "A000000727"
SERVICES = {
    "QRIBFTTA": "Chuyển nhanh đến tài khoản",
    "QRIBFTTC": "Chuyển nhanh đến thẻ",
    "QRPUSH": "Thanh toán cho điểm bán (merchant)",
}
ADDITIONAL_FIELDS = {
    "01": "Số hoá đơn",
    "02": "Số điện thoại",
    "03": "Mã cửa hàng",
    "04": "Mã khách hàng thân thiết",
    "05": "Mã tham chiếu",
    "06": "Mã khách hàng",
    "07": "Mã thiết bị",
    "08": "Nội dung (mục đích)",
    "09": "Yêu cầu thêm",
}
TRAINING_MARK = "TAP HUAN"


class VietQRError(ValidationError):
    """A malformed payload; ``tag`` names the element at fault."""

    code = "vietqr_sai"

    def __init__(self, message: str, *, tag: str | None = None):
        super().__init__(message, field="vietqr")
        self.tag = tag


def crc16(text: str) -> str:
    return f"{binascii.crc_hqx(text.encode('utf-8'), 0xFFFF):04X}"


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise VietQRError(f"Trường {tag} dài {len(value)} ký tự, tối đa 99.", tag=tag)
    return f"{tag}{len(value):02d}{value}"


def parse_tlv(text: str, where: str = "") -> list[tuple[str, str]]:
    """Split ID-length-value elements, saying exactly where a payload is broken."""
    items: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        head = text[i : i + 4]
        label = f"{where}{head[:2]}" if len(head) >= 2 else where or "đầu"
        if len(head) < 4 or not head.isdigit():
            raise VietQRError(
                f"Chuỗi bị cắt hoặc sai cấu trúc ở vị trí {i}: cần 2 số mã trường "
                f"và 2 số độ dài, gặp {head!r}.",
                tag=label,
            )
        tag, length = head[:2], int(head[2:])
        value = text[i + 4 : i + 4 + length]
        if len(value) < length:
            raise VietQRError(
                f"Trường {label} khai dài {length} ký tự nhưng chỉ còn "
                f"{len(value)} — mã bị cắt cụt.",
                tag=label,
            )
        items.append((tag, value))
        i += 4 + length
    return items


@dataclass(frozen=True, slots=True)
class VietQR:
    bank_bin: str
    account: str
    service: str = "QRIBFTTA"
    amount: int | None = None
    dynamic: bool = False
    additional: dict[str, str] = field(default_factory=dict)
    merchant_name: str | None = None
    merchant_city: str | None = None
    mcc: str | None = None

    @property
    def bank_name(self) -> str:
        bank = bank_of(self.bank_bin)
        return bank.short_name if bank else f"Không rõ ngân hàng (BIN {self.bank_bin})"

    @property
    def is_training(self) -> bool:
        bank = bank_of(self.bank_bin)
        return bool(bank and bank.training)

    @property
    def message(self) -> str | None:
        return self.additional.get("08")

    @property
    def bill_number(self) -> str | None:
        return self.additional.get("01")

    def record(self) -> dict:
        return {
            "bank_bin": self.bank_bin,
            "bank": self.bank_name,
            "account": self.account,
            "service": self.service,
            "amount": self.amount,
            "dynamic": self.dynamic,
            "additional": dict(self.additional),
            "merchant_name": self.merchant_name,
            "training": self.is_training,
        }

    def explain(self) -> list[tuple[str, str]]:
        """What a helper reads out before the resident pays: in plain Vietnamese."""
        rows = [
            ("Ngân hàng", self.bank_name),
            ("Số tài khoản" if self.service != "QRIBFTTC" else "Số thẻ", self.account),
            (
                "Loại mã",
                ("Mã động (dùng một lần)" if self.dynamic else "Mã tĩnh (dùng nhiều lần)")
                + " · "
                + SERVICES.get(self.service, self.service),
            ),
            (
                "Số tiền",
                f"{self.amount:,} đồng".replace(",", ".")
                if self.amount is not None
                else "Không ghi sẵn — người trả tự nhập",
            ),
        ]
        if self.merchant_name:
            rows.append(("Tên điểm bán", self.merchant_name))
        rows += [
            (ADDITIONAL_FIELDS.get(k, f"Trường phụ {k}"), v) for k, v in self.additional.items()
        ]
        if self.is_training:
            rows.append(("Lưu ý", "MÃ TẬP HUẤN — ngân hàng mô phỏng, không chuyển được tiền thật"))
        return rows


def encode(qr: VietQR) -> str:
    """Build the payload string, CRC included."""
    if not (len(qr.bank_bin) == 6 and qr.bank_bin.isdigit()):
        raise VietQRError("BIN ngân hàng phải gồm đúng 6 chữ số.", tag="38.01.00")
    if not qr.account or len(qr.account) > 19 or not qr.account.isalnum():
        raise VietQRError("Số tài khoản/thẻ phải có 1–19 chữ hoặc số.", tag="38.01.01")
    if qr.service not in SERVICES:
        raise VietQRError(f"Mã dịch vụ {qr.service!r} không hợp lệ.", tag="38.02")
    receiver = _tlv("00", qr.bank_bin) + _tlv("01", qr.account)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", receiver) + _tlv("02", qr.service)
    parts = [_tlv("00", "01"), _tlv("01", "12" if qr.dynamic else "11"), _tlv("38", merchant)]
    if qr.mcc:
        parts.append(_tlv("52", qr.mcc))
    parts.append(_tlv("53", "704"))
    if qr.amount is not None:
        if qr.amount <= 0:
            raise VietQRError("Số tiền phải lớn hơn 0.", tag="54")
        parts.append(_tlv("54", str(int(qr.amount))))
    parts.append(_tlv("58", "VN"))
    if qr.merchant_name:
        parts.append(_tlv("59", qr.merchant_name))
    if qr.merchant_city:
        parts.append(_tlv("60", qr.merchant_city))
    if qr.additional:
        for key, value in qr.additional.items():
            if not value.isascii():
                raise VietQRError(
                    f"Trường 62.{key} chỉ dùng chữ không dấu (ASCII).", tag=f"62.{key}"
                )
        parts.append(_tlv("62", "".join(_tlv(k, v) for k, v in sorted(qr.additional.items()))))
    body = "".join(parts) + "6304"
    return body + crc16(body)


def training_qr(
    bank_bin: str,
    account: str,
    *,
    amount: int | None = None,
    message: str | None = None,
    bill_number: str | None = None,
) -> VietQR:
    """A QR for practice: a training bank BIN and the purpose marked "TAP HUAN"."""
    if bank_bin not in {b.bin for b in TRAINING_BANKS}:
        raise VietQRError(
            "Mã QR tập huấn chỉ dùng ngân hàng mô phỏng (BIN 9997xx).", tag="38.01.00"
        )
    from congdanso.world.core.text import strip_diacritics

    purpose = TRAINING_MARK + (" " + strip_diacritics(message).upper() if message else "")
    additional = {"08": purpose[:99]}
    if bill_number:
        additional["01"] = bill_number
    return VietQR(
        bank_bin, account, amount=amount, dynamic=amount is not None, additional=additional
    )


def decode(payload: str) -> VietQR:
    """Read a VietQR payload; raise ``VietQRError`` naming the tag and the problem."""
    text = str(payload).strip()
    if not text:
        raise VietQRError("Chuỗi mã QR trống.")
    if not text.startswith("000201"):
        raise VietQRError(
            "Không phải mã VietQR/EMV: chuỗi phải bắt đầu bằng 000201 (trường 00 "
            "= 01). Có thể đây là một đường link hoặc mã QR khác — đừng chuyển tiền "
            "theo mã này.",
            tag="00",
        )
    crc_at = text.rfind("6304")
    if crc_at < 0 or crc_at != len(text) - 8:
        raise VietQRError(
            "Thiếu mã kiểm tra CRC (trường 63) ở cuối chuỗi, hoặc chuỗi bị cắt.", tag="63"
        )
    expected = crc16(text[: crc_at + 4])
    found = text[crc_at + 4 :]
    if found.upper() != expected:
        raise VietQRError(
            f"Sai mã kiểm tra CRC: cuối chuỗi ghi {found}, tính ra {expected}. Mã "
            "đã bị sửa hoặc chép thiếu — không dùng mã này.",
            tag="63",
        )
    elements = parse_tlv(text[:crc_at])
    tags = dict(elements)
    if len(tags) != len(elements):
        dup = next(t for t, _ in elements if [x for x, _ in elements].count(t) > 1)
        raise VietQRError(f"Trường {dup} xuất hiện hai lần.", tag=dup)
    if tags.get("01") not in {"11", "12"}:
        raise VietQRError(
            "Trường 01 (phương thức) phải là 11 (mã tĩnh) hoặc 12 (mã động), gặp "
            f"{tags.get('01')!r}.",
            tag="01",
        )
    if tags.get("53") != "704":
        raise VietQRError(
            f"Trường 53 (loại tiền) phải là 704 (VND), gặp {tags.get('53')!r}.", tag="53"
        )
    if tags.get("58") != "VN":
        raise VietQRError(f"Trường 58 (quốc gia) phải là VN, gặp {tags.get('58')!r}.", tag="58")
    if "38" not in tags:
        raise VietQRError(
            "Thiếu trường 38 (thông tin người nhận NAPAS) — không phải mã VietQR chuyển khoản.",
            tag="38",
        )
    merchant = dict(parse_tlv(tags["38"], "38."))
    if merchant.get("00") != NAPAS_GUID:
        raise VietQRError(
            f"Trường 38.00 phải là {NAPAS_GUID} (định danh NAPAS), gặp {merchant.get('00')!r}.",
            tag="38.00",
        )
    if "01" not in merchant:
        raise VietQRError("Thiếu trường 38.01 (ngân hàng và số tài khoản người nhận).", tag="38.01")
    receiver = dict(parse_tlv(merchant["01"], "38.01."))
    bin_code, account = receiver.get("00", ""), receiver.get("01", "")
    if not (len(bin_code) == 6 and bin_code.isdigit()):
        raise VietQRError(
            f"Trường 38.01.00 (BIN ngân hàng) phải có 6 chữ số, gặp {bin_code!r}.", tag="38.01.00"
        )
    if not account or len(account) > 19:
        raise VietQRError(
            "Trường 38.01.01 (số tài khoản/thẻ) trống hoặc dài quá 19 ký tự.", tag="38.01.01"
        )
    service = merchant.get("02", "")
    if service not in SERVICES:
        raise VietQRError(
            f"Trường 38.02 (dịch vụ) phải là QRIBFTTA, QRIBFTTC hoặc QRPUSH, gặp {service!r}.",
            tag="38.02",
        )
    amount = None
    if "54" in tags:
        if not tags["54"].isdigit() or int(tags["54"]) == 0:
            raise VietQRError(
                f"Trường 54 (số tiền) phải là số nguyên đồng lớn hơn 0, gặp {tags['54']!r}.",
                tag="54",
            )
        amount = int(tags["54"])
    additional = dict(parse_tlv(tags["62"], "62.")) if "62" in tags else {}
    return VietQR(
        bin_code,
        account,
        service,
        amount,
        tags["01"] == "12",
        additional,
        tags.get("59"),
        tags.get("60"),
        tags.get("52"),
    )
