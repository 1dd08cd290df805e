"""One-page, large-print handouts for residents, generated from each lesson's
"## Tờ hướng dẫn cho người dân" section (so the handout never drifts from the lesson).

A handout is titled by the resident's task (the section's first "###" heading), printed at 14 pt
or larger throughout (the safety line included, inside the margins), ends with the words a
resident may not know ("mã OTP", "passcode"…) explained, and has a box for the support point's
name, address, hours and phone — filled in when given, blank lines to write on otherwise. The
texts are also kept in the package (``data/to-huong-dan.json``, written by ``congdanso course
build``), so handouts print however the package is installed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

HANDOUT_HEADING = "## Tờ hướng dẫn cho người dân"


DATA = Path(__file__).resolve().parent / "data" / "to-huong-dan.json"
# Words of the apps a resident may not know, explained at the foot of the handouts using them.
GLOSSARY = {
    "OTP": "Mã OTP: mã số gửi qua tin nhắn để xác nhận một việc, chỉ dùng một lần, "
           "trong ít phút.",
    "passcode": "Passcode: 6 số ông/bà tự đặt để xác nhận trong ứng dụng VNeID.",
    "mã PIN": "Mã PIN: mã số bí mật ông/bà tự đặt để ký số.",
    "QR": "Mã QR: ô vuông đen trắng, điện thoại quét để đọc thông tin.",
    "NFC": "NFC: cách điện thoại đọc chip thẻ căn cước khi áp thẻ sát lưng máy (bật trong "
           "Cài đặt của máy).",
    "VNeID": "VNeID: ứng dụng định danh điện tử của Bộ Công an (chỉ tải từ kho ứng dụng chính "
             "thức).",
}


@dataclass(frozen=True)
class SupportPoint:
    """The support point printed on the handouts (blank lines where something is not given)."""

    name: str = ""
    address: str = ""
    hours: str = ""
    phone: str = ""


def handout_text(lesson_md: str) -> tuple[str, list[str]]:
    """The resident's task (the section's first "###" heading) and the handout's lines."""
    lesson_title = re.search(r"^# (.+)$", lesson_md, flags=re.M)
    start = lesson_md.find(HANDOUT_HEADING)
    if start < 0:
        name = lesson_title.group(1).strip() if lesson_title else "?"
        raise ValueError(f"lesson {name!r} has no handout section")
    body = lesson_md[start + len(HANDOUT_HEADING):]
    end = re.search(r"^(## |```)", body, flags=re.M)
    body = body[: end.start()] if end else body
    lines = [line.rstrip() for line in body.strip().splitlines()]
    task = next((i for i, line in enumerate(lines) if line.startswith("### ")), None)
    if task is None:
        raise ValueError("a handout starts with the resident's task as a ### heading")
    title = lines[task].removeprefix("### ").strip()
    return title, lines[:task] + lines[task + 1:]


def glossary_for(lines: list[str]) -> list[str]:
    text = " ".join(lines)
    return [meaning for term, meaning in GLOSSARY.items() if term in text]


def _plain(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"\1", text).replace("`", "")


def _paragraphs(lines: list[str]) -> list[str | None]:
    """Join wrapped markdown lines into items; None marks a blank line between paragraphs."""
    blocks: list[str | None] = []
    for raw in lines:
        line = raw.strip()
        starts_item = bool(re.match(r"^(#{1,6} |[-*] |\d+\. )", line))
        if not line:
            if blocks and blocks[-1] is not None:
                blocks.append(None)
        elif starts_item or not blocks or blocks[-1] is None or blocks[-1].startswith("###"):
            blocks.append(line)
        else:
            blocks[-1] = f"{blocks[-1]} {line}"
    return blocks


