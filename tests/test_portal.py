from __future__ import annotations

import pytest
from congdanso.world import (
    AuthError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
    ValidationError,
)
from congdanso.world.dossiers.portal import (
    PROCESSING,
    RECEIVED,
    RESULT_READY,
    RETURNED,
    SUBMITTED,
    SUPPLEMENT,
)
from congdanso.world.dossiers.procedures import CATALOGUE
from congdanso.world.scenarios import PRACTICE_PASSCODE, activate_vneid, portal_login_with_vneid


def test_catalogue_has_real_ward_level_procedures(world):
    assert len(CATALOGUE) >= 8
    names = {p.name for p in CATALOGUE}
    assert {"Đăng ký khai sinh", "Đăng ký thường trú", "Đăng ký tạm trú"} <= names
    for procedure in CATALOGUE:
        assert procedure.agency and procedure.processing_text and procedure.fee >= 0
        assert procedure.online in {"Trực tuyến toàn trình", "Trực tuyến một phần"}
    assert [p.code for p in world.portal.search("khai sinh")][:1] == ["HT-KS"]
    assert "CT-DKTTR" in [p.code for p in world.portal.search("tam tru")]


def test_login_with_vneid_creates_the_account_once(world, resident):
    vneid = activate_vneid(world, resident)
    session = portal_login_with_vneid(world, vneid)
    assert session.new_account and session.via == "vneid"
    assert world.portal.account_of(resident.id_number).created_via == "vneid"
    profile = world.portal.profile(session.token)
    assert profile["full_name"] == resident.full_name
    assert profile["birth_date"] == resident.birth_date_text
    again = portal_login_with_vneid(world, vneid)
    assert not again.new_account


def test_level1_cannot_log_in_to_the_portal(world, resident):
    vneid = activate_vneid(world, resident, level=1)
    qr = world.portal.start_vneid_login()
    with pytest.raises(PermissionDeniedError, match="mức 2"):
        world.vneid.scan_qr(vneid.token, qr.payload)


def test_login_qr_rules(world, resident):
    vneid = activate_vneid(world, resident)
    with pytest.raises(ValidationError, match="lừa đảo"):
        world.vneid.scan_qr(vneid.token, "https://dichvucong-gov.vn.example/login")
    qr = world.portal.start_vneid_login()
    with pytest.raises(StateError, match="Chưa xác nhận"):
        world.portal.finish_vneid_login(qr.token)
    with pytest.raises(StateError, match="quét mã QR trước"):
        world.vneid.confirm_qr(vneid.token, qr.payload, PRACTICE_PASSCODE)
    world.advance(minutes=6)
    with pytest.raises(StateError, match="hết hạn"):
        world.vneid.scan_qr(vneid.token, qr.payload)


def _register(world, person, **overrides):
    captcha = world.portal.new_captcha()
    values = {"id_number": person.id_number, "full_name": person.full_name,
              "birth_date": person.birth_date_text, "phone": person.phone,
              "captcha_id": captcha.id, "captcha_answer": captcha.text.lower()}
    values.update(overrides)
    return world.portal.register(**values)


def test_legacy_registration_then_password_login(world, resident):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "  " + resident.full_name.lower() + " ")
    registration = _register(world, resident, full_name=nfd)
    otp = world.inbox(resident.phone).latest_otp()
    with pytest.raises(ValidationError, match="chữ số"):
        world.portal.confirm_registration(registration.id, otp, "Abcdefgh@", "Abcdefgh@")
    account = world.portal.confirm_registration(registration.id, otp, "Abcdef@12", "Abcdef@12")
    assert account.created_via == "legacy"
    assert world.portal.login(resident.id_number, "Abcdef@12").via == "password"
    with pytest.raises(AuthError, match="Còn 4 lần"):
        world.portal.login(resident.id_number, "Sai@0000")


@pytest.mark.parametrize(("override", "error", "fragment"), [
    ({"captcha_answer": "XXXXX"}, AuthError, "Mã xác nhận không đúng"),
    ({"birth_date": "1/1/1901"}, ValidationError, "năm sinh"),
    ({"birth_date": "31/02/1990"}, ValidationError, "không có trên lịch"),
    ({"full_name": "Nguyen Van Khong Dau"}, ValidationError, "có dấu"),
    ({"full_name": "Lê Văn Tám"}, ValidationError, "không khớp"),
    ({"phone": "0912"}, ValidationError, "10 chữ số"),
    ({"id_number": "074"}, ValidationError, "12 chữ số"),
])
def test_legacy_registration_failures(world, resident, override, error, fragment):
    with pytest.raises(error, match=fragment):
        _register(world, resident, **override)


