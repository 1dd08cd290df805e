"""Bank-app biometrics (Thông tư 17/2024/TT-NHNN, Quyết định 2345/QĐ-NHNN): every way the match
with the chip card goes wrong at a support point, what fixes it, and the app's clicks."""

from __future__ import annotations

import pytest
from congdanso.ui.phone import Phone
from congdanso.world import AuthError, PermissionDeniedError, StateError, World
from congdanso.world.money.payments import BANK2_BIN, BANK_BIN

PASSWORD = "NganHang@1"


@pytest.fixture
def person(world):
    return next(p for p in world.population.practice_residents() if p.has_chip_card and p.phone)


def _unmatched(world, person, bank_bin: str = BANK_BIN, **state):
    """An account opened years ago, never matched; ``state`` sets the record's troubles."""
    account = world.bank.open_account(person.id_number, bank_bin, PASSWORD, biometrics=False)
    world.bank.deposit_cash(bank_bin, account.number, 3_000_000)
    for name, value in state.items():
        setattr(account, name, value)
    return account, world.bank.login(bank_bin, account.number, PASSWORD).token


def _cannot_pay(world, token, person) -> None:
    other = world.bank.billers["nuoc"]
    with pytest.raises(PermissionDeniedError) as err:
        world.bank.prepare_transfer(token, other.bank_bin, other.number, 50_000)
    assert err.value.code == "chua_sinh_trac_hoc"


def test_nfc_off_a_thick_case_and_the_wrong_spot_each_stop_the_chip_read(world, person):
    account, token = _unmatched(world, person)
    handset = world.bank.handset(person.id_number)
    handset.nfc_on, handset.thick_case, handset.nfc_spot = False, True, "tren"
    me = person.id_number
    with pytest.raises(StateError, match="NFC của điện thoại đang tắt") as err:
        world.bank.match_biometrics(token, me, me, "tren")
    assert err.value.code == "nfc_tat"
    world.bank.set_nfc(me, True)
    with pytest.raises(StateError, match="Ốp lưng dày") as err:
        world.bank.match_biometrics(token, me, me, "tren")
    assert err.value.code == "chip_khong_doc"
    world.bank.remove_case(me)
    with pytest.raises(StateError, match="chưa trúng vùng NFC") as err:
        world.bank.match_biometrics(token, me, me, "giua")
    assert err.value.field == "card_spot"
    _cannot_pay(world, token, person)
    assert world.bank.match_biometrics(token, me, me, "tren").biometrics is True
    assert account.biometrics


def test_a_phone_without_nfc_sends_the_owner_to_the_counter(world, person):
    account, token = _unmatched(world, person)
    world.bank.handset(person.id_number).has_nfc = False
    with pytest.raises(PermissionDeniedError, match="ra quầy") as err:
        world.bank.match_biometrics(token, person.id_number, person.id_number)
    assert err.value.code == "khong_co_nfc"
    with pytest.raises(StateError, match="không có NFC"):
        world.bank.set_nfc(person.id_number, True)
    world.bank.counter_update(BANK_BIN, account.number, person.id_number, person.id_number)
    assert account.biometrics


def test_someone_elses_card_or_face_is_refused(world, person):
    other = next(p for p in world.population.practice_residents() if p is not person)
    _, token = _unmatched(world, person)
    with pytest.raises(PermissionDeniedError, match="không phải của chủ tài khoản"):
        world.bank.match_biometrics(token, other.id_number, person.id_number)
    with pytest.raises(PermissionDeniedError, match="Khuôn mặt không khớp"):
        world.bank.match_biometrics(token, person.id_number, other.id_number)


def test_data_that_differ_from_the_population_database_are_fixed_only_at_the_counter(
        world, person):
    account, token = _unmatched(world, person, mismatch="ngay_sinh")
    me = person.id_number
    with pytest.raises(PermissionDeniedError, match="ngày sinh trong hồ sơ ngân hàng") as err:
        world.bank.match_biometrics(token, me, me)
    assert err.value.code == "lech_du_lieu" and "Không sửa được trong ứng dụng" in \
        err.value.message
    other = next(p for p in world.population.practice_residents() if p is not person)
    with pytest.raises(PermissionDeniedError, match="tự đến quầy"):  # a relative goes instead
        world.bank.counter_update(BANK_BIN, account.number, me, other.id_number)
    world.bank.counter_update(BANK_BIN, account.number, me, me)
    assert account.mismatch is None and account.biometrics
    assert world.bank.balance(token) == 3_000_000
    other_bill = world.bank.billers["nuoc"]
    assert world.bank.prepare_transfer(token, other_bill.bank_bin, other_bill.number,
                                       50_000).needs == "otp"


