from __future__ import annotations

import pytest
from congdanso.world import (
    AuthError,
    LockedError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
    ValidationError,
    World,
)
from congdanso.world.identity.vneid import ACTIVE, APPROVED, SECURITY_QUESTIONS
from congdanso.world.scenarios import PRACTICE_PASSCODE, PRACTICE_PASSWORD, activate_vneid


def _actions(world: World) -> list[tuple[str, bool]]:
    from congdanso.world.core.journal import GENESIS, parse_lines

    events = parse_lines(world.journal.data(), start_seq=0, prev=GENESIS).events
    return [(e.action, e.body["ok"]) for e in events]


def test_level1_in_the_app_then_activation(world, resident):
    account = world.vneid.register(resident.id_number, resident.phone)
    assert (account.level, account.status) == (1, APPROVED)
    assert "phê duyệt" in world.inbox(resident.phone).latest().text
    world.vneid.activate(resident.id_number, resident.phone)
    otp = world.inbox(resident.phone).latest_otp()
    assert otp and len(otp) == 6
    world.vneid.verify_otp(resident.id_number, otp)
    world.vneid.set_password(resident.id_number, PRACTICE_PASSWORD, PRACTICE_PASSWORD)
    world.vneid.set_passcode(resident.id_number, PRACTICE_PASSCODE, PRACTICE_PASSCODE)
    done = world.vneid.set_security_questions(
        resident.id_number, [SECURITY_QUESTIONS[0], SECURITY_QUESTIONS[3]], ["Lái Thiêu", "Mực"])
    assert done.status == ACTIVE
    assert "đăng nhập lại" in world.inbox(resident.phone).latest().text
    session = world.vneid.login(resident.id_number, PRACTICE_PASSWORD)
    assert session.level == 1
    assert _actions(world)[-1] == ("vneid.login", True)


def test_level2_needs_the_citizen_in_person(world, resident):
    with pytest.raises(PermissionDeniedError, match="Không ai làm thay"):
        world.police.enroll_level2(resident.id_number, resident.phone, present=False)
    account = world.police.enroll_level2(resident.id_number, resident.phone)
    assert account.level == 2 and account.registered_via == "cong_an"
    with pytest.raises(StateError, match="đã có tài khoản mức 2"):
        world.police.enroll_level2(resident.id_number, resident.phone)


def test_level1_upgraded_to_level2_at_the_police(world, resident):
    session = activate_vneid(world, resident, level=1)
    assert session.level == 1
    world.police.enroll_level2(resident.id_number, resident.phone)
    assert world.vneid.account_of(resident.id_number).level == 2
    assert world.vneid.sessions[session.token].level == 2


def test_no_chip_card_no_level2(world):
    person = next(p for p in world.population.adults() if not p.has_chip_card and p.phone
                  and p.phone_registered_to == p.id_number)
    with pytest.raises(PermissionDeniedError, match="thẻ căn cước gắn chip"):
        world.police.enroll_level2(person.id_number, person.phone)


def test_sim_must_be_in_the_citizens_name(world):
    elder = next(p for p in world.population if p.phone and p.phone_registered_to != p.id_number)
    with pytest.raises(PermissionDeniedError, match="TTTB gửi 1414") as err:
        world.vneid.register(elder.id_number, elder.phone)
    assert err.value.field == "phone"


def test_unknown_and_malformed_id_numbers(world, resident):
    with pytest.raises(ValidationError, match="12 chữ số"):
        world.vneid.register("07419", resident.phone)
    with pytest.raises(NotFoundError, match="Cơ sở dữ liệu quốc gia về dân cư"):
        world.vneid.register("074190000000", resident.phone)


def test_activation_steps_in_order(world, resident):
    world.vneid.register(resident.id_number, resident.phone)
    with pytest.raises(StateError, match="Kích hoạt tài khoản"):
        world.vneid.set_password(resident.id_number, PRACTICE_PASSWORD, PRACTICE_PASSWORD)
    world.vneid.activate(resident.id_number, resident.phone)
    with pytest.raises(StateError, match="bước 1/4"):
        world.vneid.set_passcode(resident.id_number, "258036", "258036")
    with pytest.raises(AuthError, match="không khớp"):
        world.vneid.activate(resident.id_number, "0912345678")


def test_wrong_otp_attempts_then_lock_and_resend(world, resident):
    world.vneid.register(resident.id_number, resident.phone)
    world.vneid.activate(resident.id_number, resident.phone)
    right = world.inbox(resident.phone).latest_otp()
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(AuthError, match=f"Còn {left} lần"):
            world.vneid.verify_otp(resident.id_number, wrong)
    with pytest.raises(LockedError, match="đã bị huỷ"):
        world.vneid.verify_otp(resident.id_number, wrong)
    with pytest.raises(LockedError):
        world.vneid.verify_otp(resident.id_number, right)
    world.vneid.resend_otp(resident.id_number)
    fresh = world.inbox(resident.phone).latest_otp()
    assert fresh != right
    assert world.vneid.verify_otp(resident.id_number, fresh).step == "password"


