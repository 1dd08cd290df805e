"""What volunteers meet at a support point: a forgotten password or passcode, a lost phone (SIM
replaced for the SMS codes; the new phone itself is proved by NFC, see test_new_phone.py), a face
capture that fails, residence procedures in VNeID."""

from __future__ import annotations

import pytest
from congdanso.world import (
    AuthError,
    LockedError,
    PermissionDeniedError,
    StateError,
    ValidationError,
    World,
)
from congdanso.world.scenarios import PRACTICE_PASSCODE, PRACTICE_PASSWORD, activate_vneid

NEW_PASSWORD = "MoiDat#2026"


@pytest.fixture
def active(world, resident):
    activate_vneid(world, resident)
    return resident


def _otp(world, person) -> str:
    return world.inbox(person.phone).latest_otp() or ""


def test_forgotten_password_otp_then_face_then_new_password(world, active):
    for _ in range(5):  # the resident tried old passwords and locked the account
        with pytest.raises((AuthError, LockedError)):
            world.vneid.login(active.id_number, "KhongNho@1")
    with pytest.raises(LockedError):
        world.vneid.login(active.id_number, PRACTICE_PASSWORD)
    other = next(p for p in world.population.practice_residents() if p != active)
    with pytest.raises(AuthError, match="cập nhật số điện thoại"):
        world.vneid.forgot_password(active.id_number, other.phone)
    with pytest.raises(StateError, match="Quên mật khẩu"):
        world.vneid.reset_password(active.id_number, NEW_PASSWORD, NEW_PASSWORD)
    world.vneid.forgot_password(active.id_number, active.phone)
    with pytest.raises(StateError, match="nhập mã OTP"):
        world.vneid.reset_password(active.id_number, NEW_PASSWORD, NEW_PASSWORD)
    world.vneid.verify_reset_otp(active.id_number, _otp(world, active))
    with pytest.raises(ValidationError) as failed:  # an elderly resident, glasses on, dim room
        world.vneid.capture_face(active.id_number, False, False, True)
    assert "đủ sáng" in failed.value.message and "bỏ kính" in failed.value.message
    assert "nhìn thẳng" not in failed.value.message and failed.value.field == "face"
    world.vneid.capture_face(active.id_number, True, True, True)
    with pytest.raises(ValidationError):
        world.vneid.reset_password(active.id_number, "matkhau123", "matkhau123")
    world.vneid.reset_password(active.id_number, NEW_PASSWORD, NEW_PASSWORD)
    assert "vừa được đặt lại" in world.inbox(active.phone).messages[-1].text
    with pytest.raises(AuthError):
        world.vneid.login(active.id_number, PRACTICE_PASSWORD)
    assert world.vneid.login(active.id_number, NEW_PASSWORD).level == 2  # lock lifted


def test_forgotten_passcode_with_the_security_answers(world, active):
    session = world.vneid.login(active.id_number, PRACTICE_PASSWORD)
    assert len(world.vneid.questions_of(active.id_number)) == 2
    with pytest.raises(AuthError, match="Câu trả lời bảo mật không đúng"):
        world.vneid.reset_passcode(session.token, ["Trường khác", "Mèo"], "417293", "417293")
    with pytest.raises(ValidationError, match="ngày sinh"):
        world.vneid.reset_passcode(session.token, ["trường tiểu học  lái thiêu", "BÔNG"],
                                   active.birth_date.strftime("%d%m%y"),
                                   active.birth_date.strftime("%d%m%y"))
    world.vneid.reset_passcode(session.token, ["trường tiểu học  lái thiêu", "BÔNG"], "417293",
                               "417293")
    with pytest.raises(AuthError):
        world.vneid.show_card(session.token, PRACTICE_PASSCODE)
    assert world.vneid.show_card(session.token, "417293")["Mức tài khoản"] == "Mức 2"


