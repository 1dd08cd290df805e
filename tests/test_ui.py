"""The phone apps driven headless through their methods: what the view shows and what the
journal recorded, for each complete happy path and the main error paths."""

from __future__ import annotations

import io

import pytest
from congdanso.ui import Phone
from congdanso.world import World
from congdanso.world.core.journal import GENESIS, parse_lines
from congdanso.world.scenarios import PRACTICE_PASSCODE, PRACTICE_PASSWORD, activate_vneid


def journal(world: World) -> list[tuple[str, bool]]:
    events = parse_lines(world.journal.data(), start_seq=0, prev=GENESIS).events
    return [(e.action, e.body["ok"]) for e in events]


@pytest.fixture
def phone(world):
    return Phone(world, world.population.practice_residents()[0])


def test_phone_frame_and_larger_text(phone):
    assert "cds-phone" in phone.frame._dom_classes
    assert phone.person.phone in phone.status.value and "2026" in phone.status.value
    phone.set_large_text(True)
    assert "cds-large" in phone.frame._dom_classes and phone.large.value
    phone.large.value = False
    assert "cds-large" not in phone.frame._dom_classes
    app = phone.open("vneid")
    assert phone.screen.children == (app.widget,)
    phone.home()
    assert phone.screen.children == (phone.launcher,)


def test_vneid_activation_in_the_app(world, phone):
    person = phone.person
    world.police.enroll_level2(person.id_number, person.phone)  # the officer's step
    app = phone.open("vneid")
    inbox = phone.open("inbox")
    assert "phê duyệt" in inbox.list.value
    app.activate(person.id_number, "0912")
    assert "10 chữ số" in app.f_act_phone.error_text and app.screen == "activate"
    app.activate(person.id_number, person.phone)
    assert app.screen == "otp"
    app.enter_otp("12345")
    assert "6 chữ số" in app.f_otp.error_text
    app.enter_otp(inbox.latest_otp())
    assert app.screen == "password"
    app.set_password(PRACTICE_PASSWORD, "Khac@2026")
    assert "không giống nhau" in app.f_pw2.error_text and app.f_pw.value == app.f_pw2.value == ""
    app.set_password(PRACTICE_PASSWORD)
    app.set_passcode("111111")
    assert "dễ đoán" in app.f_pass.error_text
    app.set_passcode(PRACTICE_PASSCODE)
    from congdanso.world.identity.vneid import SECURITY_QUESTIONS as Q

    app.choose_questions(Q[0], "Lái Thiêu", Q[0], "x1")
    assert "khác nhau" in app.f_q2.error_text
    app.choose_questions(Q[0], "Lái Thiêu", Q[2], "Bánh bèo")
    assert app.screen == "login" and "Kích hoạt thành công" in app.notice_text
    app.login(person.id_number, "Sai@12345")
    assert "Còn 4 lần" in app.f_login_pw.error_text
    app.login(person.id_number, PRACTICE_PASSWORD)
    assert app.screen == "home" and "mức 2" in app.home_info.value
    app.show_card("999999")
    assert "Passcode không đúng" in app.f_card_pass.error_text and app.card_view.value == ""
    app.show_card(PRACTICE_PASSCODE)
    assert person.id_number in app.card_view.value
    actions = journal(world)
    assert ("vneid.set_security_questions", True) in actions
    assert ("vneid.set_password", False) in actions and actions[-1] == ("vneid.show_card", True)


def _logged_in_vneid(world, phone):
    activate_vneid(world, phone.person)
    app = phone.open("vneid")
    app.login(phone.person.id_number, PRACTICE_PASSWORD)
    return app


