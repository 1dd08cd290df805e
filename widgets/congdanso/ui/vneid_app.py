"""The VNeID app: registration, activation, log in, the e-ID card, scanning a login QR, and what
volunteers meet at a support point: a forgotten password or passcode, a new phone (the code on
the old phone, NFC with the chip card, the device list), residence procedures, the documents
wallet and the bank account for social payments."""

from __future__ import annotations

from congdanso.ui.base import AppView, Field, button, esc, html, table, vbox
from congdanso.ui.portal_app import GALLERY
from congdanso.world.core.errors import StateError
from congdanso.world.identity.devices import HOTLINE, NFC_CHOICE
from congdanso.world.identity.vneid import RESIDENCE_PROCEDURES, SECURITY_QUESTIONS
from congdanso.world.identity.wallet import DOCUMENTS, INTEGRABLE, PLACES
from congdanso.world.money.banks import TRAINING_BANKS


class VneidApp(AppView):
    title = "VNeID – Định danh điện tử"

    def __init__(self, phone):
        super().__init__(phone)
        self.session = None
        self.activating_id = ""
        # start
        self.screens["start"] = vbox([
            html('<p>Ứng dụng định danh điện tử. Tài khoản <b>mức 2</b> chỉ đăng ký được '
                         'khi người dân đến <b>công an phường</b> (mang thẻ căn cước gắn chip). '
                         'Không có "mức 3".</p>'),
            button("Đăng nhập", lambda: self.show("login"), primary=True),
            button("Kích hoạt tài khoản", lambda: self.show("activate")),
            button("Quên mật khẩu", lambda: self.show("forgot")),
            button("Đăng ký tài khoản mức 1", lambda: self.show("register")),
        ])
        # forgotten password: ID + phone → OTP → face (level 2) → new password
        self.resetting_id = ""
        self.f_fg_id = Field("Số định danh cá nhân")
        self.f_fg_phone = Field("Số điện thoại của tài khoản")
        self.f_fg_otp = Field("Mã OTP (6 số trong tin nhắn)", placeholder="••••••")
        self.f_light = Field("Đủ ánh sáng, không ngược sáng", kind="check")
        self.f_glasses = Field("Đã bỏ kính, khẩu trang, mũ", kind="check")
        self.f_facing = Field("Nhìn thẳng camera, giữ yên điện thoại ngang mặt", kind="check")
        self.face_error = Field("Ảnh khuôn mặt", kind="check")  # only its error line is shown
        self.f_new_pw = Field("Mật khẩu mới (8–20 ký tự: hoa, thường, số, ký tự đặc biệt)",
                              kind="password")
        self.f_new_pw2 = Field("Nhập lại mật khẩu mới", kind="password")
        self.screens["forgot"] = vbox([
            html("<p><b>Quên mật khẩu — bước 1/4.</b> Nhập số định danh và số điện thoại của "
                 "tài khoản; mã OTP sẽ gửi về số đó.</p>"),
            self.f_fg_id.box, self.f_fg_phone.box,
            button("Tiếp tục – gửi mã OTP", self._click_forgot, primary=True, once=True),
            button("Quay lại", lambda: self.show("start"))])
        self.screens["forgot_otp"] = vbox([
            html("<p><b>Quên mật khẩu — bước 2/4.</b> Nhập mã OTP vừa gửi qua tin nhắn.</p>"),
            self.f_fg_otp.box, button("Xác nhận", self._click_forgot_otp, primary=True),
            button("Quay lại", lambda: self.show("start"))])
        self.screens["face"] = vbox([
            html("<p><b>Quên mật khẩu — bước 3/4: chụp khuôn mặt.</b> Ứng dụng so khuôn mặt với "
                 "ảnh đã chụp ở công an phường. Trước khi chụp, giúp người dân:</p>"),
            self.f_light.box, self.f_glasses.box, self.f_facing.box, self.face_error.error,
            button("Chụp khuôn mặt", self._click_face, primary=True)])
        self.screens["new_password"] = vbox([
            html("<p><b>Quên mật khẩu — bước 4/4.</b> Người dân tự đặt mật khẩu mới.</p>"),
            self.f_new_pw.box, self.f_new_pw2.box,
            button("Đặt mật khẩu mới", self._click_new_password, primary=True)])
        # a login on a new phone: a code from the old phone, or NFC with the chip card
        self.device_id = ""
        self.device_info = html()
        self.f_device_code = Field("Mã xác thực (6 số)", placeholder="••••••")
        self.screens["device"] = vbox([
            html("<p><b>Đăng nhập trên thiết bị mới.</b> Tài khoản VNeID chỉ đăng nhập trên "
                 "<b>một</b> điện thoại. Mã xác thực hiện trong ứng dụng VNeID trên "
                 "<b>điện thoại cũ</b>; người dân tự đọc và tự nhập.</p>"),
            self.device_info, self.f_device_code.box,
            button("Xác nhận", self._click_device, primary=True),
            button(NFC_CHOICE, lambda: self.show("nfc")),
            html(f"<p><small>Mất điện thoại cũ: gọi tổng đài <b>{HOTLINE}</b> khoá tài khoản "
                 "trước. Máy không có NFC: mượn máy có NFC (xong thì gỡ máy mượn) hoặc đến công "
                 "an phường.</small></p>"),
            button("Quay lại", lambda: self.show("login"))])
        self.f_card_held = Field("Đã áp thẻ căn cước gắn chip của chính chủ tài khoản sát mặt "
                                 "sau điện thoại", kind="check")
        self.screens["nfc"] = vbox([
            html(f"<p><b>{esc(NFC_CHOICE)}.</b> Bỏ ốp lưng dày; áp thẻ vào mặt sau điện thoại "
                 "và giữ yên đến khi máy báo đọc xong. Mã xác thực sẽ gửi đến chính điện thoại "
                 "này.</p>"),
            self.f_card_held.box,
            button("Đọc chip thẻ căn cước (NFC)", self._click_nfc, primary=True),
            button("Quay lại", lambda: self.show("device"))])
        # register (level 1)
        self.f_reg_id = Field("Số định danh cá nhân", placeholder="12 chữ số trên thẻ căn cước")
        self.f_reg_phone = Field("Số điện thoại", placeholder="Số đứng tên người dân")
        self.f_face = Field("Đã chụp ảnh khuôn mặt người đăng ký", kind="check")
        self.screens["register"] = vbox([
            self.f_reg_id.box, self.f_reg_phone.box, self.f_face.box,
            button("Gửi đăng ký", self._click_register, primary=True),
            button("Quay lại", lambda: self.show("start"))])
        # activation: ID + phone → OTP → password → passcode → questions
        self.f_act_id = Field("Số định danh cá nhân")
        self.f_act_phone = Field("Số điện thoại")
        self.f_otp = Field("Mã OTP (6 số trong tin nhắn)", placeholder="••••••")
        self.f_pw = Field("Mật khẩu (8–20 ký tự: hoa, thường, số, ký tự đặc biệt)",
                          kind="password")
        self.f_pw2 = Field("Nhập lại mật khẩu", kind="password")
        self.f_pass = Field("Passcode (6 số)", kind="password")
        self.f_pass2 = Field("Nhập lại passcode", kind="password")
        # The questions are long ("Tên người bạn thân nhất thời thơ ấu của bạn là gì?"): a list
        # that shows every one in full, wrapped, instead of a closed box that cut them.
        self.f_q1 = Field("Câu hỏi bảo mật 1", kind="radio", options=SECURITY_QUESTIONS)
        self.f_a1 = Field("Câu trả lời 1")
        self.f_q2 = Field("Câu hỏi bảo mật 2", kind="radio", options=SECURITY_QUESTIONS)
        self.f_q2.value = SECURITY_QUESTIONS[1]
        self.f_a2 = Field("Câu trả lời 2")
        self.screens["activate"] = vbox([
            html("<p><b>Bước 1/5.</b> Nhập số định danh và số điện thoại đã đăng ký.</p>"),
            self.f_act_id.box, self.f_act_phone.box,
            button("Tiếp tục – gửi mã OTP", self._click_activate, primary=True, once=True),
            button("Quay lại", lambda: self.show("start"))])
        self.screens["otp"] = vbox([
            html("<p><b>Bước 2/5.</b> Nhập mã OTP vừa gửi qua tin nhắn. Không đọc mã "
                         "này cho bất kỳ ai.</p>"),
            self.f_otp.box, button("Xác nhận", self._click_otp, primary=True),
            button("Gửi lại mã", self._click_resend, once=True)])
        self.screens["password"] = vbox([
            html("<p><b>Bước 3/5.</b> Đặt mật khẩu.</p>"), self.f_pw.box, self.f_pw2.box,
            button("Tiếp tục", self._click_password, primary=True)])
        self.screens["passcode"] = vbox([
            html("<p><b>Bước 4/5.</b> Đặt passcode 6 số (không dùng ngày sinh).</p>"),
            self.f_pass.box, self.f_pass2.box,
            button("Tiếp tục", self._click_passcode, primary=True)])
        self.screens["questions"] = vbox([
            html("<p><b>Bước 5/5.</b> Chọn 2 câu hỏi bảo mật và trả lời.</p>"),
            self.f_q1.box, self.f_a1.box, self.f_q2.box, self.f_a2.box,
            button("Hoàn tất kích hoạt", self._click_questions, primary=True)])
        # login
        self.f_login_id = Field("Số định danh cá nhân")
        self.f_login_pw = Field("Mật khẩu", kind="password")
        self.screens["login"] = vbox([
            self.f_login_id.box, self.f_login_pw.box,
            button("Đăng nhập", self._click_login, primary=True),
            button("Quay lại", lambda: self.show("start"))])
        # home
        self.home_info = html()
        self.card_view = html()
        self.f_card_pass = Field("Nhập passcode để xem thẻ", kind="password")
        self.f_qr = Field("Mã QR đã quét", placeholder="Đưa camera về phía mã QR trên màn hình")
        self.f_qr_pass = Field("Passcode để xác nhận", kind="password")
        self.scan_info = html()
        # forgotten passcode (logged in): the two security answers, a new passcode
        self.questions_view = html()
        self.f_ans1 = Field("Câu trả lời 1")
        self.f_ans2 = Field("Câu trả lời 2")
        self.f_new_pass = Field("Passcode mới (6 số)", kind="password")
        self.f_new_pass2 = Field("Nhập lại passcode mới", kind="password")
        self.screens["passcode_reset"] = vbox([
            html("<p><b>Quên passcode.</b> Người dân tự trả lời 2 câu hỏi bảo mật đã chọn khi "
                 "kích hoạt, rồi đặt passcode mới.</p>"),
            self.questions_view, self.f_ans1.box, self.f_ans2.box, self.f_new_pass.box,
            self.f_new_pass2.box,
            button("Đặt passcode mới", self._click_passcode_reset, primary=True),
            button("Quay lại", lambda: self.show("home"))])
        # residence procedures in the app
        self.f_res_kind = Field("Thủ tục", kind="choice", options=list(RESIDENCE_PROCEDURES.values()))
        self.f_res_address = Field("Địa chỉ nơi tạm trú / nơi lưu trú (gia hạn: không cần ghi)",
                                   placeholder="Số nhà, đường, khu phố, phường, tỉnh/thành phố")
        self.f_res_until = Field("Tạm trú đến ngày (ngày/tháng/năm)", placeholder="30/06/2027")
        self.f_res_guest = Field("Số định danh người đến lưu trú (chỉ với thông báo lưu trú)")
        self.f_res_file = Field("Giấy tờ chỗ ở (chọn trong thư viện ảnh)", kind="choice",
                                options=["(không đính kèm)", *GALLERY])
        self.f_res_pass = Field("Passcode để gửi", kind="password")
        self.residence_done = html()
        self.screens["residence"] = vbox([
            html("<p><b>Thủ tục hành chính — cư trú.</b> Thông tin của người dân lấy sẵn từ Cơ sở "
                 "dữ liệu dân cư; chỉ khai phần còn thiếu. Tạm trú đăng ký ở nơi <b>ngoài</b> phường "
                 "thường trú (Luật Cư trú 2020, điều 27). Không mất phí qua tin nhắn hay cho "
                 "người lạ.</p>"),
            self.f_res_kind.box, self.f_res_address.box, self.f_res_until.box,
            self.f_res_guest.box, self.f_res_file.box, self.f_res_pass.box,
            button("Gửi hồ sơ", self._click_residence, primary=True), self.residence_done,
            button("Quay lại", lambda: self.show("home"))])
        self._build_features()
        self.screens["home"] = vbox([
            self.home_info, self.code_notice,
            self.f_card_pass.box, button("Xem căn cước điện tử", self._click_card),
            button("Quên passcode", self._click_open_passcode_reset),
            self.card_view,
            button("Thủ tục hành chính (cư trú)", lambda: self.show("residence")),
            button("Ví giấy tờ", lambda: self._open("wallet")),
            button("An sinh xã hội", lambda: self._open("social")),
            button("Cá nhân → Quản lý thiết bị", lambda: self._open("devices")),
            html("<hr><p><b>Quét mã QR</b> (ví dụ mã đăng nhập Cổng Dịch vụ công)</p>"),
            button("Quét mã đang hiện trên Cổng DVC", self._click_scan_portal),
            self.f_qr.box, button("Quét mã này", self._click_scan), self.scan_info,
            self.f_qr_pass.box, button("Xác nhận truy cập", self._click_confirm, primary=True),
            button("Đăng xuất", self._click_logout)])
        for field_ in (self.f_reg_id, self.f_act_id, self.f_login_id, self.f_fg_id):
            field_.value = self.person.id_number
        for field_ in (self.f_reg_phone, self.f_act_phone, self.f_fg_phone):
            field_.value = self.person.phone or ""
        self.show("start")

    # -- methods: one per on-screen action ----------------------------------------------------
    def register(self, id_number: str, phone: str, face_photo: bool = True):
        self.show("register")
        self.f_reg_id.value, self.f_reg_phone.value, self.f_face.value = id_number, phone, face_photo
        return self._click_register()

    def activate(self, id_number: str, phone: str):
        self.show("activate")
        self.f_act_id.value, self.f_act_phone.value = id_number, phone
        return self._click_activate()

    def enter_otp(self, code: str):
        self.f_otp.value = code
        return self._click_otp()

    def resend_otp(self):
        return self._click_resend()

    def set_password(self, password: str, confirm: str | None = None):
        self.f_pw.value, self.f_pw2.value = password, password if confirm is None else confirm
        return self._click_password()

    def set_passcode(self, passcode: str, confirm: str | None = None):
        self.f_pass.value, self.f_pass2.value = passcode, passcode if confirm is None else confirm
        return self._click_passcode()

    def choose_questions(self, q1: str, a1: str, q2: str, a2: str):
        self.f_q1.value, self.f_a1.value, self.f_q2.value, self.f_a2.value = q1, a1, q2, a2
        return self._click_questions()

    def login(self, id_number: str, password: str):
        self.show("login")
        self.f_login_id.value, self.f_login_pw.value = id_number, password
        return self._click_login()

    def show_card(self, passcode: str):
        self.f_card_pass.value = passcode
        return self._click_card()

    def scan(self, payload: str):
        self.f_qr.value = payload
        return self._click_scan()

    def scan_portal(self):
        """"Quét mã đang hiện trên Cổng DVC": the login QR the portal on this phone shows."""
        return self._click_scan_portal()

    def confirm_scan(self, passcode: str):
        self.f_qr_pass.value = passcode
        return self._click_confirm()

    def logout(self):
        return self._click_logout()

    def forgot_password(self, id_number: str, phone: str):
        self.show("forgot")
        self.f_fg_id.value, self.f_fg_phone.value = id_number, phone
        return self._click_forgot()

    def enter_reset_otp(self, code: str):
        self.f_fg_otp.value = code
        return self._click_forgot_otp()

    def capture_face(self, enough_light: bool = True, glasses_off: bool = True,
                     facing_camera: bool = True):
        self.f_light.value, self.f_glasses.value = enough_light, glasses_off
        self.f_facing.value = facing_camera
        return self._click_face()

    def set_new_password(self, password: str, confirm: str | None = None):
        self.f_new_pw.value = password
        self.f_new_pw2.value = password if confirm is None else confirm
        return self._click_new_password()

    def enter_device_code(self, code: str):
        """Type the code (read on the old phone, or the one NFC brought to this phone)."""
        self.show("device")
        self.f_device_code.value = code
        return self._click_device()

    def read_chip(self, card_held: bool = True):
        """"Xác thực NFC bằng thẻ căn cước gắn chip": hold the card to this phone."""
        self.show("nfc")
        self.f_card_held.value = card_held
        return self._click_nfc()

    def unlink_device(self, device: str):
        """Cá nhân → Quản lý thiết bị → Gỡ."""
        self._open("devices")
        self.f_unlink.value = device
        return self._click_unlink()

    def integrate_document(self, kind: str, number: str, passcode: str):
        self._open("wallet")
        self.f_doc_kind.value, self.f_doc_number.value = DOCUMENTS[kind], number
        self.f_doc_pass.value = passcode
        return self._click_integrate()

    def present_document(self, kind: str, place: str, passcode: str):
        self._open("wallet")
        self.f_show_kind.value, self.f_show_place.value = DOCUMENTS[kind], PLACES[place]
        self.f_show_pass.value = passcode
        return self._click_present()

    def link_social_account(self, bank: str, number: str, passcode: str):
        self._open("social")
        self.f_soc_bank.value, self.f_soc_number.value = bank, number
        self.f_soc_pass.value = passcode
        return self._click_social()

    def switch_handset(self, device: str | None) -> None:
        """Another phone in the hand: its own VNeID screen (its login, if it still has one)."""
        self.sessions_by_device[self._here] = self.session
        self._here = device or ""
        session = self.sessions_by_device.get(self._here)
        self.session = session if session is not None and \
            session.token in self.world.vneid.sessions else None
        self.phone.vneid_session = self.session
        self.say("")
        if self.session is not None:
            self._render_home()
            self.show("home")
        else:
            self.show("start")

    def reset_passcode(self, answer1: str, answer2: str, passcode: str,
                       confirm: str | None = None):
        self._click_open_passcode_reset()
        self.f_ans1.value, self.f_ans2.value = answer1, answer2
        self.f_new_pass.value = passcode
        self.f_new_pass2.value = passcode if confirm is None else confirm
        return self._click_passcode_reset()

    def submit_residence(self, kind: str, address: str, until: str = "", guest: str = "",
                         file: str = "(không đính kèm)", passcode: str = ""):
        self.show("residence")
        self.f_res_kind.value, self.f_res_address.value = kind, address
        self.f_res_until.value, self.f_res_guest.value = until, guest
        self.f_res_file.value, self.f_res_pass.value = file, passcode
        return self._click_residence()

    # -- what the buttons do ------------------------------------------------------------------
    def _click_register(self):
        account = self.attempt(lambda: self.world.vneid.register(
            self.f_reg_id.value, self.f_reg_phone.value, bool(self.f_face.value)),
            {"id_number": self.f_reg_id, "phone": self.f_reg_phone, "face_photo": self.f_face})
        if account is not None:
            self.show("start")
            self.say("Đã gửi đăng ký mức 1. Khi có tin nhắn phê duyệt, chọn \"Kích hoạt tài "
                     "khoản\".", ok=True)
        return account

    def _click_activate(self):
        account = self.attempt(lambda: self.world.vneid.activate(
            self.f_act_id.value, self.f_act_phone.value),
            {"id_number": self.f_act_id, "phone": self.f_act_phone})
        if account is not None:
            self.activating_id = account.id_number
            self.show("otp")
            self.say("Đã gửi mã OTP qua tin nhắn (hiệu lực 5 phút).")
        return account

    def _click_otp(self):
        result = self.attempt(lambda: self.world.vneid.verify_otp(self.activating_id,
                                                                  self.f_otp.value),
                              {"otp": self.f_otp})
        if result is not None:
            self.show("password")
        return result

    def _click_resend(self):
        result = self.attempt(lambda: self.world.vneid.resend_otp(self.activating_id))
        if result is not None:
            self.say("Đã gửi mã OTP mới. Dùng mã trong tin nhắn mới nhất.")
        return result

    def _click_password(self):
        result = self.attempt(lambda: self.world.vneid.set_password(
            self.activating_id, self.f_pw.value, self.f_pw2.value),
            {"password": self.f_pw, "confirm": self.f_pw2})
        if result is not None:
            self.show("passcode")
        return result

    def _click_passcode(self):
        result = self.attempt(lambda: self.world.vneid.set_passcode(
            self.activating_id, self.f_pass.value, self.f_pass2.value),
            {"passcode": self.f_pass, "confirm": self.f_pass2})
        if result is not None:
            self.show("questions")
        return result

    def _click_questions(self):
        result = self.attempt(lambda: self.world.vneid.set_security_questions(
            self.activating_id, [self.f_q1.value, self.f_q2.value],
            [self.f_a1.value, self.f_a2.value]), {"questions": self.f_q2, "answers": self.f_a2})
        if result is not None:
            self.show("login")
            self.say("Kích hoạt thành công. Hãy đăng nhập lại bằng mật khẩu vừa đặt.", ok=True)
        return result

    def _click_login(self):
        login_id = self.f_login_id.value
        session = self.attempt(lambda: self.world.vneid.login(
            login_id, self.f_login_pw.value, device=self.phone.device),
            {"id_number": self.f_login_id, "password": self.f_login_pw})
        if session is None and self.last_error is not None \
                and self.last_error.code == "thiet_bi_moi":
            self.f_login_pw.value = ""
            self.device_id = login_id
            message = self.last_error.message
            self.f_login_pw.clear()
            self.device_info.value = ""
            self.show("device")
            self.say(message)
        return self._logged_in(session)

    def _logged_in(self, session):
        if session is not None:
            self.session = session
            self.phone.vneid_session = session
            self._render_home()
            self.show("home")
            self.say("Đăng nhập thành công.", ok=True)
        return session

    def _click_device(self):
        session = self.attempt(lambda: self.world.vneid.confirm_device(
            self.device_id or self.person.id_number, self.f_device_code.value,
            device=self.phone.device),
            {"device_code": self.f_device_code, "otp": self.f_device_code})
        return self._logged_in(session)

    def _click_nfc(self):
        read = self.attempt(lambda: self.world.vneid.verify_nfc(
            self.device_id or self.person.id_number, bool(self.f_card_held.value),
            device=self.phone.device), {"nfc": self.f_card_held})
        if read is not None:
            self.f_card_held.value = False
            code = self.world.vneid.code_shown_on(read["device"])
            self.device_info.value = (
                f'<div class="cds-sms" role="status"><b>Thông báo của VNeID trên điện thoại '
                f"này:</b> mã xác thực <b>{esc(code)}</b>. Không đọc mã cho ai.</div>")
            self.show("device")
            self.say(read["message"], ok=True)
        elif self.last_error is not None and self.last_error.code == "khong_nfc":
            self.show("device")
            self.say(self.last_error.message, error=True)
        return read

    def _click_forgot(self):
        account = self.attempt(lambda: self.world.vneid.forgot_password(
            self.f_fg_id.value, self.f_fg_phone.value),
            {"id_number": self.f_fg_id, "phone": self.f_fg_phone})
        if account is not None:
            self.resetting_id = account.id_number
            self.show("forgot_otp")
            self.say("Đã gửi mã OTP qua tin nhắn.")
        return account

    def _click_forgot_otp(self):
        account = self.attempt(lambda: self.world.vneid.verify_reset_otp(
            self.resetting_id, self.f_fg_otp.value), {"otp": self.f_fg_otp})
        if account is not None:
            self.f_fg_otp.value = ""
            self.show("face" if account.reset_step == "face" else "new_password")
        return account

    def _click_face(self):
        account = self.attempt(lambda: self.world.vneid.capture_face(
            self.resetting_id, bool(self.f_light.value), bool(self.f_glasses.value),
            bool(self.f_facing.value)), {"face": self.face_error})
        if account is not None:
            self.show("new_password")
            self.say("Đã nhận diện khuôn mặt.", ok=True)
        return account

    def _click_new_password(self):
        account = self.attempt(lambda: self.world.vneid.reset_password(
            self.resetting_id, self.f_new_pw.value, self.f_new_pw2.value),
            {"password": self.f_new_pw, "confirm": self.f_new_pw2})
        if account is not None:
            self.f_light.value = self.f_glasses.value = self.f_facing.value = False
            self.show("login")
            self.say("Đã đặt mật khẩu mới. Hãy đăng nhập bằng mật khẩu mới.", ok=True)
        return account

    def _click_open_passcode_reset(self):
        if self.session is None:
            self.say("Hãy đăng nhập VNeID trước.", error=True)
            return None
        questions = self.world.vneid.questions_of(self.session.id_number)
        self.questions_view.value = "<ol>" + "".join(f"<li>{esc(q)}</li>" for q in questions) \
            + "</ol>"
        self.show("passcode_reset")
        return questions

    def _click_passcode_reset(self):
        account = self.attempt(lambda: self.world.vneid.reset_passcode(
            self._token(), [self.f_ans1.value, self.f_ans2.value], self.f_new_pass.value,
            self.f_new_pass2.value),
            {"answers": self.f_ans2, "passcode": self.f_new_pass, "confirm": self.f_new_pass2})
        if account is not None:
            self.f_ans1.value = self.f_ans2.value = ""
            self.show("home")
            self.say("Đã đặt passcode mới.", ok=True)
        return account

    def _click_residence(self):
        code = next(c for c, name in RESIDENCE_PROCEDURES.items()
                    if name == self.f_res_kind.value)
        if code == "CT-DKTTR":
            fields = {"stay_address": self.f_res_address.value,
                      "stay_until": self.f_res_until.value}
        elif code == "CT-GHTTR":  # the place is the one registered; only the new end date
            fields = {"stay_until": self.f_res_until.value}
        else:
            fields = {"guest_id_number": self.f_res_guest.value,
                      "stay_from": self.world.now.strftime("%d/%m/%Y"),
                      "stay_to": self.f_res_until.value}
        files = [dict(zip(("kind", "file", "quality"), GALLERY[self.f_res_file.value],
                          strict=True))] if self.f_res_file.value in GALLERY else []
        made = self.attempt(lambda: self.world.vneid.submit_residence(
            self._token(), self.f_res_pass.value, code, fields, files),
            {"passcode": self.f_res_pass, "stay_address": self.f_res_address,
             "stay_until": self.f_res_until, "stay_to": self.f_res_until,
             "guest_id_number": self.f_res_guest, "attachments": self.f_res_file})
        if made is not None:
            self.residence_done.value = (
                f'<div class="cds-ok" role="status">✔ Đã gửi hồ sơ {esc(made["procedure"])}. '
                f'Mã hồ sơ: <b>{esc(made["code"])}</b> (tra cứu trên Cổng DVC).</div>')
        return made

    def _token(self) -> str:
        if self.session is None:
            raise StateError("Hãy đăng nhập VNeID trước.")
        return self.session.token

    def _render_home(self):
        account = self.world.vneid.account_of(self.session.id_number)
        person = self.world.population.get(self.session.id_number)
        self.home_info.value = (f'<div class="cds-card"><b>{esc(person.full_name)}</b><br>'
                                f"Tài khoản định danh điện tử mức {account.level}</div>")
        self.refresh()

    def refresh(self) -> None:
        """The code for a new phone shows on this (old) phone while it is logged in."""
        if not hasattr(self, "code_notice"):
            return
        if self.session is not None and self.session.token not in self.world.vneid.sessions:
            self.session = None  # another phone took the account, or the hotline locked it
            self.phone.vneid_session = None
            if self.screen not in ("start", "login", "device", "nfc"):
                self.show("start")
                self.say("Tài khoản VNeID đã đăng xuất khỏi điện thoại này (đã đăng nhập trên "
                         "điện thoại khác, hoặc đã khoá qua tổng đài).")
        code = self.world.vneid.code_shown_on(self._device_key()) if self.session else None
        self.code_notice.value = (
            '<div class="cds-sms" role="status"><b>Yêu cầu đăng nhập trên thiết bị mới.</b> '
            f"Mã xác thực: <b>{esc(code)}</b>. Chỉ chính chủ nhập mã này vào điện thoại mới của "
            "mình; không đọc cho người gọi điện hay nhắn tin.</div>") if code else ""

    def _device_key(self) -> str:
        return self.phone.device or self.world.vneid.own_handset(self.person.id_number).id

    def _click_card(self):
        card = self.attempt(lambda: self.world.vneid.show_card(
            self._token(), self.f_card_pass.value), {"passcode": self.f_card_pass})
        if card is not None:
            self.card_view.value = f'<div class="cds-card">{table(card)}</div>'
        return card

    def _click_scan_portal(self):
        qr = self.phone.portal_qr()
        if qr is None:
            self.say("Trên Cổng DVC chưa có mã QR đăng nhập. Mở Cổng DVC, chọn \"Đăng nhập bằng "
                     "VNeID\" trước.", error=True)
            return None
        return self.scan(qr)

    def _click_scan(self):
        result = self.attempt(lambda: self.world.vneid.scan_qr(self._token(),
                                                                self.f_qr.value), {"qr": self.f_qr})
        if result is not None:
            self.scan_info.value = f'<div class="cds-note">{esc(result["message"])}</div>'
        return result

    def _click_confirm(self):
        payload = self.f_qr.value
        result = self.attempt(lambda: self.world.vneid.confirm_qr(
            self._token(), payload, self.f_qr_pass.value), {"passcode": self.f_qr_pass})
        if self.last_error is None:
            self.scan_info.value = ""
            self.say("Đã xác nhận. Quay lại Cổng DVC để tiếp tục.", ok=True)
            self.phone.vneid_confirmed(payload)
            return True
        return result

    # -- Cá nhân → Quản lý thiết bị, Ví giấy tờ, An sinh xã hội ----------------------------------
    def _build_features(self) -> None:
        self.sessions_by_device: dict[str, object] = {}
        self._here = self.phone.device or ""
        self.code_notice = html()
        self.devices_view = html()
        self.f_unlink = Field("Thiết bị cần gỡ", kind="choice")
        self.screens["devices"] = vbox([
            html("<p><b>Cá nhân → Quản lý thiết bị.</b> Các điện thoại đã đăng nhập tài khoản. "
                 "Đã mượn máy của người khác để xác thực thì gỡ máy đó khỏi danh sách.</p>"),
            self.devices_view, self.f_unlink.box,
            button("Gỡ liên kết thiết bị này", self._click_unlink, primary=True),
            button("Quay lại", lambda: self.show("home"))])
        self.wallet_view = html()
        self.f_doc_kind = Field("Giấy tờ cần tích hợp", kind="choice",
                                options=[DOCUMENTS[k] for k in INTEGRABLE])
        self.f_doc_number = Field("Số thẻ / số giấy phép (in trên giấy tờ)")
        self.f_doc_pass = Field("Passcode", kind="password")
        self.f_show_kind = Field("Giấy tờ xuất trình", kind="choice",
                                 options=list(DOCUMENTS.values()))
        self.f_show_place = Field("Xuất trình cho", kind="choice", options=list(PLACES.values()))
        self.f_show_pass = Field("Passcode để mở giấy tờ", kind="password")
        self.shown_document = html()
        self.screens["wallet"] = vbox([
            html("<p><b>Ví giấy tờ.</b> Giấy tờ đã tích hợp vào VNeID mức 2 dùng thay bản giấy "
                 "khi xuất trình; cơ quan không được đòi lại bản giấy những thông tin đã có trên "
                 "VNeID.</p>"),
            self.wallet_view,
            html("<p><b>Tích hợp thông tin</b></p>"),
            self.f_doc_kind.box, self.f_doc_number.box, self.f_doc_pass.box,
            button("Gửi yêu cầu tích hợp", self._click_integrate, primary=True),
            html("<p><b>Xuất trình</b></p>"),
            self.f_show_kind.box, self.f_show_place.box, self.f_show_pass.box,
            button("Xuất trình giấy tờ", self._click_present), self.shown_document,
            button("Quay lại", lambda: self.show("home"))])
        self.social_view = html()
        self.f_soc_bank = Field("Ngân hàng", kind="choice",
                                options=[b.short_name for b in TRAINING_BANKS[:2]])
        self.f_soc_number = Field("Số tài khoản ngân hàng (đứng tên chính người dân)")
        self.f_soc_pass = Field("Passcode", kind="password")
        self.screens["social"] = vbox([
            html("<p><b>An sinh xã hội → Tài khoản hưởng an sinh xã hội.</b> Lương hưu, trợ cấp "
                 "được chi vào tài khoản ngân hàng đăng ký ở đây. Tài khoản phải đứng tên "
                 "<b>chính người hưởng</b> (trùng họ tên, số định danh), đang hoạt động.</p>"),
            self.social_view, self.f_soc_bank.box, self.f_soc_number.box, self.f_soc_pass.box,
            button("Gửi đăng ký", self._click_social, primary=True),
            button("Quay lại", lambda: self.show("home"))])

    def _open(self, screen: str):
        if self.session is None:
            self.say("Hãy đăng nhập VNeID trước.", error=True)
            return None
        if screen == "devices":
            rows = self.world.vneid.devices_of(self.session.token)
            self.devices_view.value = "<ul>" + "".join(
                f"<li>{esc(r['label'])}{' — <b>điện thoại đang dùng</b>' if r['current'] else ''}"
                "</li>" for r in rows) + "</ul>"
            self.f_unlink.input.options = [(r["label"], r["id"]) for r in rows if not r["current"]]
        elif screen == "wallet":
            have = self.world.vneid.documents_of(self.session.id_number)
            self.wallet_view.value = ("<p>Đã có: " + ", ".join(DOCUMENTS[k] for k in have)
                                      + "</p>") if have else "<p>Chưa có giấy tờ nào.</p>"
        elif screen == "social":
            linked = self.world.vneid.social_account_of(self.session.id_number)
            self.social_view.value = (
                f'<div class="cds-card">Đã đăng ký: {esc(linked["bank"])} {esc(linked["number"])} '
                f"({esc(linked['holder'])})</div>") if linked else ""
        self.show(screen)
        return screen

    def _click_unlink(self):
        done = self.attempt(lambda: self.world.vneid.unlink_device(
            self._token(), self.f_unlink.value or ""), {"device": self.f_unlink})
        if done is not None:
            self._open("devices")
            self.say("Đã gỡ thiết bị khỏi tài khoản.", ok=True)
        return done

    def _click_integrate(self):
        kind = next(k for k, v in DOCUMENTS.items() if v == self.f_doc_kind.value)
        made = self.attempt(lambda: self.world.vneid.integrate_document(
            self._token(), self.f_doc_pass.value, kind, self.f_doc_number.value),
            {"passcode": self.f_doc_pass, "number": self.f_doc_number, "kind": self.f_doc_kind})
        if made is not None:
            self._open("wallet")
            self.say(made["message"], ok=True)
        return made

    def _click_present(self):
        kind = next(k for k, v in DOCUMENTS.items() if v == self.f_show_kind.value)
        place = next(k for k, v in PLACES.items() if v == self.f_show_place.value)
        shown = self.attempt(lambda: self.world.vneid.present_document(
            self._token(), self.f_show_pass.value, kind, place),
            {"passcode": self.f_show_pass, "kind": self.f_show_kind, "place": self.f_show_place})
        if shown is not None:
            self.shown_document.value = (f'<div class="cds-card"><b>{esc(shown["document"])}</b>'
                                         f'{table(shown["data"])}<p>{esc(shown["message"])}</p>'
                                         "</div>")
        return shown

    def _click_social(self):
        bank = next(b for b in TRAINING_BANKS if b.short_name == self.f_soc_bank.value)
        linked = self.attempt(lambda: self.world.vneid.link_social_account(
            self._token(), self.f_soc_pass.value, bank.bin, self.f_soc_number.value),
            {"passcode": self.f_soc_pass, "account_number": self.f_soc_number})
        if linked is not None:
            self._open("social")
            self.say(linked["message"], ok=True)
        return linked

    def _click_logout(self):
        if self.session is not None:
            self.attempt(lambda: self.world.vneid.logout(self._token()))
        self.session = None
        self.phone.vneid_session = None
        self.show("start")