def test_otp_expires_after_five_minutes(world, resident):
    world.vneid.register(resident.id_number, resident.phone)
    world.vneid.activate(resident.id_number, resident.phone)
    otp = world.inbox(resident.phone).latest_otp()
    world.advance(minutes=6)
    with pytest.raises(AuthError, match="hết hạn") as err:
        world.vneid.verify_otp(resident.id_number, otp)
    assert err.value.code == "otp_het_han"


def test_password_passcode_and_questions_are_checked(world, resident):
    world.vneid.register(resident.id_number, resident.phone)
    world.vneid.activate(resident.id_number, resident.phone)
    world.vneid.verify_otp(resident.id_number, world.inbox(resident.phone).latest_otp())
    with pytest.raises(ValidationError, match="chữ hoa"):
        world.vneid.set_password(resident.id_number, "matkhau@1", "matkhau@1")
    with pytest.raises(ValidationError, match="không giống nhau"):
        world.vneid.set_password(resident.id_number, PRACTICE_PASSWORD, "Khac@2026")
    world.vneid.set_password(resident.id_number, PRACTICE_PASSWORD, PRACTICE_PASSWORD)
    birthday = resident.birth_date.strftime("%d%m%y")
    if len(set(birthday)) > 1 and birthday not in "0123456789":
        with pytest.raises(ValidationError, match="ngày sinh"):
            world.vneid.set_passcode(resident.id_number, birthday, birthday)
    with pytest.raises(ValidationError, match="dễ đoán"):
        world.vneid.set_passcode(resident.id_number, "123456", "123456")
    world.vneid.set_passcode(resident.id_number, PRACTICE_PASSCODE, PRACTICE_PASSCODE)
    with pytest.raises(ValidationError, match="khác nhau"):
        world.vneid.set_security_questions(resident.id_number, [SECURITY_QUESTIONS[0]] * 2,
                                           ["a1", "b2"])
    with pytest.raises(ValidationError, match="trong danh sách"):
        world.vneid.set_security_questions(resident.id_number, ["Câu tự nghĩ?",
                                           SECURITY_QUESTIONS[0]], ["a1", "b2"])


def test_login_lockout_and_unlock_after_30_minutes(world, resident):
    activate_vneid(world, resident)
    for _ in range(4):
        with pytest.raises(AuthError, match="Còn"):
            world.vneid.login(resident.id_number, "Sai@12345")
    with pytest.raises(LockedError, match="tạm khoá"):
        world.vneid.login(resident.id_number, "Sai@12345")
    with pytest.raises(LockedError, match="thử lại sau"):
        world.vneid.login(resident.id_number, PRACTICE_PASSWORD)
    world.advance(minutes=31)
    assert world.vneid.login(resident.id_number, PRACTICE_PASSWORD).level == 2


def test_e_id_card_needs_the_passcode(world, resident):
    session = activate_vneid(world, resident)
    with pytest.raises(AuthError, match="Passcode không đúng"):
        world.vneid.show_card(session.token, "999999")
    card = world.vneid.show_card(session.token, PRACTICE_PASSCODE)
    assert card["Số định danh cá nhân"] == resident.id_number
    assert card["Mức tài khoản"] == "Mức 2"
    assert card["Nơi thường trú"].endswith("Thành phố Hồ Chí Minh")


def test_real_pace_time_passes_between_actions(resident):
    """In a notebook the world moves at the learner's pace: an OTP left 6 minutes expires."""
    import datetime as dt

    world = World(pace="real")
    world.vneid.register(resident.id_number, resident.phone)
    world.vneid.activate(resident.id_number, resident.phone)
    otp = world.inbox(resident.phone).latest_otp()
    world._last_wall -= dt.timedelta(minutes=6)  # the learner went for a coffee
    with pytest.raises(AuthError, match="hết hạn"):
        world.vneid.verify_otp(resident.id_number, otp)
    replayed = World.from_journal_bytes(world.journal.data())
    assert replayed.now == world.now


