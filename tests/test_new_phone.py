"""VNeID on a new phone (BRIEF "2026 facts"): one phone at a time; the code shown on the old
phone; old phone lost or broken → NFC with the chip card; no NFC → a borrowed phone, then unlink
it; lost phone → lock through 1900 0368 first. The SIM is not what proves the new phone."""

from __future__ import annotations

import pytest
from congdanso.world import (
    AuthError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
    ValidationError,
    World,
)
from congdanso.world.scenarios import PRACTICE_PASSWORD, activate_vneid


@pytest.fixture
def active(world, resident):
    activate_vneid(world, resident)  # logged in on the resident's own phone
    return resident


def _new_phone(world, person, *, nfc: bool = True) -> str:
    return world.vneid.add_handset(f"may-moi-{person.id_number}", person.id_number,
                                   f"Điện thoại mới của {person.full_name}", nfc=nfc).id


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_old_phone_at_hand_shows_the_code_the_new_phone_needs(world, active):
    old = world.vneid.own_handset(active.id_number).id
    new = _new_phone(world, active)
    assert world.vneid.code_shown_on(old) is None  # nothing asked yet
    before = len(world.inbox(active.phone).messages)
    with pytest.raises(StateError) as asked:
        world.vneid.login(active.id_number, PRACTICE_PASSWORD, device=new)
    assert asked.value.code == "thiet_bi_moi" and "điện thoại cũ" in asked.value.message
    assert len(world.inbox(active.phone).messages) == before  # no SMS: the SIM proves nothing
    code = world.vneid.code_shown_on(old)
    assert code is not None and world.vneid.code_shown_on(new) is None
    with pytest.raises(AuthError, match="Còn 4 lần"):
        world.vneid.confirm_device(active.id_number, _wrong(code), device=new)
    session = world.vneid.confirm_device(active.id_number, code, device=new)
    assert session.device == new
    account = world.vneid.account_of(active.id_number)
    assert account.device == new and account.devices == [old, new]
    assert all(s.device == new for s in world.vneid.sessions.values()
               if s.id_number == active.id_number)  # the old phone was logged out
    with pytest.raises(StateError, match="điện thoại cũ"):  # the old phone is now "new"
        world.vneid.login(active.id_number, PRACTICE_PASSWORD, device=old)
    assert world.vneid.login(active.id_number, PRACTICE_PASSWORD, device=new).device == new


def test_lost_phone_lock_by_hotline_then_nfc_on_the_new_phone(world, active):
    old = world.vneid.own_handset(active.id_number)
    world.vneid.lose_handset(old.id)
    world.carrier.lost.add(active.phone)  # the SIM went with it: it does not matter here
    new = _new_phone(world, active)
    with pytest.raises(AuthError, match="họ tên chưa khớp"):
        world.vneid.hotline_lock(active.id_number, "Nguyễn Văn Khác",
                                 active.birth_date.strftime("%d/%m/%Y"))
    with pytest.raises(AuthError, match="ngày sinh chưa khớp") as said:
        world.vneid.hotline_lock(active.id_number, active.full_name, "01/01/1901")
    assert said.value.field == "birth_date"  # shown under the date, not the name
    locked = world.vneid.hotline_lock(active.id_number, active.full_name.upper(),
                                      active.birth_date.strftime("%-d-%-m-%Y"))
    assert locked["locked"] and not [s for s in world.vneid.sessions.values()
                                     if s.id_number == active.id_number]
    with pytest.raises(StateError, match="1900 0368") as asked:
        world.vneid.login(active.id_number, PRACTICE_PASSWORD, device=new)
    assert asked.value.code == "thiet_bi_moi"
    assert world.vneid.code_shown_on(old.id) is None  # the lost phone shows nothing to anyone
    with pytest.raises(ValidationError, match="Áp thẻ căn cước"):
        world.vneid.verify_nfc(active.id_number, card_held=False, device=new)
    read = world.vneid.verify_nfc(active.id_number, card_held=True, device=new)
    assert "điện thoại này" in read["message"]
    code = world.vneid.code_shown_on(new)
    assert code is not None
    session = world.vneid.confirm_device(active.id_number, code, device=new)
    assert session.device == new and not world.vneid.is_hotline_locked(active.id_number)