def test_portal_login_with_vneid_and_submit_a_dossier(world, phone):
    vneid = _logged_in_vneid(world, phone)
    portal = phone.open("portal")
    vneid.scan("https://dichvucong.gov.vn.example/dang-nhap")
    assert "lừa đảo" in vneid.f_qr.error_text
    portal.start_vneid_login()
    assert "data:image/png;base64," in portal.qr_image.value and portal.qr_image.layout.display == ""
    assert 'alt="Mã QR đăng nhập Cổng Dịch vụ công' in portal.qr_image.value
    portal.finish_vneid_login()
    assert "Chưa xác nhận" in portal.notice_text and portal.screen == "login"
    phone.open("vneid")
    vneid._click_scan_portal()
    assert "đề nghị truy cập" in vneid.scan_info.value
    vneid.confirm_scan("000000")
    assert "Passcode không đúng" in vneid.f_qr_pass.error_text
    vneid.confirm_scan(PRACTICE_PASSCODE)
    assert portal.screen == "home" and "Tài khoản mới" in portal.who.value
    assert "CT-DKTTR" in portal.search("tạm trú")
    portal.open_procedure("CT-DKTTR")
    assert phone.person.full_name in portal.prefilled.value and "không cần khai lại" in \
        portal.prefilled.value
    portal.fill(stay_address="Số 5 Đường Đông Nhì, Lái Thiêu", stay_until="31/12/2026")
    portal.submit()
    assert "Tôi xác nhận" in portal.notice_text or portal.f_confirm.error_text
    portal.confirm_prefilled()
    portal.submit()
    assert "Thiếu giấy tờ bắt buộc" in portal.attach_error.value
    portal.attach("hop-dong-thue-nha.pdf")
    portal.submit()  # her thường trú is in Lái Thiêu: no tạm trú in her own ward
    assert "Luật Cư trú 2020, điều 27" in portal.extra_fields["stay_address"].error_text
    portal.fill(stay_address="Số 12 Đường Trần Hưng Đạo, Khu phố Bình Minh, Phường Dĩ An")
    portal.fill(stay_until="31/13/2026")
    portal.submit()
    assert "không có trên lịch" in portal.extra_fields["stay_until"].error_text
    portal.fill(stay_until="31/12/2026")
    dossier = portal.submit()
    assert dossier is not None and portal.screen == "home"
    assert dossier.code in portal.notice_text and dossier.code in portal.dossier_list.children[0]\
        .children[0].value
    portal.lookup(dossier.code)
    assert "Đã nộp" in portal.lookup_view.value
    assert ("portal.finish_vneid_login", True) in journal(world)
    assert ("portal.submit_dossier", True) in journal(world)


def test_portal_legacy_registration(world, phone):
    portal = phone.open("portal")
    person = phone.person
    portal.open_registration()
    assert "data:image/png;base64," in portal.captcha_image.value and 'alt="' in \
        portal.captcha_image.value
    first = portal.captcha
    portal.register(person.id_number, person.full_name, person.birth_date_text, person.phone,
                    "?????")
    assert "Mã xác nhận không đúng" in portal.f_r_captcha.error_text
    assert portal.captcha.id != first.id  # a fresh picture, the typed data kept
    assert portal.f_r_name.value == person.full_name
    portal.register(person.id_number, person.full_name, "1/1/1901", person.phone,
                    portal.captcha.text)
    assert "năm sinh" in portal.f_r_birth.error_text
    portal.register(person.id_number, person.full_name, person.birth_date_text, person.phone,
                    portal.captcha.text)
    assert portal.screen == "register_otp"
    otp = phone.open("inbox").latest_otp()
    phone.open("portal")
    portal.confirm_registration(otp, "matkhau12")
    assert "chữ hoa" in portal.f_r_pw.error_text
    portal.confirm_registration(otp, "MatKhau@12")
    assert portal.screen == "login" and "Đăng ký thành công" in portal.notice_text
    portal.login_with_password(person.id_number, "MatKhau@12")
    assert portal.screen == "home"


def _bank_ready(world, phone, cash=3_000_000):
    bank = phone.open("bank")
    bank.open_account("yeu")
    assert "ít nhất 8" in bank.f_open_pw.error_text
    account = bank.open_account("NganHang@1")
    bank.deposit_cash("abc")
    assert "chỉ gồm chữ số" in bank.f_cash.error_text
    bank.deposit_cash(cash)
    bank.login(account.number, "NganHang@1")
    assert bank.screen == "home"
    return bank


