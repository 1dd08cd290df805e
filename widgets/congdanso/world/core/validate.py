"""Checks of the other fields a citizen types: dates, names, passwords, OTP and passcode.

Each check returns the cleaned value or raises ``ValidationError`` whose message says, in
Vietnamese, what is wrong and how to fix it — the message a helper reads out to a resident.
"""

from __future__ import annotations

import datetime as dt
import re
import string

from congdanso.world.core.errors import ValidationError
from congdanso.world.core.text import clean_name, has_diacritics

_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")
SPECIALS = set(string.punctuation)


def parse_date(text: str, *, field: str = "birth_date", today: dt.date | None = None) -> dt.date:
    """Parse a date typed as dd/mm/yyyy (Vietnamese order)."""
    match = _DATE.match(str(text))
    if not match:
        raise ValidationError(
            "Ngày phải viết theo dạng ngày/tháng/năm, ví dụ 05/09/1968 (năm đủ 4 chữ số).",
            field=field,
        )
    day, month, year = (int(g) for g in match.groups())
    if month > 12 and day <= 12:
        raise ValidationError(
            f"Tháng {month} không có. Có thể bạn đã viết tháng trước ngày (kiểu Mỹ); ở Việt Nam "
            "viết ngày trước: ngày/tháng/năm.",
            field=field,
        )
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise ValidationError(
            f"Ngày {day:02d}/{month:02d}/{year} không có trên lịch. "
            "Hãy kiểm tra lại ngày và tháng.",
            field=field,
        ) from None
    if year < 1900:
        raise ValidationError("Năm phải từ 1900 trở đi.", field=field)
    if today is not None and value > today:
        raise ValidationError("Ngày này ở tương lai. Hãy kiểm tra lại năm.", field=field)
    return value


def format_date(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def check_full_name(text: str) -> str:
    """A full name as on the ID card: letters, with diacritics, at least two words."""
    name = clean_name(text)
    if not name:
        raise ValidationError("Bạn chưa nhập họ và tên.", field="full_name")
    if any(ch.isdigit() for ch in name):
        raise ValidationError("Họ tên không được có chữ số.", field="full_name")
    if len(name.split(" ")) < 2:
        raise ValidationError(
            "Hãy nhập đầy đủ họ và tên (ít nhất họ và tên gọi), đúng như trên thẻ căn cước.",
            field="full_name",
        )
    return name


def _password_problems(password: str) -> list[str]:
    problems = []
    if not any(ch.islower() for ch in password):
        problems.append("chữ thường (a–z)")
    if not any(ch.isupper() for ch in password):
        problems.append("chữ hoa (A–Z)")
    if not any(ch.isdigit() for ch in password):
        problems.append("chữ số (0–9)")
    if not any(ch in SPECIALS for ch in password):
        problems.append("ký tự đặc biệt (ví dụ @ # ! $)")
    return problems


def check_password(
    password: str,
    *,
    max_length: int | None = None,
    system: str = "Cổng DVC",
    field: str = "password",
) -> str:
    """Password rule of the portal (≥ 8) and of VNeID (8–20); both need 4 kinds of character."""
    if len(password) < 8:
        raise ValidationError(
            f"Mật khẩu {system} phải có ít nhất 8 ký tự; mật khẩu này có {len(password)}.",
            field=field,
        )
    if max_length is not None and len(password) > max_length:
        raise ValidationError(
            f"Mật khẩu {system} chỉ được dài tối đa {max_length} ký tự.", field=field
        )
    if " " in password:
        raise ValidationError("Mật khẩu không được có dấu cách.", field=field)
    if has_diacritics(password):
        raise ValidationError(
            "Mật khẩu không dùng chữ có dấu tiếng Việt; hãy gõ không dấu.", field=field
        )
    problems = _password_problems(password)
    if problems:
        raise ValidationError("Mật khẩu còn thiếu: " + ", ".join(problems) + ".", field=field)
    return password


def check_vneid_password(password: str) -> str:
    return check_password(password, max_length=20, system="VNeID")


def check_otp(code: str) -> str:
    value = str(code).strip().replace(" ", "")
    if not (len(value) == 6 and value.isascii() and value.isdigit()):
        raise ValidationError(
            "Mã OTP gồm đúng 6 chữ số, lấy từ tin nhắn vừa nhận. Hãy nhập lại cả 6 số.", field="otp"
        )
    return value


def check_passcode(code: str) -> str:
    """VNeID passcode: 6 digits. The simulation also refuses the easiest guesses."""
    value = str(code).strip()
    if not (len(value) == 6 and value.isascii() and value.isdigit()):
        raise ValidationError("Mã passcode gồm đúng 6 chữ số.", field="passcode")
    if len(set(value)) == 1 or value in "0123456789" or value in "9876543210":
        raise ValidationError(
            "Mã passcode này quá dễ đoán (số lặp lại hoặc liên tiếp). "
            "Hãy chọn 6 số khác mà chỉ người dân nhớ.",
            field="passcode",
        )
    return value