def test_a_sim_in_a_childs_name_must_be_moved_at_the_carrier_before_level_2(world):
    from congdanso.world.core.errors import PermissionDeniedError, StateError

    elder = next(p for p in world.population.adults() if p.phone and p.has_chip_card
                 and p.phone_registered_to not in (None, p.id_number))
    with pytest.raises(PermissionDeniedError, match="TTTB"):
        world.police.enroll_level2(elder.id_number, elder.phone)
    answer = world.carrier.check_subscriber(elder.phone)
    assert answer["registered_to"] == elder.phone_registered_to
    assert "đang đăng ký cho" in world.inbox(elder.phone).messages[-1].text
    with pytest.raises(PermissionDeniedError, match="có mặt"):
        world.carrier.update_subscriber(elder.phone, elder.id_number, present=False)
    with pytest.raises(PermissionDeniedError, match="đồng ý"):
        world.carrier.update_subscriber(elder.phone, elder.id_number, current_owner_agrees=False)
    world.carrier.update_subscriber(elder.phone, elder.id_number)
    with pytest.raises(StateError, match="đã đứng tên"):
        world.carrier.update_subscriber(elder.phone, elder.id_number)
    assert world.police.enroll_level2(elder.id_number, elder.phone).level == 2


def test_children_have_own_accounts_with_a_parent_decree_69_article_7(world):
    """From 6 to under 14: level 1 or 2 when a parent asks and comes; under 6: level 1 only;
    a child needs a căn cước card; the parent's phone may be used."""
    from congdanso.world import PermissionDeniedError

    today = world.now.date()
    people = world.population

    def child(low: int, high: int):
        return next(p for p in people if low <= p.age_on(today) < high and p.has_chip_card
                    and any(m.age_on(today) >= 18 and m.phone
                            and m.phone_registered_to == m.id_number
                            for m in people.household_of(p).members))

    def parent_of(kid):
        return next(m for m in people.household_of(kid).members if m.age_on(today) >= 18
                    and m.phone and m.phone_registered_to == m.id_number)

    older, small = child(6, 14), child(0, 6)
    dad = parent_of(older)
    with pytest.raises(PermissionDeniedError, match="Nghị định 69/2024") as alone:
        world.police.enroll_level2(older.id_number, dad.phone)
    assert "cha, mẹ hoặc người giám hộ" in alone.value.message
    stranger = next(p for p in people if p.age_on(today) >= 18
                    and p not in people.household_of(older).members)
    with pytest.raises(PermissionDeniedError, match="không phải cha, mẹ"):
        world.police.enroll_level2(older.id_number, dad.phone, guardian=stranger.id_number)
    account = world.police.enroll_level2(older.id_number, dad.phone, guardian=dad.id_number)
    assert account.level == 2 and account.phone == dad.phone
    mum = parent_of(small)
    with pytest.raises(PermissionDeniedError, match="chỉ đăng ký được tài khoản mức 1"):
        world.police.enroll_level2(small.id_number, mum.phone, guardian=mum.id_number)
    assert world.vneid.register(small.id_number, mum.phone, guardian=mum.id_number).level == 1
    no_card = next(p for p in people if 6 <= p.age_on(today) < 14 and not p.has_chip_card)
    with pytest.raises(PermissionDeniedError, match="chưa có thẻ căn cước"):
        world.vneid.register(no_card.id_number, parent_of(no_card).phone,
                             guardian=parent_of(no_card).id_number)


def test_most_adults_already_have_level_2_from_their_card_so_only_activation(world):
    """BRIEF 2026: the ward police made most adults' level-2 account with the chip card; the
    approval SMS has waited in the phone since, and the helper's job is activation."""
    today = world.now.date()
    holders = [p for p in world.population.people if p.age_on(today) >= 14]
    made = [world.vneid.account_of(p.id_number) for p in holders]
    assert sum(a is not None for a in made) > len(holders) / 2
    for person, account in zip(holders, made, strict=True):
        if account is None:
            continue
        assert person.has_chip_card and person.phone_registered_to == person.id_number
        assert (account.level, account.status, account.registered_via) == (2, APPROVED,
                                                                           "cong_an")
        approval = world.inbox(person.phone).messages[0]
        assert approval.sender == "VNeID" and approval.time < world.now
        assert "Kích hoạt tài khoản" in approval.text
    assert not any(world.vneid.account_of(p.id_number) for p in world.population.people
                   if p.age_on(today) < 14)
    person = next(p for p, a in zip(holders, made, strict=True) if a is not None)
    with pytest.raises(StateError, match="đã có tài khoản VNeID mức 2"):
        world.vneid.register(person.id_number, person.phone)
    with pytest.raises(StateError, match="đã có tài khoản mức 2"):
        world.police.enroll_level2(person.id_number, person.phone)
    session = activate_vneid(world, person)  # straight to "Kích hoạt tài khoản"
    assert session.level == 2
    from congdanso.grading.requirements import journal_bodies

    done = [b["action"] for b in journal_bodies(world) if b.get("ok")]
    assert done[1:] == ["vneid.activate", "vneid.verify_otp", "vneid.set_password",
                        "vneid.set_passcode", "vneid.set_security_questions", "vneid.login"]