def handout_pdf(title: str, lines: list[str], point: SupportPoint | None = None) -> bytes:
    from fpdf import FPDF

    from congdanso.world.core.text import nfc
    from congdanso.world.signatures.fonts import font_path

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_compression(False)
    pdf.set_creation_date(__import__("datetime").datetime(2026, 1, 1,
                                                          tzinfo=__import__("datetime").UTC))
    pdf.set_auto_page_break(auto=False)
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(font_path(bold=True)))
    pdf.set_margins(16, 14, 16)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 22)
    pdf.multi_cell(0, 11, nfc(_plain(title)), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for block in _paragraphs(lines):
        if block is None:
            pdf.ln(3)
            continue
        if block.startswith("###"):
            pdf.set_font("DejaVu", "B", 17)
            pdf.multi_cell(0, 9, nfc(_plain(block.lstrip("#").strip())), align="L",
                           new_x="LMARGIN", new_y="NEXT")
            continue
        text = block.replace("`", "")
        if text.startswith(("- ", "* ")):
            text = "•  " + text[2:]
        pdf.set_font("DejaVu", "", 15)
        pdf.multi_cell(0, 8, nfc(text), align="L", markdown=True, new_x="LMARGIN",
                       new_y="NEXT")
    words = glossary_for(lines)
    if words:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 15)
        pdf.multi_cell(0, 8, nfc("Từ cần biết"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 14)
        for meaning in words:
            pdf.multi_cell(0, 7, nfc("•  " + meaning), align="L", new_x="LMARGIN", new_y="NEXT")
    _support_point_box(pdf, point or SupportPoint())
    # The safety line, inside the margins, as large as the rest.
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 7, nfc("Không ai được hỏi mã OTP, mật khẩu, passcode, mã PIN của ông/bà — kể "
                             "cả người xưng công an, ngân hàng, tình nguyện viên."),
                   align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 14)
    pdf.multi_cell(0, 7, nfc("Công Dân Số – tờ hướng dẫn phát tại điểm hỗ trợ."),
                   new_x="LMARGIN", new_y="NEXT")
    if pdf.page_no() != 1 or pdf.get_y() > 297 - 10:
        raise ValueError(f"handout {title!r} does not fit on one page")
    return bytes(pdf.output())


def _support_point_box(pdf, point: SupportPoint) -> None:
    """A framed box with the support point's details, or lines to write them on."""
    from congdanso.world.core.text import nfc

    rows = [("Điểm hỗ trợ", point.name), ("Địa chỉ", point.address),
            ("Giờ mở cửa", point.hours), ("Điện thoại", point.phone)]
    pdf.ln(3)
    top = pdf.get_y()
    pdf.set_font("DejaVu", "B", 15)
    pdf.set_x(pdf.l_margin + 3)
    pdf.cell(0, 9, nfc("Điểm hỗ trợ gần nhà"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 14)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for label, value in rows:
        pdf.set_x(pdf.l_margin + 3)
        pdf.cell(38, 9, nfc(label + ":"))
        if value:
            pdf.multi_cell(width - 44, 9, nfc(value), new_x="LMARGIN", new_y="NEXT")
        else:
            y = pdf.get_y() + 7
            pdf.line(pdf.get_x(), y, pdf.l_margin + width - 3, y)
            pdf.ln(9)
    pdf.set_line_width(0.6)
    pdf.rect(pdf.l_margin, top, width, pdf.get_y() - top + 2)
    pdf.set_line_width(0.2)
    pdf.ln(5)


def pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def handout_texts(src: Path | None = None) -> list[dict]:
    """Every lesson's handout: from the lessons when they are here (a checkout), otherwise from
    the copy kept in the package (an installed course)."""
    if src is not None and any(src.glob("*.md")):
        return [{"lesson": lesson.stem, **dict(zip(("title", "lines"), handout_text(
            lesson.read_text(encoding="utf-8")), strict=True))}
            for lesson in sorted(src.glob("*.md"))]
    return json.loads(DATA.read_text(encoding="utf-8"))


def write_handout_data(src: Path) -> Path:
    """Keep the handout texts in the package (done by ``congdanso course build``)."""
    DATA.parent.mkdir(exist_ok=True)
    DATA.write_text(json.dumps(handout_texts(src), ensure_ascii=False, indent=1) + "\n",
                    encoding="utf-8")
    return DATA


def build_handouts(src: Path | None, out: Path, point: SupportPoint | None = None
                   ) -> list[Path]:
    texts = handout_texts(src)
    if not texts:
        raise ValueError("Không tìm thấy nội dung tờ hướng dẫn nào (gói cài đặt thiếu "
                         "data/to-huong-dan.json).")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for item in texts:
        target = out / f"to-huong-dan-{item['lesson']}.pdf"
        target.write_bytes(handout_pdf(item["title"], item["lines"], point))
        written.append(target)
    return written