def test_legacy_registration_needs_a_sim_in_own_name(world):
    elder = next(p for p in world.population if p.phone and p.phone_registered_to != p.id_number)
    with pytest.raises(PermissionDeniedError, match="TTTB"):
        _register(world, elder)


def test_captcha_is_single_use(world, resident):
    captcha = world.portal.new_captcha()
    with pytest.raises(AuthError):
        _register(world, resident, captcha_id=captcha.id, captcha_answer="?????")
    with pytest.raises(StateError, match="hết hạn"):
        _register(world, resident, captcha_id=captcha.id, captcha_answer=captcha.text)


@pytest.fixture
def portal_session(world, resident):
    return portal_login_with_vneid(world, activate_vneid(world, resident))


def test_dossier_lifecycle_online(world, resident, portal_session):
    form = world.portal.form(portal_session.token, "CT-TBLT")
    assert form["prefilled"]["Họ, chữ đệm và tên"] == resident.full_name
    guest = world.population.people[40]
    fields = {"guest_id_number": guest.id_number, "stay_from": "02/03/2026",
              "stay_to": "09/03/2026"}
    dossier = world.portal.submit_dossier(portal_session.token, "CT-TBLT", fields)
    assert dossier.status == SUBMITTED and dossier.code.startswith("H74.")
    assert dossier.data["full_name"] == resident.full_name  # pre-filled, not typed
    world.advance(minutes=40)
    assert world.portal.lookup(dossier.code)["Trạng thái"] == "Đã tiếp nhận"
    assert dossier.status == RECEIVED and dossier.fee_status is None
    world.advance(hours=1)
    assert dossier.status == PROCESSING
    with pytest.raises(StateError, match="chưa có kết quả"):
        world.portal.download_result(portal_session.token, dossier.code)
    world.advance(days=1)
    assert dossier.status == RESULT_READY
    result = world.portal.download_result(portal_session.token, dossier.code)
    assert result["title"] == "Xác nhận đã tiếp nhận thông báo lưu trú"
    assert dossier.status == RETURNED
    view = world.portal.lookup(dossier.code.lower())
    assert view["Trạng thái"] == "Đã trả kết quả" and len(view["Quá trình xử lý"]) == 5
    assert any("có kết quả" in m for m in world.portal.notifications(portal_session.token))


BIRTH = {"child_name": "Nguyễn Minh Khang", "child_gender": "nam",
         "child_birth_date": "20/02/2026", "birth_place": "Bệnh viện Hạnh Phúc"}


def test_blurred_attachment_leads_to_a_supplement_request(world, portal_session):
    blurred = [{"kind": "giay_chung_sinh", "file": "giay-chung-sinh.jpg", "quality": "mo"}]
    dossier = world.portal.submit_dossier(portal_session.token, "HT-KS", BIRTH, blurred,
                                          delivery="post")
    world.advance(hours=4)
    assert dossier.status == SUPPLEMENT and "bị mờ" in dossier.supplement_reason
    with pytest.raises(ValidationError, match="vẫn bị mờ"):
        world.portal.supplement(portal_session.token, dossier.code, blurred)
    clear = [{"kind": "giay_chung_sinh", "file": "giay-chung-sinh-chup-lai.jpg"}]
    world.portal.supplement(portal_session.token, dossier.code, clear)
    assert dossier.status == PROCESSING
    world.advance(hours=4)
    assert dossier.status == RESULT_READY
    with pytest.raises(StateError, match="bưu điện"):
        world.portal.download_result(portal_session.token, dossier.code)
    world.advance(days=4)
    assert dossier.status == RETURNED
    assert "Bưu điện đã giao" in world.portal.lookup(dossier.code)["Quá trình xử lý"][-1]


