from __future__ import annotations

import pytest
from congdanso.world.core.errors import ValidationError
from congdanso.world.identity.idnumber import (
    FEMALE,
    MALE,
    check_id_matches,
    make_id_number,
    parse_id_number,
)
from congdanso.world.society.places import PROVINCES
from hypothesis import given
from hypothesis import strategies as st


def test_structure_of_a_known_number():
    parts = parse_id_number("074 190 123456")
    assert (parts.province_code, parts.gender, parts.birth_year, parts.serial) == (
        "074", FEMALE, 1990, "123456")
    assert parts.province == "Bình Dương"


def test_century_digits():
    assert parse_id_number("079205000001").birth_year == 2005
    assert parse_id_number("079205000001").gender == MALE
    assert parse_id_number("079305000001").gender == FEMALE
    assert parse_id_number("079099000001").birth_year == 1999


@pytest.mark.parametrize(("typed", "fragment"), [
    ("", "chưa nhập"),
    ("07419012345", "đúng 12 chữ số; bạn đã nhập 11"),
    ("0741901234567", "đã nhập 13"),
    ("074190A23456", "chỉ gồm chữ số"),
    ("271234567", "chứng minh nhân dân cũ"),
    ("003190123456", "không có tỉnh nào"),
])
def test_bad_numbers_get_a_vietnamese_reason(typed, fragment):
    with pytest.raises(ValidationError) as err:
        parse_id_number(typed)
    assert fragment in err.value.message
    assert err.value.field == "id_number"


def test_agreement_with_birth_year_and_gender():
    number = make_id_number("074", 1968, FEMALE, 42)
    assert check_id_matches(number, birth_year=1968, gender=FEMALE).serial == "000042"
    with pytest.raises(ValidationError, match="năm sinh 1968"):
        check_id_matches(number, birth_year=1986)
    with pytest.raises(ValidationError, match="giới tính nữ"):
        check_id_matches(number, gender=MALE)


@given(province=st.sampled_from(sorted(PROVINCES)), year=st.integers(1900, 2399),
       gender=st.sampled_from([MALE, FEMALE]), serial=st.integers(0, 999_999))
def test_any_generated_number_parses_back(province, year, gender, serial):
    number = make_id_number(province, year, gender, serial)
    parts = parse_id_number(number)
    assert len(number) == 12
    assert (parts.province_code, parts.birth_year, parts.gender) == (province, year, gender)