def test_bank_transfer_needs_the_receiver_confirmed_and_otp(world, phone):
    bank = _bank_ready(world, phone)
    other = world.population.practice_residents()[1]
    target = world.bank.open_account(other.id_number, "999702", "NganHang@1")
    bank.transfer("999702", target.number, "200.000", "Tien cho")
    assert bank.screen == "confirm" and target.holder in bank.confirm_info.value
    bank.enter_otp(phone.open("inbox").latest_otp())
    phone.open("bank")
    assert "Hãy đọc tên người nhận" in bank.f_receiver_ok.error_text
    bank.confirm_receiver()
    bank.enter_otp(world.inbox(phone.person.phone).latest_otp())
    assert bank.screen == "receipt" and "Giao dịch thành công" in bank.receipt.value
    assert target.balance == 200_000
    assert "2.800.000" in bank.balance.value
    bank._back_home()
    assert all(value.startswith("9997") for _, value in bank.f_to_bank.input.options)
    bank.transfer("999702", "0000000123", 1000)
    assert "chưa thấy tên người nhận" in bank.f_to_acc.error_text and bank.screen == "home"


def test_bank_face_check_above_10_million(world, phone):
    bank = _bank_ready(world, phone, cash=30_000_000)
    other = world.population.practice_residents()[1]
    target = world.bank.open_account(other.id_number, "999702", "NganHang@1")
    bank.transfer("999702", target.number, 12_000_000)
    assert bank.face_box.layout.display == "" and bank.f_otp.box.layout.display == "none"
    bank.confirm_receiver()
    bank.face_check(other.id_number)
    assert "không khớp" in bank.notice_text
    bank.face_check(phone.person.id_number)
    assert bank.screen == "receipt" and target.balance == 12_000_000


def test_bank_bills_by_code_and_by_qr_picture(world, phone):
    bank = _bank_ready(world, phone)
    household = world.population.household_of(phone.person)
    electric, water, _ = sorted(world.bills.of_household(household.id), key=lambda b: b.service)
    bank.lookup_bill("dien", "PB04")
    assert "11–13 ký tự" in bank.f_code.error_text
    bank.lookup_bill("dien", electric.customer_code)
    assert electric.customer_code in bank.bill_view.value and "Điện lực" in bank.bill_view.value
    bank.pay_bill()
    bank.confirm_receiver()
    bank.enter_otp(world.inbox(phone.person.phone).latest_otp())
    assert electric.paid_at is not None
    bank._back_home()
    bank.pay_bill()
    assert "đã được thanh toán" in bank.notice_text
    from congdanso.world.money.qrimage import to_png

    bank.scan_image(b"not an image")
    assert "không phải ảnh" in bank.notice_text
    bank.scan_image(to_png(world.bank.bill_qr(water)))
    assert "TẬP HUẤN" in bank.qr_view.value and bank.screen == "confirm"
    bank.confirm_receiver()
    bank.enter_otp(world.inbox(phone.person.phone).latest_otp())
    assert water.paid_at is not None
    assert ("bank.scan_qr", True) in journal(world)


def test_fee_paid_from_the_portal_request_through_the_bank_gallery(world, phone):
    vneid = _logged_in_vneid(world, phone)
    portal = phone.open("portal")
    portal.start_vneid_login()
    phone.open("vneid")
    vneid._click_scan_portal()
    vneid.confirm_scan(PRACTICE_PASSCODE)
    portal.open_procedure("HT-XNHN")
    portal.fill(purpose="Mua bán nhà đất")
    portal.confirm_prefilled()
    dossier = portal.submit()
    world.advance(hours=1)
    phone.open("portal")
    assert "chờ thanh toán phí" in portal.dossier_list.children[0].children[0].value
    portal.pay_fee(dossier.code)
    assert "Quét QR" in portal.notice_text
    bank = _bank_ready(world, phone)
    assert "Mã thanh toán phí trên Cổng DVC" in bank.gallery()
    bank.scan_gallery("Mã thanh toán phí trên Cổng DVC")
    bank.confirm_receiver()
    bank.enter_otp(world.inbox(phone.person.phone).latest_otp())
    assert dossier.fee_status == "da_thanh_toan"
    phone.open("portal")
    portal.download_receipt(dossier.code)
    assert "Biên lai" in portal.lookup_view.value or "biên lai" in portal.lookup_view.value.lower()


