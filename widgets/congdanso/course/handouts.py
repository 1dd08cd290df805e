"""One-page, large-print handouts for residents, generated from each lesson's
"## Tờ hướng dẫn cho người dân" section (so the handout never drifts from the lesson)."""

from __future__ import annotations

import re
from pathlib import Path

HANDOUT_HEADING = "## Tờ hướng dẫn cho người dân"


def handout_text(lesson_md: str) -> tuple[str, list[str]]:
    """The lesson title and the handout's lines (markdown bullets and numbers kept)."""
    title_match = re.search(r"^# (.+)$", lesson_md, flags=re.M)
    title = title_match.group(1).strip() if title_match else "Hướng dẫn"
    start = lesson_md.find(HANDOUT_HEADING)
    if start < 0:
        raise ValueError(f"lesson {title!r} has no handout section")
    body = lesson_md[start + len(HANDOUT_HEADING):]
    end = re.search(r"^(## |```)", body, flags=re.M)
    body = body[: end.start()] if end else body
    lines = [line.rstrip() for line in body.strip().splitlines()]
    return title, lines


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


def handout_pdf(title: str, lines: list[str]) -> bytes:
    from fpdf import FPDF

    from congdanso.world.fonts import font_path
    from congdanso.world.text import nfc

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_compression(False)
    pdf.set_creation_date(__import__("datetime").datetime(2026, 1, 1,
                                                          tzinfo=__import__("datetime").UTC))
    pdf.set_auto_page_break(auto=False)
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(font_path(bold=True)))
    pdf.add_page()
    pdf.set_margins(16, 14, 16)
    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(0, 10, nfc(_plain(title.split("—")[-1].strip())), new_x="LMARGIN",
                   new_y="NEXT")
    pdf.ln(3)
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
    pdf.set_y(-16)
    pdf.set_x(16)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, nfc("Công Dân Số – tài liệu phát cho người dân tại điểm hỗ trợ. Không ai được "
                       "hỏi mã OTP, mật khẩu, passcode của bạn."), align="C")
    if pdf.page_no() != 1 or pdf.get_y() > 297:
        raise ValueError(f"handout {title!r} does not fit on one page")
    return bytes(pdf.output())


def pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def build_handouts(src: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for lesson in sorted(src.glob("*.md")):
        title, lines = handout_text(lesson.read_text(encoding="utf-8"))
        target = out / f"to-huong-dan-{lesson.stem}.pdf"
        target.write_bytes(handout_pdf(title, lines))
        written.append(target)
    return written