def test_phone_without_nfc_borrow_one_then_unlink_it(world, active):
    world.vneid.lose_handset(world.vneid.own_handset(active.id_number).id)  # broken
    mine = _new_phone(world, active, nfc=False)
    daughter = next(p for p in world.population.practice_residents() if p != active)
    borrowed = world.vneid.add_handset("may-muon", daughter.id_number,
                                       f"Điện thoại của {daughter.full_name}").id
    with pytest.raises(StateError):
        world.vneid.login(active.id_number, PRACTICE_PASSWORD, device=mine)
    with pytest.raises(PermissionDeniedError, match="không có NFC") as no_nfc:
        world.vneid.verify_nfc(active.id_number, card_held=True, device=mine)
    assert no_nfc.value.code == "khong_nfc" and "Quản lý thiết bị" in no_nfc.value.message
    with pytest.raises(StateError, match="đăng nhập"):  # NFC before a login on that phone
        world.vneid.verify_nfc(active.id_number, card_held=True, device=borrowed)
    with pytest.raises(StateError):
        world.vneid.login(active.id_number, PRACTICE_PASSWORD, device=borrowed)
    world.vneid.verify_nfc(active.id_number, card_held=True, device=borrowed)
    on_borrowed = world.vneid.confirm_device(active.id_number,
                                             world.vneid.code_shown_on(borrowed), device=borrowed)
    # from the resident's own phone: the code now shows on the borrowed one
    with pytest.raises(StateError):
        world.vneid.login(active.id_number, PRACTICE_PASSWORD, device=mine)
    session = world.vneid.confirm_device(active.id_number, world.vneid.code_shown_on(borrowed),
                                         device=mine)
    assert on_borrowed.token not in world.vneid.sessions
    assert [d["id"] for d in world.vneid.devices_of(session.token)][-2:] == [borrowed, mine]
    with pytest.raises(StateError, match="đang dùng"):
        world.vneid.unlink_device(session.token, mine)
    world.vneid.unlink_device(session.token, borrowed)
    assert borrowed not in world.vneid.account_of(active.id_number).devices
    with pytest.raises(NotFoundError):
        world.vneid.unlink_device(session.token, borrowed)


def test_ward_police_link_a_phone_without_nfc(world, active):
    mine = _new_phone(world, active, nfc=False)
    someone = next(p for p in world.population.practice_residents() if p != active)
    theirs = world.vneid.add_handset("may-nguoi-khac", someone.id_number, "Máy người khác").id
    with pytest.raises(PermissionDeniedError, match="có mặt"):
        world.police.confirm_device(active.id_number, mine, present=False)
    with pytest.raises(PermissionDeniedError, match="chính người dân"):
        world.police.confirm_device(active.id_number, theirs)
    world.police.confirm_device(active.id_number, mine)
    assert world.vneid.login(active.id_number, PRACTICE_PASSWORD, device=mine).device == mine


def test_new_phone_paths_replay_from_the_journal(tmp_path):
    world = World.open(tmp_path / "nhat-ky.jsonl", pace="manual")
    person = world.population.practice_residents()[0]
    activate_vneid(world, person)
    world.vneid.lose_handset(world.vneid.own_handset(person.id_number).id)
    new = _new_phone(world, person)
    world.vneid.hotline_lock(person.id_number, person.full_name,
                             person.birth_date.strftime("%d/%m/%Y"))
    with pytest.raises(StateError):
        world.vneid.login(person.id_number, PRACTICE_PASSWORD, device=new)
    world.vneid.verify_nfc(person.id_number, True, device=new)
    world.vneid.confirm_device(person.id_number, world.vneid.code_shown_on(new), device=new)
    again = World.open(tmp_path / "nhat-ky.jsonl", pace="manual")
    assert again.vneid.account_of(person.id_number).device == new
    assert again.vneid.login(person.id_number, PRACTICE_PASSWORD, device=new).device == new


