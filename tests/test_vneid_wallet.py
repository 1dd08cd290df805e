"""VNeID's documents wallet (BHYT, driving licence, health book shown at a clinic or to traffic
police) and the bank account for social payments, which must be in the resident's own name."""

from __future__ import annotations

import pytest
from congdanso.world import (
    AuthError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
    ValidationError,
)
from congdanso.world.identity.wallet import BHYT, GPLX, HEALTH_BOOK, bhyt_number, gplx_number
from congdanso.world.money.payments import BANK2_BIN, BANK_BIN
from congdanso.world.scenarios import PRACTICE_PASSCODE, activate_vneid

BANK_PASSWORD = "NganHang@2026"


@pytest.fixture
def session(world, resident):
    return activate_vneid(world, resident)


def test_bhyt_integrated_then_shown_at_the_clinic_with_the_health_book(world, resident, session):
    token = session.token
    with pytest.raises(StateError, match="Tích hợp thông tin"):
        world.vneid.present_document(token, PRACTICE_PASSCODE, BHYT, "phong_kham")
    with pytest.raises(AuthError):
        world.vneid.integrate_document(token, "000000", BHYT, bhyt_number(resident))
    with pytest.raises(NotFoundError, match="không khớp") as wrong:
        world.vneid.integrate_document(token, PRACTICE_PASSCODE, BHYT, "DN4790000000000")
    assert wrong.value.field == "number"
    made = world.vneid.integrate_document(token, PRACTICE_PASSCODE, BHYT,
                                          bhyt_number(resident).lower())
    assert made["documents"] == [BHYT, HEALTH_BOOK]
    with pytest.raises(StateError, match="đã có"):
        world.vneid.integrate_document(token, PRACTICE_PASSCODE, BHYT, bhyt_number(resident))
    with pytest.raises(ValidationError, match="không hỏi"):  # a clinic does not want a licence
        world.vneid.present_document(token, PRACTICE_PASSCODE, BHYT, "csgt")
    shown = world.vneid.present_document(token, PRACTICE_PASSCODE, HEALTH_BOOK, "phong_kham")
    assert "như bản giấy" in shown["message"]
    card = world.vneid.present_document(token, PRACTICE_PASSCODE, BHYT, "phong_kham")
    assert card["data"]["Số thẻ BHYT (mô phỏng)"] == bhyt_number(resident)


def test_driving_licence_only_for_who_has_one(world):
    people = world.population.practice_residents()
    holder = next(p for p in people if gplx_number(p))
    without = next(p for p in people if gplx_number(p) is None and p.phone)
    token = activate_vneid(world, holder).token
    world.vneid.integrate_document(token, PRACTICE_PASSCODE, GPLX, gplx_number(holder))
    shown = world.vneid.present_document(token, PRACTICE_PASSCODE, GPLX, "csgt")
    assert shown["document"] == "Giấy phép lái xe"
    other = activate_vneid(world, without).token
    with pytest.raises(NotFoundError, match="chưa có bằng lái"):
        world.vneid.integrate_document(other, PRACTICE_PASSCODE, GPLX, "790000000001")


def test_social_payment_account_must_be_the_residents_own(world, resident, session):
    token = session.token
    child = next(p for p in world.population.adults()
                 if p.id_number != resident.id_number and p.phone)
    theirs = world.bank.open_account(child.id_number, BANK_BIN, BANK_PASSWORD)
    with pytest.raises(PermissionDeniedError, match="không phải") as not_own:
        world.vneid.link_social_account(token, PRACTICE_PASSCODE, BANK_BIN, theirs.number)
    assert "con cháu" in not_own.value.message and not_own.value.field == "account_number"
    with pytest.raises(NotFoundError, match="Không tìm thấy"):
        world.vneid.link_social_account(token, PRACTICE_PASSCODE, BANK_BIN, "9999999999")
    with pytest.raises(ValidationError, match="chữ số"):
        world.vneid.link_social_account(token, PRACTICE_PASSCODE, BANK_BIN, "abc")
    account = world.vneid.account_of(resident.id_number)
    with pytest.raises(ValidationError, match="Hãy nhập số tài khoản"):
        world.vneid.link_social_account(token, "", BANK_BIN, "  ")  # an empty form
    assert account.passcode_attempts.failures == 0  # said before any passcode try is spent
    old = world.bank.open_account(resident.id_number, BANK2_BIN, BANK_PASSWORD, biometrics=False)
    with pytest.raises(PermissionDeniedError, match="sinh trắc"):
        world.vneid.link_social_account(token, PRACTICE_PASSCODE, BANK2_BIN, old.number)
    own = world.bank.open_account(resident.id_number, BANK_BIN, BANK_PASSWORD)
    with pytest.raises(AuthError):
        world.vneid.link_social_account(token, "111111", BANK_BIN, own.number)
    linked = world.vneid.link_social_account(token, PRACTICE_PASSCODE, BANK_BIN,
                                             f" {own.number} ")
    assert linked["status"] == "Đã liên kết" and linked["number"] == own.number
    assert world.vneid.social_account_of(resident.id_number)["holder"] == own.holder


def test_level_1_cannot_use_the_wallet(world):
    person = next(p for p in world.population.practice_residents()
                  if world.vneid.account_of(p.id_number) is None and p.age_on(
                      world.population.reference_day) >= 18)
    token = activate_vneid(world, person, level=1).token
    with pytest.raises(PermissionDeniedError, match="mức 2"):
        world.vneid.integrate_document(token, PRACTICE_PASSCODE, BHYT, bhyt_number(person))
