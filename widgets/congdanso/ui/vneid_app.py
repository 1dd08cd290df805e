"""The VNeID app: level-1 registration, activation, log in, the e-ID card, scanning a login QR."""

from __future__ import annotations

from congdanso.ui.base import AppView, Field, button, esc, html, table, vbox
from congdanso.world.errors import StateError
from congdanso.world.vneid import SECURITY_QUESTIONS


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
            button("Đăng ký tài khoản mức 1", lambda: self.show("register")),
        ])
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
        self.f_q1 = Field("Câu hỏi bảo mật 1", kind="choice", options=SECURITY_QUESTIONS)
        self.f_a1 = Field("Câu trả lời 1")
        self.f_q2 = Field("Câu hỏi bảo mật 2", kind="choice", options=SECURITY_QUESTIONS)
        self.f_q2.value = SECURITY_QUESTIONS[1]
        self.f_a2 = Field("Câu trả lời 2")
        self.screens["activate"] = vbox([
            html("<p><b>Bước 1/5.</b> Nhập số định danh và số điện thoại đã đăng ký.</p>"),
            self.f_act_id.box, self.f_act_phone.box,
            button("Tiếp tục – gửi mã OTP", self._click_activate, primary=True),
            button("Quay lại", lambda: self.show("start"))])
        self.screens["otp"] = vbox([
            html("<p><b>Bước 2/5.</b> Nhập mã OTP vừa gửi qua tin nhắn. Không đọc mã "
                         "này cho bất kỳ ai.</p>"),
            self.f_otp.box, button("Xác nhận", self._click_otp, primary=True),
            button("Gửi lại mã", self._click_resend)])
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
        self.f_qr = Field("Mã QR đã quét", placeholder="Chĩa camera vào mã QR trên màn hình")
        self.f_qr_pass = Field("Passcode để xác nhận", kind="password")
        self.scan_info = html()
        self.screens["home"] = vbox([
            self.home_info,
            self.f_card_pass.box, button("Xem thẻ căn cước điện tử", self._click_card),
            self.card_view,
            html("<hr><p><b>Quét mã QR</b> (ví dụ mã đăng nhập Cổng Dịch vụ công)</p>"),
            button("Quét mã đang hiện trên Cổng DVC", self._click_scan_portal),
            self.f_qr.box, button("Quét mã này", self._click_scan), self.scan_info,
            self.f_qr_pass.box, button("Xác nhận truy cập", self._click_confirm, primary=True),
            button("Đăng xuất", self._click_logout)])
        for field_ in (self.f_reg_id, self.f_act_id, self.f_login_id):
            field_.value = self.person.id_number
        for field_ in (self.f_reg_phone, self.f_act_phone):
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
        session = self.attempt(lambda: self.world.vneid.login(
            self.f_login_id.value, self.f_login_pw.value),
            {"id_number": self.f_login_id, "password": self.f_login_pw})
        if session is not None:
            self.session = session
            self.phone.vneid_session = session
            self._render_home()
            self.show("home")
            self.say("Đăng nhập thành công.", ok=True)
        return session

    def _token(self) -> str:
        if self.session is None:
            raise StateError("Hãy đăng nhập VNeID trước.")
        return self.session.token

    def _render_home(self):
        account = self.world.vneid.account_of(self.session.id_number)
        person = self.world.population.get(self.session.id_number)
        self.home_info.value = (f'<div class="cds-card"><b>{esc(person.full_name)}</b><br>'
                                f"Tài khoản định danh điện tử mức {account.level}</div>")

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

    def _click_logout(self):
        if self.session is not None:
            self.attempt(lambda: self.world.vneid.logout(self._token()))
        self.session = None
        self.phone.vneid_session = None
        self.show("start")