@pytest.mark.parametrize(("fields", "attachments", "fragment"), [
    ({"full_name": "Người khác", "purpose": "x"}, None, "Không cần khai lại"),
    ({}, None, "Chưa nhập"),
    ({"purpose": "x", "so_thich": "y"}, None, "không có ô"),
])
def test_dossier_form_errors(world, portal_session, fields, attachments, fragment):
    with pytest.raises(ValidationError, match=fragment):
        world.portal.submit_dossier(portal_session.token, "HT-XNHN", fields, attachments)


def test_birth_registration_checks_documents_and_fields(world, portal_session):
    fields = dict(BIRTH)
    with pytest.raises(ValidationError, match="Giấy chứng sinh"):
        world.portal.submit_dossier(portal_session.token, "HT-KS", fields, [])
    with pytest.raises(ValidationError, match="PDF, JPG hoặc PNG"):
        world.portal.submit_dossier(portal_session.token, "HT-KS", fields,
                                    [{"kind": "giay_chung_sinh", "file": "giay.docx"}])
    with pytest.raises(ValidationError, match="quá lớn"):
        world.portal.submit_dossier(portal_session.token, "HT-KS", fields,
                                    [{"kind": "giay_chung_sinh", "file": "g.pdf",
                                      "size_kb": 50_000}])
    with pytest.raises(ValidationError, match="một trong"):
        world.portal.submit_dossier(portal_session.token, "HT-KS", {**fields, "child_gender": "?"},
                                    [{"kind": "giay_chung_sinh", "file": "g.pdf"}])
    dossier = world.portal.submit_dossier(portal_session.token, "HT-KS", fields,
                                          [{"kind": "giay_chung_sinh", "file": "g.pdf"}])
    assert dossier.data["child_birth_date"] == "20/02/2026"


def test_lookup_of_an_unknown_code(world):
    with pytest.raises(NotFoundError, match="Không tìm thấy hồ sơ"):
        world.portal.lookup("H74.LTH-000000-9999")


def test_session_required(world):
    with pytest.raises(StateError, match="đăng nhập lại"):
        world.portal.submit_dossier("khong-co", "HT-XNHN", {"purpose": "x"})


def test_tam_tru_rule_uses_the_final_ward_mapping():
    """Tạm trú is for a place outside the ward of thường trú (Luật Cư trú 2020, art. 27), wards
    as Resolution 1685/NQ-UBTVQH15 finally drew them: old An Thạnh is in phường Thuận An (the
    March draft put it in Lái Thiêu), old Bình Nhâm is in Lái Thiêu."""
    from congdanso.world.dossiers.portal import PortalService
    from congdanso.world.society.places import WARDS_BY_CODE

    lai_thieu = WARDS_BY_CODE["LTH"]
    for elsewhere in ("Số 4, khu phố Bình Đức 1, Phường Bình Hòa, Thành phố Hồ Chí Minh",
                      "Số 9 đường Hưng Định 12, phường An Thạnh (cũ)",
                      "Phòng 2, khu phố 3, Phường Thuận An, Thành phố Hồ Chí Minh"):
        PortalService._check_stay_elsewhere(lai_thieu, elsewhere)  # allowed: another ward
    for same in ("Số 1 đường Bình Nhâm 5, phường Bình Nhâm (cũ)",
                 "Số 5 đường Đông Nhì, khu phố Đông Nhì, Phường Lái Thiêu, Thành phố Hồ Chí Minh"):
        with pytest.raises(ValidationError, match="Luật Cư trú 2020"):
            PortalService._check_stay_elsewhere(lai_thieu, same)


def _tam_tru(world, session, until):
    """A tạm trú the ward police confirmed (its fee paid and the dossier processed)."""
    contract = [{"kind": "hop_dong_thue", "file": "hop-dong.pdf", "quality": "ro"}]
    dossier = world.portal.submit_dossier(session.token, "CT-DKTTR", {
        "stay_address": "Phòng 4, số 12 đường số 3, khu phố 2, Phường Thuận An, Thành phố Hồ Chí Minh",
        "stay_until": until}, contract)
    dossier.status = RESULT_READY
    return contract


def _date(world, days):
    import datetime as dt

    return (world.now.date() + dt.timedelta(days=days)).strftime("%d/%m/%Y")


