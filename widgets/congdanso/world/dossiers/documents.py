"""Real PDF documents with Vietnamese text (fpdf2 + embedded DejaVu Sans), made deterministically.

The same inputs give the same bytes (fixed creation date, no compression), so a document can be
rebuilt on replay instead of stored, and a "changed after signing" copy can alter one figure in
the signed bytes. Every page says it is training material.
"""

from __future__ import annotations

import datetime as dt

from congdanso.world.core.text import nfc
from congdanso.world.signatures.fonts import font_path

TRAINING_NOTE = "TÀI LIỆU TẬP HUẤN CÔNG DÂN SỐ – DỮ LIỆU MÔ PHỎNG, KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"
SIGNATURE_BOX = (330, 50, 565, 125)  # x1, y1, x2, y2 in PDF points, bottom right of page 1


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


class _Doc:
    def __init__(self, when: dt.datetime, title: str):
        from fpdf import FPDF

        self.pdf = FPDF(unit="mm", format="A4")
        self.pdf.set_compression(False)
        self.pdf.set_creation_date(when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when)
        self.pdf.set_producer("Công Dân Số (tài liệu tập huấn)")
        self.pdf.set_title(title)
        self.pdf.add_font("DejaVu", "", str(font_path()))
        self.pdf.add_font("DejaVu", "B", str(font_path(bold=True)))
        self.pdf.set_auto_page_break(auto=True, margin=55)
        self.pdf.add_page()
        self._header(title)

    def _header(self, title: str) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(
            0, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.cell(0, 6, "Độc lập – Tự do – Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font("DejaVu", "B", 15)
        pdf.multi_cell(0, 8, nfc(title.upper()), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    def heading(self, text: str) -> None:
        self.pdf.set_font("DejaVu", "B", 11)
        self.pdf.multi_cell(0, 6, nfc(text), new_x="LMARGIN", new_y="NEXT")

    def line(self, text: str) -> None:
        self.pdf.set_font("DejaVu", "", 11)
        self.pdf.multi_cell(0, 6, nfc(text), new_x="LMARGIN", new_y="NEXT")

    def rows(self, rows: dict[str, str]) -> None:
        for key, value in rows.items():
            self.pdf.set_font("DejaVu", "B", 11)
            self.pdf.cell(62, 7, nfc(key) + ":")
            self.pdf.set_font("DejaVu", "", 11)
            self.pdf.multi_cell(0, 7, nfc(str(value)), new_x="LMARGIN", new_y="NEXT")

    def finish(self, place_date: str, signer_label: str) -> bytes:
        pdf = self.pdf
        pdf.ln(4)
        pdf.set_font("DejaVu", "", 11)
        pdf.cell(0, 6, nfc(place_date), align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 6, nfc(signer_label), align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8)
        pdf.set_auto_page_break(auto=False)  # the note goes at the foot of this page, not a new one
        pdf.set_y(-14)
        pdf.cell(0, 5, TRAINING_NOTE, align="C")
        return bytes(pdf.output())


def _place_date(when: dt.datetime, city: str = "TP. Hồ Chí Minh") -> str:
    return f"{city}, ngày {when:%d} tháng {when:%m} năm {when:%Y}"


def labour_contract(
    *,
    employer: str,
    employer_address: str,
    employee: dict[str, str],
    job: str,
    salary: int,
    start: dt.date,
    when: dt.datetime,
) -> bytes:
    """A labour contract (hợp đồng lao động) for the employee to sign digitally."""
    doc = _Doc(when, "Hợp đồng lao động")
    # Every digit appears here first, so changing a figure later changes neither the embedded
    # font subset nor the digits' glyph codes (the "changed after signing" practice copy needs
    # the same byte length; tests try every digit).
    doc.line("Mã tài liệu tập huấn: TH-0123456789")
    doc.line(f"Số: {when:%y%m%d}/HĐLĐ-MP. Căn cứ Bộ luật Lao động năm 2019 và Nghị định "
             "337/2025/NĐ-CP về hợp đồng lao động điện tử.")
    doc.heading("Bên A – Người sử dụng lao động")
    doc.rows({"Tên đơn vị": employer, "Địa chỉ": employer_address})
    doc.heading("Bên B – Người lao động")
    doc.rows(
        {
            "Họ và tên": employee["full_name"],
            "Ngày sinh": employee["birth_date"],
            "Số định danh cá nhân": employee["id_number"],
            "Nơi thường trú": employee["permanent_address"],
        }
    )
    doc.heading("Điều khoản chính")
    doc.rows(
        {
            "Công việc": job,
            "Loại hợp đồng": "Xác định thời hạn 12 tháng",
            "Ngày bắt đầu": start.strftime("%d/%m/%Y"),
            "Mức lương": f"{_money(salary)} đồng/tháng",
            "Thời giờ làm việc": "8 giờ/ngày, 48 giờ/tuần",
            "Bảo hiểm": "BHXH, BHYT, BHTN theo quy định",
        }
    )
    doc.line(
        "Hai bên cam kết thực hiện đúng các điều khoản đã thoả thuận. Hợp đồng được ký "
        "bằng chữ ký số, có giá trị như bản giấy và có hiệu lực khi bên ký sau cùng ký xong; "
        "hợp đồng được gửi lên nền tảng hợp đồng lao động điện tử để nhận mã định danh "
        "(Nghị định 337/2025/NĐ-CP)."
    )
    return doc.finish(_place_date(when), "NGƯỜI LAO ĐỘNG (ký số)")


def dossier_form(
    *, procedure: str, profile: dict[str, str], fields: dict[str, str], when: dt.datetime
) -> bytes:
    """A declaration form (tờ khai) pre-filled from the population database."""
    doc = _Doc(when, f"Tờ khai – {procedure}")
    doc.line("Kính gửi: Uỷ ban nhân dân phường.")
    doc.heading("Thông tin người khai (lấy từ Cơ sở dữ liệu quốc gia về dân cư)")
    doc.rows(profile)
    if fields:
        doc.heading("Nội dung đề nghị")
        doc.rows(fields)
    doc.line("Tôi cam đoan những nội dung khai trên đây là đúng sự thật.")
    return doc.finish(_place_date(when), "NGƯỜI KHAI (ký số)")


def receipt(*, title: str, rows: dict[str, str], when: dt.datetime) -> bytes:
    """A receipt (biên lai / biên nhận) for a paid bill or fee."""
    doc = _Doc(when, title)
    doc.rows(rows)
    return doc.finish(_place_date(when), "ĐƠN VỊ THU (ký số)")