def test_signing_app_and_verifier(world, phone):
    _logged_in_vneid(world, phone)
    kyso = phone.open("kyso")
    assert kyso.screen == "start"
    kyso.request_with_id_card(present=False)
    assert "có mặt" in kyso.notice_text
    kyso.request_with_vneid()
    kyso.activate(world.inbox(phone.person.phone).latest_otp(), "123456")
    assert "dễ đoán" in kyso.f_pin.error_text
    kyso.activate(world.inbox(phone.person.phone).latest_otp(), "258036")
    assert kyso.screen == "home"
    doc = kyso.new_contract()
    kyso.confirm("258036")
    assert "đặt chữ ký" in kyso.notice_text
    kyso.place_signature(doc.id)
    kyso.confirm("000000")
    assert "Mã PIN không đúng" in kyso.f_sign_pin.error_text
    signed = kyso.confirm("258036")
    assert signed["kind"] == "da_ky" and kyso.f_doc.value == signed["id"]
    kyso.verify()
    assert "✔ Chữ ký hợp lệ" in kyso.verdict.value
    kyso.verify_file("anh.pdf", b"\x89PNG not a pdf")
    assert "Không phải PDF" in kyso.verdict.value
    kyso.verify_file("hop-dong.pdf", world.kyso.content(signed["id"]))
    assert "✔ Chữ ký hợp lệ" in kyso.verdict.value
    kyso.upload_file("ghi-chu.txt", b"hello")
    assert "không phải PDF" in kyso.notice_text
    assert ("kyso.verify_file", True) in journal(world)


def test_every_action_of_the_views_is_journaled(world, phone):
    before = len(journal(world))
    bank = phone.open("bank")
    bank.open_account("NganHang@1")
    assert len(journal(world)) == before + 1


def test_widgets_render_in_the_notebook_format(phone):
    """The frame can be serialised as a widget view (what JupyterLab and Voilà display)."""
    import ipywidgets as widgets

    for name in ("vneid", "portal", "inbox", "bank", "kyso"):
        phone.open(name)
    state = widgets.Widget.get_manager_state(drop_defaults=True)
    assert phone.frame.model_id in state["state"]
    buf = io.StringIO()
    buf.write(repr(phone.frame))
    assert "VBox" in buf.getvalue()


def test_rerunning_the_cell_replaces_the_phone(world):
    person = world.population.practice_residents()[0]
    first = Phone(world, person)
    first.open("inbox")
    second = Phone(world, person)
    world.police.enroll_level2(person.id_number, person.phone)
    second.open("inbox")
    assert "phê duyệt" in second.apps["inbox"].list.value
    assert "phê duyệt" not in first.apps["inbox"].list.value  # the old phone stopped listening
    assert first.frame.comm is None  # its widgets were closed