def test_extending_tam_tru(world, resident, portal_session):
    """Gia hạn tạm trú: for a tạm trú still running, up to 2 years more (Luật Cư trú 2020, art.
    27–28); none registered or already expired is said plainly."""
    contract = [{"kind": "hop_dong_thue", "file": "hop-dong.pdf", "quality": "ro"}]
    with pytest.raises(ValidationError, match="chưa có tạm trú nào"):
        world.portal.submit_dossier(portal_session.token, "CT-GHTTR",
                                    {"stay_until": _date(world, 300)}, contract)
    _tam_tru(world, portal_session, _date(world, 10))
    current = world.portal.temporary_residence(resident.id_number)
    assert current.until.strftime("%d/%m/%Y") == _date(world, 10)
    assert "Phường Thuận An" in current.address
    with pytest.raises(ValidationError, match="phải sau ngày đó"):
        world.portal.submit_dossier(portal_session.token, "CT-GHTTR",
                                    {"stay_until": _date(world, 5)}, contract)
    with pytest.raises(ValidationError, match="tối đa 2 năm"):
        world.portal.submit_dossier(portal_session.token, "CT-GHTTR",
                                    {"stay_until": _date(world, 10 + 800)}, contract)
    with pytest.raises(ValidationError, match="Hợp đồng thuê nhà"):
        world.portal.submit_dossier(portal_session.token, "CT-GHTTR",
                                    {"stay_until": _date(world, 375)}, [])
    extension = world.portal.submit_dossier(portal_session.token, "CT-GHTTR",
                                            {"stay_until": _date(world, 375)}, contract)
    assert extension.procedure.fee == 7_000
    extension.status = RESULT_READY
    assert world.portal.temporary_residence(resident.id_number).until.strftime(
        "%d/%m/%Y") == _date(world, 375)
    world.advance(days=200)
    world.advance(days=200)
    with pytest.raises(ValidationError, match="đã hết hạn ngày"):
        world.portal.submit_dossier(portal_session.token, "CT-GHTTR",
                                    {"stay_until": _date(world, 100)}, contract)


def test_notice_of_stay_is_for_guests_under_30_days(world, resident, portal_session):
    guest = next(p for p in world.population.people if p.id_number != resident.id_number)
    fields = {"guest_id_number": guest.id_number, "stay_from": _date(world, 0),
              "stay_to": _date(world, 29)}
    assert world.portal.submit_dossier(portal_session.token, "CT-TBLT", fields).procedure.fee == 0
    with pytest.raises(ValidationError, match="từ 30 ngày trở lên thì tự làm thủ tục Đăng ký tạm"):
        world.portal.submit_dossier(portal_session.token, "CT-TBLT",
                                    {**fields, "stay_to": _date(world, 30)})
    with pytest.raises(ValidationError, match="người đến ở"):
        world.portal.submit_dossier(portal_session.token, "CT-TBLT",
                                    {**fields, "guest_id_number": resident.id_number})
    with pytest.raises(ValidationError, match="Ngày đến phải trước ngày đi"):
        world.portal.submit_dossier(portal_session.token, "CT-TBLT",
                                    {**fields, "stay_to": _date(world, -1)})


def test_temporary_absence_is_for_12_months_away_without_tam_tru(world, resident, portal_session):
    home = world.population.household_of(resident).ward
    fields = {"destination": "Xã Long Hải, Thành phố Hồ Chí Minh", "away_from": _date(world, 3),
              "away_until": _date(world, 3 + 400), "reason": "Đi làm ăn"}
    with pytest.raises(ValidationError, match="từ 12 tháng liên tục"):
        world.portal.submit_dossier(portal_session.token, "CT-KBTV",
                                    {**fields, "away_until": _date(world, 200)})
    with pytest.raises(ValidationError, match="không phải khai báo tạm vắng"):
        world.portal.submit_dossier(portal_session.token, "CT-KBTV",
                                    {**fields, "destination": f"Số 3, {home.full_name}"})
    with pytest.raises(ValidationError, match="Lý do vắng mặt"):
        world.portal.submit_dossier(portal_session.token, "CT-KBTV", {**fields, "reason": "Đi chơi"})
    assert world.portal.submit_dossier(portal_session.token, "CT-KBTV", fields).procedure.fee == 0
    _tam_tru(world, portal_session, _date(world, 700))
    with pytest.raises(ValidationError, match="đã đăng ký tạm trú ở nơi ở mới"):
        world.portal.submit_dossier(portal_session.token, "CT-KBTV", fields)
