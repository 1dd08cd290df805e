"""Phone numbers, dates, names, passwords, OTP and passcode as a citizen types them."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from congdanso.world.core.errors import ValidationError
from congdanso.world.core.text import clean_name, name_key, strip_diacritics
from congdanso.world.core.validate import (
    check_full_name,
    check_otp,
    check_passcode,
    check_password,
    check_vneid_password,
    parse_date,
)
from congdanso.world.identity.phone import carrier_of, parse_phone


@pytest.mark.parametrize(("typed", "expected"), [
    ("0912 345 678", "0912345678"), ("+84 912.345.678", "0912345678"),
    ("84912345678", "0912345678"), ("0386-123-456", "0386123456")])
def test_phone_normalised(typed, expected):
    assert parse_phone(typed) == expected


def test_phone_carrier():
    assert carrier_of("0961234567") == "Viettel"
    assert carrier_of("0901234567") == "MobiFone"
    assert carrier_of("0911234567") == "VinaPhone"


@pytest.mark.parametrize(("typed", "fragment"), [
    ("", "chưa nhập"), ("091234567", "đúng 10 chữ số; bạn đã nhập 9"),
    ("01681234567", "11 chữ số kiểu cũ"), ("0112345678", "Đầu số 011"),
    ("09123abc78", "chỉ gồm chữ số"), ("9123456789", "bắt đầu bằng số 0")])
def test_phone_errors(typed, fragment):
    with pytest.raises(ValidationError) as err:
        parse_phone(typed)
    assert fragment in err.value.message


def test_dates_are_day_first():
    assert parse_date("05/09/1968") == dt.date(1968, 9, 5)
    assert parse_date(" 5-9-1968 ") == dt.date(1968, 9, 5)
    with pytest.raises(ValidationError, match="viết ngày trước"):
        parse_date("09/25/1968")
    with pytest.raises(ValidationError, match="không có trên lịch"):
        parse_date("31/02/1990")
    with pytest.raises(ValidationError, match="ngày/tháng/năm"):
        parse_date("1990-02-01")
    with pytest.raises(ValidationError, match="tương lai"):
        parse_date("01/01/2030", today=dt.date(2026, 3, 2))


def test_names_typed_in_nfd_or_with_spaces_match():
    stored = "Nguyễn Thị Ánh"
    typed = "  " + unicodedata.normalize("NFD", "nguyễn   thị ánh") + " "
    assert typed != stored
    assert name_key(typed) == name_key(stored)
    assert clean_name(typed) == unicodedata.normalize("NFC", "nguyễn thị ánh")
    assert strip_diacritics("Đặng Thị Ánh") == "Dang Thi Anh"


def test_full_name_rules():
    assert check_full_name(" Lê  Văn Tám ") == "Lê Văn Tám"
    with pytest.raises(ValidationError, match="đầy đủ họ và tên"):
        check_full_name("Tám")
    with pytest.raises(ValidationError, match="chữ số"):
        check_full_name("Lê Văn 8")


def test_portal_password_says_what_is_missing():
    assert check_password("Abc@1234") == "Abc@1234"
    with pytest.raises(ValidationError, match="ít nhất 8"):
        check_password("Ab@1")
    with pytest.raises(ValidationError) as err:
        check_password("abcdefgh")
    assert "chữ hoa" in err.value.message and "chữ số" in err.value.message
    assert "ký tự đặc biệt" in err.value.message and "chữ thường" not in err.value.message
    with pytest.raises(ValidationError, match="có dấu"):
        check_password("Mậtkhẩu@1")


def test_vneid_password_has_a_maximum():
    assert check_vneid_password("Abcdef@123456789012") == "Abcdef@123456789012"
    with pytest.raises(ValidationError, match="tối đa 20"):
        check_vneid_password("Abcdef@1234567890123x")


def test_otp_and_passcode():
    assert check_otp(" 123 456 ") == "123456"
    for bad in ("12345", "1234567", "12a456"):
        with pytest.raises(ValidationError, match="6 chữ số"):
            check_otp(bad)
    assert check_passcode("258036") == "258036"
    for weak in ("111111", "123456", "987654"):
        with pytest.raises(ValidationError, match="dễ đoán"):
            check_passcode(weak)
    with pytest.raises(ValidationError, match="6 chữ số"):
        check_passcode("12345")