def test_an_old_cmnd_is_updated_in_the_app_where_the_bank_allows_it(world, person):
    account, token = _unmatched(world, person, id_paper="cmnd")
    me = person.id_number
    with pytest.raises(StateError, match="chứng minh nhân dân 9 số") as err:
        world.bank.match_biometrics(token, me, me)
    assert err.value.code == "giay_to_cu"
    world.bank.update_id_paper(token, me)
    assert account.id_paper == "can_cuoc"
    with pytest.raises(StateError, match="không cần cập nhật"):
        world.bank.update_id_paper(token, me)
    world.bank.match_biometrics(token, me, me)
    assert account.biometrics


def test_an_old_cmnd_at_a_bank_without_the_app_update_means_the_counter(world, person):
    account, token = _unmatched(world, person, BANK2_BIN, id_paper="cmnd")
    with pytest.raises(PermissionDeniedError, match="ra quầy") as err:
        world.bank.update_id_paper(token, person.id_number)
    assert err.value.code == "chi_tai_quay"
    world.bank.counter_update(BANK2_BIN, account.number, person.id_number, person.id_number)
    assert account.id_paper == "can_cuoc" and account.biometrics


def test_a_new_phone_asks_for_the_owners_face_before_any_session(world, person):
    account = world.bank.open_account(person.id_number, BANK_BIN, PASSWORD)
    account.device_ok = False
    with pytest.raises(StateError, match="Chưa có lần đăng nhập"):
        world.bank.verify_device(BANK_BIN, account.number, person.id_number)
    sessions = len(world.bank.sessions)
    with pytest.raises(AuthError, match="điện thoại mới") as err:
        world.bank.login(BANK_BIN, account.number, PASSWORD)
    assert err.value.code == "thiet_bi_moi" and len(world.bank.sessions) == sessions
    other = next(p for p in world.population.practice_residents() if p is not person)
    with pytest.raises(AuthError, match="không ai làm thay"):
        world.bank.verify_device(BANK_BIN, account.number, other.id_number)
    session = world.bank.verify_device(BANK_BIN, account.number, person.id_number)
    assert world.bank.balance(session.token) == 0
    assert world.bank.login(BANK_BIN, account.number, PASSWORD).token  # trusted from now on


def test_a_new_phone_on_an_account_never_matched_goes_to_the_counter(world, person):
    account = world.bank.open_account(person.id_number, BANK_BIN, PASSWORD, biometrics=False)
    account.device_ok = False
    with pytest.raises(AuthError):
        world.bank.login(BANK_BIN, account.number, PASSWORD)
    with pytest.raises(PermissionDeniedError, match="ra quầy") as err:
        world.bank.verify_device(BANK_BIN, account.number, person.id_number)
    assert err.value.code == "chua_sinh_trac_hoc"


def test_the_biometric_steps_replay_from_the_journal(world, person):
    account, token = _unmatched(world, person)
    me = person.id_number
    with pytest.raises(StateError):
        world.bank.match_biometrics(token, me, me, "man-hinh")
    world.bank.set_nfc(me, True)
    world.bank.match_biometrics(token, me, me)
    replayed = World.from_journal_bytes(world.journal.data(), files=world.files)
    assert replayed.bank.account(BANK_BIN, account.number).biometrics


def test_the_bank_app_clicks_through_nfc_trouble_a_new_phone_and_the_counter(world, person):
    account = world.bank.open_account(person.id_number, BANK_BIN, PASSWORD, biometrics=False)
    handset = world.bank.handset(person.id_number)
    handset.nfc_on, handset.thick_case = False, True
    bank = Phone(world, person).open("bank")
    bank.login(account.number, PASSWORD)
    assert bank.screen == "home" and bank.biometrics_box.layout.display == ""
    me = person.id_number
    bank.match_biometrics(me, me)
    assert "NFC của điện thoại đang tắt" in bank.notice_text
    bank.turn_on_nfc()
    bank.match_biometrics(me, me)
    assert "Ốp lưng dày" in bank.notice_text
    bank.remove_case()
    bank.match_biometrics(me, me, card_spot="man-hinh")
    assert "chưa trúng vùng NFC" in bank.f_spot.error_text
    bank.match_biometrics(me, me, card_spot="giua")
    assert account.biometrics and bank.biometrics_box.layout.display == "none"
    bank._click_logout()
    account.device_ok = False  # the resident moves to a new phone
    bank.login(account.number, PASSWORD)
    assert bank.screen == "login" and bank.device_box.layout.display == ""
    assert "điện thoại mới" in bank.notice_text
    bank.verify_device(me)
    assert bank.screen == "home" and account.device_ok
    account.mismatch, account.biometrics = "ho_ten", False
    bank.counter_update(me, me)
    assert account.biometrics and account.mismatch is None
