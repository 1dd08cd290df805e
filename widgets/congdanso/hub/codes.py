"""Login codes for a class on the shared server: one code per learner (and the trainer), printed
on a sheet with a QR that opens the login page with the learner id filled in.

A code is 8 digits (a phone's number pad, read aloud without confusion), valid for the class
(7 days by default; issuing again replaces every earlier code). Only a salted PBKDF2 hash is kept,
in the course's private folder (``.congdanso/ma-dang-nhap.json``, 0600), never the code itself:
the sheet is the only copy. Wrong codes are counted per learner: after 5 the learner waits 5
minutes (the message says so), so guessing 100 million codes is hopeless.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from congdanso.cohort.gradebook import write_private

CODES_FILE = Path(".congdanso") / "ma-dang-nhap.json"
TRAINER = "giang-vien"
DIGITS = 8
ITERATIONS = 60_000
MAX_WRONG = 5
WAIT = dt.timedelta(minutes=5)
_USER = re.compile(r"^[a-z][a-z0-9-]{1,30}$")


class CodeError(ValueError):
    """A login refused, with what to tell the learner (Vietnamese)."""


def username(text: str) -> str:
    """A learner id as the hub and the system know it: lower case, letters, digits and '-'."""
    name = str(text or "").strip().lower()
    if not _USER.match(name):
        raise CodeError("Mã học viên chỉ gồm chữ không dấu, số và dấu gạch ngang, bắt đầu bằng "
                        "chữ (ví dụ hv-01). Hãy gõ đúng mã in trên phiếu.")
    return name


def _digest(code: str, salt: bytes) -> str:
    return hashlib.pbkdf2_hmac("sha256", code.encode(), salt, ITERATIONS).hex()


def issue(course: str | os.PathLike[str], learners: list[str], *, days: int = 7,
          now: dt.datetime | None = None) -> dict[str, str]:
    """New codes for ``learners`` and the trainer; returns them (the only time they are seen)."""
    now = now or dt.datetime.now(dt.UTC)
    names = sorted({username(x) for x in learners} | {TRAINER})
    plain = {name: "".join(secrets.choice("0123456789") for _ in range(DIGITS)) for name in names}
    stored = {}
    for name, code in plain.items():
        salt = secrets.token_bytes(16)
        stored[name] = {"salt": salt.hex(), "hash": _digest(code, salt)}
    write_private(Path(course) / CODES_FILE, json.dumps({
        "issued": now.isoformat(timespec="seconds"),
        "expires": (now + dt.timedelta(days=days)).isoformat(timespec="seconds"),
        "codes": stored,
    }, ensure_ascii=False, indent=1))
    return plain


def pretty(code: str) -> str:
    return f"{code[:4]} {code[4:]}"


@dataclass
class Checker:
    """Checks codes against the course's file; counts wrong attempts (in memory, per hub)."""

    course: Path

    def __post_init__(self) -> None:
        self.wrong: dict[str, tuple[int, dt.datetime]] = {}

    def _load(self) -> dict:
        try:
            return json.loads((self.course / CODES_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            raise CodeError("Lớp chưa có mã đăng nhập: giảng viên cần in phiếu mã (congdanso hub "
                            "ma).") from None

    def check(self, user: str, code: str, now: dt.datetime | None = None) -> str:
        """The hub username when the code is right; otherwise :class:`CodeError`."""
        now = now or dt.datetime.now(dt.UTC)
        name = username(user)
        count, since = self.wrong.get(name, (0, now))
        if count >= MAX_WRONG and now - since < WAIT:
            left = int((WAIT - (now - since)).total_seconds() // 60) + 1
            raise CodeError(f"Đã nhập sai mã {MAX_WRONG} lần. Chờ {left} phút rồi thử lại, hoặc "
                            "nhờ giảng viên kiểm tra phiếu mã.")
        if count >= MAX_WRONG:
            count = 0
        data = self._load()
        if now > dt.datetime.fromisoformat(data["expires"]):
            raise CodeError("Mã đăng nhập của lớp đã hết hạn. Nhờ giảng viên in phiếu mã mới.")
        entry = data["codes"].get(name)
        typed = re.sub(r"\D", "", str(code or ""))
        if entry is None:
            _digest(typed or "0", b"x" * 16)  # the same work either way: no hint who exists
            self.wrong[name] = (count + 1, since if count else now)
            raise CodeError("Mã học viên hoặc mã đăng nhập chưa đúng. Đọc lại phiếu: mã học viên "
                            "(ví dụ hv-01) và 8 chữ số.")
        if not hmac.compare_digest(_digest(typed, bytes.fromhex(entry["salt"])), entry["hash"]):
            self.wrong[name] = (count + 1, since if count else now)
            left = MAX_WRONG - count - 1
            raise CodeError("Mã học viên hoặc mã đăng nhập chưa đúng. Đọc lại phiếu: mã học viên "
                            f"và 8 chữ số. Còn {left} lần thử." if left else
                            f"Đã nhập sai mã {MAX_WRONG} lần. Chờ 5 phút rồi thử lại.")
        self.wrong.pop(name, None)
        return name


def sheet_pdf(people: list[tuple[str, str]], codes: dict[str, str], login_url: str,
              *, class_name: str = "Lớp tập huấn Công Dân Số") -> bytes:
    """The cards to cut and hand out: name, learner id, code, and a QR that opens the login
    page with the id filled in (the code is typed: a photo of the QR alone opens nothing)."""
    import io
    from urllib.parse import urlencode

    import segno
    from fpdf import FPDF

    from congdanso.world.fonts import font_path

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_compression(False)  # a few kB more, and every font size can be checked
    pdf.set_auto_page_break(auto=False)
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(font_path(bold=True)))
    card_w, card_h, margin = 95, 66, 10
    for i, (learner, full_name) in enumerate(people):
        if i % 8 == 0:
            pdf.add_page()
            pdf.set_font("DejaVu", "B", 14)
            pdf.set_xy(margin, 4)
            pdf.cell(0, 6, f"{class_name} — phiếu đăng nhập (cắt theo đường kẻ)")
        col, row = i % 2, (i % 8) // 2
        x, y = margin + col * card_w, 12 + row * (card_h + 3)
        pdf.set_draw_color(120, 120, 120)
        pdf.rect(x, y, card_w - 5, card_h)
        url = f"{login_url.rstrip('/')}/hub/login?{urlencode({'username': learner})}"
        png = io.BytesIO()
        segno.make(url, error="m").save(png, kind="png", scale=6, border=2)
        pdf.image(png, x + card_w - 5 - 34, y + 4, 30, 30, alt_text="Mã QR mở trang đăng nhập")
        pdf.set_xy(x + 4, y + 4)
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(card_w - 45, 7, full_name)
        pdf.set_font("DejaVu", "", 13)
        pdf.set_x(x + 4)
        pdf.cell(card_w - 45, 8, f"Mã học viên: {learner}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_xy(x + 4, y + 36)
        pdf.set_font("DejaVu", "", 12)
        pdf.cell(0, 6, "Mã đăng nhập:")
        pdf.set_xy(x + 4, y + 43)
        pdf.set_font("DejaVu", "B", 22)
        pdf.cell(card_w - 13, 11, pretty(codes[learner]))
        pdf.set_xy(x + 4, y + 55)
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(card_w - 13, 5, "Quét mã QR để mở trang đăng nhập. Không đưa mã cho ai.")
    return bytes(pdf.output())