def test_each_path_by_clicks_in_the_phone(world, active):
    """The phone shows whichever handset is in the hand: the old one shows the code, the new
    one takes it; after a borrowed phone, the device list unlinks it."""
    from congdanso.ui import Phone

    own = world.vneid.own_handset(active.id_number).id
    new = _new_phone(world, active, nfc=False)
    lender = next(p for p in world.population.practice_residents() if p != active)
    borrowed = world.vneid.add_handset("may-muon", lender.id_number, "Máy mượn (có NFC)").id
    phone = Phone(world, active)
    phone.set_handsets([("Điện thoại cũ", own), ("Điện thoại mới", new),
                        ("Máy mượn", borrowed)], current=own)
    app = phone.open("vneid")
    assert app.login(active.id_number, PRACTICE_PASSWORD) is not None  # the old phone
    phone.use_handset(new)
    assert app.screen == "start" and "Điện thoại mới" in phone.status.value
    assert app.login(active.id_number, PRACTICE_PASSWORD) is None and app.screen == "device"
    assert app.read_chip() is None and "không có NFC" in app.notice_text
    phone.use_handset(own)  # the old phone, still logged in, shows the code
    code = world.vneid.code_shown_on(own)
    assert app.screen == "home" and code in app.code_notice.value
    phone.use_handset(new)
    assert app.enter_device_code(code) is not None and app.screen == "home"
    phone.use_handset(borrowed)  # the borrowed phone: NFC, its code on its own screen
    app.login(active.id_number, PRACTICE_PASSWORD)
    assert app.read_chip(card_held=False) is None and "Áp thẻ" in app.f_card_held.error_text
    assert app.read_chip() is not None
    assert world.vneid.code_shown_on(borrowed) in app.device_info.value
    assert app.enter_device_code(world.vneid.code_shown_on(borrowed)) is not None
    phone.use_handset(new)  # the account moved to the borrowed phone: this one is out
    assert app.screen == "start"
    app.login(active.id_number, PRACTICE_PASSWORD)
    phone.use_handset(borrowed)
    code = world.vneid.code_shown_on(borrowed)
    phone.use_handset(new)
    assert app.enter_device_code(code) is not None
    assert app.unlink_device(borrowed) is not None
    assert borrowed not in world.vneid.account_of(active.id_number).devices
    assert "Máy mượn" not in app.devices_view.value


def test_wallet_and_social_account_by_clicks(world, active):
    from congdanso.ui import Phone
    from congdanso.world.identity.wallet import BHYT, bhyt_number
    from congdanso.world.money.payments import BANK_BIN
    from congdanso.world.scenarios import PRACTICE_PASSCODE

    own = world.bank.open_account(active.id_number, BANK_BIN, "NganHang@2026")
    phone = Phone(world, active)
    app = phone.open("vneid")
    app.login(active.id_number, PRACTICE_PASSWORD)
    assert app.integrate_document(BHYT, "DN4790000000000", PRACTICE_PASSCODE) is None
    assert "không khớp" in app.f_doc_number.error_text
    assert app.integrate_document(BHYT, bhyt_number(active), PRACTICE_PASSCODE) is not None
    assert "Sổ sức khỏe điện tử" in app.wallet_view.value
    assert app.present_document(BHYT, "phong_kham", PRACTICE_PASSCODE) is not None
    assert "như bản giấy" in app.shown_document.value
    assert app.link_social_account("NH Tập huấn Sông Bé", own.number, PRACTICE_PASSCODE)
    assert own.number in app.social_view.value