def test_every_symbol_shown_to_learners_is_in_the_stock_font():
    """Colour emoji are empty boxes on stock Debian/Ubuntu: only DejaVu Sans's glyphs are used."""
    import glob
    from pathlib import Path

    from fontTools.ttLib import TTFont

    root = Path(__file__).resolve().parents[1]
    font = (glob.glob("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
            or glob.glob(str(root / ".venv/lib/python3*/site-packages/matplotlib/mpl-data/fonts/"
                             "ttf/DejaVuSans.ttf")))[0]
    glyphs = TTFont(font).getBestCmap()
    sources = [*root.glob("course/src/*.md"), *root.glob("widgets/congdanso/**/*.py"),
               *root.glob("demos/*.ipynb"), *root.glob("exercises/source/*/*.ipynb"),
               *root.glob("widgets/congdanso/grading/data/*.json")]
    missing = {f"{ch} U+{ord(ch):04X} in {path.relative_to(root)}"
               for path in sources for ch in set(path.read_text(encoding="utf-8"))
               if ord(ch) > 0x2000 and ord(ch) not in glyphs}
    assert not missing, sorted(missing)


def test_cards_show_lesson_output_as_large_text_not_print():
    from congdanso.ui.cards import Card

    card = Card({"Họ và tên": "Nguyễn <Văn> An", "Năm sinh": 1962}, title="Thẻ căn cước")
    page = card._repr_html_()
    assert "font-size:18px" in page and "DejaVu Sans" in page and 'lang="vi"' in page
    assert "Nguyễn &lt;Văn&gt; An" in page and "<th scope=\"row\"" in page
    assert repr(card) == "Thẻ căn cước\nHọ và tên: Nguyễn <Văn> An\nNăm sinh: 1962"
    error = Card(message="Số định danh phải có 12 chữ số.", kind="error")._repr_html_()
    assert "⚠ Lỗi:" in error and "Số định danh phải có 12 chữ số." in error


def test_what_the_screen_shows_is_never_stale(world, phone):
    """A paid bill says so, a verdict belongs to one document, secrets leave the screen once
    used, documents of one name are told apart, a receipt is a card (the issue's cases)."""
    bank = _bank_ready(world, phone)
    assert bank.f_pw.value == "" and bank.f_open_pw.value == ""  # used: not left on screen
    household = world.population.household_of(phone.person)
    electric = next(b for b in world.bills.of_household(household.id) if b.service == "dien")
    bank.lookup_bill("dien", electric.customer_code)
    assert "Chưa thanh toán" in bank.bill_view.value
    bank.pay_bill()
    bank.confirm_receiver()
    bank.enter_otp(world.inbox(phone.person.phone).latest_otp())
    assert "Đã thanh toán" in bank.bill_view.value and "Chưa thanh toán" not in \
        bank.bill_view.value
    transfer = world.bank.history(bank.session.token)[-1]
    receipt = transfer._repr_html_()
    assert "Biên lai giao dịch" in receipt and "{" not in receipt
    assert "Hoá đơn" in electric._repr_html_()

    _logged_in_vneid(world, phone)
    kyso = phone.open("kyso")
    kyso.request_with_vneid()
    kyso.activate(world.inbox(phone.person.phone).latest_otp(), "258036")
    assert kyso.f_pin.value == "" and kyso.f_pin2.value == ""
    first = kyso.new_contract()
    kyso.place_signature(first.id)
    signed = kyso.confirm("258036")
    assert kyso.f_sign_pin.value == ""  # the PIN's dots are gone after signing
    kyso.verify()
    assert "✔ Chữ ký hợp lệ" in kyso.verdict.value
    second = kyso.new_contract()
    assert kyso.verdict.value == ""  # the old verdict is not shown under the new contract
    labels = [label for label, _ in kyso.f_doc.input.options]
    assert len(set(labels)) == len(labels) == 3, labels
    assert any("bản 2" in label for label in labels) and any("(đã ký)" in label
                                                               for label in labels)
    assert second.id != signed["id"]


def test_no_online_payment_until_biometrics_are_matched_tt_17_2024(world, phone):
    """Thông tư 17/2024/TT-NHNN: an old account whose owner never matched their face with the
    chip card cannot pay online; the owner does it in the app (NFC + face), nobody else can."""
    person = phone.person
    bank = phone.open("bank")
    old = world.bank.open_account(person.id_number, "999701", "NganHang@1", biometrics=False)
    world.bank.deposit_cash("999701", old.number, 3_000_000)
    bank.login(old.number, "NganHang@1")
    assert bank.biometrics_box.layout.display == ""  # the blocker is said on the home screen
    household = world.population.household_of(person)
    electric = next(b for b in world.bills.of_household(household.id) if b.service == "dien")
    bank.lookup_bill("dien", electric.customer_code)
    bank.pay_bill()
    assert "Thông tư 17/2024/TT-NHNN" in bank.notice_text and bank.screen == "home"
    other = world.population.practice_residents()[1]
    bank.match_biometrics(other.id_number, person.id_number)
    assert "không phải của chủ tài khoản" in bank.notice_text
    bank.match_biometrics(person.id_number, other.id_number)
    assert "Khuôn mặt không khớp" in bank.notice_text
    bank.match_biometrics(person.id_number, person.id_number)
    assert "Đã đối chiếu sinh trắc học" in bank.notice_text
    assert bank.biometrics_box.layout.display == "none"
    bank.pay_bill()
    assert bank.screen == "confirm"
    assert ("bank.match_biometrics", True) in journal(world)


def test_a_dossier_sent_back_is_supplemented_in_the_portal_then_its_result_downloaded(tmp_path):
    from congdanso.ui.exercise import Exercise

    ex = Exercise("thuc-hanh-03", world=World(), learner="hv-01", folder=tmp_path)
    code, person = ex.scenario.values["supplement_code"], ex.person()
    phone = ex.phones[0]
    phone.open("vneid").login(person.id_number, PRACTICE_PASSWORD)
    portal = phone.open("portal")
    portal.start_vneid_login()
    phone.open("vneid").scan_portal()
    phone.open("vneid").confirm_scan(PRACTICE_PASSCODE)
    portal = phone.open("portal")
    shown = " ".join(getattr(w, "value", "") for box in portal.dossier_list.children
                     for w in box.children)
    assert code in shown and "Cần bổ sung" in shown and "bị mờ" in shown
    assert portal.supplement(code, "giay-chung-sinh-mo.jpg (bị mờ)") is None
    assert "vẫn bị mờ" in portal._supplement_fields[code].error_text  # said under the picker
    assert portal.supplement(code, "giay-chung-sinh.jpg (rõ nét)") is not None
    assert "Đã gửi bổ sung" in portal.notice_text
    assert portal.download_result(code) is None  # not yet: the desk is still working
    ex.wait(hours=4)
    assert portal.download_result(code)["title"].startswith("Giấy khai sinh")
    assert ex.world.portal.dossiers[code].status == "da_tra_ket_qua"
    shown = portal.lookup_view.value  # the result card in words the resident reads
    assert "Cơ quan cấp" in shown and "Mã hồ sơ" in shown
    assert not any(key in shown for key in ("issued_by", "issued_at", "dossier", ">title<"))


@pytest.mark.parametrize(("learner", "need"), [("hv-01", "bao-luu-tru"),
                                                ("hv-03", "gia-han-tam-tru"),
                                                ("hv-05", "khai-bao-tam-vang")])
def test_lesson_03_residence_practice_by_clicks(tmp_path, learner, need):
    """Gia hạn tạm trú, thông báo lưu trú, khai báo tạm vắng: each learner's resident has one;
    the right procedure, filled as the resident said, passes the checklist, another does not."""
    from congdanso.ui.exercise import Exercise
    from hands import _portal_login

    ex = Exercise("thuc-hanh-03-cu-tru", world=World(), learner=learner, folder=tmp_path)
    v, person, phone = ex.scenario.values, ex.person(), ex.phones[0]
    assert v["need"] == need
    phone.open("vneid").login(person.id_number, PRACTICE_PASSWORD)
    _portal_login(phone)  # the QR of the portal scanned in VNeID, confirmed by passcode
    portal = phone.open("portal")
    assert [row[2] is None for row in ex.progress()][:2] == [True, False]
    procedure = {"gia-han-tam-tru": "CT-GHTTR", "bao-luu-tru": "CT-TBLT",
                 "khai-bao-tam-vang": "CT-KBTV"}[v["need"]]
    assert procedure in portal.search({"CT-GHTTR": "tạm trú sắp hết hạn", "CT-TBLT": "khách đến ở",
                                       "CT-KBTV": "đi làm ăn xa"}[procedure])
    portal.open_procedure(procedure)
    if procedure == "CT-GHTTR":
        assert v["tam_tru_until"] in v["need_text"]
        until = ex.world.portal.temporary_residence(person.id_number).until
        assert until.strftime("%d/%m/%Y") == v["tam_tru_until"]
        portal.fill(stay_until=v["tam_tru_until"])  # not later than today's end: refused
        portal.attach("hop-dong-thue-nha.pdf")
    elif procedure == "CT-TBLT":
        portal.fill(guest_id_number=v["guest_id"], stay_from=v["guest_from"],
                    stay_to="30/04/2026")  # 59 days: that is tạm trú, not lưu trú
    else:
        portal.fill(destination=f"Các công trình ở {v['away_to']}", away_from=v["away_from"],
                    away_until="01/12/2026", reason="Đi làm ăn")  # under 12 months
    portal.confirm_prefilled()
    assert portal.submit() is None
    field, good, said = {"CT-GHTTR": ("stay_until", v.get("tam_tru_new_until"), "phải sau ngày"),
                         "CT-TBLT": ("stay_to", v.get("guest_to"), "Luật Cư trú 2020, điều 2"),
                         "CT-KBTV": ("away_until", v.get("away_until"), "12 tháng")}[procedure]
    assert good in v["need_text"]  # the card gives the date the resident said
    assert said in portal.extra_fields[field].error_text
    if procedure != "CT-TBLT":  # a valid date, not the one the resident said: not done yet
        portal.fill(**{field: "01/02/2027" if procedure == "CT-GHTTR" else "01/02/2028"})
        assert portal.submit() is not None
        assert dict((n, t) for n, _, t in ex.progress())["ho-so-dung-thong-tin"]
        portal.open_procedure(procedure)  # a new form, as the resident says it this time
        if procedure == "CT-GHTTR":
            portal.attach("hop-dong-thue-nha.pdf")
        else:
            portal.fill(destination=f"Các công trình ở {v['away_to']}",
                        away_from=v["away_from"], reason="Đi làm ăn")
        portal.confirm_prefilled()
    portal.fill(**{field: good})
    dossier = portal.submit()
    assert dossier is not None and dossier.procedure.code == procedure
    portal.lookup(dossier.code)
    ex.answer("tam-vang", "Không: đã đăng ký tạm trú ở nơi mới thì không phải khai báo tạm vắng")
    assert [row[2] for row in ex.progress()] == [None] * 5


def test_tam_tru_is_extended_in_the_vneid_app_too(tmp_path):
    """Gia hạn tạm trú is one of VNeID's own residence procedures: only the new end date."""
    from congdanso.ui.exercise import Exercise

    ex = Exercise("thuc-hanh-03-cu-tru", world=World(), learner="hv-03", folder=tmp_path)
    v, person = ex.scenario.values, ex.person()
    vneid = ex.phones[0].open("vneid")
    vneid.login(person.id_number, PRACTICE_PASSWORD)
    assert vneid.submit_residence("Gia hạn tạm trú", "", v["tam_tru_until"],
                                  file="hop-dong-thue-nha.pdf", passcode=PRACTICE_PASSCODE) is None
    assert "phải sau ngày" in vneid.f_res_until.error_text
    made = vneid.submit_residence("Gia hạn tạm trú", "", v["tam_tru_new_until"],
                                  file="hop-dong-thue-nha.pdf", passcode=PRACTICE_PASSCODE)
    assert made["procedure"] == "Gia hạn tạm trú" and made["code"] in vneid.residence_done.value
    assert dict((n, t) for n, _, t in ex.progress())["ho-so-dung-thong-tin"] is None
