"""The banking / e-wallet app: balance and history, transfers with the receiver's name shown
first, paying bills by customer code, scanning a VietQR (picture or the world's gallery), OTP and
face-check steps, receipts; biometric matching with the chip card (NFC) and what gets in its way
(NFC off, a thick case, the card off the NFC spot, an old CMND on record, data that differ), the
face check on a new phone, and the counter for what the app cannot do."""

from __future__ import annotations

import ipywidgets as widgets

from congdanso.ui.base import FULL, AppView, Field, button, esc, html, table, vbox
from congdanso.world.core.errors import StateError
from congdanso.world.money.banks import TRAINING_BANKS
from congdanso.world.money.bills import SERVICES
from congdanso.world.money.biometrics import NFC_SPOTS
from congdanso.world.money.payments import BANK_BIN, money

BANK_CHOICES = [(f"{b.short_name} ({b.bin})", b.bin) for b in TRAINING_BANKS]
SERVICE_CHOICES = [(label, key) for key, (label, _) in SERVICES.items()]
SPOT_CHOICES = [(f"Áp thẻ {label}", key) for key, label in NFC_SPOTS.items()]


class BankApp(AppView):
    title = "Ngân hàng Tập huấn"

    def __init__(self, phone):
        super().__init__(phone)
        self.session = None
        self.pending = None
        self.bill = None  # the bill last looked up, shown under "Tra cứu hoá đơn"
        # open account / log in
        self.f_open_pw = Field("Mật khẩu ứng dụng mới", kind="password")
        self.f_acc = Field("Số tài khoản")
        self.f_pw = Field("Mật khẩu", kind="password")
        self.f_cash = Field("Nộp tiền mặt tại quầy (đồng)", placeholder="ví dụ 2000000")
        self.device_box = vbox([
            html('<div class="cds-note" role="status">Điện thoại mới: ngân hàng cần xác thực '
                 "khuôn mặt chủ tài khoản (Quyết định 2345/QĐ-NHNN). Chủ tài khoản tự nhìn vào "
                 "camera.</div>"),
            button("Chủ tài khoản nhìn vào camera (xác thực khuôn mặt)",
                   lambda: self.verify_device(self.person.id_number), primary=True)])
        self.device_box.layout = widgets.Layout(width="100%", display="none")
        self.screens["login"] = vbox([
            self.f_acc.box, self.f_pw.box, button("Đăng nhập", self._click_login, primary=True),
            self.device_box,
            html("<hr><p>Chưa có tài khoản? Mở tại quầy (mang thẻ căn cước):</p>"),
            self.f_open_pw.box, button("Mở tài khoản", self._click_open),
            self.f_cash.box, button("Nộp tiền mặt", self._click_cash),
            html("<hr><p><b>Tại quầy ngân hàng</b> (chủ tài khoản tự đến, mang thẻ căn cước gắn "
                 "chip): cập nhật giấy tờ, họ tên, ngày sinh theo dữ liệu dân cư và đối chiếu "
                 "sinh trắc học — cho những việc ứng dụng không làm được.</p>"),
            button("Cập nhật thông tin và sinh trắc học tại quầy",
                   lambda: self.counter_update(self.person.id_number, self.person.id_number))])
        # home
        self.balance = html()
        self.history = html()
        self.f_to_bank = Field("Ngân hàng người nhận", kind="choice", options=BANK_CHOICES)
        self.f_to_acc = Field("Số tài khoản người nhận")
        self.f_amount = Field("Số tiền (đồng)")
        self.f_message = Field("Nội dung chuyển khoản")
        self.f_service = Field("Dịch vụ", kind="choice", options=SERVICE_CHOICES)
        self.f_code = Field("Mã khách hàng (trên hoá đơn)", placeholder="ví dụ PB0403…")
        self.bill_view = html()
        self.qr_upload = widgets.FileUpload(accept="image/*", multiple=False,
                                            description="Chọn ảnh mã QR", layout=FULL)
        self.f_gallery = Field("Hoặc chọn mã QR có sẵn", kind="choice", options=[])
        self.f_qr_amount = Field("Số tiền (chỉ khi mã QR không ghi sẵn)")
        self.qr_view = html()
        self.f_spot = Field("Đặt thẻ căn cước ở đâu", kind="radio", options=SPOT_CHOICES)
        self.f_spot.value = "giua"
        self.chip_note = html()
        self.biometrics_box = vbox([
            html('<div class="cds-note" role="status">⚠ Tài khoản chưa đối chiếu sinh trắc học '
                 "với thẻ căn cước: chưa chuyển tiền, thanh toán được (Thông tư 17/2024/TT-NHNN)."
                 " Chủ tài khoản tự làm; ngân hàng không gửi đường link nào để làm việc này."
                 "</div>"),
            html("<p><b>Trên điện thoại</b> (ngoài ứng dụng, nếu chip không đọc được):</p>"),
            widgets.HBox([button("Cài đặt → Kết nối → bật NFC", self.turn_on_nfc),
                          button("Tháo ốp lưng điện thoại", self.remove_case)],
                         layout=widgets.Layout(flex_flow="row wrap", grid_gap="10px")),
            self.f_spot.box,
            button("Xác thực sinh trắc học: áp thẻ căn cước (NFC) rồi chụp khuôn mặt",
                   lambda: self.match_biometrics(self.person.id_number, self.person.id_number),
                   primary=True),
            button("Cập nhật giấy tờ tuỳ thân bằng thẻ căn cước (NFC)",
                   lambda: self.update_id_paper(self.person.id_number)),
            self.chip_note])
        self.biometrics_box.layout = widgets.Layout(width="100%", display="none")
        self.screens["home"] = vbox([
            self.biometrics_box, self.balance,
            html("<b>Chuyển tiền</b>"), self.f_to_bank.box, self.f_to_acc.box,
            self.f_amount.box, self.f_message.box,
            button("Tiếp tục", self._click_prepare, primary=True),
            html("<hr><b>Thanh toán hoá đơn</b>"), self.f_service.box, self.f_code.box,
            button("Tra cứu hoá đơn", self._click_lookup_bill), self.bill_view,
            button("Thanh toán hoá đơn này", self._click_pay_bill),
            html("<hr><b>Quét mã VietQR</b>"), self.qr_upload,
            button("Đọc ảnh vừa chọn", self._click_scan_upload), self.f_gallery.box,
            button("Dùng mã đã chọn", self._click_scan_gallery), self.f_qr_amount.box,
            self.qr_view, html("<hr><b>Lịch sử giao dịch</b>"), self.history,
            button("Đăng xuất", self._click_logout)])
        # confirm
        self.confirm_info = html()
        self.f_receiver_ok = Field("Tôi đã đọc tên người nhận cho người dân và đúng người cần "
                                   "trả tiền", kind="check")
        self.f_otp = Field("Mã OTP (tin nhắn từ ngân hàng)")
        self.face_box = vbox([
            html("<p>Giao dịch cần <b>xác thực khuôn mặt</b> của chủ tài khoản.</p>"),
            button("Chụp khuôn mặt chủ tài khoản", lambda: self.face_check(self.person.id_number))])
        # These two are shown or hidden, so they need layouts of their own (others share one).
        self.face_box.layout = widgets.Layout(width="100%")
        self.f_otp.box.layout = widgets.Layout(width="100%")
        self.screens["confirm"] = vbox([
            self.confirm_info, self.f_receiver_ok.box, self.f_otp.box,
            button("Xác nhận chuyển", self._click_confirm, primary=True), self.face_box,
            button("Huỷ", self._back_home)])
        self.receipt = html()
        self.screens["receipt"] = vbox([self.receipt, button("Về trang chính",
                                                                     self._back_home)])
        accounts = [a for a in self.world.bank.accounts_of(self.person.id_number)
                    if a.kind == "bank"]
        if accounts:
            self.f_acc.value = accounts[0].number
        self.show("login")

    # -- methods ------------------------------------------------------------------------------
    def open_account(self, app_password: str):
        self.f_open_pw.value = app_password
        return self._click_open()

    def deposit_cash(self, amount: int | str):
        self.f_cash.value = str(amount)
        return self._click_cash()

    def login(self, account: str, password: str):
        self.f_acc.value, self.f_pw.value = account, password
        return self._click_login()

    def transfer(self, bank_bin: str, account: str, amount: int | str, message: str = ""):
        self.f_to_bank.value, self.f_to_acc.value = bank_bin, account
        self.f_amount.value, self.f_message.value = str(amount), message
        return self._click_prepare()

    def confirm_receiver(self, yes: bool = True):
        self.f_receiver_ok.value = yes

    def enter_otp(self, code: str):
        self.f_otp.value = code
        return self._click_confirm()

    def face_check(self, whose_face: str):
        return self._confirm(face_of=whose_face)

    def lookup_bill(self, service: str, customer_code: str):
        self.f_service.value, self.f_code.value = service, customer_code
        return self._click_lookup_bill()

    def pay_bill(self):
        return self._click_pay_bill()

    def scan_image(self, content: bytes):
        return self._scan_picture(content)

    def scan_gallery(self, label: str, amount: str = ""):
        self.f_gallery.input.options = list(self.gallery())  # what the camera roll holds now
        self.f_gallery.value = label
        self.f_qr_amount.value = amount
        return self._click_scan_gallery()

    def gallery(self) -> dict[str, str]:
        """QR codes the phone can "see": bills of the household, a fee to pay, shop stickers."""
        codes: dict[str, str] = {}
        household = self.world.population.household_of(self.person)
        for bill in self.world.bills.of_household(household.id):  # the paper bills, paid or not
            codes[f"Hoá đơn {bill.service_name.lower()} kỳ {bill.period}"] = \
                self.world.bank.bill_qr(bill)
        if self.phone.pending_payment_qr:
            codes["Mã thanh toán phí trên Cổng DVC"] = self.phone.pending_payment_qr
        codes.update(self.phone.extra_qr)
        return codes

    # -- buttons ------------------------------------------------------------------------------
    def _token(self) -> str:
        if self.session is None:
            raise StateError("Hãy đăng nhập ứng dụng ngân hàng trước.")
        return self.session.token

    def _click_open(self):
        account = self.attempt(lambda: self.world.bank.open_account(
            self.person.id_number, BANK_BIN, self.f_open_pw.value),
            {"app_password": self.f_open_pw})
        if account is not None:
            self.f_acc.value = account.number
            self.say(f"Đã mở tài khoản {account.number}. Hãy đăng nhập.", ok=True)
        return account

    def _click_cash(self):
        account = self.attempt(lambda: self.world.bank.deposit_cash(
            BANK_BIN, self.f_acc.value, self.f_cash.value), {"amount": self.f_cash,
                                                             "account": self.f_acc})
        if account is not None:
            self.say(f"Đã nộp tiền. Số dư {money(account.balance)}.", ok=True)
            self._refresh()
        return account

    def _click_login(self):
        session = self.attempt(lambda: self.world.bank.login(BANK_BIN, self.f_acc.value,
                                                             self.f_pw.value),
                               {"password": self.f_pw, "account": self.f_acc})
        if session is not None:
            self._logged_in(session)
        elif self.last_error is not None and self.last_error.code == "thiet_bi_moi":
            self.device_box.layout.display = ""
        return session

    def _logged_in(self, session) -> None:
        self.session = session
        self.phone.bank_session = session
        self._refresh()
        self.show("home")

    def match_biometrics(self, card_of: str, face_of: str, card_spot: str | None = None):
        """The resident lays the card on the phone and looks at the camera (NFC + face)."""
        if card_spot is not None:
            self.f_spot.value = card_spot
        account = self.attempt(lambda: self.world.bank.match_biometrics(
            self._token(), card_of, face_of, self.f_spot.value),
            {"card_spot": self.f_spot})
        if account is not None:
            self.say("Đã đối chiếu sinh trắc học: tài khoản giao dịch trực tuyến được.", ok=True)
            self._refresh()
        return account

    def update_id_paper(self, card_of: str, card_spot: str | None = None):
        """Replace an old CMND on the bank's record with the căn cước card, read by NFC."""
        if card_spot is not None:
            self.f_spot.value = card_spot
        account = self.attempt(lambda: self.world.bank.update_id_paper(
            self._token(), card_of, self.f_spot.value), {"card_spot": self.f_spot})
        if account is not None:
            self.say("Đã cập nhật thẻ căn cước vào hồ sơ ngân hàng. Giờ đối chiếu sinh trắc học.",
                     ok=True)
        return account

    def turn_on_nfc(self):
        """The phone's Settings: switch NFC on (the resident does it, on their own phone)."""
        handset = self.attempt(lambda: self.world.bank.set_nfc(self.person.id_number, True))
        if handset is not None:
            self.say("NFC đã bật.", ok=True)
        return handset

    def remove_case(self):
        handset = self.attempt(lambda: self.world.bank.remove_case(self.person.id_number))
        if handset is not None:
            self.say("Đã tháo ốp lưng.", ok=True)
        return handset

    def counter_update(self, card_of: str, face_of: str):
        """At the counter: the owner brings the chip card; the clerk updates and matches."""
        account = self.attempt(lambda: self.world.bank.counter_update(
            BANK_BIN, self.f_acc.value, card_of, face_of), {"account": self.f_acc})
        if account is not None:
            self.say("Tại quầy: đã cập nhật thông tin theo thẻ căn cước và đối chiếu sinh trắc "
                     "học. Đăng nhập lại ứng dụng.", ok=True)
            if self.session is not None:
                self._refresh()
        return account

    def verify_device(self, face_of: str):
        """A new phone: the owner looks at the camera after the right password."""
        session = self.attempt(lambda: self.world.bank.verify_device(
            BANK_BIN, self.f_acc.value, face_of), {"account": self.f_acc})
        if session is not None:
            self.device_box.layout.display = "none"
            self._logged_in(session)
        return session

    def _refresh(self):
        if self.session is None:
            return
        own = self.world.bank._session_account(self.session.token)
        self.biometrics_box.layout.display = "none" if own.biometrics else ""
        balance = self.world.bank.balance(self.session.token)
        self.balance.value = (f'<div class="cds-card">Số dư khả dụng<br><b style="font-size:1.4em">'
                              f"{esc(money(balance))}</b></div>")
        rows = []
        for transfer in reversed(self.world.bank.history(self.session.token)[-6:]):
            rows.append(f'<div class="cds-sms">{esc(transfer.done_at.strftime("%d/%m %H:%M"))} · '
                        f"{esc(transfer.receiver_name)} · {esc(money(transfer.amount))}</div>")
        self.history.value = "".join(rows) or "<p>Chưa có giao dịch.</p>"
        self.f_gallery.input.options = list(self.gallery())
        self._show_bill()

    def _start_confirm(self, transfer):
        self.pending = transfer
        self.f_receiver_ok.value = False
        self.f_otp.value = ""
        self.confirm_info.value = (
            '<div class="cds-card"><b>Kiểm tra trước khi chuyển</b>'
            + table({"Người nhận": transfer.receiver_name, "Số tài khoản": transfer.target,
                     "Số tiền": money(transfer.amount), "Nội dung": transfer.message or "—"})
            + "</div>")
        face = transfer.needs == "face"
        self.face_box.layout.display = "" if face else "none"
        self.f_otp.box.layout.display = "none" if face else ""
        self.show("confirm")
        return transfer

    def _click_prepare(self):
        transfer = self.attempt(lambda: self.world.bank.prepare_transfer(
            self._token(), self.f_to_bank.value, self.f_to_acc.value, self.f_amount.value,
            self.f_message.value),
            {"to_bank_bin": self.f_to_bank, "to_account": self.f_to_acc, "amount": self.f_amount})
        return self._start_confirm(transfer) if transfer is not None else None

    def _click_confirm(self):
        return self._confirm()

    def _confirm(self, face_of: str | None = None):
        if self.pending is None:
            return None
        transfer = self.attempt(lambda: self.world.bank.confirm_transfer(
            self._token(), self.pending.id, bool(self.f_receiver_ok.value),
            otp=self.f_otp.value or None, face_of=face_of),
            {"receiver_confirmed": self.f_receiver_ok, "otp": self.f_otp})
        if transfer is not None:
            self.pending = None
            self.receipt.value = ('<div class="cds-card"><b>✔ Giao dịch thành công</b>'
                                  + table(transfer.receipt()) + "</div>")
            self._refresh()
            self.show("receipt")
        return transfer

    def _back_home(self):
        self.pending = None
        self._refresh()
        self.show("home")

    def _click_lookup_bill(self):
        bill = self.attempt(lambda: self.world.bills.lookup(self.f_service.value,
                                                            self.f_code.value),
                            {"customer_code": self.f_code, "service": self.f_service})
        if bill is not None:
            self.bill = bill
            self._show_bill()
        return bill

    def _show_bill(self) -> None:
        """The looked-up bill as it is now (paid or not), never as it was at lookup."""
        if self.bill is not None:
            self.bill_view.value = f'<div class="cds-card">{table(self.bill.view())}</div>'


    def _click_pay_bill(self):
        transfer = self.attempt(lambda: self.world.bank.pay_bill(
            self._token(), self.f_service.value, self.f_code.value),
            {"customer_code": self.f_code})
        return self._start_confirm(transfer) if transfer is not None else None

    def _click_scan_upload(self):
        if not self.qr_upload.value:
            self.say("Hãy chọn ảnh có mã QR trước.", error=True)
            return None
        return self._scan_picture(bytes(self.qr_upload.value[0]["content"]))

    def _scan_picture(self, content: bytes):
        from congdanso.world.money.qrimage import read_image

        payload = self.attempt(lambda: read_image(content))
        return self._scan_payload(payload) if payload is not None else None

    def _click_scan_gallery(self):
        payload = self.gallery().get(self.f_gallery.value or "")
        if payload is None:
            self.say("Hãy chọn một mã QR trong danh sách.", error=True)
            return None
        return self._scan_payload(payload)

    def _scan_payload(self, payload: str):
        from congdanso.world.money.vietqr import decode

        qr = self.attempt(lambda: decode(payload))
        if qr is None:
            return None
        self.qr_view.value = f'<div class="cds-card">{table(qr.explain())}</div>'
        amount = self.f_qr_amount.value or None
        transfer = self.attempt(lambda: self.world.bank.scan_qr(self._token(), payload, amount),
                                {"amount": self.f_qr_amount})
        return self._start_confirm(transfer) if transfer is not None else None

    def _click_logout(self):
        self.session = None
        self.phone.bank_session = None
        self.show("login")

    def refresh(self):
        if self.session is not None and self.screen == "home":
            self._refresh()