def test_lost_phone_and_password_sim_replaced_for_the_otp_but_the_phone_proved_by_nfc(world,
                                                                                     active):
    world.vneid.lose_handset(world.vneid.own_handset(active.id_number).id)
    world.carrier.lost.add(active.phone)  # the old SIM was lost with the old phone
    new = world.vneid.add_handset("may-moi", active.id_number, "Máy mới").id
    before = len(world.inbox(active.phone).messages)
    world.vneid.forgot_password(active.id_number, active.phone)
    assert len(world.inbox(active.phone).messages) == before  # the OTP went nowhere
    someone = next(p for p in world.population.practice_residents() if p != active)
    with pytest.raises(PermissionDeniedError, match="không đứng tên"):
        world.carrier.replace_sim(active.phone, someone.id_number)
    with pytest.raises(PermissionDeniedError, match="có mặt"):
        world.carrier.replace_sim(active.phone, active.id_number, present=False)
    world.carrier.replace_sim(active.phone, active.id_number)
    assert "SIM mới" in world.inbox(active.phone).messages[-1].text
    with pytest.raises(AuthError):  # the code sent to the lost SIM was never seen
        world.vneid.verify_reset_otp(active.id_number, "000000")
    world.vneid.forgot_password(active.id_number, active.phone)
    world.vneid.verify_reset_otp(active.id_number, _otp(world, active))
    world.vneid.capture_face(active.id_number, True, True, True)
    world.vneid.reset_password(active.id_number, NEW_PASSWORD, NEW_PASSWORD)
    with pytest.raises(StateError) as new_phone:  # SIM and password do not prove the phone
        world.vneid.login(active.id_number, NEW_PASSWORD, device=new)
    assert new_phone.value.code == "thiet_bi_moi"
    world.vneid.verify_nfc(active.id_number, True, device=new)
    session = world.vneid.confirm_device(active.id_number, world.vneid.code_shown_on(new),
                                         device=new)
    assert session.device == new
    assert world.vneid.login(active.id_number, NEW_PASSWORD, device=new)  # no code next time


def test_residence_procedures_inside_vneid(world, active):
    session = world.vneid.login(active.id_number, PRACTICE_PASSWORD)
    home = world.population.household_of(active)
    elsewhere = next(w for w in {h.ward for h in world.population.households} if w != home.ward)
    contract = [{"kind": "hop_dong_thue", "file": "hop-dong-thue-nha.pdf", "quality": "ro"}]
    fields = {"stay_address": f"Phòng 3, số 8 đường số 5, khu phố 1, {elsewhere.full_name}",
              "stay_until": "30/06/2027"}
    with pytest.raises(AuthError):
        world.vneid.submit_residence(session.token, "000000", "CT-DKTTR", fields, contract)
    with pytest.raises(ValidationError, match="thủ tục cư trú"):
        world.vneid.submit_residence(session.token, PRACTICE_PASSCODE, "HT-TLBS", {}, [])
    with pytest.raises(ValidationError, match="Luật Cư trú"):
        world.vneid.submit_residence(session.token, PRACTICE_PASSCODE, "CT-DKTTR",
                                     {**fields, "stay_address": f"Số 1, {home.ward.full_name}"},
                                     contract)
    made = world.vneid.submit_residence(session.token, PRACTICE_PASSCODE, "CT-DKTTR", fields,
                                        contract)
    assert made["procedure"] == "Đăng ký tạm trú" and world.portal.lookup(made["code"])
    assert any("ứng dụng VNeID" in note for _, _, note in world.portal.dossiers[made["code"]]
               .history)


def test_recovery_flows_replay_from_the_journal(tmp_path):
    world = World.open(tmp_path / "nhat-ky.jsonl", pace="manual")
    person = world.population.practice_residents()[0]
    activate_vneid(world, person)
    world.vneid.forgot_password(person.id_number, person.phone)
    world.vneid.verify_reset_otp(person.id_number, _otp(world, person))
    with pytest.raises(ValidationError):
        world.vneid.capture_face(person.id_number, True, False, True)
    world.vneid.capture_face(person.id_number, True, True, True)
    world.vneid.reset_password(person.id_number, NEW_PASSWORD, NEW_PASSWORD)
    world.carrier.replace_sim(person.phone, person.id_number)
    again = World.open(tmp_path / "nhat-ky.jsonl", pace="manual")
    assert again.vneid.login(person.id_number, NEW_PASSWORD).level == 2
    assert again.inbox(person.phone).messages[-1].text == world.inbox(person.phone).messages[-1].text
